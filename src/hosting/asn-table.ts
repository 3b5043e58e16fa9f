// IP address -> autonomous system (number, organisation), from the numeric CSVs that the
// @ip-location-db/asn package ships (`range_start,range_end,as_number,"as organisation"`, one
// inclusive range a line, sorted). No MMDB of this data is on the npm registry, and parsing the
// CSVs (32 MB, ~515,000 rows) takes the better part of a second: far too slow for each trace.
// So they are compiled once into this compact table (sorted columns of 32-bit words, ~11 MB),
// which answers by binary search read in place from its file (see FileBytes).
//
// The CSV reader is hand-written: a general CSV library (csv-parse) builds a string per field
// and an array per row, several times slower on this file; the format here is fixed (three
// decimal numbers, then one possibly quoted field with "" escapes), and the builder checks it.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

const MAGIC = 'CTASNTB1';
/** Written as a native-endian u32: a table made on a machine of the other endianness is rebuilt. */
const ENDIAN_MARK = 0x01020304;
const HEADER_FIXED = 36;

export interface AsnAnswer {
  asn: number;
  name: string | null;
}

export class AsnTableError extends Error {}

interface Columns {
  v4Start: number[];
  v4End: number[];
  v4Org: number[];
  v6Start: number[];
  v6End: number[];
  v6Org: number[];
  orgAsn: number[];
  orgName: string[];
  orgIndex: Map<string, number>;
}

/** Compiles the IPv4 and IPv6 numeric CSVs into a table; `label` (e.g. the package and version) is kept in it. */
export function buildAsnTable(v4Csv: Uint8Array, v6Csv: Uint8Array, label: string): Buffer {
  const columns: Columns = {
    v4Start: [],
    v4End: [],
    v4Org: [],
    v6Start: [],
    v6End: [],
    v6Org: [],
    orgAsn: [],
    orgName: [],
    orgIndex: new Map(),
  };
  readCsv(v4Csv, 4, columns);
  readCsv(v6Csv, 6, columns);
  return serialise(columns, label);
}

/** `latin1Name` is the name's UTF-8 bytes read as Latin-1. */
function orgOf(columns: Columns, asn: number, latin1Name: string): number {
  const key = `${asn}\t${latin1Name}`;
  let index = columns.orgIndex.get(key);
  if (index === undefined) {
    index = columns.orgAsn.length;
    columns.orgAsn.push(asn);
    columns.orgName.push(Buffer.from(latin1Name, 'latin1').toString('utf8'));
    columns.orgIndex.set(key, index);
  }
  return index;
}

const LF = 0x0a;

function readCsv(bytes: Uint8Array, family: 4 | 6, columns: Columns): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const words = family === 4 ? 1 : 4;
  const start = new Uint32Array(words);
  const end = new Uint32Array(words);
  const starts = family === 4 ? columns.v4Start : columns.v6Start;
  const ends = family === 4 ? columns.v4End : columns.v6End;
  const orgs = family === 4 ? columns.v4Org : columns.v6Org;
  let line = 0;
  for (let pos = 0; pos < buffer.length;) {
    let eol = buffer.indexOf(LF, pos);
    if (eol < 0) eol = buffer.length;
    // Latin-1 keeps one character per byte (the numbers are ASCII); the name is decoded as
    // UTF-8 once per distinct organisation.
    const text = buffer.toString('latin1', pos, eol).replace(/\r$/, '');
    pos = eol + 1;
    line++;
    if (text === '') continue;
    const fail = (what: string): never => {
      throw new AsnTableError(`IPv${family} CSV line ${line}: ${what}`);
    };
    const c1 = text.indexOf(',');
    const c2 = text.indexOf(',', c1 + 1);
    const c3 = text.indexOf(',', c2 + 1);
    if (c1 < 0 || c2 < 0 || c3 < 0) fail('expected four fields');
    if (!decimalWords(text.slice(0, c1), start)) fail('range start is not a number');
    if (!decimalWords(text.slice(c1 + 1, c2), end)) fail('range end is not a number');
    const asnText = text.slice(c2 + 1, c3);
    const asn = Number(asnText);
    if (!/^\d+$/.test(asnText) || asn > 0xffffffff) fail('AS number is not a number');
    let rawName = text.slice(c3 + 1);
    if (rawName.startsWith('"')) {
      if (rawName.length < 2 || !rawName.endsWith('"')) fail('unterminated quoted field');
      rawName = rawName.slice(1, -1).replaceAll('""', '"');
    }
    if (compareWords(start, end) > 0) fail('range start after its end');
    const last = orgs.length - 1;
    if (last >= 0 && compareWords(starts, start, last * words, 0, words) > 0) fail('rows not sorted by range start');
    if (last >= 0 && compareWords(ends, start, last * words, 0, words) >= 0) {
      // The published data has a few overlapping rows (its README warns of bugs): the range
      // that starts later (the more specific one) keeps the overlap.
      if (compareWords(starts, start, last * words, 0, words) === 0) {
        starts.length = ends.length = last * words;
        orgs.length = last;
      } else {
        const clipped = Uint32Array.from(start);
        decrement(clipped);
        for (let w = 0; w < words; w++) ends[last * words + w] = clipped[w];
      }
    }
    for (let w = 0; w < words; w++) {
      starts.push(start[w]);
      ends.push(end[w]);
    }
    orgs.push(orgOf(columns, asn, rawName));
  }
}

/** A decimal number into big-endian 32-bit words; false when it is not one or does not fit. */
function decimalWords(text: string, into: Uint32Array): boolean {
  if (!/^\d+$/.test(text)) return false;
  if (into.length === 1) {
    const n = Number(text);
    into[0] = n;
    return n <= 0xffffffff;
  }
  let n = BigInt(text);
  for (let w = into.length - 1; w >= 0; w--) {
    into[w] = Number(n & 0xffffffffn);
    n >>= 32n;
  }
  return n === 0n;
}

/** Subtracts one from a big-endian multi-word number that is not zero. */
function decrement(words: Uint32Array): void {
  for (let w = words.length - 1; w >= 0; w--) {
    if (words[w] > 0) {
      words[w]--;
      return;
    }
    words[w] = 0xffffffff;
  }
}

function compareWords(a: ArrayLike<number>, b: ArrayLike<number>, aAt = 0, bAt = 0, length = a.length - aAt): number {
  for (let i = 0; i < length; i++) {
    const d = a[aAt + i] - b[bAt + i];
    if (d !== 0) return d;
  }
  return 0;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function serialise(columns: Columns, label: string): Buffer {
  const encoder = new TextEncoder();
  const labelBytes = encoder.encode(label);
  const names = columns.orgName.map((n) => encoder.encode(n));
  const namesLength = names.reduce((sum, n) => sum + n.length, 0);
  const headerLength = align4(HEADER_FIXED + labelBytes.length);
  const v4 = columns.v4Org.length;
  const v6 = columns.v6Org.length;
  const orgs = columns.orgAsn.length;
  const u32Count = 3 * v4 + 9 * v6 + orgs + (orgs + 1);
  const buffer = Buffer.alloc(headerLength + 4 * u32Count + namesLength);
  buffer.write(MAGIC, 0, 'latin1');
  const header = new DataView(buffer.buffer, buffer.byteOffset, headerLength);
  new Uint32Array(buffer.buffer, buffer.byteOffset + 8, 1)[0] = ENDIAN_MARK;
  for (const [i, value] of [headerLength, v4, v6, orgs, namesLength, labelBytes.length].entries())
    header.setUint32(12 + 4 * i, value, true);
  buffer.set(labelBytes, HEADER_FIXED);
  const body = new Uint32Array(buffer.buffer, buffer.byteOffset + headerLength, u32Count);
  let at = 0;
  for (const column of [columns.v4Start, columns.v4End, columns.v4Org, columns.v6Start, columns.v6End, columns.v6Org, columns.orgAsn]) {
    body.set(column, at);
    at += column.length;
  }
  let offset = 0;
  for (let i = 0; i < orgs; i++) {
    body[at++] = offset;
    offset += names[i].length;
  }
  body[at] = offset;
  let nameAt = headerLength + 4 * u32Count;
  for (const name of names) {
    buffer.set(name, nameAt);
    nameAt += name.length;
  }
  return buffer;
}

/** Where a table's bytes are: in memory (just compiled), or in its cached file. */
interface TableBytes {
  readonly length: number;
  /** The native-endian 32-bit word at a byte offset. */
  u32(at: number): number;
  bytes(start: number, end: number): Uint8Array;
}

const readU32 = endianness() === 'LE' ? (b: Buffer, at: number) => b.readUInt32LE(at) : (b: Buffer, at: number) => b.readUInt32BE(at);

class MemoryBytes implements TableBytes {
  constructor(private readonly buffer: Buffer) {}
  get length(): number {
    return this.buffer.length;
  }
  u32(at: number): number {
    return readU32(this.buffer, at);
  }
  bytes(start: number, end: number): Uint8Array {
    return this.buffer.subarray(start, end);
  }
}

/**
 * A table read where it lies: a lookup reads the few words its binary search visits (a couple
 * of dozen reads of the page cache) instead of the process reading all 11 MB first. Reading it
 * whole cost a cold trace ~50 ms of CPU on 2 cores while Chromium started, mostly page faults.
 */
class FileBytes implements TableBytes {
  private readonly word = Buffer.alloc(4);
  constructor(
    private readonly fd: number,
    readonly length: number,
  ) {}
  u32(at: number): number {
    this.read(this.word, at);
    return readU32(this.word, 0);
  }
  bytes(start: number, end: number): Uint8Array {
    const out = Buffer.alloc(end - start);
    this.read(out, start);
    return out;
  }
  private read(into: Buffer, at: number): void {
    if (readSync(this.fd, into, 0, into.length, at) !== into.length) throw new AsnTableError('AS table truncated');
  }
}

export class AsnTable {
  private readonly decoder = new TextDecoder('utf-8');

  private constructor(
    readonly label: string,
    private readonly bytes: TableBytes,
    private readonly counts: { v4: number; v6: number; orgs: number },
    /** Byte offsets of the columns. */
    private readonly at: {
      v4Start: number;
      v4End: number;
      v4Org: number;
      v6Start: number;
      v6End: number;
      v6Org: number;
      orgAsn: number;
      nameOffsets: number;
      names: number;
    },
  ) {}

  /** Reads a table made by buildAsnTable; throws AsnTableError when the bytes are not one. */
  static read(bytes: Uint8Array): AsnTable {
    return AsnTable.from(new MemoryBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)));
  }

  /** Opens a table file made by buildAsnTable (its header only is read now); throws AsnTableError when it is not one. */
  static open(path: string): AsnTable {
    const fd = openSync(path, 'r');
    try {
      return AsnTable.from(new FileBytes(fd, fstatSync(fd).size));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  private static from(bytes: TableBytes): AsnTable {
    if (bytes.length < HEADER_FIXED || Buffer.from(bytes.bytes(0, 8)).toString('latin1') !== MAGIC)
      throw new AsnTableError('not an AS table');
    if (bytes.u32(8) !== ENDIAN_MARK) throw new AsnTableError('AS table of another byte order');
    const header = Buffer.from(bytes.bytes(12, HEADER_FIXED));
    const [headerLength, v4, v6, orgs, namesLength, labelLength] = [0, 1, 2, 3, 4, 5].map((i) => header.readUInt32LE(4 * i));
    const u32Count = 3 * v4 + 9 * v6 + orgs + (orgs + 1);
    if (headerLength !== align4(HEADER_FIXED + labelLength) || bytes.length !== headerLength + 4 * u32Count + namesLength)
      throw new AsnTableError('AS table truncated');
    const label = new TextDecoder().decode(bytes.bytes(HEADER_FIXED, HEADER_FIXED + labelLength));
    let next = headerLength;
    const take = (count: number) => {
      const at = next;
      next += 4 * count;
      return at;
    };
    const at = {
      v4Start: take(v4),
      v4End: take(v4),
      v4Org: take(v4),
      v6Start: take(4 * v6),
      v6End: take(4 * v6),
      v6Org: take(v6),
      orgAsn: take(orgs),
      nameOffsets: take(orgs + 1),
      names: next,
    };
    const table = new AsnTable(label, bytes, { v4, v6, orgs }, at);
    if (bytes.u32(at.nameOffsets + 4 * orgs) !== namesLength) throw new AsnTableError('AS table names do not add up');
    return table;
  }

  get size(): { ipv4: number; ipv6: number; organisations: number } {
    return { ipv4: this.counts.v4, ipv6: this.counts.v6, organisations: this.counts.orgs };
  }

  /** The AS announcing an address given as its bytes (4 or 16, network order), or null. */
  lookup(address: ArrayLike<number>): AsnAnswer | null {
    const { bytes, at } = this;
    if (address.length === 4) {
      const ip = ((address[0] << 24) | (address[1] << 16) | (address[2] << 8) | address[3]) >>> 0;
      const i = lastAtOrBelow(this.counts.v4, (k) => bytes.u32(at.v4Start + 4 * k) - ip);
      return i >= 0 && ip <= bytes.u32(at.v4End + 4 * i) ? this.answer(bytes.u32(at.v4Org + 4 * i)) : null;
    }
    if (address.length !== 16) return null;
    const ip = new Uint32Array(4);
    for (let w = 0; w < 4; w++)
      ip[w] = ((address[4 * w] << 24) | (address[4 * w + 1] << 16) | (address[4 * w + 2] << 8) | address[4 * w + 3]) >>> 0;
    const words = (column: number, k: number) => {
      const b = Buffer.from(bytes.bytes(column + 16 * k, column + 16 * k + 16));
      return [0, 1, 2, 3].map((w) => readU32(b, 4 * w));
    };
    const i = lastAtOrBelow(this.counts.v6, (k) => compareWords(words(at.v6Start, k), ip));
    return i >= 0 && compareWords(words(at.v6End, i), ip) >= 0 ? this.answer(bytes.u32(at.v6Org + 4 * i)) : null;
  }

  private answer(org: number): AsnAnswer {
    const { bytes, at } = this;
    const from = bytes.u32(at.nameOffsets + 4 * org);
    const to = bytes.u32(at.nameOffsets + 4 * (org + 1));
    const name = this.decoder.decode(bytes.bytes(at.names + from, at.names + to));
    return { asn: bytes.u32(at.orgAsn + 4 * org), name: name || null };
  }
}

/** Index of the last row whose start compares <= 0 with the address (`compare(k)` = start[k] - address), or -1. */
function lastAtOrBelow(count: number, compare: (k: number) => number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(mid) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
