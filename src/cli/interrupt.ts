// Stop signals. A command that runs until stopped (serve, worker, proxy) stops on SIGINT, SIGTERM
// and, on a terminal, SIGHUP (onStopSignals). Ctrl-C (or SIGTERM, or SIGHUP: the terminal closed)
// during a run that traces (onInterrupt): the first one
// stops it gracefully (nothing new starts, running traces are stopped and their cases closed and
// sealed saying so, the summary so far is printed where it can be); a second one quits at once
// (the cases being written keep their PARTIAL mark). A SIGHUP when no standard stream is a
// terminal (`nohup`, a service) is ignored: there is no terminal to lose, and Node would otherwise
// undo nohup (it resets an ignored SIGHUP to its default at start).
// A reader that goes away (`... | head`) ends any command quietly with SIGPIPE's status (141)
// (quitWhenOutputCloses); a run that traces stops instead: nothing new starts, the running traces
// finish, and the status is 141 too.

import { isatty } from 'node:tty';
import { ExitCode } from '../errors.js';

/** Why a run stops when the reader of its output went away (`| head`): the status of SIGPIPE. */
export const OUTPUT_CLOSED = 'interrupted: the output was closed (EPIPE)';

/** Set once a write to stdout failed with EPIPE: its reader went away. */
let outputClosed = false;
/** Runs that stop gracefully when the output closes (onInterrupt), told instead of the process ending. */
const outputClosedListeners = new Set<() => void>();
let watchingOutput = false;

/**
 * For every command, installed once as the process starts (main.ts): a reader that goes away
 * (`| head`, a pager quit early) ends it quietly with SIGPIPE's status, not a stack trace of an
 * unhandled EPIPE. A run that traces (onInterrupt) is told instead and stops gracefully (nothing
 * new starts, what runs is sealed); once it was told, its later writes fail silently and it ends
 * with 141 (endRun). Any other write error: one line, status 1; on a terminal it is its hang-up
 * (EIO), left to onStopSignals when it listens.
 */
export function quitWhenOutputCloses(): void {
  if (watchingOutput) return;
  watchingOutput = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      if (outputClosed) return;
      outputClosed = true;
      if (outputClosedListeners.size === 0) process.exit(ExitCode.OutputClosed);
      for (const listener of [...outputClosedListeners]) listener();
      return;
    }
    if (process.stdout.isTTY) {
      if (process.stdout.listenerCount('error') > 1) return;
      process.exit(ExitCode.HungUp);
    }
    process.stderr.write(`clicktrace: cannot write the output: ${err.message}\n`);
    process.exit(ExitCode.Failed);
  });
}

/** Exit status of a run stopped with `reason` (as shells report it: 128 + the signal's number). */
export function interruptedExit(reason: string): ExitCode {
  if (reason === OUTPUT_CLOSED) return ExitCode.OutputClosed;
  if (reason.includes('SIGHUP')) return ExitCode.HungUp;
  return reason.includes('SIGTERM') ? ExitCode.Terminated : ExitCode.Interrupted;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, ExitCode>> = { SIGHUP: ExitCode.HungUp, SIGTERM: ExitCode.Terminated };

/** Whether the process started on a terminal (a hung-up terminal no longer says it is one). */
const onTerminal = [0, 1, 2].some((fd) => isatty(fd));

/** Set once the run's terminal hung up (SIGHUP): the process then ends by that signal (endRun). */
let terminalLost = false;

/**
 * Ends the process with `code`, or, after its terminal hung up, by SIGHUP itself (as a shell
 * reports it: 129): Node's own exit restores the terminal's settings and aborts when it cannot
 * (the terminal is gone). Everything is written by then: the run has finished its stop.
 */
export function endRun(code: number): void {
  // The output's reader went away (`| head`): as a shell reports SIGPIPE, unless a signal stopped it first.
  process.exitCode = outputClosed && code <= Number(ExitCode.Internal) ? ExitCode.OutputClosed : code;
  if (terminalLost) dieOfHangUp();
}

function dieOfHangUp(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
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

/**
 * For a command that runs until it is stopped (serve, worker, proxy, lab; and, through
 * onInterrupt, every run that traces): `onSignal` hears each SIGINT and SIGTERM, and SIGHUP when
 * the process started on a terminal (it closed; a write to it failing with EIO is the same
 * hang-up, heard once). Without a terminal (`nohup`, a service) SIGHUP is ignored, which Node
 * would not do by itself (it resets an ignored SIGHUP to its default as it starts): `who` says so
 * on stderr. Returns what stops listening (a hung-up terminal's write errors stay dropped).
 */
export function onStopSignals(onSignal: (signal: NodeJS.Signals) => void, who = 'clicktrace', stops = 'the run'): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') {
      if (!onTerminal) {
        process.stderr.write(`${who}: SIGHUP ignored: no terminal to lose (SIGTERM or SIGINT stops ${stops})\n`);
        return;
      }
      if (terminalLost) return;
      terminalLost = true;
    }
    onSignal(signal);
  };
  // A write to a terminal that hung up fails (EIO), and it can come before the SIGHUP is handled
  // (a progress redraw in the same turn of the event loop): unhandled, it would crash the process
  // before it has stopped as it should. The failure is the hang-up itself; later writes are dropped.
  let listening = true;
  const onTerminalError = () => {
    if (listening) handler('SIGHUP');
    else terminalLost = true;
  };
  for (const stream of [process.stdout, process.stderr]) if (stream.isTTY) stream.on('error', onTerminalError);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return () => {
    listening = false;
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    // A hang-up's SIGHUP may be handled long after its first failed write (over 100 ms on a
    // loaded machine), so after the command has stopped listening: it must not end the process
    // before its last words (the summary). The hang-up is noted; endRun ends by it after them.
    if (!process.listeners('SIGHUP').includes(noteLateHangUp)) process.on('SIGHUP', noteLateHangUp);
    process.off('SIGHUP', handler);
  };
}

function noteLateHangUp(): void {
  if (onTerminal) terminalLost = true;
}

/**
 * The first stop signal (onStopSignals) of a command that runs until stopped, or its output closing:
 * `stopped` resolves on it, and the listeners go (a second signal then ends the process at once). `cancel` removes
 * them unheard (the command ended otherwise).
 */
export function firstStopSignal(who: string): { stopped: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const stopped = new Promise<void>((resolve) => {
    // Its output's reader going away (`| head`) stops it too, as cleanly (the proxy's case is closed).
    const stop = () => {
      cancel();
      resolve();
    };
    quitWhenOutputCloses();
    outputClosedListeners.add(stop);
    const stopListening = onStopSignals(stop, who, 'it');
    cancel = () => {
      outputClosedListeners.delete(stop);
      stopListening();
    };
  });
  return { stopped, cancel };
}

export function onInterrupt(stop: (reason: string) => void, running = RUNNING_CLOSED): () => void {
  let count = 0;
  const stopListening = onStopSignals((signal) => {
    count++;
    if (count > 1) {
      if (terminalLost) dieOfHangUp();
      process.exit(SIGNAL_EXIT[signal] ?? ExitCode.Interrupted);
    }
    if (!terminalLost)
      process.stderr.write(`\nclicktrace: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping; ${running} (again to quit at once)\n`);
    stop(`interrupted by ${signal}`);
  });
  quitWhenOutputCloses();
  const onOutputClosed = () => stop(OUTPUT_CLOSED);
  outputClosedListeners.add(onOutputClosed);
  // Once told, the writes still to come (the summary) on the closed pipe fail silently.
  return () => {
    outputClosedListeners.delete(onOutputClosed);
    stopListening();
  };
}
