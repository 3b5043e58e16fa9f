// A list of links submitted to the server as one batch (pasted lines, an uploaded .txt or CSV
// export), read by the CLI's reader (url-list.ts) under the CLI's rules: blank lines and # comments
// skipped, a line that is not a URL reported with its number while the rest goes on, a repeat of
// a URL earlier in the list (the same request: requestKey) traced once and pointed at the first
// one's case. Every other line becomes a job of its own (TraceService), so the ledger answers a
// link traced before with its case, the fleet can take it, and a restart resumes it; the batch
// keeps each item's outcome as its job ends (jobs are forgotten past a cap, the batch is not).
import { Readable } from 'node:stream';
import { parseTraceUrl, requestKey } from '../capture/trace-input.js';
import { readInputItems, type InputItem } from './url-list.js';
import { SubmissionError } from './submission-error.js';
import type { TraceChoices } from './submission-options.js';

export type BatchItemState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'duplicate' | 'invalid';

export interface BatchItem {
  /** The item's line in the list (the first line of a CSV record). */
  line: number;
  /** The link traced (refanged, taken out of quotes); absent for an invalid line. */
  url?: string;
  /** The text as written, when `url` was taken out of it, and the defanging markers undone. */
  given?: string;
  refanged?: string[];
  /** An invalid line's text (shortened), or null. */
  text?: string;
  state: BatchItemState;
  /** The job tracing it (items that are jobs). */
  jobId?: string;
  /** For a duplicate: the line of the first occurrence. */
  of?: number;
  caseId?: string | null;
  /** Traced before in this cases folder: not requested again, caseId is that trace. */
  alreadyTraced?: boolean;
  /** Why the line is not a URL, or why its job failed. */
  error?: string | null;
  /** The trace's own error (the chain ended in one; the case says more). */
  chainError?: string | null;
  /** A mailbox's message (`line` its number in the mailbox): its subject and message case. */
  subject?: string | null;
  messageCaseId?: string;
}

export interface BatchSubmission {
  id: string;
  kind: 'batch';
  /** The uploaded file's name; null for pasted lines. */
  filename: string | null;
  submittedAt: string;
  endedAt: string | null;
  state: 'running' | 'done';
  again: boolean;
  /** A mailbox sent message by message (`mail --trace --server`): each item one message, `line` its number. */
  mailbox?: true;
  /** A mailbox still being sent: more messages may join (TraceService.openMailbox). */
  open?: true;
  /** When the analyst cancelled the batch (a mailbox takes no more messages then). */
  cancelledAt?: string;
  /**
   * A mailbox being sent: how long it stays open without a word from its sender, when it was last
   * renewed (a message, or the sender's renewal between) and when it runs out.
   */
  lease?: { seconds: number; renewedAt: string; expiresAt: string };
  /**
   * A mailbox the server closed as its lease ran out (its sender killed, or lost): when, when the
   * sender was last heard from, how many messages it had sent and the highest number among them.
   * Its other messages were never sent, so not traced.
   */
  abandoned?: { at: string; lastHeardAt: string; sent: number; lastMessage: number | null };
  /** A mailbox the analyst closed before its sender did (POST /batches/:id/close): it takes no more messages. */
  closedByAnalyst?: string;
  /** The texts every item clicks, and the trace options applied to every item (as submitted). */
  clicks?: string[];
  options?: TraceChoices;
  items: BatchItem[];
}

/** What the batch page and GET /api/batches/:id show: the items' counts as they stand. */
export interface BatchCounts {
  inputs: number;
  queued: number;
  running: number;
  /** Traced in this batch (a case each). */
  traced: number;
  /** Of those, traces whose chain ended with an error. */
  chainErrors: number;
  alreadyTraced: number;
  duplicates: number;
  invalid: number;
  failed: number;
  /** Cancelled by the analyst (never traced, or stopped mid-trace: caseId then holds what it recorded); only when there are any. */
  cancelled?: number;
  /** Items whose outcome is known (everything but queued and running). */
  finished: number;
}

export const DEFAULT_MAX_LIST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_LIST_URLS = 1000;
/** How much of an invalid line a batch keeps (its error already quotes it short). */
const KEPT_TEXT = 300;

/** The items of a submitted list, read as `trace --input` reads a file; a list that cannot be read is a SubmissionError. */
export async function readSubmittedList(raw: Buffer, limits: { maxBytes: number; maxUrls: number }): Promise<InputItem[]> {
  if (raw.length > limits.maxBytes)
    throw new SubmissionError(`the list is ${raw.length} bytes, more than the limit of ${limits.maxBytes}`, 413, 'list-too-large');
  let items: InputItem[];
  try {
    items = await readInputItems(Readable.from([raw]));
  } catch (err) {
    throw new SubmissionError(`the list cannot be read: ${(err as Error).message.split('\n')[0]}`, 400, 'bad-list');
  }
  if (items.length === 0) throw new SubmissionError('the list has no URLs in it (only blank lines and # comments)', 400, 'empty-list');
  const urls = items.filter((i) => !('error' in i)).length;
  if (urls > limits.maxUrls)
    throw new SubmissionError(
      `the list has ${urls} URLs, more than the ${limits.maxUrls} a batch may hold: split it`,
      413,
      'list-too-large',
    );
  return items;
}

/** The list's items as batch items: invalid lines kept with their error, repeats pointed at their first line, the rest to trace. */
export function planBatch(items: InputItem[]): BatchItem[] {
  const firsts = new Map<string, number>();
  return items.map((item): BatchItem => {
    if ('error' in item) return { line: item.line, text: item.text.slice(0, KEPT_TEXT), state: 'invalid', error: item.error };
    const written = {
      ...(item.given !== undefined ? { given: item.given } : {}),
      ...(item.refanged?.length ? { refanged: item.refanged } : {}),
    };
    const key = requestKey(parseTraceUrl(item.url).href);
    const first = firsts.get(key);
    if (first !== undefined) return { line: item.line, url: item.url, ...written, state: 'duplicate', of: first };
    firsts.set(key, item.line);
    return { line: item.line, url: item.url, ...written, state: 'queued' };
  });
}

/** Duplicates take the case of their first line. */
export function resolvedItems(items: BatchItem[]): BatchItem[] {
  const byLine = new Map(items.map((i) => [i.line, i]));
  return items.map((item) => (item.state === 'duplicate' ? { ...item, caseId: byLine.get(item.of!)?.caseId ?? null } : item));
}

export function batchCounts(items: BatchItem[]): BatchCounts {
  const counts: BatchCounts = {
    inputs: items.length,
    queued: 0,
    running: 0,
    traced: 0,
    chainErrors: 0,
    alreadyTraced: 0,
    duplicates: 0,
    invalid: 0,
    failed: 0,
    finished: 0,
  };
  for (const item of items) {
    if (item.state === 'queued') counts.queued++;
    else if (item.state === 'running') counts.running++;
    else counts.finished++;
    if (item.state === 'duplicate') counts.duplicates++;
    if (item.state === 'invalid') counts.invalid++;
    if (item.state === 'failed') counts.failed++;
    if (item.state === 'cancelled') counts.cancelled = (counts.cancelled ?? 0) + 1;
    if (item.state === 'done' && item.alreadyTraced) counts.alreadyTraced++;
    if (item.state === 'done' && !item.alreadyTraced) {
      counts.traced++;
      if (item.chainError) counts.chainErrors++;
    }
  }
  return counts;
}

/** The batch's cases (traced now and traced before, and a mailbox's message cases), for its "who is responsible" aggregate. */
export function batchCaseIds(items: BatchItem[]): string[] {
  return [
    ...new Set(
      items.flatMap((i) => [...(i.messageCaseId ? [i.messageCaseId] : []), ...(i.state === 'done' && i.caseId ? [i.caseId] : [])]),
    ),
  ];
}
