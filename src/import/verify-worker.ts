// The worker thread of verify-thread.ts: unpacks and verifies the bundles (or verifies the staged
// case folders) it is sent, one at a time.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { BundleError } from '../case/case-bundle.js';
import { checkStaged, type StagedBundle, type StagedFolder } from './unpack-verify.js';
import type { VerifyReply } from './verify-thread.js';

/**
 * Checking a case is off every trace's path (its job ends when it is in; the next traces do not
 * wait for it), so this thread runs below them (nice 10), on Linux where a thread has a nice value
 * of its own: on a busy machine it takes the CPU the traces leave rather than slowing the next
 * trace's start (measured at one trace at once: the check of the last case ran during the next
 * trace's first hops). Elsewhere, or if refused, it runs as it is.
 */
function runBelowTraces(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: the same thread, at the server's priority
  }
}

runBelowTraces();
const port = parentPort;
port?.on('message', async ({ id, job }: { id: number; job: StagedBundle | StagedFolder }) => {
  let reply: VerifyReply;
  try {
    reply = { id, staged: await checkStaged(job) };
  } catch (err) {
    reply = { id, error: (err as Error).message, refused: err instanceof BundleError };
  }
  port.postMessage(reply);
});
