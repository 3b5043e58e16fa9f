// Case writes taken off the proxy's hot path. A WARC record costs ~0.5-1 ms of synchronous work
// (digests, gzip, write); done inside the exchange callback it delays the proxy's handling of the
// browser's next request of the chain. Queued here, in order, they run once the event loop has
// handled the I/O that is ready, a few ms later at most.
export class DeferredWrites {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;
  /** The first write that failed; the trace reports it when it closes the case. */
  error: unknown = null;

  /** `failed`: told of the first write that failed, as it fails (the trace stops: what follows would go unrecorded). */
  constructor(private readonly failed: (err: unknown) => void = () => {}) {}

  add(write: () => void): void {
    this.queue.push(write);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Runs every queued write now, in order. */
  flush(): void {
    this.scheduled = false;
    for (const write of this.queue.splice(0)) {
      try {
        write();
      } catch (err) {
        if (this.error === null) {
          this.error = err;
          this.failed(err);
        }
      }
    }
  }
}
