// `clicktrace compare --as all` on the 5-hop lab chain against the same profiles traced one after
// another (one `clicktrace compare --as P` per profile, each its own process and Chromium, as a
// user without compare would run them), wall time from process start to exit, as users run it.
// Target: compare at most half the sequential time (the profiles share the browser pool).
//   node dist/bench/compare.js [--runs N]     (after npm run build; starts its own lab)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLabProcess, type LabProcess } from './lab-process.js';
import { ALL_PROFILES } from '../src/compare/profiles.js';

const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));

export interface CompareBenchResult {
  runs: number;
  profiles: number;
  /** Median wall seconds of `compare --as all`. */
  compareSeconds: number;
  /** Median wall seconds of the profiles one after another. */
  sequentialSeconds: number;
  ratio: number;
  /** Every compare run gave the verdict `same` (the 5-hop chain is honest). */
  allSame: boolean;
}

let runNumber = 0;

async function timedCompare(
  lab: Pick<LabProcess, 'traceArgs' | 'urls'>,
  url: string,
  profiles: string,
  out: string,
  env: NodeJS.ProcessEnv,
) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'compare', url, '--as', profiles, '--yes', '--json', '--out', out, ...lab.traceArgs], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env,
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`clicktrace compare --as ${profiles} exited ${code}`);
  const record = JSON.parse(stdout) as { comparison: { verdict: string } };
  return { seconds: (performance.now() - started) / 1000, verdict: record.comparison.verdict };
}

export async function benchCompare(
  lab: Pick<LabProcess, 'traceArgs' | 'urls'>,
  runs = 3,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CompareBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-compare-'));
  const url = () => `${lab.urls['five-hop']}&compare=${process.pid}-${++runNumber}`;
  const together: number[] = [];
  const oneByOne: number[] = [];
  let allSame = true;
  try {
    for (let i = 0; i < runs; i++) {
      const all = await timedCompare(lab, url(), 'all', join(dir, `all-${i}`), env);
      together.push(all.seconds);
      allSame &&= all.verdict === 'same';
      let sum = 0;
      const link = url();
      for (const profile of ALL_PROFILES) {
        // One link, requested once per profile as compare does: each run its own cases folder.
        sum += (await timedCompare(lab, link, profile, join(dir, `seq-${i}-${profile}`), env)).seconds;
      }
      oneByOne.push(sum);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const compareSeconds = median(together);
  const sequentialSeconds = median(oneByOne);
  return { runs, profiles: ALL_PROFILES.length, compareSeconds, sequentialSeconds, ratio: compareSeconds / sequentialSeconds, allSame };
}

export function formatCompareResult(r: CompareBenchResult): string {
  return (
    `compare --as all (${r.profiles} profiles) on five-hop: ${r.compareSeconds.toFixed(2)} s; the same profiles one after another: ` +
    `${r.sequentialSeconds.toFixed(2)} s; ratio ${r.ratio.toFixed(2)} (target <= 0.50: ${r.ratio <= 0.5 ? 'met' : 'NOT met'}); ` +
    `median of ${r.runs}${r.allSame ? '' : '; a verdict was not "same"'}`
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--runs');
  const runs = at === -1 ? 3 : Number(args[at + 1]);
  const labDir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-lab-'));
  const lab = await startLabProcess(labDir);
  try {
    console.log(formatCompareResult(await benchCompare(lab, runs)));
  } finally {
    await lab.close();
    rmSync(labDir, { recursive: true, force: true });
  }
}
