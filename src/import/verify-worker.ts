// The worker thread of verify-thread.ts: unpacks and verifies the bundles it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { BundleError } from '../case/case-bundle.js';
import { unpackAndVerify, type StagedBundle } from './unpack-verify.js';
import type { VerifyReply } from './verify-thread.js';

const port = parentPort;
port?.on('message', async ({ id, job }: { id: number; job: StagedBundle }) => {
  let reply: VerifyReply;
  try {
    reply = { id, staged: await unpackAndVerify(job) };
  } catch (err) {
    reply = { id, error: (err as Error).message, refused: err instanceof BundleError };
  }
  port.postMessage(reply);
});
