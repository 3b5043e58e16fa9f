// The checking half of taking in a bundle (case-bundle.ts ingestBundle): unpack it into a staging
// folder and recompute every digest with `clicktrace verify`'s code. Kept apart so that it runs the
// same in this thread (`clicktrace import`) or in a worker thread of its own (a server's ingest,
// verify-thread.ts).
import { unpackBundle } from '../case/case-bundle.js';
import { verifyCase, type VerifyOptions, type VerifyResult } from '../verify/verify.js';

export interface StagedBundle {
  bundle: Uint8Array;
  /** An empty folder the bundle's case folder is unpacked into. */
  staging: string;
  verify: VerifyOptions;
}

export interface StagedCase {
  dir: string;
  verify: VerifyResult;
}

/** A case folder already in its staging folder (hard-linked there: import/case-bundle.ts ingestFolder), to be checked. */
export interface StagedFolder {
  dir: string;
  verify: VerifyOptions;
}

export async function verifyStaged(job: StagedFolder): Promise<StagedCase> {
  return { dir: job.dir, verify: await verifyCase(job.dir, job.verify) };
}

export async function unpackAndVerify(job: StagedBundle): Promise<StagedCase> {
  const { dir } = unpackBundle(Buffer.from(job.bundle.buffer, job.bundle.byteOffset, job.bundle.byteLength), job.staging);
  return { dir, verify: await verifyCase(dir, job.verify) };
}

/** A bundle unpacked and checked, or a staged folder checked. */
export function checkStaged(job: StagedBundle | StagedFolder): Promise<StagedCase> {
  return 'bundle' in job ? unpackAndVerify(job) : verifyStaged(job);
}
