// The batches of `clicktrace serve`: submitted lists of links, and mailboxes sent message by
// message (`mail --trace --server`) with the lease their sender renews. Each batch's items follow
// their jobs' ends; a batch is saved with the jobs (table `jobs`, kind "batch") and read back at
// the next start, where a mailbox still being sent gets a whole new lease.
import { randomBytes } from 'node:crypto';
import type { CaseStore } from '../store/index.js';
import { aggregateCases, type FeedAggregate } from '../feed/index.js';
import { SubmissionError } from './submission-error.js';
import { withOptions } from './submission-input.js';
import type { TraceChoices } from './submission-options.js';
import type { Job } from './job.js';
import { batchCaseIds, batchCounts, resolvedItems, type BatchCounts, type BatchItem, type BatchSubmission } from './batch-submission.js';

export interface OpenMailboxInput {
  /** The mailbox's name (its file, or folder). */
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

/** Batches kept in memory (each holds up to maxListUrls items). */
const MAX_BATCHES_KEPT = 200;
/** A batch of many jobs is saved at most this often while they end (each save writes all its items). */
const BATCH_SAVE_DELAY_MS = 1000;

export interface BatchBookOptions {
  store: CaseStore;
  /** The index brought up to date with the folder, for the aggregate of a batch that ended. */
  syncedStore: () => CaseStore;
  job: (id: string) => Job | undefined;
  /** How long an open mailbox waits for a word from its sender. */
  leaseMs: number;
  /** The server is stopping: a lease running out then closes nothing. */
  closing: () => boolean;
}

/** A new batch, running, of these items (a URL list's or a mailbox's). */
export function newBatch(input: OpenMailboxInput, clicks: string[], items: BatchSubmission['items']): BatchSubmission {
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

export class BatchBook {
  private readonly batches = new Map<string, BatchSubmission>();
  private readonly saves = new Map<string, NodeJS.Timeout>();
  /** Open mailbox batches: the timer that closes each when its lease runs out. */
  private readonly leases = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: BatchBookOptions) {}

  get(id: string): BatchSubmission | undefined {
    return this.batches.get(id);
  }

  add(batch: BatchSubmission): void {
    this.batches.set(batch.id, batch);
  }

  /** Batches read back from the index; a mailbox still being sent gets a whole lease from this start: its sender waits out a restart. */
  restore(batches: BatchSubmission[]): void {
    for (const batch of batches) this.batches.set(batch.id, batch);
    for (const batch of batches) if (batch.open && !batch.cancelledAt) this.renewLease(batch);
  }

  /** A mailbox batch, open, its lease begun, saved. */
  openMailbox(input: OpenMailboxInput, clicks: string[]): BatchSubmission {
    const batch: BatchSubmission = { ...newBatch(input, clicks, []), mailbox: true, open: true };
    this.batches.set(batch.id, batch);
    this.renewLease(batch);
    this.save(batch);
    return batch;
  }

  /** The open mailbox's lease starts again now; it is closed (leaseExpired) when it runs out. */
  renewLease(batch: BatchSubmission): void {
    clearTimeout(this.leases.get(batch.id));
    const now = Date.now();
    const ms = this.options.leaseMs;
    batch.lease = {
      seconds: ms / 1000,
      renewedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ms).toISOString(),
    };
    // Run out only once what reached the server meanwhile is read: a server busy past the lease
    // (its event loop held up) meets its timers before its sockets, where a renewal may wait.
    const timer = setTimeout(() => setImmediate(() => this.leases.get(batch.id) === timer && this.leaseExpired(batch.id)), ms);
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
    if (!batch?.open || batch.cancelledAt || this.options.closing()) return;
    const numbers = batch.items.map((i) => i.line);
    batch.abandoned = {
      at: new Date().toISOString(),
      lastHeardAt: batch.lease?.renewedAt ?? batch.submittedAt,
      sent: batch.items.length,
      lastMessage: numbers.length ? Math.max(...numbers) : null,
    };
    delete batch.open;
    this.endIfDone(batch);
    this.save(batch);
  }

  /** Its sender sent every message of the mailbox (or the analyst closed it): the batch ends with its last job. */
  closeMailbox(id: string, byAnalyst: boolean): void {
    const batch = this.batches.get(id);
    if (!batch?.mailbox) throw new SubmissionError(`no mailbox batch ${id}`, 404, 'not-found');
    if (batch.open) {
      delete batch.open;
      this.endLease(id);
      if (byAnalyst) batch.closedByAnalyst = new Date().toISOString();
      this.endIfDone(batch);
      this.save(batch);
    }
  }

  /** The open mailbox batch of that id, or why a message may not join it. */
  openMailboxOf(id: string): BatchSubmission {
    const batch = this.batches.get(id);
    if (!batch?.mailbox) throw new SubmissionError(`no mailbox batch ${id}`, 404, 'not-found');
    if (batch.cancelledAt)
      throw new SubmissionError(`batch ${id} was cancelled at ${batch.cancelledAt}: the message is not taken`, 409, 'batch-cancelled');
    if (batch.abandoned)
      throw new SubmissionError(
        `batch ${id} was closed at ${batch.abandoned.at}: nothing was heard from its sender for ` +
          `${this.options.leaseMs / 1000} s (its lease); the message is not taken`,
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

  /** The batch is cancelled (a mailbox still being sent takes no more messages); its jobs are the caller's. */
  markCancelled(batch: BatchSubmission): void {
    batch.cancelledAt ??= new Date().toISOString();
    delete batch.open;
    this.endLease(batch.id);
  }

  /** The job `retried` runs the line of the failed job `failed` in its batch, which runs again. */
  retried(failed: Job, retried: Job): void {
    const batch = failed.batch ? this.batches.get(failed.batch) : undefined;
    const item = batch?.items.find((i) => i.jobId === failed.id);
    if (!batch || !item) return;
    Object.assign(item, { jobId: retried.id, state: 'queued', caseId: null, error: null, chainError: null });
    batch.state = 'running';
    batch.endedAt = null;
    this.save(batch);
  }

  /** A batch with its items as they stand now; null when there is none of that id. */
  view(id: string): BatchView | null {
    const batch = this.batches.get(id);
    if (!batch) return null;
    const items = resolvedItems(batch.items.map((item) => this.liveItem(item)));
    const counts = batchCounts(items);
    const aggregate = batch.state === 'done' ? aggregateCases(this.options.syncedStore(), { caseIds: batchCaseIds(items) }) : null;
    return { ...batch, items, counts, aggregate };
  }

  /** Batches, newest first, without their items' details (counts only). */
  list(): (Omit<BatchSubmission, 'items'> & { counts: BatchCounts })[] {
    return [...this.batches.values()].reverse().map(({ items, ...rest }) => ({
      ...rest,
      counts: batchCounts(items.map((item) => this.liveItem(item))),
    }));
  }

  /** An item with its job's state now (a running job is not saved at every change). */
  private liveItem(item: BatchItem): BatchItem {
    const job = item.jobId ? this.options.job(item.jobId) : undefined;
    if (!job || item.state !== 'queued') return item;
    return job.state === 'running' ? { ...item, state: 'running' } : item;
  }

  /** A job of a batch ended: its item keeps the outcome; the batch ends with its last job. */
  jobEnded(job: Job): void {
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
    this.settle(batch);
  }

  /** Saved now when the batch ended (or `now`), else soon: its other jobs may end meanwhile. */
  settle(batch: BatchSubmission, now = false): void {
    if (this.endIfDone(batch) || now) this.save(batch);
    else this.saveSoon(batch);
  }

  /** Ends the batch when nothing of it is left to run (and a mailbox's sender has closed it); whether it ended now. */
  endIfDone(batch: BatchSubmission): boolean {
    if (batch.state === 'done' || batch.open || batch.items.some((i) => i.state === 'queued' || i.state === 'running')) return false;
    batch.state = 'done';
    batch.endedAt = new Date().toISOString();
    return true;
  }

  /** Batches are kept with the jobs (table `jobs`, kind "batch"); saving is best effort, as for jobs. */
  save(batch: BatchSubmission): void {
    clearTimeout(this.saves.get(batch.id));
    this.saves.delete(batch.id);
    try {
      this.options.store.saveJob({ id: batch.id, submittedAt: batch.submittedAt, state: batch.state }, JSON.stringify(batch));
    } catch {
      // The index is closed or read-only; the batch lives on in memory.
    }
  }

  private saveSoon(batch: BatchSubmission): void {
    if (this.saves.has(batch.id)) return;
    const timer = setTimeout(() => this.save(batch), BATCH_SAVE_DELAY_MS);
    timer.unref();
    this.saves.set(batch.id, timer);
  }

  /** Ended batches beyond the newest few are forgotten here (they stay in the index's jobs table). */
  forgetOld(): void {
    for (const [id, batch] of this.batches) {
      if (this.batches.size <= MAX_BATCHES_KEPT) break;
      if (batch.state === 'done' && !this.saves.has(id)) this.batches.delete(id);
    }
  }

  /** The server stops: no lease runs on, and every batch waiting to be saved is saved now. */
  close(): void {
    for (const id of [...this.leases.keys()]) this.endLease(id);
    for (const id of [...this.saves.keys()]) this.save(this.batches.get(id)!);
  }
}
