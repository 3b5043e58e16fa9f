// The service behind `clicktrace serve` and its web UI (a thin front end over this): a submission
// (a URL, an uploaded .eml whose main link is traced, a list of links, a mailbox sent message by
// message) becomes jobs run by the Tracer (the browser pool and the ledger of requested URLs), or
// by fleet workers, with live progress events and the indexing of every finished case. Nothing
// shells out to the CLI. This class checks submissions and ties together the parts that each do
// one job: the jobs and their saving (job-store.ts), running them (job-runner.ts), batches and
// mailbox leases (batch-book.ts).
// Jobs are saved in the case index (table `jobs`) at every change of state: after a restart the
// list is still there, jobs that never started run, and a job that was running when the server
// stopped is marked failed, not run again (its link may be single-use). A link this cases folder
// traced before is not requested again: its job points at the earlier case (unless `again`).
import type { Browser } from '../capture/browser.js';
import { analyzeMessage } from '../mail/parse.js';
import { isTraceable, messageRecord, traceableMainLink } from '../mail/message-case.js';
import { CaseStore } from '../store/index.js';
import { checkTarget } from './target-check.js';
import { SubmissionError } from './submission-error.js';
import { jobEnded, type JobState } from './job-state.js';
import { BrowserPool } from './browser-pool.js';
import type { SweepResult } from './cut-off-sweep.js';
import { Tracer, type TraceDefaults } from './tracer.js';
import { openMessageCase } from './messages.js';
import { defaultConcurrency } from './defaults.js';
import { casesRecipientMap, exactAddresses, type RecipientMap } from '../mail/recipient-map.js';
import type { TraceChoices } from './submission-options.js';
import { oneMessage, validClicks, withOptions } from './submission-input.js';
import { jobView, type Job, type JobEvent, type JobSummary, type NewJobFields } from './job.js';
import { JobStore } from './job-store.js';
import { JobRunner } from './job-runner.js';
import { BatchBook, newBatch, type BatchView, type OpenMailboxInput } from './batch-book.js';
import {
  DEFAULT_MAX_LIST_BYTES,
  DEFAULT_MAX_LIST_URLS,
  planBatch,
  readSubmittedList,
  type BatchCounts,
  type BatchSubmission,
} from './batch-submission.js';
// Types only: BullMQ is loaded by the caller (serve --queue), never by the embedded default.
import type { FleetDispatcher, FleetJobHost } from '../fleet/dispatcher.js';
import { nextTurn } from './event-loop.js';

export { SubmissionError } from './submission-error.js';
export type { TraceDefaults } from './tracer.js';
export type { Job, JobEvent, JobSummary } from './job.js';
export type { BatchView, OpenMailboxInput } from './batch-book.js';

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

/**
 * Whether a failed job may be run again: only when its link was never requested (it failed before
 * its request: no browser, the server stopped before the trace began), never when it was (or may
 * have been): then why not, and the case that holds that request.
 */
export type RetryVerdict = { ok: true } | { ok: false; reason: string; caseId: string | null };

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

export interface SubmitListInput {
  /** The list as submitted: pasted lines or an uploaded .txt/.csv, read as `trace --input` reads a file. */
  raw: Buffer;
  filename?: string | null;
  clicks?: unknown;
  options?: TraceChoices;
  again?: boolean;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const TARGET_CHECKS_AT_ONCE = 16;
const SYNC_INTERVAL_MS = 5000;

export class TraceService {
  readonly store: CaseStore;
  readonly casesDir: string;
  readonly maxMessageBytes: number;
  readonly maxListBytes: number;
  readonly maxListUrls: number;
  readonly tracer: Tracer;
  private readonly browsers: BrowserPool;
  private readonly jobs: JobStore;
  private readonly batches: BatchBook;
  private readonly runner: JobRunner;
  readonly mailboxLeaseMs: number;
  private closing = false;
  private lastSync = 0;
  private unindexed: { id: string; reason: string }[] = [];
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
    this.jobs = new JobStore(this.store);
    this.batches = new BatchBook({
      store: this.store,
      syncedStore: () => this.syncedStore(),
      job: (id) => this.jobs.get(id),
      leaseMs: this.mailboxLeaseMs,
      closing: () => this.closing,
    });
    this.runner = new JobRunner({
      store: this.store,
      jobs: this.jobs,
      batches: this.batches,
      tracer: this.tracer,
      fleet: () => this.fleet,
      trace: options.trace,
    });
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

  /** Whether a submission that says nothing of it is nudged (`serve --no-nudge`: not). */
  get nudges(): boolean {
    return this.options.trace?.nudge !== false;
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
    void this.runner.run(job, null);
    return jobView(job);
  }

  /** Analyses the message now (refusing what cannot be traced), queues the trace of its main link. */
  async submitMessage(input: SubmitMessageInput): Promise<Job> {
    this.acceptingOrThrow();
    // A message is word from its sender: its lease starts again as it arrives, not only once the
    // analysis below is done, which a busy server may take longer than the rest of the lease for.
    if (input.mailbox) this.batches.renewLease(this.batches.openMailboxOf(input.mailbox.batch));
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
    const raw = await oneMessage(input.raw, this.maxMessageBytes);
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
    const mailbox = input.mailbox ? this.batches.openMailboxOf(input.mailbox.batch) : null;
    if (mailbox) this.batches.renewLease(mailbox);
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
      this.batches.save(mailbox);
    }
    this.jobs.record(
      job,
      'message',
      `message case ${message.id}${message.earlier ? ' (this message, recorded before)' : ''}: ` +
        `${analysis.links.length} link(s)${main ? `, main link ${main.index}: ${main.url}` : ', no link to trace'}`,
    );
    await this.runner.stampMessage(job, message.dir);
    if (!main) {
      this.runner.finish(job, 'done');
      return jobView(job);
    }
    void this.runner.run(job, { dir: message.dir, record });
    return jobView(job);
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
    this.batches.add(batch);
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
    this.batches.endIfDone(batch);
    this.batches.save(batch);
    for (const job of jobs) void this.runner.run(job, null);
    return this.batches.view(batch.id)!;
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
    const batch = this.batches.openMailbox(input, clicks);
    return this.batches.view(batch.id)!;
  }

  /**
   * Its sender is still there (`mail --trace --server` says so between messages): the mailbox
   * stays open for another lease. A mailbox closed or cancelled meanwhile is a 409 saying so.
   */
  renewMailbox(id: string): BatchView {
    this.batches.renewLease(this.batches.openMailboxOf(id));
    return this.batches.view(id)!;
  }

  /** Its sender sent every message of the mailbox: the batch ends with its last job. */
  closeMailbox(id: string, input?: { byAnalyst?: boolean }): BatchView {
    this.batches.closeMailbox(id, input?.byAnalyst ?? false);
    return this.batches.view(id)!;
  }

  /** A batch with its items as they stand now; null when there is none of that id. */
  batchView(id: string): BatchView | null {
    return this.batches.view(id);
  }

  /** Batches, newest first, without their items' details (counts only). */
  listBatches(): (Omit<BatchSubmission, 'items'> & { counts: BatchCounts })[] {
    return this.batches.list();
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
      this.unindexed = this.store.sync().skipped;
    }
    return this.store;
  }

  /** The case folders the last sync could not index (a trace running or cut off, a damaged report), with why. */
  notIndexed(): readonly { id: string; reason: string }[] {
    return this.unindexed;
  }

  job(id: string): Job | null {
    const job = this.jobs.get(id);
    return job ? jobView(job) : null;
  }

  /** Newest first, without events; only the jobs of `ids` when given, only those in `state` when given. */
  listJobs(ids?: string[], state?: JobState): JobSummary[] {
    return this.jobs.list(ids, state);
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
    if (job.kind === 'message' && !this.jobs.savedMessage(job))
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
    const message = job.kind === 'message' ? this.jobs.savedMessage(job) : null;
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
    this.jobs.record(job, 'retried', `as job ${retried.id} (its link had not been requested)`);
    this.jobs.save(job);
    this.jobs.record(retried, 'retry', `of job ${job.id}, which failed before its link was requested: ${job.error ?? ''}`);
    this.batches.retried(job, retried);
    void this.runner.run(retried, message);
    return jobView(retried);
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
    if (!job.cancelledAt) this.runner.cancel(job);
    // A queued job's cancel ends it through a few promise callbacks: answered once they ran.
    await nextTurn();
    return jobView(job);
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
    this.batches.markCancelled(batch);
    for (const job of jobs) if (job.state === 'queued' && !job.cancelledAt) this.runner.cancel(job);
    for (const job of jobs) if (!job.cancelledAt) this.runner.cancel(job);
    this.batches.settle(batch, jobs.length === 0);
    await nextTurn();
    return this.batches.view(id)!;
  }

  /** Calls back with every new event and state change of a job; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: Job, event: JobEvent | null) => void): () => void {
    return this.jobs.subscribe(id, (job, event) => listener(jobView(job), event));
  }

  /** Stops taking jobs, keeps the waiting ones for the next start, waits for the running ones, closes the browsers and the index. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Waiting jobs come back as skipped (nothing requested): they stay queued for the next start.
    // On the fleet they stay on the queue, and claimed ones wait for their cases at the next start.
    await this.fleet?.close();
    await this.tracer.stop('the server stopped; this job runs when it starts again');
    this.batches.close();
    await this.browsers.close();
    await this.sweep;
    this.store.close();
  }

  private acceptingOrThrow(): void {
    if (this.closing) throw new SubmissionError('the server is shutting down', 503, 'closing');
    if ((this.fleet ? this.fleet.waiting : this.tracer.queued) >= (this.options.maxQueued ?? 1000))
      throw new SubmissionError('too many jobs waiting; try again later', 503, 'queue-full');
  }

  private newJob(fields: NewJobFields): Job {
    this.batches.forgetOld();
    return this.jobs.create(fields);
  }

  /**
   * Jobs saved by an earlier run of the server on this cases folder: queued ones run, a running one
   * claimed by a fleet worker waits for its case, one this server was tracing is failed (its link
   * may be single-use).
   */
  private restoreJobs(): void {
    const saved = this.jobs.loadSaved();
    // Batches first: the jobs failed or resumed below report to theirs.
    this.batches.restore(saved.batches);
    for (const job of saved.jobs) {
      this.jobs.adopt(job);
      if (job.state === 'running' && this.fleet && job.fleet?.caseId) {
        // Claimed by a worker: its case may still come (workers keep it until the server took it).
        const message = job.kind === 'message' ? this.jobs.savedMessage(job) : null;
        this.jobs.record(job, 'resumed', `the server restarted; waiting for the case of worker ${job.fleet.worker?.name ?? '?'}`);
        void this.runner.run(job, message);
      } else if (job.state === 'running') {
        this.jobs.caseOfInterrupted(job);
        this.runner.finish(job, 'failed', 'the server stopped while this job ran; it is not run again (its link may be single-use)');
      } else if (job.state === 'queued' && job.cancelledAt) {
        this.runner.finish(job, 'cancelled');
      } else if (job.state === 'queued') {
        const message = job.kind === 'message' ? this.jobs.savedMessage(job) : null;
        if (job.kind === 'message' && !message) {
          this.runner.finish(job, 'failed', `its message case ${job.messageCaseId ?? '?'} cannot be read`);
          continue;
        }
        this.jobs.record(job, 'resumed', 'queued again after a restart of the server');
        void this.runner.run(job, message);
      }
    }
  }

  /** What the fleet's dispatcher may do with the jobs. */
  private fleetHost(): FleetJobHost {
    return {
      store: this.store,
      job: (id) => this.jobs.get(id) ?? null,
      jobByCase: (caseId) => this.jobs.byFleetCase(caseId),
      jobs: () => this.jobs.values(),
      save: (job) => this.jobs.save(job),
      record: (job, kind, detail) => this.jobs.record(job, kind, detail),
      late: (job, outcome) => {
        const message = job.kind === 'message' ? this.jobs.savedMessage(job) : null;
        this.jobs.record(
          job,
          'late-case',
          job.cancelledAt
            ? 'its case arrived after the job had ended; it stays cancelled, with its case'
            : 'its case arrived after the job had ended; the job is done after all',
        );
        void this.runner.run(job, message, () => Promise.resolve(outcome));
      },
    };
  }
}
