#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner, two files at a time. Node 20's `--test`
// takes no globs and sorts the files it is given by name, so the files are listed here and handed to
// run() (which keeps their order); extra arguments narrow the run to paths containing them.
// `--times` prints, after the tests, the seconds of tests per file (summed from the runner's events).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

// The files start in the order given, two at a time: the longest first, so that the two lanes end
// together instead of one waiting on a long file begun late. Seconds of tests per file (`--times`)
// in a whole run on this 2-core machine when quiet; ~: estimated from a run on the shared machine at
// a load of ~20, divided by 3.3 (the median ratio of the files measured both ways). A name is a file
// of test/; a path from dist/ (src/...) names a unit test. The lab tests of test/ not named here
// come next, then the unit tests beside the sources.
const LONGEST_FIRST = [
  'hostile-browser', // ~85 (118 one test at a time)
  'fleet', // 66
  'batch', // 58
  'explore-pages', // 50
  'compare', // ~50 (67)
  'cloak-kits', // 43 alone
  'web', // 41
  'explore', // 40
  'request-headers', // ~27
  'trace-mechanisms', // 26
  'share', // 26
  'feed-report', // 26
  'cli', // 24
  'hostile-evidence', // 24
  'evidence-trace', // 22
  'trace-failures', // 19
  'serve-jobs', // ~16
  'mail-forensics', // 14
  'browser-full', // ~11 (18)
  'src/case/crash', // ~11
  'web-batch', // ~10
  'fleet-operations', // ~10
  'src/timestamp/case-timestamp', // ~7
  'src/mail/corpus', // ~7
  'src/hosting/network-data', // ~7
  'src/import/mitmdump', // ~6
];
const rank = (f) => {
  const path = f.slice('dist/'.length).replace(/\.test\.js$/, '');
  const listed = LONGEST_FIRST.findIndex((name) => path === (name.includes('/') ? name : `test/${name}`));
  if (listed >= 0) return listed;
  return path.startsWith('test/') ? LONGEST_FIRST.length : LONGEST_FIRST.length + 1;
};

const args = process.argv.slice(2);
const times = args.includes('--times');
const filters = args.filter((a) => a !== '--times');
const files = collect('dist')
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}

const started = Date.now();
const perFile = new Map();
const stream = run({ files, concurrency: 2 });
stream.on('test:fail', (event) => {
  // A todo test that fails does not fail the run (as with `node --test`).
  if (!event.todo) process.exitCode = 1;
});
for (const kind of ['test:pass', 'test:fail'])
  stream.on(kind, (event) => {
    if (event.nesting !== 0 || !event.file) return;
    perFile.set(event.file, (perFile.get(event.file) ?? 0) + (event.details?.duration_ms ?? 0));
  });
// The reporter `node --test` picks: spec on a terminal, TAP otherwise.
const reported = stream.compose(process.stdout.isTTY ? new spec() : tap);
reported.pipe(process.stdout);
reported.on('end', () => {
  if (!times) return;
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  const lines = rows.map(([file, ms]) => `${(ms / 1000).toFixed(1).padStart(7)}  ${file.replace(`${process.cwd()}/`, '')}`);
  console.error(`\nseconds of tests per file (the suite took ${Math.round((Date.now() - started) / 1000)} s):\n${lines.join('\n')}`);
});
