// Ctrl-C (or SIGTERM) during a run that traces: the first one stops it gracefully (nothing new
// starts, running traces are stopped and their cases closed and sealed saying so, the summary so
// far is printed); a second one quits at once (the cases being written keep their PARTIAL mark).
// A reader that goes away (`... | head`) stops the run the same way instead of crashing it.

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it). */
export const INTERRUPTED_EXIT = 130;

export function onInterrupt(stop: (reason: string) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(INTERRUPTED_EXIT);
    process.stderr.write(
      `\nclicktrace: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping; running traces are closed as interrupted (again to quit at once)\n`,
    );
    stop(`interrupted (${signal}) before the trace ended`);
  };
  let outputClosed = false;
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' || outputClosed) return;
    outputClosed = true;
    stop('interrupted: the output was closed (EPIPE)');
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
