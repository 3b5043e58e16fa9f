// Runs queued tasks with at most `concurrency` of them at once, in submission order.

export class JobQueue {
  private active = 0;
  private readonly waiting: (() => Promise<void>)[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Most tasks ever running at once. */
  peak = 0;

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  push(task: () => Promise<void>): void {
    this.waiting.push(task);
    this.pump();
  }

  /** Queues `task` and resolves (or rejects) with what it does once it ran (one dropped by `clear` never settles). */
  run<T>(task: () => Promise<T>): Promise<T> {
    // Through a resolved promise: a task that throws before it returns one rejects too.
    return new Promise<T>((resolve, reject) => this.push(() => Promise.resolve().then(task).then(resolve, reject)));
  }

  /** Drops `task` if it has not started yet; whether it was dropped. */
  remove(task: () => Promise<void>): boolean {
    const at = this.waiting.indexOf(task);
    if (at < 0) return false;
    this.waiting.splice(at, 1);
    return true;
  }

  /** Drops the tasks not started yet; returns how many. */
  clear(): number {
    return this.waiting.splice(0).length;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.active++;
      this.peak = Math.max(this.peak, this.active);
      void task()
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.waiting.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            waiters.forEach((resolve) => resolve());
          }
        });
    }
  }
}
