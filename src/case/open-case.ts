// An open case (its PARTIAL file present) and the process writing it: the file names the process,
// so that a case whose writer was killed can be told from one still being written, and sealed.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAliveSince } from '../capture/profiles.js';
import { PARTIAL_FILE } from './case-layout.js';
import { ExitCode, UserError } from '../errors.js';
import { diskFull, errorMessage } from '../evidence/errors.js';

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

const STOPPED = 'stopped: ';

/**
 * Notes in an open case why its trace could not finish writing it (a full disk), for whoever seals
 * it later (seal-cut-off.ts). Best effort: a line added to the small PARTIAL file most often still
 * fits on a full disk (in the block it has), but may not. Whether it was noted.
 */
export function noteOpenCaseStop(dir: string, reason: string): boolean {
  try {
    appendFileSync(join(dir, PARTIAL_FILE), `${STOPPED}${reason.replace(/[\r\n]+/g, ' ')}\n`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The error of a trace that could not write its case (`err`: a full disk, most likely): the case is
 * left open (partial), why noted in it (noteOpenCaseStop), and the error says so, and how it is
 * sealed from what it recorded. `err` itself when the case is no longer open (it was sealed).
 */
export function caseNotWritten(dir: string, err: unknown): Error {
  if (!existsSync(join(dir, PARTIAL_FILE))) return err instanceof Error ? err : new Error(String(err));
  const why = errorMessage(err);
  noteOpenCaseStop(dir, why);
  return new UserError(
    `${why}; the trace was stopped and its case ${dir} is left partial (open): ` +
      `\`clicktrace analyze --write ${dir}\` (or reindex) seals it from what it recorded${diskFull(err) ? ' once there is room' : ''}`,
    ExitCode.Failed,
  );
}

/** Why the trace of an open case stopped writing it, when it noted that (noteOpenCaseStop); null otherwise. */
export function openCaseStop(dir: string): string | null {
  let note: string;
  try {
    note = readFileSync(join(dir, PARTIAL_FILE), 'utf8');
  } catch {
    return null;
  }
  const line = note.split('\n').find((l) => l.startsWith(STOPPED));
  return line ? line.slice(STOPPED.length) : null;
}

/** How much a cut-off case holds, for the reason it is sealed with. */
export function cutOffRecorded(exchanges: number): string {
  return exchanges > 0
    ? `after ${exchanges} exchange(s) were recorded`
    : 'before any exchange was recorded (whether its link was requested is not known: a request is recorded when its answer comes)';
}
