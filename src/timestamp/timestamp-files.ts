// The timestamp's files in a case folder, without the ASN.1 code: what sealing (which must stay
// light) and the pages need to clear or read them.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIMESTAMP_FAILURE_FILE, TIMESTAMP_FILE } from '../case/case-layout.js';

/** What manifest.tsr-failure.json holds: when the TSA was asked, which, and what went wrong. */
export interface TimestampFailure {
  at: string;
  tsa: string;
  error: string;
}

/** A reseal makes the old token (or failure) refer to a manifest that no longer exists. */
export function clearTimestamp(dir: string): void {
  rmSync(join(dir, TIMESTAMP_FILE), { force: true });
  rmSync(join(dir, TIMESTAMP_FAILURE_FILE), { force: true });
}

export function readTimestampFailure(dir: string): TimestampFailure | null {
  try {
    const value = JSON.parse(readFileSync(join(dir, TIMESTAMP_FAILURE_FILE), 'utf8')) as Partial<TimestampFailure>;
    return { at: String(value.at ?? ''), tsa: String(value.tsa ?? ''), error: String(value.error ?? '') };
  } catch {
    return null;
  }
}

export function writeAtomically(path: string, data: Buffer): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}
