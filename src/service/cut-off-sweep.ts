// When a run starts writing into a cases folder (a batch `trace`, `mail --trace`, `serve`), what
// earlier processes on this host left there when they died is settled, so that no case stays open
// and invisible: the report, the web UI and `verify` see each as a sealed partial case.
//
// The candidates are the case folders the index does not hold (one directory listing and one
// query: a finished case is indexed, so only cut-off, running or never-indexed ones remain). The
// ledger then tells what each one is, by the order a trace keeps (tracer.ts):
//   claim the URL -> create the case folder (PARTIAL, then the WARC's warcinfo naming the URL)
//   -> send the browser to the link -> attach the case in the ledger as the first request is
//   written upstream (recording-proxy.ts beforeSend), nothing awaited between the two.
// - Named in the ledger (attached): its link was, or may have been, requested. Sealed as partial
//   from what it recorded, and indexed.
// - Not named, and its writer's claim on its URL is still in the ledger without a case: killed
//   between creating the folder and attaching it, so before the request. The folder records
//   nothing but that intent: it is removed and the claim released (the link stays fresh, as when
//   Ctrl-C stops a trace at that point). The same for a folder holding no whole WARC record.
// - Not named and no such claim (the ledger was deleted and rebuilt, or a later run of the same
//   URL dropped the dead claim): whether the link was requested is not known, so it is sealed as
//   partial, saying so, and counts as requested (never requested twice wins over fresh).
// A case whose writer is alive, or ran on another host (a pid is only known on its own host), is
// left alone. So are staging folders of case uploads (import/case-bundle.ts): those of a dead
// process on this host are removed.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PARTIAL_FILE, WARC_FILE } from '../case/case-layout.js';
import { openCaseWriter, openCaseWriterGone } from '../case/open-case.js';
import { cutOffHereReason, isOpenCase, restoreLeftBehind, sealCutOffCases } from '../case/seal-cut-off.js';
import { field, readWarcBuffer, type WarcRecordRead } from '../evidence/warc/warc-parse.js';
import { warcFields } from '../store/requested-url.js';
import type { TsaSettings } from '../timestamp/case-timestamp.js';
import type { CaseStore } from '../store/index.js';
import { removeAbandonedStaging } from '../import/case-bundle.js';
import { removeAbandonedProcessFolders } from '../case/process-folders.js';

export interface SweepResult {
  /** Cases left open by a process that is gone: sealed as partial and indexed. */
  sealed: string[];
  /** Folders of traces killed before their link was requested (they recorded nothing of it): removed. */
  removed: string[];
  /** Closed cases the index did not hold (a process killed between sealing and indexing): indexed. */
  indexed: string[];
  /** Staging folders of uploads or imports whose process was killed while it took a case in: removed (nothing of them was a case yet). */
  staging: string[];
}

export type CutOffAction =
  | { action: 'leave' }
  | { action: 'index' }
  | { action: 'seal' }
  /** claim: the ledger's claim (without a case) the killed process left on its URL, released with it. */
  | { action: 'remove'; claim: number | null };

/** An empty case folder younger than this may be one a live process has just made (PARTIAL comes next). */
const EMPTY_FOLDER_MIN_AGE_MS = 10 * 60 * 1000;

/** What to do with the case folder `name`, which the index does not hold. */
export function cutOffAction(store: CaseStore, name: string): CutOffAction {
  const dir = join(store.casesDir, name);
  if (!isOpenCase(dir)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return { action: 'leave' };
    }
    if (entries.length > 0) return { action: 'index' };
    // Killed between making the folder and writing its PARTIAL file: before anything else.
    const old = Date.now() - statSync(dir).mtimeMs > EMPTY_FOLDER_MIN_AGE_MS;
    return old && !store.ledger.namesCase(name) ? { action: 'remove', claim: null } : { action: 'leave' };
  }
  if (!openCaseWriterGone(dir)) return { action: 'leave' };
  if (store.ledger.namesCase(name)) return { action: 'seal' };
  // Anything beside its PARTIAL file and WARC was written after the request: never removed.
  if (readdirSync(dir).some((entry) => entry !== PARTIAL_FILE && entry !== WARC_FILE)) return { action: 'seal' };
  const records = wholeRecords(dir);
  // The case writer puts the warcinfo record on disk before the case is attached, and the ledger does not name it.
  if (records.length === 0) return { action: 'remove', claim: null };
  if (records.some((r) => field(r, 'WARC-Type') === 'request')) return { action: 'seal' };
  const info = warcinfoFields(records[0]);
  const writer = openCaseWriter(dir);
  if (info.get('mode') !== 'trace' || !info.get('url') || !writer) return { action: 'seal' };
  const claim = store.ledger.openClaimOf(info.get('url')!, writer);
  return claim === null ? { action: 'seal' } : { action: 'remove', claim };
}

/**
 * Settles every case folder of `store` that an earlier process on this host left open or
 * unindexed (see the top of this file): at once, what takes no time (folders removed, closed cases
 * indexed: before this run claims any URL, so the claims the removals rest on are still there);
 * the seals in the promise. Never throws: a folder that cannot be settled is left as it is.
 */
export function sweepCutOffCases(store: CaseStore, { tsa = null }: { tsa?: TsaSettings | null } = {}): Promise<SweepResult> {
  const result: SweepResult = { sealed: [], removed: [], indexed: [], staging: [] };
  const toSeal: string[] = [];
  let names: string[];
  try {
    restoreLeftBehind(store.casesDir);
    result.staging = removeAbandonedStaging(store.casesDir);
    // Cases a killed process was making (nothing of them recorded yet): nothing to say of them.
    removeAbandonedProcessFolders(store.casesDir, 'opening');
    names = store.unindexedFolderNames();
  } catch {
    return Promise.resolve(result);
  }
  for (const name of names) {
    const dir = join(store.casesDir, name);
    try {
      const todo = cutOffAction(store, name);
      if (todo.action === 'remove') {
        rmSync(dir, { recursive: true, force: true });
        if (todo.claim !== null) store.ledger.release(todo.claim);
        result.removed.push(name);
      } else if (todo.action === 'seal') toSeal.push(name);
      else if (todo.action === 'index' && store.indexCase(dir).indexed) result.indexed.push(name);
    } catch {
      // Unreadable or unwritable: left as it is (`clicktrace reindex` lists it with the reason).
    }
  }
  return (async () => {
    for (const name of toSeal) {
      try {
        if ((await sealCutOffCases(store.casesDir, [name], cutOffHereReason, { tsa })) === 0) continue;
        store.indexCase(join(store.casesDir, name));
        result.sealed.push(name);
      } catch {
        // Left open as it is (reindex lists it as skipped, with the reason).
      }
    }
    return result;
  })();
}

/** What the sweep did, in one line for stderr (null when it did nothing worth saying). */
export function sweepNote(result: SweepResult): string | null {
  const parts: string[] = [];
  if (result.sealed.length) parts.push(`sealed ${result.sealed.length} case(s) cut off by an earlier run, as partial`);
  if (result.removed.length)
    parts.push(`removed ${result.removed.length} case folder(s) of traces killed before their link was requested (nothing recorded)`);
  if (result.indexed.length) parts.push(`indexed ${result.indexed.length} closed case(s) an earlier run had not`);
  if (result.staging.length)
    parts.push(`removed ${result.staging.length} staging folder(s) of case uploads an earlier run was killed while taking in`);
  return parts.length ? parts.join('; ') : null;
}

/** The whole records of an open case's WARC (none when it has no WARC yet). */
function wholeRecords(dir: string): WarcRecordRead[] {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, WARC_FILE));
  } catch {
    return [];
  }
  return readWarcBuffer(buf).records;
}

function warcinfoFields(record: WarcRecordRead): Map<string, string> {
  return field(record, 'WARC-Type') === 'warcinfo' ? warcFields(record.block.toString('utf8')) : new Map<string, string>();
}
