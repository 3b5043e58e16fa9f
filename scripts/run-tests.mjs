#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Node 20's `--test` takes no globs,
// so the files are listed here; extra arguments narrow the run to paths containing them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

// Node's runner starts the files in the order given, two at a time: the longest first, so that
// the two lanes end together instead of one waiting on a long file begun late. Measured in a whole
// run on this 2-core machine (seconds of tests per file, summed from the TAP output); ~: estimated
// from the per-test times after the file ran its independent tests two at a time. The lab tests of
// test/ not named here come next, then the unit tests beside the sources.
const LONGEST_FIRST = [
  'hostile-browser', // ~85 (118 one test at a time)
  'fleet', // 66
  'batch', // 58
  'explore-pages', // 50
  'compare', // ~50 (67)
  'cloak-kits', // 43 alone
  'web', // 41
  'explore', // 40
  'trace-mechanisms', // 26
  'share', // 26
  'feed-report', // 26
  'cli', // 24
  'hostile-evidence', // 24
  'evidence-trace', // 22
  'trace-failures', // 19
  'mail-forensics', // 14
  'browser-full', // ~11 (18)
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

const filters = process.argv.slice(2);
const files = collect('dist')
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
