// Watches the process tree of a spawned command through /proc: every process that descends from
// it (Chromium's zygotes and renderers included, sandboxed or not), the peak memory of the whole
// tree, and which of them are still alive once the command has exited (an orphan is re-parented,
// so it is known by the pid and start time it was first seen with).
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process even after a pid is reused. */
  start: string;
  /** R, S, D, Z (zombie: dead, waiting for its parent to reap it)... */
  state: string;
  rssBytes: number;
  command: string;
}

function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (2nd field) is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rssPages = Number(fields[21]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
    const type = cmdline.find((a) => a.startsWith('--type='));
    return {
      pid,
      ppid: Number(fields[1]),
      start: fields[19],
      state: fields[0],
      rssBytes: rssPages * 4096,
      command: `${cmdline[0] ?? stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}${type ? ` ${type}` : ''}`,
    };
  } catch {
    return null;
  }
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
    for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
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
