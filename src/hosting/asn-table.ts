// IP address -> autonomous system (number, organisation), from the numeric CSVs that the
// @ip-location-db/asn package ships (`range_start,range_end,as_number,"as organisation"`, one
// inclusive range a line, sorted). No MMDB of this data is on the npm registry, and parsing the
// CSVs (32 MB, ~515,000 rows) takes the better part of a second: far too slow for each trace.
// So they are compiled once into this compact table (typed arrays, ~11 MB) that loads with one
// file read and answers by binary search in microseconds.
//
// The CSV reader is hand-written: a general CSV library (csv-parse) builds a string per field
// and an array per row, several times slower on this file; the format here is fixed (three
// decimal numbers, then one possibly quoted field with "" escapes), and the builder checks it.

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

export class AsnTable {
  private readonly decoder = new TextDecoder('utf-8');

  private constructor(
    readonly label: string,
    private readonly v4Start: Uint32Array,
    private readonly v4End: Uint32Array,
    private readonly v4Org: Uint32Array,
    private readonly v6Start: Uint32Array,
    private readonly v6End: Uint32Array,
    private readonly v6Org: Uint32Array,
    private readonly orgAsn: Uint32Array,
    private readonly nameOffsets: Uint32Array,
    private readonly names: Uint8Array,
  ) {}

  /** Reads a table made by buildAsnTable; throws AsnTableError when the bytes are not one. */
  static read(bytes: Uint8Array): AsnTable {
    if (bytes.byteOffset % 4 !== 0) bytes = Uint8Array.from(bytes);
    if (bytes.length < HEADER_FIXED || Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') !== MAGIC)
      throw new AsnTableError('not an AS table');
    if (new Uint32Array(bytes.buffer, bytes.byteOffset + 8, 1)[0] !== ENDIAN_MARK)
      throw new AsnTableError('AS table of another byte order');
    const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_FIXED);
    const [headerLength, v4, v6, orgs, namesLength, labelLength] = [0, 1, 2, 3, 4, 5].map((i) => header.getUint32(12 + 4 * i, true));
    const u32Count = 3 * v4 + 9 * v6 + orgs + (orgs + 1);
    if (headerLength !== align4(HEADER_FIXED + labelLength) || bytes.length !== headerLength + 4 * u32Count + namesLength)
      throw new AsnTableError('AS table truncated');
    const label = new TextDecoder().decode(bytes.subarray(HEADER_FIXED, HEADER_FIXED + labelLength));
    let at = bytes.byteOffset + headerLength;
    const take = (count: number) => {
      const view = new Uint32Array(bytes.buffer, at, count);
      at += 4 * count;
      return view;
    };
    const table = new AsnTable(
      label,
      take(v4),
      take(v4),
      take(v4),
      take(4 * v6),
      take(4 * v6),
      take(v6),
      take(orgs),
      take(orgs + 1),
      bytes.subarray(headerLength + 4 * u32Count),
    );
    if (table.nameOffsets[orgs] !== namesLength) throw new AsnTableError('AS table names do not add up');
    return table;
  }

  get size(): { ipv4: number; ipv6: number; organisations: number } {
    return { ipv4: this.v4Org.length, ipv6: this.v6Org.length, organisations: this.orgAsn.length };
  }

  /** The AS announcing an address given as its bytes (4 or 16, network order), or null. */
  lookup(bytes: ArrayLike<number>): AsnAnswer | null {
    if (bytes.length === 4) {
      const ip = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
      const i = lastAtOrBelow(this.v4Start.length, (k) => this.v4Start[k] - ip);
      return i >= 0 && ip <= this.v4End[i] ? this.answer(this.v4Org[i]) : null;
    }
    if (bytes.length !== 16) return null;
    const ip = new Uint32Array(4);
    for (let w = 0; w < 4; w++)
      ip[w] = ((bytes[4 * w] << 24) | (bytes[4 * w + 1] << 16) | (bytes[4 * w + 2] << 8) | bytes[4 * w + 3]) >>> 0;
    const i = lastAtOrBelow(this.v6Org.length, (k) => compareWords(this.v6Start, ip, 4 * k, 0, 4));
    return i >= 0 && compareWords(this.v6End, ip, 4 * i, 0, 4) >= 0 ? this.answer(this.v6Org[i]) : null;
  }

  private answer(org: number): AsnAnswer {
    const name = this.decoder.decode(this.names.subarray(this.nameOffsets[org], this.nameOffsets[org + 1]));
    return { asn: this.orgAsn[org], name: name || null };
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
