// The feed report as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or
// line break quoted, quotes doubled), one row per (dimension, key); columns added later come last,
// so that the columns before them keep their places. The same facts as the other formats: a
// first row `total` (the totals line of the terminal: cases in `detail`), then the rows, then,
// for a cases folder's report, one `cloaking` row per party (links compared in `compared`, and
// `cloaked`, `single_use`, `signals`, example comparison cases; no message or trace counts). The
// last column, `spellings`, lists every spelling the cases gave for a line, joined by " | ".
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
  'cloaked',
  'single_use',
  'signals',
  'spellings',
];

type Cell = string | number | null;

/** The `detail` of the total row: "7 cases, 1 stopped with an error, since 2026-11-26T00:00:00.000Z". */
export function totalDetail(aggregate: Pick<FeedAggregate, 'cases' | 'failed' | 'since'>): string {
  return [
    `${aggregate.cases} case${aggregate.cases === 1 ? '' : 's'}`,
    aggregate.failed ? `${aggregate.failed} stopped with an error` : null,
    aggregate.since ? `since ${aggregate.since}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

export function formatFeedCsv(aggregate: FeedAggregate): string {
  const records: Cell[][] = [
    [
      'total',
      'all',
      'all cases',
      totalDetail(aggregate),
      aggregate.messages,
      aggregate.traces,
      aggregate.firstSeen,
      aggregate.lastSeen,
      '',
      null,
      aggregate.imported,
      aggregate.compared,
      null,
      null,
      null,
      null,
    ],
  ];
  for (const r of aggregate.rows)
    records.push([
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
      null,
      null,
      null,
      r.spellings.join(' | '),
    ]);
  for (const c of aggregate.cloaking ?? [])
    records.push([
      'cloaking',
      c.party,
      c.party,
      null,
      null,
      null,
      c.firstSeen,
      c.lastSeen,
      c.examples.join(' '),
      null,
      null,
      c.compared,
      c.cloaked,
      c.singleUse,
      c.signals.join(', '),
      null,
    ]);
  return [FEED_CSV_COLUMNS.join(','), ...records.map((r) => r.map(csvField).join(','))].join('\r\n') + '\r\n';
}
