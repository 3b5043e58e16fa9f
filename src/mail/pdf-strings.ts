// PDF string objects as written in a file: literal `(…)` strings with their escapes and hex `<…>`
// strings, read into their bytes (as latin1 characters). Bounded: a string longer than
// MAX_STRING_BYTES is not read.

const MAX_STRING_BYTES = 8192;

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };

/** A literal string's bytes (as latin1 characters) from just after its "(", or null when unterminated within the limit. */
export function literalString(text: string, from: number): string | null {
  let out = '';
  let depth = 1;
  const limit = Math.min(text.length, from + 4 * MAX_STRING_BYTES);
  for (let i = from; i < limit; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[++i];
      if (next === undefined) return null;
      if (next in ESCAPES) out += ESCAPES[next];
      else if (next >= '0' && next <= '7') {
        let digits = next;
        while (digits.length < 3 && text[i + 1] >= '0' && text[i + 1] <= '7') digits += text[++i];
        out += String.fromCharCode(parseInt(digits, 8) & 0xff);
      } else if (next === '\r') {
        if (text[i + 1] === '\n') i++;
      } else if (next !== '\n') out += next;
    } else if (c === '(') {
      depth++;
      out += c;
    } else if (c === ')') {
      if (--depth === 0) return out;
      out += c;
    } else out += c;
    if (out.length > MAX_STRING_BYTES) return null;
  }
  return null;
}

/** A hex string's bytes from just after its "<" (whitespace ignored, an odd last digit padded with 0). */
export function hexString(text: string, from: number): string | null {
  const end = text.indexOf('>', from);
  if (end === -1 || end - from > 2 * MAX_STRING_BYTES + 1024) return null;
  const digits = text.slice(from, end).replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) return null;
  return Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex').toString('latin1');
}
