// The one entry point of the exports, for the CLI and the web UI: which cases (folders, or a
// search of the case index), loaded from their evidence, written in one format.
import type { CaseStore } from '../store/case-store.js';
import { MAX_LIMIT, normalizeFilters } from '../store/search-query.js';
import { loadCaseEvidence, type CaseEvidence } from './case-evidence.js';
import { toIocCsv } from './ioc-csv.js';
import { toMispEvent } from './misp.js';
import { toStixBundle } from './stix.js';
import type { Tlp } from './common.js';

export const EXPORT_FORMATS = ['misp', 'stix', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_TYPES: Record<ExportFormat, { contentType: string; extension: string; label: string }> = {
  misp: { contentType: 'application/json; charset=utf-8', extension: 'misp.json', label: 'MISP event' },
  stix: { contentType: 'application/stix+json;version=2.1; charset=utf-8', extension: 'stix.json', label: 'STIX 2.1 bundle' },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'iocs.csv', label: 'IOC CSV' },
};

/** Exports at most this many cases at once (a query is cut, and says so). */
export const MAX_EXPORT_CASES = 5000;

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * The case ids a search of the index selects, oldest first. A traced case whose message case is
 * selected too is left out: the message case brings its traces along.
 */
export function selectCases(store: CaseStore, query: Record<string, unknown>): { ids: string[]; total: number; withMessage: number } {
  const ids: string[] = [];
  let total = 0;
  for (let offset = 0; offset < MAX_EXPORT_CASES; offset += MAX_LIMIT) {
    const result = store.search(normalizeFilters({ ...query, limit: MAX_LIMIT, offset }));
    total = result.total;
    ids.push(...result.cases.map((c) => c.id));
    if (offset + MAX_LIMIT >= result.total) break;
  }
  const covered = new Set<string>();
  for (const id of ids) {
    if (!id.endsWith('-mail')) continue;
    for (const traced of store.relations(id).traced) covered.add(traced.case);
  }
  const kept = ids.filter((id) => !covered.has(id)).reverse();
  return { ids: kept, total, withMessage: ids.length - kept.length };
}

export async function loadCases(dirs: string[]): Promise<CaseEvidence[]> {
  const out: CaseEvidence[] = [];
  for (const dir of dirs) out.push(await loadCaseEvidence(dir));
  return out;
}

/** The export file's bytes: one MISP event per case (a `response` list for several), one STIX bundle, one CSV. */
export function renderExport(cases: CaseEvidence[], format: ExportFormat, options: { tlp?: Tlp } = {}): Buffer {
  switch (format) {
    case 'misp': {
      const events = cases.map((c) => toMispEvent(c, options));
      return json(events.length === 1 ? events[0] : { response: events });
    }
    case 'stix':
      return json(toStixBundle(cases, options));
    case 'csv':
      return Buffer.from(toIocCsv(cases), 'utf8');
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
