// Static analysis of many messages on every core: a pool of worker threads, each running
// analyzeMessage (a pure function of the raw bytes), results handed back in the order asked.
// A mailbox or a spam feed is thousands of independent messages; one thread leaves the other
// cores idle. A worker that dies (a message that exhausts its memory) fails that message only.
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { workerModule } from '../worker-module.js';
import type { AnalyzeOptions, MailAnalysis } from './parse.js';

export interface AnalysisJob {
  id: number;
  raw: Uint8Array;
  source: string;
  options?: AnalyzeOptions;
}

export type AnalysisReply = { id: number; analysis: MailAnalysis } | { id: number; error: string };

function workerPath(): string {
  const found = workerModule(import.meta.url, 'analysis-worker.js', 'mail-worker.mjs');
  if (!found) throw new Error('mail analysis worker module not found (is the build complete?)');
  return found;
}

/**
 * V8's tiering for the analysis threads. A thread runs one large body of code (MIME, HTML, URL rules)
 * over many short messages; a cold pass cost about twice the CPU of a warm one, most of the difference
 * TurboFan's: compiling the same code in every thread, and compiling big functions again after they
 * deoptimised because they were optimised before their other branches had run. Optimising later (more type feedback first) and
 * inlining less cut a cold pass's CPU by about a third (2-core machine, corpus of 316 messages:
 * 130-180 -> 210-265 messages per CPU-second) and do not slow the steady state (bench/mail.ts).
 * V8's flags belong to the process, not to a thread: set once, before the first worker starts; they
 * change when code is compiled, never what it computes.
 */
const JIT_FLAGS = ['--interrupt-budget=250000', '--max-inlined-bytecode-size-cumulative=230'];
let jitFlagsSet = false;

function setJitFlags(): void {
  if (jitFlagsSet) return;
  jitFlagsSet = true;
  for (const flag of JIT_FLAGS) setFlagsFromString(flag);
}

interface Slot {
  worker: Worker;
  job: AnalysisJob | null;
  ready: Promise<void>;
}

export class AnalysisPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { job: AnalysisJob; resolve: (reply: AnalysisReply) => void }[] = [];
  private readonly waiting = new Map<number, (reply: AnalysisReply) => void>();
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    setJitFlags();
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Resolves once every worker has loaded the analysis code. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.ready));
  }

  analyze(raw: Uint8Array, source: string, options?: AnalyzeOptions): Promise<AnalysisReply> {
    if (this.closed) return Promise.resolve({ id: -1, error: 'analysis pool closed' });
    return new Promise((resolve) => {
      this.queue.push({ job: { id: this.nextId++, raw, source, ...(options ? { options } : {}) }, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(workerPath());
    let markReady: () => void = () => undefined;
    const slot: Slot = { worker, job: null, ready: new Promise((resolve) => (markReady = resolve)) };
    worker.on('message', (message: AnalysisReply | 'ready') => {
      if (message === 'ready') {
        markReady();
        return;
      }
      this.finish(slot, message);
    });
    worker.on('error', (err) => this.replace(slot, `analysis failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, `analysis worker exited (code ${code})`);
    });
    return slot;
  }

  private finish(slot: Slot, reply: AnalysisReply): void {
    const resolve = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    slot.job = null;
    resolve?.(reply);
    this.dispatch();
  }

  /** The worker is gone: its message fails, a new worker takes its place. */
  private replace(slot: Slot, error: string): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    void slot.worker.terminate();
    if (this.closed) return;
    const job = slot.job;
    this.slots[index] = this.spawn();
    if (job) this.finish(this.slots[index], { id: job.id, error });
    else this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const { job, resolve } = this.queue.shift()!;
      slot.job = job;
      this.waiting.set(job.id, resolve);
      slot.worker.postMessage(job);
    }
  }
}
