// Cloaking across a cases folder, for `clicktrace report` and the web UI's report page: per party
// on the compared links' chains (tracker, broker, advertiser or final domain), how many links
// were compared, how many were cloaked or single-use, by which signals, with example comparison
// cases. Pure: the compared links are read by comparedLinks (comparison-case.ts).

export interface ComparedLink {
  /** The comparison case. */
  id: string;
  startedAt: string;
  verdict: 'same' | 'cloaked' | 'single-use';
  signals: string[];
  /** Every party (name, else registrable domain) on any profile's chain. */
  parties: string[];
}

export interface CloakingRow {
  party: string;
  compared: number;
  cloaked: number;
  singleUse: number;
  /** The signals its cloaked links split on, most frequent first. */
  signals: string[];
  /** When its first and its last compared link were compared. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** Up to 3 comparison cases, cloaked ones first, newest first. */
  examples: string[];
}

export function cloakingByParty(links: readonly ComparedLink[]): CloakingRow[] {
  const rows = new Map<string, { row: CloakingRow; signals: Map<string, number>; links: ComparedLink[] }>();
  for (const link of links) {
    for (const party of new Set(link.parties)) {
      let entry = rows.get(party);
      if (!entry) {
        entry = {
          row: { party, compared: 0, cloaked: 0, singleUse: 0, signals: [], firstSeen: null, lastSeen: null, examples: [] },
          signals: new Map(),
          links: [],
        };
        rows.set(party, entry);
      }
      entry.row.compared++;
      if (!entry.row.firstSeen || link.startedAt < entry.row.firstSeen) entry.row.firstSeen = link.startedAt;
      if (!entry.row.lastSeen || link.startedAt > entry.row.lastSeen) entry.row.lastSeen = link.startedAt;
      if (link.verdict === 'cloaked') entry.row.cloaked++;
      if (link.verdict === 'single-use') entry.row.singleUse++;
      if (link.verdict === 'cloaked') for (const s of link.signals) entry.signals.set(s, (entry.signals.get(s) ?? 0) + 1);
      entry.links.push(link);
    }
  }
  const rank = (l: ComparedLink) => (l.verdict === 'cloaked' ? 0 : l.verdict === 'single-use' ? 1 : 2);
  return [...rows.values()]
    .map(({ row, signals, links: mine }) => ({
      ...row,
      signals: [...signals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s]) => s),
      examples: [...mine]
        .sort((a, b) => rank(a) - rank(b) || (a.startedAt < b.startedAt ? 1 : -1))
        .slice(0, 3)
        .map((l) => l.id),
    }))
    .sort((a, b) => b.cloaked - a.cloaked || b.compared - a.compared || (a.party < b.party ? -1 : 1));
}
