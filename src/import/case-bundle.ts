// Taking in a case bundle (src/case/case-bundle.ts): the server's ingest of a fleet worker's case
// and `clicktrace import <bundle>`. Nothing of a bundle is kept unless all of it verifies: it is
// unpacked into a staging folder inside the cases folder (same file system, so the final step is
// one rename), every digest is recomputed with `clicktrace verify`'s code (manifest, WARC records,
// WACZ, report and HAR against the WARC, signature, timestamp), the signature must be by a trusted
// key when keys are configured, and only then is the folder renamed into place. A refused bundle
// leaves nothing behind. Taking in the same case twice is answered as already there (idempotent
// by case id, the manifest compared byte for byte, once the bundle verified). A case folder on the
// cases folder's own file system (a server's own worker) is taken in the same way, hard-linked into
// the staging folder instead of unpacked (ingestFolder).
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { makeProcessFolder, removeAbandonedProcessFolders } from '../case/process-folders.js';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MANIFEST_FILE, PUBLIC_KEY_FILE } from '../case/case-layout.js';
import { BundleError, CaseRefused, linkCase, readBundleDirectory } from '../case/case-bundle.js';
import { isCaseId } from '../store/paths.js';
import { samePublicKey } from '../case/signing.js';
import type { VerifyResult } from '../verify/verify.js';
import { readZipEntry, type ZipEntry } from '../evidence/wacz/zip.js';
import { unpackAndVerify, verifyStaged, type StagedBundle, type StagedCase, type StagedFolder } from './unpack-verify.js';

export { BundleError, CaseRefused } from '../case/case-bundle.js';

export interface IngestOptions {
  /** The case id the bundle must carry (the server assigned it when the job was claimed). */
  expectCase?: string;
  /** Ed25519 public keys (PEM) a case must be signed by; empty or absent: any valid signature, or none. */
  trustedKeys?: string[];
  /** CA file for the TSA's chain when the case carries a timestamp. */
  tsaCaFile?: string | null;
  /** A last check of the verified case folder (still staged): a problem refuses it, null accepts it. */
  accept?: (dir: string) => string | null;
  /** Runs the unpacking and checking (a server: in its verification thread, verify-thread.ts); default: in this thread. */
  check?: (job: StagedBundle) => Promise<StagedCase>;
}

export type IngestOutcome =
  | { kind: 'ingested'; caseId: string; dir: string; verify: VerifyResult }
  /** The same case (same manifest) is in the cases folder already: nothing was changed. */
  | { kind: 'already'; caseId: string; dir: string };

const MAX_PROBLEMS_SHOWN = 3;

export async function ingestBundle(buf: Buffer, casesDir: string, options: IngestOptions = {}): Promise<IngestOutcome> {
  const { header, entries } = readBundleDirectory(buf);
  const manifest = entries.find((e) => e.name === MANIFEST_FILE);
  const check = options.check ?? unpackAndVerify;
  return takeIn(header.case, casesDir, options, {
    manifest: () => (manifest ? readZipEntry(buf, manifest) : null),
    stage: (staging, verify) => check({ bundle: buf, staging, verify: { ...trustedKey(buf, entries, options.trustedKeys), ...verify } }),
  });
}

export interface FolderIngestOptions extends Omit<IngestOptions, 'check'> {
  /** Runs the checking of the linked folder (a server: in its verification thread); default: in this thread. */
  check?: (job: StagedFolder) => Promise<StagedCase>;
}

/**
 * Takes in a closed case folder on the cases folder's file system (a server's own fleet worker's
 * spool) as ingestBundle takes in its bundle: hard-linked file by file into a staging folder
 * (linkCase), every digest recomputed there, the same checks, then renamed into place; `folder`
 * itself is left as it is (the sender removes it once it was taken). Null, with nothing kept, when
 * it cannot be linked there (another file system): the caller sends it as a bundle.
 */
export async function ingestFolder(folder: string, casesDir: string, options: FolderIngestOptions = {}): Promise<IngestOutcome | null> {
  const caseId = basename(folder);
  if (!isCaseId(caseId)) throw new BundleError(`refused: ${JSON.stringify(caseId)} is not a case id`);
  const check = options.check ?? verifyStaged;
  try {
    return await takeIn(caseId, casesDir, options, {
      manifest: () => readOrNull(join(folder, MANIFEST_FILE)),
      stage: (staging, verify) => {
        let dir: string;
        try {
          dir = linkCase(folder, staging);
        } catch (err) {
          throw LINK_REFUSED.has((err as NodeJS.ErrnoException).code ?? '') ? new NotLinkable() : err;
        }
        const caseKey = readOrNull(join(folder, PUBLIC_KEY_FILE))?.toString('utf8') ?? null;
        return check({ dir, verify: { ...trustedKeyOf(caseKey, options.trustedKeys), ...verify } });
      },
    });
  } catch (err) {
    if (err instanceof NotLinkable) return null;
    throw err;
  }
}

class NotLinkable extends Error {}

/** A link's errors that say this file system (or this pair of folders) takes no hard links between them. */
const LINK_REFUSED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

interface Staging {
  /** The case's manifest as sent (null: none), compared with the one in place when the case is there already. */
  manifest: () => Buffer | null;
  /** Puts the case folder into `staging` and checks it. */
  stage: (staging: string, verify: { tsaCaFile: string | null }) => Promise<StagedCase>;
}

async function takeIn(
  caseId: string,
  casesDir: string,
  options: IngestOptions | FolderIngestOptions,
  staging: Staging,
): Promise<IngestOutcome> {
  if (options.expectCase && caseId !== options.expectCase)
    throw new BundleError(`refused: the bundle holds case ${caseId}, not ${options.expectCase}`);
  const final = join(casesDir, caseId);
  const already = () => {
    const manifest = staging.manifest();
    return manifest !== null && sameFile(join(final, MANIFEST_FILE), manifest);
  };
  if (existsSync(final) && !already()) throw new CaseRefused(`refused: a different case ${caseId} is already in the cases folder`);
  // A folder of this process (src/case/process-folders.ts): one killed mid-way leaves it, and the
  // next run on this cases folder removes it (removeAbandonedStaging).
  const incoming = makeProcessFolder(casesDir, 'incoming');
  try {
    const { dir, verify } = await staging.stage(incoming, { tsaCaFile: options.tsaCaFile ?? null });
    if (!verify.ok) {
      const shown = verify.problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ');
      const more = verify.problems.length > MAX_PROBLEMS_SHOWN ? ` (and ${verify.problems.length - MAX_PROBLEMS_SHOWN} more)` : '';
      throw new BundleError(`refused: case ${caseId} does not verify: ${shown}${more}; nothing was kept`);
    }
    if (options.trustedKeys?.length && verify.checked.signature !== 'valid')
      throw new CaseRefused(`refused: case ${caseId} is not signed by a trusted key; nothing was kept`);
    const problem = options.accept?.(dir);
    if (problem) throw new CaseRefused(`refused: case ${caseId}: ${problem}; nothing was kept`);
    // The same case again (it verified too): what is in place stays.
    if (existsSync(final) && already()) return { kind: 'already', caseId, dir: final };
    try {
      renameSync(dir, final);
    } catch (err) {
      // Another upload of the same case won the race.
      if (existsSync(final) && already()) return { kind: 'already', caseId, dir: final };
      throw new BundleError(
        `cannot move case ${caseId} into ${casesDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    return { kind: 'ingested', caseId, dir: final, verify };
  } finally {
    // Off the event loop (a server's answers the next claim meanwhile), before the answer.
    await rm(incoming, { recursive: true, force: true });
  }
}

/**
 * Removes the staging folders that processes of this host left in `casesDir` when they were killed
 * mid-way through taking a case in (a server killed -9 while it verified an upload: each a whole
 * copy of a case, kept for ever otherwise). The names of those removed; a live process's are left.
 */
export function removeAbandonedStaging(casesDir: string): string[] {
  return removeAbandonedProcessFolders(casesDir, 'incoming');
}

/** The trusted key the case claims to be signed by (or the first, so that verify names the mismatch). */
function trustedKey(buf: Buffer, entries: ZipEntry[], keys: string[] | undefined): { publicKeyPem?: string } {
  if (!keys?.length) return {};
  const entry = entries.find((e) => e.name === PUBLIC_KEY_FILE);
  let caseKey: string | null = null;
  try {
    caseKey = entry ? readZipEntry(buf, entry).toString('utf8') : null;
  } catch {
    // a damaged entry: unpacking refuses the bundle
  }
  return trustedKeyOf(caseKey, keys);
}

function trustedKeyOf(caseKey: string | null, keys: string[] | undefined): { publicKeyPem?: string } {
  if (!keys?.length) return {};
  return { publicKeyPem: (caseKey && keys.find((k) => samePublicKey(k, caseKey))) || keys[0] };
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function sameFile(path: string, data: Buffer): boolean {
  try {
    return readFileSync(path).equals(data);
  } catch {
    return false;
  }
}
