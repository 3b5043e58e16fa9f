// Static mail analysis throughput: MIME decoding, header forensics and link extraction of every
// message in a folder, spread over the worker threads `clicktrace mail` uses for a mailbox
// (src/mail/analysis-pool.ts; one per core by default). Files are read and workers started before
// the clock starts; the timed part is analysis plus handing messages over.
// One round is a cold run, as `clicktrace mail` on a folder sees it. With more rounds the
// folder is analysed again in the same workers and the last round is reported: the steady state
// of a long mbox, once V8 has compiled the hot paths (the first round costs about twice as much).
//
//   node dist/bench/mail.js [dir] [--workers N] [--rounds N]     (after npm run build)

import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMessage } from '../src/mail/parse.js';
import { AnalysisPool } from '../src/mail/analysis-pool.js';
import { projectRoot } from '../src/project-root.js';

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

/** Through the pool `clicktrace mail` uses for a mailbox; every message in flight at once. */
async function analyzeInPool(pool: AnalysisPool, messages: Buffer[]): Promise<number> {
  const replies = await Promise.all(messages.map((raw, index) => pool.analyze(raw, `#${index}`)));
  let links = 0;
  for (const reply of replies) {
    if ('error' in reply) throw new Error(reply.error);
    links += reply.analysis.links.length;
  }
  return links;
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
  const pool = workerCount === 1 ? null : new AnalysisPool(workerCount);
  await pool?.ready();
  const run = () => (pool ? analyzeInPool(pool, messages) : analyzeInProcess(messages));
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
    await pool?.close();
  }
}

function numberFlag(args: string[], name: string): number | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : Number(args.splice(at, 2)[1]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
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
