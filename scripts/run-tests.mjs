#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Node 20's `--test` takes no globs,
// so the files are listed here; extra arguments narrow the run to paths containing them.
// Through run() of node:test rather than `node --test FILES`: the command line sorts the files by
// name (dist/src first, then dist/test alphabetically), whatever order they are given in; run()
// starts them in the order given, which is what LONGEST_FIRST needs. Same TAP output and summary.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { tap } from 'node:test/reporters';

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

// The runner starts the files in the order given, two at a time: the longest first, so that the
// two lanes end together instead of one waiting on a long file begun late. Seconds of tests per
// file in a clean CI run (s31b, its top-level tests summed by the file that holds them; "~": cut
// since, estimated from the CPU the cut saved).
// The lab tests of test/ not named here come next, then the unit tests beside the sources.
const LONGEST_FIRST = [
  'batch', // ~105
  'explore-pages', // 93
  'fleet', // 92
  'hostile-browser', // 71
  'compare', // 55
  'trace-mechanisms', // 49
  'web', // ~44
  'cli', // 35
  'fleet-handoff', // ~35 (timed once, on a loaded machine)
  'explore', // 34
  'fleet-operations', // 32
  'server-batch', // 31
  'feed-report', // 31
  'mailbox-identity', // 30
  'web-batch-ux', // 29
  'trace-failures', // 28
  'cloak-kits', // 27
  'mail-forensics', // 24
  'request-headers', // 23
  'hostile-evidence', // 20
  'evidence-trace', // 19
  'share', // 18
  'serve-jobs', // 17
  'hop-gate', // 16
  'browser-full', // 13
  'web-batch', // 11
  'click-settle', // 9
  'feed-report-tabs', // 8
  'feed-report-batch', // 7
];
const rank = (f) => {
  const name = f
    .split('/')
    .pop()
    .replace(/\.test\.js$/, '');
  const listed = f.startsWith(join('dist', 'test')) ? LONGEST_FIRST.indexOf(name) : -1;
  if (listed >= 0) return listed;
  return f.startsWith(join('dist', 'test')) ? LONGEST_FIRST.length : LONGEST_FIRST.length + 1;
};

const LANES = 2;

const filters = process.argv.slice(2);
const files = collect('dist')
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
// Files at once: CLICKTRACE_TEST_CONCURRENCY, else LANES.
const lanes = Number(process.env.CLICKTRACE_TEST_CONCURRENCY) || LANES;
const stream = run({ files, concurrency: lanes });
// As `node --test`: a failed test (a failing todo aside) or a file that failed to run makes the exit status 1.
// Each failure is also listed again after the summary: a CI log is often read from its tail only.
const failures = [];
// Seconds of top-level tests per file, listed after the summary: what LONGEST_FIRST is ordered by.
const fileSeconds = new Map();
const timed = (data) => {
  if (data.nesting !== 0 || !data.file) return;
  const file = relative('.', data.file);
  fileSeconds.set(file, (fileSeconds.get(file) ?? 0) + (data.details?.duration_ms ?? 0) / 1000);
};
stream.on('test:pass', timed);
stream.on('test:fail', timed);
stream.on('test:fail', (data) => {
  if (data.todo !== undefined) return;
  process.exitCode = 1;
  if (data.details?.error?.failureType === 'subtestsFailed') return; // its failing subtest is listed
  const cause = data.details?.error?.cause ?? data.details?.error;
  const why = String(cause?.message ?? cause ?? '')
    .split('\n')[0]
    .slice(0, 300);
  failures.push(`# failed: ${relative('.', data.file ?? '?')} > ${data.name}${why ? `: ${why}` : ''}`);
});
const out = stream.compose(tap);
out.pipe(process.stdout, { end: false });
out.on('end', () => {
  const longest = [...fileSeconds].sort((a, b) => b[1] - a[1]).slice(0, 15);
  process.stdout.write(
    `# longest files (s of tests): ${longest.map(([f, t]) => `${f.replace(/^dist\//, '')} ${t.toFixed(0)}`).join(', ')}\n`,
  );
  if (failures.length > 0) process.stdout.write(`# ${failures.length} failure(s):\n${failures.join('\n')}\n`);
});
