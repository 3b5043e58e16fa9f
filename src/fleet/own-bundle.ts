// A worker's check of its own case bundle, as the server checks an upload (import/case-bundle.ts
// ingestBundle: the case it holds, every digest recomputed, the signature, by the worker's own key
// when it has one): whether a bundle the server refused as damaged is intact on the worker, so that
// the damage was done on the way and sending it again may succeed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ingestBundle } from '../import/case-bundle.js';

const SCRATCH_PREFIX = 'check-';

/** Null when the bundle at `path` verifies as case `caseId`, else why not. Unpacked into a scratch folder under `scratchParent`, removed after. */
export async function checkOwnBundle(
  caseId: string,
  path: string,
  scratchParent: string,
  options: { signingKey: string | null | undefined; tsaCaFile: string | null },
): Promise<string | null> {
  let scratch: string | null = null;
  try {
    mkdirSync(scratchParent, { recursive: true });
    scratch = mkdtempSync(join(scratchParent, SCRATCH_PREFIX));
    await ingestBundle(readFileSync(path), scratch, {
      expectCase: caseId,
      trustedKeys: options.signingKey ? [options.signingKey] : [],
      tsaCaFile: options.tsaCaFile,
    });
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Removes the scratch folders a worker killed mid-check left under `scratchParent` (called by the spool's next holder). */
export function removeLeftChecks(scratchParent: string): void {
  if (!existsSync(scratchParent)) return;
  for (const name of readdirSync(scratchParent))
    if (name.startsWith(SCRATCH_PREFIX)) rmSync(join(scratchParent, name), { recursive: true, force: true });
}
