// Jobs, their store and submissions, for `clicktrace serve` and its web UI (a thin front end
// over this): a submission (a URL, or an uploaded .eml whose main link is traced) becomes a job
// run by the Tracer (the browser pool and the ledger of requested URLs), with live progress
// events and the indexing of every finished case. Nothing shells out to the CLI.
// Jobs are saved in the case index (table `jobs`) at every change of state: after a restart the
// list is still there, jobs that never started run, and a job that was running when the server
// stopped is marked failed, not run again (its link may be single-use). A link this cases folder
// traced before is not requested again: its job points at the earlier case (unless `again`).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser } from '../capture/browser.js';
import { analyzeMessage } from '../mail/parse.js';
import { splitMbox, startsAsMbox } from '../mail/mailbox.js';
import { isTraceable, messageRecord, traceableMainLink, type MessageRecord } from '../mail/message-case.js';
import { CaseStore } from '../store/index.js';
import { checkTarget } from './target-check.js';
import { SubmissionError } from './submission-error.js';
import { jobEnded, type JobState } from './job-state.js';
import { MESSAGE_RECORD_FILE } from '../case/case-layout.js';
import { isOpenCase } from '../case/seal-cut-off.js';
import { BrowserPool } from './browser-pool.js';
import type { SweepResult } from './cut-off-sweep.js';
import { cancelReason, MISSING_CASE, Tracer, type TraceDefaults, type TraceRequest } from './tracer.js';
import { batchEntry, type BatchEntry } from './batch.js';
import { linkTarget, openMessageCase, stampMessageCase, traceMessage } from './messages.js';
import { defaultConcurrency } from './defaults.js';
import { casesRecipientMap, exactAddresses, type RecipientMap } from '../mail/recipient-map.js';
import type { TimestampOutcome } from '../timestamp/case-timestamp.js';
import { choiceArguments, type TraceChoices } from './submission-options.js';
import {
  batchCaseIds,
  batchCounts,
  DEFAULT_MAX_LIST_BYTES,
  DEFAULT_MAX_LIST_URLS,
  planBatch,
  readSubmittedList,
  resolvedItems,
  type BatchCounts,
  type BatchItem,
  type BatchSubmission,
} from './batch-submission.js';
import { aggregateCases, type FeedAggregate } from '../feed/index.js';
import type { TraceOutcome } from './tracer.js';
// Types only: BullMQ is loaded by the caller (serve --queue), never by the embedded default.
import type { FleetDispatcher, FleetJobHost, FleetJobState } from '../fleet/dispatcher.js';

export { SubmissionError } from './submission-error.js';
export type { TraceDefaults } from './tracer.js';

export interface ServiceOptions {
  casesDir: string;
  /** Traces running at once (default: defaultConcurrency(), measured for this machine). */
  concurrency?: number;
  trace?: TraceDefaults;
  /** Largest accepted .eml upload in bytes (default 10 MiB). */
  maxMessageBytes?: number;
  /** Largest accepted list of links in bytes (default 4 MiB), and most URLs in one (default 1000). */
  maxListBytes?: number;
  maxListUrls?: number;
  /** Jobs waiting at most; more submissions are refused with 503 (default 1000). */
  maxQueued?: number;
  /** How the shared browser is launched (default: Debian Chromium via launchBrowser). */
  launch?: () => Promise<Browser>;
  /**
   * `serve --queue`: every job goes on this Redis (BullMQ) queue and is traced by fleet workers
   * (src/fleet/dispatcher.ts) instead of this process's browsers.
   */
  fleet?: (host: FleetJobHost, trace: TraceDefaults | undefined) => FleetDispatcher;
  /**
   * How long a mailbox being sent (`mail --trace --server`) stays open without a word from its
   * sender (default DEFAULT_MAILBOX_LEASE_MS): then the server closes it (see renewMailbox).
   */
  mailboxLeaseMs?: number;
}

/**
 * The default lease of a mailbox being sent: its sender renews it at every message and every
 * quarter of it between (ServerTracer), so only a sender that is gone (killed, its machine or
 * network down) lets it run out. Two minutes: an analyst sees a dead sender's batch end soon, and a
 * rerun of the command sends the rest (nothing it sent is traced twice).
 */
export const DEFAULT_MAILBOX_LEASE_MS = 2 * 60_000;

export { jobCounts, jobEnded, type JobCounts, type JobState } from './job-state.js';

export interface JobEvent {
  seq: number;
  at: string;
  kind: string;
  detail: string;
}

export interface Job {
  id: string;
  kind: 'url' | 'message';
  url: string | null;
  /** The link as the user wrote it, when `url` was taken out of it (e.g. refanged). */
  given?: string;
  clicks: string[];
  /** Trace options of this submission, over the server's (device, user agent, explore, timeout). */
  options?: TraceChoices;
  /** For a message: the uploaded file's name, its subject and the traced link's number. */
  filename: string | null;
  subject: string | null;
  link: number | null;
  state: JobState;
  submittedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** The capture case, once the trace has written it (or the earlier case of a link traced before). */
  caseId: string | null;
  /** The link was traced before in this cases folder: not requested again, caseId is that trace. */
  alreadyTraced?: boolean;
  /** Of a job alreadyTraced: that case is not in the cases folder (deleted, or never delivered by a fleet worker). */
  caseMissing?: boolean;
  /** Its case is partial: the trace was cut off (a fleet worker died mid-trace, the server stopped mid-trace) and sealed from what it recorded. */
  partial?: boolean;
  /** Submitted with `again`: traced even if it was traced before. */
  again?: boolean;
  messageCaseId: string | null;
  /** Why the job could not run (the trace's own errors are in the case: chainError). */
  error: string | null;
  chainError: string | null;
  events: JobEvent[];
  /** Events left out of `events` once it reached its cap. */
  droppedEvents: number;
  /** With `serve --queue`: its dispatches, and the claim of the worker tracing it. */
  fleet?: FleetJobState;
  /** The batch (a submitted list) this job traces a line of. */
  batch?: string;
  /** A failed job run again (see TraceService.retry): the job it retries, and the job that retried it. */
  retryOf?: string;
  retriedAs?: string;
  /**
   * When the analyst cancelled it (see TraceService.cancel). A job with this set ends as
   * `cancelled`; until then (a running trace being stopped, its case sealed) it is still running.
   */
  cancelledAt?: string;
}

/**
 * Whether a failed job may be run again: only when its link was never requested (it failed before
 * its request: no browser, the server stopped before the trace began), never when it was (or may
 * have been): then why not, and the case that holds that request.
 */
export type RetryVerdict = { ok: true } | { ok: false; reason: string; caseId: string | null };

/** A job without its event list, for listings. */
export type JobSummary = Omit<Job, 'events'>;

export interface SubmitUrlInput {
  url: unknown;
  /** The link as the user wrote it, when `url` was taken out of it (refanged, unquoted): kept in the case. */
  given?: string | null;
  clicks?: unknown;
  options?: TraceChoices;
  /** Trace it even if this cases folder traced the link before. */
  again?: boolean;
}

export interface SubmitMessageInput {
  raw: Buffer;
  filename?: string | null;
  clicks?: unknown;
  options?: TraceChoices;
  again?: boolean;
  /** The number of the link to trace (as listed by the analysis); default: the main link. */
  link?: number | null;
  /** One message of a mailbox sent message by message (`mail --trace --server`): its batch (openMailbox) and number in it. */
  mailbox?: { batch: string; message: number | null } | null;
}

export interface OpenMailboxInput {
  /** The mailbox's name (its file, or folder). */
  filename?: string | null;
  clicks?: unknown;
  options?: TraceChoices;
  again?: boolean;
}

export interface SubmitListInput {
  /** The list as submitted: pasted lines or an uploaded .txt/.csv, read as `trace --input` reads a file. */
  raw: Buffer;
  filename?: string | null;
  clicks?: unknown;
  options?: TraceChoices;
  again?: boolean;
}

/** A batch as shown: its items with their jobs' states now, counts, and (once it ended) who is responsible across its cases. */
export interface BatchView extends BatchSubmission {
  counts: BatchCounts;
  aggregate: FeedAggregate | null;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const MAX_CLICKS = 5;
const TARGET_CHECKS_AT_ONCE = 16;
const MAX_CLICK_LENGTH = 200;
const MAX_EVENTS_PER_JOB = 400;
const MAX_JOBS_KEPT = 2000;
/** Batches kept in memory (each holds up to maxListUrls items). */
const MAX_BATCHES_KEPT = 200;
const SYNC_INTERVAL_MS = 5000;

export class TraceService {
  readonly store: CaseStore;
  readonly casesDir: string;
  readonly maxMessageBytes: number;
  readonly maxListBytes: number;
  readonly maxListUrls: number;
  readonly tracer: Tracer;
  private readonly browsers: BrowserPool;
  private readonly jobs = new Map<string, Job>();
  private readonly batches = new Map<string, BatchSubmission>();
  private readonly batchSaves = new Map<string, NodeJS.Timeout>();
  /** Open mailbox batches: the timer that closes each when its lease runs out. */
  private readonly leases = new Map<string, NodeJS.Timeout>();
  readonly mailboxLeaseMs: number;
  private readonly emitter = new EventEmitter();
  /** In-process traces of jobs: aborted to cancel them (queued or running). */
  private readonly cancels = new Map<string, AbortController>();
  private closing = false;
  private lastSync = 0;
  /** With `fleet` options: the queue and its workers. */
  readonly fleet: FleetDispatcher | null;
  /** What the start's sweep of cases earlier processes left open did (their seals end in the background). */
  readonly sweep: Promise<SweepResult>;

  constructor(private readonly options: ServiceOptions) {
    this.store = CaseStore.open(options.casesDir);
    this.casesDir = this.store.casesDir;
    this.browsers = new BrowserPool({
      ...(options.launch ? { launch: options.launch } : {}),
      ...(options.trace?.browser ? { kind: options.trace.browser } : {}),
    });
    this.tracer = new Tracer({
      store: this.store,
      concurrency: options.concurrency ?? defaultConcurrency(),
      browsers: this.browsers,
      ...(options.trace ? { trace: options.trace } : {}),
    });
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxListBytes = options.maxListBytes ?? DEFAULT_MAX_LIST_BYTES;
    this.maxListUrls = options.maxListUrls ?? DEFAULT_MAX_LIST_URLS;
    this.mailboxLeaseMs = options.mailboxLeaseMs ?? DEFAULT_MAILBOX_LEASE_MS;
    this.emitter.setMaxListeners(0);
    this.fleet = options.fleet ? options.fleet(this.fleetHost(), options.trace) : null;
    // Before any job claims a URL (restored ones included): see Tracer.sweepCutOff.
    this.sweep = this.tracer.sweepCutOff();
    this.restoreJobs();
  }

  get concurrency(): number {
    return this.tracer.concurrency;
  }

  get allowPrivate(): boolean {
    return this.options.trace?.allowPrivate ?? false;
  }

  /** Most traces that ever ran at once. */
  get peakRunning(): number {
    return this.tracer.peakRunning;
  }

  async submitUrl(input: SubmitUrlInput): Promise<Job> {
    this.acceptingOrThrow();
    const clicks = validClicks(input.clicks);
    const target = await checkTarget(input.url, this.options.trace ?? {});
    const job = this.newJob({
      kind: 'url',
      url: target.href,
      ...(typeof input.given === 'string' && input.given !== target.href ? { given: input.given } : {}),
      clicks,
      ...(input.again ? { again: true } : {}),
      ...withOptions(input.options),
    });
    void this.runTrace(job, null);
    return this.view(job);
  }

  /** Analyses the message now (refusing what cannot be traced), queues the trace of its main link. */
  async submitMessage(input: SubmitMessageInput): Promise<Job> {
    this.acceptingOrThrow();
    if (input.mailbox) this.openMailboxOf(input.mailbox.batch);
    const clicks = validClicks(input.clicks);
    if (input.raw.length === 0) throw new SubmissionError('the uploaded message is empty', 400, 'bad-message');
    if (input.raw.length > this.maxMessageBytes) {
      throw new SubmissionError(
        `the message is ${input.raw.length} bytes, more than the limit of ${this.maxMessageBytes}`,
        413,
        'too-large',
      );
    }
    const filename = (input.filename ?? 'message.eml').slice(0, 200);
    const raw = await oneMessage(input.raw);
    const recipientMap = this.recipientMap();
    const lookFor = exactAddresses(recipientMap);
    const analysis = await analyzeMessage(raw, filename, lookFor.length ? { lookFor } : {});
    if (!analysis.from && !analysis.subject && !analysis.messageId && analysis.links.length === 0) {
      throw new SubmissionError(`not an e-mail message: ${analysis.errors[0] ?? 'no headers found'}`, 400, 'bad-message');
    }
    const record = messageRecord(analysis, { recipientMap });
    const main = input.link ? (record.links.find((l) => l.index === input.link && isTraceable(l)) ?? null) : traceableMainLink(record);
    if (input.link && !main)
      throw new SubmissionError(`the message has no traceable link ${input.link} (it has ${record.links.length} link(s))`, 400, 'bad-link');
    if (main) await checkTarget(main.url, this.options.trace ?? {});
    // Recorded all the same (its headers name a sending platform), saying why nothing is traced.
    else record.notTraced = 'no link to trace';
    // Asked again after the waits: a mailbox cancelled meanwhile takes nothing more, not even its message case.
    const mailbox = input.mailbox ? this.openMailboxOf(input.mailbox.batch) : null;
    if (mailbox) this.renewLease(mailbox);
    // The same message uploaded again (the same messageKey) reuses its message case, as `mail --trace` does.
    const message = openMessageCase(this.store, raw, record);
    this.store.indexCase(message.dir);
    const job = this.newJob({
      kind: 'message',
      url: main?.url ?? null,
      clicks,
      filename,
      subject: analysis.subject,
      link: main?.index ?? null,
      messageCaseId: message.id,
      ...withOptions(input.options),
      ...(input.again ? { again: true } : {}),
      ...(mailbox ? { batch: mailbox.id } : {}),
    });
    if (mailbox) {
      mailbox.items.push({
        line: input.mailbox?.message ?? mailbox.items.length + 1,
        ...(main ? { url: main.url } : {}),
        state: 'queued',
        jobId: job.id,
        subject: analysis.subject,
        messageCaseId: message.id,
      });
      this.saveBatch(mailbox);
    }
    this.record(
      job,
      'message',
      `message case ${message.id}${message.earlier ? ' (this message, recorded before)' : ''}: ` +
        `${analysis.links.length} link(s)${main ? `, main link ${main.index}: ${main.url}` : ', no link to trace'}`,
    );
    await this.stampMessage(job, message.dir);
    if (!main) {
      this.finish(job, 'done');
      return this.view(job);
    }
    void this.runTrace(job, { dir: message.dir, record });
    return this.view(job);
  }

  /**
   * A list of links as one batch: read as `trace --input` reads a file; each URL not repeated in it
   * becomes a job (a link traced before is answered with its case by the ledger, unless `again`);
   * invalid lines and repeats are items of the batch with their line numbers.
   */
  async submitList(input: SubmitListInput): Promise<BatchView> {
    this.acceptingOrThrow();
    const clicks = validClicks(input.clicks);
    const items = planBatch(await readSubmittedList(input.raw, { maxBytes: this.maxListBytes, maxUrls: this.maxListUrls }));
    const toTrace = items.filter((i) => i.state === 'queued').length;
    const waiting = this.fleet ? this.fleet.waiting : this.tracer.queued;
    const maxQueued = this.options.maxQueued ?? 1000;
    if (waiting + toTrace > maxQueued)
      throw new SubmissionError(
        `${waiting} jobs are waiting; ${toTrace} more would pass the limit of ${maxQueued}: try again later`,
        503,
        'queue-full',
      );
    // Targets refused here (a private address) are the line's error, as a line that is not a URL is.
    // Checked a few at a time: each may wait on DNS.
    const toCheck = items.filter((i) => i.state === 'queued');
    for (let i = 0; i < toCheck.length; i += TARGET_CHECKS_AT_ONCE) {
      await Promise.all(
        toCheck.slice(i, i + TARGET_CHECKS_AT_ONCE).map(async (item) => {
          try {
            item.url = (await checkTarget(item.url, this.options.trace ?? {})).href;
          } catch (err) {
            if (!(err instanceof SubmissionError)) throw err;
            Object.assign(item, { state: 'invalid', text: item.given ?? item.url, error: err.message });
          }
        }),
      );
    }
    const batch = newBatch(input, clicks, items);
    this.batches.set(batch.id, batch);
    const jobs: Job[] = [];
    for (const item of items) {
      if (item.state !== 'queued') continue;
      const job = this.newJob({
        kind: 'url',
        url: item.url!,
        ...(item.given !== undefined && item.given !== item.url ? { given: item.given } : {}),
        clicks,
        batch: batch.id,
        ...(input.again ? { again: true } : {}),
        ...withOptions(input.options),
      });
      item.jobId = job.id;
      jobs.push(job);
    }
    this.endBatchIfDone(batch);
    this.saveBatch(batch);
    for (const job of jobs) void this.runTrace(job, null);
    return this.batchView(batch.id)!;
  }

  /**
   * A mailbox sent message by message (`mail --trace --server`) as one batch: open until its sender
   * closes it (closeMailbox), each message submitted into it (submitMessage's `mailbox`) an item
   * with its job, so that the whole mailbox is cancelled at once (cancelBatch): its jobs not ended
   * are cancelled, and a message sent after that is refused (409 batch-cancelled).
   */
  openMailbox(input: OpenMailboxInput): BatchView {
    this.acceptingOrThrow();
    const clicks = validClicks(input.clicks);
    const batch: BatchSubmission = { ...newBatch(input, clicks, []), mailbox: true, open: true };
    this.batches.set(batch.id, batch);
    this.renewLease(batch);
    this.saveBatch(batch);
    return this.batchView(batch.id)!;
  }

  /**
   * Its sender is still there (`mail --trace --server` says so between messages): the mailbox
   * stays open for another lease. A mailbox closed or cancelled meanwhile is a 409 saying so.
   */
  renewMailbox(id: string): BatchView {
    this.renewLease(this.openMailboxOf(id));
    return this.batchView(id)!;
  }

  /** The open mailbox's lease starts again now; it is closed (leaseExpired) when it runs out. */
  private renewLease(batch: BatchSubmission): void {
    clearTimeout(this.leases.get(batch.id));
    const now = Date.now();
    batch.lease = {
      seconds: this.mailboxLeaseMs / 1000,
      renewedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.mailboxLeaseMs).toISOString(),
    };
    const timer = setTimeout(() => this.leaseExpired(batch.id), this.mailboxLeaseMs);
    timer.unref();
    this.leases.set(batch.id, timer);
    // Not saved for a renewal alone: a restart gives every open mailbox a new lease anyway.
  }

  private endLease(id: string): void {
    clearTimeout(this.leases.get(id));
    this.leases.delete(id);
  }

  /**
   * Nothing heard from the mailbox's sender for a whole lease (killed, lost): the batch takes no
   * more messages and ends with its last job. The messages it sent are traced as any; the ones it
   * never sent are not, and the batch says so (`abandoned`), a rerun of the command sends them.
   */
  private leaseExpired(id: string): void {
    this.leases.delete(id);
    const batch = this.batches.get(id);
    if (!batch?.open || batch.cancelledAt || this.closing) return;
    const numbers = batch.items.map((i) => i.line);
    batch.abandoned = {
      at: new Date().toISOString(),
      lastHeardAt: batch.lease?.renewedAt ?? batch.submittedAt,
      sent: batch.items.length,
      lastMessage: numbers.length ? Math.max(...numbers) : null,
    };
    delete batch.open;
    this.endBatchIfDone(batch);
    this.saveBatch(batch);
  }

  /** Its sender sent every message of the mailbox: the batch ends with its last job. */
  closeMailbox(id: string, input?: { byAnalyst?: boolean }): BatchView {
    const batch = this.batches.get(id);
    if (!batch?.mailbox) throw new SubmissionError(`no mailbox batch ${id}`, 404, 'not-found');
    if (batch.open) {
      delete batch.open;
      this.endLease(id);
      if (input?.byAnalyst) batch.closedByAnalyst = new Date().toISOString();
      this.endBatchIfDone(batch);
      this.saveBatch(batch);
    }
    return this.batchView(id)!;
  }

  /** The open mailbox batch of that id, or why a message may not join it. */
  private openMailboxOf(id: string): BatchSubmission {
    const batch = this.batches.get(id);
    if (!batch?.mailbox) throw new SubmissionError(`no mailbox batch ${id}`, 404, 'not-found');
    if (batch.cancelledAt)
      throw new SubmissionError(`batch ${id} was cancelled at ${batch.cancelledAt}: the message is not taken`, 409, 'batch-cancelled');
    if (batch.abandoned)
      throw new SubmissionError(
        `batch ${id} was closed at ${batch.abandoned.at}: nothing was heard from its sender for ` +
          `${this.mailboxLeaseMs / 1000} s (its lease); the message is not taken`,
        409,
        'batch-expired',
      );
    if (batch.closedByAnalyst && !batch.open)
      throw new SubmissionError(
        `batch ${id} was closed by the analyst at ${batch.closedByAnalyst}: the message is not taken`,
        409,
        'batch-closed',
      );
    if (!batch.open) throw new SubmissionError(`batch ${id} is closed: its mailbox was sent whole`, 409, 'batch-closed');
    return batch;
  }

  /** A batch with its items as they stand now; null when there is none of that id. */
  batchView(id: string): BatchView | null {
    const batch = this.batches.get(id);
    if (!batch) return null;
    const items = resolvedItems(batch.items.map((item) => this.liveItem(item)));
    const counts = batchCounts(items);
    const aggregate = batch.state === 'done' ? aggregateCases(this.syncedStore(), { caseIds: batchCaseIds(items) }) : null;
    return { ...batch, items, counts, aggregate };
  }

  /** Batches, newest first, without their items' details (counts only). */
  listBatches(): (Omit<BatchSubmission, 'items'> & { counts: BatchCounts })[] {
    return [...this.batches.values()].reverse().map(({ items, ...rest }) => ({
      ...rest,
      counts: batchCounts(items.map((item) => this.liveItem(item))),
    }));
  }

  /** An item with its job's state now (a running job is not saved at every change). */
  private liveItem(item: BatchItem): BatchItem {
    const job = item.jobId ? this.jobs.get(item.jobId) : undefined;
    if (!job || item.state !== 'queued') return item;
    return job.state === 'running' ? { ...item, state: 'running' } : item;
  }

  /** A job of a batch ended: its item keeps the outcome; the batch ends with its last job. */
  private batchJobEnded(job: Job): void {
    const batch = job.batch ? this.batches.get(job.batch) : undefined;
    const item = batch?.items.find((i) => i.jobId === job.id);
    if (!batch || !item) return;
    Object.assign(item, {
      state: job.state,
      caseId: job.caseId,
      error: job.error,
      chainError: job.chainError,
      ...(job.alreadyTraced ? { alreadyTraced: true } : {}),
    });
    if (this.endBatchIfDone(batch)) this.saveBatch(batch);
    else this.saveBatchSoon(batch);
  }

  private endBatchIfDone(batch: BatchSubmission): boolean {
    if (batch.state === 'done' || batch.open || batch.items.some((i) => i.state === 'queued' || i.state === 'running')) return false;
    batch.state = 'done';
    batch.endedAt = new Date().toISOString();
    return true;
  }

  /** Batches are kept with the jobs (table `jobs`, kind "batch"); saving is best effort, as for jobs. */
  private saveBatch(batch: BatchSubmission): void {
    clearTimeout(this.batchSaves.get(batch.id));
    this.batchSaves.delete(batch.id);
    try {
      this.store.saveJob({ id: batch.id, submittedAt: batch.submittedAt, state: batch.state }, JSON.stringify(batch));
    } catch {
      // The index is closed or read-only; the batch lives on in memory.
    }
  }

  /** A batch of many jobs is saved at most once a second while they end (each save writes all its items). */
  private saveBatchSoon(batch: BatchSubmission): void {
    if (this.batchSaves.has(batch.id)) return;
    const timer = setTimeout(() => this.saveBatch(batch), 1000);
    timer.unref();
    this.batchSaves.set(batch.id, timer);
  }

  /** The cases folder's recipient map (edited on the Recipients page); a broken one is ignored here, and shown there. */
  private recipientMap(): RecipientMap | null {
    try {
      return casesRecipientMap(this.casesDir);
    } catch {
      return null;
    }
  }

  /**
   * The index, first brought up to date with the folder (at most every few seconds): cases
   * written meanwhile by `clicktrace trace`/`mail`/`import` show up without a reindex.
   */
  syncedStore(): CaseStore {
    if (Date.now() - this.lastSync > SYNC_INTERVAL_MS) {
      this.lastSync = Date.now();
      this.store.sync();
    }
    return this.store;
  }

  job(id: string): Job | null {
    const job = this.jobs.get(id);
    return job ? this.view(job) : null;
  }

  /** Newest first, without events; only the jobs of `ids` when given, only those in `state` when given. */
  listJobs(ids?: string[], state?: JobState): JobSummary[] {
    const all = ids ? ids.map((id) => this.jobs.get(id)).filter((j): j is Job => j !== undefined) : [...this.jobs.values()].reverse();
    const jobs = state ? all.filter((j) => j.state === state) : all;
    return jobs.map(({ events: _events, ...summary }) => ({ ...summary, clicks: [...summary.clicks], ...hiddenClaim(summary) }));
  }

  /** See RetryVerdict; the ledger of requested URLs decides, as it does for every trace. */
  retryVerdict(job: JobSummary): RetryVerdict {
    if (job.state !== 'failed') return { ok: false, reason: `it is ${job.state}, not failed`, caseId: null };
    if (job.retriedAs) return { ok: false, reason: `it was retried already, as job ${job.retriedAs}`, caseId: null };
    if (!job.url) return { ok: false, reason: 'it has no link to trace', caseId: null };
    let requested: string | null;
    try {
      requested = job.caseId ?? job.fleet?.caseId ?? this.store.ledger.lookup(job.url)?.caseId ?? null;
    } catch {
      return { ok: false, reason: 'the ledger of requested URLs cannot be read', caseId: null };
    }
    if (requested)
      return {
        ok: false,
        reason: `its link was requested (case ${requested}), and a link is requested only once: not retried (submit it with "again" to trace it anew)`,
        caseId: requested,
      };
    if (job.kind === 'message' && !this.savedMessage(job))
      return { ok: false, reason: `its message case ${job.messageCaseId ?? '?'} cannot be read`, caseId: null };
    return { ok: true };
  }

  /**
   * Runs a failed job again as a new job, when its link was never requested (retryVerdict): its
   * link, message, clicks and options, in its batch's line. Without "again": should the link be
   * requested meanwhile, the ledger answers the new job with that case.
   */
  async retry(id: string): Promise<Job> {
    const job = this.jobs.get(id);
    if (!job) throw new SubmissionError(`no job ${id}`, 404, 'not-found');
    this.acceptingOrThrow();
    const verdict = this.retryVerdict(job);
    if (!verdict.ok) throw new SubmissionError(`job ${id} is not retried: ${verdict.reason}`, 409, 'not-retried');
    await checkTarget(job.url, this.options.trace ?? {});
    // Checked again after the wait: a second retry of the same job sent meanwhile is refused.
    const again = this.retryVerdict(job);
    if (!again.ok) throw new SubmissionError(`job ${id} is not retried: ${again.reason}`, 409, 'not-retried');
    const message = job.kind === 'message' ? this.savedMessage(job) : null;
    const retried = this.newJob({
      kind: job.kind,
      url: job.url,
      ...(job.given !== undefined ? { given: job.given } : {}),
      clicks: [...job.clicks],
      ...withOptions(job.options),
      filename: job.filename,
      subject: job.subject,
      link: job.link,
      messageCaseId: job.messageCaseId,
      ...(job.batch ? { batch: job.batch } : {}),
      retryOf: job.id,
    });
    job.retriedAs = retried.id;
    this.record(job, 'retried', `as job ${retried.id} (its link had not been requested)`);
    this.save(job);
    this.record(retried, 'retry', `of job ${job.id}, which failed before its link was requested: ${job.error ?? ''}`);
    const batch = job.batch ? this.batches.get(job.batch) : undefined;
    const item = batch?.items.find((i) => i.jobId === job.id);
    if (batch && item) {
      Object.assign(item, { jobId: retried.id, state: 'queued', caseId: null, error: null, chainError: null });
      batch.state = 'running';
      batch.endedAt = null;
      this.saveBatch(batch);
    }
    void this.runTrace(retried, message);
    return this.view(retried);
  }

  /**
   * Cancels a job: queued, it is never traced (its link stays unrequested); running, its trace is
   * stopped as Ctrl-C stops one (its case sealed with what it recorded, the reason its error) and
   * the job ends as cancelled when that case is in. On the fleet, the worker tracing it is told
   * (the dispatcher). Cancelling a cancelled job (or one being cancelled) again changes nothing; a
   * job that has ended otherwise is a 409.
   */
  async cancel(id: string): Promise<Job> {
    const job = this.jobs.get(id);
    if (!job) throw new SubmissionError(`no job ${id}`, 404, 'not-found');
    if (job.state === 'done' || job.state === 'failed')
      throw new SubmissionError(`job ${id} has ended (${job.state}): there is nothing to cancel`, 409, 'not-cancelled');
    if (!job.cancelledAt) this.cancelJob(job);
    await settled();
    return this.view(job);
  }

  /** Cancels every job of a batch that has not ended (the waiting ones first, so that none starts meanwhile). */
  async cancelBatch(id: string): Promise<BatchView> {
    const batch = this.batches.get(id);
    if (!batch) throw new SubmissionError(`no batch ${id}`, 404, 'not-found');
    const jobs = batch.items.flatMap((item) => {
      const job = item.jobId ? this.jobs.get(item.jobId) : undefined;
      return job && !jobEnded(job.state) ? [job] : [];
    });
    if (jobs.length === 0 && !batch.open && !batch.cancelledAt && !batch.items.some((item) => item.state === 'cancelled'))
      throw new SubmissionError(`batch ${id} has ended: there is nothing to cancel`, 409, 'not-cancelled');
    // A mailbox still being sent takes no more messages.
    batch.cancelledAt ??= new Date().toISOString();
    delete batch.open;
    this.endLease(id);
    for (const job of jobs) if (job.state === 'queued' && !job.cancelledAt) this.cancelJob(job);
    for (const job of jobs) if (!job.cancelledAt) this.cancelJob(job);
    if (this.endBatchIfDone(batch) || jobs.length === 0) this.saveBatch(batch);
    else this.saveBatchSoon(batch);
    await settled();
    return this.batchView(id)!;
  }

  private cancelJob(job: Job): void {
    const at = new Date().toISOString();
    job.cancelledAt = at;
    this.record(
      job,
      'cancel',
      job.state === 'queued'
        ? 'cancelled by the analyst before it started: its link is not requested'
        : 'cancelled by the analyst: its trace is stopped, and its case sealed with what it recorded',
    );
    this.save(job);
    if (this.fleet) this.fleet.cancel(job, cancelReason(at));
    else this.cancels.get(job.id)?.abort(cancelReason(at));
  }

  /** Calls back with every new event and state change of a job; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: Job, event: JobEvent | null) => void): () => void {
    const handler = (job: Job, event: JobEvent | null) => listener(this.view(job), event);
    this.emitter.on(id, handler);
    return () => this.emitter.off(id, handler);
  }

  /** Stops taking jobs, keeps the waiting ones for the next start, waits for the running ones, closes the browsers and the index. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Waiting jobs come back as skipped (nothing requested): they stay queued for the next start.
    // On the fleet they stay on the queue, and claimed ones wait for their cases at the next start.
    await this.fleet?.close();
    await this.tracer.stop('the server stopped; this job runs when it starts again');
    for (const id of [...this.leases.keys()]) this.endLease(id);
    for (const id of [...this.batchSaves.keys()]) this.saveBatch(this.batches.get(id)!);
    await this.browsers.close();
    await this.sweep;
    this.store.close();
  }

  private acceptingOrThrow(): void {
    if (this.closing) throw new SubmissionError('the server is shutting down', 503, 'closing');
    if ((this.fleet ? this.fleet.waiting : this.tracer.queued) >= (this.options.maxQueued ?? 1000))
      throw new SubmissionError('too many jobs waiting; try again later', 503, 'queue-full');
  }

  private newJob(fields: Partial<Job> & Pick<Job, 'kind' | 'url' | 'clicks'>): Job {
    const job: Job = {
      id: `j${randomBytes(6).toString('hex')}`,
      filename: null,
      subject: null,
      link: null,
      state: 'queued',
      submittedAt: new Date().toISOString(),
      startedAt: null,
      endedAt: null,
      caseId: null,
      messageCaseId: null,
      error: null,
      chainError: null,
      events: [],
      droppedEvents: 0,
      ...fields,
    };
    this.jobs.set(job.id, job);
    this.forgetOldJobs();
    this.record(job, 'queued', job.url ?? job.filename ?? '');
    this.save(job);
    return job;
  }

  /** Jobs saved by an earlier run of the server on this cases folder. */
  private restoreJobs(): void {
    let saved: string[];
    try {
      saved = this.store.loadJobs(MAX_JOBS_KEPT);
    } catch {
      return;
    }
    const parsed: (Job | BatchSubmission)[] = [];
    for (const json of saved) {
      try {
        parsed.push(JSON.parse(json) as Job | BatchSubmission);
      } catch {
        continue;
      }
    }
    // Batches first: the jobs failed or resumed below report to theirs.
    for (const batch of parsed) if (batch.kind === 'batch') this.batches.set(batch.id, batch);
    // A mailbox still being sent gets a whole lease from this start: its sender waits out a restart.
    for (const batch of parsed) if (batch.kind === 'batch' && batch.open && !batch.cancelledAt) this.renewLease(batch);
    for (const job of parsed) {
      if (job.kind === 'batch') continue;
      this.jobs.set(job.id, job);
      if (job.state === 'running' && this.fleet && job.fleet?.caseId) {
        // Claimed by a worker: its case may still come (workers keep it until the server took it).
        const message = job.kind === 'message' ? this.savedMessage(job) : null;
        this.record(job, 'resumed', `the server restarted; waiting for the case of worker ${job.fleet.worker?.name ?? '?'}`);
        void this.runTrace(job, message);
      } else if (job.state === 'running') {
        this.caseOfInterrupted(job);
        this.finish(job, 'failed', 'the server stopped while this job ran; it is not run again (its link may be single-use)');
      } else if (job.state === 'queued' && job.cancelledAt) {
        this.finish(job, 'cancelled');
      } else if (job.state === 'queued') {
        const message = job.kind === 'message' ? this.savedMessage(job) : null;
        if (job.kind === 'message' && !message) {
          this.finish(job, 'failed', `its message case ${job.messageCaseId ?? '?'} cannot be read`);
          continue;
        }
        this.record(job, 'resumed', 'queued again after a restart of the server');
        void this.runTrace(job, message);
      }
    }
  }

  /**
   * A job this server was tracing when it stopped keeps the case its trace named in the ledger (the
   * link's request claimed after the job was submitted): the sweep seals it as partial when it was
   * left open, and it is the evidence of that request. None when the trace never named one.
   */
  private caseOfInterrupted(job: Job): void {
    if (!job.url || job.caseId) return;
    let entry;
    try {
      entry = this.store.ledger.lookup(job.url);
    } catch {
      return;
    }
    if (!entry || entry.claimedAt < job.submittedAt) return;
    const dir = this.store.caseDir(entry.caseId);
    if (!dir || !existsSync(dir)) return;
    job.caseId = entry.caseId;
    if (isOpenCase(dir) || this.store.caseSummary(entry.caseId)?.partial) job.partial = true;
  }

  private savedMessage(job: Pick<Job, 'messageCaseId'>): { dir: string; record: MessageRecord } | null {
    const dir = job.messageCaseId ? this.store.caseDir(job.messageCaseId) : null;
    if (!dir) return null;
    try {
      return { dir, record: JSON.parse(readFileSync(join(dir, MESSAGE_RECORD_FILE), 'utf8')) as MessageRecord };
    } catch {
      return null;
    }
  }

  /** Saving is best effort: a job runs even when the index cannot be written. */
  private save(job: Job): void {
    try {
      this.store.saveJob(job, JSON.stringify(job));
    } catch {
      // The index is closed or read-only; the job lives on in memory.
    }
  }

  /** Runs the job's trace on the tracer (queued there) and records how it ended. */
  /** The job's trace: on the fleet's queue, or on this process's tracer. */
  private traceJob(job: Job, request: TraceRequest): Promise<TraceOutcome> {
    return this.fleet ? this.fleet.trace(job, request) : this.tracer.trace(request);
  }

  private async runTrace(
    job: Job,
    message: { dir: string; record: MessageRecord } | null,
    trace: (request: TraceRequest) => Promise<TraceOutcome> = (request) => this.traceJob(job, request),
  ): Promise<void> {
    const cancel = new AbortController();
    // Cancelled before its trace was queued (a mailbox's message while its case was being sealed).
    if (job.cancelledAt) cancel.abort(cancelReason(job.cancelledAt));
    this.cancels.set(job.id, cancel);
    try {
      await this.runTraceOf(job, message, trace, cancel.signal);
    } finally {
      if (this.cancels.get(job.id) === cancel) this.cancels.delete(job.id);
    }
  }

  private async runTraceOf(
    job: Job,
    message: { dir: string; record: MessageRecord } | null,
    trace: (request: TraceRequest) => Promise<TraceOutcome>,
    signal: AbortSignal,
  ): Promise<void> {
    const request: TraceRequest = {
      url: job.url!,
      signal,
      again: job.again ?? false,
      clicks: job.clicks,
      ...(job.options ? { options: job.options } : {}),
      ...(job.given !== undefined ? { analysis: { given: job.given } } : {}),
      commandLine: ['clicktrace', 'serve', `(job ${job.id})`, ...choiceArguments(job.options ?? {})],
      onStart: () => {
        job.state = 'running';
        job.startedAt = new Date().toISOString();
        this.record(job, 'started', job.url!);
        this.save(job);
      },
      // The case folder's name, not the server's file system path.
      onProgress: (e) => this.record(job, e.kind, e.kind === 'done' ? basename(e.detail) : e.detail),
    };
    let entry: BatchEntry;
    try {
      if (message) {
        const main = message.record.links.find((l) => l.index === job.link);
        if (!main) return this.finish(job, 'failed', `its message has no link ${job.link ?? '?'}`);
        // As `mail --trace`: the landing page's call-to-action is clicked, unless clicks were given;
        // the job's own options (its explore, or explore off, among them) go over that default.
        const messageOptions = job.clicks.length
          ? {}
          : { options: { exploreDepth: this.options.trace?.exploreDepth || 1, ...job.options } };
        const traced = await traceMessage(this.store, { dir: message.dir, record: message.record, targets: [linkTarget(main)] }, (link) =>
          trace({ ...request, ...messageOptions, analysis: link.analysis! }).then((outcome) => batchEntry(outcome, null, link.url)),
        );
        await this.stampMessage(job, message.dir);
        entry = traced.entries[0];
      } else {
        entry = batchEntry(await trace(request), null, job.url!);
      }
    } catch (err) {
      // The message case could not be updated (the trace itself never throws).
      return this.finish(job, 'failed', (err as Error).message.split('\n')[0]);
    }
    this.ended(job, entry);
  }

  private ended(job: Job, entry: BatchEntry): void {
    switch (entry.kind) {
      case 'trace': {
        job.caseId = entry.caseId;
        job.chainError = entry.report.error;
        // Stopped by its cancel (as Ctrl-C stops a trace): its case holds what it recorded until then.
        if (entry.report.partial || (job.cancelledAt && entry.report.error === cancelReason(job.cancelledAt))) job.partial = true;
        if (entry.timestamp) this.recordTimestamp(job, entry.timestamp);
        this.record(job, 'indexed', this.store.caseSummary(entry.caseId) ? `case ${entry.caseId}` : 'not indexed');
        return this.finish(job, 'done');
      }
      case 'already-traced':
      case 'duplicate': {
        if (!entry.caseId) return this.finish(job, 'failed', 'this link is being traced right now by another process; not requested twice');
        job.caseId = entry.caseId;
        job.alreadyTraced = true;
        if (entry.kind === 'already-traced' && entry.caseMissing) job.caseMissing = true;
        // How that trace ended shows with the job: an interrupted or cut-off one is not a plain success.
        const earlier = this.store.caseSummary(entry.caseId);
        if (earlier?.partial) job.partial = true;
        if (earlier?.error) job.chainError = earlier.error;
        this.record(
          job,
          'already-traced',
          `this link was traced before in case ${entry.caseId}${entry.kind === 'already-traced' && entry.caseMissing ? ` (${MISSING_CASE})` : ''}` +
            `${earlier?.partial ? ' (partial: that trace was cut off)' : ''}; ` +
            'it is not requested again (submit it with "again" to trace it anew)',
        );
        return this.finish(job, 'done');
      }
      case 'skipped':
        if (job.cancelledAt) return this.finish(job, 'cancelled');
        // The server is stopping: the job waits for the next start.
        job.state = 'queued';
        this.record(job, 'paused', entry.reason);
        return this.save(job);
      case 'failed':
        job.caseId = entry.caseId;
        return this.finish(job, 'failed', entry.error);
      case 'invalid':
        return this.finish(job, 'failed', entry.error);
    }
  }

  /** What the fleet's dispatcher may do with the jobs. */
  private fleetHost(): FleetJobHost {
    return {
      store: this.store,
      job: (id) => this.jobs.get(id) ?? null,
      jobByCase: (caseId) => {
        for (const job of this.jobs.values()) if (job.fleet?.caseId === caseId) return job;
        return null;
      },
      jobs: () => this.jobs.values(),
      save: (job) => this.save(job),
      record: (job, kind, detail) => this.record(job, kind, detail),
      late: (job, outcome) => {
        const message = job.kind === 'message' ? this.savedMessage(job) : null;
        this.record(
          job,
          'late-case',
          job.cancelledAt
            ? 'its case arrived after the job had ended; it stays cancelled, with its case'
            : 'its case arrived after the job had ended; the job is done after all',
        );
        void this.runTrace(job, message, () => Promise.resolve(outcome));
      },
    };
  }

  /** A message case is sealed (again) synchronously; its timestamp, when a TSA is set and it has none, is asked for here. */
  private async stampMessage(job: Job, dir: string): Promise<void> {
    const tsa = this.options.trace?.tsa;
    if (!tsa) return;
    const outcome = await stampMessageCase(dir, tsa);
    if (outcome) this.recordTimestamp(job, outcome);
  }

  private recordTimestamp(job: Job, outcome: TimestampOutcome): void {
    this.record(
      job,
      'timestamp',
      outcome.ok ? `${outcome.token.time} from ${outcome.tsa}` : `failed: ${outcome.error}; sealed without one`,
    );
  }

  private record(job: Job, kind: string, detail: string): void {
    const event: JobEvent = {
      seq: job.events.length + job.droppedEvents + 1,
      at: new Date().toISOString(),
      kind,
      detail: detail.slice(0, 2000),
    };
    if (job.events.length >= MAX_EVENTS_PER_JOB) {
      job.events.splice(1, 1); // keep the first event, drop the oldest after it
      job.droppedEvents++;
    }
    job.events.push(event);
    this.emitter.emit(job.id, job, event);
  }

  /**
   * A job cancelled before it ended ends as cancelled whatever its trace did (its case, if any, is
   * kept); without a case and without an error, nothing was requested (a trace skipped).
   */
  private finish(job: Job, state: 'done' | 'failed' | 'cancelled', error: string | null = null): void {
    if (job.cancelledAt) {
      const how = job.caseId
        ? job.partial
          ? `its trace was stopped; case ${job.caseId} holds what it recorded`
          : `case ${job.caseId}`
        : error
          ? 'it has no case'
          : 'its link was not requested';
      job.state = 'cancelled';
      job.error = `cancelled by the analyst at ${job.cancelledAt}: ${how}${error ? ` (${error})` : ''}`;
    } else {
      job.state = state;
      job.error = error;
    }
    job.endedAt = new Date().toISOString();
    this.record(job, job.state === 'done' ? 'finished' : job.state, job.error ?? job.chainError ?? job.caseId ?? job.messageCaseId ?? '');
    this.save(job);
    if (job.batch) this.batchJobEnded(job);
  }

  private view(job: Job): Job {
    return { ...job, clicks: [...job.clicks], events: [...job.events], ...hiddenClaim(job) };
  }

  private forgetOldJobs(): void {
    // Ended batches beyond the newest few are forgotten likewise (they stay in the index's jobs table).
    for (const [id, batch] of this.batches) {
      if (this.batches.size <= MAX_BATCHES_KEPT) break;
      if (batch.state === 'done' && !this.batchSaves.has(id)) this.batches.delete(id);
    }
    if (this.jobs.size <= MAX_JOBS_KEPT) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS_KEPT) break;
      if (jobEnded(job.state)) this.jobs.delete(id);
    }
  }
}

/** After the promise callbacks pending now (a queued job's cancel ends it through a few of them). */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A job as shown: a worker's claim nonce stays between it and the server. */
function hiddenClaim(job: Pick<Job, 'fleet'>): Pick<Job, 'fleet'> | object {
  return job.fleet ? { fleet: { ...job.fleet, nonce: null } } : {};
}

/** A new batch, running, of these items (a URL list's or a mailbox's). */
function newBatch(input: OpenMailboxInput, clicks: string[], items: BatchSubmission['items']): BatchSubmission {
  return {
    id: `b${randomBytes(6).toString('hex')}`,
    kind: 'batch',
    filename: input.filename ? input.filename.slice(0, 200) : null,
    submittedAt: new Date().toISOString(),
    endedAt: null,
    state: 'running',
    again: input.again ?? false,
    ...(clicks.length ? { clicks } : {}),
    ...withOptions(input.options),
    items,
  };
}

/** A job's own options, when it has any. */
function withOptions(options: TraceChoices | undefined): { options?: TraceChoices } {
  return options && Object.keys(options).length ? { options } : {};
}

function validClicks(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  const list = Array.isArray(input) ? input : [input];
  const clicks = list.map((c) => (typeof c === 'string' ? c.trim() : null));
  if (clicks.some((c) => c === null)) throw new SubmissionError('clicks: expected text', 400, 'bad-clicks');
  const texts = (clicks as string[])
    .flatMap((c) => c.split(/\r?\n/))
    .map((c) => c.trim())
    .filter(Boolean);
  if (texts.length > MAX_CLICKS) throw new SubmissionError(`at most ${MAX_CLICKS} click texts`, 400, 'bad-clicks');
  if (texts.some((t) => t.length > MAX_CLICK_LENGTH))
    throw new SubmissionError(`a click text is longer than ${MAX_CLICK_LENGTH} characters`, 400, 'bad-clicks');
  return texts;
}

/**
 * The message of an upload. An upload that starts with a From_ line is an mbox, as for `clicktrace
 * mail`: one message in it is that message (its From_ line and mboxrd quoting undone, the same
 * bytes `mail --server` sends); a mailbox of several is refused, not read as one message whose
 * body holds the others' links.
 */
async function oneMessage(raw: Buffer): Promise<Buffer> {
  if (!startsAsMbox(raw)) return raw;
  const messages: Buffer[] = [];
  for await (const item of splitMbox(Readable.from([raw]), 'upload')) {
    if ('error' in item) throw new SubmissionError(`the uploaded mailbox is damaged: ${item.error}`, 400, 'bad-message');
    messages.push(item.raw);
  }
  if (messages.length === 0) throw new SubmissionError('the uploaded message is empty', 400, 'bad-message');
  if (messages.length > 1) {
    throw new SubmissionError(
      `a mailbox of ${messages.length} messages: upload one message (.eml) at a time, ` +
        'or trace the mailbox on this server with "clicktrace mail MAILBOX --trace main --server URL"',
      400,
      'bad-message',
    );
  }
  return messages[0];
}
