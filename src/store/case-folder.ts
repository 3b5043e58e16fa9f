// Reading one case folder for the index: its report.json (captures) or message.json (messages),
// and whether it is still being written. Never throws for a bad folder: the reason it cannot
// be indexed is returned instead.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PartyRef, Report } from '../report.js';
import type { MailAnalysis } from '../mail/parse.js';
import type { MailLink } from '../mail/links.js';
import type { RemoteResource } from '../mail/remote-resources.js';
import type { AddressDisclosure } from '../mail/disclosure.js';
import { MESSAGE_RECORD_FILE, PARTIAL_FILE, REPORT_FILE } from '../case/case-layout.js';
import { isCaseId } from './paths.js';
import { openCaseWriterGone } from '../case/open-case.js';

export interface TracedLinkEntry {
  /** 1-based number of the link in the message, or null when unknown (or a pixel was traced). */
  link: number | null;
  /** 1-based number of the remote resource (pixel) traced, when it was one. */
  resource?: number;
  case: string;
  final?: string | null;
  error?: string | null;
}

/** What the index and the pages need of a message folder, whichever shape its message.json has. */
export interface MessageFacts {
  analysis: MailAnalysis;
  /** The message's links, with the party behind each when the record has it. */
  links: (MailLink & { index?: number; main?: boolean; party?: PartyRef })[];
  /** Its remote content, with the party behind each when the record has it (messageFacts always sets it). */
  resources?: (RemoteResource & { index?: number; party?: PartyRef })[];
  /** Recipient addresses with what the recipient map said of them (none in records older than that). */
  disclosures?: AddressDisclosure[];
  /** The telling addresses in one sentence, or null. */
  disclosure?: string | null;
  traces: TracedLinkEntry[];
  /** Why nothing of the message was traced when it was asked to be (MessageRecord.notTraced). */
  notTraced?: string;
  /** When the message case was made, to the millisecond (MessageRecord.recordedAt); absent in older records. */
  recordedAt?: string;
}

export interface CaseFolder {
  id: string;
  /** report.json of a capture, or null for a message folder. */
  report: Report | null;
  message: MessageFacts | null;
  /** The PARTIAL marker is present: the capture is being written (or was killed). */
  partial: boolean;
}

/** Why an open case whose writer is gone is not indexed, and what seals it. */
export const CUT_OFF_REASON = 'cut off: the process tracing it is gone (clicktrace reindex seals it, as partial)';

export type CaseFolderRead = { ok: true; folder: CaseFolder } | { ok: false; id: string; reason: string };

export function readCaseFolder(dir: string): CaseFolderRead {
  const id = basename(dir);
  if (!isCaseId(id)) return { ok: false, id, reason: 'not a case folder name' };
  const partial = existsSync(join(dir, PARTIAL_FILE));
  const report = readJson(join(dir, REPORT_FILE));
  const message = readJson(join(dir, MESSAGE_RECORD_FILE));
  if (report.error) return { ok: false, id, reason: report.error };
  if (message.error) return { ok: false, id, reason: message.error };
  if (report.value === null && message.value === null) {
    if (!partial) return { ok: false, id, reason: `no ${REPORT_FILE} or ${MESSAGE_RECORD_FILE}` };
    // A case whose writer was killed is no capture in progress: `clicktrace reindex` (or the next batch) seals it.
    return { ok: false, id, reason: openCaseWriterGone(dir) ? CUT_OFF_REASON : 'capture in progress (no report.json yet)' };
  }
  const facts = message.value === null ? null : messageFacts(message.value);
  if (message.value !== null && !facts) return { ok: false, id, reason: `${MESSAGE_RECORD_FILE} is not a message record` };
  if (report.value !== null && !isReport(report.value)) return { ok: false, id, reason: `${REPORT_FILE} is not a report` };
  return { ok: true, folder: { id, report: report.value, message: facts, partial } };
}

/** Reads message.json in either shape: `{ kind: "message", analysis, links, traces }` or a bare MailAnalysis. */
export function messageFacts(value: unknown): MessageFacts | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as {
    kind?: unknown;
    analysis?: unknown;
    links?: unknown;
    resources?: unknown;
    disclosures?: unknown;
    disclosure?: unknown;
    traces?: unknown;
    notTraced?: unknown;
    recordedAt?: unknown;
  };
  if (record.kind === 'message' && isAnalysis(record.analysis)) {
    const analysis = withLaterFields(record.analysis);
    return {
      analysis,
      links: Array.isArray(record.links) ? (record.links as MessageFacts['links']) : analysis.links,
      resources: Array.isArray(record.resources) ? (record.resources as MessageFacts['resources']) : analysis.resources,
      disclosures: Array.isArray(record.disclosures) ? (record.disclosures as AddressDisclosure[]) : [],
      disclosure: typeof record.disclosure === 'string' ? record.disclosure : null,
      traces: Array.isArray(record.traces) ? record.traces.filter(isTracedEntry) : [],
      ...(typeof record.notTraced === 'string' ? { notTraced: record.notTraced } : {}),
      ...(isIsoTime(record.recordedAt) ? { recordedAt: record.recordedAt } : {}),
    };
  }
  if (isAnalysis(value)) {
    const analysis = withLaterFields(value);
    return { analysis, links: analysis.links, resources: analysis.resources, disclosures: [], disclosure: null, traces: [] };
  }
  return null;
}

/** An ISO 8601 UTC time as toISOString writes it: anything else is left out, not indexed. */
function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && !Number.isNaN(Date.parse(value));
}

/** Fields message records written before they existed lack (recipients, remote resources, recipient tokens). */
function withLaterFields(analysis: MailAnalysis): MailAnalysis {
  const older = analysis as Partial<MailAnalysis>;
  if (older.recipients && older.resources && older.recipientTokens) return analysis;
  return {
    ...analysis,
    recipients: older.recipients ?? analysis.to.map((address) => ({ address, where: [] })),
    resources: older.resources ?? [],
    recipientTokens: older.recipientTokens ?? [],
  };
}

function readJson(path: string): { value: unknown; error: string | null } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { value: null, error: null };
    return { value: null, error: `cannot read ${basename(path)}: ${(err as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) as unknown, error: null };
  } catch (err) {
    return { value: null, error: `${basename(path)} is not valid JSON: ${(err as Error).message}` };
  }
}

/** What a report's `mode` may be: the kind of its case in the index (a case row needs one). */
const REPORT_MODES: ReadonlySet<unknown> = new Set<Report['mode']>(['trace', 'proxy', 'import']);

function isReport(value: unknown): value is Report {
  return typeof value === 'object' && value !== null && Array.isArray((value as Report).hops) && REPORT_MODES.has((value as Report).mode);
}

function isAnalysis(value: unknown): value is MailAnalysis {
  const v = value as MailAnalysis;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.links) &&
    Array.isArray(v.esp) &&
    Array.isArray(v.received) &&
    Array.isArray(v.errors)
  );
}

function isTracedEntry(value: unknown): value is TracedLinkEntry {
  const v = value as TracedLinkEntry;
  return (
    typeof v === 'object' && v !== null && typeof v.case === 'string' && isCaseId(v.case) && (v.link === null || Number.isInteger(v.link))
  );
}
