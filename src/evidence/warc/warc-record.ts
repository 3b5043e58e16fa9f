// Serialises one WARC/1.1 record, synchronously, with SHA-256 block and payload digests.
//
// warcio's WARCRecord/WARCSerializer are not used for writing: they merge repeated HTTP headers
// (moving a second Set-Cookie next to the first), encode header values as UTF-8 (changing the
// bytes of Latin-1 values), normalise WARC-Target-URI through `new URL()`, and serialise
// asynchronously. A clicktrace record must hold the HTTP head exactly as received and be on disk
// when the add* call returns, so the record is assembled here; warcio reads what we write (tests
// parse every record with its WARCParser and index it with its CDXIndexer).
import { createHash, randomUUID } from 'node:crypto';
import { sha256Hex } from '../../http/checksums.js';
import { gzipSync, constants as zlibConstants } from 'node:zlib';

export const WARC_VERSION = 'WARC/1.1';

export type WarcType = 'warcinfo' | 'request' | 'response' | 'resource' | 'metadata';

export interface WarcRecordSpec {
  type: WarcType;
  /** `<urn:uuid:...>`; generated when absent. */
  id?: string;
  /** ISO 8601 UTC; fractional seconds allowed by WARC/1.1. */
  date: string;
  targetUri?: string;
  contentType: string;
  /** Further WARC named fields, in order, placed after WARC-Target-URI. */
  fields?: [string, string][];
  /** For request/response records: the HTTP head, which is part of the block but not of the payload. */
  httpHead?: Buffer;
  payload: Buffer;
  /** Whether to write WARC-Payload-Digest (request, response, resource records). */
  digestPayload: boolean;
  /** SHA-256 (hex) of the payload when the caller already has it. */
  payloadSha256?: string;
}

export interface SerializedRecord {
  id: string;
  /** The uncompressed record, trailing CRLFCRLF included. */
  bytes: Buffer;
  payloadDigest: string | null;
}

const CRLF = Buffer.from('\r\n');
const END_OF_RECORD = Buffer.from('\r\n\r\n');

export function newRecordId(): string {
  return `<urn:uuid:${randomUUID()}>`;
}

/** `sha256:<hex>`, the digest form written and accepted by warcio. */
export function sha256Digest(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return `sha256:${hash.digest('hex')}`;
}

export function warcDate(iso: string | null | undefined): string {
  const time = iso ? Date.parse(iso) : NaN;
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
}

/**
 * WARC-Target-URI as an ASCII URI: spaces, controls and non-ASCII percent-encoded (as UTF-8), so
 * every reader sees the same string. The exact URL is kept in the exchange's metadata record.
 */
export function warcTargetUri(url: string): string {
  return url.replace(/[^\x21-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // lone surrogate
    }
  });
}

function fieldValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

export function serializeRecord(spec: WarcRecordSpec): SerializedRecord {
  const id = spec.id ?? newRecordId();
  const head = spec.httpHead ?? Buffer.alloc(0);
  const payloadSha256 = spec.payloadSha256 ?? (spec.digestPayload || head.length === 0 ? sha256Hex(spec.payload) : null);
  const payloadDigest = spec.digestPayload ? `sha256:${payloadSha256}` : null;
  // Without an HTTP head the block is the payload: one pass over a screenshot is enough.
  const blockDigest = head.length === 0 ? `sha256:${payloadSha256}` : sha256Digest(head, spec.payload);
  const fields: [string, string][] = [
    ['WARC-Type', spec.type],
    ['WARC-Record-ID', id],
    ['WARC-Date', spec.date],
  ];
  if (spec.targetUri !== undefined) fields.push(['WARC-Target-URI', warcTargetUri(spec.targetUri)]);
  if (spec.fields) fields.push(...spec.fields);
  fields.push(['Content-Type', spec.contentType]);
  fields.push(['WARC-Block-Digest', blockDigest]);
  if (payloadDigest) fields.push(['WARC-Payload-Digest', payloadDigest]);
  fields.push(['Content-Length', String(head.length + spec.payload.length)]);

  let text = `${WARC_VERSION}\r\n`;
  for (const [name, value] of fields) text += `${name}: ${fieldValue(value)}\r\n`;
  const bytes = Buffer.concat([Buffer.from(text, 'utf8'), CRLF, head, spec.payload, END_OF_RECORD]);
  return { id, bytes, payloadDigest };
}

/** Each record is its own gzip member, so a reader can stop cleanly after any complete record. */
export function gzipMember(record: Buffer, payloadCompressed: boolean): Buffer {
  // Deflating a PNG or a gzip body gains nothing and costs ~75 ms/MB even at level 1: store it.
  const level = payloadCompressed ? 0 : record.length > 256 * 1024 ? 1 : zlibConstants.Z_DEFAULT_COMPRESSION;
  return gzipSync(record, { level, windowBits: windowBitsFor(record.length) });
}

/**
 * The smallest deflate window that holds all of a record (zlib's 262-byte lookahead included),
 * 32 KB at most. Every match deflate finds is then found as with the default 32 KB window, so the
 * bytes out are the same, and a trace's ~40 small records each set up a few KB, not 64 KB.
 */
export function windowBitsFor(length: number): number {
  let bits = 9;
  while (bits < 15 && 1 << bits < length + 262) bits++;
  return bits;
}
