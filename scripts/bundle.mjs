#!/usr/bin/env node
// Bundles the command line into dist/clicktrace.mjs (the package's bin) and a few chunks beside it
// in dist/chunks/. Loading ~150 small compiled modules cost a cold `clicktrace trace` ~100 ms of
// CPU on a 2-core machine; a bundle removes most of the module loader's work. It is split at the
// CLI's lazy imports so that a command parses only its own code: `trace` reads its options and
// starts Chromium before the capture, proxy and evidence code is even parsed. `tsc` still
// type-checks and compiles dist/ (tests and library use); this only packages it. better-sqlite3
// stays external (native addon), and so do bullmq and ioredis (loaded only by the fleet: serve
// --queue and worker; bullmq loads its own files at run time).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/chunks', { recursive: true, force: true });
await build({
  // The mail analysis pool's worker threads run their own entry (analysis-pool.ts finds it).
  entryPoints: {
    clicktrace: 'dist/src/cli/main.js',
    'mail-worker': 'dist/src/mail/analysis-worker.js',
    // Compiles the offline AS table on first use (src/hosting/network-data.ts finds it).
    'ip-table-worker': 'dist/src/hosting/table-worker.js',
    // Unpacks and verifies fleet bundles off a server's event loop (src/import/verify-thread.ts finds it).
    'verify-worker': 'dist/src/import/verify-worker.js',
  },
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3', 'bullmq', 'ioredis'],
  // CommonJS dependencies (node-forge, dns-packet) call require().
  banner: {
    js: "import { createRequire as __clicktraceRequire } from 'node:module';\nconst require = __clicktraceRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});
