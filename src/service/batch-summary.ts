// What a batch run (trace of many URLs, mail --trace over a mailbox) ends with: counts, rate,
// failures, duplicates, links already traced, and the aggregate "who is responsible" across the
// batch: the feed report's aggregate (src/feed, the same as `clicktrace report`) over the batch's
// cases. Counts are running tallies and the cases are kept as ids, so a batch of any size holds
// only these in memory until its end.
import type { FeedAggregate } from '../feed/index.js';
import type { BatchEntry } from './batch.js';

export interface BatchSummary {
  kind: 'summary';
  startedAt: string;
  endedAt: string;
  elapsedMs: number;
  /** Traces at once here; with --server, the submissions waiting on the server at once (server says which). */
  concurrency: number;
  /** With --server: the server that traced the batch (its fleet's concurrency is its own). */
  server?: string;
  /** Why the batch stopped early (Ctrl-C), or null when it ran to the end. */
  interrupted: string | null;
  counts: {
    /** URLs to trace: lines of the input (invalid ones included), or the links chosen in messages. */
    inputs: number;
    /** Traces run in this batch (each one request of its link, one case). */
    traced: number;
    /** Of those, traces whose chain ended with an error (the case says why). */
    chainErrors: number;
    /** Traces that could not run or finish (no browser, the case could not be written). */
    failed: number;
    /** Exact repeats of a URL earlier in the batch: not traced again, pointed at the first one's case. */
    duplicates: number;
    /** URLs this cases folder had requested before: not requested again (see --again). */
    alreadyTraced: number;
    /** Lines that are not http(s) URLs. */
    invalid: number;
    /** Never started because the batch was interrupted (each has its `skipped` line). */
    notStarted: number;
    /**
     * For mail: messages read; those that could not be read or analysed, or whose asked-for link
     * could not be traced (each listed in `failures`, a failure of the run); and those read with a
     * warning only (an unknown charset, a repaired boundary...: shown with the message, not a failure).
     */
    messages?: number;
    messageErrors?: number;
    messageWarnings?: number;
    /** For mail: messages of the mailbox not started because the run was interrupted (each has its `skipped` line). */
    messagesNotStarted?: number;
  };
  /** Traces per second of wall time (traces run / elapsed). */
  tracesPerSecond: number;
  /**
   * The first failures (chain errors, failed traces, invalid lines, messages with errors), up to
   * MAX_LISTED. A message's failure has its `source` (position in the mailbox) and `messageId`, no `url`.
   */
  failures: { line: number | null; source?: string; messageId?: string | null; url?: string; error: string; case: string | null }[];
  /**
   * Who is responsible across the batch: the feed aggregate (sending platforms, trackers, brokers,
   * advertisers, hosting networks...) of its cases, those traced now and those traced before; null
   * when nothing was traced (static mail analysis).
   */
  aggregate: FeedAggregate | null;
  /**
   * Cases an earlier run left open when it died (kill -9, a crash), sealed as partial at the start
   * of this one (service/cut-off-sweep.ts); absent when the batch runs on a server.
   */
  sealedCutOff?: number;
}

const MAX_LISTED = 50;

/** Running counts of a batch, fed one entry at a time. */
export class BatchTally {
  readonly startedAt = new Date();
  readonly counts: BatchSummary['counts'] = {
    inputs: 0,
    traced: 0,
    chainErrors: 0,
    failed: 0,
    duplicates: 0,
    alreadyTraced: 0,
    invalid: 0,
    notStarted: 0,
  };
  readonly failures: BatchSummary['failures'] = [];
  /** The batch's cases: traced now, traced before (already traced, duplicates) and message cases. */
  private readonly cases = new Set<string>();

  get caseIds(): string[] {
    return [...this.cases];
  }

  add(entry: BatchEntry): void {
    const c = this.counts;
    c.inputs++;
    switch (entry.kind) {
      case 'trace':
        c.traced++;
        this.cases.add(entry.caseId);
        if (entry.report.error) {
          c.chainErrors++;
          this.fail(entry.line, entry.url, entry.report.error, entry.caseId, entry.source);
        }
        break;
      case 'failed':
        c.failed++;
        this.fail(entry.line, entry.url, entry.error, entry.caseId, entry.source);
        break;
      case 'duplicate':
        c.duplicates++;
        break;
      case 'already-traced':
        c.alreadyTraced++;
        if (entry.caseId) this.cases.add(entry.caseId);
        break;
      case 'invalid':
        c.invalid++;
        this.fail(entry.line, entry.text, entry.error, null);
        break;
      case 'skipped':
        c.notStarted++;
        break;
    }
  }

  /** A message of a mailbox, read (or not); its message case when one was written. */
  addMessage(message: { source: string; messageId: string | null; caseId: string | null; errors: string[]; warnings: string[] }): void {
    const c = this.counts;
    c.messages = (c.messages ?? 0) + 1;
    if (message.errors.length) {
      c.messageErrors = (c.messageErrors ?? 0) + 1;
      if (this.failures.length < MAX_LISTED)
        this.failures.push({
          line: null,
          source: message.source,
          messageId: message.messageId,
          error: message.errors.join('; '),
          case: message.caseId,
        });
    }
    if (message.warnings.length) c.messageWarnings = (c.messageWarnings ?? 0) + 1;
    if (message.caseId) this.cases.add(message.caseId);
  }

  /** A message of a mailbox not started because the run was interrupted. */
  messageNotStarted(): void {
    this.counts.messagesNotStarted = (this.counts.messagesNotStarted ?? 0) + 1;
  }

  private fail(line: number | null, url: string, error: string, caseId: string | null, source?: string): void {
    if (this.failures.length < MAX_LISTED) this.failures.push({ line, ...(source ? { source } : {}), url, error, case: caseId });
  }
}

/**
 * The summary of a batch so far (at its end, or when it was interrupted). `aggregate` sums up the
 * batch's cases (from the case index: aggregateCases of src/feed), or is absent when nothing was traced.
 */
export function batchSummary(
  tally: BatchTally,
  run: { concurrency: number; interrupted: string | null; endedAt?: Date; aggregate?: (caseIds: string[]) => FeedAggregate },
): BatchSummary {
  const endedAt = run.endedAt ?? new Date();
  const elapsedMs = Math.max(1, endedAt.getTime() - tally.startedAt.getTime());
  return {
    kind: 'summary',
    startedAt: tally.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    elapsedMs,
    concurrency: run.concurrency,
    interrupted: run.interrupted,
    counts: { ...tally.counts },
    tracesPerSecond: Math.round((tally.counts.traced / (elapsedMs / 1000)) * 100) / 100,
    failures: tally.failures.map((f) => ({ ...f })),
    aggregate: run.aggregate ? run.aggregate(tally.caseIds) : null,
  };
}
