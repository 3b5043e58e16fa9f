#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner, two files at a time. Node 20's `--test`
// takes no globs, so the files are listed here and handed to run(); extra arguments narrow the run
// to paths containing them.
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

// The files start in name order, two at a time: the unit tests beside the sources (dist/src), then
// the lab tests (dist/test). That is the order `node --test` used. A longest-first order was tried:
// it started hostile-browser and fleet together, whose CPU-bound pages and Chromium starts starved
// each other at the start of a clean-clone CI run (the renderer-kill test found no renderer), and
// the suite was no faster.

const args = process.argv.slice(2);
const times = args.includes('--times');
const filters = args.filter((a) => a !== '--times');
const files = collect('dist')
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
