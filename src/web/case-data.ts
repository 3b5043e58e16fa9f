// Everything a case page (and GET /api/cases/:id) shows, read from the case folder (the source
// of truth) plus what only the index knows: which message a trace came from, which traces a
// message led to.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Report } from '../report.js';
import { MESSAGE_RECORD_FILE, REPORT_FILE } from '../case/case-layout.js';
import { messageFacts, type CaseRelations, type CaseStore, type CaseSummary, type MessageFacts } from '../store/index.js';
import { appPath } from './html.js';
import { DOWNLOADS, resolveCaseFile } from './case-files.js';
import type { ExchangeView } from './exchange-view.js';
import { loadRecorded, type RecordedCase } from './recorded-case.js';
import { caseIntegrity, type Integrity } from './integrity.js';
import { verdictFlags, type CloakComparison, type OtherVisit, type VerdictFlag } from '../verdict/flags.js';
import { listComparisons } from '../compare/comparison-case.js';
import { titleKey } from '../compare/comparison.js';
import { hostOf } from '../http/host.js';

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
  const view = await loadRecordedView(store, id, readJson<Report>(join(store.caseDir(id) ?? '', REPORT_FILE)));
  return { exchanges: view.recorded?.exchanges ?? [], error: view.error };
}

export async function loadRecordedView(
  store: CaseStore,
  id: string,
  report: Report | null,
): Promise<{ recorded: RecordedCase | null; error: string | null }> {
  const dir = store.caseDir(id);
  if (!report || !dir || !existsSync(join(dir, 'capture.warc.gz'))) return { recorded: null, error: null };
  try {
    return { recorded: await loadRecorded(dir, report), error: null };
  } catch (err) {
    return { recorded: null, error: (err as Error).message };
  }
}

/** What the case page adds to the folder's files: the recorded evidence, the integrity check, the verdict flags. */
export interface CaseView {
  recorded: RecordedCase | null;
  /** Why the WARC could not be read. */
  recordedError: string | null;
  integrity: Integrity | null;
  flags: VerdictFlag[];
}

export async function loadCaseView(store: CaseStore, details: CaseDetails): Promise<CaseView> {
  const dir = store.caseDir(details.id);
  const [{ recorded, error }, integrity] = await Promise.all([
    loadRecordedView(store, details.id, details.report),
    dir ? caseIntegrity(dir) : Promise.resolve(null),
  ]);
  const report = details.report;
  const flags = report
    ? verdictFlags({
        report,
        finalDom: recorded?.finalDom ?? null,
        downloads: recorded?.downloads ?? [],
        shownLink: shownLink(store, report),
        otherVisits: otherVisits(store, details.id, report.url),
        comparison: dir ? cloakComparison(dirname(dir), details.id) : null,
      })
    : [];
  return { recorded, recordedError: error, integrity, flags };
}

/**
 * When this case is one visitor of a `clicktrace compare` that found the link cloaked: a visitor
 * of that comparison who ended elsewhere, for the "cloaked" flag.
 */
function cloakComparison(casesDir: string, caseId: string): CloakComparison | null {
  for (const record of listComparisons(casesDir)) {
    const { comparison } = record;
    if (comparison.verdict !== 'cloaked') continue;
    const mine = comparison.profiles.find((p) => p.case === caseId);
    if (!mine) continue;
    // A visitor of another group: one that ended elsewhere, or on another page at the same address.
    const myGroup = comparison.groups.find((g) => g.profiles.includes(mine.profile));
    const compared = new Set(comparison.groups.flatMap((g) => g.profiles));
    // The one that shows the split best: another host first, then another title, then any.
    const apart = (p: (typeof comparison.profiles)[number]) =>
      hostOf(p.final?.url) !== hostOf(mine.final?.url) ? 0 : titleKey(p.final?.title) !== titleKey(mine.final?.title) ? 1 : 2;
    const other = comparison.profiles
      .filter((p) => p.case !== null && compared.has(p.profile) && !myGroup?.profiles.includes(p.profile))
      .sort((a, b) => apart(a) - apart(b))[0];
    if (!other || !myGroup) continue;
    return {
      otherCase: other.case!,
      otherIdentity: `the ${other.profile} visitor`,
      thisFinal: mine.final?.url ?? null,
      otherFinal: other.final?.url ?? null,
      thisTitle: mine.final?.title ?? null,
      otherTitle: other.final?.title ?? null,
      mayBeChance: comparison.mayBeChance === true,
    };
  }
  return null;
}

/** The anchor text and href of the message link a trace came from, as message.json recorded it. */
function shownLink(store: CaseStore, report: Report): { text: string; href: string } | null {
  const from = report.message;
  if (!from || from.link === null) return null;
  const dir = store.caseDir(from.case);
  const record = dir ? readJson<unknown>(join(dir, MESSAGE_RECORD_FILE)) : null;
  const facts = record === null ? null : messageFacts(record);
  const link = facts?.links.find((l, i) => (l.index ?? i + 1) === from.link);
  return link?.text ? { text: link.text, href: link.url } : null;
}

/** Other traces of the same link in the index (for the single-use flag). */
function otherVisits(store: CaseStore, id: string, url: string | null): OtherVisit[] {
  if (!url) return [];
  return store
    .search({ q: url, kind: 'trace', limit: 50 })
    .cases.filter((c) => c.id !== id && c.url === url)
    .map((c) => ({
      caseId: c.id,
      startedAt: c.startedAt,
      finalUrl: c.finalUrl,
      finalStatus: c.finalStatus,
      finalTitle: c.finalTitle,
      error: c.error,
    }));
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}
