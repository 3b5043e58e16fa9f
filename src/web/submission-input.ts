// What a submission carries, whatever its shape: JSON ({ url, clicks } or { list | urls }), a form
// (urlencoded or multipart with an optional .eml file or list file), or a raw message/rfc822 or
// text/plain|csv (a list) body.
// A list is passed on as its bytes: the service reads it as `trace --input` reads a file.
import type { IncomingMessage } from 'node:http';
import { traceChoices, type TraceChoices } from '../service/submission-options.js';
import { SubmissionError } from '../service/submission-error.js';
import { parseInputUrl } from '../service/url-list.js';
import { BodyError, formFromParts, formFromUrlencoded, mediaType, parseMultipart, readBody, type FormData } from './request-body.js';

export interface Submission {
  /** The link to trace: refanged when it was written defanged, taken out of <...> or quotes. */
  url: string | null;
  /** The link as written, when `url` was taken out of it (null otherwise). */
  given: string | null;
  clicks: string[];
  /** Per-submission trace options (validated). */
  options: TraceChoices;
  /** Trace even if the link was traced before (JSON `again: true`, form field or query `again=1`). */
  again: boolean;
  message: { raw: Buffer; filename: string | null } | null;
  /** For a message: the number of the link to trace (query or form field `link`); null: its main link. */
  link: number | null;
  /** A list of links (pasted lines, an uploaded .txt or .csv): traced as one batch. */
  list: { raw: Buffer; filename: string | null } | null;
  /**
   * For a message sent as one of a mailbox (`mail --trace --server`, query `batch` and `message`):
   * the mailbox's batch (POST /api/batches) and the message's number in the mailbox.
   */
  mailbox: { batch: string; message: number | null } | null;
}

export interface SubmissionLimits {
  maxMessageBytes: number;
  maxListBytes: number;
}

const JSON_LIMIT = 64 * 1024;
/** Bodies taken as a list of links (one URL a line, or a CSV/TSV export). */
const LIST_TYPES = new Set(['text/plain', 'text/csv', 'text/tab-separated-values']);
const FORM_OVERHEAD = 64 * 1024;

/** `formRead`: called with a form's fields once they are read, before they are checked (the page keeps them when refused). */
export async function readSubmission(
  req: IncomingMessage,
  limits: SubmissionLimits,
  query: URLSearchParams,
  formRead?: (form: FormData) => void,
): Promise<Submission> {
  const { maxMessageBytes, maxListBytes } = limits;
  const type = mediaType(req);
  if (type === 'application/json') {
    // A list's lines are escaped in JSON: room for twice its bytes.
    const body = await readBody(req, JSON_LIMIT + 2 * maxListBytes);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BodyError('the body is not valid JSON', 400);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new BodyError('expected a JSON object { "url": ..., "clicks": [...] }', 400);
    const { url, clicks, again, list, urls, filename, ...rest } = value as {
      url?: unknown;
      clicks?: unknown;
      again?: unknown;
      list?: unknown;
      urls?: unknown;
      filename?: unknown;
    } & Parameters<typeof traceChoices>[0];
    if (url !== undefined && typeof url !== 'string') throw new BodyError('url: expected a string', 400);
    if (again !== undefined && typeof again !== 'boolean') throw new BodyError('again: expected true or false', 400);
    if (filename !== undefined && typeof filename !== 'string') throw new BodyError('filename: expected a string', 400);
    const listText = jsonList(list, urls);
    return oneTarget({
      ...submittedUrl(url ?? null),
      clicks: textList(clicks),
      options: traceChoices(rest),
      again: again ?? false,
      message: null,
      link: null,
      list: listText === null ? null : { raw: Buffer.from(listText, 'utf8'), filename: filename ?? null },
      mailbox: null,
    });
  }
  // A list file as the body (`trace --server URL --input FILE` sends it so): its bytes as they are.
  if (LIST_TYPES.has(type)) return wholeBody(query, { list: { raw: await readBody(req, maxListBytes), filename: query.get('filename') } });
  if (type === 'message/rfc822')
    return wholeBody(query, {
      message: { raw: await readBody(req, maxMessageBytes), filename: query.get('filename') },
      link: linkNumber(query.get('link')),
      mailbox: mailboxOf(query),
    });
  let form: FormData;
  if (type === 'multipart/form-data')
    form = formFromParts(
      parseMultipart(await readBody(req, Math.max(maxMessageBytes, maxListBytes) + FORM_OVERHEAD), req.headers['content-type']!),
    );
  else if (type === 'application/x-www-form-urlencoded') form = formFromUrlencoded(await readBody(req, JSON_LIMIT + 3 * maxListBytes));
  else throw new BodyError('send JSON, a form, or a message/rfc822 body', 415);
  formRead?.(form);
  const file = form.files.find((f) => f.name === 'message' && f.data.length > 0);
  if (file && file.data.length > maxMessageBytes) throw new BodyError(`the message is larger than ${maxMessageBytes} bytes`, 413);
  // The list: an uploaded file (field "list") or pasted lines (the same field as text).
  const listFile = form.files.find((f) => f.name === 'list' && f.data.length > 0);
  const listText = form.fields.get('list')?.[0] ?? '';
  if (listFile && listText.trim() !== '') throw new BodyError('give a list as a file or as pasted lines, not both', 400);
  return oneTarget({
    ...submittedUrl(form.fields.get('url')?.[0] ?? null),
    clicks: form.fields.get('click') ?? form.fields.get('clicks') ?? [],
    options: choicesFrom((name) => form.fields.get(name) ?? []),
    again: isYes(form.fields.get('again')?.[0] ?? null),
    message: file ? { raw: file.data, filename: file.filename } : null,
    link: linkNumber(form.fields.get('link')?.[0] ?? null),
    list: listFile
      ? { raw: listFile.data, filename: listFile.filename }
      : listText.trim() !== ''
        ? { raw: Buffer.from(listText, 'utf8'), filename: null }
        : null,
    mailbox: null,
  });
}

/** A submission whose body is the file (an e-mail, a list): its options in the query. */
function wholeBody(query: URLSearchParams, body: Partial<Pick<Submission, 'message' | 'list' | 'link' | 'mailbox'>>): Submission {
  return {
    url: null,
    given: null,
    clicks: query.getAll('click'),
    options: choicesFrom((name) => query.getAll(name)),
    again: isYes(query.get('again')),
    message: null,
    list: null,
    link: null,
    mailbox: null,
    ...body,
  };
}

/** `batch=ID&message=N`: a message of a mailbox sent message by message into its batch. */
function mailboxOf(query: URLSearchParams): Submission['mailbox'] {
  const batch = query.get('batch');
  if (batch === null) return null;
  if (!/^b[0-9a-f]{12}$/.test(batch)) throw new BodyError('batch: expected a batch id (b and 12 hex digits)', 400);
  const message = query.get('message');
  if (message !== null && !/^\d{1,7}$/.test(message)) throw new BodyError("message: expected the message's number in its mailbox", 400);
  return { batch, message: message === null ? null : Number(message) };
}

/** A submission is one link, one message or one list: two of them at once is a mistake worth a word. */
function oneTarget(submission: Submission): Submission {
  const given = [submission.url !== null, submission.message !== null, submission.list !== null].filter(Boolean).length;
  if (given > 1) throw new BodyError('give one link, one e-mail or one list of links per submission', 400);
  return submission;
}

/** JSON `list` (the text of a list, as a file holds it) or `urls` (one line each); null when neither. */
function jsonList(list: unknown, urls: unknown): string | null {
  if (list !== undefined && urls !== undefined) throw new BodyError('give "list" or "urls", not both', 400);
  if (list !== undefined) {
    if (typeof list !== 'string') throw new BodyError('list: expected the text of a list (one URL a line, or a CSV export)', 400);
    return list.trim() === '' ? null : list;
  }
  if (urls === undefined) return null;
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string')) throw new BodyError('urls: expected a list of strings', 400);
  // Each entry is a line of the list: a line break inside one would make two.
  if (urls.some((u: string) => /[\r\n]/.test(u))) throw new BodyError('urls: an entry holds a line break', 400);
  return urls.length ? urls.join('\n') : null;
}

/**
 * The submitted link as the batch list reads a line (url-list.ts parseInputUrl): a defanged IOC
 * (`hxxps://evil[.]example/`) is refanged, `<...>` and quotes are taken off, and what cannot be
 * told for sure is refused saying why, as is a space inside (the URL parser would request another link).
 */
function submittedUrl(text: string | null): { url: string | null; given: string | null } {
  if (text === null || text.trim() === '') return { url: null, given: null };
  const item = parseInputUrl(text, 1);
  if (!('error' in item)) return { url: item.url, given: item.given ?? null };
  throw new SubmissionError(item.error, 400, 'bad-url');
}

function linkNumber(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  if (!/^\d{1,4}$/.test(value.trim()) || Number(value) < 1) throw new BodyError('link: expected a link number (1, 2, ...)', 400);
  return Number(value);
}

/**
 * Options from form fields or query parameters (user_agent and explore_depth, or their JSON names).
 * Of `nudge` the last value counts: the form sends a hidden "off" before its checkbox's "on", so
 * that an unchecked box says off rather than nothing.
 */
function choicesFrom(all: (name: string) => string[]): TraceChoices {
  const get = (name: string) => all(name)[0] ?? null;
  return traceChoices({
    device: get('device'),
    userAgent: get('user_agent') ?? get('userAgent'),
    explore: get('explore'),
    exploreDepth: get('explore_depth') ?? get('exploreDepth'),
    timeout: get('timeout'),
    nudge: all('nudge').at(-1) ?? null,
  });
}

function isYes(value: string | null): boolean {
  return value !== null && /^(1|true|on|yes)$/i.test(value.trim());
}

function textList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new BodyError('clicks: expected a string or a list of strings', 400);
}
