// `npm run bench`: clicktrace against the seed's method (mitmdump -w from Debian's mitmproxy +
// headless Chromium through it, driven by Playwright) on the same 5-hop lab chain, in one run,
// reported as ratios. The baseline is told where the chain ends, so it never waits to settle;
// clicktrace is not. The warm target is clicktrace's time to its report (the answer `trace`
// prints), as the baseline's ends with its page loaded (mitmdump writes its flows after); the
// time to the case sealed (the resting page's screenshot, WARC, HAR, WACZ, manifest) is printed
// beside it. Each side runs on the same Chromium build: the headless shell (clicktrace's
// default, and Playwright's own headless default) for the targets, and full Chromium
// (`--browser full`) for information.
// Then the volume figures: batch throughput of distinct 5-hop URLs at concurrency 1, 2, 4 and the
// default, with the peak RSS of the whole process tree and where Chromium's CPU goes; what Chromium
// itself spends per trace (bench/chromium-floor.ts); and `mail --trace main` over a lab mailbox.
// The lab runs in a process of its own (it plays the internet: its work is not ours).
// Knobs for quicker runs while tuning: BENCH_COLD_RUNS, BENCH_WARM_RUNS, BENCH_BROWSERS=shell,
// BENCH_MAIL=0 (skip mail throughput), BENCH_MAIL=only (only the mail part), BENCH_MAIL_MBOX=N
// (messages in the scale run's mbox, default 8000; 0 skips it), BENCH_BATCH_TRACES (per
// concurrency, default 60), BENCH_BATCH=0 (skip batches), BENCH_MAILBOX (messages of the traced
// lab mailbox, default 100; 0 skips it), BENCH_COMPARE=0 (skip compare --as all against its
// profiles one after another), BENCH_COMPARE_RUNS (default 3), BENCH_FLEET=0 (skip the fleet: 1, 2
// and 3 workers through Redis against the in-process queue, bench/fleet.ts), BENCH_FLEET_TRACES
// (per run, default 40). BENCH_BUSY_CORES=1: the single-trace part (cold and warm) runs beside one
// busy loop per core at the same priority, each core then half ours, as on a slower or shared
// machine of this kind (a CPU quota is no such machine: it caps the sum, not each core's speed);
// the split and the phases printed then show what grows there.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../src/capture/browser.js';
import { CHROMIUM_ARGS } from '../src/capture/chromium-flags.js';
import { browserPath, type BrowserKind } from '../src/capture/chromium-process.js';
import { trace, type TraceMark } from '../src/capture/trace.js';
import { defaultConcurrency } from '../src/service/defaults.js';
import { startLabProcess, type LabProcess } from './lab-process.js';
import { benchBatch, formatBatchResult, type BatchBenchResult } from './batch.js';
import { benchMailTrace, type MailTraceBenchResult } from './mail-trace.js';
import { benchCompare, formatCompareResult, type CompareBenchResult } from './compare.js';
import { childProcesses, treeCpuMs } from './process-tree.js';
import { fleetBench } from './fleet.js';
import { formatChromiumFloor, measureChromiumFloor, type ChromiumFloor } from './chromium-floor.js';

type Lab = LabProcess;

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 15);
const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    // Decoded as a stream: a chunk boundary may fall inside a multi-byte character.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, ms: performance.now() - started, stdout }));
  });
}

function labArgs(lab: Lab): { connectTo: string[]; cacert: string[] } {
  const a = lab.traceArgs;
  return { connectTo: a.filter((_, i) => a[i - 1] === '--connect-to'), cacert: a.filter((_, i) => a[i - 1] === '--cacert') };
}

/** mitmproxy addon: send every request to the lab's ports, keeping Host (and SNI) as they were. */
function mitmAddon(lab: Lab): string {
  return `from mitmproxy import http
def request(flow: http.HTTPFlow) -> None:
    host_header = flow.request.host_header
    secure = flow.request.scheme == "https"
    flow.request.host = "127.0.0.1"
    flow.request.port = ${lab.httpsPort} if secure else ${lab.httpPort}
    flow.request.host_header = host_header
`;
}

/**
 * Every timed run starts on a quiet machine, for both sides alike: what the previous run left
 * running (Chromium tearing down a context or exiting, mitmdump writing its flows, clicktrace
 * opening its next session) would otherwise land in the other side's time on 2 cores.
 */
const QUIET_MS = 250;
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

/** One busy loop per core (BENCH_BUSY_CORES=1), stopped by stop() or when the bench exits. */
function startBusyLoops(): { stop: () => void } {
  const loops = cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stop = () => {
    for (const loop of loops) loop.kill('SIGKILL');
  };
  process.once('exit', stop);
  console.log(`single-trace runs beside ${loops.length} busy loops (BENCH_BUSY_CORES=1): each core half ours\n`);
  return { stop };
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mitmdump did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function startMitmdump(lab: Lab, dir: string): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const addon = join(dir, 'to_lab.py');
  writeFileSync(addon, mitmAddon(lab));
  const child = spawn(
    'mitmdump',
    [
      '-q',
      '--listen-host',
      '127.0.0.1',
      '--listen-port',
      String(port),
      '-w',
      join(dir, `flows-${port}`),
      '-s',
      addon,
      '--set',
      'ssl_insecure=true',
      '--set',
      'connection_strategy=lazy',
      '--set',
      'upstream_cert=false',
      '--set',
      `confdir=${join(dir, 'mitm')}`,
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(port);
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

/** The seed's method, cold: start mitmdump, drive Chromium through it to the known end, stop (flows flushed). */
async function baselineCold(lab: Lab, start: string, final: string, dir: string, kind: BrowserKind): Promise<number> {
  const started = performance.now();
  const mitm = await startMitmdump(lab, dir);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: browserPath(kind),
    args: CHROMIUM_ARGS,
    proxy: { server: `http://127.0.0.1:${mitm.port}` },
  });
  const page = await browser.newPage({ ignoreHTTPSErrors: true });
  await page.goto(start, { waitUntil: 'commit' });
  await page.waitForURL(final, { waitUntil: 'load' });
  await browser.close();
  await mitm.stop();
  return performance.now() - started;
}

/**
 * Median of each phase of the warm traces: its wall time and this process's CPU in it. Marks are
 * taken in time order and matched by name (one that comes when it is ready, such as the network
 * data, may fall between different phases from one trace to the next).
 */
function phaseMedians(runs: TraceMark[][]): { name: string; ms: number; cpuMs: number }[] {
  const deltas = runs.map((run) => {
    const sorted = [...run].sort((a, b) => a[1] - b[1]);
    return new Map(
      sorted.map(([name, ms, cpuMs], i) => [name, { ms: ms - (sorted[i - 1]?.[1] ?? 0), cpuMs: cpuMs - (sorted[i - 1]?.[2] ?? 0) }]),
    );
  });
  return [...runs[0]]
    .sort((a, b) => a[1] - b[1])
    .map(([name]) => ({
      name,
      ms: median(deltas.map((d) => d.get(name)?.ms ?? 0)),
      cpuMs: median(deltas.map((d) => d.get(name)?.cpuMs ?? 0)),
    }));
}

/** The mail part: throughput on the corpus (first pass and steady state), then an mbox of the corpus repeated. */
async function mailBench(): Promise<string[]> {
  const lines: string[] = [];
  try {
    const { benchMailThroughput, benchMailbox, formatMailbox } = await import('./mail.js');
    const { phishingPotDir } = await import('../test/support/corpus.js');
    const corpus = phishingPotDir();
    if (!corpus) return ['mail throughput: skipped (phishing-pot corpus not found)'];
    const cold = await benchMailThroughput(corpus);
    // A feed is a long batch: after the first few hundred messages the JIT is warm.
    const steady = await benchMailThroughput(corpus, { rounds: 3 });
    lines.push(
      `mail static analysis (${cold.messages} corpus messages, ${cold.workers} workers): first pass ${cold.perSecond.toFixed(0)} messages/s ` +
        `(${cold.perCpuSecond.toFixed(0)} per CPU-second), steady state ${steady.perSecond.toFixed(0)} messages/s ` +
        `(target >= 300: first pass ${cold.perSecond >= 300 ? 'MET' : 'NOT MET'}, steady ${steady.perSecond >= 300 ? 'MET' : 'NOT MET'})`,
    );
    const mboxMessages = Number(process.env.BENCH_MAIL_MBOX ?? 8000);
    if (mboxMessages > 0) lines.push(formatMailbox(await benchMailbox(corpus, mboxMessages)));
  } catch (err) {
    lines.push(`mail throughput: skipped (${(err as Error).message})`);
  }
  return lines;
}

async function main(): Promise<void> {
  if (process.env.BENCH_MAIL === 'only') {
    for (const line of await mailBench()) console.log(line);
    return;
  }
  if (!existsSync('/usr/bin/mitmdump')) throw new Error('mitmdump not found: apt-get install -y mitmproxy');
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-'));
  const lab = await startLabProcess(join(dir, 'lab'));
  const start = lab.urls['five-hop'];
  const final = 'https://www.advertiser.example/landing/five-hop';
  const { connectTo, cacert } = labArgs(lab);
  const cliArgs = [
    CLI,
    'trace',
    start,
    ...connectTo.flatMap((c) => ['--connect-to', c]),
    ...cacert.flatMap((c) => ['--cacert', c]),
    '--out',
    join(dir, 'cases'),
  ];
  const env = { ...process.env, CLICKTRACE_HOME: join(dir, 'home') };
  console.log(
    `clicktrace bench: 5-hop lab chain (302 -> meta refresh -> JS -> 301 -> landing), ${COLD_RUNS} cold and ${WARM_RUNS} warm runs each`,
  );
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores); default concurrency here: ${defaultConcurrency()}\n`);

  // Warm-up both sides once (disk caches, the proxy CA, mitmproxy's CA), not timed.
  await run(process.execPath, cliArgs, env);
  await baselineCold(lab, start, final, dir, 'shell');
  process.env.CLICKTRACE_HOME = env.CLICKTRACE_HOME;

  const results = new Map<
    BrowserKind,
    {
      coldOurs: number[];
      coldBase: number[];
      /** Each warm trace's time to its report (the answer the CLI prints), and to its case sealed. */
      warmOurs: number[];
      warmSealed: number[];
      warmBase: number[];
      evidence: number[];
      marks: TraceMark[][];
      /** When each warm trace sent the landing page's request (ms from its start): the chain before it, the rest after. */
      landing: { ours: number; base: number }[];
      cpu: { ours: { node: number; chromium: number }; baseChromium: number }[];
      mitmCpuPerTrace: number;
    }
  >();
  // BENCH_BROWSERS=shell measures only the headless shell (quicker runs while tuning).
  const kinds = (process.env.BENCH_BROWSERS ?? 'shell,full').split(',') as BrowserKind[];
  const busyLoops = process.env.BENCH_BUSY_CORES === '1' ? startBusyLoops() : null;
  for (const kind of kinds) {
    const r = {
      coldOurs: [] as number[],
      coldBase: [] as number[],
      warmOurs: [] as number[],
      warmSealed: [] as number[],
      warmBase: [] as number[],
      evidence: [] as number[],
      marks: [] as TraceMark[][],
      landing: [] as { ours: number; base: number }[],
      cpu: [] as { ours: { node: number; chromium: number }; baseChromium: number }[],
      mitmCpuPerTrace: 0,
    };
    results.set(kind, r);
    for (let i = 0; i < COLD_RUNS; i++) {
      await quiet();
      r.coldBase.push(await baselineCold(lab, start, final, dir, kind));
      await quiet();
      const result = await run(process.execPath, [...cliArgs, '--browser', kind], env);
      if (result.code !== 0) throw new Error(`clicktrace trace --browser ${kind} exited ${result.code}`);
      r.coldOurs.push(result.ms);
    }

    // Warm: both browsers (and mitmdump) kept, a fresh context per trace, the two sides
    // alternating so that both see the same machine (this VM's speed drifts by tens of percent).
    const browser = await launchBrowser({ kind });
    const ourChromium = childProcesses(/chrom/).at(-1)!;
    const mitm = await startMitmdump(lab, dir);
    const { chromium } = await import('playwright-core');
    const baselineBrowser = await chromium.launch({ executablePath: browserPath(kind), args: CHROMIUM_ARGS });
    const baselineChromium = childProcesses(/chrom/).at(-1)!;
    let mitmCpuFrom = 0;
    for (let i = 0; i < WARM_RUNS + 2; i++) {
      await quiet();
      let t0 = performance.now();
      const wall0 = Date.now();
      const cpu0 = { node: process.cpuUsage(), chromium: treeCpuMs(ourChromium) };
      let answered = NaN;
      const onAnswer = () => (answered = performance.now() - t0);
      const result = await trace({ url: start, connectTo, cacert, outDir: join(dir, 'cases'), onAnswer }, browser);
      const ms = performance.now() - t0;
      const nodeCpu = process.cpuUsage(cpu0.node);
      const ourCpu = { node: (nodeCpu.user + nodeCpu.system) / 1000, chromium: treeCpuMs(ourChromium) - cpu0.chromium };
      if (result.report.error || result.report.hops.length !== 5) throw new Error(`warm trace failed: ${result.report.error}`);
      await quiet();
      t0 = performance.now();
      const base0 = { chromium: treeCpuMs(baselineChromium) };
      const context = await baselineBrowser.newContext({ ignoreHTTPSErrors: true, proxy: { server: `http://127.0.0.1:${mitm.port}` } });
      let baseLanding = NaN;
      context.on('request', (request) => {
        if (request.url() === final && Number.isNaN(baseLanding)) baseLanding = performance.now() - t0;
      });
      const page = await context.newPage();
      await page.goto(start, { waitUntil: 'commit' });
      await page.waitForURL(final, { waitUntil: 'load' });
      await context.close();
      const baselineMs = performance.now() - t0;
      const baseCpu = treeCpuMs(baselineChromium) - base0.chromium;
      // mitmdump writes its flows after the context closed: its CPU is counted over all the timed runs.
      if (i === 1) mitmCpuFrom = treeCpuMs(mitm.pid);
      if (i < 2) continue;
      r.cpu.push({ ours: ourCpu, baseChromium: baseCpu });
      r.warmOurs.push(Number.isNaN(answered) ? ms : answered);
      r.warmSealed.push(ms);
      r.evidence.push(result.evidenceMs / ms);
      r.marks.push(result.marks);
      r.warmBase.push(baselineMs);
      const landingExchange = result.capture.exchanges.find((e) => e.request.url === final);
      r.landing.push({ ours: landingExchange ? Date.parse(landingExchange.startedAt) - wall0 : NaN, base: baseLanding });
    }
    await quiet();
    r.mitmCpuPerTrace = (treeCpuMs(mitm.pid) - mitmCpuFrom) / WARM_RUNS;
    await browser.close();
    await baselineBrowser.close();
    await mitm.stop();
  }

  busyLoops?.stop();
  const mail = process.env.BENCH_MAIL === '0' ? [] : await mailBench();
  // Volume: the CLI's batch on its own Chromium, distinct URLs, full evidence.
  const batches: BatchBenchResult[] = [];
  let mailbox: MailTraceBenchResult | null = null;
  let floor: ChromiumFloor | null = null;
  if (process.env.BENCH_BATCH !== '0') {
    const traces = Number(process.env.BENCH_BATCH_TRACES ?? 60);
    const env = { ...process.env, CLICKTRACE_HOME: join(dir, 'home') };
    const levels = [...new Set([1, 2, 4, defaultConcurrency()])];
    for (const concurrency of levels) {
      await quiet();
      batches.push(await benchBatch(lab, { concurrency, traces, env }));
    }
    await quiet();
    floor = await measureChromiumFloor();
    const messages = Number(process.env.BENCH_MAILBOX ?? 100);
    if (messages > 0) {
      await quiet();
      mailbox = await benchMailTrace(lab, messages, env);
    }
  }
  // compare --as all against the same profiles one after another (bench/compare.ts).
  let compared: CompareBenchResult | null = null;
  if (process.env.BENCH_COMPARE !== '0') {
    await quiet();
    compared = await benchCompare(lab, Number(process.env.BENCH_COMPARE_RUNS ?? 3), { ...process.env, CLICKTRACE_HOME: join(dir, 'home') });
  }
  let fleet: string[] = [];
  if (process.env.BENCH_FLEET !== '0') {
    await quiet();
    const env = { ...process.env, CLICKTRACE_HOME: join(dir, 'home') };
    fleet = await fleetBench(lab, { levels: [1, 2, 3], traces: Number(process.env.BENCH_FLEET_TRACES ?? 40), env });
  }
  await lab.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`${''.padEnd(52)}   clicktrace   mitmdump+Chromium   ratio`);
  for (const [kind, r] of results) {
    const label = kind === 'shell' ? 'headless shell' : 'full Chromium';
    for (const [name, ours, theirs] of [
      [`cold (${label}): process start to report`, median(r.coldOurs), median(r.coldBase)],
      [`warm (${label}): browser kept, to the report`, median(r.warmOurs), median(r.warmBase)],
      [`warm (${label}): browser kept, to case sealed`, median(r.warmSealed), median(r.warmBase)],
    ] as [string, number, number][]) {
      console.log(`${name.padEnd(52)} ${fmt(ours).padStart(10)}   ${fmt(theirs).padStart(17)}   ${(ours / theirs).toFixed(2)}x`);
    }
  }
  const shell = results.get('shell')!;
  const coldRatio = median(shell.coldOurs) / median(shell.coldBase);
  const warm = median(shell.warmOurs);
  const evidence = median(shell.evidence);
  console.log('');
  const cpu = {
    node: median(shell.cpu.map((c) => c.ours.node)),
    chromium: median(shell.cpu.map((c) => c.ours.chromium)),
    baseChromium: median(shell.cpu.map((c) => c.baseChromium)),
  };
  console.log(
    `warm trace CPU (median): clicktrace ${fmt(cpu.node)} (node) + ${fmt(cpu.chromium)} (Chromium, all its processes); ` +
      `baseline ${fmt(shell.mitmCpuPerTrace)} (mitmdump) + ${fmt(cpu.baseChromium)} (Chromium)`,
  );
  const split = (side: 'ours' | 'base', walls: number[]) => {
    const before = shell.landing.map((l) => l[side]);
    return { before: median(before), after: median(walls.map((w, i) => w - before[i])) };
  };
  const [oursSplit, baseSplit] = [split('ours', shell.warmSealed), split('base', shell.warmBase)];
  const splitRow = (label: string, ours: number, base: number) =>
    `  ${label.padEnd(62)}${fmt(ours).padStart(7)}   ${fmt(base).padStart(8)}`;
  console.log(`${"warm trace split at the landing page's request (median)".padEnd(64)}   ours   baseline`);
  console.log(splitRow('before it: the chain (the baseline makes its context first)', oursSplit.before, baseSplit.before));
  console.log('  after it: the landing page loads; then ours: found quiet,');
  console.log(splitRow('  screenshot, evidence sealed; the baseline: context closed', oursSplit.after, baseSplit.after));
  console.log('warm trace (headless shell), median per phase: wall ms (CPU ms of this process in it)');
  for (const phase of phaseMedians(shell.marks))
    console.log(`  ${phase.name.padEnd(16)} ${fmt(phase.ms).padStart(7)}  (${fmt(phase.cpuMs)})`);
  if (batches.length) {
    console.log('');
    console.log('batch: clicktrace trace --input - (distinct 5-hop URLs, full evidence), peak RSS of node + Chromium:');
    for (const b of batches) console.log(`  ${formatBatchResult(b)}`);
  }
  if (floor)
    for (const line of formatChromiumFloor(floor, batches.find((b) => b.concurrency === defaultConcurrency())?.nodeCpuMs ?? null))
      console.log(line);
  if (mailbox) {
    console.log(
      `mail --trace main over a lab mailbox of ${mailbox.messages} messages: ${mailbox.seconds.toFixed(1)} s end to end, ` +
        `${mailbox.messagesPerSecond.toFixed(2)} messages/s (${mailbox.traced} traced), peak RSS ${(mailbox.peakRssBytes / 1024 / 1024).toFixed(0)} MB`,
    );
  }
  console.log('');
  console.log('targets (default browser, the headless shell, against the baseline on the same build):');
  console.log(`target cold <= 0.60x baseline: ${coldRatio.toFixed(2)}x ${coldRatio <= 0.6 ? 'MET' : 'NOT MET'}`);
  console.log(
    `target warm median <= 250 ms (to the report; the case sealed at ${fmt(median(shell.warmSealed))}): ${fmt(warm)} ${warm <= 250 ? 'MET' : 'NOT MET'}`,
  );
  const atDefault = batches.find((b) => b.concurrency === defaultConcurrency());
  if (atDefault) {
    const verdict = atDefault.perSecond >= 5 ? 'MET' : 'NOT MET';
    console.log(
      `target batch >= 5 traces/s at the default concurrency (${atDefault.concurrency}): ${atDefault.perSecond.toFixed(2)} ${verdict}`,
    );
  }
  const one = batches.find((b) => b.concurrency === 1);
  const four = batches.find((b) => b.concurrency === 4);
  if (one && four) {
    const perTrace = (four.peakRssBytes - one.peakRssBytes) / 3 / 1024 / 1024;
    console.log(
      `target peak memory per additional concurrent trace <= 150 MB: ${perTrace.toFixed(0)} MB ${perTrace <= 150 ? 'MET' : 'NOT MET'}`,
    );
  }
  console.log(
    `evidence writing share of warm trace time (target <= 15%): ${(evidence * 100).toFixed(1)}% ${evidence <= 0.15 ? 'MET' : 'NOT MET'}`,
  );
  if (compared) console.log(`target ${formatCompareResult(compared)}`);
  for (const line of mail) console.log(line);
  for (const line of fleet) console.log(line);
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
