// The feed report: "who is responsible" across many cases. `aggregateCases` is what a batch run
// and `clicktrace report` call; the formats are beside it.
import type { CaseStore } from '../store/case-store.js';
import { feedCases, feedMessageContext, type FeedCaseQuery } from '../store/feed-cases.js';
import { feedAggregate, type FeedAggregate } from './aggregate.js';
import { comparedLinks, listComparisons, type ComparisonRecord } from '../compare/comparison-case.js';
import { cloakingByParty, type ComparedLink } from '../compare/cloaking-report.js';
import { groupParty, loadPartyCatalogue } from './party-names.js';

export {
  feedAggregate,
  FEED_DIMENSIONS,
  DIMENSION_TITLES,
  type FeedAggregate,
  type FeedCase,
  type FeedHop,
  type FeedRow,
  type FeedDimension,
} from './aggregate.js';
export type { FeedCaseQuery } from '../store/feed-cases.js';

/**
 * The aggregate of the indexed cases of a store: all of them, or `caseIds` only (the cases of one
 * batch), started at or after `since` (ISO time). Reads the index only: index new case folders
 * first (store.indexCase, or store.sync() for a whole folder).
 */
export function aggregateCases(store: CaseStore, options: FeedCaseQuery = {}): FeedAggregate {
  return aggregateWith(store, options, listComparisons(store.casesDir));
}

function aggregateWith(store: CaseStore, options: FeedCaseQuery, comparisons: readonly ComparisonRecord[]): FeedAggregate {
  // The visitors of `clicktrace compare` runs are ordinary trace folders; the comparison cases
  // beside them (not in the index) say which, so that the report can count them apart.
  const comparisonOf = new Map<string, string>();
  for (const record of comparisons) for (const p of record.comparison.profiles) if (p.case) comparisonOf.set(p.case, record.case);
  const cases = feedCases(store, options).map((c) => (comparisonOf.has(c.id) ? { ...c, comparison: comparisonOf.get(c.id)! } : c));
  const since = options.since ?? null;
  return feedAggregate(cases, { since, context: since ? feedMessageContext(store, cases) : [] });
}

/**
 * The report of a cases folder (`clicktrace report`, the web UI's /report and /api/report): the
 * aggregate of its indexed cases since `since`, with the cloaking of its compared links.
 */
export function feedReport(store: CaseStore, options: { since?: string | null } = {}): FeedAggregate {
  const since = options.since ?? null;
  // The comparison cases are read once: they name the compared visitors and give the cloaking.
  const comparisons = listComparisons(store.casesDir);
  const inWindow = comparisons.filter((r) => !since || r.startedAt >= since);
  return {
    ...aggregateWith(store, { since }, comparisons),
    cloaking: cloakingByParty(comparedLinks(store.casesDir, inWindow).map(partiesByCatalogue)),
  };
}

/** A compared link's parties named as the feed lines name them (one party, one cloaking line, however spelled). */
function partiesByCatalogue(link: ComparedLink): ComparedLink {
  const catalogue = loadPartyCatalogue();
  return { ...link, parties: link.parties.map((p) => groupParty(p, catalogue).label ?? p) };
}
