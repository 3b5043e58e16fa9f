// The one error type of the evidence layer: a one-line message that names the file and says what
// is wrong, so the CLI can print it as is and exit non-zero.

import { UserError } from '../errors.js';

export class EvidenceError extends UserError {
  override readonly name = 'EvidenceError';

  constructor(
    /** The file (or folder) the problem is about. */
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${oneLine(problem)}`);
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export function errorMessage(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}
