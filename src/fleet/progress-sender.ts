// A worker's progress events of one job, sent to the server through BullMQ (protocol.ts
// ProgressData): the first at once, so that the job page shows the start without delay, then the
// ones that came meanwhile together, at most every PROGRESS_INTERVAL_MS. flush() sends what is
// left, and the worker waits for it to be in the queue before the job's case or failure goes back
// over HTTP, which would otherwise overtake it: the server keeps no progress of a job that ended.
import type { ProgressData, ProgressEvent } from './protocol.js';

export const PROGRESS_INTERVAL_MS = 250;

export class ProgressSender {
  private pending: ProgressEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sentAny = false;

  constructor(
    private readonly send: (data: ProgressData) => Promise<unknown>,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  add(event: ProgressEvent): void {
    this.pending.push(event);
    if (!this.sentAny) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends what is pending; resolves once it is sent (or failed to be: progress is never the job's failure). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return Promise.resolve();
    const events = this.pending;
    this.pending = [];
    this.sentAny = true;
    // Progress is for watching: a send that fails costs the watcher some lines, never the job.
    return this.send({ events }).then(
      () => undefined,
      () => undefined,
    );
  }
}
