// The comparison in the terminal: one line per profile (hops, final status, destination, title,
// case), the pairs that part with the hop where they do, and the verdict. Every captured value
// goes through clean(): a hostile page's title cannot reach the terminal as control characters.
import { clean, truncate } from '../terminal-text.js';
import { decider, type Comparison, type Divergence } from './comparison.js';

export function formatComparison(comparison: Comparison, comparisonDir: string): string {
  const cut = new Map(comparison.cutShort.map((c) => [c.profile, c]));
  const rows = comparison.profiles.map((p) => [
    p.profile,
    String(p.hops.length),
    p.final?.status === null || p.final?.status === undefined ? (p.error ? 'ERR' : '-') : String(p.final.status),
    truncate(p.destination, 60) + (cut.has(p.profile) ? ` (stopped: ${cut.get(p.profile)!.via} not followed)` : ''),
    p.final?.title ? `"${truncate(p.final.title, 40)}"` : '',
    p.case ?? '-',
  ]);
  for (const name of comparison.notTraced) rows.push([name, '-', 'ERR', 'not traced, not compared (why: below)', '', '-']);
  const header = ['profile', 'hops', 'status', 'ended at', 'title', 'case'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => clean(r[i]).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => clean(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  // One pair per other group: the largest group's first profile and that group's first (--json has every pair).
  const [main, ...others] = comparison.groups;
  const parted = others.flatMap((g) => {
    const pair = comparison.pairs.find(
      (p) => (p.a === main.profiles[0] && p.b === g.profiles[0]) || (p.b === main.profiles[0] && p.a === g.profiles[0]),
    );
    return pair?.divergence ? [pair] : [];
  });
  if (parted.length) {
    out.push('', 'Where they part:');
    for (const pair of parted) out.push(`  ${clean(pair.a)} / ${clean(pair.b)}: ${clean(describeDivergence(pair.divergence!))}`);
  }
  out.push('');
  const signal = comparison.signals.length ? ` (signal: ${comparison.signals.join(' + ')})` : '';
  out.push(`Verdict: ${comparison.verdict}${signal}`);
  if (comparison.verdict !== 'same') {
    for (const group of comparison.groups)
      out.push(
        `  ${clean(group.profiles.join(', '))} -> ${clean(truncate(group.destination, 80))}${group.title ? ` "${clean(truncate(group.title, 50))}"` : ''}`,
      );
  }
  out.push(clean(comparison.explanation));
  out.push(`Comparison: ${clean(comparisonDir)}`);
  return out.join('\n');
}

/** "hop 1: same request, different response (302 / 410)", "hop 2: went on to different URLs (…)". */
export function describeDivergence(d: Divergence): string {
  const { who, assumed } = decider(d);
  const by = `${who} decided${assumed}`;
  const where = `hop ${d.hop}`;
  switch (d.kind) {
    case 'response':
      return `${where}: same request, different response (${d.a?.status ?? 'none'} / ${d.b?.status ?? 'none'}; ${by})`;
    case 'content':
      return `${where}: same URL, a different page ("${truncate(d.a?.title ?? '', 40)}" / "${truncate(d.b?.title ?? '', 40)}"; ${by})`;
    case 'next-url':
      return `${where}: different next URL (${truncate(d.a!.url, 60)} via ${d.a!.via} / ${truncate(d.b!.url, 60)} via ${d.b!.via}; ${by})`;
    case 'ended':
      return d.a
        ? `${where}: only the first went on (${truncate(d.a.url, 60)} via ${d.a.via}; ${by})`
        : `${where}: only the second went on (${truncate(d.b!.url, 60)} via ${d.b!.via}; ${by})`;
  }
}
