// Watches the process tree of a spawned command through /proc: every process that descends from
// it (Chromium's zygotes and renderers included, sandboxed or not), the peak memory of the whole
// tree, and which of them are still alive once the command has exited (an orphan is re-parented,
// so it is known by the pid and start time it was first seen with).
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';

interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process even after a pid is reused. */
  start: string;
  /** R, S, D, Z (zombie: dead, waiting for its parent to reap it)... */
  state: string;
  rssBytes: number;
  /** The program and its --type= (Chromium's process kind), read when first asked for. */
  readonly command: string;
}

// A sample reads the stat file of every process of the machine, ten times a second for each watched
// trace: read straight into one buffer, as readFileSync (stat, then a growing buffer: procfs files
// have no size) costs three times the CPU. The command line is only read for the tree's members.
const buffer = Buffer.alloc(64 * 1024);

function readProcFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null; // the process is gone
  }
  try {
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;) length += n;
    return buffer.toString('latin1', 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function commandOf(pid: number, stat: string): string {
  const cmdline = (readProcFile(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
  const type = cmdline.find((a) => a.startsWith('--type='));
  return `${cmdline[0] ?? stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}${type ? ` ${type}` : ''}`;
}

function readProcess(pid: number): ProcessInfo | null {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (2nd field) is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let command: string | undefined;
  return {
    pid,
    ppid: Number(fields[1]),
    start: fields[19],
    state: fields[0],
    rssBytes: Number(fields[21]) * 4096,
    get command() {
      return (command ??= commandOf(pid, stat));
    },
  };
}

function allProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcess(Number(name));
    if (info) out.push(info);
  }
  return out;
}

export class ProcessTree {
  /** "pid start" of every process seen in the tree. */
  private readonly seen = new Map<string, ProcessInfo>();
  peakBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly root: number) {}

  /** Samples every `intervalMs` until stop(). */
  start(intervalMs = 50): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The root, its descendants, and descendants of processes seen before (orphans re-parented to init). */
  members(): ProcessInfo[] {
    const processes = allProcesses();
    const children = new Map<number, ProcessInfo[]>();
    for (const p of processes) {
      const siblings = children.get(p.ppid);
      if (siblings) siblings.push(p);
      else children.set(p.ppid, [p]);
    }
    const roots = processes.filter((p) => p.pid === this.root || this.seen.has(`${p.pid} ${p.start}`));
    const found = new Map<number, ProcessInfo>();
    const queue = [...roots];
    while (queue.length) {
      const p = queue.pop()!;
      if (found.has(p.pid)) continue;
      found.set(p.pid, p);
      queue.push(...(children.get(p.pid) ?? []));
    }
    return [...found.values()];
  }

  sample(): void {
    const members = this.members();
    let total = 0;
    for (const p of members) {
      this.seen.set(`${p.pid} ${p.start}`, p);
      total += p.rssBytes;
    }
    this.peakBytes = Math.max(this.peakBytes, total);
  }

  /**
   * Processes of the tree still alive (call after the root has exited). Zombies are dead: they
   * only wait for their new parent (init) to collect their exit status.
   */
  survivors(): ProcessInfo[] {
    return this.members().filter((p) => p.pid !== this.root && p.state !== 'Z');
  }

  /** How many distinct processes the tree had. */
  get size(): number {
    return this.seen.size;
  }
}
