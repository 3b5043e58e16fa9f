// Tracing the links of one e-mail, for `mail --trace` and the web UI's .eml uploads alike: the
// message case (message.eml as received, message.json) is written first, so every traced case can
// point back to it even if the run is killed; then the chosen links are traced (on the pool, at
// once); then message.json lists the traces and is sealed again.
import { messageCaseName, rewriteMessageRecord, writeMessageCase, type AnalyzedLink, type MessageRecord } from '../mail/message-case.js';
import type { CaseStore } from '../store/index.js';
import type { BatchEntry } from './batch.js';
import type { TraceRequest } from './tracer.js';

export interface MessageTraceInput {
  /** The message case (see createMessageCase), and its record. */
  dir: string;
  record: MessageRecord;
  /** The links to trace. */
  links: AnalyzedLink[];
}

export interface TracedMessage {
  dir: string;
  record: MessageRecord;
  /** One per link, in the order given. */
  entries: BatchEntry[];
}

/** Writes the message case now (before any trace), sealed; the record gets its name. */
export function createMessageCase(casesDir: string, raw: Buffer, record: MessageRecord): { id: string; dir: string } {
  const id = messageCaseName();
  record.case = id;
  return { id, dir: writeMessageCase(casesDir, id, raw, record) };
}

/** What the analysis of a traced link needs from its message: recipients, sending platform, the message case. */
export function messageContext(record: MessageRecord, link: number): NonNullable<TraceRequest['analysis']> {
  const { analysis } = record;
  return {
    recipients: analysis.to,
    espFromMail: analysis.esp.map((e) => e.name),
    message: { case: record.case!, subject: analysis.subject, from: analysis.from?.address ?? null, link },
  };
}

/**
 * The trace request for one link of a message.
 * Seam (issue 12, item 4): `mail --trace` explores the landing page by default when no --click is
 * given; the explore options of a message's links are set here.
 */
export function linkRequest(record: MessageRecord, link: AnalyzedLink): TraceRequest & { line: null } {
  return { url: link.url, line: null, analysis: messageContext(record, link.index) };
}

/**
 * Traces `links` of a message through `traceLink` (the batch, or the tracer) and records them in
 * its message case. Resolves once message.json lists them.
 */
export async function traceMessage(
  store: CaseStore,
  input: MessageTraceInput,
  traceLink: (request: TraceRequest & { line: null }) => Promise<BatchEntry>,
): Promise<TracedMessage> {
  const { record, dir } = input;
  const entries = await Promise.all(input.links.map((link) => traceLink(linkRequest(record, link))));
  entries.forEach((entry, i) => {
    const trace = traceEntry(store, input.links[i].index, entry);
    if (trace) record.traces.push(trace);
  });
  if (entries.length) rewriteMessageRecord(dir, record);
  try {
    store.indexCase(dir);
  } catch {
    // `clicktrace reindex` rebuilds the index from the folders.
  }
  return { dir, record, entries };
}

/** The line message.json keeps for a traced link; a link traced before points at that case. */
function traceEntry(store: CaseStore, link: number, entry: BatchEntry): MessageRecord['traces'][number] | null {
  switch (entry.kind) {
    case 'trace':
      return { link, case: entry.caseId, final: entry.report.final?.url ?? null, error: entry.report.error };
    case 'failed':
      return entry.caseId ? { link, case: entry.caseId, final: null, error: entry.error } : null;
    case 'already-traced':
    case 'duplicate': {
      if (!entry.caseId) return null;
      const earlier = store.caseSummary(entry.caseId);
      return { link, case: entry.caseId, final: earlier?.finalUrl ?? null, error: earlier?.error ?? null, earlier: true };
    }
    default:
      return null;
  }
}
