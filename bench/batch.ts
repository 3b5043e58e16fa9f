// Batch throughput: `clicktrace trace --input -` over distinct URLs of the 5-hop lab chain, full
// evidence, as a user runs it (the built CLI, its own Chromium), at a given concurrency; with the
// peak RSS of the whole process tree (node and Chromium) and where the CPU went.
//   node dist/bench/batch.js [concurrency...] [--traces N]     (after npm run build; starts its own lab)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLabProcess, type LabProcess } from './lab-process.js';
import { watchTree, type ChromiumRole, type TreeUsage } from './process-tree.js';

const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));

type Lab = Pick<LabProcess, 'traceArgs' | 'urls'>;

export interface BatchBenchResult {
  concurrency: number;
  traces: number;
  /** Traces per second over the batch (the CLI's own summary: from its start to its last trace). */
  perSecond: number;
  /** Traces per second once running: from the STEADY_FROMth result to the last (start-up and the first traces' cold code left out). */
  steadyPerSecond: number | null;
  /** Process start to exit, Chromium start-up included. */
  wallSeconds: number;
  peakRssBytes: number;
  /** CPU per trace: the node process, and Chromium (all its processes; and by role). */
  nodeCpuMs: number;
  chromiumCpuMs: number;
  chromiumCpuByRoleMs: Record<ChromiumRole, number>;
  errors: number;
}

let batchNumber = 0;

/** The steady rate is measured from this result on. */
const STEADY_FROM = 10;

/** Distinct start URLs of the 5-hop chain: its first hop ignores extra query parameters. */
export function fiveHopUrls(lab: Lab, count: number): string[] {
  const start = lab.urls['five-hop'];
  const run = `${process.pid}-${++batchNumber}-${Date.now()}`;
  return Array.from({ length: count }, (_, i) => `${start}&bench=${run}-${i}`);
}

export async function benchBatch(
  lab: Lab,
  options: { concurrency: number | null; traces: number; env?: NodeJS.ProcessEnv },
): Promise<BatchBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-batch-'));
  const urls = fiveHopUrls(lab, options.traces);
  const args = [
    'trace',
    '--input',
    '-',
    '--json',
    '--out',
    join(dir, 'cases'),
    ...lab.traceArgs,
    ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
  ];
  const { code, stdout, stderr, usage, wallSeconds, lineTimes } = await runWatched(args, urls.join('\n'), options.env);
  rmSync(dir, { recursive: true, force: true });
  const lines = stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          kind: string;
          error?: string | null;
          counts?: { traced: number };
          tracesPerSecond?: number;
          concurrency?: number;
        },
    );
  const summary = lines.at(-1);
  // Exit status 1 means a chain ended with an error (counted below); anything else, or no summary, is a failed run.
  if ((code !== 0 && code !== 1) || summary?.kind !== 'summary')
    throw new Error(`clicktrace trace --input exited ${code}: ${tail(stderr)}`);
  const traces = summary.counts!.traced;
  return {
    concurrency: summary.concurrency!,
    traces,
    perSecond: summary.tracesPerSecond!,
    wallSeconds,
    peakRssBytes: usage.peakRssBytes,
    steadyPerSecond: steadyRate(lineTimes.slice(0, -1)),
    nodeCpuMs: (usage.rootCpuSeconds * 1000) / traces,
    chromiumCpuMs: (usage.childrenCpuSeconds * 1000) / traces,
    chromiumCpuByRoleMs: Object.fromEntries(
      Object.entries(usage.childrenCpuByRole).map(([role, seconds]) => [role, (seconds * 1000) / traces]),
    ) as Record<ChromiumRole, number>,
    errors: lines.filter((l) => l.kind === 'trace' && l.error).length,
  };
}

/** Results per second from the STEADY_FROMth result line to the last (times in ms); null for a short batch. */
function steadyRate(times: number[]): number | null {
  if (times.length < STEADY_FROM * 2) return null;
  const from = times[STEADY_FROM - 1];
  return ((times.length - STEADY_FROM) * 1000) / (times.at(-1)! - from);
}

/** The last lines a failed run printed on stderr, for its error. */
export function tail(stderr: string): string {
  return stderr.trim().split('\n').slice(-5).join(' | ');
}

/**
 * Runs the CLI with `input` on stdin, watching its process tree; the last sample is taken when it
 * prints its summary line, before its processes exit. `signal` ends it (SIGTERM). What it prints on
 * stderr (progress, "the list is batch ...") is kept for an error rather than shown.
 */
export async function runWatched(
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string; usage: TreeUsage; wallSeconds: number; lineTimes: number[] }> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env, ...(signal ? { signal } : {}) });
  // An aborted run ends with its exit; the abort itself is not an error here.
  child.on('error', () => undefined);
  const watch = watchTree(child.pid!);
  let stdout = '';
  let usage: TreeUsage | null = null;
  /** When each output line arrived (ms since the start). */
  const lineTimes: number[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    for (const c of d) if (c === '\n') lineTimes.push(performance.now() - started);
    if (!usage && stdout.includes('"kind":"summary"')) usage = watch.stop();
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  usage ??= watch.stop();
  return { code, stdout, stderr, usage, wallSeconds: (performance.now() - started) / 1000, lineTimes };
}

export function formatBatchResult(r: BatchBenchResult): string {
  return (
    `concurrency ${String(r.concurrency).padStart(2)}: ${r.perSecond.toFixed(2)} traces/s (${r.traces} traces, ${r.wallSeconds.toFixed(1)} s with start-up` +
    `${r.steadyPerSecond ? `; ${r.steadyPerSecond.toFixed(2)}/s from the ${STEADY_FROM}th result on` : ''}), ` +
    `peak RSS ${(r.peakRssBytes / 1024 / 1024).toFixed(0)} MB, CPU per trace: node ${r.nodeCpuMs.toFixed(0)} ms + Chromium ${r.chromiumCpuMs.toFixed(0)} ms ` +
    `(${Object.entries(r.chromiumCpuByRoleMs)
      .map(([role, ms]) => `${role} ${ms.toFixed(0)}`)
      .join(', ')})` +
    (r.errors ? `, ${r.errors} chain error(s)` : '')
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--traces');
  const traces = at === -1 ? 40 : Number(args.splice(at, 2)[1]);
  const levels = args.length ? args.map(Number) : [1, 2, 4];
  const labDir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-lab-'));
  const lab = await startLabProcess(labDir);
  try {
    for (const concurrency of levels) console.log(formatBatchResult(await benchBatch(lab, { concurrency, traces })));
  } finally {
    await lab.close();
    rmSync(labDir, { recursive: true, force: true });
  }
}
