// Static mail analysis throughput: MIME decoding, header forensics and link extraction of every
// message in a folder, spread over the worker threads `clicktrace mail` uses for a mailbox
// (src/mail/analysis-pool.ts; one per core by default). Files are read and workers started before
// the clock starts; the timed part is analysis plus handing messages over.
// One round is a cold run, as `clicktrace mail` on a folder sees it. With more rounds the
// folder is analysed again in the same workers and the last round is reported: the steady state
// of a long mbox, once V8 has compiled the hot paths (the first round costs about 1.5 times as much).
//
// --mbox N measures scale instead: the folder's messages repeated into one mbox of N messages,
// analysed by `clicktrace mail <mbox> --no-visit --json` as a user runs it (output discarded),
// with the process's resident memory sampled while it runs: memory must stay flat.
//
//   node dist/bench/mail.js [dir] [--workers N] [--rounds N] [--mbox N]     (after npm run build)

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMessage } from '../src/mail/parse.js';
import { AnalysisPool } from '../src/mail/analysis-pool.js';
import { projectPath } from '../src/project-root.js';
import { phishingPotDir } from '../test/support/corpus.js';

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

export interface MailboxBenchResult {
  messages: number;
  bytes: number;
  seconds: number;
  perSecond: number;
  exitCode: number | null;
  /** Resident memory of the whole process (every thread), sampled every 100 ms. */
  peakRssMiB: number;
  /** Resident memory at the end of each quarter of the run: flat when memory does not grow with the mailbox. */
  quarterRssMiB: number[];
}

/** Writes the folder's messages, repeated, as an mbox of `count` messages; returns its path and size. */
function repeatedMbox(dir: string, count: number, into: string): { path: string; bytes: number } {
  const messages = readMessages(dir);
  const path = join(into, `corpus-x${count}.mbox`);
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const raw = messages[i % messages.length].toString('latin1').replace(/^(>*From )/gm, '>$1');
      const chunk = Buffer.from(`From bench@clicktrace.invalid Mon Jan  1 00:00:00 2024\n${raw.replace(/\r\n/g, '\n')}\n\n`, 'latin1');
      writeSync(fd, chunk);
      bytes += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes };
}

function rssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** `clicktrace mail` over an mbox of `count` messages (the folder repeated), memory sampled. */
export async function benchMailbox(dir: string, count: number, options: { workers?: number } = {}): Promise<MailboxBenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'clicktrace-mbox-'));
  try {
    const mbox = repeatedMbox(dir, count, work);
    const args = [projectPath('dist', 'clicktrace.mjs'), 'mail', mbox.path, '--no-visit', '--json', '--out', work];
    if (options.workers) args.push('--workers', String(options.workers));
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const samples: { at: number; rss: number }[] = [];
    const timer = setInterval(() => {
      const rss = child.pid ? rssMiB(child.pid) : null;
      if (rss !== null) samples.push({ at: performance.now() - started, rss });
    }, 100);
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    const quarter = (q: number) => {
      const until = (seconds * 1000 * q) / 4;
      const before = samples.filter((s) => s.at <= until);
      return before.at(-1)?.rss ?? 0;
    };
    return {
      messages: count,
      bytes: mbox.bytes,
      seconds,
      perSecond: count / seconds,
      exitCode,
      peakRssMiB: Math.max(0, ...samples.map((s) => s.rss)),
      quarterRssMiB: [1, 2, 3, 4].map(quarter),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatMailbox(r: MailboxBenchResult): string {
  return (
    `mail mbox: ${r.messages} messages (${(r.bytes / 1048576).toFixed(0)} MiB) through clicktrace mail --no-visit --json in ${r.seconds.toFixed(1)} s ` +
    `(${r.perSecond.toFixed(0)} messages/s, exit ${r.exitCode}); resident memory peak ${r.peakRssMiB.toFixed(0)} MiB, ` +
    `at each quarter of the run ${r.quarterRssMiB.map((m) => m.toFixed(0)).join(' / ')} MiB`
  );
}

function numberFlag(args: string[], name: string): number | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : Number(args.splice(at, 2)[1]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const workers = numberFlag(args, '--workers');
  const rounds = numberFlag(args, '--rounds');
  const mbox = numberFlag(args, '--mbox');
  const dir = args[0] ?? phishingPotDir();
  if (!dir) throw new Error('no folder given and the phishing-pot corpus was not found');
  if (mbox) {
    console.log(formatMailbox(await benchMailbox(dir, mbox, { workers })));
    process.exit(0);
  }
  const result = await benchMailThroughput(dir, { workers, rounds });
  const which = result.rounds === 1 ? 'cold' : `round ${result.rounds} of ${result.rounds}`;
  console.log(
    `mail: ${result.messages} messages (${(result.bytes / 1048576).toFixed(1)} MiB, ${result.links} links) in ${result.seconds.toFixed(2)} s ` +
      `on ${result.workers} worker(s), ${which}: ${result.perSecond.toFixed(0)} messages/s ` +
      `(${result.cpuSeconds.toFixed(2)} CPU-s, ${result.perCpuSecond.toFixed(0)} messages per CPU-second)`,
  );
}
