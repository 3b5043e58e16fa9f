// A capture case a killed process left open (PARTIAL present, its WARC ending after the last whole
// record, or inside one), sealed afterwards from what it recorded: the records the WARC holds are
// written again as a closed case (WARC, HAR, WACZ, report, manifest, signature), marked partial,
// its report's error saying why; the WARC as the killed process left it is kept in the case,
// byte for byte, as cut-off/capture.warc.gz. The sealed case is written beside the open one (in
// `stagingDir`), so a process killed while sealing leaves the open case as it was.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PARTIAL_FILE, WARC_FILE } from './case-layout.js';
import { cutOffRecorded, openCaseWriterGone } from './open-case.js';
import { CaseWriter } from './case-writer.js';
import { captureFromRecords } from '../evidence/warc/read-warc.js';
import { field, readWarcBuffer } from '../evidence/warc/warc-parse.js';

/** Where the sealed case keeps the WARC as the killed process left it. */
export const CUT_OFF_WARC = 'cut-off/capture.warc.gz';

export interface SealedCutOff {
  /** The sealed case folder (in the staging folder). */
  dir: string;
  url: string | null;
  /** Exchanges recorded before the process died (0: none of its requests had been answered and recorded). */
  exchanges: number;
  /** The date of the last whole record: the capture is known up to then. */
  recordedUntil: string;
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
async function sealCutOffInPlace(dir: string, reason: string | ((exchanges: number) => string)): Promise<SealedCutOff | null> {
  const staging = join(dirname(dir), SEALING_DIR);
  const name = basename(dir);
  const left = join(staging, `${name}.open`);
  const sealed = await sealCutOffCase(dir, staging, reason);
  if (!sealed) return null;
  rmSync(left, { recursive: true, force: true });
  renameSync(dir, left);
  renameSync(sealed.dir, dir);
  rmSync(left, { recursive: true, force: true });
  return { ...sealed, dir };
}

/** Where cut-off cases are sealed before they are swapped in (a folder of the cases folder no case is named like). */
export const SEALING_DIR = '.sealing';

/** The reason a case cut off in this process's own cases folder is sealed with. */
export function cutOffHereReason(exchanges: number): string {
  return (
    `partial: the process tracing it stopped (killed, crashed or the machine restarted) ${cutOffRecorded(exchanges)}; ` +
    'sealed from what it recorded when the link came up again'
  );
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
): Promise<SealedCutOff | null> {
  const warcPath = join(dir, WARC_FILE);
  if (!existsSync(warcPath)) return null;
  const original = readFileSync(warcPath);
  const read = readWarcBuffer(original);
  if (read.records.length === 0) return null;
  // A killed writer leaves a WARC cut inside its last record: the records before it are whole.
  const capture = captureFromRecords(read.records, warcPath, true);
  const recordedUntil = field(read.records[read.records.length - 1], 'WARC-Date') ?? capture.info.startedAt;
  const error = typeof reason === 'string' ? reason : reason(capture.exchanges.length);
  capture.info = { ...capture.info, partial: true, endedAt: recordedUntil, error };

  const name = basename(dir);
  rmSync(join(stagingDir, name), { recursive: true, force: true });
  mkdirSync(stagingDir, { recursive: true });
  const writer = await CaseWriter.create(stagingDir, capture.info, { name });
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
  return { dir: writer.dir, url: capture.info.url, exchanges: capture.exchanges.length, recordedUntil };
}

/** Seals, as partial, every case of `casesDir` (folder names given) left open by a process that is gone; how many were sealed. */
export async function sealCutOffCases(casesDir: string, names: string[], reason: (exchanges: number) => string): Promise<number> {
  let sealed = 0;
  // A case a process was swapping in when it died is put back first (sealCutOffInPlace seals it again).
  const staging = join(casesDir, SEALING_DIR);
  const leftBehind = existsSync(staging)
    ? readdirSync(staging).filter((e) => e.endsWith('.open') && !existsSync(join(casesDir, e.slice(0, -5))))
    : [];
  for (const entry of leftBehind) renameSync(join(staging, entry), join(casesDir, entry.slice(0, -5)));
  for (const name of [...names, ...leftBehind.map((e) => e.slice(0, -5))]) {
    const dir = join(casesDir, name);
    if (!isOpenCase(dir) || !openCaseWriterGone(dir)) continue;
    try {
      if (await sealCutOffInPlace(dir, reason)) sealed++;
    } catch {
      // Unreadable records: left open as it is (reindex then lists it as skipped, with the reason).
    }
  }
  return sealed;
}
