// Reading the QR code of a mail image: decoded to pixels (pure JavaScript decoders: pngjs,
// jpeg-js, omggif; nothing native, nothing that runs code), shrunk, read with jsQR. Loaded only
// when a message has an image to read (qr-codes.ts imports it on demand), and each decoder only
// for an image of its format: they cost every `clicktrace mail` run tens of milliseconds to load
// otherwise; jsQR, over a hundred more, is loaded only when a picture looks like a code. Callers check the image's header first
// (image-size.ts: refusal()), so no decoder sees a decompression bomb.

import { hasFinderPatterns } from './finder-patterns.js';
import { imageSize, MAX_IMAGE_PIXELS, MAX_QR_ASPECT, refusal, type ImageSize } from './image-size.js';

/** Larger images are shrunk to this many pixels a side before they are read (see shrink()). */
export const QR_READ_SIDE = 800;

/** RGBA, 4 bytes a pixel, transparency flattened onto white. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The QR code an image holds, as text, or null when it holds none. Throws on a corrupt or refused image. */
export async function readQrCode(bytes: Uint8Array): Promise<string | null> {
  return (await readQrImage(bytes)).payload;
}

/** An image's reading: its code, and whether any of it looked like a code and was scanned for one. */
export interface QrReading {
  payload: string | null;
  scanned: boolean;
}

/** The image decoded, looked at, and its likely stretches scanned. Throws on a corrupt or refused image. */
export async function readQrImage(bytes: Uint8Array): Promise<QrReading> {
  const size = imageSize(bytes);
  if (!size) throw new Error('not a PNG, JPEG or GIF image');
  const refused = refusal(bytes.byteLength, size);
  if (refused) throw new Error(refused);
  const pixels = shrink(await decodePixels(bytes, size), QR_READ_SIDE);
  const long = Math.max(pixels.width, pixels.height);
  const regions = long > MAX_QR_ASPECT * Math.min(pixels.width, pixels.height) ? bannerRegions(pixels) : pictureRegions(pixels);
  let scanned = false;
  for (const region of regions) {
    scanned = true;
    const payload = await scan(region);
    if (payload !== null) return { payload, scanned };
  }
  return { payload: null, scanned };
}

/**
 * A picture read whole. Mail QR codes are dark on light, read as they are; one mostly dark (a
 * light-on-dark code, which phone cameras read as well) is read inverted first: jsQR's own
 * inverted pass on every picture would double the cost of every logo.
 */
function* pictureRegions(pixels: Pixels): Generator<Pixels> {
  const shares = toneShares(pixels);
  if (lightOnDark(shares)) yield negative(pixels);
  if (darkOnLight(shares)) yield pixels;
}

/**
 * A banner (728 × 90, 600 × 150...) holding a code somewhere along it: square windows as high as
 * the banner, a quarter of that apart, are each looked at for tones (cheap); each run of windows
 * that look like a code, or its inverse, is read once if it shows a code's three finder patterns.
 * Each pixel is read at most once per polarity, as a picture's are, and a banner of photographs or
 * colours is not read at all, nor a logo whose lettering is dark on light as a code is.
 */
function* bannerRegions(pixels: Pixels): Generator<Pixels> {
  const across = pixels.width > pixels.height;
  const side = Math.min(pixels.width, pixels.height);
  const length = Math.max(pixels.width, pixels.height);
  const part = (from: number, to: number) => (across ? crop(pixels, from, 0, to - from, side) : crop(pixels, 0, from, side, to - from));
  const step = Math.max(1, Math.floor(side / 4));
  const starts: number[] = [];
  for (let start = 0; start + side < length; start += step) starts.push(start);
  starts.push(length - side);
  const shares = starts.map((start) => toneShares(part(start, start + side)));
  for (const inverted of [true, false]) {
    const looksLikeCode = inverted ? lightOnDark : darkOnLight;
    for (const [from, to] of runs(
      starts.filter((_, i) => looksLikeCode(shares[i])),
      side,
    )) {
      const region = inverted ? negative(part(from, to)) : part(from, to);
      if (hasFinderPatterns(region)) yield region;
    }
  }
}

/** Overlapping windows of `side` starting at `starts` (ascending), merged into spans. */
function runs(starts: number[], side: number): [number, number][] {
  const spans: [number, number][] = [];
  for (const start of starts) {
    const last = spans.at(-1);
    if (last && start <= last[1]) last[1] = start + side;
    else spans.push([start, start + side]);
  }
  return spans;
}

async function scan(pixels: Pixels): Promise<string | null> {
  // jsqr is CommonJS whose types declare an ES default export: Node hands over module.exports,
  // which carries the function as `.default` too.
  const { default: jsqr } = await import('jsqr');
  return jsqr.default(pixels.data, pixels.width, pixels.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/** The shares of dark and of light pixels, from every 7th pixel. */
export interface ToneShares {
  dark: number;
  light: number;
}

export function toneShares(pixels: Pixels): ToneShares {
  let dark = 0;
  let light = 0;
  let seen = 0;
  for (let at = 0; at < pixels.data.length; at += 4 * 7) {
    const luma = 0.299 * pixels.data[at] + 0.587 * pixels.data[at + 1] + 0.114 * pixels.data[at + 2];
    if (luma < 96) dark++;
    else if (luma > 160) light++;
    seen++;
  }
  return { dark: dark / Math.max(seen, 1), light: light / Math.max(seen, 1) };
}

/**
 * Whether the picture is mostly dark and light with little in between, as a QR code and the page
 * around it are (so is a scanned document, a notice with a code in it); a photo or a coloured
 * banner is not, and is not read: jsQR took 30-100 ms on each of the corpus's pictures, none a
 * code, where this look at every 7th pixel takes well under one.
 */
export function darkOnLight({ dark, light }: ToneShares): boolean {
  return dark >= 0.04 && light >= 0.2 && dark + light >= 0.7;
}

/** The same for a light code on a dark ground: dark and light with little in between, and more dark than light. */
export function lightOnDark({ dark, light }: ToneShares): boolean {
  return light >= 0.04 && dark >= 0.2 && dark + light >= 0.7 && dark > light;
}

/** The picture with each colour inverted: a light-on-dark code becomes one jsQR reads without its inverted pass. */
function negative(pixels: Pixels): Pixels {
  const data = new Uint8ClampedArray(pixels.data.length);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = 255 - pixels.data[i];
    data[i + 1] = 255 - pixels.data[i + 1];
    data[i + 2] = 255 - pixels.data[i + 2];
    data[i + 3] = 255;
  }
  return { data, width: pixels.width, height: pixels.height };
}

function crop(pixels: Pixels, x: number, y: number, width: number, height: number): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * pixels.width + x) * 4;
    data.set(pixels.data.subarray(from, from + width * 4), row * width * 4);
  }
  return { data, width, height };
}

/**
 * Decodes an image whose header `size` was read and accepted (refusal() null). Throws on a
 * corrupt image; the caller turns that into a warning.
 */
export async function decodePixels(bytes: Uint8Array, size: ImageSize): Promise<Pixels> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  if (size.format === 'png') {
    const { default: pngjs } = await import('pngjs');
    const png = pngjs.PNG.sync.read(buffer);
    ({ width, height } = png);
    rgba = png.data;
  } else if (size.format === 'jpeg') {
    const { default: jpeg } = await import('jpeg-js');
    const image = jpeg.decode(buffer, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 128,
    });
    ({ width, height } = image);
    rgba = image.data;
  } else {
    const { default: omggif } = await import('omggif');
    const gif = new omggif.GifReader(buffer);
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
