// Tracing the links (and, with --fetch-pixels, the open-tracking pixels) of one e-mail, for
// `mail --trace` and the web UI's .eml uploads alike: the message case (message.eml as received,
// message.json) is written first, so every traced case can point back to it even if the run is
// killed; then the targets are traced (on the pool, at once); then message.json lists the traces
// and is sealed again.
import {
  createMessageCase,
  rewriteMessageRecord,
  traceContext,
  type AnalyzedLink,
  type AnalyzedResource,
  type MessageRecord,
  type MessageTrace,
  type UntracedTarget,
} from '../mail/message-case.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_RECORD_FILE, PARTIAL_FILE, TIMESTAMP_FILE } from '../case/case-layout.js';
import type { TimestampOutcome, TsaSettings } from '../timestamp/case-timestamp.js';
import { messageKey } from '../mail/message-key.js';
import { clickTarget, type PeeledGateway } from '../mail/gateway-wrappers.js';
import { messageKeyOfFolder, type CaseStore } from '../store/index.js';
import type { BatchEntry } from './batch.js';
import type { TraceDefaults, TraceRequest } from './tracer.js';

// The message case is written before any trace, sealed; the record gets its name.
export { createMessageCase } from '../mail/message-case.js';

/**
 * The message case of a message about to be traced: the one this cases folder recorded before for
 * the same message (the same messageKey: a mailbox traced again after a crash, Ctrl-C or with new
 * messages appended; the same message twice in a mailbox), its earlier traces kept in `record`;
 * else a new one. A message is so recorded once, with or without a Message-ID, as its links are
 * requested once, and the feed report counts it once.
 */
export function openMessageCase(store: CaseStore, raw: Buffer, record: MessageRecord): { id: string; dir: string; earlier: boolean } {
  const key = messageKey(raw);
  for (const id of store.messageCasesByKey(key)) {
    const dir = join(store.casesDir, id);
    try {
      // The index is derived: the sealed message.eml decides.
      if (messageKeyOfFolder(dir) !== key) continue;
      const before = JSON.parse(readFileSync(join(dir, MESSAGE_RECORD_FILE), 'utf8')) as MessageRecord;
      record.case = id;
      if (typeof before.recordedAt === 'string') record.recordedAt = before.recordedAt;
      record.traces = Array.isArray(before.traces) ? before.traces : [];
      return { id, dir, earlier: true };
    } catch {
      // Unreadable: not this message's case after all.
    }
  }
  const created = createMessageCase(store.casesDir, raw, record);
  // Indexed now, not once its traces end: the same message again in this mailbox (a mailbox often
  // holds a message twice) finds this case rather than making a second one the report would count.
  try {
    store.indexCase(created.dir);
  } catch {
    // `clicktrace reindex` rebuilds the index from the folders.
  }
  return { ...created, earlier: false };
}

/**
 * The TSA's token over a message case's seal, asked for unless the case holds one already. Sealing
 * a message case again (rewriteMessageRecord: a trace added) removes its token, so a token that is
 * there covers the manifest as it is: a message uploaded or traced again with nothing new keeps its
 * sealed case and its token as they were. Null when nothing was asked.
 */
export async function stampMessageCase(dir: string, tsa: TsaSettings): Promise<TimestampOutcome | null> {
  if (existsSync(join(dir, TIMESTAMP_FILE))) return null;
  const { stampCase } = await import('../timestamp/case-timestamp.js');
  return stampCase(dir, tsa);
}

/** What to trace of a message: link `link`, or remote resource `resource` (a pixel). */
export interface MessageTarget {
  url: string;
  link: number | null;
  resource?: number;
  /** How the terminal names it: "link 3", "pixel (resource 2)". */
  label: string;
  /** Trace options of this target that differ from the run's. */
  options?: Partial<TraceDefaults>;
  /** Recipient-side gateway wrappers taken off the link: `url` is what they wrap. */
  gateways?: PeeledGateway[];
}

export interface MessageTraceInput {
  /** The message case (see createMessageCase), and its record. */
  dir: string;
  record: MessageRecord;
  targets: MessageTarget[];
}

export interface TracedMessage {
  dir: string;
  record: MessageRecord;
  /** One per target, in the order given. */
  entries: BatchEntry[];
}

/** A link is requested without the wrappers of the recipient's security gateway (see src/mail/gateway-wrappers.ts). */
export function linkTarget(link: AnalyzedLink): MessageTarget {
  const { url, gateways } = clickTarget(link.url, link.unwrap);
  if (!gateways.length) return { url, link: link.index, label: `link ${link.index}` };
  const names = [...new Set(gateways.map((g) => g.party))].join(', ');
  return { url, link: link.index, label: `link ${link.index} (its ${names} wrapper peeled, not requested)`, gateways };
}

/** A pixel is fetched, not explored: nothing on an image is clicked. */
export function pixelTarget(pixel: AnalyzedResource): MessageTarget {
  return {
    url: pixel.url,
    link: null,
    resource: pixel.index,
    label: `pixel (resource ${pixel.index})`,
    options: { exploreDepth: 0, clicks: [] },
  };
}

/**
 * The trace request for one target of a message (explore, the default of `mail --trace`, comes
 * with the run's options; a target's own options win).
 */
export function targetRequest(record: MessageRecord, target: MessageTarget): TraceRequest & { line: null } {
  return {
    url: target.url,
    line: null,
    analysis: traceContext(record, target),
    ...(target.options ? { options: target.options } : {}),
  };
}

/**
 * Traces the targets of a message through `traceLink` (the batch, or the tracer) and records them
 * in its message case. Resolves once message.json lists them.
 */
export async function traceMessage(
  store: CaseStore,
  input: MessageTraceInput,
  traceLink: (request: TraceRequest & { line: null }) => Promise<BatchEntry>,
): Promise<TracedMessage> {
  const { record, dir, targets } = input;
  const entries = await Promise.all(targets.map((target) => traceLink(targetRequest(record, target))));
  // The same message met again while these traced (a copy later in the mailbox) may have written
  // the case's record meanwhile: what it lists is kept, the own trace of a link before a copy's
  // pointer to it ("earlier").
  const current = tracesOnDisk(dir);
  if (current) for (const trace of current) if (!record.traces.some((t) => sameTrace(t, trace))) record.traces.push(trace);
  let added = 0;
  entries.forEach((entry, i) => {
    const trace = traceEntry(store, targets[i], entry);
    if (!trace) return;
    // A message recorded before (openMessageCase) lists its earlier traces already.
    const known = record.traces.findIndex((t) => sameTrace(t, trace));
    if (known < 0) added += record.traces.push(trace);
    else if (record.traces[known].earlier && !trace.earlier) {
      record.traces[known] = trace;
      added++;
    }
  });
  if (added) rewriteMessageRecord(dir, record);
  try {
    store.indexCase(dir);
  } catch {
    // `clicktrace reindex` rebuilds the index from the folders.
  }
  return { dir, record, entries };
}

/** The traces a message case's record lists now, or null when it cannot be read. */
function tracesOnDisk(dir: string): MessageTrace[] | null {
  try {
    const traces = (JSON.parse(readFileSync(join(dir, MESSAGE_RECORD_FILE), 'utf8')) as MessageRecord).traces;
    return Array.isArray(traces) ? traces : null;
  } catch {
    return null;
  }
}

function sameTrace(a: MessageTrace, b: MessageTrace): boolean {
  return a.link === b.link && a.resource === b.resource && a.case === b.case;
}

/**
 * The targets of a message that got no case: not started (the run was stopped first) or failed
 * before their link was requested, each with why.
 */
export function untracedTargets(targets: MessageTarget[], entries: BatchEntry[]): UntracedTarget[] {
  return entries.flatMap((entry, i): UntracedTarget[] => {
    const target = targets[i];
    const of = { link: target.link, ...(target.resource !== undefined ? { resource: target.resource } : {}), url: target.url };
    if (entry.kind === 'skipped') return [{ ...of, kind: 'skipped', reason: entry.reason }];
    if (entry.kind === 'failed' && !entry.caseId) return [{ ...of, kind: 'failed', reason: entry.error }];
    return [];
  });
}

/** The line message.json keeps for a traced target; a URL traced before points at that case. */
function traceEntry(store: CaseStore, target: MessageTarget, entry: BatchEntry): MessageTrace | null {
  const of = {
    link: target.link,
    ...(target.resource !== undefined ? { resource: target.resource } : {}),
    ...(target.gateways?.length ? { requested: target.url, gateways: target.gateways.map((g) => g.party) } : {}),
  };
  switch (entry.kind) {
    case 'trace':
      return { ...of, case: entry.caseId, final: entry.report.final?.url ?? null, error: entry.report.error };
    case 'failed':
      return entry.caseId ? { ...of, case: entry.caseId, final: null, error: entry.error } : null;
    case 'already-traced':
    case 'duplicate': {
      if (!entry.caseId) return null;
      return { ...of, case: entry.caseId, ...earlierOutcome(store, entry.caseId), earlier: true };
    }
    default:
      return null;
  }
}

/**
 * Where the earlier trace of a URL ended. A trace cut off by a crash or `kill -9` is in no index
 * and its folder is still marked PARTIAL: it is said so, not passed off as a trace without result.
 */
function earlierOutcome(store: CaseStore, caseId: string): { final: string | null; error: string | null } {
  const earlier = store.caseSummary(caseId);
  if (earlier && !earlier.partial) return { final: earlier.finalUrl, error: earlier.error };
  const dir = join(store.casesDir, caseId);
  if (existsSync(join(dir, PARTIAL_FILE)))
    return { final: earlier?.finalUrl ?? null, error: earlier?.error ?? 'the earlier trace was cut off (its case was never closed)' };
  if (!existsSync(dir)) return { final: null, error: 'the earlier case folder is gone' };
  return { final: earlier?.finalUrl ?? null, error: earlier?.error ?? null };
}
