// Typed netstrings (tnetstring), the serialisation of mitmproxy's flow files: `LEN:DATA` followed
// by one type tag. mitmproxy's tags: , bytes  ; text (UTF-8)  # integer  ^ float  ! boolean
// ~ null  ] list  } dict (alternating key and value items).

export type TnetValue = null | boolean | number | Buffer | string | TnetValue[] | TnetDict;
export interface TnetDict {
  [key: string]: TnetValue;
}

export class TnetstringError extends Error {
  constructor(
    message: string,
    /** Byte offset where the offending item starts. */
    readonly offset: number,
    /** True when the input simply ends too early (a truncated file), false when it is malformed. */
    readonly truncated: boolean,
  ) {
    super(message);
    this.name = 'TnetstringError';
  }
}

const COLON = 0x3a;
const MAX_LENGTH_DIGITS = 12; // as mitmproxy: a longer prefix is garbage, not data
const MAX_DEPTH = 64;
/** Python's repr() of the non-finite floats. */
const PYTHON_FLOAT_WORDS = new Map([
  ['inf', Infinity],
  ['-inf', -Infinity],
  ['+inf', Infinity],
  ['nan', NaN],
]);

/** Parses the one tnetstring that starts at `offset`; `end` is the offset just past it. */
export function parseTnetstring(buf: Buffer, offset = 0): { value: TnetValue; end: number } {
  return parseItem(buf, offset, buf.length, 0);
}

function parseItem(buf: Buffer, start: number, limit: number, depth: number): { value: TnetValue; end: number } {
  // Only the outermost item can be cut short by the end of the file; inside a complete outer
  // item, running past its end means the lengths lie.
  const atFileEnd = limit === buf.length;
  let pos = start;
  let length = 0;
  while (pos < limit && buf[pos] >= 0x30 && buf[pos] <= 0x39) {
    if (pos - start >= MAX_LENGTH_DIGITS) throw new TnetstringError('length prefix too long', start, false);
    length = length * 10 + (buf[pos] - 0x30);
    pos++;
  }
  if (pos === limit) throw new TnetstringError('input ends inside a length prefix', start, atFileEnd);
  if (pos === start || buf[pos] !== COLON) {
    throw new TnetstringError(`expected a length prefix, found byte 0x${buf[pos].toString(16).padStart(2, '0')}`, start, false);
  }
  const dataStart = pos + 1;
  const tagAt = dataStart + length;
  if (tagAt >= limit) {
    throw new TnetstringError(`item of ${length} bytes runs past the end of its container`, start, atFileEnd);
  }
  const value = parseData(buf, dataStart, tagAt, buf[tagAt], depth, start);
  return { value, end: tagAt + 1 };
}

function parseData(buf: Buffer, from: number, to: number, tag: number, depth: number, itemStart: number): TnetValue {
  const text = () => buf.toString('utf8', from, to);
  switch (String.fromCharCode(tag)) {
    case ',':
      return Buffer.from(buf.subarray(from, to));
    case ';':
      return text();
    case '#': {
      const t = buf.toString('latin1', from, to);
      if (!/^[-+]?\d+$/.test(t)) throw new TnetstringError(`invalid integer ${JSON.stringify(t)}`, itemStart, false);
      return Number(t);
    }
    case '^': {
      const t = buf.toString('latin1', from, to);
      const special = PYTHON_FLOAT_WORDS.get(t.toLowerCase());
      if (special !== undefined) return special;
      if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) {
        throw new TnetstringError(`invalid float ${JSON.stringify(t)}`, itemStart, false);
      }
      return Number(t);
    }
    case '!': {
      const t = buf.toString('latin1', from, to);
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw new TnetstringError(`invalid boolean ${JSON.stringify(t)}`, itemStart, false);
    }
    case '~':
      if (to !== from) throw new TnetstringError('null with data', itemStart, false);
      return null;
    case ']': {
      if (depth >= MAX_DEPTH) throw new TnetstringError('nesting too deep', itemStart, false);
      const list: TnetValue[] = [];
      for (let pos = from; pos < to;) {
        const item = parseItem(buf, pos, to, depth + 1);
        list.push(item.value);
        pos = item.end;
      }
      return list;
    }
    case '}': {
      if (depth >= MAX_DEPTH) throw new TnetstringError('nesting too deep', itemStart, false);
      const dict: TnetDict = Object.create(null) as TnetDict;
      for (let pos = from; pos < to;) {
        const key = parseItem(buf, pos, to, depth + 1);
        if (key.end >= to) throw new TnetstringError('dict key without a value', pos, false);
        const value = parseItem(buf, key.end, to, depth + 1);
        if (typeof key.value === 'string') dict[key.value] = value.value;
        else if (Buffer.isBuffer(key.value)) dict[key.value.toString('utf8')] = value.value;
        else throw new TnetstringError('dict key is neither text nor bytes', pos, false);
        pos = value.end;
      }
      return dict;
    }
    default:
      throw new TnetstringError(`unknown type tag 0x${tag.toString(16).padStart(2, '0')}`, itemStart, false);
  }
}

/** Serialises a value the way mitmproxy does (for tests and fixtures). Dict keys are written as text. */
export function serializeTnetstring(value: TnetValue): Buffer {
  const item = (data: Buffer, tag: string) => Buffer.concat([Buffer.from(`${data.length}:`), data, Buffer.from(tag)]);
  if (value === null) return Buffer.from('0:~');
  if (value === true) return Buffer.from('4:true!');
  if (value === false) return Buffer.from('5:false!');
  if (typeof value === 'number') {
    return Number.isInteger(value) ? item(Buffer.from(String(value)), '#') : item(Buffer.from(String(value)), '^');
  }
  if (typeof value === 'string') return item(Buffer.from(value, 'utf8'), ';');
  if (Buffer.isBuffer(value)) return item(value, ',');
  if (Array.isArray(value)) return item(Buffer.concat(value.map(serializeTnetstring)), ']');
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(value)) parts.push(serializeTnetstring(k), serializeTnetstring(v));
  return item(Buffer.concat(parts), '}');
}
