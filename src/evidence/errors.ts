// The one error type of the evidence layer: a one-line message that names the file and says what
// is wrong, so the CLI can print it as is and exit non-zero.

import { UserError } from '../errors.js';

export class EvidenceError extends UserError {
  override readonly name = 'EvidenceError';

  constructor(
    /** The file (or folder) the problem is about. */
    readonly file: string,
    problem: string,
    /** The error behind it (a failed write's: diskFull reads its code). */
    override readonly cause?: unknown,
  ) {
    super(`${file}: ${oneLine(problem)}`);
  }
}

/** Codes of a write refused for want of room. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT']);

/** Whether a write failed because its disk (or the user's quota) is full; an EvidenceError says so of the error behind it. */
export function diskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (NO_ROOM.has((e as NodeJS.ErrnoException).code ?? '')) return true;
  return false;
}

/** Why a write failed, in words: a full disk said plainly (the system's words, "no space left on device", are kept), else the error's message. */
export function writeErrorMessage(err: unknown): string {
  if (!diskFull(err) || err instanceof EvidenceError) return errorMessage(err);
  return `the disk is full: ${errorMessage(err)}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export function errorMessage(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err));
}
