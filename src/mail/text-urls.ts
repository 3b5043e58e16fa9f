// URLs in plain text, including the ones that line wrapping, a quoted-printable soft break or a
// mail client cut in two: the seed's link arrived as ".../optiextension.dll? ID=3vu3...W9K" and,
// on the next line, the rest of the token. Joining pieces is a judgement; the rules below join only
// when the cut is evident (an unfinished escape, a query that starts or continues on the next
// piece, a wrapped long line continued by URL-looking characters, an opaque token split by one
// space, or a <...>-bracketed URL, where RFC 3986 appendix C says whitespace is to be ignored).
// When the next piece could be the rest of a cut token or a word of its own, both readings are
// kept and the URL is marked ambiguous.

export interface TextUrl {
  /** The URL to use: whitespace removed, "www." links given an http:// scheme. */
  url: string;
  /** Offset of the first character in the text, and of the character after the last one used. */
  index: number;
  end: number;
  /** True when pieces from more than one line or word were joined. */
  rejoined: boolean;
  /**
   * Set when the piece after the URL may or may not belong to it: [the URL as cut, the URL joined
   * with that piece]. `url` is the first reading.
   */
  readings?: [string, string];
}

const URL_START = /(?:https?|ftp):\/\/|www\./gi;
const SCHEME_START = /^(?:(?:https?|ftp):\/\/|www\.)/i;
const ESCAPE = /%[0-9A-Fa-f]{2}/;
const UNFINISHED = /(?:%[0-9A-Fa-f]?|:\/\/)$/;
const PLAIN_WORD = /^[A-Za-z\u00c0-\u024f'’]+[.,;:!?)]*$/;
/** Lines at least this long were probably wrapped by the sender's client. */
const WRAP_COLUMN = 60;
const MAX_JOINS = 16;
const MAX_BRACKETED = 4096;

const ASCII_URL_CHARS = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%") {
  ASCII_URL_CHARS[c.charCodeAt(0)] = 1;
}
const NON_URL_UNICODE = new Set([
  0xa0, 0x2028, 0x2029, 0x3000, 0x3001, 0x3002, 0xfeff, 0x2018, 0x2019, 0x201c, 0x201d, 0xab, 0xbb, 0x2039, 0x203a, 0xff08, 0xff09, 0x300c,
  0x300d, 0x2026,
]);

export function isUrlChar(code: number): boolean {
  if (code < 128) return ASCII_URL_CHARS[code] === 1;
  if (code >= 0x2000 && code <= 0x200f) return false;
  return !NON_URL_UNICODE.has(code);
}

function scanUrlChars(text: string, from: number): number {
  let i = from;
  while (i < text.length && isUrlChar(text.charCodeAt(i))) i++;
  return i;
}

function isOpaqueToken(s: string): boolean {
  return ESCAPE.test(s) || (/[0-9]/.test(s) && /[A-Za-z]/.test(s));
}

/** The part of a URL after its last delimiter: the piece a cut would have split. */
function lastToken(url: string): string {
  const cut = Math.max(url.lastIndexOf('/'), url.lastIndexOf('?'), url.lastIndexOf('&'), url.lastIndexOf('='));
  return url.slice(cut + 1);
}

type JoinVerdict = 'join' | 'ambiguous' | 'stop';

interface Gap {
  /** The pieces are on consecutive lines (else on one line, one space or tab apart). */
  lineBreak: boolean;
  /** Length of the line the URL piece ends on (line breaks only). */
  lineLength: number;
  /** Nothing but blanks follows the continuation on its line. */
  aloneOnLine: boolean;
}

/** "name=" at the start: a query parameter. */
const PARAMETER = /^[\w.~%[\]-]+=/;
/** "?name=" or "&name=": the query starts or continues here. */
const QUERY_PIECE = /^[?&][\w.~%[\]-]+=/;
/** What could be the rest of a cut token, or a word of its own. */
const TOKEN_WORD = /^[A-Za-z0-9_~-]{2,}$/;

/** Whether `continuation` (the URL characters after one space or line break) continues `url`. */
function joinVerdict(url: string, continuation: string, gap: Gap): JoinVerdict {
  if (!continuation || SCHEME_START.test(continuation)) return 'stop';
  if (UNFINISHED.test(url)) return 'join';
  // Cut before "?" or "&": "...optiextension.dll" / "?ID=...".
  if (QUERY_PIECE.test(continuation)) return (continuation[0] === '?') === !url.includes('?') ? 'join' : 'stop';
  if (/^[.,;:!?)\]'"]/.test(continuation)) return 'stop';
  // Cut right after "?": ".../optiextension.dll?" / "ID=3vu3...".
  if (url.endsWith('?') && url.indexOf('?') === url.length - 1) return PARAMETER.test(continuation) ? 'join' : 'stop';
  const continuationLooksLikeUrl =
    ESCAPE.test(continuation) || /[=&/?]/.test(continuation) || (continuation.length >= 6 && isOpaqueToken(continuation));
  // Cut right after "=" or "&": the value (or the next parameter) follows.
  if (/[=&]$/.test(url) && url.includes('?')) {
    if (!PLAIN_WORD.test(continuation)) return 'join';
    return gap.lineBreak && gap.aloneOnLine ? 'ambiguous' : 'stop';
  }
  // A URL ending in punctuation ("...193c]", "...page).") ended there, unless a dot was cut
  // from the middle of a host or file name and the next line plainly continues the URL.
  const punctuation = url.slice(trimTrailingPunctuation(url).length);
  if (punctuation && (punctuation !== '.' || !continuationLooksLikeUrl || !gap.lineBreak)) return 'stop';
  const tailIsOpaque = isOpaqueToken(lastToken(url));
  if (!gap.lineBreak) {
    // Same line, one space: only between two pieces of an opaque token ("abc%2B def%2Bghi").
    return tailIsOpaque && (ESCAPE.test(continuation) || /[=&]/.test(continuation)) && !PLAIN_WORD.test(continuation) ? 'join' : 'stop';
  }
  const wrapped = gap.lineLength >= WRAP_COLUMN;
  if (continuationLooksLikeUrl && (wrapped || tailIsOpaque)) return 'join';
  if (wrapped && tailIsOpaque && !PLAIN_WORD.test(continuation) && continuation.length >= 4) return 'join';
  // A token cut at the end of a line, and a word alone on the next: its rest, or a word? A
  // capitalised word ("Unsubscribe", "Descadastrar") starts a line of its own.
  if (/^[A-Z][a-z]+$/.test(continuation)) return 'stop';
  return tailIsOpaque && gap.aloneOnLine && TOKEN_WORD.test(continuation) ? 'ambiguous' : 'stop';
}

function trimTrailingPunctuation(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (c === undefined) break;
    if ('.,;:!?\'"*'.includes(c)) {
      end--;
      continue;
    }
    if (c === ')' || c === ']') {
      const open = c === ')' ? '(' : '[';
      const body = url.slice(0, end);
      if (body.split(open).length <= body.split(c).length - 1) {
        end--;
        continue;
      }
    }
    break;
  }
  return url.slice(0, end);
}

function bracketedUrl(text: string, start: number): { url: string; end: number } | null {
  if (text[start - 1] !== '<' && !/<URL:\s*$/i.test(text.slice(Math.max(0, start - 8), start))) return null;
  const window = text.slice(start, start + MAX_BRACKETED);
  const close = window.indexOf('>');
  if (close === -1) return null;
  const inside = window.slice(0, close);
  if (inside.includes('<') || /\n[ \t]*\r?\n/.test(inside)) return null;
  for (let i = 0; i < inside.length; i++) {
    const c = inside.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && !isUrlChar(c)) return null;
  }
  return { url: inside.replace(/\s+/g, ''), end: start + close };
}

function restOfLineIsBlank(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function withScheme(url: string): string {
  return /^www\./i.test(url) ? `http://${url}` : url;
}

export function findTextUrls(text: string, options: { rejoin?: boolean } = {}): TextUrl[] {
  const rejoin = options.rejoin ?? true;
  const found: TextUrl[] = [];
  URL_START.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = URL_START.exec(text))) {
    const start = match.index;
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    const isWww = match[0].length === 4;
    if (isUrlChar(before) && (isWww || /[A-Za-z0-9]/.test(text[start - 1]))) continue;

    const bracketed = rejoin ? bracketedUrl(text, start) : null;
    if (bracketed) {
      if (bracketed.url.length > match[0].length) {
        found.push({
          url: withScheme(bracketed.url),
          index: start,
          end: bracketed.end,
          rejoined: bracketed.url.length !== bracketed.end - start,
        });
      }
      URL_START.lastIndex = bracketed.end;
      continue;
    }

    let cursor = scanUrlChars(text, start);
    let url = text.slice(start, cursor);
    let rejoined = false;
    let readings: [string, string] | undefined;
    for (let joins = 0; rejoin && joins < MAX_JOINS; joins++) {
      let j = cursor;
      let newlines = 0;
      let spacesAfterNewline = 0;
      while (j < text.length) {
        const c = text.charCodeAt(j);
        if (c === 10) {
          newlines++;
          spacesAfterNewline = 0;
        } else if (c === 32 || c === 9) {
          if (newlines) spacesAfterNewline++;
        } else if (c !== 13) break;
        j++;
      }
      if (newlines > 1 || spacesAfterNewline > 0) break;
      if (newlines === 0 && j - cursor !== 1) break;
      // Only a line break needs the line's length (looking back on one huge line for every URL would be quadratic).
      const lineLength = newlines === 1 ? cursor - (text.lastIndexOf('\n', cursor - 1) + 1) : 0;
      const next = scanUrlChars(text, j);
      const continuation = text.slice(j, next);
      const verdict = joinVerdict(url, continuation, { lineBreak: newlines === 1, lineLength, aloneOnLine: restOfLineIsBlank(text, next) });
      if (verdict === 'ambiguous')
        readings = [withScheme(trimTrailingPunctuation(url)), withScheme(trimTrailingPunctuation(url + continuation))];
      if (verdict !== 'join') break;
      url += continuation;
      cursor = next;
      rejoined = true;
    }
    const trimmed = trimTrailingPunctuation(url);
    URL_START.lastIndex = cursor;
    if (trimmed.length <= match[0].length) continue;
    const hit: TextUrl = { url: withScheme(trimmed), index: start, end: cursor - (url.length - trimmed.length), rejoined };
    if (readings) hit.readings = readings;
    found.push(hit);
  }
  return found;
}
