// A batch: many links traced on one Tracer (the pool) as one run, for `clicktrace trace` with many
// URLs and `clicktrace mail --trace` over a mailbox. It adds what a run needs on top of the
// tracer: a duplicate of a URL earlier in the batch (the same request: the same URL once
// normalised, its #fragment aside, see requestKey) is traced once and answered with the first
// one's case; results are reported as they finish (completion order, each with its input line);
// running counts for the progress line and the summary; Ctrl-C (interrupt) stops it.
import { parseTraceUrl, requestKey } from '../capture/trace-input.js';
import { nextTurn, TURN_MS } from './event-loop.js';
import type { Report } from '../report.js';
import type { TimestampOutcome } from '../timestamp/case-timestamp.js';
import { BatchTally, batchSummary, type BatchSummary } from './batch-summary.js';
import { aggregateCases } from '../feed/index.js';
import type { EarlierEnding, TraceOutcome, TraceRequest, TraceRunner } from './tracer.js';
import type { InputItem } from './url-list.js';

/** How a URL was written when it was taken out of other text: defanged, in <...> or quotes (see InputItem). */
export interface Written {
  /** The text as written. */
  given?: string;
  /** The defanging markers undone (`hxxps`, `[.]`, ...). */
  refanged?: string[];
  /** Where the link came from when it has no line: the message of a mailbox (`feed.mbox#12`). */
  source?: string;
}

/** One result of a batch: a JSON Lines record of `trace --json` with many URLs (plus `line`). */
export type BatchEntry = (
  | { kind: 'trace'; line: number | null; url: string; caseId: string; caseDir: string; report: Report; timestamp: TimestampOutcome | null }
  | {
      kind: 'already-traced';
      line: number | null;
      url: string;
      caseId: string | null;
      inProgress: boolean;
      caseMissing?: boolean;
      earlier?: EarlierEnding;
    }
  | { kind: 'duplicate'; line: number | null; url: string; of: number | null; caseId: string | null }
  | { kind: 'failed'; line: number | null; url: string; caseId: string | null; error: string }
  | { kind: 'skipped'; line: number | null; url: string; reason: string }
  | { kind: 'invalid'; line: number; text: string; error: string }
) &
  Written;

export interface BatchOptions {
  /** Trace URLs again even if the cases folder requested them before. */
  again?: boolean;
  /** The command line recorded in each case. */
  commandLine?: (url: string) => string[];
  /** Each result as it finishes. */
  onEntry?: (entry: BatchEntry) => void;
}

export interface InFlight {
  url: string;
  since: number;
}

export class Batch {
  readonly tally = new BatchTally();
  /** Traces running now, for the progress line. */
  readonly inFlight = new Map<number, InFlight>();
  /** Links given to the batch so far, and those finished (whatever the outcome). */
  submitted = 0;
  finished = 0;
  interrupted: string | null = null;
  /** The first occurrence of every URL of the batch, and (once known) its case: a few strings each, never the report. */
  private readonly firsts = new Map<string, { line: number | null; caseId: Promise<string | null> }>();
  private nextId = 0;
  private readonly progressListeners = new Set<() => void>();

  constructor(
    readonly tracer: TraceRunner,
    private readonly options: BatchOptions = {},
  ) {}

  /**
   * Traces one link (a repeat of an earlier one in this batch is answered with that one's case).
   * A URL taken out of other text (`given`, e.g. refanged) is traced as `url`; the case records `given`.
   */
  async trace(request: TraceRequest & { line: number | null } & Written): Promise<BatchEntry> {
    const { line, given, refanged, source, ...traceRequest } = request;
    const written: Written = {
      ...(given !== undefined ? { given } : {}),
      ...(refanged?.length ? { refanged } : {}),
      ...(source !== undefined ? { source } : {}),
    };
    let href: string;
    try {
      href = parseTraceUrl(request.url).href;
    } catch (err) {
      return this.report({ kind: 'invalid', line: line ?? 0, text: request.url, error: (err as Error).message });
    }
    const key = requestKey(href);
    this.submitted++;
    this.notify();
    const first = this.firsts.get(key);
    if (first) return this.report({ kind: 'duplicate', line, url: request.url, of: first.line, caseId: await first.caseId, ...written });
    const id = this.nextId++;
    const outcome = this.tracer.trace({
      ...traceRequest,
      ...(given !== undefined ? { analysis: { ...traceRequest.analysis, given } } : {}),
      again: request.again ?? this.options.again ?? false,
      ...(this.options.commandLine && !request.commandLine ? { commandLine: this.options.commandLine(href) } : {}),
      onStart: () => {
        this.inFlight.set(id, { url: href, since: Date.now() });
        request.onStart?.();
        this.notify();
      },
    });
    this.firsts.set(key, { line, caseId: outcome.then((o) => ('caseId' in o ? o.caseId : null)) });
    const done = await outcome;
    this.inFlight.delete(id);
    return this.report({ ...batchEntry(done, line, request.url), ...written });
  }

  /** Runs a list of inputs, feeding the pool a little ahead of what it runs; resolves when all are reported. */
  async run(items: InputItem[]): Promise<void> {
    const pending = new Set<Promise<unknown>>();
    let index = 0;
    let turnAt = Date.now();
    for (; index < items.length && !this.interrupted; index++) {
      const item = items[index];
      // Lines answered without a trace (repeats, links traced before, lines that are not URLs) never
      // wait for the pool: a long run of them held the event loop, and Ctrl-C went unheard to the end.
      if (Date.now() - turnAt >= TURN_MS) {
        await nextTurn();
        turnAt = Date.now();
        if (this.interrupted) break;
      }
      while (this.tracer.queued >= this.tracer.concurrency && pending.size > 0 && !this.interrupted) await Promise.race(pending);
      if (this.interrupted) break;
      const work = 'error' in item ? Promise.resolve(this.report({ kind: 'invalid', ...item })) : this.trace(item);
      pending.add(work);
      void work.finally(() => pending.delete(work));
    }
    // Every input gets its line, so that a reader of the results can account for each: those never
    // handed to the pool are reported as not started (a line that is not a URL, as invalid).
    for (; index < items.length; index++) {
      const item = items[index];
      if ('error' in item) this.report({ kind: 'invalid', ...item });
      else {
        const { line, url, given, refanged } = item;
        this.submitted++;
        this.report({
          kind: 'skipped',
          line,
          url,
          reason: this.interrupted ?? 'interrupted',
          ...(given !== undefined ? { given } : {}),
          ...(refanged?.length ? { refanged } : {}),
        });
      }
    }
    await Promise.all(pending);
  }

  /**
   * A link traced another way (an e-mail's link, on the server it was submitted to whole) met in
   * this batch: null the first time (`caseId`, once known, is then its case); after that, its first
   * occurrence, so that the repeat is reported as its duplicate, as trace() reports it.
   */
  meet(url: string, line: number | null, caseId: Promise<string | null>): { line: number | null; caseId: Promise<string | null> } | null {
    let key: string;
    try {
      key = requestKey(parseTraceUrl(url).href);
    } catch {
      return null;
    }
    const first = this.firsts.get(key);
    if (first) return first;
    this.firsts.set(key, { line, caseId });
    return null;
  }

  /** A result obtained another way (an e-mail submitted whole to a server), counted like the batch's own. */
  add(entry: BatchEntry): BatchEntry {
    this.submitted++;
    return this.report(entry);
  }

  /**
   * Ctrl-C: nothing more starts; running traces are stopped and their cases closed with `reason`
   * (unless not `abortRunning`: then they run to their end).
   */
  async interrupt(reason: string, { abortRunning = true }: { abortRunning?: boolean } = {}): Promise<void> {
    this.interrupted ??= reason;
    await this.tracer.stop(reason, { abortRunning });
  }

  /**
   * The summary so far, with the feed aggregate of the batch's cases: read from the case index here
   * (which must be open), or, for a batch run on a server, from the server's index (the same aggregate).
   */
  async summary(): Promise<BatchSummary> {
    const summary = batchSummary(this.tally, {
      concurrency: this.tracer.concurrency,
      interrupted: this.interrupted,
      ...(this.tracer.store ? { aggregate: (caseIds: string[]) => aggregateCases(this.tracer.store!, { caseIds }) } : {}),
    });
    if (!this.tracer.store && this.tracer.aggregate && this.tally.caseIds.length)
      summary.aggregate = await this.tracer.aggregate(this.tally.caseIds);
    return summary;
  }

  /** Calls back whenever the progress changes (a trace starts or ends); returns the unsubscribe function. */
  onProgress(listener: () => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  private report<T extends BatchEntry>(entry: T): T {
    this.finished++;
    this.tally.add(entry);
    this.options.onEntry?.(entry);
    this.notify();
    return entry;
  }

  private notify(): void {
    for (const listener of this.progressListeners) listener();
  }
}

/** A tracer's outcome as a batch result. */
export function batchEntry(outcome: TraceOutcome, line: number | null, url: string): BatchEntry {
  switch (outcome.kind) {
    case 'traced':
      return {
        kind: 'trace',
        line,
        url,
        caseId: outcome.caseId,
        caseDir: outcome.caseDir,
        report: outcome.report,
        timestamp: outcome.timestamp,
      };
    case 'already-traced':
      return {
        kind: 'already-traced',
        line,
        url,
        caseId: outcome.caseId,
        inProgress: outcome.inProgress,
        ...(outcome.caseMissing ? { caseMissing: true } : {}),
        ...(outcome.earlier ? { earlier: outcome.earlier } : {}),
      };
    case 'failed':
      return { kind: 'failed', line, url, caseId: outcome.caseId, error: outcome.error };
    case 'skipped':
      return { kind: 'skipped', line, url, reason: outcome.reason };
  }
}
