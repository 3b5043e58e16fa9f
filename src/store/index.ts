// The case store: a SQLite index (better-sqlite3, WAL) of the case folders, which stay the source of truth.
export {
  CaseStore,
  isOneCaseFolder,
  messageKeyOfFolder,
  type CaseSummary,
  type SearchResult,
  type IndexOutcome,
  type ReindexResult,
  type CaseRelations,
} from './case-store.js';
export { databasePath, isCaseId, isMessageCaseId, DATABASE_FILE } from './paths.js';
export { readCaseFolder, messageFacts, type TracedLinkEntry, type MessageFacts } from './case-folder.js';
export {
  normalizeFilters,
  dateBound,
  pivotFilters,
  isPivotKind,
  QueryError,
  PIVOT_KINDS,
  FILTER_NAMES,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type SearchFilters,
  type PivotKind,
  type FilterName,
} from './search-query.js';
export { registrableDomain } from './case-rows.js';
export { indexCaseFolder } from './index-case-folder.js';
