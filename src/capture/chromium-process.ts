// Chromium as an operating-system process: which binary runs, and making sure that none of its
// processes outlives clicktrace, however a trace ends.
//
// Debian's /usr/bin/chromium-headless-shell is a shell script that runs the real binary without
// `exec`, and /usr/bin/chromium does not `exec` either when it makes a temporary profile: killing
// the process we spawned would kill the script and orphan the browser, and node would then wait
// on the pipes the orphan inherited. So the real binary is launched where it is known, and in any
// case Chromium runs in a process group of its own (its zygotes, renderers and utility processes
// join it, sandboxed ones included), which is killed whole: at close, when the browser exits, and
// when clicktrace exits or is stopped by a signal.
import { constants } from 'node:os';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export type BrowserKind = 'shell' | 'full';

/**
 * The Debian packages, the command they install, and the binary that command runs. The wrappers
 * add nothing a capture needs: the headless shell's passes its arguments through; chromium's adds
 * /etc/chromium.d flags (extension loading, GPU rasterization, media router, --disable-dev-shm-usage
 * when /dev/shm is small) that our own flags switch off or already pass (chromium-flags.ts), and
 * desktop settings (API keys, .desktop name) for services a capture keeps off.
 */
export const INSTALLED: Record<BrowserKind, { path: string; binary: string; pkg: string; name: string }> = {
  shell: {
    path: '/usr/bin/chromium-headless-shell',
    binary: '/usr/lib/chromium/chromium-headless-shell',
    pkg: 'chromium-headless-shell',
    name: 'Chromium headless shell',
  },
  full: { path: '/usr/bin/chromium', binary: '/usr/lib/chromium/chromium', pkg: 'chromium', name: 'Chromium' },
};

/** Path of the full Chromium, for tools that drive it with Playwright (the proxy test's other browser; web UI tests without the headless shell). */
export const CHROMIUM_PATH = process.env.CLICKTRACE_CHROMIUM ?? INSTALLED.full.path;

/**
 * The build used when none is asked for: the headless shell, or full Chromium on a machine
 * where only that is installed (the case records which one ran).
 */
export function defaultBrowserKind(): BrowserKind {
  return process.env.CLICKTRACE_CHROMIUM || existsSync(INSTALLED.shell.path) ? 'shell' : 'full';
}

/** The command that starts this build (CLICKTRACE_CHROMIUM when set). */
export function browserPath(kind: BrowserKind): string {
  if (process.env.CLICKTRACE_CHROMIUM) return process.env.CLICKTRACE_CHROMIUM;
  return INSTALLED[kind].path;
}

/** The binary behind a command: a Debian wrapper's real Chromium when it is installed, else the command itself. */
export function executableOf(path: string): string {
  const known = Object.values(INSTALLED).find((build) => build.path === path);
  return known && existsSync(known.binary) ? known.binary : path;
}

/**
 * The most writable private memory (RLIMIT_DATA, MB) each Chromium process may commit. V8's heap
 * limit (chromium-flags.ts) does not cover what a page allocates outside it: array buffers,
 * canvases, DOM nodes. A page filling ArrayBuffers took the tree (node and every Chromium
 * process, RSS summed) to 4.0 GB within 60 s; with this limit the allocation fails in the page (a
 * RangeError) at 1.1 GB, and a renderer that cannot get memory crashes. Chromium lowers the limit
 * itself to 16 GB for renderers. A renderer commits ~600 MB before it loads anything, a 512 MB
 * reservation among it, and still reaches its 512 MB JavaScript heap under this limit. Measured
 * peaks of the tree for the worst lab page (canvases drawn until memory runs out): 1024 MB:
 * 1.37 GB; 1152 MB: 1.49 GB; 1280 MB: 1.55 GB.
 */
export const DATA_LIMIT_MB = 1024;

/** Process groups of Chromiums still running, with their profile folders. */
const running = new Map<number, string>();

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Last resort when clicktrace ends with Chromium still running: it is killed, synchronously, and
 * its profile removed. A signal that nobody else handles is passed on after that (so the process
 * still ends the way the signal asks); a command that handles it (trace, serve) closes its
 * browsers itself, and this exit hook catches what is left.
 */
function onExit(): void {
  for (const [pgid, profileDir] of running) {
    killGroup(pgid);
    rmSync(profileDir, { recursive: true, force: true });
  }
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  onExit();
  unwatch();
  process.kill(process.pid, signal);
  // Node closes its signal watcher asynchronously, so the signal raised again may still land on
  // it, with no listener left: the process then ends as a shell reports that signal.
  setTimeout(() => process.exit(128 + constants.signals[signal]), 200);
}

// Registered once: twice (a Chromium that ended, then another launched) would count as a second
// handler in onSignal, and the signal would be ignored.
let watching = false;

function watch(): void {
  if (watching) return;
  watching = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unwatch(): void {
  watching = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** A spawned Chromium: its pid is that of its process group. */
export class ChromiumProcess {
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    private readonly profileDir: string,
  ) {
    // A binary that could not be started reports an error and no exit.
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => child.pid === undefined && resolve());
    });
    // What is left of the group (a renderer the browser had not reaped) goes with it.
    void this.exited.then(() => this.killGroup());
  }

  static spawn(path: string, args: string[], profileDir: string, options: Omit<SpawnOptions, 'detached' | 'stdio'>): ChromiumProcess {
    // The shell sets the limit and replaces itself with Chromium (`exec`): the pid stays Chromium's.
    const limited = ['-c', `ulimit -d ${DATA_LIMIT_MB * 1024} && exec "$0" "$@"`, executableOf(path), ...args];
    const child = spawn('/bin/sh', limited, { ...options, detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    if (child.pid !== undefined) {
      watch();
      running.set(child.pid, profileDir);
    }
    return new ChromiumProcess(child, profileDir);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Kills every process of the group at once. */
  killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined || !running.has(pid)) return;
    killGroup(pid);
    running.delete(pid);
    if (running.size === 0) unwatch();
  }

  /** Waits up to `graceMs` for Chromium to exit by itself, then kills the group; resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.hasExited) {
      const killer = setTimeout(() => this.killGroup(), graceMs);
      await this.exited;
      clearTimeout(killer);
    }
    this.killGroup();
    rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
