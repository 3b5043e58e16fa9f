// The one piece of code that traces links for every front end (trace, mail --trace, serve): a
// queue that runs at most `concurrency` traces at once on a pool of browsers, each trace with its
// own recording proxy and its own sealed case, and the ledger of requested URLs (store/ledger.ts)
// so that no link is requested twice in a cases folder, across runs and crashes included:
//   claim the URL -> the case folder is created -> the case is named in the ledger -> request.
// A URL asked for again while its trace runs waits for that trace and is answered with its case.
import { setMaxListeners } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TraceOptions } from '../capture/trace.js';
import type { Visitor } from '../capture/visitor.js';
import type { TimestampOutcome } from '../timestamp/case-timestamp.js';
import { parseTraceUrl, requestKey } from '../capture/trace-input.js';
import type { Report } from '../report.js';
import type { FeedAggregate } from '../feed/index.js';
import type { CaseStore } from '../store/index.js';
import { cutOffHereReason, sealCutOffCases } from '../case/seal-cut-off.js';
import { sweepCutOffCases, type SweepResult } from './cut-off-sweep.js';
import type { BrowserPool } from './browser-pool.js';
import { JobQueue } from './job-queue.js';

/** Trace settings the operator chose for every trace (the command's trace options). */
export type TraceDefaults = Omit<TraceOptions, 'url' | 'outDir' | 'onProgress' | 'onAnswer' | 'onCase' | 'signal'>;

export interface TraceRequest {
  url: string;
  /** Trace it even if this cases folder has requested it before. */
  again?: boolean;
  clicks?: string[];
  /** Options of this trace that differ from the tracer's (a pixel is fetched, not explored). */
  options?: Partial<TraceDefaults>;
  analysis?: TraceOptions['analysis'];
  commandLine?: string[];
  onProgress?: TraceOptions['onProgress'];
  /** The report as soon as it is derived, while the case is sealed (a browser trace's: trace.ts). */
  onAnswer?: TraceOptions['onAnswer'];
  /** Called when the trace leaves the queue and starts. */
  onStart?: () => void;
  /**
   * Who the trace presents itself as (`compare --as`). The same URL as another visitor is a
   * request of its own (compare asks for it with `again`, so the ledger records every request).
   */
  visitor?: Visitor;
  /** The case folder's name, chosen beforehand (a fleet server assigns it when the job is claimed). */
  caseName?: string;
  /**
   * Cancels this trace alone (its reason a string starting "interrupted"): queued, it leaves the
   * queue (skipped, nothing requested); running, it is stopped as Ctrl-C stops it (its case closed
   * and sealed with the reason as its error; skipped when its link was not requested yet).
   */
  signal?: AbortSignal;
}

/** The URL in the normalised form the case and the ledger record, or the failed outcome of a URL that is not http(s). */
export function normalizedTraceUrl(url: string): string | Extract<TraceOutcome, { kind: 'failed' }> {
  try {
    return parseTraceUrl(url).href;
  } catch (err) {
    return { kind: 'failed', url, caseId: null, error: (err as Error).message };
  }
}

/** Said of an earlier trace whose case folder is not there (TraceOutcome caseMissing). */
export const MISSING_CASE = 'not in this cases folder: deleted, or never delivered';

/** The outcome of a link the ledger refused: its earlier case, said missing when its folder is not in the cases folder. */
export function alreadyTraced(store: CaseStore, url: string, claim: { caseId: string | null; inProgress: boolean }): TraceOutcome {
  const caseMissing = !claim.inProgress && claim.caseId !== null && !existsSync(join(store.casesDir, claim.caseId));
  const summary = !claim.inProgress && claim.caseId !== null && !caseMissing ? store.caseSummary(claim.caseId) : null;
  // How that trace ended: an interrupted or cut-off one must not read as a plain success.
  const earlier = summary && (summary.partial || summary.error) ? { partial: summary.partial, error: summary.error } : null;
  return {
    kind: 'already-traced',
    url,
    caseId: claim.caseId,
    inProgress: claim.inProgress,
    ...(caseMissing ? { caseMissing } : {}),
    ...(earlier ? { earlier } : {}),
  };
}

/**
 * The earlier case of a link, left open by a process that died mid-trace (kill -9, a crash), is
 * sealed now as partial from what it recorded, and indexed: nothing it recorded is lost, and the
 * answer points at a sealed case. One that cannot be sealed is left as it is.
 */
async function sealIfCutOff(store: CaseStore, caseId: string, tsa: TraceDefaults['tsa']): Promise<void> {
  if ((await sealCutOffCases(store.casesDir, [caseId], cutOffHereReason, { tsa: tsa ?? null })) > 0)
    store.indexCase(join(store.casesDir, caseId));
}

export interface EarlierEnding {
  partial: boolean;
  error: string | null;
}

export type TraceOutcome =
  | { kind: 'traced'; url: string; caseId: string; caseDir: string; report: Report; timestamp: TimestampOutcome | null }
  /**
   * Requested before (caseId: its case, null if unknown); or, with inProgress, by another process right now.
   * caseMissing: that case is not in the cases folder (deleted, or never delivered by a fleet worker).
   */
  | {
      kind: 'already-traced';
      url: string;
      caseId: string | null;
      inProgress: boolean;
      caseMissing?: boolean;
      /** That case ended with an error or partial (interrupted, cut off). */
      earlier?: EarlierEnding;
    }
  /** Could not run or finish (bad options, no browser, the case could not be written); caseId when a case was begun. */
  | { kind: 'failed'; url: string; caseId: string | null; error: string; cause?: unknown }
  /** Never started, or stopped before its request: the tracer was stopped first. Nothing was requested (no case kept). */
  | { kind: 'skipped'; url: string; reason: string };

/**
 * What a batch needs of a tracer: this process's Tracer, or a server's queue (src/fleet/server-tracer.ts),
 * whose cases are in the server's store (store: null; the server sums them up: aggregate).
 */
export type TraceRunner = Pick<Tracer, 'trace' | 'stop' | 'concurrency' | 'queued'> & {
  readonly store: CaseStore | null;
  /** Without a store here: the aggregate of these cases where they are (the server's index). */
  aggregate?(caseIds: string[]): Promise<FeedAggregate | null>;
};

export interface TracerOptions {
  store: CaseStore;
  /** Traces running at once. */
  concurrency: number;
  /** Where traces get their browser; null: each trace launches its own (a one-trace command starts fastest so). */
  browsers: BrowserPool | null;
  trace?: TraceDefaults;
  /** The cases folder as the user gave it (case paths are reported under it); default: the store's. */
  outDir?: string;
  /**
   * Whether a finished case goes into the store's index (default true). A fleet worker's do not:
   * they leave its spool for the server's store, and its ledger named each request before it was made.
   */
  index?: boolean;
}

export class Tracer {
  private readonly queue: JobQueue;
  private readonly inFlight = new Map<string, Promise<TraceOutcome>>();
  private readonly abort = new AbortController();
  private stopped: string | null = null;
  private sweeping: Promise<SweepResult> | null = null;

  constructor(private readonly options: TracerOptions) {
    this.queue = new JobQueue(options.concurrency);
    // Every running trace listens to it; more than ten at once is normal here, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  get concurrency(): number {
    return this.queue.concurrency;
  }

  /** Most traces that ever ran at once. */
  get peakRunning(): number {
    return this.queue.peak;
  }

  get running(): number {
    return this.queue.running;
  }

  get queued(): number {
    return this.queue.queued;
  }

  get store(): CaseStore {
    return this.options.store;
  }

  /**
   * Queues one trace and resolves with its outcome; never rejects. The URL must be http(s) (the
   * caller checked it); it is traced in its normalised form (what the case and the ledger record).
   */
  trace(request: TraceRequest): Promise<TraceOutcome> {
    const url = normalizedTraceUrl(request.url);
    if (typeof url !== 'string') return Promise.resolve(url);
    // One request per link: a URL differing only in its #fragment waits for the same trace.
    const key = request.visitor ? `${request.visitor.name} ${url}` : requestKey(url);
    const running = this.inFlight.get(key);
    if (running)
      return untilAborted(
        url,
        request.signal,
        // A first trace cancelled before its request requested nothing: this one is traced on its own.
        running.then((first) => (first.kind === 'skipped' && !this.stopped ? this.trace(request) : sameLink(url, first))),
      );
    const { signal } = request;
    const outcome = new Promise<TraceOutcome>((resolve) => {
      const task = async () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(await this.run(url, request));
      };
      // Cancelled while it waits: out of the queue at once, nothing claimed.
      const onAbort = () => {
        if (this.queue.remove(task)) resolve({ kind: 'skipped', url, reason: abortReason(signal!) });
      };
      this.queue.push(task);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    this.inFlight.set(key, outcome);
    void outcome.then(() => this.inFlight.delete(key));
    return outcome;
  }

  /**
   * Starts no more traces (queued ones resolve as skipped, nothing requested). With `abortRunning`
   * the running ones are stopped as soon as they can be: their cases are closed with `reason` as
   * their error. Resolves when nothing runs any more.
   */
  async stop(reason: string, { abortRunning = false }: { abortRunning?: boolean } = {}): Promise<void> {
    this.stopped ??= reason;
    if (abortRunning) this.abort.abort(reason);
    await this.queue.idle();
  }

  /**
   * Settles the cases earlier processes on this host left open in the cases folder when they died
   * (cut-off-sweep.ts): call before the first trace. Removals and indexing are done when it
   * returns; the seals (as partial, then indexed) go on in the background while traces run (the
   * sweep touches no case a live process writes). Started once; resolves with what it did.
   */
  sweepCutOff(): Promise<SweepResult> {
    this.sweeping ??= sweepCutOffCases(this.options.store, { tsa: this.options.trace?.tsa ?? null });
    return this.sweeping;
  }

  /** Resolves when every queued and running trace has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async run(url: string, request: TraceRequest): Promise<TraceOutcome> {
    if (this.stopped) return { kind: 'skipped', url, reason: this.stopped };
    if (request.signal?.aborted) return { kind: 'skipped', url, reason: abortReason(request.signal) };
    const { store } = this.options;
    let claim;
    try {
      claim = store.ledger.claim(url, { again: request.again ?? false, alongside: request.visitor !== undefined });
    } catch (err) {
      return { kind: 'failed', url, caseId: null, error: `the ledger of requested URLs cannot be written: ${firstLine(err)}` };
    }
    if (!claim.ok) {
      if (claim.caseId && !claim.inProgress) {
        // The sweep may be sealing that very case: one seal at a time.
        await this.sweeping;
        await sealIfCutOff(store, claim.caseId, this.options.trace?.tsa);
      }
      return alreadyTraced(store, url, claim);
    }
    request.onStart?.();
    // Set by onCase, a callback: declared so that the checks after the trace are not narrowed away.
    let caseId = null as string | null;
    let lease = null;
    const { visitor } = request;
    const browserless = visitor?.javascript === false;
    try {
      lease = this.options.browsers ? await this.options.browsers.acquire(browserless ? undefined : visitor?.languages) : null;
      // The scanner needs no browser: the pool's (when there is one) only tells it the Chromium version its User-Agent names.
      const chromiumVersion = browserless && lease ? lease.browser.version() : undefined;
      if (browserless) lease?.release();
      // Loaded when first needed: a command that finds its link traced before never parses the capture code.
      const options: TraceOptions = {
        ...this.options.trace,
        ...request.options,
        ...(visitor ? { visitor } : {}),
        url,
        clicks: request.clicks?.length ? request.clicks : (request.options?.clicks ?? this.options.trace?.clicks ?? []),
        ...(request.caseName ? { caseName: request.caseName } : {}),
        outDir: this.options.outDir ?? store.casesDir,
        ...(request.commandLine ? { commandLine: request.commandLine } : {}),
        ...(request.analysis ? { analysis: request.analysis } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        ...(request.onAnswer ? { onAnswer: request.onAnswer } : {}),
        signal: request.signal ? AbortSignal.any([this.abort.signal, request.signal]) : this.abort.signal,
        onCase: (id) => {
          store.ledger.attach(claim.id, id);
          caseId = id;
        },
      };
      const result = browserless
        ? await (
            await import('../capture/http-client-trace.js')
          ).httpClientTrace({ ...options, ...(chromiumVersion ? { chromiumVersion } : {}) })
        : await (await import('../capture/trace.js')).trace(options, lease?.browser);
      if (caseId === null) {
        // Stopped before its request (Ctrl-C while its browser session opened, or while its link's
        // host resolved: nothing went upstream): the link was not requested, so it stays fresh for
        // a later run (the claim is released below), and its case folder, which records nothing of
        // it, goes (else `reindex` would count the link as spent).
        rmSync(result.caseDir, { recursive: true, force: true });
        return { kind: 'skipped', url, reason: result.report.error ?? 'stopped before the link was requested' };
      }
      try {
        if (this.options.index !== false) store.indexCase(resolve(result.caseDir));
      } catch {
        // The index can always be rebuilt with `clicktrace reindex`; the case is what matters.
      }
      return {
        kind: 'traced',
        url,
        caseId: result.report.case ?? caseId,
        caseDir: result.caseDir,
        report: result.report,
        timestamp: result.timestamp,
      };
    } catch (err) {
      return { kind: 'failed', url, caseId, error: firstLine(err), cause: err };
    } finally {
      lease?.release();
      // A claim that never got its case requested nothing: the URL is free again.
      if (caseId === null) {
        try {
          store.ledger.release(claim.id);
        } catch {
          // Left as a claim of this process: released on a later run once this process is gone.
        }
      }
    }
  }
}

/** The error a trace stopped by the analyst's cancel ends with (its case says it), as Ctrl-C's "interrupted by SIGINT". */
export function cancelReason(at: string): string {
  return `interrupted: cancelled by the analyst at ${at}`;
}

/** Why a trace was cancelled: its signal's reason when it is text. */
function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return typeof reason === 'string' ? reason : 'interrupted: cancelled';
}

/** `outcome`, or skipped as soon as `signal` aborts (a trace waiting for another one's outcome, cancelled meanwhile). */
function untilAborted(url: string, signal: AbortSignal | undefined, outcome: Promise<TraceOutcome>): Promise<TraceOutcome> {
  if (!signal) return outcome;
  if (signal.aborted) return Promise.resolve({ kind: 'skipped', url, reason: abortReason(signal) });
  return new Promise((resolve) => {
    const onAbort = () => resolve({ kind: 'skipped', url, reason: abortReason(signal) });
    signal.addEventListener('abort', onAbort, { once: true });
    void outcome.then((o) => {
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    });
  });
}

/** The answer for a URL asked for while its first trace ran: that trace's case. */
function sameLink(url: string, first: TraceOutcome): TraceOutcome {
  if (first.kind === 'traced') return { kind: 'already-traced', url, caseId: first.caseId, inProgress: false };
  if (first.kind === 'failed') return { ...first, url };
  return { ...first, url };
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0];
}
