// HAR 1.2 of a capture: every exchange, redirects and failures included. Bodies are given decoded
// (content-encoding removed, as HAR expects) as text when they are text, otherwise base64.
import { isIP } from 'node:net';
import * as zlib from 'node:zlib';
import type { Capture, Exchange, HeaderLine } from '../../model.js';
import { headerValue, protocolToken, requestHeadText, responseHeadText } from '../../http/wire.js';

/** Decoding a body for the HAR stops here (a gzip bomb must not take the writer down). */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

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

export interface HarContent {
  size: number;
  compression?: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
  comment?: string;
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
    postData?: { mimeType: string; text: string; params?: HarNameValue[]; _encoding?: 'base64' };
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

export function toHar(capture: Capture): HarDocument {
  const { info } = capture;
  const entries = capture.exchanges
    .map((ex, order) => ({ ex, order, at: Date.parse(ex.startedAt) }))
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .map(({ ex }) => harEntry(ex));
  return {
    log: {
      version: '1.2',
      creator: { name: info.tool.name, version: info.tool.version },
      ...(info.browser ? { browser: { name: info.browser.name, version: info.browser.version } } : {}),
      pages: capture.pages.map((p) => ({
        startedDateTime: p.at,
        id: `page_${p.index}`,
        title: p.title || p.url,
        pageTimings: {},
      })),
      entries,
      comment: `${info.tool.name} ${info.mode} capture${info.url ? ` of ${info.url}` : ''}`,
    },
  };
}

function harEntry(ex: Exchange): HarEntry {
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
          content: harContent(res.body, res.headers, res.bodyTruncated),
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
  if (req.body.length > 0) entry.request.postData = postData(req.body, req.headers);
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

function postData(body: Buffer, headers: HeaderLine[]): NonNullable<HarEntry['request']['postData']> {
  const mimeType = headerValue(headers, 'content-type') ?? '';
  const text = textOf(body, mimeType, true);
  if (text === null) return { mimeType, text: body.toString('base64'), _encoding: 'base64' };
  const data: NonNullable<HarEntry['request']['postData']> = { mimeType, text };
  if (/^application\/x-www-form-urlencoded/i.test(mimeType)) {
    data.params = [...new URLSearchParams(text)].map(([name, value]) => ({ name, value }));
  }
  return data;
}

function harContent(body: Buffer, headers: HeaderLine[], truncated: boolean): HarContent {
  const mimeType = headerValue(headers, 'content-type') ?? 'x-unknown';
  const decoded = decodeContent(body, headerValue(headers, 'content-encoding'), truncated);
  const bytes = decoded.ok ? decoded.bytes : body;
  const content: HarContent = { size: bytes.length, mimeType };
  if (decoded.ok && bytes.length !== body.length) content.compression = bytes.length - body.length;
  if (bytes.length > 0) {
    const text = textOf(bytes, mimeType, false);
    if (text !== null) content.text = text;
    else {
      content.text = bytes.toString('base64');
      content.encoding = 'base64';
    }
  }
  if (!decoded.ok) content.comment = `content-encoding kept: ${decoded.reason}`;
  return content;
}

type Decoded = { ok: true; bytes: Buffer } | { ok: false; reason: string };

/** Undoes Content-Encoding (gzip, deflate, br; several in order); a body cut by the cap decodes as far as it goes. */
export function decodeContent(body: Buffer, contentEncoding: string | null, truncated = false): Decoded {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let bytes = body;
  try {
    for (const coding of codings.reverse()) {
      if (bytes.length === 0) break;
      const options: zlib.ZlibOptions = { maxOutputLength: MAX_DECODED_BYTES };
      if (truncated) options.finishFlush = zlib.constants.Z_SYNC_FLUSH;
      if (coding === 'gzip' || coding === 'x-gzip') bytes = zlib.gunzipSync(bytes, options);
      else if (coding === 'deflate') bytes = inflateEither(bytes, options);
      else if (coding === 'br') {
        bytes = zlib.brotliDecompressSync(bytes, {
          maxOutputLength: MAX_DECODED_BYTES,
          ...(truncated ? { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : {}),
        });
      } else return { ok: false, reason: `unsupported coding ${coding}` };
    }
    return { ok: true, bytes };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

function inflateEither(bytes: Buffer, options: zlib.ZlibOptions): Buffer {
  // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
  try {
    return zlib.inflateSync(bytes, options);
  } catch {
    return zlib.inflateRawSync(bytes, options);
  }
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
  // Without a textual type, control characters mean binary.
  if ((!known || !TEXTUAL.test(mimeType)) && /[\x00-\x08\x0e-\x1f]/.test(text)) return null;
  return text;
}
