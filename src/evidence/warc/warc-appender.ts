// Appends records to a WARC file as a capture happens: each record its own gzip member, written
// synchronously, so a killed process leaves a WARC that reads up to its last record. It keeps
// what the WACZ needs without reading the file back: the running SHA-256 and CRC-32, and the
// CDXJ index (every offset is known when its record is written).
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { CdxjIndex, type CdxjRecord } from '../wacz/cdxj.js';
import { EvidenceError, writeErrorMessage } from '../errors.js';
import { crc32 } from '../../http/checksums.js';
import { gzipMember, serializeRecord, warcTargetUri, type WarcRecordSpec } from './warc-record.js';

/** A record ready to append, with what the CDXJ index needs (offsets are filled in on append). */
export interface RecordToAppend {
  spec: WarcRecordSpec;
  /** The payload is compressed already (PNG, content-encoded body): store, do not deflate. */
  payloadCompressed?: boolean;
  index?: Omit<CdxjRecord, 'offset' | 'length' | 'payloadDigest' | 'targetUri' | 'warcDate'>;
}

/** The finished WARC: what the WACZ and the manifest say of it. */
export interface WarcFileSummary {
  bytes: number;
  sha256: string;
  crc32: number;
  records: number;
  /** The CDXJ index, sorted. */
  cdxj: string;
}

export class WarcAppender {
  private fd: number | null;
  private bytes = 0;
  private records = 0;
  private readonly hash = createHash('sha256');
  private crc = 0;
  private readonly cdxj: CdxjIndex;

  /** Creates the file; it must not exist yet. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
    this.cdxj = new CdxjIndex(basename(path));
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.records;
  }

  /** Serialises, compresses and writes the records in one write; on failure the WARC is cut back. */
  append(records: RecordToAppend[]): void {
    if (this.fd === null) throw new EvidenceError(this.path, 'the case is closed; nothing more can be added');
    const members: Buffer[] = [];
    let offset = this.bytes;
    const entries: CdxjRecord[] = [];
    for (const pending of records) {
      const record = serializeRecord(pending.spec);
      const member = gzipMember(record.bytes, pending.payloadCompressed ?? false);
      if (pending.index) {
        entries.push({
          ...pending.index,
          targetUri: warcTargetUri(pending.spec.targetUri!),
          warcDate: pending.spec.date,
          payloadDigest: record.payloadDigest,
          offset,
          length: member.length,
        });
      }
      members.push(member);
      offset += member.length;
    }
    const data = members.length === 1 ? members[0] : Buffer.concat(members);
    try {
      let done = 0;
      while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, this.bytes + done);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.bytes);
      } catch {
        // the WARC reader treats a cut tail as truncation
      }
      throw new EvidenceError(this.path, `cannot write WARC records (${writeErrorMessage(err)})`, err);
    }
    this.bytes += data.length;
    this.hash.update(data);
    this.crc = crc32(data, this.crc);
    this.records += records.length;
    for (const entry of entries) this.cdxj.add(entry);
  }

  /** Closes the file; nothing can be appended after. */
  close(): WarcFileSummary {
    if (this.fd === null) throw new EvidenceError(this.path, 'closed twice');
    closeSync(this.fd);
    this.fd = null;
    return { bytes: this.bytes, sha256: this.hash.digest('hex'), crc32: this.crc, records: this.records, cdxj: this.cdxj.text() };
  }
}
