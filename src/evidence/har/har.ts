// HAR 1.2 of a capture: every exchange, redirects and failures included. Bodies are given decoded
// (content-encoding removed, as HAR expects) as text when they are text, otherwise base64.
//
// The file is written entry by entry and what it inlines is capped, per body and in all, so that
// no page (three gzip bombs of NUL bytes, say) can make it larger than a JSON reader takes. A body
// left out keeps its full decoded size in `content.size` and says why in `content.comment` and
// `content._clicktrace`; the WARC holds every body as received.
import { createHash } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Capture, Exchange, HeaderLine } from '../../model.js';
import { headerValue, protocolToken, requestHeadText, responseHeadText } from '../../http/wire.js';
import { ContentDecoder, MAX_DECODED_BYTES, contentCodings, decodeContent, type ContentMeasure } from '../../http/content-coding.js';

/** The most of one body (decoded) the HAR inlines. */
export const HAR_BODY_INLINE_LIMIT = 16 * 1024 * 1024;
/** The most the HAR inlines over all its bodies (as text or base64 characters). */
export const HAR_TOTAL_INLINE_LIMIT = 64 * 1024 * 1024;

export interface HarLimits {
  body: number;
  total: number;
}

const DEFAULT_LIMITS: HarLimits = { body: HAR_BODY_INLINE_LIMIT, total: HAR_TOTAL_INLINE_LIMIT };

interface HarNameValue {
  name: string;
  value: string;
}

interface HarCookie extends HarNameValue {
  path?: string;
  domain?: string;
  expires?: string | null;
  httpOnly?: boolean;
  secure?: boolean;
}

/** Why a body is not in the HAR, and the cap that applied (bytes for `body`/`decode`, characters for `total`). */
export interface HarNotInlined {
  notInlined: 'body-limit' | 'total-limit' | 'decode-limit';
  limit: number;
}

export interface HarContent {
  /** The decoded size, also when the body is not inlined (with `decode-limit`: decoding stopped there). */
  size: number;
  compression?: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
  comment?: string;
  _clicktrace?: HarNotInlined;
}

export interface HarPostData {
  mimeType: string;
  text?: string;
  params?: HarNameValue[];
  _encoding?: 'base64';
  comment?: string;
  _clicktrace?: HarNotInlined;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarCookie[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: HarPostData;
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarCookie[];
    headers: HarNameValue[];
    content: HarContent;
    redirectURL: string;
    headersSize: number;
    bodySize: number;
    _error?: string;
    _bodyTruncated?: boolean;
  };
  cache: Record<string, never>;
  timings: { blocked: number; dns: number; connect: number; ssl: number; send: number; wait: number; receive: number };
  serverIPAddress?: string;
  _exchangeId: string;
  _error?: string;
}

export interface HarDocument {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    browser?: { name: string; version: string };
    pages: { startedDateTime: string; id: string; title: string; pageTimings: Record<string, number> }[];
    entries: HarEntry[];
    comment?: string;
  };
}

/** The whole HAR in memory: for small captures and tests; cases are written with writeHar. */
export async function harDocument(capture: Capture, limits: HarLimits = DEFAULT_LIMITS): Promise<HarDocument> {
  const budget = new InlineBudget(limits);
  const entries: HarEntry[] = [];
  for (const ex of inHarOrder(capture)) entries.push(await harEntry(ex, budget));
  return { log: { ...harHead(capture), entries, comment: harComment(capture) } };
}

/**
 * Writes capture.har entry by entry (pretty-printed like JSON.stringify(har, null, 2)); only one
 * entry is ever held as a string. A file cut by a failure is removed, and the failure thrown.
 */
export async function writeHar(
  path: string,
  capture: Capture,
  limits: HarLimits = DEFAULT_LIMITS,
): Promise<{ bytes: number; sha256: string }> {
  let fd: number | null = openSync(path, 'w');
  const hash = createHash('sha256');
  let bytes = 0;
  // Small entries are gathered and written a megabyte at a time.
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = () => {
    const data = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingLength = 0;
    for (let done = 0; done < data.length;) done += writeSync(fd!, data, done, data.length - done);
    hash.update(data);
    bytes += data.length;
  };
  const write = (text: string) => {
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= 1024 * 1024) flush();
  };
  try {
    // The skeleton holds one placeholder entry; a literal newline inside the marker cannot come
    // from a string value (JSON escapes it), so no title or URL can fake it.
    const skeleton = JSON.stringify({ log: { ...harHead(capture), entries: [0], comment: harComment(capture) } }, null, 2);
    const marker = '"entries": [\n      0\n    ]';
    const at = skeleton.indexOf(marker);
    if (at < 0) throw new Error('HAR skeleton without its entries marker');
    write(`${skeleton.slice(0, at)}"entries": [`);
    const budget = new InlineBudget(limits);
    let first = true;
    for (const ex of inHarOrder(capture)) {
      const entry = await harEntry(ex, budget);
      write(`${first ? '' : ','}\n      ${JSON.stringify(entry, null, 2).replace(/\n/g, '\n      ')}`);
      first = false;
    }
    write(`${first ? '' : '\n    '}]${skeleton.slice(at + marker.length)}\n`);
    flush();
    closeSync(fd);
    fd = null;
  } catch (err) {
    if (fd !== null) closeSync(fd);
    unlinkSync(path);
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function harHead(capture: Capture): Omit<HarDocument['log'], 'entries' | 'comment'> {
  const { info } = capture;
  return {
    version: '1.2',
    creator: { name: info.tool.name, version: info.tool.version },
    ...(info.browser ? { browser: { name: info.browser.name, version: info.browser.version } } : {}),
    pages: capture.pages.map((p) => ({
      startedDateTime: p.at,
      id: `page_${p.index}`,
      title: p.title || p.url,
      pageTimings: {},
    })),
  };
}

function harComment({ info }: Capture): string {
  return `${info.tool.name} ${info.mode} capture${info.url ? ` of ${info.url}` : ''}`;
}

function inHarOrder(capture: Capture): Exchange[] {
  return capture.exchanges
    .map((ex, order) => ({ ex, order, at: Date.parse(ex.startedAt) }))
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .map(({ ex }) => ex);
}

/** What the HAR may still inline: a cap per body (decoded bytes) and one for all bodies (characters). */
class InlineBudget {
  private remaining: number;

  constructor(readonly limits: HarLimits) {
    this.remaining = limits.total;
  }

  /** Takes `chars` from the budget when they fit. */
  take(chars: number): boolean {
    if (chars > this.remaining) return false;
    this.remaining -= chars;
    return true;
  }
}

async function harEntry(ex: Exchange, budget: InlineBudget): Promise<HarEntry> {
  const { request: req, response: res } = ex;
  const timings = harTimings(ex);
  const time = Object.values(timings).reduce((sum, t) => sum + Math.max(0, t), 0);
  const entry: HarEntry = {
    startedDateTime: ex.startedAt,
    time,
    request: {
      method: req.method,
      url: req.url,
      httpVersion: protocolToken(req.httpVersion),
      cookies: requestCookies(req.headers),
      headers: nameValues(req.headers),
      queryString: queryString(req.url),
      headersSize: Buffer.byteLength(requestHeadText(req), 'latin1'),
      bodySize: req.body.length,
    },
    response: res
      ? {
          status: res.status,
          statusText: res.statusText,
          httpVersion: protocolToken(res.httpVersion),
          cookies: responseCookies(res.headers),
          headers: nameValues(res.headers),
          content: await harContent(res.body, res.headers, res.bodyTruncated, budget),
          redirectURL: redirectUrl(res.headers, req.url),
          headersSize: Buffer.byteLength(responseHeadText(res), 'latin1'),
          bodySize: res.bodyLength,
          ...(res.bodyTruncated ? { _bodyTruncated: true } : {}),
        }
      : {
          status: 0,
          statusText: '',
          httpVersion: '',
          cookies: [],
          headers: [],
          content: { size: 0, mimeType: 'x-unknown' },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
          ...(ex.error ? { _error: ex.error } : {}),
        },
    cache: {},
    timings,
    _exchangeId: ex.id,
  };
  if (req.body.length > 0) entry.request.postData = postData(req.body, req.headers, budget);
  const ip = ex.remoteAddress?.replace(/^\[|\]$/g, '');
  if (ip && isIP(ip)) entry.serverIPAddress = ip;
  if (ex.error) entry._error = ex.error;
  return entry;
}

function harTimings(ex: Exchange): HarEntry['timings'] {
  const { dnsMs, connectMs, ttfbMs, totalMs } = ex.timing;
  const dns = dnsMs ?? -1;
  const connect = connectMs ?? -1;
  const before = Math.max(0, dns) + Math.max(0, connect);
  const wait = ttfbMs !== null ? Math.max(0, ttfbMs - before) : totalMs !== null ? Math.max(0, totalMs - before) : 0;
  const receive = ttfbMs !== null && totalMs !== null ? Math.max(0, totalMs - ttfbMs) : 0;
  return { blocked: -1, dns, connect, ssl: -1, send: 0, wait, receive };
}

function nameValues(headers: HeaderLine[]): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function requestCookies(headers: HeaderLine[]): HarCookie[] {
  const cookies: HarCookie[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'cookie') continue;
    for (const part of value.split(';')) {
      const pair = splitPair(part);
      if (pair) cookies.push(pair);
    }
  }
  return cookies;
}

function responseCookies(headers: HeaderLine[]): HarCookie[] {
  const cookies: HarCookie[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    const [first, ...attributes] = value.split(';');
    const pair = splitPair(first ?? '');
    if (!pair) continue;
    const cookie: HarCookie = { ...pair };
    for (const attribute of attributes) {
      const [key, val = ''] = attribute.split('=', 2).map((s) => s.trim()) as [string, string?];
      switch (key.toLowerCase()) {
        case 'path':
          cookie.path = val;
          break;
        case 'domain':
          cookie.domain = val;
          break;
        case 'expires': {
          const time = Date.parse(val);
          cookie.expires = Number.isNaN(time) ? val : new Date(time).toISOString();
          break;
        }
        case 'httponly':
          cookie.httpOnly = true;
          break;
        case 'secure':
          cookie.secure = true;
          break;
      }
    }
    cookies.push(cookie);
  }
  return cookies;
}

function splitPair(text: string): HarNameValue | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const eq = trimmed.indexOf('=');
  return eq < 0 ? { name: '', value: trimmed } : { name: trimmed.slice(0, eq).trim(), value: trimmed.slice(eq + 1).trim() };
}

function redirectUrl(headers: HeaderLine[], base: string): string {
  const location = headerValue(headers, 'location');
  if (location === null) return '';
  try {
    return new URL(location.trim(), base).href;
  } catch {
    return location;
  }
}

function postData(body: Buffer, headers: HeaderLine[], budget: InlineBudget): HarPostData {
  const mimeType = headerValue(headers, 'content-type') ?? '';
  if (body.length > budget.limits.body) return { mimeType, ...notInlined('body-limit', budget.limits.body, body.length) };
  const text = textOf(body, mimeType, true);
  const inline = text ?? body.toString('base64');
  if (!budget.take(inline.length)) return { mimeType, ...notInlined('total-limit', budget.limits.total, body.length) };
  if (text === null) return { mimeType, text: inline, _encoding: 'base64' };
  const data: HarPostData = { mimeType, text };
  if (/^application\/x-www-form-urlencoded/i.test(mimeType)) {
    data.params = [...new URLSearchParams(text)].map(([name, value]) => ({ name, value }));
  }
  return data;
}

/**
 * The response body decoded and inlined when it fits; otherwise its decoded size (counted as it
 * streams through the decoder: only what could be inlined is held) and why it is left out. A
 * body that does not decode is given as received, with the reason.
 */
async function harContent(body: Buffer, headers: HeaderLine[], truncated: boolean, budget: InlineBudget): Promise<HarContent> {
  const mimeType = headerValue(headers, 'content-type') ?? 'x-unknown';
  if (body.length === 0) return { size: 0, mimeType };
  const contentEncoding = headerValue(headers, 'content-encoding');
  if (contentCodings(contentEncoding).length === 0) return inlined(body, mimeType, budget);
  const decoded = await decodeForHar(body, contentEncoding, truncated, budget.limits.body);
  if (decoded.error !== null) {
    const content = inlined(body, mimeType, budget, true);
    content.comment = `content-encoding kept: ${decoded.error}${content.comment ? `; ${content.comment}` : ''}`;
    return content;
  }
  const content: HarContent = decoded.overLimit
    ? { mimeType, ...notInlined('decode-limit', MAX_DECODED_BYTES, decoded.size) }
    : decoded.size > budget.limits.body
      ? { mimeType, ...notInlined('body-limit', budget.limits.body, decoded.size) }
      : inlined(decoded.head, mimeType, budget);
  if (decoded.size !== body.length) content.compression = decoded.size - body.length;
  return content;
}

/** Bodies decoding to less than this are decoded in one go; larger ones are measured first. */
const SYNC_DECODE_BYTES = 1024 * 1024;

async function decodeForHar(body: Buffer, contentEncoding: string | null, truncated: boolean, keep: number): Promise<ContentMeasure> {
  const quick = decodeContent(body, contentEncoding, { truncated, limit: Math.min(keep, SYNC_DECODE_BYTES) });
  if (quick.ok) return { size: quick.bytes.length, overLimit: false, head: quick.bytes, error: null };
  if (!quick.overLimit) return { size: 0, overLimit: false, head: Buffer.alloc(0), error: quick.reason };
  // Larger: counted as it streams, nothing held (a bomb costs no memory), and decoded whole only
  // when it fits the inline limit.
  const decoder = new ContentDecoder(contentEncoding, { truncated });
  decoder.write(body);
  const measured = await decoder.end();
  if (measured.error !== null || measured.overLimit || measured.size > keep) return measured;
  const whole = decodeContent(body, contentEncoding, { truncated, limit: keep });
  return whole.ok ? { ...measured, head: whole.bytes } : { ...measured, error: whole.reason };
}

function inlined(bytes: Buffer, mimeType: string, budget: InlineBudget, binary = false): HarContent {
  if (bytes.length > budget.limits.body) return { mimeType, ...notInlined('body-limit', budget.limits.body, bytes.length) };
  const text = binary ? null : textOf(bytes, mimeType, false);
  const value = text ?? bytes.toString('base64');
  if (!budget.take(value.length)) return { mimeType, ...notInlined('total-limit', budget.limits.total, bytes.length) };
  return text === null ? { size: bytes.length, mimeType, text: value, encoding: 'base64' } : { size: bytes.length, mimeType, text: value };
}

function notInlined(
  why: HarNotInlined['notInlined'],
  limit: number,
  size: number,
): { size: number; comment: string; _clicktrace: HarNotInlined } {
  const n = (v: number) => v.toLocaleString('en-US');
  const comment =
    why === 'body-limit'
      ? `not inlined: ${n(size)} bytes, over the HAR's limit of ${n(limit)} bytes per body; the WARC holds the body as received`
      : why === 'total-limit'
        ? `not inlined: the HAR's limit of ${n(limit)} characters for all bodies is reached; the WARC holds the body as received`
        : `not inlined: decoding stopped at ${n(limit)} bytes, the body is larger; the WARC holds it as received`;
  return { size, comment, _clicktrace: { notInlined: why, limit } };
}

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|ecmascript|x-www-form-urlencoded)|image\/svg\+xml)/i;

/** The body as a string when it is text, else null (to be given as base64). */
function textOf(bytes: Buffer, mimeType: string, lenientMime: boolean): string | null {
  const known = mimeType.trim() !== '' && mimeType !== 'x-unknown';
  if (known && !TEXTUAL.test(mimeType) && !lenientMime) return null;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(mimeType)?.[1] ?? 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  }
  // Without a textual type, control characters mean binary; NUL means binary whatever the type
  // says (and would take six characters each in the JSON).
  if ((!known || !TEXTUAL.test(mimeType)) && /[\x00-\x08\x0e-\x1f]/.test(text)) return null;
  if (text.includes('\u0000')) return null;
  return text;
}
