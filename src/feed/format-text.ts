// The feed report as terminal tables, one per dimension, and the cloaking table of a cases
// folder's report. Every value from a case goes through clean(): party names and domains come
// from hostile mail and pages.
import { clean, displayWidth, padWidth, truncateWidth } from '../terminal-text.js';
import { DIMENSION_TITLES, FEED_DIMENSIONS, type FeedAggregate, type FeedRow } from './aggregate.js';
import type { CloakingRow } from '../compare/cloaking-report.js';

interface Column<R> {
  title: string;
  cell: (r: R) => string;
  max: number;
  right?: boolean;
}

const COLUMNS: Column<FeedRow>[] = [
  { title: 'name', cell: (r) => r.label, max: 48 },
  { title: 'detail', cell: (r) => [r.detail, alsoWritten(r)].filter(Boolean).join('; '), max: 72 },
  { title: 'msgs', cell: (r) => String(r.messages), max: 8, right: true },
  { title: 'traces', cell: (r) => `${r.traces}${rowNote(r)}`, max: 36, right: true },
  { title: 'first seen', cell: (r) => shortTime(r.firstSeen), max: 20 },
  { title: 'last seen', cell: (r) => shortTime(r.lastSeen), max: 20 },
  { title: 'examples', cell: (r) => r.examples.join(' '), max: 120 },
];

/**
 * The hosting networks' last column: the IP data and its date that each AS line was made with. A
 * column of its own, last (never cut short): inside the detail, a line's countries ("AU (1 of 2
 * cases), US (1 of 2 cases)") pushed it past the detail's width and cut the date off.
 */
const DATA_COLUMN: Column<FeedRow> = { title: 'data', cell: (r) => r.source ?? '-', max: 240 };

const CLOAKING_COLUMNS: Column<CloakingRow>[] = [
  { title: 'party', cell: (r) => r.party, max: 48 },
  { title: 'compared', cell: (r) => String(r.compared), max: 8, right: true },
  { title: 'cloaked', cell: (r) => String(r.cloaked), max: 8, right: true },
  { title: 'single-use', cell: (r) => String(r.singleUse), max: 10, right: true },
  { title: 'signals', cell: (r) => r.signals.join(', ') || '-', max: 60 },
  { title: 'first seen', cell: (r) => shortTime(r.firstSeen), max: 20 },
  { title: 'last seen', cell: (r) => shortTime(r.lastSeen), max: 20 },
  { title: 'examples', cell: (r) => r.examples.join(' '), max: 120 },
];

/** A table under a title line, two spaces in: "(none)" when there are no rows. */
function table<R>(title: string, columns: Column<R>[], rows: readonly R[]): string[] {
  if (rows.length === 0) return ['', title, '  (none)'];
  // Cut after clean(): a written-out control takes columns too. Widths in terminal columns.
  const cells = rows.map((r) => columns.map((c) => truncateWidth(clean(c.cell(r)), c.max)));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.title), ...cells.map((row) => displayWidth(row[i]))));
  const render = (row: string[]) =>
    '  ' +
    row.map((cell, i) => (i === row.length - 1 && !columns[i].right ? cell : padWidth(cell, widths[i], columns[i].right))).join('  ');
  return ['', title, render(columns.map((c) => c.title)), ...cells.map(render)];
}

function shortTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z') : '-';
}

/** "also written: SendGrid, sendgrid.net": the spellings of a line other than the name it shows; null when none. */
export function alsoWritten(row: Pick<FeedRow, 'label' | 'spellings'>): string | null {
  const others = row.spellings.filter((s) => s !== row.label);
  return others.length ? `also written: ${others.join(', ')}` : null;
}

/** " (1 imported, 2 compared)": the traces of a line that were not plain traces of a link. */
export function rowNote(row: Pick<FeedRow, 'imported' | 'compared'>): string {
  const parts = [row.imported ? `${row.imported} imported` : null, row.compared ? `${row.compared} compared` : null];
  const text = parts.filter(Boolean).join(', ');
  return text ? ` (${text})` : '';
}

/** " (1 imported, 6 visitors of clicktrace compare, 3 stopped with an error)": what the trace count holds besides plain traces. */
export function totalsNote(aggregate: Pick<FeedAggregate, 'imported' | 'compared' | 'failed'>): string {
  const parts = [
    aggregate.imported ? `${aggregate.imported} imported` : null,
    aggregate.compared ? `${aggregate.compared} visitors of clicktrace compare` : null,
    aggregate.failed ? `${aggregate.failed} stopped with an error` : null,
  ];
  const text = parts.filter(Boolean).join(', ');
  return text ? ` (${text})` : '';
}

export const CLOAKING_TITLE = 'Cloaking (links compared as several visitors with clicktrace compare)';

export function formatFeedText(aggregate: FeedAggregate): string {
  const lines: string[] = [];
  lines.push(
    `${aggregate.cases} case(s): ${aggregate.messages} message(s), ${aggregate.traces} trace(s)` +
      totalsNote(aggregate) +
      (aggregate.firstSeen ? `, ${shortTime(aggregate.firstSeen)} to ${shortTime(aggregate.lastSeen)}` : '') +
      (aggregate.since ? ` (since ${aggregate.since})` : ''),
  );
  for (const dimension of FEED_DIMENSIONS) {
    const rows = aggregate.rows.filter((r) => r.dimension === dimension);
    lines.push(...table(`${DIMENSION_TITLES[dimension]}:`, rows.some((r) => r.source) ? [...COLUMNS, DATA_COLUMN] : COLUMNS, rows));
  }
  if (aggregate.cloaking) lines.push(...table(`${CLOAKING_TITLE}:`, CLOAKING_COLUMNS, aggregate.cloaking));
  return lines.join('\n');
}
