// Reads a WARC file (gzip member per record, or uncompressed) record by record, telling a
// truncated tail (what a killed writer leaves) from corruption (a changed or foreign byte).
import { inflateRawSync } from 'node:zlib';
import { crc32 } from '../../http/checksums.js';

export interface WarcRecordRead {
  /** 0-based position in the file. */
  index: number;
  /** Offset and length of the record (its gzip member, when compressed) in the file. */
  offset: number;
  length: number;
  fields: [string, string][];
  block: Buffer;
}

export interface WarcReadStop {
  /** 1-based number of the record that could not be read. */
  record: number;
  offset: number;
  /** `truncated`: the file ends inside a record; `corrupt`: bytes that cannot be a WARC record. */
  kind: 'truncated' | 'corrupt';
  reason: string;
}

export interface WarcReadResult {
  records: WarcRecordRead[];
  compressed: boolean;
  /** Why reading stopped before the end of the file, or null if every byte was read. */
  stop: WarcReadStop | null;
}

export function field(record: WarcRecordRead, name: string): string | null {
  const lower = name.toLowerCase();
  for (const [n, v] of record.fields) if (n.toLowerCase() === lower) return v;
  return null;
}

export function fieldValues(record: WarcRecordRead, name: string): string[] {
  const lower = name.toLowerCase();
  return record.fields.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

export function describeRecord(record: WarcRecordRead): string {
  const type = field(record, 'WARC-Type') ?? 'record';
  const target = field(record, 'WARC-Target-URI');
  return `record ${record.index + 1} (${type}${target ? ` ${target}` : ''}, offset ${record.offset})`;
}

class Stop extends Error {
  constructor(readonly stop: Omit<WarcReadStop, 'record'>) {
    super(stop.reason);
  }
}

export function readWarcBuffer(buf: Buffer): WarcReadResult {
  const compressed = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  const records: WarcRecordRead[] = [];
  try {
    if (compressed) readMembers(buf, records);
    else readPlain(buf, records);
    return { records, compressed, stop: null };
  } catch (err) {
    if (err instanceof Stop) return { records, compressed, stop: { ...err.stop, record: records.length + 1 } };
    throw err;
  }
}

function readMembers(buf: Buffer, records: WarcRecordRead[]): void {
  let offset = 0;
  while (offset < buf.length) {
    const member = inflateMember(buf, offset);
    let pos = 0;
    // A member normally holds one record; other writers may put several in one.
    while (pos < member.data.length) {
      const record = parseRecord(member.data, pos, offset, records.length);
      if (record.kind === 'truncated') {
        throw new Stop({ offset, kind: 'corrupt', reason: `gzip member at offset ${offset} ends inside a WARC record` });
      }
      records.push({ ...record.record, offset, length: member.length });
      pos = record.next;
    }
    offset += member.length;
  }
}

function readPlain(buf: Buffer, records: WarcRecordRead[]): void {
  let pos = 0;
  while (pos < buf.length) {
    // Tolerate extra blank lines between records.
    while (buf[pos] === 0x0d || buf[pos] === 0x0a) pos++;
    if (pos >= buf.length) break;
    const record = parseRecord(buf, pos, pos, records.length);
    if (record.kind === 'truncated') throw new Stop({ offset: pos, kind: 'truncated', reason: record.reason });
    records.push({ ...record.record, length: record.next - pos });
    pos = record.next;
  }
}

function inflateMember(buf: Buffer, offset: number): { data: Buffer; length: number } {
  const stop = (kind: WarcReadStop['kind'], reason: string) => new Stop({ offset, kind, reason });
  if (buf.length - offset < 10) {
    if (buf[offset] !== 0x1f || (buf.length - offset > 1 && buf[offset + 1] !== 0x8b)) {
      throw stop('corrupt', `no gzip member at offset ${offset}`);
    }
    throw stop('truncated', `file ends inside the gzip header at offset ${offset}`);
  }
  if (buf[offset] !== 0x1f || buf[offset + 1] !== 0x8b || buf[offset + 2] !== 8) {
    throw stop('corrupt', `no gzip member at offset ${offset}`);
  }
  const flags = buf[offset + 3];
  let pos = offset + 10;
  const need = (n: number) => {
    if (pos + n > buf.length) throw stop('truncated', `file ends inside the gzip header at offset ${offset}`);
  };
  if (flags & 0x04) {
    need(2);
    pos += 2 + buf.readUInt16LE(pos);
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      const end = buf.indexOf(0, pos);
      if (end < 0) throw stop('truncated', `file ends inside the gzip header at offset ${offset}`);
      pos = end + 1;
    }
  }
  if (flags & 0x02) pos += 2;
  need(0);

  let data: Buffer;
  let consumed: number;
  try {
    const result = inflateRawSync(buf.subarray(pos), { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    data = result.buffer;
    consumed = result.engine.bytesWritten;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'Z_BUF_ERROR') throw stop('truncated', `file ends inside the gzip member at offset ${offset}`);
    throw stop('corrupt', `corrupt gzip data in the member at offset ${offset} (${(err as Error).message})`);
  }
  const trailer = pos + consumed;
  if (trailer + 8 > buf.length) throw stop('truncated', `file ends inside the gzip member at offset ${offset}`);
  if (buf.readUInt32LE(trailer) !== crc32(data) || buf.readUInt32LE(trailer + 4) !== data.length % 2 ** 32) {
    throw stop('corrupt', `gzip checksum mismatch in the member at offset ${offset}`);
  }
  return { data, length: trailer + 8 - offset };
}

type ParsedRecord = { kind: 'record'; record: Omit<WarcRecordRead, 'length'>; next: number } | { kind: 'truncated'; reason: string };

function parseRecord(buf: Buffer, pos: number, fileOffset: number, index: number): ParsedRecord {
  const corrupt = (reason: string) => new Stop({ offset: fileOffset, kind: 'corrupt', reason: `${reason} at offset ${fileOffset}` });
  const headEnd = buf.indexOf('\r\n\r\n', pos);
  if (headEnd < 0) {
    if (!'WARC/'.startsWith(buf.subarray(pos, pos + 5).toString('latin1'))) throw corrupt('not a WARC record');
    return { kind: 'truncated', reason: `file ends inside the WARC headers at offset ${fileOffset}` };
  }
  const lines = buf.subarray(pos, headEnd).toString('utf8').split('\r\n');
  const version = lines.shift() ?? '';
  if (!/^WARC\/1\.[01]$/.test(version)) throw corrupt('not a WARC record');
  const fields: [string, string][] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) {
      fields[fields.length - 1][1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw corrupt(`malformed WARC header line ${JSON.stringify(line.slice(0, 40))}`);
    fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const lengthField = fields.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
  const length = lengthField !== undefined && /^\d+$/.test(lengthField) ? Number(lengthField) : NaN;
  if (!Number.isSafeInteger(length)) throw corrupt('WARC record without a valid Content-Length');
  const blockStart = headEnd + 4;
  const blockEnd = blockStart + length;
  if (blockEnd + 4 > buf.length) {
    return { kind: 'truncated', reason: `file ends inside a WARC record at offset ${fileOffset}` };
  }
  if (buf.readUInt32BE(blockEnd) !== 0x0d0a0d0a) throw corrupt('WARC record not followed by CRLFCRLF (wrong Content-Length?)');
  return {
    kind: 'record',
    record: { index, offset: fileOffset, fields, block: buf.subarray(blockStart, blockEnd) },
    next: blockEnd + 4,
  };
}
