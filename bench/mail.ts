// Static mail analysis throughput: MIME decoding, header forensics and link extraction of every
// message in a folder, spread over worker threads (one per core by default). Files are read and
// workers started before the clock starts; the timed part is analysis plus handing messages over.
// By default each worker first warms up on the project's own mail fixtures (never on the measured
// messages), so the figure is the steady state of a long mbox run; --cold skips that.
//
//   node --import tsx bench/mail.ts [dir] [--workers N] [--cold]

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
  links: number;
  bytes: number;
  warmedUp: boolean;
  /** CPU time of the whole process (all threads) during the timed part: wall time is only
   * meaningful on otherwise idle cores, messages per CPU-second is not disturbed by other load. */
  cpuSeconds: number;
  perCpuSecond: number;
}

export interface MailBenchOptions {
  /** Worker threads; 1 analyses in the calling thread. Default: available cores. */
  workers?: number;
  /** Analyse the test fixtures a few times in each worker before timing. Default true. */
  warmup?: boolean;
}

const WORKER_ROLE = 'clicktrace-mail-bench';

type Job = { index: number; raw: Uint8Array } | { warmup: true };
const WARMUP_ROUNDS = 25;

function readMessages(dir: string, suffix = '.eml'): Buffer[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => readFileSync(join(dir, name)));
}

async function warmUp(): Promise<void> {
  const fixtures = readMessages(join(projectRoot(), 'test', 'fixtures', 'mail'));
  for (let round = 0; round < WARMUP_ROUNDS; round++) for (const raw of fixtures) await analyzeMessage(raw, 'warm-up');
}
type Done = { index: number; links: number };

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

function startWorker(warmup: boolean): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = spawnSelf();
    worker.once('error', reject);
    worker.once('message', () => {
      if (!warmup) return resolve(worker);
      worker.once('message', () => resolve(worker)); // warmed up
      worker.postMessage({ warmup: true } satisfies Job);
    }); // ready
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
    for (const worker of workers) {
      worker.on('message', (done: Done) => {
        links += done.links;
        if (--pending === 0) resolve(links);
        else feed(worker);
      });
      worker.on('error', reject);
      feed(worker);
    }
    if (pending === 0) resolve(0);
  });
}

export async function benchMailThroughput(dir: string, options: MailBenchOptions = {}): Promise<MailBenchResult> {
  const messages = readMessages(dir);
  const warmup = options.warmup ?? true;
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), messages.length || 1));
  const bytes = messages.reduce((sum, raw) => sum + raw.length, 0);
  let links: number;
  let seconds: number;
  let cpu: NodeJS.CpuUsage;
  if (workerCount === 1) {
    if (warmup) await warmUp();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    links = await analyzeInProcess(messages);
    seconds = (performance.now() - started) / 1000;
    cpu = process.cpuUsage(cpuBefore);
  } else {
    const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(warmup)));
    try {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      links = await analyzeInWorkers(workers, messages);
      seconds = (performance.now() - started) / 1000;
      cpu = process.cpuUsage(cpuBefore);
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  }
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    messages: messages.length,
    seconds,
    perSecond: messages.length / seconds,
    workers: workerCount,
    links,
    bytes,
    warmedUp: warmup,
    cpuSeconds,
    perCpuSecond: messages.length / cpuSeconds,
  };
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  parentPort!.on('message', async (job: Job) => {
    if ('warmup' in job) {
      await warmUp();
      parentPort!.postMessage('warm');
      return;
    }
    const analysis = await analyzeMessage(Buffer.from(job.raw.buffer, job.raw.byteOffset, job.raw.byteLength), `#${job.index}`);
    parentPort!.postMessage({ index: job.index, links: analysis.links.length } satisfies Done);
  });
  parentPort!.postMessage('ready');
}

if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const workersFlag = args.indexOf('--workers');
  const workers = workersFlag === -1 ? undefined : Number(args.splice(workersFlag, 2)[1]);
  const coldFlag = args.indexOf('--cold');
  if (coldFlag !== -1) args.splice(coldFlag, 1);
  const dir = args[0] ?? join(projectRoot(), '..', 'shared', 'corpus', 'phishing-pot');
  const result = await benchMailThroughput(dir, { workers, warmup: coldFlag === -1 });
  console.log(
    `mail: ${result.messages} messages (${(result.bytes / 1048576).toFixed(1)} MiB, ${result.links} links) in ${result.seconds.toFixed(2)} s ` +
      `on ${result.workers} worker(s), ${result.warmedUp ? 'warmed up' : 'cold'}: ${result.perSecond.toFixed(0)} messages/s ` +
      `(${result.cpuSeconds.toFixed(2)} CPU-s, ${result.perCpuSecond.toFixed(0)} messages per CPU-second)`,
  );
}
