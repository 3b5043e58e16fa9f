// Pixels of a mail image (PNG, JPEG, GIF), for reading a QR code in it. Images come from hostile
// senders: the size an image claims is read from its header before anything is decoded, and one
// that would decode to more than MAX_IMAGE_PIXELS (a decompression bomb: a few KiB of zeros
// declaring 30,000 × 30,000 pixels) or is larger than MAX_IMAGE_BYTES is refused, not decoded.
// Decoders are pure JavaScript (pngjs, jpeg-js, omggif): nothing native, nothing that runs code.

import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { GifReader } from 'omggif';

export type ImageFormat = 'png' | 'jpeg' | 'gif';

/** An image file larger than this is not decoded. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
/** An image that would decode to more pixels than this (2,000 × 2,000) is not decoded. */
export const MAX_IMAGE_PIXELS = 4_000_000;
/** Smaller than this on a side, an image holds no readable QR code (version 1 is 21 modules). */
const MIN_QR_SIDE = 21;
/**
 * A picture more than this many times wider than high (or higher than wide) is a logo, a banner
 * or a divider: a QR code is square and fills most of a picture made to be scanned. Passing them
 * over halves the images a typical mailbox has decoded.
 */
const MAX_QR_ASPECT = 3;

/** Whether a picture of this size may be made to be scanned: big enough, not a strip. */
export function mayHoldQrCode(size: ImageSize): boolean {
  const short = Math.min(size.width, size.height);
  return short >= MIN_QR_SIDE && Math.max(size.width, size.height) <= MAX_QR_ASPECT * short;
}

export interface ImageSize {
  format: ImageFormat;
  width: number;
  height: number;
}

/** RGBA, 4 bytes a pixel, transparency flattened onto white. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format by the file's first bytes, whatever its declared type says. */
export function imageFormat(bytes: Uint8Array): ImageFormat | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 8));
  if (head.length >= 8 && head.equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'gif';
  return null;
}

/** Width and height as the image's header declares them, without decoding it; null when unreadable. */
export function imageSize(bytes: Uint8Array): ImageSize | null {
  const format = imageFormat(bytes);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    if (view.length < 24 || view.toString('latin1', 12, 16) !== 'IHDR') return null;
    return { format, width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
  }
  if (format === 'gif') {
    if (view.length < 10) return null;
    return { format, width: view.readUInt16LE(6), height: view.readUInt16LE(8) };
  }
  if (format === 'jpeg') return jpegSize(view);
  return null;
}

/** Start-of-frame markers (baseline, progressive, lossless...), not DHT (C4), JPG (C8) or DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(view: Buffer): ImageSize | null {
  let at = 2;
  while (at + 9 <= view.length) {
    if (view[at] !== 0xff) return null;
    const marker = view[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (isStartOfFrame(marker)) return { format: 'jpeg', height: view.readUInt16BE(at + 5), width: view.readUInt16BE(at + 7) };
    if (marker === 0xda || marker === 0xd9) return null; // scan data or end before any frame header
    at += 2 + view.readUInt16BE(at + 2);
  }
  return null;
}

/** Why an image of this size is not decoded, or null when it may be. */
export function refusal(bytes: number, size: ImageSize): string | null {
  if (bytes > MAX_IMAGE_BYTES) return `${bytes} bytes, more than ${MAX_IMAGE_BYTES}`;
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    return `declares ${size.width} × ${size.height} pixels, more than ${MAX_IMAGE_PIXELS} (a decompression bomb?)`;
  }
  return null;
}

/**
 * Decodes an image whose header `size` was read and accepted (refusal() null). Throws on a
 * corrupt image; the caller turns that into a warning.
 */
export function decodePixels(bytes: Uint8Array, size: ImageSize): Pixels {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  if (size.format === 'png') {
    const png = PNG.sync.read(buffer);
    ({ width, height } = png);
    rgba = png.data;
  } else if (size.format === 'jpeg') {
    const image = jpeg.decode(buffer, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 128,
    });
    ({ width, height } = image);
    rgba = image.data;
  } else {
    const gif = new GifReader(buffer);
    // A frame may declare a size of its own: its index buffer is allocated from it.
    const frame = gif.frameInfo(0);
    if (frame.width * frame.height > MAX_IMAGE_PIXELS) throw new Error(`frame of ${frame.width} × ${frame.height} pixels`);
    ({ width, height } = gif);
    rgba = new Uint8Array(width * height * 4).fill(255);
    gif.decodeAndBlitFrameRGBA(0, rgba);
  }
  if (width * height > MAX_IMAGE_PIXELS || rgba.length < width * height * 4) throw new Error('decoded size differs from the header');
  return { data: onWhite(rgba), width, height };
}

/**
 * The image shrunk by a whole factor (each block of pixels averaged) until no side exceeds
 * `maxSide`: QR reading costs grow with pixels, most of all on noise-like pictures (a 2,000-pixel
 * square of noise takes seconds), and a QR code meant for a phone keeps its modules readable.
 */
export function shrink(pixels: Pixels, maxSide: number): Pixels {
  const factor = Math.ceil(Math.max(pixels.width, pixels.height) / maxSide);
  if (factor <= 1) return pixels;
  const width = Math.floor(pixels.width / factor);
  const height = Math.floor(pixels.height / factor);
  const out = new Uint8ClampedArray(width * height * 4);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let at = ((y * factor + dy) * pixels.width + x * factor) * 4;
        for (let dx = 0; dx < factor; dx++, at += 4) {
          r += pixels.data[at];
          g += pixels.data[at + 1];
          b += pixels.data[at + 2];
        }
      }
      const to = (y * width + x) * 4;
      out[to] = r / area;
      out[to + 1] = g / area;
      out[to + 2] = b / area;
      out[to + 3] = 255;
    }
  }
  return { data: out, width, height };
}

/** Transparent pixels are black with alpha 0 in many PNGs; a reader sees the white page behind. */
function onWhite(rgba: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  for (let i = 3; i < out.length; i += 4) {
    const alpha = out[i];
    if (alpha === 255) continue;
    const keep = alpha / 255;
    const white = 255 * (1 - keep);
    out[i - 3] = out[i - 3] * keep + white;
    out[i - 2] = out[i - 2] * keep + white;
    out[i - 1] = out[i - 1] * keep + white;
    out[i] = 255;
  }
  return out;
}
