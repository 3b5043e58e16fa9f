// The feed report as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or
// line break quoted, quotes doubled), one row per (dimension, key); `imported` and `compared`
// last, so that the columns before them keep their places.
import type { FeedAggregate } from './aggregate.js';
import { showControls } from '../visible.js';

export const FEED_CSV_COLUMNS = [
  'dimension',
  'key',
  'label',
  'detail',
  'messages',
  'traces',
  'first_seen',
  'last_seen',
  'examples',
  'source',
  'imported',
  'compared',
];

export function csvField(value: string | number | null): string {
  // Control characters (ESC sequences, CR, C1, bidi overrides) are written out as \xNN as in the
  // terminal: the CSV is printed to stdout, often a terminal. Tab and newline stay (quoted).
  let text = value === null ? '' : showControls(String(value), { keepLines: true });
  // A spreadsheet would run a cell starting with = + - @ (or a tab or CR) as a formula, and these
  // names come from hostile mail and pages: such a cell is prefixed with a quote (OWASP's advice).
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatFeedCsv(aggregate: FeedAggregate): string {
  const lines = [FEED_CSV_COLUMNS.join(',')];
  for (const r of aggregate.rows) {
    lines.push(
      [
        r.dimension,
        r.key,
        r.label,
        r.detail,
        r.messages,
        r.traces,
        r.firstSeen,
        r.lastSeen,
        r.examples.join(' '),
        r.source,
        r.imported,
        r.compared,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
