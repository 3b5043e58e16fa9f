// The parts of a submission to `clicktrace serve` checked before it becomes a job: its click
// texts, the one message of an upload, its own trace options.
import { Readable } from 'node:stream';
import { gunzippedFile } from '../mail/compressed.js';
import { splitMbox, startsAsMbox } from '../mail/mailbox.js';
import { SubmissionError } from './submission-error.js';
import type { TraceChoices } from './submission-options.js';

export const MAX_CLICKS = 5;
export const MAX_CLICK_LENGTH = 200;

/** The click texts of a submission: one text or a list of them, one a line, blank ones left out. */
export function validClicks(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  const list = Array.isArray(input) ? input : [input];
  const clicks = list.map((c) => (typeof c === 'string' ? c.trim() : null));
  if (clicks.some((c) => c === null)) throw new SubmissionError('clicks: expected text', 400, 'bad-clicks');
  const texts = (clicks as string[])
    .flatMap((c) => c.split(/\r?\n/))
    .map((c) => c.trim())
    .filter(Boolean);
  if (texts.length > MAX_CLICKS) throw new SubmissionError(`at most ${MAX_CLICKS} click texts`, 400, 'bad-clicks');
  if (texts.some((t) => t.length > MAX_CLICK_LENGTH))
    throw new SubmissionError(`a click text is longer than ${MAX_CLICK_LENGTH} characters`, 400, 'bad-clicks');
  return texts;
}

/** A job's (or batch's) own options, when it has any. */
export function withOptions(options: TraceChoices | undefined): { options?: TraceChoices } {
  return options && Object.keys(options).length ? { options } : {};
}

/**
 * The message of an upload. A gzip upload (.eml.gz, .mbox.gz) is gunzipped, up to `limit` bytes,
 * as `clicktrace mail` reads one; xz, bzip2 and zstd are refused in a line. An upload that starts
 * with a From_ line is an mbox, as for `clicktrace mail`: one message in it is that message (its
 * From_ line and mboxrd quoting undone, the same bytes `mail --server` sends); a mailbox of several
 * is refused, not read as one message whose body holds the others' links.
 */
export async function oneMessage(upload: Buffer, limit: number): Promise<Buffer> {
  const raw = gunzippedFile(upload, limit, 'upload');
  if (raw instanceof Error)
    throw new SubmissionError(`the upload: ${raw.message}`, /larger than/.test(raw.message) ? 413 : 400, 'bad-message');
  if (raw.length === 0) throw new SubmissionError('the uploaded message is empty', 400, 'bad-message');
  if (!startsAsMbox(raw)) return raw;
  const messages: Buffer[] = [];
  for await (const item of splitMbox(Readable.from([raw]), 'upload')) {
    if ('error' in item) throw new SubmissionError(`the uploaded mailbox is damaged: ${item.error}`, 400, 'bad-message');
    messages.push(item.raw);
  }
  if (messages.length === 0) throw new SubmissionError('the uploaded message is empty', 400, 'bad-message');
  if (messages.length > 1) {
    throw new SubmissionError(
      `a mailbox of ${messages.length} messages: upload one message (.eml) at a time, ` +
        'or trace the mailbox on this server with "clicktrace mail MAILBOX --trace main --server URL"',
      400,
      'bad-message',
    );
  }
  return messages[0];
}
