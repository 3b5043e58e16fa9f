// The chosen call-to-action drawn on a copy of the page's screenshot. The screenshot itself is
// evidence and stays as Chromium took it (it is in the WARC); the copy is derived from it and the
// recorded box, pixel for pixel the same outside the rectangle. Drawing on the page instead (an
// overlay, then a second screenshot) would change the DOM the page's own scripts can observe and
// take a picture of a page we had altered. pngjs decodes and encodes (a PNG codec is not ours to write).
import { PNG } from 'pngjs';
import type { Box } from '../model.js';

const OUTER: [number, number, number] = [255, 0, 64];
const INNER: [number, number, number] = [255, 255, 255];

/** A copy of `png` with a rectangle around `box` (CSS pixels of the viewport; `scale` device pixels per CSS pixel). */
export function drawBox(png: Buffer, box: Box, scale: number): Buffer {
  const image = PNG.sync.read(png);
  const { width, height, data } = image;
  const line = Math.max(3, Math.round(3 * scale));
  const left = Math.round(box.x * scale);
  const top = Math.round(box.y * scale);
  const right = Math.round((box.x + box.width) * scale) - 1;
  const bottom = Math.round((box.y + box.height) * scale) - 1;
  const paint = (x0: number, y0: number, x1: number, y1: number, [r, g, b]: [number, number, number]) => {
    for (let y = Math.max(0, y0); y <= Math.min(height - 1, y1); y++) {
      for (let x = Math.max(0, x0); x <= Math.min(width - 1, x1); x++) {
        const i = (y * width + x) * 4;
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
        data[i + 3] = 255;
      }
    }
  };
  // A frame just outside the box (the control stays readable), with a thin light edge inside it
  // so it shows on dark and light pages alike.
  const frame = (inset: number, thickness: number, colour: [number, number, number]) => {
    const l = left - inset;
    const t = top - inset;
    const r = right + inset;
    const b = bottom + inset;
    paint(l, t, r, t + thickness - 1, colour);
    paint(l, b - thickness + 1, r, b, colour);
    paint(l, t, l + thickness - 1, b, colour);
    paint(r - thickness + 1, t, r, b, colour);
  };
  frame(line + 1, line, OUTER);
  frame(1, 1, INNER);
  // Fast settings: the copy is an illustration, its size matters less than the time to make it.
  return PNG.sync.write(image, { deflateLevel: 1, filterType: 1 });
}
