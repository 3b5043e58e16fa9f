// Whether a picture shows the three finder patterns of a QR code: the squares in its corners, whose
// every cut through the centre is dark, light, dark, light, dark in widths 1:1:3:1:1. A reader
// (jsQR, ZXing) finds a code by them and reads none without all three, so a picture without them
// need not be handed to the reader: a wide logo whose lettering looks dark on light, as a code
// does, costs a look at its rows here instead of the reader's load and scan (a few hundred ms cold).
// The look is lenient (a global threshold, wide tolerances): a false find only costs a scan.

import type { Pixels } from './qr-reader.js';

/** A finder pattern's centre and module size in pixels. */
interface Finder {
  x: number;
  y: number;
  module: number;
}

/** Finder patterns a QR code has; a reader locates a code by all three. */
const FINDERS_OF_A_CODE = 3;

/** Whether the picture (dark modules on light) shows three distinct finder patterns. */
export function hasFinderPatterns(pixels: Pixels): boolean {
  return finderPatterns(pixels, FINDERS_OF_A_CODE).length >= FINDERS_OF_A_CODE;
}

/** The distinct finder patterns of a dark-on-light picture, at most `enough` of them. */
export function finderPatterns(pixels: Pixels, enough = Infinity): Finder[] {
  const { width, height } = pixels;
  const dark = darkMask(pixels);
  const found: Finder[] = [];
  const runs = new Int32Array(width + 1);
  for (let y = 0; y < height && found.length < enough; y++) {
    // Runs of the row, alternating, the first one dark or light as the row begins.
    const row = y * width;
    let count = 0;
    let length = 1;
    for (let x = 1; x <= width; x++) {
      if (x < width && dark[row + x] === dark[row + x - 1]) length++;
      else {
        runs[count++] = length;
        length = 1;
      }
    }
    let x = 0;
    for (let i = 0; i + 4 < count; x += runs[i], i++) {
      if (!dark[row + x] || !finderRatio(runs[i], runs[i + 1], runs[i + 2], runs[i + 3], runs[i + 4])) continue;
      const across = runs[i] + runs[i + 1] + runs[i + 2] + runs[i + 3] + runs[i + 4];
      const centreX = x + runs[i] + runs[i + 1] + (runs[i + 2] >> 1);
      const down = verticalCut(dark, width, height, centreX, y, across);
      if (down === null) continue;
      const module = (across + down.total) / 14;
      if (found.some((other) => Math.abs(other.x - centreX) < 3 * module && Math.abs(other.y - down.centre) < 3 * module)) continue;
      found.push({ x: centreX, y: down.centre, module });
      if (found.length >= enough) break;
    }
  }
  return found;
}

/** Dark pixels (luma below the middle grey) as 1, the rest 0. */
function darkMask(pixels: Pixels): Uint8Array {
  const mask = new Uint8Array(pixels.width * pixels.height);
  for (let i = 0, at = 0; i < mask.length; i++, at += 4) {
    mask[i] = 0.299 * pixels.data[at] + 0.587 * pixels.data[at + 1] + 0.114 * pixels.data[at + 2] < 128 ? 1 : 0;
  }
  return mask;
}

/**
 * Whether five runs are in widths 1:1:3:1:1, each within most of a module (a shrunk or JPEG-blurred
 * code's edges move by a pixel; one of few pixels a module is still read).
 */
function finderRatio(a: number, b: number, c: number, d: number, e: number): boolean {
  const total = a + b + c + d + e;
  if (total < 7) return false;
  const module = total / 7;
  const slack = Math.max(module * 0.75, 1);
  return (
    Math.abs(a - module) <= slack &&
    Math.abs(b - module) <= slack &&
    Math.abs(c - 3 * module) <= 2 * slack &&
    Math.abs(d - module) <= slack &&
    Math.abs(e - module) <= slack
  );
}

/**
 * The cut down through (x, y), a dark pixel in a pattern's core: dark, light, dark above and below
 * it in the same widths, about as tall as the pattern is wide. Its centre and height, or null.
 */
function verticalCut(
  dark: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  across: number,
): { centre: number; total: number } | null {
  if (!dark[y * width + x]) return null;
  const limit = across * 2;
  const runUp = (from: number, colour: number) => {
    let at = from;
    while (at >= 0 && dark[at * width + x] === colour && from - at <= limit) at--;
    return from - at;
  };
  const runDown = (from: number, colour: number) => {
    let at = from;
    while (at < height && dark[at * width + x] === colour && at - from <= limit) at++;
    return at - from;
  };
  const coreUp = runUp(y, 1);
  const coreDown = runDown(y, 1);
  const lightUp = runUp(y - coreUp, 0);
  const lightDown = runDown(y + coreDown, 0);
  const outerUp = runUp(y - coreUp - lightUp, 1);
  const outerDown = runDown(y + coreDown + lightDown, 1);
  if (!outerUp || !outerDown) return null;
  const core = coreUp + coreDown - 1;
  if (!finderRatio(outerUp, lightUp, core, lightDown, outerDown)) return null;
  const total = outerUp + lightUp + core + lightDown + outerDown;
  if (total < across / 2 || total > across * 2) return null;
  return { centre: y - coreUp + 1 + (core >> 1), total };
}
