// Runs the built command line (dist/clicktrace.mjs) as a user would, collecting its output.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../clicktrace.mjs', import.meta.url));
const TIME = '/usr/bin/time';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory of the clicktrace process (Chromium not included), when asked and /usr/bin/time is installed. */
  maxRssKb: number | null;
}

export function cli(args: string[], input?: string): Promise<CliRun> {
  return runCli(args, { input });
}

/** cli() with options: `measureRss` runs it under /usr/bin/time for its peak memory; `env` is added to this process's. */
export function runCli(args: string[], opts: { input?: string; measureRss?: boolean; env?: Record<string, string> } = {}): Promise<CliRun> {
  const measure = (opts.measureRss ?? false) && existsSync(TIME);
  const [command, argv] = measure
    ? [TIME, ['-f', 'clicktrace-max-rss-kb=%M', process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a chunk boundary may fall inside a multi-byte character.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const rss = /clicktrace-max-rss-kb=(\d+)\n?$/.exec(stderr);
      if (rss) stderr = stderr.slice(0, rss.index);
      resolve({ code, stdout, stderr, ms: Date.now() - started, maxRssKb: rss ? Number(rss[1]) : null });
    });
    child.stdin.end(opts.input ?? '');
  });
}
