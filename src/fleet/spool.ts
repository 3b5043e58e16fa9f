// A fleet worker's folder on its own disk: `cases/` where its traces write (with the worker's own
// index), `outbox/` with finished case bundles and failure reports not yet acknowledged by the
// server, `refused/` with bundles the server refused (kept for a person to look at), `sealing/`
// where a case a killed worker left open is sealed (as partial) before it is packed. One worker
// process holds a spool at a time (lock.json: host and pid); a worker started later on the same
// spool (by default the first free `worker-N` of the clicktrace home) sends what a killed one left.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { clicktraceHome } from '../home.js';
import { processAliveSince } from '../capture/profiles.js';
import { makeDirs } from '../make-dirs.js';

const LOCK_FILE = 'lock.json';
const MAX_SLOTS = 64;

export class SpoolBusyError extends Error {}

export class Spool {
  readonly casesDir: string;
  readonly outboxDir: string;
  readonly refusedDir: string;
  readonly sealingDir: string;

  private constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.casesDir = join(dir, 'cases');
    this.outboxDir = join(dir, 'outbox');
    this.refusedDir = join(dir, 'refused');
    this.sealingDir = join(dir, 'sealing');
    for (const d of [this.casesDir, this.outboxDir, this.refusedDir]) mkdirSync(d, { recursive: true });
  }

  /** The spool `dir`, or the first free `worker-N` under the clicktrace home's fleet-spool/. */
  static open(dir?: string): Spool {
    if (dir) {
      const path = resolve(dir);
      const holder = tryLock(path);
      if (holder) throw new SpoolBusyError(`--spool ${dir} is in use by ${holder}`);
      return new Spool(path, `spool ${path}`);
    }
    const base = join(clicktraceHome(), 'fleet-spool');
    for (let n = 1; n <= MAX_SLOTS; n++) {
      const path = join(base, `worker-${n}`);
      if (!tryLock(path)) return new Spool(path, `worker-${n}`);
    }
    throw new SpoolBusyError(`all ${MAX_SLOTS} spools under ${base} are in use; give one with --spool DIR`);
  }

  /** Lets the next worker take this spool. */
  release(): void {
    try {
      const lock = JSON.parse(readFileSync(join(this.dir, LOCK_FILE), 'utf8')) as { pid?: number; host?: string };
      if (lock.pid === process.pid && lock.host === hostname()) rmSync(join(this.dir, LOCK_FILE), { force: true });
    } catch {
      // gone already
    }
  }
}

/** Takes the lock of `dir` (null), or says who holds it. A lock of a process of this host that is gone is taken over. */
function tryLock(dir: string): string | null {
  makeDirs(dir);
  const path = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString() }) + '\n';
  try {
    writeFileSync(path, mine, { flag: 'wx' });
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let holder: { host?: string; pid?: number } = {};
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
  } catch {
    // unreadable: treat as stale below
  }
  // Held by another host (its pids mean nothing here), by this process (another worker in it), or by a live process.
  const alive =
    typeof holder.host === 'string' &&
    typeof holder.pid === 'number' &&
    (holder.host !== hostname() || processAliveSince(holder.pid, lockWrittenAt(path)));
  if (alive && existsSync(path)) return `process ${holder.pid ?? '?'} on ${holder.host ?? '?'}`;
  writeFileSync(path, mine);
  return null;
}

/** When a lock file was written (NaN when it cannot be read: its holder is then judged by its pid alone). */
function lockWrittenAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return NaN;
  }
}
