// A batch's input: URLs given as arguments, or a list with one URL per line (`--input FILE`, `-`
// for stdin) where blank lines and `#` comments (whole lines, or after a URL and a space) are
// skipped. A line that is not an http(s) URL is reported with its number; the others go on.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseTraceUrl } from '../capture/trace-input.js';

export type InputItem =
  /** `line`: 1-based line of the list, or position among the arguments. */
  { line: number; url: string } | { line: number; text: string; error: string };

/** A comment after a URL: `#` after white space (a URL's own `#fragment` follows no space). */
const TRAILING_COMMENT = /\s#.*$/;
/** What no URL written on a line holds: the URL parser would silently encode or drop it, requesting another link. */
const INNER_JUNK = /[\s\u0000-\u001f\u007f]/;

/** What bytes that are not UTF-8 were decoded to: the URL would be requested with %EF%BF%BD in their place. */
const NOT_UTF8 = '\uFFFD';
/** How much of a line an error message quotes (the record keeps the whole line in `text`). */
const QUOTED = 200;

/** One line of a list: null when blank or a comment. */
export function parseInputLine(text: string, line: number): InputItem | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const url = trimmed.replace(TRAILING_COMMENT, '').trimEnd();
  if (INNER_JUNK.test(url)) return { line, text: trimmed, error: `not a URL (a space or control character inside): ${quote(url)}` };
  if (url.includes(NOT_UTF8)) return { line, text: trimmed, error: `not a URL (bytes that are not UTF-8): ${quote(url)}` };
  return parseInputUrl(url, line);
}

export function parseInputUrl(text: string, line: number): InputItem {
  try {
    parseTraceUrl(text);
    return { line, url: text };
  } catch (err) {
    const message = (err as Error).message;
    return { line, text, error: message.length > QUOTED * 2 ? `${message.slice(0, QUOTED * 2)}…` : message };
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED ? `${text.slice(0, QUOTED)}…` : text);
}

/** Every item of a list file (or stdin for "-"), in order. */
export async function readInputList(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<InputItem[]> {
  let stream: NodeJS.ReadableStream = stdin;
  if (path !== '-') {
    const file = createReadStream(path);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
    stream = file;
  }
  const items: InputItem[] = [];
  let line = 0;
  for await (const text of lines(stream)) {
    const item = parseInputLine(text, ++line);
    if (item) items.push(item);
  }
  return items;
}

/**
 * The lines of a text stream, split at LF (a CRLF's CR dropped). Not node:readline: it also ends
 * a line at a lone CR, so the line numbers reported would not be an editor's, and a URL with a
 * stray CR would be cut in two (the piece before it traced as if it were the link).
 */
export async function* lines(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let end = rest.indexOf('\n'); end >= 0; end = rest.indexOf('\n', start)) {
      yield rest.slice(start, end).replace(/\r$/, '');
      start = end + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield rest.replace(/\r$/, '');
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
