// An open case (its PARTIAL file present) and the process writing it: the file names the process,
// so that a case whose writer was killed can be told from one still being written, and sealed.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAliveSince } from '../capture/profiles.js';
import { PARTIAL_FILE } from './case-layout.js';

/** What an open case's PARTIAL file says: since when, and which process writes the case. */
export function openCaseNote(): string {
  return `capture in progress since ${new Date().toISOString()} by ${hostname()} ${process.pid}; removed when the case is closed\n`;
}

/**
 * Cases older than this whose PARTIAL file names no process (written before it did) count as cut
 * off: no trace runs for an hour (its --timeout is minutes at most).
 */
const UNNAMED_WRITER_MAX_AGE_MS = 60 * 60 * 1000;

/** The process an open case's PARTIAL file names as its writer (host and pid), or null when it names none or is unreadable. */
export function openCaseWriter(dir: string): { host: string; pid: number } | null {
  let note: string;
  try {
    note = readFileSync(join(dir, PARTIAL_FILE), 'utf8');
  } catch {
    return null;
  }
  const writer = / by (\S+) (\d+);/.exec(note);
  return writer ? { host: writer[1], pid: Number(writer[2]) } : null;
}

/**
 * The process that was writing the open case `dir` is gone (killed, crashed, the machine
 * restarted): nothing will close it. False while it may still be running, or when the writer ran
 * on another host (a cases folder shared over a network file system): whether a pid is alive is
 * only known on its own host, so such a case is left to a process on that host.
 */
export function openCaseWriterGone(dir: string): boolean {
  let note: string;
  try {
    note = readFileSync(join(dir, PARTIAL_FILE), 'utf8');
  } catch {
    return false;
  }
  const writer = openCaseWriter(dir);
  const since = Date.parse(/since (\S+?);?\s/.exec(note)?.[1] ?? '');
  if (!writer) return Number.isFinite(since) && Date.now() - since > UNNAMED_WRITER_MAX_AGE_MS;
  // Its pid alive is not enough: that process must have been running when the case was opened
  // (a restarted container gives its processes the same pids again, this one included).
  return writer.host === hostname() && !processAliveSince(writer.pid, since);
}

/** How much a cut-off case holds, for the reason it is sealed with. */
export function cutOffRecorded(exchanges: number): string {
  return exchanges > 0
    ? `after ${exchanges} exchange(s) were recorded`
    : 'before any exchange was recorded (whether its link was requested is not known: a request is recorded when its answer comes)';
}
