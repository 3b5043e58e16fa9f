// Nothing a hostile page sends may reach the terminal as control characters: every value that
// came from captured traffic goes through `clean` before it is printed (values are printed on one
// line, so tab and newline are written out too).
import { showControls } from './visible.js';

export function clean(value: string | number | boolean | null | undefined): string {
  return showControls(String(value ?? ''));
}

export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** Cuts the middle out of a long URL: hops whose tokens differ only near the end still print apart. */
export function truncateMiddle(value: string, max: number): string {
  if (value.length <= max) return value;
  const tail = Math.floor((max - 1) / 3);
  return `${value.slice(0, max - 1 - tail)}…${value.slice(value.length - tail)}`;
}

// Columns a character takes on a terminal: East Asian wide and fullwidth characters and most
// emoji take two, combining marks and format characters none (what wcwidth says, in short).
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;

function charWidth(c: string): number {
  return ZERO_WIDTH.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
}

/** How many terminal columns `text` takes (one line, controls already written out). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const c of text) width += charWidth(c);
  return width;
}

/** `text` cut to at most `max` columns, "…" marking the cut. */
export function truncateWidth(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const c of text) {
    const w = charWidth(c);
    if (width + w > max - 1) break;
    out += c;
    width += w;
  }
  return `${out}…`;
}

/** `text` padded with spaces to `columns` columns, at the end (or the start with `right`). */
export function padWidth(text: string, columns: number, right = false): string {
  const pad = ' '.repeat(Math.max(0, columns - displayWidth(text)));
  return right ? pad + text : text + pad;
}
