// Shared set-up for tests that trace against the lab.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from '../src/capture/browser.js';
import { startLab, type Lab, type LabOptions } from '../src/lab/index.js';
import { launchBrowser } from '../src/capture/browser.js';
import { trace, type TraceOptions, type TraceResult } from '../src/capture/trace.js';
import { CHROMIUM_PATH, INSTALLED } from '../src/capture/chromium-process.js';

/** Trace options that reach the lab: its --connect-to mappings and CA, a temp case folder. */
export function labOptions(lab: Lab, url: string, extra: Partial<TraceOptions> = {}): TraceOptions {
  const args = lab.traceArgs;
  return {
    url,
    connectTo: args.filter((_, i) => args[i - 1] === '--connect-to'),
    cacert: args.filter((_, i) => args[i - 1] === '--cacert'),
    outDir: tempDir('cases-'),
    // An upper bound, not a speed requirement: under the load of a shared 2-core machine a trace
    // with full Chromium has taken over 20 s to settle (a trace ends when it settles, not at this).
    timeoutMs: 60_000,
    ...extra,
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `clicktrace-${prefix}`));
}

/**
 * The Chromium the web UI tests drive with Playwright: the headless shell (the build Playwright
 * itself uses for headless, the same Blink and V8), at about a third of full Chromium's CPU per
 * page; full Chromium where the shell is not installed or CLICKTRACE_CHROMIUM names another. Its
 * binary, not Debian's wrapper script, which does not `exec` (chromium-process.ts).
 */
export const UI_CHROMIUM = !process.env.CLICKTRACE_CHROMIUM && existsSync(INSTALLED.shell.binary) ? INSTALLED.shell.binary : CHROMIUM_PATH;

/**
 * Isolates the clicktrace home (proxy CA, keys, config) of a test run. Its compiled AS table
 * (ip-data/, a pure cache named by package version and table format) is shared by every test file:
 * compiling it costs each new home seconds of CPU, ~25 times a suite.
 */
if (!process.env.CLICKTRACE_HOME) {
  process.env.CLICKTRACE_HOME = tempDir('home-');
  const ipData = join(tmpdir(), 'clicktrace-test-ip-data');
  mkdirSync(ipData, { recursive: true });
  symlinkSync(ipData, join(process.env.CLICKTRACE_HOME, 'ip-data'));
}

/**
 * Starts a lab and a browser before the tests of a file and closes both after; the returned
 * object's fields are set once the `before` hook has run.
 */
export function labAndBrowser(options: LabOptions = {}): { lab: Lab; browser: Browser } {
  const fixture = {} as { lab: Lab; browser: Browser };
  before(async () => {
    [fixture.lab, fixture.browser] = await Promise.all([startLab(options), launchBrowser()]);
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.lab?.close();
  });
  return fixture;
}

/**
 * Each lab scenario traced at most once on the fixture's browser (the first test that asks starts
 * the trace): the tests of one scenario read the same report and case.
 */
export function scenarioTraces(fixture: { lab: Lab; browser: Browser }): (name: string) => Promise<TraceResult> {
  const traces = new Map<string, Promise<TraceResult>>();
  return (name) => {
    let traced = traces.get(name);
    if (!traced) {
      traced = trace(labOptions(fixture.lab, fixture.lab.scenarios[name].url), fixture.browser);
      traces.set(name, traced);
    }
    return traced;
  };
}

/**
 * Starts a lab before the tests of a file (for tests that run the CLI, which launches its own
 * browser) and closes it after; `casesDir()` gives a fresh cases folder, removed at the end.
 */
export function labWithCasesDirs(prefix: string): { lab: Lab; casesDir: () => string } {
  const dirs: string[] = [];
  const fixture = {
    casesDir: () => {
      const dir = tempDir(prefix);
      dirs.push(dir);
      return dir;
    },
  } as { lab: Lab; casesDir: () => string };
  before(async () => {
    fixture.lab = await startLab();
  });
  after(async () => {
    await fixture.lab?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}

/**
 * `each` over `items`, two at a time (the next starts as soon as one ends), results in the order
 * of `items`: for independent traces or commands of one test, the file's wall time, not a requirement.
 */
export async function twoAtATime<T, R>(items: readonly T[], each: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await each(items[i], i);
    }
  };
  await Promise.all([lane(), lane()]);
  return results;
}
