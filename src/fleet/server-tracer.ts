// Batches into a server (`trace --input FILE --server URL`, `mail MAILBOX --trace --server URL`):
// each link (or e-mail) is submitted to the server's JSON API, so it goes on the server's queue
// and its fleet when it has one, and each job's end comes back as the same outcome a local trace
// gives, so the batch prints the same JSON Lines and summary. At most `concurrency` submissions
// wait on the server at once; job states are polled in groups (GET /api/jobs?ids=...).
//
// A submission the server refused for now (503: shutting down, too many waiting) or never received
// (connection refused) is sent again. One whose answer was lost is sent again only without
// "again": the server's ledger then makes a repeat harmless (the second job finds the link
// requested); with "again" a repeat would request the link twice, so it is reported as failed.
import type { BatchView, JobSummary } from '../service/trace-service.js';
import { jobEnded } from '../service/job-state.js';
import { batchEntry, type BatchEntry } from '../service/batch.js';
import type { MessageRecord } from '../mail/message-case.js';
import { JobQueue } from '../service/job-queue.js';
import { normalizedTraceUrl, type TraceOutcome, type TraceRequest, type TraceRunner } from '../service/tracer.js';
import { ServerError, type ServerClient } from './server-client.js';
import { pause } from './timing.js';
import type { TraceChoices } from '../service/submission-options.js';
import type { FeedAggregate } from '../feed/index.js';

const POLL_MS = 400;
const IDS_PER_POLL = 200;
/** How long a server that does not answer (restarting, say) is waited for before a submission or a report read is given up. */
const SERVER_PATIENCE_MS = 5 * 60_000;

interface Watch {
  onStart?: () => void;
  started: boolean;
  resolve: (job: JobSummary | null) => void;
}

export interface MessageSent {
  job: JobSummary;
  /** The trace of its link; null when the message had no link to trace. */
  outcome: TraceOutcome | null;
}

export class ServerTracer implements TraceRunner {
  private readonly queue: JobQueue;
  private readonly watching = new Map<string, Watch>();
  private poller: Promise<void> | null = null;
  private stopped: string | null = null;
  private lastPollError = '';
  /** The server's batch of the mailbox being sent (openMailbox). */
  private mailbox: string | null = null;
  /** Renews the mailbox's lease on the server between messages (openMailbox). */
  private renewal: NodeJS.Timeout | null = null;
  /** Why the server takes no more messages into the mailbox (cancelled, closed, its lease ran out), learnt while renewing it. */
  private mailboxEnded: { error: string; code: string } | null = null;
  /** The cases are in the server's store, not here. */
  readonly store = null;

  constructor(
    private readonly client: ServerClient,
    concurrency: number,
    private readonly log: (line: string) => void = () => undefined,
    /** The command's per-trace options (device, user agent, explore, timeout; --click), sent with every submission. */
    private readonly defaults: { options?: TraceChoices; clicks?: string[] } = {},
  ) {
    this.queue = new JobQueue(concurrency);
  }

  private get choices(): TraceChoices {
    return this.defaults.options ?? {};
  }

  /** A submission's texts to click: its own, else the command's --click. */
  private clicks(own: string[] | undefined): string[] {
    return own?.length ? own : (this.defaults.clicks ?? []);
  }

  get concurrency(): number {
    return this.queue.concurrency;
  }

  get queued(): number {
    return this.queue.queued;
  }

  trace(request: TraceRequest): Promise<TraceOutcome> {
    const url = normalizedTraceUrl(request.url);
    if (typeof url !== 'string') return Promise.resolve(url);
    return this.enqueue(async () => {
      if (this.stopped) return { kind: 'skipped', url, reason: this.stopped };
      const again = request.again ?? false;
      // The text as the user wrote it (defanged, quoted...) goes to the server, which reads it as the
      // batch did and keeps it in the case.
      const written = request.analysis?.given ?? url;
      const sent = await this.submit(
        () => this.client.submitUrl({ url: written, again, clicks: this.clicks(request.clicks), options: this.choices }),
        again,
      );
      if ('refused' in sent) return { kind: 'failed', url, caseId: null, error: sent.refused };
      return this.outcome(url, await this.finished(sent.job, request.onStart));
    });
  }

  /**
   * Submits an e-mail (its main link, or link number `link`, is traced on the server); `message`,
   * its number in the mailbox opened by openMailbox, makes it one of that batch. A refusal comes
   * back with its code (batch-cancelled: the analyst cancelled the mailbox on the server).
   */
  traceMessage(
    raw: Buffer,
    options: { link: number | null; again: boolean; clicks?: string[]; onStart?: () => void; message?: number },
  ): Promise<MessageSent | { error: string; code?: string }> {
    return this.enqueue(async () => {
      if (this.stopped) return { error: `not submitted: ${this.stopped}` };
      const { message, ...rest } = options;
      const mailbox = this.mailbox && message !== undefined ? { batch: this.mailbox, message } : null;
      if (mailbox && this.mailboxEnded) return { ...this.mailboxEnded };
      const sent = await this.submit(
        () => this.client.submitMessage(raw, { ...rest, clicks: this.clicks(options.clicks), options: this.choices, mailbox }),
        options.again,
      );
      if ('refused' in sent) return { error: sent.refused, ...(sent.code ? { code: sent.code } : {}) };
      const ended = await this.finished(sent.job, options.onStart);
      const url = ended.url;
      return { job: ended, outcome: url ? await this.outcome(url, ended) : null };
    });
  }

  /**
   * A list file sent whole as one batch of the server, which reads it as `trace --input` does here
   * (its batch page then shows it as one submission); each item is reported as a batch result as it
   * ends: invalid lines and repeats at once, the others when their jobs end. A list the server
   * refuses is returned with its reason and code (list-too-large, queue-full: the caller may send
   * its links one by one instead).
   */
  async traceList(
    raw: Buffer,
    options: { filename: string | null; again: boolean; clicks?: string[] },
    report: (entry: BatchEntry) => void,
    accepted?: (batch: BatchView) => void,
  ): Promise<{ batch: BatchView } | { refused: string; code: string; status: number | null }> {
    let batch: BatchView;
    try {
      // A queue too full for the whole list is not waited for: sent link by link, the list waits its turn on this side.
      batch = await this.sent(
        () => this.client.submitList(raw, { ...options, clicks: this.clicks(options.clicks), options: this.choices }),
        options.again,
        (err) => err.code !== 'queue-full',
      );
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      return { refused: err.message, code: err.code, status: err.status };
    }
    accepted?.(batch);
    const caseOfLine = new Map<number, Promise<string | null>>();
    const pending: Promise<void>[] = [];
    for (const item of batch.items) {
      const written = { ...(item.given !== undefined ? { given: item.given } : {}), ...(item.refanged ? { refanged: item.refanged } : {}) };
      if (item.state === 'invalid') {
        report({ kind: 'invalid', line: item.line, text: item.text ?? '', error: item.error ?? 'not a URL' });
        continue;
      }
      const url = item.url!;
      if (item.state === 'duplicate') {
        const of = item.of ?? null;
        const first = (of !== null ? caseOfLine.get(of) : undefined) ?? Promise.resolve(null);
        pending.push(first.then((caseId) => report({ kind: 'duplicate', line: item.line, url, of, caseId, ...written })));
        continue;
      }
      const job = {
        id: item.jobId!,
        state: item.state,
        caseId: item.caseId ?? null,
        error: item.error ?? null,
        ...(item.alreadyTraced ? { alreadyTraced: true } : {}),
      } as JobSummary;
      const entry = this.finished(job)
        .then((ended) => this.outcome(url, ended))
        .then((outcome) => ({ ...batchEntry(outcome, item.line, url), ...written }));
      caseOfLine.set(
        item.line,
        entry.then((e) => ('caseId' in e ? e.caseId : null)),
      );
      pending.push(entry.then(report));
    }
    await Promise.all(pending);
    return { batch };
  }

  /**
   * Who is responsible across these cases, as the server's index sums them up (the same aggregate a
   * local batch ends with); null when the server cannot be asked (it says why on the log).
   */
  async aggregate(caseIds: string[]): Promise<FeedAggregate | null> {
    try {
      return await this.client.aggregate(caseIds);
    } catch (err) {
      this.log(`who is responsible across the batch could not be read from the server: ${(err as Error).message}`);
      return null;
    }
  }

  /** A message case's record (message.json) as the server keeps it. */
  messageRecord(caseId: string): Promise<MessageRecord> {
    return this.client.caseJson<MessageRecord>(caseId, 'message.json');
  }

  /** Submits nothing more; jobs submitted go on on the server (with abortRunning they are reported as left there). */
  async stop(reason: string, { abortRunning = false }: { abortRunning?: boolean } = {}): Promise<void> {
    this.stopped ??= reason;
    if (abortRunning) {
      for (const [, watch] of this.watching) watch.resolve(null);
      this.watching.clear();
    }
    await this.queue.idle();
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => this.queue.push(() => task().then(resolve, reject)));
  }

  private async submit(send: () => Promise<JobSummary>, again: boolean): Promise<{ job: JobSummary } | { refused: string; code: string }> {
    try {
      return { job: await this.sent(send, again) };
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      return { refused: err.message, code: err.code };
    }
  }

  /**
   * A mailbox sent message by message becomes one batch of the server (its page names it), so that
   * the analyst cancels it whole; messages sent with their number join it. Null when the server
   * does not take it (it says why on the log): the messages are then sent alone.
   */
  async openMailbox(name: string, options: { again: boolean }): Promise<BatchView | null> {
    try {
      const batch = await this.sent(
        () => this.client.openMailbox({ mailbox: name, again: options.again, clicks: this.defaults.clicks ?? [], options: this.choices }),
        false,
      );
      this.mailbox = batch.id;
      // The server closes a mailbox it hears nothing of for a lease: renewed four times per lease.
      if (batch.lease) {
        this.renewal = setInterval(() => void this.renewMailbox(), Math.max(100, (batch.lease.seconds * 1000) / 4));
        this.renewal.unref();
      }
      return batch;
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      this.log(`the mailbox is sent message by message, not as one batch of the server: ${err.message}`);
      return null;
    }
  }

  /** Tells the server this command is still sending the mailbox; a refusal says it takes no more messages. */
  private async renewMailbox(): Promise<void> {
    if (!this.mailbox || this.mailboxEnded) return;
    try {
      await this.client.renewMailbox(this.mailbox);
    } catch (err) {
      // A server away for a moment: the next renewal, or message, tries again.
      if (!(err instanceof ServerError) || (err.status !== 409 && err.status !== 404)) return;
      // A 404: the server no longer knows the batch (another store since a restart): ended all the same.
      this.mailboxEnded = { error: err.message, code: err.status === 404 ? 'batch-gone' : err.code };
      this.stopRenewing();
    }
  }

  private stopRenewing(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
  }

  /** Every message was sent: the mailbox's batch ends with its last job. */
  async closeMailbox(): Promise<void> {
    this.stopRenewing();
    if (!this.mailbox) return;
    try {
      await this.sent(() => this.client.closeMailbox(this.mailbox!), false);
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      this.log(`the mailbox's batch ${this.mailbox} could not be closed: ${err.message}`);
    }
  }

  /** What the server answered a submission, tried again while it is transiently away; a ServerError saying why it was not taken. */
  private async sent<T>(send: () => Promise<T>, again: boolean, worthRetrying = (_err: ServerError) => true): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (!(err instanceof ServerError)) throw err;
        if (again && err.code === 'unreachable')
          throw new ServerError(
            `no answer from the server (${err.message}); not sent again, as it may have been taken with "again" (see its job list)`,
            err.status,
            err.code,
          );
        if (!err.transient || !worthRetrying(err) || Date.now() - started > SERVER_PATIENCE_MS || this.stopped)
          throw new ServerError(`the server did not take it: ${err.message}`, err.status, err.code);
        await pause(Math.min(5000, 500 * attempt));
      }
    }
  }

  /** The job once it is done or failed; a job left behind by an interrupt is reported as such (null). */
  private finished(job: JobSummary, onStart?: () => void): Promise<JobSummary> {
    if (jobEnded(job.state)) return Promise.resolve(job);
    return new Promise((resolve) => {
      this.watching.set(job.id, {
        ...(onStart ? { onStart } : {}),
        started: false,
        resolve: (ended) =>
          resolve(ended ?? { ...job, state: 'failed', error: `${this.stopped ?? 'interrupted'}; job ${job.id} goes on on the server` }),
      });
      this.poller ??= this.poll();
    });
  }

  private async poll(): Promise<void> {
    while (this.watching.size > 0) {
      await pause(POLL_MS);
      const ids = [...this.watching.keys()];
      for (let i = 0; i < ids.length; i += IDS_PER_POLL) {
        let jobs: JobSummary[];
        try {
          jobs = await this.client.jobs(ids.slice(i, i + IDS_PER_POLL));
          this.lastPollError = '';
        } catch (err) {
          const message = (err as Error).message;
          if (message !== this.lastPollError) this.log(`cannot read job states (${message}); trying again`);
          this.lastPollError = message;
          continue;
        }
        for (const job of jobs) {
          const watch = this.watching.get(job.id);
          if (!watch) continue;
          if (job.state !== 'queued' && !watch.started) {
            watch.started = true;
            watch.onStart?.();
          }
          if (jobEnded(job.state)) {
            this.watching.delete(job.id);
            watch.resolve(job);
          }
        }
      }
    }
    this.poller = null;
  }

  /** A finished job as a trace outcome (the report read back from the server). */
  private async outcome(url: string, job: JobSummary): Promise<TraceOutcome> {
    if (job.state === 'failed') return { kind: 'failed', url, caseId: job.caseId, error: job.error ?? 'failed' };
    // Cancelled on the server before its link was requested: nothing was (its case, when it has one, is read below).
    if (job.state === 'cancelled' && !job.caseId) return { kind: 'skipped', url, reason: job.error ?? 'cancelled on the server' };
    if (job.alreadyTraced || !job.caseId) {
      // As a local batch says it: that case is not on the server, or how that trace ended.
      const earlier = job.partial || job.chainError ? { earlier: { partial: job.partial ?? false, error: job.chainError ?? null } } : {};
      return {
        kind: 'already-traced',
        url,
        caseId: job.caseId,
        inProgress: false,
        ...(job.caseMissing ? { caseMissing: true } : {}),
        ...earlier,
      };
    }
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const report = await this.client.caseReport(job.caseId);
        if (!report) return { kind: 'failed', url, caseId: job.caseId, error: `the server has no report for case ${job.caseId}` };
        return { kind: 'traced', url, caseId: job.caseId, caseDir: `${this.client.base}/cases/${job.caseId}`, report, timestamp: null };
      } catch (err) {
        if (!(err instanceof ServerError) || !err.transient || Date.now() - started > SERVER_PATIENCE_MS)
          return { kind: 'failed', url, caseId: job.caseId, error: `traced, but its report could not be read: ${(err as Error).message}` };
        await pause(Math.min(5000, 500 * attempt));
      }
    }
  }
}
