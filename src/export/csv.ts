// One CSV field as RFC 4180 writes it (quoted when it holds a comma, quote or line break, quotes
// doubled), safe to open and to print. Shared by every CSV clicktrace writes (IOC list, feed report).
import { showControls } from '../visible.js';

export function csvField(value: string | number | null): string {
  // Control characters (ESC sequences, CR, C1, bidi overrides) are written out as \xNN as in the
  // terminal: a CSV is often printed to stdout, a terminal. Tab and newline stay (quoted).
  let text = value === null ? '' : showControls(String(value), { keepLines: true });
  // A spreadsheet would run a cell starting with = + - @ (or a tab or CR) as a formula, and these
  // values come from hostile mail and pages: such a cell is prefixed with a quote (OWASP's advice).
  // Also when spaces or a line break come first (importers that trim them) and for the full-width
  // forms (= + - @ in CJK input, which some spreadsheets take as the ASCII ones).
  if (/^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
