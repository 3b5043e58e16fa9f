// A server's ingest of fleet bundles unpacks and verifies each case (every digest recomputed, the
// signature and timestamp checked) in a worker thread of its own. Measured on a 2-core machine with
// one fleet worker tracing: 20-165 ms per case (median ~70) that, on the event loop, held back the
// next job's claim (median 12 ms, up to 77 ms late), heartbeats and the web UI. One thread: bundles
// are checked one at a time, so that checking never takes more than one core from the traces.
// Without the worker's module (an incomplete build), or if the thread dies, the work runs here.
import { Worker } from 'node:worker_threads';
import { workerModule } from '../worker-module.js';
import { BundleError } from '../case/case-bundle.js';
import { checkStaged, type StagedBundle, type StagedCase, type StagedFolder } from './unpack-verify.js';

export type VerifyReply = { id: number; staged: StagedCase } | { id: number; error: string; refused: boolean };

export class VerifyThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (staged: StagedCase) => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private closed = false;

  /** Unpacks and checks a bundle, or checks a case folder already staged (a server's own worker's, hard-linked). */
  run(job: StagedBundle | StagedFolder): Promise<StagedCase> {
    const worker = this.closed ? null : this.thread();
    if (!worker) return checkStaged(job);
    const id = this.nextId++;
    return new Promise<StagedCase>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (!('bundle' in job)) return worker.postMessage({ id, job });
      // A copy of just the bundle's bytes, handed over: the caller keeps its own (Buffer's slice() would be a view).
      const bundle = Uint8Array.prototype.slice.call(job.bundle);
      worker.postMessage({ id, job: { ...job, bundle } }, [bundle.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
    this.failAll('the verification thread was closed');
  }

  private thread(): Worker | null {
    if (this.worker) return this.worker;
    const path = workerModule(import.meta.url, 'verify-worker.js', 'verify-worker.mjs');
    if (!path) return null;
    const worker = new Worker(path);
    // The server does not wait for an idle verification thread to exit.
    worker.unref();
    worker.on('message', (reply: VerifyReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!waiter) return;
      if ('staged' in reply) waiter.resolve(reply.staged);
      else waiter.reject(reply.refused ? new BundleError(reply.error) : new Error(reply.error));
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(why);
    };
    worker.on('error', (err) => lost(`the verification thread failed: ${err.message}`));
    worker.on('exit', (code) => lost(`the verification thread exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private failAll(why: string): void {
    for (const { reject } of this.waiting.values()) reject(new Error(why));
    this.waiting.clear();
  }
}
