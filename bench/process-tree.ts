// Memory and CPU of a process and all its descendants (node and the Chromium it starts), read from
// /proc while it runs: the peak of the summed RSS, and the CPU time of every process seen (its
// last sample: a renderer that exits between two samples loses at most one interval).
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** cutime + cstime: children it waited for. */
  reapedTicks: number;
  rssPages: number;
}

const PAGE_BYTES = 4096;
const TICKS_PER_SECOND = 100;

/** `/proc/<pid>/stat`, or a thread's `/proc/<pid>/task/<tid>/stat` (the same fields, for that thread alone). */
function readStat(pid: number, path = `/proc/${pid}/stat`): ProcStat | null {
  try {
    const text = readFileSync(path, 'utf8');
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // Fields after the name, 0-based from "state": ppid 1, utime 11, stime 12, cutime 13, cstime 14, rss 21.
    return {
      pid,
      ppid: Number(fields[1]),
      name,
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      reapedTicks: Number(fields[13]) + Number(fields[14]),
      rssPages: Number(fields[21]),
    };
  } catch {
    return null;
  }
}

/** The process and every descendant running now. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const children = new Map<number, ProcStat[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const tree: ProcStat[] = [];
  const rootStat = all.find((p) => p.pid === root);
  const queue = rootStat ? [rootStat] : [];
  while (queue.length) {
    const p = queue.shift()!;
    tree.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return tree;
}

export interface TreeUsage {
  peakRssBytes: number;
  /** CPU seconds of the root process, and of all its descendants together. */
  rootCpuSeconds: number;
  childrenCpuSeconds: number;
  /** The descendants' CPU seconds by the role a Chromium process plays (chromiumRole). */
  childrenCpuByRole: Record<ChromiumRole, number>;
}

export type ChromiumRole = 'browser' | 'renderers' | 'gpu' | 'utilities';

/**
 * What a Chromium process does, from its command line: its zygote forks renderers (a fresh one
 * still shows the zygote's command line until it renames itself; so does the GPU process, also a
 * child of the zygote here: a role is read again at every sample), the GPU process composites and
 * takes screenshots in software here, utilities are the network service and its kin; the rest
 * (the browser process, anything else) counts as the browser.
 */
function chromiumRole(pid: number): ChromiumRole | null {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
  // An exiting process (a zombie, the tree shut down at the end of a run) has an empty command line:
  // it keeps the role it had, or the GPU process's and the utilities' CPU was counted as the browser's.
  if (cmdline === '') return null;
  const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
  if (type === 'renderer' || type === 'zygote') return 'renderers';
  if (type === 'gpu-process') return 'gpu';
  if (type === 'utility') return 'utilities';
  return 'browser';
}

/** Samples the tree of `root` every `intervalMs` until stop() is called. */
export function watchTree(root: number, intervalMs = 50): { stop: () => TreeUsage } {
  let peak = 0;
  const cpu = new Map<number, number>();
  const roles = new Map<number, ChromiumRole>();
  const sample = () => {
    const tree = processTree(root);
    let rss = 0;
    for (const p of tree) {
      rss += p.rssPages * PAGE_BYTES;
      cpu.set(p.pid, p.cpuTicks);
      if (p.pid !== root) roles.set(p.pid, chromiumRole(p.pid) ?? roles.get(p.pid) ?? 'browser');
    }
    peak = Math.max(peak, rss);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      sample();
      clearInterval(timer);
      let children = 0;
      const byRole: Record<ChromiumRole, number> = { browser: 0, renderers: 0, gpu: 0, utilities: 0 };
      for (const [pid, ticks] of cpu) {
        if (pid === root) continue;
        children += ticks;
        byRole[roles.get(pid) ?? 'browser'] += ticks / TICKS_PER_SECOND;
      }
      return {
        peakRssBytes: peak,
        rootCpuSeconds: (cpu.get(root) ?? 0) / TICKS_PER_SECOND,
        childrenCpuSeconds: children / TICKS_PER_SECOND,
        childrenCpuByRole: byRole,
      };
    },
  };
}

/** CPU ms used so far by a process and its descendants (those still running, and those it reaped). */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const p of processTree(root)) ticks += p.cpuTicks + p.reapedTicks;
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU ms used so far by the process itself (not its children). */
export function processCpuMs(pid: number): number {
  return ((readStat(pid)?.cpuTicks ?? 0) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms used so far by the main thread of a process (its event loop, for node): not its worker threads, GC helpers or libuv pool. */
export function mainThreadCpuMs(pid: number): number {
  return ((readStat(pid, `/proc/${pid}/task/${pid}/stat`)?.cpuTicks ?? 0) * 1000) / TICKS_PER_SECOND;
}

/** Direct children of this process whose name matches, oldest first. */
export function childProcesses(name: RegExp): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === process.pid && name.test(stat.name)) children.push(stat.pid);
  }
  return children.sort((a, b) => a - b);
}
