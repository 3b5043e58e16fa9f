// Fresh Chromium profile folders: where they go, and the clean-up of ones a killed clicktrace
// left behind (they sit in memory when the parent is /dev/shm).
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'clicktrace-chromium-';
/** Names the clicktrace process that made the profile: "<host> <pid>". */
const OWNER_FILE = 'clicktrace-owner';
/** Room a memory-backed folder must have to hold a profile (its HTTP cache grows with the pages). */
const SHM_MIN_FREE = 1024 ** 3;
/** A profile without an owner file older than this is a leftover. */
const UNOWNED_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Where fresh profiles go: /dev/shm when it is a roomy memory-backed folder, else the temp
 * folder. A new profile's databases are created and synced at start; on memory they cost a cold
 * trace ~80 ms less (measured on a virtio disk). Docker's default 64 MB /dev/shm is not used.
 */
export function profileParent(): string {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize >= SHM_MIN_FREE) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // No /dev/shm (not Linux), or not writable.
  }
  return tmpdir();
}

/** A new, empty profile folder owned by this process. */
export function createProfileDir(parent = profileParent()): string {
  const dir = mkdtempSync(join(parent, PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${hostname()} ${process.pid}\n`);
  return dir;
}

/** Whether a process of this host is running (or exists under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `pid` of this host is alive and is the one that was running at `at` (epoch
 * ms): a pid taken again by a later process is not. A container restarted after a kill (an OOM
 * kill, a `docker restart`) keeps its host name and gives its processes the same pids again, this
 * one included: without the start time, what its killed predecessor left would pass for its own
 * work, or a live process's. The start time is read from /proc (to the second; a process started
 * within START_SLACK_MS of `at` is given the benefit of the doubt); where it cannot be read, the pid
 * alone decides.
 */
export function processAliveSince(pid: number, at: number): boolean {
  if (!Number.isFinite(at)) return pid === process.pid || processAlive(pid);
  // This process: anything it wrote is from after its start (a second's slack for a file's coarse mtime).
  if (pid === process.pid) return at >= performance.timeOrigin - OWN_START_SLACK_MS;
  if (!processAlive(pid)) return false;
  const started = processStartedAt(pid);
  return started === null || started <= at + START_SLACK_MS;
}

/** A file's mtime comes from a coarse clock, a little behind the time a process reads. */
const OWN_START_SLACK_MS = 1000;
/** How far a process's start time read from /proc (seconds since boot, in clock ticks) may be off. */
const START_SLACK_MS = 2000;
/** Clock ticks per second of /proc/<pid>/stat's start time (USER_HZ: 100 on every Linux port in use). */
const USER_HZ = 100;

/** When the process `pid` started (epoch ms), or null where /proc does not say. */
function processStartedAt(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): field 22 is the start time.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + (ticks * 1000) / USER_HZ : null;
  } catch {
    return null;
  }
}

/**
 * Removes profile folders whose clicktrace process is gone (killed before it could clean up).
 * Only owners on this host are judged: another container sharing the folder has its own pids.
 */
export function sweepStaleProfiles(parent = profileParent(), now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(parent, name);
    try {
      let stale: boolean;
      try {
        const owner = join(dir, OWNER_FILE);
        const [host, pid] = readFileSync(owner, 'utf8').trim().split(' ');
        // Its pid running now may be another process than the owner (a restarted container gives them again).
        stale = host === hostname() && /^\d+$/.test(pid ?? '') && !processAliveSince(Number(pid), statSync(owner).mtimeMs);
      } catch {
        stale = now - statSync(dir).mtimeMs > UNOWNED_MAX_AGE_MS;
      }
      if (stale) {
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    } catch {
      // Someone else's folder, or already gone.
    }
  }
  return removed;
}
