// The feed report as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or
// line break quoted, quotes doubled), one row per (dimension, key); `imported` and `compared`
// last, so that the columns before them keep their places.
import type { FeedAggregate } from './aggregate.js';
import { csvField } from '../export/csv.js';

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
