// The feed report: "who is responsible" across many cases. `aggregateCases` is what a batch run
// and `clicktrace report` call; the formats are beside it.
import type { CaseStore } from '../store/case-store.js';
import { feedCases, type FeedCaseQuery } from '../store/feed-cases.js';
import { feedAggregate, type FeedAggregate } from './aggregate.js';

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
  return feedAggregate(feedCases(store, options), { since: options.since ?? null });
}
