// WARC digest values: `sha256:<hex>` (what we write) and the other common forms
// (`sha1:<base32>`, `sha256:<base32>`), so a case's WARC can be checked whatever wrote it.
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** true/false, or null when the algorithm is not one we can compute. */
export function digestMatches(value: string, ...parts: Buffer[]): boolean | null {
  const colon = value.indexOf(':');
  if (colon < 0) return null;
  const algorithm = value.slice(0, colon).toLowerCase().replace('-', '');
  if (algorithm !== 'sha256' && algorithm !== 'sha1') return null;
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  const digest = hash.digest();
  const expected = value.slice(colon + 1);
  if (/^[0-9a-f]+$/i.test(expected) && expected.length === digest.length * 2) return expected.toLowerCase() === digest.toString('hex');
  return expected.replace(/=+$/, '').toUpperCase() === base32(digest);
}
