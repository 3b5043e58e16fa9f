// A batch's input: URLs given as arguments, or a list with one URL per line (`--input FILE`, `-`
// for stdin) where blank lines and `#` comments (whole lines, or after a URL and a space) are
// skipped. A line that is not an http(s) URL is reported with its number; the others go on. A CSV/TSV
// export (url-csv.ts) is read by records: a quoted field may span lines, reported at its first line.
import { StringDecoder } from 'node:string_decoder';
import { parseTraceUrl } from '../capture/trace-input.js';
import { refangUrl } from './refang.js';
import { readableFile, untilAborted } from '../until-aborted.js';
import { csvFields, csvHeader, csvQuoteOpen, type CsvColumn } from './url-csv.js';

export type InputItem =
  /**
   * `line`: 1-based line of the list, or position among the arguments. `given`: the text as
   * written, when the URL was taken out of it (defanged, wrapped in <...> or quotes); `refanged`:
   * the defanging markers undone (`hxxps`, `[.]`, ...).
   */
  { line: number; url: string; given?: string; refanged?: string[] } | { line: number; text: string; error: string };

/** A comment after a URL: `#` after white space (a URL's own `#fragment` follows no space). */
const TRAILING_COMMENT = /\s#.*$/;
/** What no URL written on a line holds: the URL parser would silently encode or drop it, requesting another link. */
const INNER_JUNK = /[\s\u0000-\u001f\u007f-\u009f]/;
/**
 * Characters no one sees on a line (a copy from a web page or a chat often carries them): the
 * parser would request them, percent-encoded (`%E2%80%8B`), or drop them from a host, another link
 * than the one read. Zero-width (non-)joiners are left: IDN hosts in Persian or Indic scripts need them.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]/;

/** What bytes that are not UTF-8 were decoded to: the URL would be requested with %EF%BF%BD in their place. */
const NOT_UTF8 = '\uFFFD';
/** How much of a line an error message quotes (the record keeps the whole line in `text`). */
const QUOTED = 200;
/** The longest line read whole: Chromium's longest URL (kMaxURLChars, 2 MiB); past it only the start is kept. */
export const MAX_LINE_CHARS = 2 * 1024 * 1024;
/** The most lines one CSV record may span (a quoted description with line breaks); past it, its quote is taken as never closed. */
export const MAX_RECORD_LINES = 200;

/**
 * Delimiters around a whole URL, taken off: `<...>` and `<URL:...>` (RFC 3986 Appendix C, the way
 * to say exactly where a URL ends), straight or typographic quotes, and backticks (a link pasted
 * from a chat or Markdown as code: `https://...`). No URL starts with one of these.
 */
const WRAPPERS = [/^<(?:URL:)?(.*)>$/i, /^"(.*)"$/, /^'(.*)'$/, /^\u201c(.*)\u201d$/, /^\u2018(.*)\u2019$/, /^`(.*)`$/];
/**
 * A link written without its scheme, as mail clients and chats show one: `evil.example/login`,
 * `www.evil.example`, `evil.example:8080/x` (which the URL parser would read as the scheme
 * `evil.example:`), `localhost:8080`, `//evil.example/x`. http or https is a guess: it is reported.
 */
const NO_SCHEME = /^(?:\/\/[^/]|(?:[\p{L}\p{N}_-]+\.)+[\p{L}\p{N}_-]+\.?(?::\d*)?(?:[/?#]|$)|[\p{L}\p{N}._-]+:\d+(?:[/?#]|$))/u;
/** Characters a sentence or a list leaves after a URL pasted from it (as linkifiers see them, e.g. GFM autolinks). */
const SENTENCE_END = /[.,;:!]+$/;
const CLOSERS: Record<string, string> = {
  ')': '(',
  ']': '[',
  '}': '{',
  '>': '<',
  '"': '"',
  "'": "'",
  '\u201d': '\u201c',
  '\u2019': '\u2018',
  '`': '`',
};

/** One line of a list: null when blank or a comment. */
export function parseInputLine(text: string, line: number): InputItem | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  if (trimmed.length > MAX_LINE_CHARS) {
    return { line, text: `${trimmed.slice(0, QUOTED)}…`, error: `not a URL: a line longer than ${MAX_LINE_CHARS} characters` };
  }
  return parseInputUrl(trimmed.replace(TRAILING_COMMENT, '').trimEnd(), line);
}

/**
 * One URL as a user wrote it (a list's line, an argument, a web form): taken out of <...> or
 * quotes, refanged when defanged (refang.ts), and checked. What cannot be told for sure (a
 * sentence's punctuation after it, ambiguous defanging) is an error saying so, never a guess.
 * `exact`: the text's ends are the URL's (a CSV field), so no punctuation after it is suspect.
 */
export function parseInputUrl(written: string, line: number, { exact = false }: { exact?: boolean } = {}): InputItem {
  const text = written.trim();
  const wrapper = WRAPPERS.find((pattern) => pattern.test(text));
  const inner = wrapper ? wrapper.exec(text)![1].trim() : text;
  const invalid = (error: string): InputItem => ({ line, text, error });
  if (INNER_JUNK.test(inner)) return invalid(`not a URL (a space or control character inside): ${quote(inner)}`);
  const invisible = INVISIBLE.exec(inner);
  if (invisible) return invalid(`not a URL (an invisible character, ${codePoint(invisible[0])}, inside): ${quote(inner)}`);
  if (inner.includes(NOT_UTF8)) return invalid(`not a URL (bytes that are not UTF-8): ${quote(inner)}`);
  const refang = refangUrl(inner);
  if (refang.kind === 'ambiguous') return invalid(`not traced: ${refang.error}: ${quote(inner)}`);
  const url = refang.kind === 'refanged' ? refang.url : inner;
  if (NO_SCHEME.test(url)) return invalid(`not a URL (no http:// or https:// before it: which one is a guess): ${quote(inner)}`);
  if (!wrapper && !exact) {
    const left = leftOver(url);
    if (left) {
      return invalid(
        `not traced: it ends in "${left}", which a copy from a sentence leaves behind: remove it, ` +
          `or write it as <${url}> if the link really ends so`,
      );
    }
  }
  try {
    parseTraceUrl(url);
  } catch (err) {
    const message = (err as Error).message;
    const said = refang.kind === 'refanged' ? `${message} (refanged from ${quote(inner)})` : message;
    return invalid(said.length > QUOTED * 2 ? `${said.slice(0, QUOTED * 2)}…` : said);
  }
  return {
    line,
    url,
    ...(url !== text ? { given: text } : {}),
    ...(refang.kind === 'refanged' ? { refanged: refang.markers } : {}),
  };
}

/** Punctuation at the end of a URL that is likelier a sentence's or a list's: `.,;:!`, or a closer with no opener before it. */
function leftOver(url: string): string | null {
  let end = url.length;
  for (;;) {
    const tail = url.slice(0, end);
    const punctuation = SENTENCE_END.exec(tail);
    if (punctuation) {
      end -= punctuation[0].length;
      continue;
    }
    const last = tail.at(-1) ?? '';
    const opener = CLOSERS[last];
    if (opener === undefined) break;
    const unmatched = opener === last ? count(tail, last) % 2 === 1 : count(tail, last) > count(tail, opener);
    if (!unmatched) break;
    end -= 1;
  }
  return end < url.length ? url.slice(end) : null;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED ? `${text.slice(0, QUOTED)}…` : text);
}

/**
 * Every item of a list file (or stdin for "-"), in order. `signal` stops reading stdin or a named
 * pipe (Ctrl-C: a pipe still open may never end): the items read until then are the list.
 */
export async function readInputList(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  signal?: AbortSignal,
): Promise<InputItem[]> {
  if (path === '-') return readInputItems(signal ? untilAborted(stdin as AsyncIterable<Buffer | string>, signal) : stdin);
  return readInputItems(await readableFile(path, signal));
}

/** Every item of a list given as a stream of bytes (a file, stdin, a list submitted to the web UI), in order. */
export async function readInputItems(stream: AsyncIterable<Buffer | string>): Promise<InputItem[]> {
  const items: InputItem[] = [];
  let records: CsvRecords | null = null;
  let line = 0;
  // A CSV/TSV export is told by its header (the first line, or the last comment before the first row).
  let csv: CsvColumn | null = null;
  let commentHeader: CsvColumn | null = null;
  let started = false;
  for await (const text of lines(stream, MAX_LINE_CHARS)) {
    line++;
    if (!started) {
      const trimmed = text.replace(/^\uFEFF/, '').trim();
      if (trimmed === '') continue;
      if (trimmed.startsWith('#')) {
        const header = csvHeader(trimmed.replace(/^#+\s*/, ''));
        commentHeader = header instanceof Error || header === 'one column' ? null : header;
        continue;
      }
      const header = csvHeader(trimmed);
      if (header instanceof Error) throw new Error(`line ${line}: ${header.message}`);
      started = true;
      if (header === 'one column') continue;
      if (header) {
        csv = header;
        records = new CsvRecords(csv.delimiter);
        continue;
      }
      if (commentHeader && trimmed.includes(commentHeader.delimiter) && 'error' in parseInputLine(trimmed, line)!) {
        csv = commentHeader;
        records = new CsvRecords(csv.delimiter);
      }
    }
    if (!csv || !records) {
      const item = parseInputLine(text, line);
      if (item) items.push(item);
      continue;
    }
    for (const record of records.push(text, line)) items.push(...csvItem(record, csv));
  }
  if (csv && records) for (const record of records.end()) items.push(...csvItem(record, csv));
  return items;
}

function csvItem(record: CsvRecord, column: CsvColumn): InputItem[] {
  if (record.error) return [{ line: record.line, text: record.text, error: `not a CSV row (${record.error}): ${quote(record.text)}` }];
  const item = parseCsvRow(record.text, record.line, column);
  return item ? [item] : [];
}

/** A CSV record: one line, or the lines a quoted field with line breaks joins; `line` is the first. */
export interface CsvRecord {
  text: string;
  line: number;
  /** Why the record could not be read whole (its quote is never closed): it is reported, and the lines after it are read anew. */
  error?: string;
}

/**
 * Lines joined into CSV records: a quoted field may hold line breaks (a description column of an
 * export), so a line that ends inside one waits for the lines that close it. A quote never closed
 * (within MAX_RECORD_LINES lines, MAX_LINE_CHARS characters, or by the end of the list) is reported
 * at its line, and the lines it held are read again as records of their own: none is lost.
 */
export class CsvRecords {
  private pending: { text: string; line: number }[] = [];
  private chars = 0;

  constructor(private readonly delimiter: string) {}

  /** The records this line completes (usually just itself). */
  push(text: string, line: number): CsvRecord[] {
    if (this.pending.length === 0) {
      const trimmed = text.replace(/^\uFEFF/, '').trim();
      if (trimmed === '' || trimmed.startsWith('#') || !csvQuoteOpen(text, this.delimiter)) return [{ text, line }];
    }
    this.pending.push({ text, line });
    this.chars += text.length + 1;
    const joined = this.pending.map((p) => p.text).join('\n');
    if (!csvQuoteOpen(joined, this.delimiter)) {
      const first = this.pending[0].line;
      this.reset();
      return [{ text: joined, line: first }];
    }
    if (this.pending.length > MAX_RECORD_LINES || this.chars > MAX_LINE_CHARS)
      return this.giveUp(`a quoted field is not closed within ${MAX_RECORD_LINES} lines`);
    return [];
  }

  /** The end of the list: a record still open is reported. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    while (this.pending.length) records.push(...this.giveUp('a quoted field is not closed by the end of the list'));
    return records;
  }

  private giveUp(error: string): CsvRecord[] {
    const [first, ...rest] = this.pending;
    this.reset();
    return [{ text: first.text, line: first.line, error }, ...rest.flatMap((r) => this.push(r.text, r.line))];
  }

  private reset(): void {
    this.pending = [];
    this.chars = 0;
  }
}

/** A row of a CSV export: its URL column's field, read as one URL; null for a blank or # line. */
export function parseCsvRow(text: string, line: number, column: CsvColumn): InputItem | null {
  const row = text.replace(/^\uFEFF/, '').trim();
  if (row === '' || row.startsWith('#')) return null;
  const shown = row.length > QUOTED ? `${row.slice(0, QUOTED)}…` : row;
  if (row.length > MAX_LINE_CHARS) return { line, text: shown, error: `not a URL: a line longer than ${MAX_LINE_CHARS} characters` };
  const fields = csvFields(row, column.delimiter);
  if (fields instanceof Error) return { line, text: row, error: `not a CSV row (${fields.message}): ${quote(row)}` };
  // More fields than the header names: a comma of the URL's own, unquoted, may have split it.
  if (fields.length > column.columns)
    return {
      line,
      text: row,
      error: `more fields than the header names (a URL with an unquoted ${column.delimiter === '\t' ? 'tab' : `"${column.delimiter}"`}?): ${quote(row)}`,
    };
  const value = fields[column.index]?.trim() ?? '';
  if (value === '') return { line, text: row, error: `no URL in the ${column.name} column: ${quote(row)}` };
  const item = parseInputUrl(value, line, { exact: true });
  return 'error' in item ? { ...item, text: row } : item;
}

/** How much of a list with no LF yet is held to tell how its lines end (a CR-only list is read whole first). */
const HOLD_CHARS = 4 * 1024 * 1024;

/**
 * The lines of a text stream, split at LF (a CRLF's CR dropped). Not node:readline: it also ends
 * a line at a lone CR, so the line numbers reported would not be an editor's, and a URL with a
 * stray CR would be cut in two (the piece before it traced as if it were the link). A list with
 * CRs and no LF at all (Excel for Mac's "CSV (Macintosh)", classic Mac OS) is split at CR, as an
 * editor reads it (vim's fileformat "mac"): else it is one line. Which one is told at the first LF,
 * or the end of the list (or HOLD_CHARS without an LF). A line longer than `maxChars` comes as its
 * first maxChars + 1 characters (so the caller sees it is too long); the rest of it is never held.
 * Each chunk is scanned once, however long its line.
 */
export async function* lines(stream: AsyncIterable<Buffer | string>, maxChars = Infinity): AsyncGenerator<string> {
  const decoder = new TextStreamDecoder();
  let rest = '';
  let separator: '\n' | '\r' | null = null;
  let held = '';
  const done = (line: string) => {
    const text = line.replace(/\r$/, '');
    return text.length > maxChars ? text.slice(0, maxChars + 1) : text;
  };
  function* split(text: string): Generator<string> {
    const at = separator!;
    let start = 0;
    for (let end = text.indexOf(at); end >= 0; end = text.indexOf(at, start)) {
      // A line already over the limit is not grown further.
      yield done(rest.length > maxChars ? rest : rest + text.slice(start, end));
      rest = '';
      start = end + 1;
    }
    if (rest.length <= maxChars) rest += text.slice(start, start + maxChars + 2 - rest.length);
  }
  function* feed(text: string, last = false): Generator<string> {
    if (separator === null) {
      held += text;
      if (text.includes('\n')) separator = '\n';
      else if (last || held.length > HOLD_CHARS) separator = held.includes('\r') ? '\r' : '\n';
      else return;
      [text, held] = [held, ''];
    }
    yield* split(text);
  }
  for await (const chunk of stream) yield* feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  // The decoder holds a list's first bytes until it has seen enough of them (or all).
  yield* feed(decoder.end(), true);
  if (rest !== '') yield done(rest);
}

/**
 * How much of a list is read before it is decoded: enough to tell a binary file from a text list
 * whatever the chunks the bytes come in (a file is read in 64 KiB chunks, a pipe in as little as it is written).
 */
const HEAD_BYTES = 8 * 1024;
/** A file format's signature is in its first bytes, and most hold a NUL there (gzip, ZIP, JPEG, PNG, ELF...). */
const SIGNATURE_CHARS = 16;
/** Binary data has NULs all over (zero padding, lengths); a text list with a stray NUL or two does not. */
const BINARY_NULS = 8;

/**
 * UTF-8, or UTF-16LE when the bytes start with its byte order mark (Excel's "Unicode Text" export,
 * PowerShell's `>`); UTF-16BE is refused in words rather than read as junk. A binary file (a NUL
 * among its first 16 characters, or 8 NULs in its first 8 KiB) is refused whole; a stray NUL
 * elsewhere is its line's, reported with it. Either way the same whatever the chunking.
 */
class TextStreamDecoder {
  private decoder: StringDecoder | null = null;
  private head = Buffer.alloc(0);

  write(chunk: Buffer): string {
    if (this.decoder) return this.decoder.write(chunk);
    this.head = Buffer.concat([this.head, chunk]);
    return this.head.length < HEAD_BYTES ? '' : this.start();
  }

  end(): string {
    return (this.decoder ? '' : this.start()) + this.decoder!.end();
  }

  private start(): string {
    const [first, second] = this.head;
    if (first === 0xfe && second === 0xff) throw new Error('the list is UTF-16 big-endian: save it as UTF-8');
    const utf16 = first === 0xff && second === 0xfe;
    this.decoder = new StringDecoder(utf16 ? 'utf16le' : 'utf8');
    const bytes = utf16 ? this.head.subarray(2) : this.head;
    // No text list holds NULs: a program, an image or an archive given by mistake is refused at
    // once rather than reported line by line, hundreds of lines of escaped bytes. Judged on the
    // first HEAD_BYTES alone, however many came in the first chunks.
    if (binary(new StringDecoder(utf16 ? 'utf16le' : 'utf8').write(bytes.subarray(0, HEAD_BYTES))))
      throw new Error('binary data (NUL bytes), not a text list of URLs');
    return this.decoder.write(bytes);
  }
}

function binary(head: string): boolean {
  const first = head.indexOf('\u0000');
  if (first < 0) return false;
  if (first < SIGNATURE_CHARS) return true;
  let count = 0;
  for (let at = first; at >= 0 && count < BINARY_NULS; at = head.indexOf('\u0000', at + 1)) count++;
  return count >= BINARY_NULS;
}

/** A list that cannot be read, in words (`--input FILE: no such file`). */
export function inputListError(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory, not a file of URLs',
    EACCES: 'permission denied',
    ENOTDIR: 'no such file (a part of the path is not a folder)',
  };
  return (code && words[code]) ?? message.split('\n')[0];
}
