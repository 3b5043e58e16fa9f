// A capture case a killed process left open (PARTIAL present, its WARC ending after the last whole
// record, or inside one), sealed afterwards from what it recorded: the records the WARC holds are
// written again as a closed case (WARC, HAR, WACZ, report, manifest, signature), marked partial,
// its report's error saying why; the WARC as the killed process left it is kept in the case,
// byte for byte, as cut-off/capture.warc.gz. The sealed case is written beside the open one (in
// `stagingDir`), so a process killed while sealing leaves the open case as it was.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CUT_OFF_WARC, PARTIAL_FILE, WARC_FILE } from './case-layout.js';
import { cutOffRecorded, openCaseStop, openCaseWriterGone } from './open-case.js';
import { processAliveSince } from '../capture/profiles.js';
import { CaseWriter } from './case-writer.js';
import { captureFromRecords } from '../evidence/warc/read-warc.js';
import { field, readWarcBuffer } from '../evidence/warc/warc-parse.js';
import type { TimestampOutcome, TsaSettings } from '../timestamp/case-timestamp.js';

/** Where the sealed case keeps the WARC as the killed process left it. */

export interface SealedCutOff {
  /** The sealed case folder (in the staging folder). */
  dir: string;
  url: string | null;
  /** Exchanges recorded before the process died (0: none of its requests had been answered and recorded). */
  exchanges: number;
  /** The date of the last whole record: the capture is known up to then. */
  recordedUntil: string;
  /** The TSA's answer when one was asked for (SealOptions.tsa), as a case closed by its trace gets one. */
  timestamp: TimestampOutcome | null;
}

export interface SealOptions {
  /** A time-stamping authority to ask for a token over the sealed case's manifest (the process's --tsa). */
  tsa?: TsaSettings | null;
}

/** The case folder is still open (its capture was cut off or is still running). */
export function isOpenCase(dir: string): boolean {
  return existsSync(join(dir, PARTIAL_FILE));
}

/**
 * Seals the open case `dir` where it is, once its writer is gone: the sealed case is made in
 * `<cases>/.sealing/` and swapped in (the open folder kept there until the swap is done, so a
 * process killed meanwhile loses nothing: sealCutOffCases puts it back). Null when the case
 * holds no whole record (nothing was requested; it is left as it is).
 */
async function sealCutOffInPlace(
  dir: string,
  reason: string | ((exchanges: number) => string),
  options: SealOptions,
): Promise<SealedCutOff | null> {
  const staging = join(dirname(dir), SEALING_DIR);
  const name = basename(dir);
  const left = join(staging, `${name}.open`);
  const lock = takeSealLock(staging, name);
  if (!lock) return null;
  try {
    // Sealed by another process meanwhile (it held the lock): nothing left to do.
    if (!isOpenCase(dir)) return null;
    const sealed = await sealCutOffCase(dir, staging, reason, options);
    if (!sealed) return null;
    rmSync(left, { recursive: true, force: true });
    renameSync(dir, left);
    renameSync(sealed.dir, dir);
    rmSync(left, { recursive: true, force: true });
    return { ...sealed, dir };
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The seal lock `lock` is held by a process that may still be running (this one included; one on another host is assumed to). */
function sealLockHeld(lock: string): boolean {
  let holder: string[];
  let takenAt: number;
  try {
    holder = readFileSync(lock, 'utf8').trim().split(' ');
    takenAt = statSync(lock).mtimeMs;
  } catch {
    return false;
  }
  const [host, pid] = holder;
  // Its holder must have been running when it took the lock (a restarted container's pids come again, this one's too).
  return host !== hostname() || !/^\d+$/.test(pid ?? '') || processAliveSince(Number(pid), takenAt);
}

/**
 * One process seals a case at a time (two processes starting on one cases folder both sweep it):
 * `.sealing/<case>.lock`, created exclusively, names its holder; one left by a process that is gone
 * is taken over. Null when another live process (or this one) holds it.
 */
function takeSealLock(staging: string, name: string): string | null {
  const lock = join(staging, `${name}.lock`);
  mkdirSync(staging, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${hostname()} ${process.pid}\n`, { flag: 'wx' });
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (sealLockHeld(lock)) return null;
    try {
      unlinkSync(lock);
    } catch {
      // taken over by another process meanwhile: the next attempt says
    }
  }
  return null;
}

/** Where cut-off cases are sealed before they are swapped in (a folder of the cases folder no case is named like). */
export const SEALING_DIR = '.sealing';

/** Why a case whose writer is gone holds only part of its trace. */
export function cutOffReason(exchanges: number): string {
  return `partial: the process tracing it stopped (killed, crashed or the machine restarted) ${cutOffRecorded(exchanges)}`;
}

/**
 * Why the open case `dir` holds only part of its trace when its trace noted that it could not write
 * it (a full disk: noteOpenCaseStop), which says more than that its writer is gone; null otherwise.
 */
export function stoppedReason(dir: string, exchanges: number): string | null {
  const stopped = openCaseStop(dir);
  return stopped ? `partial: the trace was cut off: ${stopped} ${cutOffRecorded(exchanges)}` : null;
}

/** The reason a case cut off in this process's own cases folder is sealed with. */
export function cutOffHereReason(exchanges: number): string {
  return `${cutOffReason(exchanges)}; sealed from what it recorded by a later run on its cases folder`;
}

/**
 * Seals the open case `dir` into `stagingDir` (same folder name), its report's error `reason`
 * (or what `reason` says of the number of exchanges recorded).
 * Null when its WARC holds no whole record: the case writer writes its first record before the
 * trace requests anything, so nothing was requested. Throws an EvidenceError when the records
 * cannot be read back.
 */
export async function sealCutOffCase(
  dir: string,
  stagingDir: string,
  reason: string | ((exchanges: number) => string),
  { tsa = null }: SealOptions = {},
): Promise<SealedCutOff | null> {
  const warcPath = join(dir, WARC_FILE);
  if (!existsSync(warcPath)) return null;
  const original = readFileSync(warcPath);
  const read = readWarcBuffer(original);
  if (read.records.length === 0) return null;
  // A killed writer leaves a WARC cut inside its last record: the records before it are whole.
  const capture = captureFromRecords(read.records, warcPath, true);
  const recordedUntil = field(read.records[read.records.length - 1], 'WARC-Date') ?? capture.info.startedAt;
  const stopped = stoppedReason(dir, capture.exchanges.length);
  const error = stopped
    ? `${stopped}; sealed from what it recorded afterwards`
    : typeof reason === 'string'
      ? reason
      : reason(capture.exchanges.length);
  capture.info = { ...capture.info, partial: true, endedAt: recordedUntil, error };

  const name = basename(dir);
  rmSync(join(stagingDir, name), { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true });
  let timestamp: TimestampOutcome | null = null;
  const onSealed = tsa
    ? async (sealedDir: string) => {
        timestamp = await (await import('../timestamp/case-timestamp.js')).stampCase(sealedDir, tsa);
      }
    : undefined;
  const writer = await CaseWriter.create(stagingDir, capture.info, { name, ...(onSealed ? { onSealed } : {}) });
  try {
    mkdirSync(join(writer.dir, 'cut-off'));
    copyFileSync(warcPath, join(writer.dir, CUT_OFF_WARC));
    const [{ analyzeCapture }, { loadNetworkData }] = await Promise.all([
      import('../analyze/analyze.js'),
      import('../hosting/network-data.js'),
    ]);
    const report = analyzeCapture(capture, writer.dir, await loadNetworkData());
    await writer.close(capture, report);
  } catch (err) {
    rmSync(writer.dir, { recursive: true, force: true });
    throw err;
  }
  return { dir: writer.dir, url: capture.info.url, exchanges: capture.exchanges.length, recordedUntil, timestamp };
}

/**
 * Puts back the open cases a process was swapping out when it died (sealCutOffInPlace: the open
 * folder in `.sealing/<case>.open`, the sealed one not yet in its place); their names. They are
 * open again, to be sealed again.
 */
export function restoreLeftBehind(casesDir: string): string[] {
  const staging = join(casesDir, SEALING_DIR);
  const leftBehind = existsSync(staging)
    ? readdirSync(staging).filter(
        (e) => e.endsWith('.open') && !existsSync(join(casesDir, e.slice(0, -5))) && !sealLockHeld(join(staging, `${e.slice(0, -5)}.lock`)),
      )
    : [];
  for (const entry of leftBehind) renameSync(join(staging, entry), join(casesDir, entry.slice(0, -5)));
  return leftBehind.map((e) => e.slice(0, -5));
}

/** Seals, as partial, every case of `casesDir` (folder names given) left open by a process that is gone; how many were sealed. */
export async function sealCutOffCases(
  casesDir: string,
  names: string[],
  reason: (exchanges: number) => string,
  options: SealOptions = {},
): Promise<number> {
  let sealed = 0;
  const leftBehind = restoreLeftBehind(casesDir);
  for (const name of [...names, ...leftBehind]) {
    const dir = join(casesDir, name);
    if (!isOpenCase(dir) || !openCaseWriterGone(dir)) continue;
    try {
      if (await sealCutOffInPlace(dir, reason, options)) sealed++;
    } catch {
      // Unreadable records: left open as it is (reindex then lists it as skipped, with the reason).
    }
  }
  return sealed;
}
