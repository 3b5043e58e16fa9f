// PNG files built byte by byte, for tests and for the fixtures scripts/make-attachment-fixtures.mjs
// writes (it imports the compiled module from dist/): images whose header says what a test needs.
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../src/http/checksums.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: its length, type, data and CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/**
 * A PNG of `width` × `height`, 8 bits a sample, `colorType` 2 (RGB) or 6 (RGBA), whose image data
 * is `rows` (each row's filter byte first) deflated; nothing checks that they fill the image.
 */
export function pngFile(width: number, height: number, colorType: 2 | 6, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colorType, 0, 0, 0], 8);
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A valid PNG header declaring `width` × `height` over a small run of zeros: large, a decompression bomb. */
export function declaredPng(width: number, height: number): Buffer {
  return pngFile(width, height, 6, Buffer.alloc(64 * 1024));
}
