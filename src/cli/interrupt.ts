// Ctrl-C (or SIGTERM) during a run that traces: the first one stops it gracefully (nothing new
// starts, running traces are stopped and their cases closed and sealed saying so, the summary so
// far is printed); a second one quits at once (the cases being written keep their PARTIAL mark).
// A reader that goes away (`... | head`) stops the run too instead of crashing it: nothing new
// starts, the running traces finish, and the status is SIGPIPE's (141).

import { ExitCode } from '../errors.js';

/** Why a run stops when the reader of its output went away (`| head`): the status of SIGPIPE. */
export const OUTPUT_CLOSED = 'interrupted: the output was closed (EPIPE)';

/** Exit status of a run stopped with `reason` (as shells report it: 128 + the signal's number). */
export function interruptedExit(reason: string): ExitCode {
  if (reason === OUTPUT_CLOSED) return ExitCode.OutputClosed;
  return reason.includes('SIGTERM') ? ExitCode.Terminated : ExitCode.Interrupted;
}

/**
 * Whether a stop for `reason` stops the running traces too. Ctrl-C does; a closed output does not:
 * their links are spent, so they run to their end and are sealed whole, only no new one starts.
 */
export function abortsRunning(reason: string): boolean {
  return reason !== OUTPUT_CLOSED;
}

/** What a first signal does to the running traces: here they are closed; with `--server` they go on there. */
const RUNNING_CLOSED = 'running traces are closed as interrupted';
export const RUNNING_GO_ON_ON_SERVER = 'running traces go on on the server';

export function onInterrupt(stop: (reason: string) => void, running = RUNNING_CLOSED): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted);
    process.stderr.write(`\nclicktrace: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping; ${running} (again to quit at once)\n`);
    stop(`interrupted by ${signal}`);
  };
  let outputClosed = false;
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' || outputClosed) return;
    outputClosed = true;
    stop(OUTPUT_CLOSED);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.stdout.on('error', onOutputError);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    // Left in place for writes still to come (the summary) on a closed pipe.
  };
}
