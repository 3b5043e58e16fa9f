// The built command line as a child process that a test can watch while it runs, signal
// (Ctrl-C) or kill -9 mid-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../clicktrace.mjs', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once `predicate(stdout)` holds (checked as output arrives), or rejects at exit. */
  until(predicate: (stdout: string) => boolean): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * `env`: variables set for this run over the test's own (e.g. another CLICKTRACE_HOME).
 * `stdinOpen`: stdin, a pipe, is left open after `input` (a feed still being written; `child.stdin` writes more).
 */
export function startCli(args: string[], input = '', env: Record<string, string> = {}, { stdinOpen = false } = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  const watchers: { predicate: (s: string) => boolean; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    for (const w of watchers.splice(0)) {
      if (w.predicate(stdout)) w.resolve();
      else watchers.push(w);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  if (stdinOpen) child.stdin.write(input);
  else child.stdin.end(input);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    until: (predicate) =>
      predicate(stdout)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            watchers.push({ predicate, resolve });
            void exited.then(() => reject(new Error(`the command ended first: ${stderr.slice(0, 500)}`)));
          }),
    exited,
  };
}

export async function runCli(args: string[], input = '') {
  return startCli(args, input).exited;
}

/** The JSON Lines a command printed (the last, unfinished line of a killed run left out). */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{') && line.trim().endsWith('}'))
    .map((line) => JSON.parse(line) as T);
}
