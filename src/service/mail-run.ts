// The messages of a `clicktrace mail` run, one by one: each met in the source's order (an
// unreadable one, or one met after a stop, goes no further), then analysed into its record with
// the links to trace picked, then traced here (its message case written first, see messages.ts)
// or sent whole to a server; each counted in the run's tally. The command renders what comes back.
import { clean, truncate } from '../terminal-text.js';
import {
  isTraceable,
  messageRecord,
  traceablePixels,
  type AnalyzedLink,
  type MessageRecord,
  type UntracedTarget,
} from '../mail/message-case.js';
import type { MailSourceItem } from '../mail/mailbox.js';
import type { MailAnalysis } from '../mail/parse.js';
import type { RecipientMap } from '../mail/recipient-map.js';
import type { TimestampOutcome, TsaSettings } from '../timestamp/case-timestamp.js';
import { unsliced } from '../unsliced.js';
import type { Batch, BatchEntry } from './batch.js';
import type { BatchTally } from './batch-summary.js';
import type { MailTracing, MessageServer } from './mail-tracing.js';
import {
  linkTarget,
  openMessageCase,
  pixelTarget,
  stampMessageCase,
  traceMessage,
  untracedTargets,
  type MessageTarget,
} from './messages.js';

export type TraceMode = { kind: 'static' } | { kind: 'main' } | { kind: 'all' } | { kind: 'index'; index: number };

/** A message that could not be taken out of its mailbox, or handled: as its JSON line says it. */
export interface UnreadMessage {
  kind: 'error';
  source: string;
  error: string;
}

/** A message not started (after Ctrl-C, or its mailbox ended on the server): as its JSON line says it. */
export interface SkippedMessage {
  kind: 'skipped';
  source: string;
  reason: string;
}

/** What the run says of each message: its record, or why it has none. */
export type MessageResult = MessageRecord | UnreadMessage | SkippedMessage;

/** A message met, its analysis under way. */
export interface MetMessage {
  kind: 'met';
  raw: Buffer;
  source: string;
  /** Its number in the mailbox: its line in the server's batch of the mailbox. */
  number: number;
}

/** A message analysed, what to trace of it picked: shown as it is now, before anything is traced. */
export interface MessageToTrace {
  kind: 'to-trace';
  met: MetMessage;
  analysis: MailAnalysis;
  record: MessageRecord;
  links: AnalyzedLink[];
  targets: MessageTarget[];
  /** Why nothing is traced, to be said (a --trace N that finds no link says it as an error instead). */
  nothingTraced: string | null;
}

/** How the traces of a message went. */
export interface MessageTraced {
  kind: 'traced';
  /** The record as the JSON gives it (the server's, when sent there). */
  result: MessageRecord;
  /** Why the server took no part of the message. */
  error: string | null;
  targets: { label: string; entry: BatchEntry }[];
  /** Where its message case is, and whether it was recorded before this run. */
  messageCase: { location: string; earlier: boolean } | null;
}

export interface MailRunOptions {
  mode: TraceMode;
  fetchPixels: boolean;
  recipientMap: RecipientMap | null;
  /** Null when nothing is traced. */
  tracing: MailTracing | null;
  tally: BatchTally;
  /** Why the run stopped, shared with whatever stops it; the run stops itself when the server ends the mailbox. */
  stop: { reason: string | null };
  again: boolean;
  clicks: string[];
  /** The cases folder, as named to the analyst. */
  outDir: string;
  tsa: TsaSettings | null | undefined;
  /** The server's base URL, with --server. */
  serverBase: string | null;
  /** Each timestamp of a case sealed here, as it comes. */
  onTimestamp: (outcome: TimestampOutcome | null) => void;
}

export class MailRun {
  private messagesMet = 0;
  /** A pixel URL is fetched once per run, however many messages carry it (and once per cases folder: the ledger). */
  private readonly fetchedPixels = new Set<string>();

  constructor(private readonly options: MailRunOptions) {}

  /** The next message of the source, taken as it is met (before its analysis is awaited). */
  meet(item: MailSourceItem): MetMessage | UnreadMessage | SkippedMessage {
    const number = ++this.messagesMet;
    if (this.options.stop.reason) return this.notStarted(item.source, this.options.stop.reason);
    if ('error' in item) return this.failed(item.source, item.error);
    return { kind: 'met', raw: item.raw, source: item.source, number };
  }

  /** The message's record and what of it to trace, once it is analysed. */
  analysed(met: MetMessage, analysis: MailAnalysis): MessageToTrace | SkippedMessage {
    const { mode, stop } = this.options;
    // Stopped while it was analysed: nothing of it traced, so not started either.
    if (stop.reason) return this.notStarted(met.source, stop.reason);
    const record = messageRecord(analysis, { recipientMap: this.options.recipientMap });
    const links = linksToTrace(mode, record.links);
    const pixels = this.options.fetchPixels ? traceablePixels(record, this.fetchedPixels) : [];
    for (const pixel of pixels) this.fetchedPixels.add(unsliced(pixel.url));
    if (mode.kind === 'index' && links.length === 0) {
      const link = record.links.find((l) => l.index === mode.index);
      analysis.errors.push(
        link
          ? `--trace ${mode.index}: link ${mode.index} is not http(s) (${truncate(link.url, 60)}); nothing traced`
          : `--trace ${mode.index}: this message has ${record.links.length} link(s)`,
      );
    }
    // Asked to trace, nothing to trace: said so, rather than a silence that reads like success; the
    // message case records it all the same (its headers name a sending platform).
    if (mode.kind !== 'static' && links.length === 0) record.notTraced = whyNothingTraced(mode, record.links);
    return {
      kind: 'to-trace',
      met,
      analysis,
      record,
      links,
      targets: [...links.map(linkTarget), ...pixels.map(pixelTarget)],
      nothingTraced: mode.kind !== 'index' ? (record.notTraced ?? null) : null,
    };
  }

  /** Traces the message here or sends it to the server, and counts it. */
  async trace(message: MessageToTrace): Promise<MessageTraced | SkippedMessage> {
    const { tracing, mode, tally } = this.options;
    const { analysis, record, links } = message;
    const traced: MessageTraced = { kind: 'traced', result: record, error: null, targets: [], messageCase: null };
    let untraced: UntracedTarget[] = [];
    // With --trace main a message without a link is sent too (the server refuses what has no
    // header, link or subject as no e-mail): the server records its message case.
    const recordable = analysis.from || analysis.subject || analysis.messageId;
    if ((links.length || (mode.kind === 'main' && recordable)) && tracing?.server && !tracing.batch.interrupted) {
      const ended = await this.sendToServer(message, tracing.server, tracing.batch, traced);
      if (ended) return ended;
    } else if (tracing?.store && !tracing.batch.interrupted) {
      untraced = await this.traceHere(message, tracing, traced);
    }
    tally.addMessage({
      source: message.met.source,
      messageId: analysis.messageId,
      caseId: record.case,
      errors: analysis.errors,
      warnings: analysis.warnings,
    });
    // The JSON line says which of its links got no case (the terminal says it in its results), so
    // that the summary's notStarted is found in the lines; message.json is left as the case recorded it.
    if (untraced.length) traced.result = { ...record, untraced };
    return traced;
  }

  /** A message that could not be handled (its case unwritable, the server gone): that message's error, counted. */
  failed(source: string, error: string): UnreadMessage {
    this.options.tally.addMessage({ source, messageId: null, caseId: null, errors: [error], warnings: [] });
    return { kind: 'error', source, error };
  }

  // After Ctrl-C every message still to come gets its line (not started): the output accounts for the whole mailbox.
  private notStarted(source: string, reason: string): SkippedMessage {
    this.options.tally.messageNotStarted();
    return { kind: 'skipped', source, reason };
  }

  /**
   * The server makes the message case and traces the link on its queue: its record comes back.
   * Returns the message not started when the mailbox ended on the server.
   */
  private async sendToServer(
    message: MessageToTrace,
    server: MessageServer,
    batch: Batch,
    traced: MessageTraced,
  ): Promise<SkippedMessage | null> {
    const { mode, again, stop } = this.options;
    const { met, analysis, record, links } = message;
    const link = mode.kind === 'index' ? mode.index : null;
    // The same link in an earlier message of this run: the server answers it with that case (its
    // ledger; never with "again", which would request it twice), and it is reported as here, a
    // duplicate of the first.
    let caseOfFirst: (caseId: string | null) => void = () => undefined;
    const first = links.length ? batch.meet(linkTarget(links[0]).url, null, new Promise((resolve) => (caseOfFirst = resolve))) : null;
    const sent = await server.traceMessage(met.raw, { link, again: again && !first, clicks: this.options.clicks, message: met.number });
    caseOfFirst('error' in sent || !sent.outcome || !('caseId' in sent.outcome) ? null : sent.outcome.caseId);
    // The analyst cancelled (or closed) the mailbox on the server, or the server closed it, having
    // heard nothing of this command for its lease: this message and the rest are not sent.
    const ended = 'error' in sent && sent.code ? ENDED_ON_SERVER.get(sent.code) : undefined;
    if (ended) {
      stop.reason ??= ended;
      return this.notStarted(met.source, stop.reason);
    }
    if ('error' in sent) {
      analysis.errors.push(sent.error);
      traced.error = sent.error;
      return null;
    }
    const { job, outcome } = sent;
    const { batchEntry } = await import('./batch.js');
    const answered =
      outcome && first && outcome.kind === 'already-traced' && !outcome.inProgress
        ? { kind: 'duplicate' as const, line: null, url: outcome.url, of: first.line, caseId: await first.caseId }
        : outcome && batchEntry(outcome, null, outcome.url);
    const entry = answered ? batch.add({ ...answered, source: met.source }) : null;
    if (job.messageCaseId) {
      try {
        Object.assign(record, await server.messageRecord(job.messageCaseId));
      } catch (err) {
        record.case = job.messageCaseId;
        analysis.errors.push(`the message record could not be read back: ${(err as Error).message}`);
      }
    }
    if (entry) traced.targets.push({ label: `link ${job.link ?? links[0].index}`, entry });
    if (job.messageCaseId) traced.messageCase = { location: `${this.options.serverBase}/cases/${job.messageCaseId}`, earlier: false };
    return null;
  }

  /**
   * A message with nothing to trace (no link, no pixel) is recorded too, as a message case without
   * traces: the feed report counts it and its sending platform, as the summary does. Returns the
   * targets that got no case.
   */
  private async traceHere(message: MessageToTrace, tracing: MailTracing, traced: MessageTraced): Promise<UntracedTarget[]> {
    const { met, record, targets } = message;
    const { tsa, onTimestamp } = this.options;
    const store = tracing.store!;
    const opened = openMessageCase(store, met.raw, record);
    const done = await traceMessage(store, { dir: opened.dir, record, targets }, (request) =>
      tracing.batch.trace({ ...request, source: met.source }),
    );
    done.entries.forEach((entry, i) => {
      traced.targets.push({ label: targets[i].label, entry });
      if (entry.kind === 'trace') onTimestamp(entry.timestamp);
    });
    const untraced = untracedTargets(targets, done.entries);
    if (tsa) onTimestamp(await stampMessageCase(opened.dir, tsa));
    traced.messageCase = { location: `${this.options.outDir}/${opened.id}`, earlier: opened.earlier };
    return untraced;
  }
}

/** Why the messages left are not sent, by the code the server refuses a message of the mailbox with. */
const ENDED_ON_SERVER = new Map([
  ['batch-cancelled', 'the mailbox was cancelled on the server'],
  ['batch-closed', 'the mailbox was closed on the server'],
  ['batch-expired', 'the server closed the mailbox: it heard nothing of this command for longer than its lease'],
  ['batch-gone', 'the server no longer knows the mailbox (restarted on another cases folder?)'],
]);
const SERVER_ENDINGS = new Set(ENDED_ON_SERVER.values());

/** Whether a run stopped because the server ended its mailbox (not all of it traced: a failure, no signal's). */
export function endedOnServer(reason: string | null): boolean {
  return reason !== null && SERVER_ENDINGS.has(reason);
}

function linksToTrace(mode: TraceMode, links: AnalyzedLink[]): AnalyzedLink[] {
  switch (mode.kind) {
    case 'static':
      return [];
    case 'main':
      return links.filter((l) => l.main && isTraceable(l));
    case 'all': {
      const seen = new Set<string>();
      return links.filter((l) => isTraceable(l) && !l.unsubscribe && !seen.has(l.url) && seen.add(l.url));
    }
    case 'index':
      return links.filter((l) => l.index === mode.index && isTraceable(l));
  }
}

function whyNothingTraced(mode: Exclude<TraceMode, { kind: 'static' }>, links: AnalyzedLink[]): string {
  if (!links.length) return 'no link to trace';
  switch (mode.kind) {
    case 'main':
      return mainNotTraceable(links);
    case 'all':
      return links.some((l) => l.unsubscribe && isTraceable(l))
        ? 'only unsubscribe links, which --trace all leaves (--trace N traces one by its number)'
        : 'no http(s) links';
    case 'index':
      return `no http(s) link ${mode.index}`;
  }
}

/** Why --trace main traces nothing in a message that has links: its call-to-action is no web link, or it has none. */
function mainNotTraceable(links: readonly { main: boolean; index: number; url: string }[]): string {
  const main = links.find((l) => l.main);
  return main
    ? `its call-to-action is link ${main.index}, ${clean(truncate(main.url, 60))}: not http(s), nothing to trace`
    : 'no http(s) call-to-action (--trace N picks a link by its number)';
}
