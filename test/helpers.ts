// Shared set-up for tests that trace against the lab.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../src/lab/index.js';
import type { TraceOptions } from '../src/capture/trace.js';

/** Trace options that reach the lab: its --connect-to mappings and CA, a temp case folder. */
export function labOptions(lab: Lab, url: string, extra: Partial<TraceOptions> = {}): TraceOptions {
  const args = lab.traceArgs;
  return {
    url,
    connectTo: args.filter((_, i) => args[i - 1] === '--connect-to'),
    cacert: args.filter((_, i) => args[i - 1] === '--cacert'),
    outDir: tempDir('cases-'),
    timeoutMs: 20_000,
    ...extra,
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `clicktrace-${prefix}`));
}

/** Isolates the clicktrace home (proxy CA, keys) of a test run. */
process.env.CLICKTRACE_HOME ??= tempDir('home-');
