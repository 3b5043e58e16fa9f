// Static mail analysis throughput: MIME decoding, header forensics and link extraction of every
// message in a folder, spread over worker threads (one per core by default). Files are read and
// workers started before the clock starts; the timed part is analysis plus handing messages over.
// One round is a cold run, as `clicktrace mail` on a folder sees it. With more rounds the
// folder is analysed again in the same workers and the last round is reported: the steady state
// of a long mbox, once V8 has compiled the hot paths (the first round costs about twice as much).
//
//   node --import tsx bench/mail.ts [dir] [--workers N] [--rounds N]

import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analyzeMessage } from '../src/mail/parse.js';
import { projectRoot } from '../src/mail/project-root.js';

export interface MailBenchResult {
  messages: number;
  seconds: number;
  perSecond: number;
  workers: number;
  /** Rounds run; the figures are those of the last one. */
  rounds: number;
  links: number;
  bytes: number;
  /**
   * CPU time of the whole process (every thread, JIT and GC included) in the timed round. Wall
   * time is only meaningful on otherwise idle cores; messages per CPU-second is less disturbed.
   */
  cpuSeconds: number;
  perCpuSecond: number;
}

export interface MailBenchOptions {
  /** Worker threads; 1 analyses in the calling thread. Default: available cores. */
  workers?: number;
  /** Passes over the folder; the last is timed. Default 1 (cold). */
  rounds?: number;
}

const WORKER_ROLE = 'clicktrace-mail-bench';

type Job = { index: number; raw: Uint8Array };
type Done = { index: number; links: number };

function readMessages(dir: string): Buffer[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => readFileSync(join(dir, name)));
}

async function analyzeInProcess(messages: Buffer[]): Promise<number> {
  let links = 0;
  for (const [index, raw] of messages.entries()) links += (await analyzeMessage(raw, `#${index}`)).links.length;
  return links;
}

/**
 * A worker running this same module. Under tsx (bench/mail.ts run directly) Node 20 does not
 * carry the TypeScript loader into workers, so the worker registers it before importing.
 */
function spawnSelf(): Worker {
  const options = { workerData: { role: WORKER_ROLE } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(fileURLToPath(import.meta.url), options);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function startWorker(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = spawnSelf();
    worker.once('error', reject);
    worker.once('message', () => resolve(worker)); // "ready"
  });
}

/** Hands messages out one at a time to whichever worker is free, so one huge message does not stall a fixed share. */
function analyzeInWorkers(workers: Worker[], messages: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let pending = messages.length;
    let links = 0;
    const feed = (worker: Worker) => {
      if (next >= messages.length) return;
      const index = next++;
      worker.postMessage({ index, raw: messages[index] } satisfies Job);
    };
    const onDone = (worker: Worker) => (done: Done) => {
      links += done.links;
      if (--pending === 0) finish();
      else feed(worker);
    };
    const listeners = workers.map((worker) => {
      const listener = onDone(worker);
      worker.on('message', listener);
      worker.on('error', reject);
      return listener;
    });
    const finish = () => {
      workers.forEach((worker, i) => {
        worker.off('message', listeners[i]);
        worker.off('error', reject);
      });
      resolve(links);
    };
    if (pending === 0) finish();
    else workers.forEach(feed);
  });
}

async function timed(run: () => Promise<number>): Promise<{ links: number; seconds: number; cpuSeconds: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const links = await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { links, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export async function benchMailThroughput(dir: string, options: MailBenchOptions = {}): Promise<MailBenchResult> {
  const messages = readMessages(dir);
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), messages.length || 1));
  const rounds = Math.max(1, options.rounds ?? 1);
  const bytes = messages.reduce((sum, raw) => sum + raw.length, 0);
  const workers = workerCount === 1 ? [] : await Promise.all(Array.from({ length: workerCount }, startWorker));
  const run = () => (workerCount === 1 ? analyzeInProcess(messages) : analyzeInWorkers(workers, messages));
  try {
    let last = await timed(run);
    for (let round = 1; round < rounds; round++) last = await timed(run);
    return {
      messages: messages.length,
      seconds: last.seconds,
      perSecond: messages.length / last.seconds,
      workers: workerCount,
      rounds,
      links: last.links,
      bytes,
      cpuSeconds: last.cpuSeconds,
      perCpuSecond: messages.length / last.cpuSeconds,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  parentPort!.on('message', async (job: Job) => {
    const analysis = await analyzeMessage(Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength), `#${job.index}`);
    parentPort!.postMessage({ index: job.index, links: analysis.links.length } satisfies Done);
  });
  parentPort!.postMessage('ready');
}

function numberFlag(args: string[], name: string): number | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : Number(args.splice(at, 2)[1]);
}

if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const workers = numberFlag(args, '--workers');
  const rounds = numberFlag(args, '--rounds');
  const dir = args[0] ?? join(projectRoot(), '..', 'shared', 'corpus', 'phishing-pot');
  const result = await benchMailThroughput(dir, { workers, rounds });
  const which = result.rounds === 1 ? 'cold' : `round ${result.rounds} of ${result.rounds}`;
  console.log(
    `mail: ${result.messages} messages (${(result.bytes / 1048576).toFixed(1)} MiB, ${result.links} links) in ${result.seconds.toFixed(2)} s ` +
      `on ${result.workers} worker(s), ${which}: ${result.perSecond.toFixed(0)} messages/s ` +
      `(${result.cpuSeconds.toFixed(2)} CPU-s, ${result.perCpuSecond.toFixed(0)} messages per CPU-second)`,
  );
}
