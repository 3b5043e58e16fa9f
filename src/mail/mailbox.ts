// Where messages come from: one .eml (any single RFC 822 file), an mbox file, a Maildir, a
// folder of .eml files, or stdin ("-"). Each message comes out as raw bytes or as a per-message
// error; one bad message never stops the others, and nothing here throws for bad input.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readableFile, untilAborted } from '../until-aborted.js';
import { readHead } from './stream-head.js';
import { decompressed, gunzippedFile, notReadCompressed } from './compressed.js';

export type MailSourceItem = { source: string; raw: Buffer } | { source: string; error: string };

export interface ReadMailOptions {
  /** Stream read for "-"; process.stdin by default. */
  stdin?: AsyncIterable<Buffer | string>;
  /**
   * Stops reading "-" when aborted (Ctrl-C): a pipe still open may never end. What was read until
   * then is the input, its last message possibly cut short.
   */
  signal?: AbortSignal;
}

/** A single message larger than this is reported instead of read. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

const FROM_ = Buffer.from('From ');
// "From sender@example.com Mon Jan  1 00:00:00 2024" (asctime after the envelope sender).
const STRICT_FROM_LINE = /^From \S+ +(?:\S+ +)?.*\b\d{1,2}:\d{2}(?::\d{2})?\b.*\b\d{4}\b/;
/**
 * A header a message starts with, as delivery and mail clients write them: what must follow a "From "
 * line that is no well-formed From_ line for it to be taken as a separator. Not any "Word:" line: body
 * text unescaped by an mboxo or mboxcl2 writer ("From the team" then "Regards: Bob") stays in its message.
 */
const MESSAGE_HEADER_LINE =
  /^(?:Return-Path|Received|Received-SPF|Delivered-To|Envelope-To|X-[\x21-\x39\x3b-\x7e]+|ARC-[\w-]+|DKIM-Signature|Authentication-Results|From|Sender|Reply-To|To|Cc|Bcc|Subject|Date|Message-ID|In-Reply-To|References|MIME-Version|Content-[\w-]+|List-[\w-]+|Precedence|Errors-To|Resent-[\w-]+|Status|User-Agent|Organization|Importance|Priority|Thread-[\w-]+)[ \t]*:/i;

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message ? ` (${e.message.replace(/^[A-Z]+: /, '')})` : ''}` : String(error);
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 10 && byte !== 13 && byte !== 32 && byte !== 9) return false;
  return true;
}

function startsWithFrom(line: Buffer): boolean {
  return line.length >= 5 && line[0] === 0x46 && line.subarray(0, 5).equals(FROM_);
}

/** Reverses mboxrd quoting (">From " -> "From ", ">>From " -> ">From ") and drops the separator's blank line. */
function finishMboxMessage(lines: Buffer[]): Buffer {
  let end = lines.length;
  if (end > 0 && isBlank(lines[end - 1])) end--;
  const raw = Buffer.concat(lines.slice(0, end));
  if (raw.indexOf('>From ') === -1) return raw;
  return Buffer.from(raw.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1');
}

async function* linesOf(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  // Pieces of a line that spans chunks; joined once the line ends, so a huge line costs one copy.
  let pending: Buffer[] = [];
  for await (const chunk of chunks) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const newline = data.indexOf(10, start);
      if (newline === -1) break;
      const piece = data.subarray(start, newline + 1);
      if (pending.length) {
        yield Buffer.concat([...pending, piece]);
        pending = [];
      } else {
        yield piece;
      }
      start = newline + 1;
    }
    if (start < data.length) pending.push(data.subarray(start));
  }
  if (pending.length) yield Buffer.concat(pending);
}

/**
 * Splits an mbox into messages. A "From " line separates messages when it is a well-formed
 * From_ line, or when it follows a blank line and a header a message starts with follows it
 * (MESSAGE_HEADER_LINE); other "From " lines (unescaped body text) stay in the message.
 */
export async function* splitMbox(chunks: AsyncIterable<Buffer | string>, label: string): AsyncGenerator<MailSourceItem> {
  let index = 0;
  let lines: Buffer[] | null = null;
  let size = 0;
  let previousBlank = true;
  let maybeSeparator: Buffer | null = null;

  // At the end of the mbox, a separator with nothing after it (a writer's trailing From_ line) is
  // not a message; between two separators an empty message is said, as the mbox is damaged there.
  function* finish(atEnd = false): Generator<MailSourceItem> {
    if (lines === null) return;
    const source = `${label}#${index}`;
    if (size > MAX_READ_BYTES) yield { source, error: `message larger than ${MAX_READ_BYTES} bytes; skipped` };
    else {
      const raw = finishMboxMessage(lines);
      if (!isBlank(raw)) yield { source, raw };
      else if (!atEnd) yield { source, error: 'empty message between mbox separators' };
    }
  }
  const startMessage = () => {
    index++;
    lines = [];
    size = 0;
  };
  const append = (line: Buffer) => {
    if (lines === null) startMessage(); // text before the first From_ line: keep it as a message
    size += line.length;
    if (size <= MAX_READ_BYTES) lines!.push(line);
  };

  for await (const line of linesOf(chunks)) {
    if (lines === null && isBlank(line)) continue;
    if (maybeSeparator) {
      if (MESSAGE_HEADER_LINE.test(line.toString('latin1', 0, 1000))) {
        yield* finish();
        startMessage();
      } else {
        append(maybeSeparator);
      }
      maybeSeparator = null;
    }
    if (startsWithFrom(line)) {
      if (lines === null || STRICT_FROM_LINE.test(line.toString('latin1', 0, 300))) {
        yield* finish();
        startMessage();
        previousBlank = false;
        continue;
      }
      if (previousBlank) {
        maybeSeparator = line;
        previousBlank = false;
        continue;
      }
    }
    append(line);
    previousBlank = isBlank(line);
  }
  if (maybeSeparator) append(maybeSeparator);
  yield* finish(true);
}

/** The first bytes of a stream (enough to see its first line) and the whole stream again. */
interface Peeked {
  /** Whether it starts with a From_ line: an mbox. */
  mbox: boolean;
  /** Nothing but whitespace, or nothing at all: no message in it. */
  blank: boolean;
  chunks: AsyncIterable<Buffer | string>;
}

async function peek(chunks: AsyncIterable<Buffer | string>): Promise<Peeked> {
  let blank = true;
  // Read enough to see the first non-blank line, and no more: a pipe that is still open (a feed
  // written as it arrives) is not waited on for bytes that decide nothing. Whitespace alone is read
  // on to its end (up to the size of a message), so that a blank input is known as such first.
  const {
    head,
    done,
    chunks: whole,
  } = await readHead(chunks, (chunk, all, size) => {
    blank &&= isBlank(chunk);
    return blank ? size > MAX_READ_BYTES : size >= 4096 || firstLineSeen(all);
  });
  return { mbox: startsAsMbox(head), blank: blank && done, chunks: whole };
}

/** Whether a line with more than whitespace in it has ended in these chunks: enough to tell an mbox. */
function firstLineSeen(chunks: Buffer[]): boolean {
  const start = Buffer.concat(chunks);
  const text = start.findIndex((byte) => byte !== 10 && byte !== 13 && byte !== 32 && byte !== 9);
  return text !== -1 && start.indexOf(10, text) !== -1;
}

/** Whether these bytes start with a From_ line (after a BOM or blank lines): an mbox, whatever its name. */
export function startsAsMbox(start: Buffer): boolean {
  const firstLine = start
    .toString('latin1', 0, 1024)
    .replace(/^\ufeff|^\xef\xbb\xbf/, '')
    .replace(/^[\r\n]+/, '');
  return firstLine.startsWith('From ');
}

async function* fromPeeked({ mbox, chunks }: Peeked, label: string, emptyMessage: string): AsyncGenerator<MailSourceItem> {
  if (mbox) {
    yield* splitMbox(chunks, label);
    return;
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size <= MAX_READ_BYTES) parts.push(buffer);
  }
  if (size > MAX_READ_BYTES) yield { source: label, error: `message larger than ${MAX_READ_BYTES} bytes; not read` };
  else if (size === 0) yield { source: label, error: emptyMessage };
  else {
    const raw = Buffer.concat(parts);
    if (isBlank(raw)) yield { source: label, error: `${emptyMessage} (only whitespace)` };
    else yield { source: label, raw };
  }
}

/** Items known before reading: none (an empty mailbox), or the reason a source holds no message. */
function only(...items: MailSourceItem[]): AsyncIterable<MailSourceItem> {
  return Readable.from(items, { objectMode: true }) as AsyncIterable<MailSourceItem>;
}

/** A mailbox with no message in it (an empty mbox file, an empty Maildir, empty input). */
function emptyMailbox(kind: MailSourceKind): MailSource {
  return { kind, empty: true, unusable: null, items: only() };
}

/** The chunks of `stream`; a read error ends them, noted in `read` (a source ends with it as an error, rather than rejecting). */
async function* guarded(stream: AsyncIterable<Buffer | string>, read: { failure: string | null }): AsyncGenerator<Buffer | string> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (error) {
    read.failure ??= describe(error);
  }
}

async function openFile(path: string, signal?: AbortSignal): Promise<MailSource> {
  const name = path.replace(/\.gz$/i, '');
  const named: MailSourceKind | null = /\.(mbox|mbx)$/i.test(name) ? 'mbox' : /\.eml$/i.test(name) ? 'message' : null;
  let size: number;
  let bytes: AsyncIterable<Buffer>;
  try {
    size = (await stat(path)).size;
    // A named pipe (`mail <(tail -f feed)`) is read until `signal`, as stdin from a pipe.
    bytes = await readableFile(path, signal, 1 << 20);
  } catch (error) {
    const why = `cannot read: ${describe(error)}`;
    return { kind: 'message', empty: false, unusable: why, items: only({ source: path, error: why }) };
  }
  const read: { failure: string | null } = { failure: null };
  // An mbox.gz is read as it is gunzipped; a file compressed otherwise is said so, not read as a message.
  const unpacked = await decompressed(guarded(bytes, read));
  if (unpacked.compression && unpacked.compression !== 'gzip') {
    const why = notReadCompressed(unpacked.compression);
    return { kind: named ?? 'message', empty: false, unusable: why, items: only({ source: path, error: why }) };
  }
  const peeked = await peek(guarded(unpacked.chunks, read));
  if (read.failure) {
    const why = `read failed: ${read.failure}`;
    return { kind: named ?? 'message', empty: false, unusable: why, items: only({ source: path, error: why }) };
  }
  if (peeked.blank) {
    // A file named as one message holds none: not an e-mail. Any other blank file is a mailbox
    // without messages (an mbox of an empty folder, /var/mail/user with nothing in it).
    if (named !== 'message') return emptyMailbox('mbox');
    const why = size === 0 ? 'empty file' : 'empty file (only whitespace)';
    return { kind: 'message', empty: false, unusable: `${why}: no message in it`, items: only({ source: path, error: why }) };
  }
  async function* items(): AsyncGenerator<MailSourceItem> {
    yield* fromPeeked(peeked, path, 'empty file');
    if (read.failure) yield { source: path, error: `read failed: ${read.failure}` };
  }
  return { kind: named === 'mbox' || peeked.mbox ? 'mbox' : 'message', empty: false, unusable: null, items: items() };
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function openDirectory(dir: string): Promise<MailSource> {
  const maildir = (await isDirectory(join(dir, 'cur'))) || (await isDirectory(join(dir, 'new')));
  const files = maildir
    ? [
        ...(await listFiles(join(dir, 'new'))).map((f) => join(dir, 'new', f)),
        ...(await listFiles(join(dir, 'cur'))).map((f) => join(dir, 'cur', f)),
      ]
    : (await listFiles(dir)).filter((f) => /\.eml$/i.test(f)).map((f) => join(dir, f));
  if (files.length === 0 && maildir) return emptyMailbox('folder');
  if (files.length === 0) {
    const why = 'not a Maildir (no cur/ or new/) and no .eml files';
    return { kind: 'folder', empty: false, unusable: why, items: only({ source: dir, error: `no messages: ${why}` }) };
  }
  return { kind: 'folder', empty: false, unusable: null, items: fromFiles(files) };
}

async function* fromFiles(files: string[]): AsyncGenerator<MailSourceItem> {
  for (const file of files) {
    try {
      // A Maildir kept compressed (Dovecot's zlib plugin) has gzip files.
      const read = await readFile(file);
      const raw = gunzippedFile(read, MAX_READ_BYTES);
      if (raw instanceof Error) yield { source: file, error: raw.message };
      else if (raw.length === 0) yield { source: file, error: 'empty file' };
      else if (raw.length > MAX_READ_BYTES) yield { source: file, error: `message larger than ${MAX_READ_BYTES} bytes; not read` };
      else yield { source: file, raw };
    } catch (error) {
      yield { source: file, error: `cannot read: ${describe(error)}` };
    }
  }
}

/** What a mail source holds: one message, an mbox, or a folder (Maildir, or .eml files). */
export type MailSourceKind = 'message' | 'mbox' | 'folder';

export interface MailSource {
  kind: MailSourceKind;
  /** A mailbox that holds no message: `items` yields nothing. */
  empty: boolean;
  /**
   * Why the source is not mail at all (an .eml file with nothing in it, a folder that is neither a
   * Maildir nor holds .eml files, a file that cannot be read), or null; `items` then yields it as
   * its one error.
   */
  unusable: string | null;
  items: AsyncIterable<MailSourceItem>;
}

/**
 * Opens the mail source at `path` and tells what it holds before any message is read: a file (or
 * stdin) is an mbox when it starts with a From_ line, whatever its name, or is named .mbox/.mbx.
 * A file or stdin with nothing but whitespace is an empty mailbox, unless it is named .eml.
 */
export async function openMailSource(path: string, options: ReadMailOptions = {}): Promise<MailSource> {
  if (path === '-') {
    const stdin = options.stdin ?? (process.stdin as AsyncIterable<Buffer>);
    const read: { failure: string | null } = { failure: null };
    const unpacked = await decompressed(guarded(options.signal ? untilAborted(stdin, options.signal) : stdin, read));
    if (unpacked.compression && unpacked.compression !== 'gzip') {
      const why = notReadCompressed(unpacked.compression);
      return { kind: 'message', empty: false, unusable: why, items: only({ source: '-', error: why }) };
    }
    const peeked = await peek(guarded(unpacked.chunks, read));
    if (peeked.blank && !read.failure) return emptyMailbox('mbox');
    async function* items(): AsyncGenerator<MailSourceItem> {
      yield* fromPeeked(peeked, '-', 'empty input on stdin');
      if (read.failure) yield { source: '-', error: `read failed: ${read.failure}` };
    }
    return { kind: peeked.mbox ? 'mbox' : 'message', empty: false, unusable: null, items: items() };
  }
  if (await isDirectory(path)) return openDirectory(path);
  return openFile(path, options.signal);
}

/**
 * Every message at `path`: a single message file, an mbox, a Maildir (new/ and cur/), a folder
 * of .eml files, or stdin for "-". mbox messages are named "path#N" (1-based).
 */
export async function* readMailSource(path: string, options: ReadMailOptions = {}): AsyncGenerator<MailSourceItem> {
  yield* (await openMailSource(path, options)).items;
}
