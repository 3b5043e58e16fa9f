// The two checksums evidence needs: SHA-256 (manifest, WARC digests, WACZ datapackage) and CRC-32
// (gzip members, ZIP entries).
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of ZIP and gzip (zlib's when Node has it: >= 20.15). `previous` continues a running checksum. */
export function crc32(data: Uint8Array, previous = 0): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data, previous);
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
