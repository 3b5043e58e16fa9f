// Runs the jobs of `clicktrace serve`: each job's trace (on this process's Tracer, or on the
// fleet's queue), a message's link through its message case, how the trace ended as the job's
// state and events, and the cancel of a job queued or running.
import { basename } from 'node:path';
import type { CaseStore } from '../store/index.js';
import type { TimestampOutcome } from '../timestamp/case-timestamp.js';
import { cancelReason, MISSING_CASE, type TraceDefaults, type Tracer, type TraceOutcome, type TraceRequest } from './tracer.js';
import { batchEntry, type BatchEntry } from './batch.js';
import { linkTarget, stampMessageCase, traceMessage } from './messages.js';
import { choiceArguments } from './submission-options.js';
import type { Job } from './job.js';
import type { JobStore, SavedMessage } from './job-store.js';
import type { BatchBook } from './batch-book.js';
// Types only: BullMQ is loaded by the caller (serve --queue), never by the embedded default.
import type { FleetDispatcher } from '../fleet/dispatcher.js';

export interface JobRunnerOptions {
  store: CaseStore;
  jobs: JobStore;
  batches: BatchBook;
  tracer: Tracer;
  /** With `serve --queue`: the queue the jobs are traced from (made after the runner). */
  fleet: () => FleetDispatcher | null;
  trace: TraceDefaults | undefined;
}

export type TraceOf = (request: TraceRequest) => Promise<TraceOutcome>;

export class JobRunner {
  /** In-process traces of jobs: aborted to cancel them (queued or running). */
  private readonly cancels = new Map<string, AbortController>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** The job's trace: on the fleet's queue, or on this process's tracer. */
  private traceJob(job: Job, request: TraceRequest): Promise<TraceOutcome> {
    const fleet = this.options.fleet();
    return fleet ? fleet.trace(job, request) : this.options.tracer.trace(request);
  }

  /** Runs the job's trace (queued on the tracer or the fleet, or `trace` when given) and records how it ended. */
  async run(job: Job, message: SavedMessage | null, trace: TraceOf = (request) => this.traceJob(job, request)): Promise<void> {
    const cancel = new AbortController();
    // Cancelled before its trace was queued (a mailbox's message while its case was being sealed).
    if (job.cancelledAt) cancel.abort(cancelReason(job.cancelledAt));
    this.cancels.set(job.id, cancel);
    try {
      await this.runOf(job, message, trace, cancel.signal);
    } finally {
      if (this.cancels.get(job.id) === cancel) this.cancels.delete(job.id);
    }
  }

  private async runOf(job: Job, message: SavedMessage | null, trace: TraceOf, signal: AbortSignal): Promise<void> {
    const { jobs } = this.options;
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
        jobs.record(job, 'started', job.url!);
        jobs.save(job);
      },
      // The case folder's name, not the server's file system path.
      onProgress: (e) => jobs.record(job, e.kind, e.kind === 'done' ? basename(e.detail) : e.detail),
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
        const traced = await traceMessage(
          this.options.store,
          { dir: message.dir, record: message.record, targets: [linkTarget(main)] },
          (link) =>
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
    const { jobs, store } = this.options;
    switch (entry.kind) {
      case 'trace': {
        job.caseId = entry.caseId;
        job.chainError = entry.report.error;
        // Stopped by its cancel (as Ctrl-C stops a trace): its case holds what it recorded until then.
        if (entry.report.partial || (job.cancelledAt && entry.report.error === cancelReason(job.cancelledAt))) job.partial = true;
        if (entry.timestamp) this.recordTimestamp(job, entry.timestamp);
        jobs.record(job, 'indexed', store.caseSummary(entry.caseId) ? `case ${entry.caseId}` : 'not indexed');
        return this.finish(job, 'done');
      }
      case 'already-traced':
      case 'duplicate': {
        if (!entry.caseId) return this.finish(job, 'failed', 'this link is being traced right now by another process; not requested twice');
        job.caseId = entry.caseId;
        job.alreadyTraced = true;
        if (entry.kind === 'already-traced' && entry.caseMissing) job.caseMissing = true;
        // How that trace ended shows with the job: an interrupted or cut-off one is not a plain success.
        const earlier = store.caseSummary(entry.caseId);
        if (earlier?.partial) job.partial = true;
        if (earlier?.error) job.chainError = earlier.error;
        jobs.record(
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
        jobs.record(job, 'paused', entry.reason);
        return jobs.save(job);
      case 'failed':
        job.caseId = entry.caseId;
        return this.finish(job, 'failed', entry.error);
      case 'invalid':
        return this.finish(job, 'failed', entry.error);
    }
  }

  /** A message case is sealed (again) synchronously; its timestamp, when a TSA is set and it has none, is asked for here. */
  async stampMessage(job: Job, dir: string): Promise<void> {
    const tsa = this.options.trace?.tsa;
    if (!tsa) return;
    const outcome = await stampMessageCase(dir, tsa);
    if (outcome) this.recordTimestamp(job, outcome);
  }

  private recordTimestamp(job: Job, outcome: TimestampOutcome): void {
    this.options.jobs.record(
      job,
      'timestamp',
      outcome.ok ? `${outcome.token.time} from ${outcome.tsa}` : `failed: ${outcome.error}; sealed without one`,
    );
  }

  /**
   * A job cancelled before it ended ends as cancelled whatever its trace did (its case, if any, is
   * kept); without a case and without an error, nothing was requested (a trace skipped).
   */
  finish(job: Job, state: 'done' | 'failed' | 'cancelled', error: string | null = null): void {
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
    this.options.jobs.record(
      job,
      job.state === 'done' ? 'finished' : job.state,
      job.error ?? job.chainError ?? job.caseId ?? job.messageCaseId ?? '',
    );
    this.options.jobs.save(job);
    if (job.batch) this.options.batches.jobEnded(job);
  }

  /** Marks the job cancelled and stops its trace: queued, it never starts; running, it is stopped as Ctrl-C stops one. */
  cancel(job: Job): void {
    const at = new Date().toISOString();
    job.cancelledAt = at;
    this.options.jobs.record(
      job,
      'cancel',
      job.state === 'queued'
        ? 'cancelled by the analyst before it started: its link is not requested'
        : 'cancelled by the analyst: its trace is stopped, and its case sealed with what it recorded',
    );
    this.options.jobs.save(job);
    const fleet = this.options.fleet();
    if (fleet) fleet.cancel(job, cancelReason(at));
    else this.cancels.get(job.id)?.abort(cancelReason(at));
  }
}
