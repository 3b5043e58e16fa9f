// Reading one case folder for the index: its report.json (captures), message.json and
// traced.json (messages), and whether it is still being written. Never throws for a bad
// folder: the reason it cannot be indexed is returned instead.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Report } from '../report.js';
import type { MailAnalysis } from '../mail/parse.js';
import { PARTIAL_FILE, REPORT_FILE } from '../evidence/case-layout.js';
import { isCaseId } from './paths.js';

/** The analysis of a message (a `MailAnalysis`), in a message folder. */
export const MESSAGE_FILE = 'message.json';
/** The message as received, in a message folder written by the web service. */
export const RAW_MESSAGE_FILE = 'message.eml';
/** Which links of the message were traced into which cases: `[{ "link": 1, "case": "<id>" }]`. */
export const TRACED_FILE = 'traced.json';

export interface TracedLinkEntry {
  /** 1-based index into the message's links, or null when unknown. */
  link: number | null;
  case: string;
}

export interface CaseFolder {
  id: string;
  /** report.json of a capture, or null for a message folder. */
  report: Report | null;
  message: MailAnalysis | null;
  traced: TracedLinkEntry[];
  /** The PARTIAL marker is present: the capture is being written (or was killed). */
  partial: boolean;
}

export type CaseFolderRead = { ok: true; folder: CaseFolder } | { ok: false; id: string; reason: string };

export function readCaseFolder(dir: string): CaseFolderRead {
  const id = basename(dir);
  if (!isCaseId(id)) return { ok: false, id, reason: 'not a case folder name' };
  const partial = existsSync(join(dir, PARTIAL_FILE));
  const report = readJson<Report>(join(dir, REPORT_FILE));
  const message = readJson<MailAnalysis>(join(dir, MESSAGE_FILE));
  if (report.error) return { ok: false, id, reason: report.error };
  if (message.error) return { ok: false, id, reason: message.error };
  if (!report.value && !message.value) {
    return { ok: false, id, reason: partial ? 'capture in progress (no report.json yet)' : `no ${REPORT_FILE} or ${MESSAGE_FILE}` };
  }
  const traced = readJson<unknown>(join(dir, TRACED_FILE));
  return {
    ok: true,
    folder: {
      id,
      report: isReport(report.value) ? report.value : null,
      message: isMessage(message.value) ? message.value : null,
      traced: Array.isArray(traced.value) ? traced.value.filter(isTracedEntry) : [],
      partial,
    },
  };
}

function readJson<T>(path: string): { value: T | null; error: string | null } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: null, error: null };
    return { value: null, error: `cannot read ${basename(path)}: ${(err as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) as T, error: null };
  } catch (err) {
    return { value: null, error: `${basename(path)} is not valid JSON: ${(err as Error).message}` };
  }
}

function isReport(value: unknown): value is Report {
  return typeof value === 'object' && value !== null && Array.isArray((value as Report).hops);
}

function isMessage(value: unknown): value is MailAnalysis {
  return typeof value === 'object' && value !== null && Array.isArray((value as MailAnalysis).links);
}

function isTracedEntry(value: unknown): value is TracedLinkEntry {
  const v = value as TracedLinkEntry;
  return typeof v === 'object' && v !== null && typeof v.case === 'string' && isCaseId(v.case) && (v.link === null || Number.isInteger(v.link));
}
