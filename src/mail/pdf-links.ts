// Links of a PDF attachment: the URIs of its link annotations, the "View invoice" a reader clicks
// in the viewer (`<< /Subtype /Link /A << /S /URI /URI (https://…) >> >>`), also when the
// annotation sits in a compressed object stream (`/Type /ObjStm /Filter /FlateDecode`, PDF 1.5).
//
// A small scanner rather than pdf.js (pdfjs-dist): pdf.js is ~40 MB with an optional native
// canvas, parses fonts, images and content streams we never need, and is built to render, so its
// cost and attack surface grow with everything a hostile file can hold; the URI of a link action
// is a string in a dictionary, found by its key. This reads the file's bytes once, inflates only
// object streams (where such dictionaries may be), and is bounded: MAX_PDF_BYTES in,
// MAX_INFLATED_BYTES inflated in all, MAX_OBJECT_STREAMS streams, MAX_PDF_URIS links, strings cut at
// MAX_STRING_BYTES. It executes nothing (no JavaScript, no /Launch). An encrypted PDF that opens
// without a password (pdf-encryption.ts) has its strings and object streams decrypted first; one
// that needs a password is said so. Limits: streams in other filters than Flate are not read.

import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { pdfEncryption, type PdfDecryptor } from './pdf-encryption.js';
import { hexString, literalString } from './pdf-strings.js';

export const MAX_PDF_BYTES = 16 * 1024 * 1024;
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
const MAX_OBJECT_STREAMS = 512;
export const MAX_PDF_URIS = 200;
/** How far back from `stream` its dictionary is looked for. */
const MAX_DICTIONARY = 4096;

export interface PdfUris {
  /**
   * URI strings of link actions, decoded, each once: those written in place (the file's body, then
   * its object streams), then those given by reference, in the order they were met.
   */
  uris: string[];
  /** What could not be read (encrypted, a stream over the limit...). */
  warnings: string[];
}

/** Whether an attachment is a PDF (by type, name or first bytes). */
export function isPdfFile(contentType: string, filename: string | null, bytes: Uint8Array): boolean {
  return contentType === 'application/pdf' || /\.pdf$/i.test(filename ?? '') || pdfHeaderAt(latin1(bytes, 0, 1024)) !== -1;
}

function latin1(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, Math.min(end, bytes.byteLength));
}

function pdfHeaderAt(head: string): number {
  return head.indexOf('%PDF-');
}

// A URI action's value: a literal string, a hex string (not a dictionary's "<<"), or a reference.
const URI_VALUE = /\/URI\s*(?:(\()|(<)(?!<)|(\d+)\s+(\d+)\s+R\b)/g;

interface Scan {
  uris: string[];
  seen: Set<string>;
  /** Object number → where its value starts, in which text (plain body or an inflated object stream). */
  objects: Map<number, { text: string; at: number }>;
  references: number[];
  /** Strings of the file's body are each decrypted with their object's key (an encrypted file); those of object streams are not. */
  decryptor: PdfDecryptor | null;
  /** The body's object headers in file order, to know whose string is at a position (an encrypted file only). */
  headers: ObjectHeader[];
}

interface ObjectHeader {
  at: number;
  object: number;
  generation: number;
}

/**
 * The URIs of the link annotations of a PDF file; an encrypted one is opened with the empty password,
 * else one of `passwords` (those its message gives). Never throws; malformed input yields what it holds.
 */
export function pdfLinkUris(bytes: Uint8Array, passwords: readonly string[] = []): PdfUris {
  const warnings: string[] = [];
  if (bytes.byteLength > MAX_PDF_BYTES) {
    return { uris: [], warnings: [`PDF of ${bytes.byteLength} bytes not read for links (more than ${MAX_PDF_BYTES})`] };
  }
  const text = latin1(bytes);
  if (pdfHeaderAt(text.slice(0, 1024)) === -1) return { uris: [], warnings: ['not a PDF file (no %PDF- header)'] };
  const encryption = pdfEncryption(text, passwords);
  if (encryption && 'refusal' in encryption) return { uris: [], warnings: [encryption.refusal] };
  const decryptor = encryption?.decryptor ?? null;
  if (encryption?.password)
    warnings.push(`encrypted PDF opened with the password the message gives (${JSON.stringify(encryption.password)})`);
  if (encryption?.cut)
    warnings.push('encrypted PDF cut before its trailer: opened by its encryption dictionary; links past the cut are lost');
  const scan: Scan = {
    uris: [],
    seen: new Set(),
    objects: new Map(),
    references: [],
    decryptor,
    headers: decryptor ? objectHeaders(text) : [],
  };
  collectUris(text, scan, true);
  let inflatedBytes = 0;
  let streams = 0;
  for (const match of text.matchAll(/\bstream(?:\r\n|\n|\r)/g)) {
    const dataStart = match.index + match[0].length;
    // Looked for in a window only: a file of many "stream" words and no "obj" costs no more.
    const windowStart = Math.max(0, match.index - MAX_DICTIONARY);
    const objStart = text.slice(windowStart, match.index).lastIndexOf('obj');
    if (objStart === -1) continue;
    const dictionary = text.slice(windowStart + objStart, match.index);
    if (!/\/Type\s*\/ObjStm\b/.test(dictionary)) continue;
    if (!/\/FlateDecode\b/.test(dictionary) || /\/(?:ASCII85Decode|ASCIIHexDecode|LZWDecode|Crypt)\b/.test(dictionary)) {
      warnings.push('an object stream in a filter other than FlateDecode was not read');
      continue;
    }
    if (++streams > MAX_OBJECT_STREAMS) {
      warnings.push(`more than ${MAX_OBJECT_STREAMS} object streams; the rest were not read`);
      break;
    }
    const end = text.indexOf('endstream', dataStart);
    let data: Buffer | null = Buffer.from(bytes.buffer, bytes.byteOffset + dataStart, (end === -1 ? text.length : end) - dataStart);
    const owner = decryptor && objectAt(scan.headers, match.index);
    if (decryptor) data = owner ? decryptor.decrypt(data, owner.object, owner.generation, 'stream') : null;
    if (!data) {
      warnings.push('an object stream was not read: it could not be decrypted');
      continue;
    }
    const budget = MAX_INFLATED_BYTES - inflatedBytes;
    let inflated: Buffer;
    try {
      // A truncated stream gives what it holds (sync flush) instead of failing.
      inflated = inflateSync(data, { maxOutputLength: budget, finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `inflates past ${MAX_INFLATED_BYTES} bytes` : 'corrupt';
      warnings.push(`an object stream was not read: ${reason}`);
      if (reason !== 'corrupt') break;
      continue;
    }
    inflatedBytes += inflated.length;
    const inner = inflated.toString('latin1');
    indexObjectStream(dictionary, inner, scan);
    collectUris(inner, scan, false);
  }
  resolveReferences(text, scan);
  if (scan.uris.length >= MAX_PDF_URIS) warnings.push(`more than ${MAX_PDF_URIS} link URIs; the rest were not read`);
  return { uris: scan.uris, warnings };
}

/** The URIs written in `text`: the file's body (`inBody`, its strings encrypted in an encrypted file) or an inflated object stream. */
function collectUris(text: string, scan: Scan, inBody: boolean): void {
  if (!text.includes('/URI')) return;
  for (const match of text.matchAll(URI_VALUE)) {
    if (scan.uris.length >= MAX_PDF_URIS) return;
    const at = match.index + match[0].length;
    if (match[3] !== undefined) {
      if (scan.references.length < MAX_PDF_URIS) scan.references.push(Number(match[3]));
      continue;
    }
    const bytes = match[1] ? literalString(text, at) : hexString(text, at);
    add(inBody ? decrypted(bytes, match.index, scan) : bytes, scan);
  }
}

/** A string of the file's body as its reader sees it: decrypted with the key of the object it is in. */
function decrypted(bytes: string | null, at: number, scan: Scan): string | null {
  if (bytes === null || !scan.decryptor) return bytes;
  const owner = objectAt(scan.headers, at);
  if (!owner) return null;
  return scan.decryptor.decrypt(Buffer.from(bytes, 'latin1'), owner.object, owner.generation, 'string')?.toString('latin1') ?? null;
}

function objectHeaders(text: string): ObjectHeader[] {
  return [...text.matchAll(/(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b/g)].map((header) => ({
    at: header.index,
    object: Number(header[1]),
    generation: Number(header[2]),
  }));
}

/** The object whose header is the last one before `at`. */
function objectAt(headers: ObjectHeader[], at: number): ObjectHeader | null {
  let low = 0;
  let high = headers.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (headers[middle].at < at) low = middle + 1;
    else high = middle;
  }
  return low > 0 ? headers[low - 1] : null;
}

function add(bytes: string | null, scan: Scan): void {
  if (bytes === null) return;
  const uri = textOf(bytes).trim();
  if (!uri || scan.seen.has(uri) || scan.uris.length >= MAX_PDF_URIS) return;
  scan.seen.add(uri);
  scan.uris.push(uri);
}

/** An object stream starts with pairs "object-number offset", offsets counted from /First. */
function indexObjectStream(dictionary: string, inner: string, scan: Scan): void {
  const first = Number(/\/First\s+(\d+)/.exec(dictionary)?.[1]);
  const count = Number(/\/N\s+(\d+)/.exec(dictionary)?.[1]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first > inner.length) return;
  const numbers = inner.slice(0, first).trim().split(/\s+/).map(Number);
  for (let i = 0; i + 1 < numbers.length && i < 2 * count; i += 2) {
    const [object, offset] = [numbers[i], numbers[i + 1]];
    if (Number.isSafeInteger(object) && Number.isSafeInteger(offset) && first + offset < inner.length) {
      if (!scan.objects.has(object)) scan.objects.set(object, { text: inner, at: first + offset });
    }
  }
}

/** `/URI 12 0 R`: the string object 12 holds, in an object stream or the file's body. */
function resolveReferences(text: string, scan: Scan): void {
  if (scan.references.length === 0) return;
  const wanted = new Set(scan.references);
  const inBody = new Map<number, number>();
  for (const header of text.matchAll(/(?<![0-9])(\d{1,10})\s+\d{1,5}\s+obj\b\s*/g)) {
    const object = Number(header[1]);
    if (wanted.has(object) && !inBody.has(object)) inBody.set(object, header.index + header[0].length);
  }
  for (const object of wanted) {
    const at = inBody.get(object);
    const inStream = scan.objects.get(object);
    const found = inStream ?? (at === undefined ? undefined : { text, at });
    if (!found) continue;
    while (found.at < found.text.length && /\s/.test(found.text[found.at])) found.at++;
    const opener = found.text.slice(found.at, found.at + 2);
    const bytes = opener.startsWith('(')
      ? literalString(found.text, found.at + 1)
      : /^<(?!<)/.test(opener)
        ? hexString(found.text, found.at + 1)
        : null;
    add(inStream ? bytes : decrypted(bytes, found.at, scan), scan);
  }
}

/** A PDF string's bytes as text: UTF-16BE with its BOM, UTF-8 when valid, else Latin-1 (URIs are ASCII by the spec). */
function textOf(bytes: string): string {
  const raw = Buffer.from(bytes, 'latin1');
  if (raw.length >= 2 && raw[0] === 0xfe && raw[1] === 0xff) {
    const swapped = Buffer.from(raw.subarray(2, raw.length - (raw.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return bytes;
  }
}
