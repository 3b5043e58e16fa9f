// Fleet throughput: the same distinct 5-hop URLs submitted to a server (`trace --input - --server`)
// that traces them either in process (`serve --concurrency N`: the in-process queue) or through
// Redis (`serve --queue --local-workers N`: BullMQ, the claim, the case packed, uploaded, verified
// and indexed), at the same total concurrency, with the CPU each side spends per trace (the server's
// node process, its Chromium, Redis: on a shared machine CPU time drifts less than throughput).
// And the queue's own cost per job: empty BullMQ jobs through a Worker on the same Redis, one at a
// time (add to completed, as the server sees it).
// Redis is Debian's redis-server on a free loopback port with a temporary folder.
//   node dist/bench/fleet.js [workers...] [--traces N]     (after npm run build; starts its own lab and Redis)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLabProcess, type LabProcess } from './lab-process.js';
import { fiveHopUrls, runWatched, tail } from './batch.js';
import { mainThreadCpuMs, processCpuMs, treeCpuMs } from './process-tree.js';
import { freePort, redisMissing, startRedis, type TestRedis } from '../test/support/redis-server.js';

const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));
const TOKEN = 'bench-fleet-token-0123456789';

type Lab = Pick<LabProcess, 'traceArgs' | 'urls'>;

export interface FleetBenchResult {
  mode: 'in-process' | 'redis';
  /** Traces at once: --concurrency in process, --local-workers through Redis. */
  concurrency: number;
  traces: number;
  /** Traces per second (the submitting batch's own summary: from its start to its last result). */
  perSecond: number;
  errors: number;
  /** The first error, to say what went wrong. */
  firstError: string | null;
  /**
   * CPU ms per trace of the timed batch: the server's node process (its local worker's too),
   * the Chromium it starts, and Redis. The machine may be shared: CPU time drifts less than wall time.
   * `nodeMain`: the node process's main thread alone (its event loop); the rest of `node` is its
   * other threads (the fleet's verification thread, V8's GC helpers, libuv's pool).
   */
  cpuPerTrace: { node: number; nodeMain: number; chromium: number; redis: number };
}

export interface QueueOverhead {
  jobs: number;
  /** Median and mean of Queue.add to the `completed` event, one empty job at a time. */
  medianMs: number;
  meanMs: number;
}

/** A server of its own for one run; resolves once it traces (its local worker, if any, is ready). */
async function startServer(
  lab: Lab,
  casesDir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--cases', casesDir, '--token', TOKEN, ...lab.traceArgs, ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${stderr}`);
    if (Date.now() > end) throw new Error(`serve did not start: ${stderr}`);
    try {
      const response = await fetch(`${url}/api/queue`, { headers: { 'X-Clicktrace-Token': TOKEN } });
      const body = (await response.json()) as { workers?: { alive: boolean; chromium: string }[] };
      const expectWorkers = args.includes('--local-workers');
      if (!expectWorkers || body.workers?.some((w) => w.alive && w.chromium !== '(starting)')) return { url, child, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function benchFleetRun(
  lab: Lab,
  options: { mode: 'in-process' | 'redis'; concurrency: number; traces: number; env: NodeJS.ProcessEnv },
): Promise<FleetBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-fleet-'));
  // Each run its own Redis: nothing of the previous run's queue is in the way.
  const redis = options.mode === 'redis' ? await startRedis() : null;
  const args = redis
    ? ['--queue', redis.url, '--local-workers', String(options.concurrency)]
    : ['--concurrency', String(options.concurrency)];
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(lab, join(dir, 'cases'), args, { ...options.env, CLICKTRACE_HOME: join(dir, 'home') });
  } catch (err) {
    await redis?.stop();
    throw err;
  }
  // A server that ends during a run fails it with what it said (the submitting batch would wait for it).
  const submitting = new AbortController();
  const serverGone = new Promise<never>((_, reject) =>
    server.child.once('exit', (code, signal) => {
      submitting.abort();
      reject(new Error(`serve (${options.mode}) exited during the run (${signal ?? code}): ${tail(server.stderr())}`));
    }),
  );
  serverGone.catch(() => undefined);
  const submit = (urls: string[]) =>
    Promise.race([
      runWatched(
        ['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN],
        urls.join('\n'),
        options.env,
        submitting.signal,
      ),
      serverGone,
    ]);
  try {
    // One trace first, not timed: both sides start their Chromium and load the trace code before the batch.
    await submit(fiveHopUrls(lab, 1));
    const cpu = () => {
      const pid = server.child.pid!;
      const node = processCpuMs(pid);
      const redisPid = redis?.pid();
      return { node, nodeMain: mainThreadCpuMs(pid), chromium: treeCpuMs(pid) - node, redis: redisPid ? processCpuMs(redisPid) : 0 };
    };
    const cpuBefore = cpu();
    const { code, stdout, stderr } = await submit(fiveHopUrls(lab, options.traces));
    const cpuAfter = cpu();
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; error?: string | null; counts?: { traced: number }; tracesPerSecond?: number });
    const summary = lines.at(-1);
    if ((code !== 0 && code !== 1) || summary?.kind !== 'summary') throw new Error(`trace --server exited ${code}: ${tail(stderr)}`);
    return {
      mode: options.mode,
      concurrency: options.concurrency,
      traces: summary.counts!.traced,
      perSecond: summary.tracesPerSecond!,
      errors: lines.filter((l) => l.kind === 'failed' || (l.kind === 'trace' && l.error)).length,
      firstError: lines.find((l) => l.kind === 'failed' || (l.kind === 'trace' && l.error))?.error ?? null,
      cpuPerTrace: {
        node: (cpuAfter.node - cpuBefore.node) / options.traces,
        nodeMain: (cpuAfter.nodeMain - cpuBefore.nodeMain) / options.traces,
        chromium: (cpuAfter.chromium - cpuBefore.chromium) / options.traces,
        redis: (cpuAfter.redis - cpuBefore.redis) / options.traces,
      },
    };
  } finally {
    await stop(server.child);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Empty jobs through BullMQ one at a time: what the queue itself adds to each job. */
export async function benchQueueOverhead(redis: TestRedis, jobs: number): Promise<QueueOverhead> {
  const { Queue, QueueEvents, Worker } = await import('bullmq');
  const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const name = `bench-overhead-${process.pid}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const worker = new Worker(name, () => Promise.resolve({ ok: true }), { connection, concurrency: 1, maxStalledCount: 0 });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
  const times: number[] = [];
  try {
    for (let i = 0; i < jobs + 5; i++) {
      const started = performance.now();
      const job = await queue.add('bench', { i }, { removeOnComplete: { count: 1000 } });
      await job.waitUntilFinished(events, 10_000);
      if (i >= 5) times.push(performance.now() - started); // the first few warm the connections
    }
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { jobs, medianMs: sorted[Math.floor(sorted.length / 2)], meanMs: times.reduce((a, b) => a + b, 0) / times.length };
}

/** Runs of one side at one concurrency as one result: the mean rate and CPU, every trace and error counted. */
function combined(runs: FleetBenchResult[]): FleetBenchResult {
  const meanCpu = (key: keyof FleetBenchResult['cpuPerTrace']) => runs.reduce((n, r) => n + r.cpuPerTrace[key], 0) / runs.length;
  return {
    ...runs[0],
    cpuPerTrace: { node: meanCpu('node'), nodeMain: meanCpu('nodeMain'), chromium: meanCpu('chromium'), redis: meanCpu('redis') },
    traces: runs.reduce((n, r) => n + r.traces, 0),
    perSecond: runs.reduce((n, r) => n + r.perSecond, 0) / runs.length,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    firstError: runs.find((r) => r.firstError)?.firstError ?? null,
  };
}

export function formatFleetResult(r: FleetBenchResult): string {
  const errors = r.errors ? `, ${r.errors} error(s), e.g. "${r.firstError ?? '?'}"` : '';
  const { node, nodeMain, chromium, redis } = r.cpuPerTrace;
  const redisCpu = r.mode === 'redis' ? `, Redis ${redis.toFixed(1)} ms` : '';
  const cpu = `CPU/trace node ${node.toFixed(0)} ms (main thread ${nodeMain.toFixed(0)}), Chromium ${chromium.toFixed(0)} ms${redisCpu}`;
  return `${r.mode.padEnd(10)} ${String(r.concurrency)} at once: ${r.perSecond.toFixed(2)} traces/s (${r.traces} traces; ${cpu})${errors}`;
}

/** The fleet lines of `npm run bench`: throughput at 1..N workers against the in-process queue, and the queue's overhead. */
export async function fleetBench(lab: Lab, options: { levels: number[]; traces: number; env: NodeJS.ProcessEnv }): Promise<string[]> {
  const missing = redisMissing();
  if (missing) return [`fleet: skipped (${missing})`];
  const out: string[] = [
    `fleet: ${options.traces} distinct 5-hop URLs submitted with trace --input - --server to serve, in process and through Redis:`,
  ];
  try {
    const pairs: [FleetBenchResult, FleetBenchResult][] = [];
    for (const concurrency of options.levels) {
      // In process, Redis, Redis, in process: this VM's speed drifts by tens of percent over
      // minutes, and a drift that favours the side run first cancels out in the means.
      const run = (mode: FleetBenchResult['mode']) => benchFleetRun(lab, { mode, concurrency, traces: options.traces, env: options.env });
      const firstInProcess = await run('in-process');
      const fleetRuns = [await run('redis'), await run('redis')];
      const inProcess = combined([firstInProcess, await run('in-process')]);
      const fleet = combined(fleetRuns);
      pairs.push([inProcess, fleet]);
      const ratio = fleet.perSecond / inProcess.perSecond;
      out.push(`  ${formatFleetResult(inProcess)} | ${formatFleetResult(fleet)} | Redis/in-process ${ratio.toFixed(2)}x`);
    }
    const redis = await startRedis();
    const overhead = await benchQueueOverhead(redis, 200).finally(() => redis.stop());
    out.push(
      `  queue overhead per job (BullMQ add to completed, empty jobs one at a time, ${overhead.jobs} jobs): ` +
        `median ${overhead.medianMs.toFixed(1)} ms, mean ${overhead.meanMs.toFixed(1)} ms`,
    );
    const [one] = pairs;
    if (one) {
      const perJob = (1 / one[1].perSecond - 1 / one[0].perSecond) * 1000;
      out.push(
        `  whole fleet path per job at 1 worker (queue, claim, pack, upload, verify, index; from the throughputs): ${perJob.toFixed(0)} ms`,
      );
    }
    out.push(`  target queue overhead <= 20 ms per job: ${overhead.medianMs.toFixed(1)} ms ${overhead.medianMs <= 20 ? 'MET' : 'NOT MET'}`);
    for (const [inProcess, fleet] of pairs) {
      const ratio = fleet.perSecond / inProcess.perSecond;
      out.push(
        `  target fleet throughput within 10% of in-process at ${inProcess.concurrency} at once: ` +
          `${(ratio * 100).toFixed(0)}% ${ratio >= 0.9 ? 'MET' : 'NOT MET'}`,
      );
    }
  } catch (err) {
    out.push(`  fleet bench failed: ${(err as Error).message.split('\n')[0]}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--traces');
  const traces = at === -1 ? 40 : Number(args.splice(at, 2)[1]);
  const levels = args.length ? args.map(Number) : [1, 2, 3];
  const labDir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-lab-'));
  const lab = await startLabProcess(labDir);
  try {
    for (const line of await fleetBench(lab, { levels, traces, env: process.env })) console.log(line);
  } finally {
    await lab.close();
    rmSync(labDir, { recursive: true, force: true });
  }
}
