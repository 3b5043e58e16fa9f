// Recovery for common kinds of broken MIME that a decoder silently gets wrong: a multipart that
// declares no boundary, a multipart whose declared boundary never occurs in the body, and charsets
// no decoder knows.

import { delimiterLines, headerValue, splitHeaders } from './decode-mime.js';

const HEADER_END = /\r?\n\r?\n/;

/** Byte offset where the body starts (after the blank line ending the header block), or -1. */
export function bodyOffset(raw: Buffer): number {
  const head = raw.subarray(0, Math.min(raw.length, 1 << 20)).toString('latin1');
  const match = HEADER_END.exec(head);
  return match ? match.index + match[0].length : -1;
}

/** The top-level boundary parameter as declared in the header block, or null. */
export function declaredBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const match = /boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : null;
}

/**
 * When the declared boundary never starts a line of the body but another "--token" line
 * repeats there, returns the message with the header's boundary replaced by that token.
 */
export function repairBoundary(raw: Buffer, declared: string): { raw: Buffer; boundary: string } | null {
  const offset = bodyOffset(raw);
  if (offset === -1) return null;
  const body = raw.subarray(offset, offset + Math.min(raw.length - offset, 8 << 20)).toString('latin1');
  if (body.includes(`--${declared}`)) return null;
  const counts = new Map<string, number>();
  for (const match of body.matchAll(/^--([\x21-\x7e]{1,200}?)(?:--)?[ \t]*\r?$/gm)) {
    counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  const used = [...counts].filter(([, count]) => count >= 2).sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!used) return null;
  const head = raw.subarray(0, offset).toString('latin1');
  const fixedHead = head.replace(/(boundary\s*=\s*)(?:"[^"]*"|[^\s;]+)/i, (_m, prefix: string) => `${prefix}"${used}"`);
  if (fixedHead === head) return null;
  return { raw: Buffer.concat([Buffer.from(fixedHead, 'latin1'), raw.subarray(offset)]), boundary: used };
}

const MAX_DEPTH = 32;
const CONTENT_TYPE_FIELD = /^content-type[ \t]*:(.*(?:\r?\n[ \t].*)*)/im;
const MULTIPART = /^multipart\/([a-z0-9!#$&^_.+-]*)/i;
/** A boundary parameter with a value (RFC 2231 forms included); an empty one is no boundary. */
const BOUNDARY_PARAM = /;\s*boundary\s*(\*[^=]*)?=\s*(?:"([^"]+)"|([^\s;"]+))/i;
const EMPTY_BOUNDARY_PARAM = /;\s*boundary\s*=\s*(?:""\s*)?(?=;|$)/gi;
/** What follows "--" on a delimiter line (trailing whitespace aside); a closing one's ends in "--". */
const DASH_TOKEN = /^[\x21-\x7e]{1,200}$/;
const PART_START = /^(?:\r?\n|\r?$|[\x21-\x39\x3b-\x7e]+[ \t]*:)/;

interface Edit {
  from: number;
  to: number;
  text: string;
}

/**
 * The boundary a multipart body that declares none uses: the token X of lines "--X" (opening a
 * part: the next line is a header or blank) closed by a line "--X--". Tokens declared as the
 * boundary of a nested part are theirs; when several are left, the one whose parts enclose all the
 * others. Null when there is no such token, or no single one.
 */
export function boundaryInBody(body: string): string | null {
  const lines = new Map<string, { first: number; last: number; opens: boolean }>();
  for (let at = body.startsWith('--') ? 0 : body.indexOf('\n--'); at !== -1; at = body.indexOf('\n--', at + 1)) {
    const start = body[at] === '\n' ? at + 1 : at;
    const newline = body.indexOf('\n', start);
    const lineEnd = newline === -1 ? body.length : newline;
    const token = body.slice(start + 2, lineEnd).replace(/[ \t\r]+$/, '');
    if (!DASH_TOKEN.test(token)) continue;
    const seen = lines.get(token);
    if (seen) seen.last = start;
    else lines.set(token, { first: start, last: start, opens: false });
    const line = lines.get(token)!;
    if (!line.opens) line.opens = newline === -1 || PART_START.test(body.slice(newline + 1, newline + 202));
  }
  const nested = new Set<string>();
  for (const match of body.matchAll(/boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))/gi)) nested.add(match[1] ?? match[2]);
  const candidates: { token: string; first: number; last: number }[] = [];
  for (const [token, opener] of lines) {
    if (!opener.opens || /^-*$/.test(token) || /["\\]/.test(token) || nested.has(token)) continue;
    const closer = lines.get(`${token}--`);
    if (closer && closer.last > opener.first) candidates.push({ token, first: opener.first, last: closer.last });
  }
  if (candidates.length <= 1) return candidates[0]?.token ?? null;
  const outer = candidates.filter((c) => candidates.every((o) => o === c || (c.first < o.first && c.last > o.last)));
  return outer.length === 1 ? outer[0].token : null;
}

/**
 * A multipart that declares no boundary parameter is read as a mail reader reads it: with the
 * boundary its body clearly uses (added to its Content-Type), else as text/plain (its Content-Type
 * says so). Nested multiparts are repaired the same way. Null when there is nothing to repair.
 */
export function repairMissingBoundaries(raw: Buffer): { raw: Buffer; warnings: string[] } | null {
  const edits: Edit[] = [];
  const warnings: string[] = [];
  const visit = (start: number, end: number, depth: number, label: string): void => {
    const split = depth < MAX_DEPTH ? splitHeaders(raw, start, end) : null;
    if (!split) return;
    const headers = raw.toString('latin1', start, split.headerEnd);
    const contentType = headerValue(headers, 'content-type');
    const multipart = contentType && MULTIPART.exec(contentType);
    if (!multipart) return;
    const declared = BOUNDARY_PARAM.exec(contentType);
    if (declared?.[1] !== undefined) return; // an RFC 2231 form: left to the decoder
    let boundary = declared ? (declared[2] ?? declared[3]) : null;
    if (boundary === null) {
      const field = CONTENT_TYPE_FIELD.exec(headers)!;
      const valueStart = start + field.index + field[0].length - field[1].length;
      let valueEnd = start + field.index + field[0].length;
      if (raw[valueEnd - 1] === 13) valueEnd--;
      const where = label ? `part ${label} (multipart/${multipart[1]})` : `multipart/${multipart[1]}`;
      // As the decoder reads it: parameters start at the first ";" (anything before it is the type).
      const semicolon = contentType.indexOf(';');
      const params =
        semicolon === -1
          ? ''
          : contentType
              .slice(semicolon)
              .replace(EMPTY_BOUNDARY_PARAM, '')
              .replace(/[\s;]+$/, '');
      boundary = boundaryInBody(raw.toString('latin1', split.bodyStart, end));
      if (boundary !== null) {
        edits.push({ from: valueStart, to: valueEnd, text: ` multipart/${multipart[1]}${params}; boundary="${boundary}"` });
        warnings.push(`${where} declares no boundary; parsed with "${boundary}", the boundary the body uses`);
      } else {
        edits.push({ from: valueStart, to: valueEnd, text: ` text/plain${params}` });
        warnings.push(`${where} declares no boundary and its body shows none; read as text/plain`);
        return;
      }
    }
    const delimiters = delimiterLines(raw, split.bodyStart, end, boundary);
    for (let i = 0; i < delimiters.length && !delimiters[i].closing; i++) {
      const partEnd = delimiters[i + 1]?.at ?? end;
      visit(delimiters[i].lineEnd, partEnd, depth + 1, label ? `${label}.${i + 1}` : String(i + 1));
    }
  };
  visit(0, raw.length, 0, '');
  if (edits.length === 0) return null;
  const pieces: Buffer[] = [];
  let from = 0;
  for (const edit of edits) {
    pieces.push(raw.subarray(from, edit.from), Buffer.from(edit.text, 'latin1'));
    from = edit.to;
  }
  pieces.push(raw.subarray(from));
  return { raw: Buffer.concat(pieces), warnings };
}

function decoderKnows(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** Whether a MIME charset label can be decoded (directly or by the usual alias spellings). */
export function isKnownCharset(label: string): boolean {
  const normalized = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (!normalized) return true;
  const variants = [
    normalized,
    normalized.replace(/^x-/, ''),
    normalized.replace(/^(?:cp|win(?:dows)?)[-_]?(\d+)$/, 'windows-$1'),
    normalized.replace(/^(?:cp|ibm)[-_]?(\d+)$/, 'ibm$1'),
    normalized.replace(/[_ ]/g, '-'),
    normalized.replace(/^(iso|utf|koi)[-_]?(\d)/, '$1-$2'),
  ];
  return variants.some(decoderKnows);
}

/** Charset labels declared in Content-Type headers (anywhere in the message) that cannot be decoded. */
export function unknownCharsets(raw: Buffer): string[] {
  const unknown = new Set<string>();
  let from = 0;
  for (let hits = 0; hits < 1000; hits++) {
    const at = raw.indexOf('charset', from, 'latin1');
    if (at === -1) break;
    from = at + 7;
    const context = raw.subarray(Math.max(0, at - 200), Math.min(raw.length, at + 80)).toString('latin1');
    const local = context.slice(Math.min(200, at));
    const before = context.slice(0, Math.min(200, at));
    const lastLines = before.split(/\r?\n/).slice(-3).join('\n');
    if (!/content-type\s*:/i.test(lastLines) || /<meta/i.test(lastLines)) continue;
    const match = /^charset\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(local);
    const label = match?.[1] ?? match?.[2];
    if (label && !isKnownCharset(label)) unknown.add(label);
  }
  return [...unknown];
}
