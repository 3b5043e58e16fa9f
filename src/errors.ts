// Errors the user can act on: bad input, a file that is not what it should be, a missing
// browser, a refused submission. They share one base class, so every front end knows them by
// `instanceof` (never by class name, which a bundler may change): the CLI prints the one-line
// message without a stack trace and exits with the error's code; the web UI answers with it.

/** The CLI's exit statuses (README "Exit status"). */
export enum ExitCode {
  /** Done; for a trace, the chain ended on a page. */
  Ok = 0,
  /** Done, with a failure to report: the chain ended with an error (its case is still written), a check found differences. */
  Failed = 1,
  /** Bad input or set-up (an option, a file, a missing browser): nothing was done. */
  BadInput = 2,
  /** A bug in clicktrace. */
  Internal = 3,
  /** Stopped by its terminal going away (SIGHUP); as for Ctrl-C. */
  HungUp = 129,
  /** Stopped by Ctrl-C (SIGINT); what was done so far is written and marked. */
  Interrupted = 130,
  /** Its output's reader went away (`| head`), as a shell reports SIGPIPE: nothing new started, what ran is sealed. */
  OutputClosed = 141,
  /** Stopped by SIGTERM; as for Ctrl-C. */
  Terminated = 143,
}

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.BadInput,
  ) {
    super(message);
  }
}

/** Input clicktrace cannot use, whatever the front end: a target URL, a --resolve or --connect-to rule. */
export class UsageError extends UserError {}
