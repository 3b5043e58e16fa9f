// Nothing a hostile page sends may reach the terminal as control characters: every value that
// came from captured traffic goes through `clean` before it is printed (values are printed on one
// line, so tab and newline are written out too).
import { showControls } from '../visible.js';

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
