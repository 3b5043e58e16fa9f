// Reading the QR code of a mail image: decoded to pixels (pure JavaScript decoders: pngjs,
// jpeg-js, omggif; nothing native, nothing that runs code), shrunk, read with jsQR. Loaded only
// when a message has an image to read (qr-codes.ts imports it on demand): the decoders cost every
// `clicktrace mail` run tens of milliseconds to load otherwise. Callers check the image's header
// first (image-size.ts: refusal()), so no decoder sees a decompression bomb.

import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { GifReader } from 'omggif';
import jsqr from 'jsqr';
import { imageSize, MAX_IMAGE_PIXELS, refusal, type ImageSize } from './image-size.js';

// jsqr is CommonJS whose types declare an ES default export: Node hands over module.exports,
// which carries the function as `.default` too.
const jsQR = jsqr.default;

/** Larger images are shrunk to this many pixels a side before they are read (see shrink()). */
export const QR_READ_SIDE = 800;

/** RGBA, 4 bytes a pixel, transparency flattened onto white. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The QR code an image holds, as text, or null when it holds none. Throws on a corrupt or refused image. */
export function readQrCode(bytes: Uint8Array): string | null {
  const size = imageSize(bytes);
  if (!size) throw new Error('not a PNG, JPEG or GIF image');
  const refused = refusal(bytes.byteLength, size);
  if (refused) throw new Error(refused);
  const pixels = shrink(decodePixels(bytes, size), QR_READ_SIDE);
  if (!darkOnLight(pixels)) return null;
  // Mail QR codes are dark on light: the inverted pass would double the cost of every logo.
  return jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/**
 * Whether the picture is mostly dark and light with little in between, as a QR code and the page
 * around it are (so is a scanned document, a notice with a code in it); a photo or a coloured
 * banner is not, and is not read: jsQR took 30-100 ms on each of the corpus's pictures, none a
 * code, where this look at every 7th pixel takes well under one.
 */
export function darkOnLight(pixels: Pixels): boolean {
  let dark = 0;
  let light = 0;
  let seen = 0;
  for (let at = 0; at < pixels.data.length; at += 4 * 7) {
    const luma = 0.299 * pixels.data[at] + 0.587 * pixels.data[at + 1] + 0.114 * pixels.data[at + 2];
    if (luma < 96) dark++;
    else if (luma > 160) light++;
    seen++;
  }
  return dark >= seen * 0.04 && light >= seen * 0.2 && dark + light >= seen * 0.7;
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
