// The feed report as terminal tables, one per dimension. Every value from a case goes through
// clean(): party names and domains come from hostile mail and pages.
import { clean, truncate } from '../cli/terminal.js';
import { DIMENSION_TITLES, FEED_DIMENSIONS, type FeedAggregate, type FeedRow } from './aggregate.js';

const COLUMNS: { title: string; cell: (r: FeedRow) => string; max: number; right?: boolean }[] = [
  { title: 'name', cell: (r) => r.label, max: 48 },
  { title: 'detail', cell: (r) => [r.detail, r.source ? `data: ${r.source}` : null].filter(Boolean).join('; '), max: 48 },
  { title: 'msgs', cell: (r) => String(r.messages), max: 8, right: true },
  { title: 'traces', cell: (r) => `${r.traces}${rowNote(r)}`, max: 36, right: true },
  { title: 'first seen', cell: (r) => shortTime(r.firstSeen), max: 20 },
  { title: 'last seen', cell: (r) => shortTime(r.lastSeen), max: 20 },
  { title: 'examples', cell: (r) => r.examples.join(' '), max: 120 },
];

function shortTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z') : '-';
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
    lines.push('', `${DIMENSION_TITLES[dimension]}:`);
    if (rows.length === 0) {
      lines.push('  (none)');
      continue;
    }
    const cells = rows.map((r) => COLUMNS.map((c) => clean(truncate(c.cell(r), c.max))));
    const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
    const render = (row: string[]) =>
      '  ' +
      row.map((cell, i) => (COLUMNS[i].right ? cell.padStart(widths[i]) : i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
    lines.push(render(COLUMNS.map((c) => c.title)));
    for (const row of cells) lines.push(render(row));
  }
  return lines.join('\n');
}
