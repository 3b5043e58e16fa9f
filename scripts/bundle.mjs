#!/usr/bin/env node
// Bundles the command line into one ES module, dist/clicktrace.mjs (the package's bin). Loading
// ~150 small compiled modules cost a cold `clicktrace trace` ~100 ms of CPU on a 2-core machine;
// one file removes most of the module loader's work. `tsc` still type-checks and compiles dist/
// (tests and library use); this only packages it. better-sqlite3 stays external (native addon).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/clicktrace.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3'],
  // CommonJS dependencies (node-forge, dns-packet) call require().
  banner: { js: "import { createRequire as __clicktraceRequire } from 'node:module';\nconst require = __clicktraceRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
