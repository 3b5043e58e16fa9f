// Everything a case page (and GET /api/cases/:id) shows, read from the case folder (the source
// of truth) plus what only the index knows: which message a trace came from, which traces a
// message led to.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../report.js';
import { MESSAGE_RECORD_FILE, REPORT_FILE } from '../case/case-layout.js';
import { messageFacts, type CaseRelations, type CaseStore, type CaseSummary, type MessageFacts } from '../store/index.js';
import { appPath } from './html.js';
import { DOWNLOADS, resolveCaseFile } from './case-files.js';
import { loadExchanges, type ExchangeView } from './exchange-view.js';

export interface CaseFileLink {
  path: string;
  label: string;
  bytes: number;
  href: string;
}

export interface CaseDetails {
  id: string;
  summary: CaseSummary | null;
  report: Report | null;
  /** For a message case: its analysis, links (with parties) and traces. */
  message: MessageFacts | null;
  relations: CaseRelations;
  downloads: CaseFileLink[];
}

export function fileHref(id: string, relPath: string): string {
  return `${appPath('cases', id, 'files')}/${relPath.split('/').map(encodeURIComponent).join('/')}`;
}

/** The case, or null when there is no such case folder. */
export function loadCaseDetails(store: CaseStore, id: string): CaseDetails | null {
  const dir = store.caseDir(id);
  if (!dir || !existsSync(dir)) return null;
  const report = readJson<Report>(join(dir, REPORT_FILE));
  const messageJson = readJson<unknown>(join(dir, MESSAGE_RECORD_FILE));
  const message = messageJson === null ? null : messageFacts(messageJson);
  if (!report && !message) return null;
  const downloads: CaseFileLink[] = [];
  for (const [path, kind] of Object.entries(DOWNLOADS)) {
    const file = resolveCaseFile(store.casesDir, id, path);
    if (file) downloads.push({ path, label: kind.label, bytes: statSync(file.path).size, href: fileHref(id, path) });
  }
  return { id, summary: store.caseSummary(id), report, message, relations: store.relations(id), downloads };
}

/** The recorded exchanges, or the reason they cannot be read. */
export async function loadCaseExchanges(store: CaseStore, id: string): Promise<{ exchanges: ExchangeView[]; error: string | null }> {
  const dir = store.caseDir(id);
  if (!dir || !existsSync(join(dir, 'capture.warc.gz'))) return { exchanges: [], error: null };
  try {
    return { exchanges: await loadExchanges(dir), error: null };
  } catch (err) {
    return { exchanges: [], error: (err as Error).message };
  }
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}
