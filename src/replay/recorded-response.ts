// The response the replay server sends for a recorded exchange: recorded status, headers and raw
// body, made safe to open in a browser that matters.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Exchange, HeaderLine } from '../model.js';
import { headerValue } from '../http/wire.js';
import { decodeContent } from '../http/content-coding.js';
import { rewriteHtml, rewriteLocation, rewriteRefresh } from './rewrite.js';

export type ReplayMode = 'proxy' | 'prefix';

export interface ReplayContext {
  /** 'proxy': the browser uses the replay server as its HTTP proxy; 'prefix': it asks for /<url>. */
  mode: ReplayMode;
  /** Origin the browser reached the replay server at, e.g. http://127.0.0.1:8090. */
  replayOrigin: string;
  allowScripts: boolean;
}

export interface ReplayedResponse {
  status: number;
  statusText: string;
  headers: HeaderLine[];
  body: Buffer;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

// These act beyond the page (cookies stored for the real site, violation reports and NEL sent to
// the live site, HSTS and Alt-Svc pins, cleared storage, cached redirects), so the replay keeps
// them readable under another name instead of letting the browser obey them.
const NEUTRALIZED = new Set([
  'set-cookie',
  'content-security-policy',
  'content-security-policy-report-only',
  'report-to',
  'reporting-endpoints',
  'nel',
  'strict-transport-security',
  'alt-svc',
  'clear-site-data',
]);
export const RECORDED_PREFIX = 'X-Clicktrace-Recorded-';

const NO_BODY_STATUSES = new Set([204, 205, 304]);

export function contentSecurityPolicy(ctx: ReplayContext): string {
  const sandbox = ctx.allowScripts ? 'sandbox allow-scripts allow-forms allow-popups allow-modals' : 'sandbox';
  if (ctx.mode === 'proxy') return sandbox;
  // Rewritten pages only name the replay server; anything else they would load is refused.
  const self = ctx.replayOrigin;
  return `${sandbox}; default-src ${self} data: blob: 'unsafe-inline'; form-action ${self}`;
}

function replayHeaders(ctx: ReplayContext, exchangeId: string | null): HeaderLine[] {
  const headers: HeaderLine[] = [
    ['Content-Security-Policy', contentSecurityPolicy(ctx)],
    ['Cache-Control', 'no-store'], // the next request for a URL must reach the replay, in order
  ];
  if (ctx.mode === 'prefix') headers.push(['Referrer-Policy', 'unsafe-url']); // lets root-relative requests be placed
  if (exchangeId) headers.push(['X-Clicktrace-Exchange', exchangeId]);
  return headers;
}

export function replayResponse(x: Exchange, ctx: ReplayContext): ReplayedResponse {
  const res = x.response;
  if (!res) {
    return textResponse(502, 'Bad Gateway', `recorded failure: ${x.error ?? 'no response recorded'}\n`, ctx, x.id);
  }
  const named = connectionNamedHeaders(res.headers);
  const headers: HeaderLine[] = [];
  for (const [name, value] of res.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || lower === 'content-length' || !isSendable(name, value)) continue;
    if (NEUTRALIZED.has(lower)) headers.push([`${RECORDED_PREFIX}${name}`, value]);
    else if (ctx.mode === 'prefix' && lower === 'location') headers.push([name, rewriteLocation(value, x.request.url)]);
    else if (ctx.mode === 'prefix' && lower === 'refresh') headers.push([name, rewriteRefresh(value, x.request.url)]);
    else headers.push([name, value]);
  }

  let body = res.body;
  if (ctx.mode === 'prefix' && isHtml(res.headers)) {
    const decoded = decodeContent(res.body, headerValue(res.headers, 'content-encoding'));
    if (decoded.ok) {
      body = Buffer.from(rewriteHtml(decoded.bytes.toString('latin1'), x.request.url), 'latin1');
      removeHeader(headers, 'content-encoding');
    }
  }
  if (NO_BODY_STATUSES.has(res.status)) body = Buffer.alloc(0);
  else headers.push(['Content-Length', String(body.length)]);
  if (res.bodyTruncated) headers.push(['X-Clicktrace-Body-Truncated', `recorded ${res.body.length} of ${res.bodyLength} bytes`]);
  headers.push(...replayHeaders(ctx, x.id));
  return { status: res.status, statusText: res.statusText, headers, body };
}

export function textResponse(
  status: number,
  statusText: string,
  text: string,
  ctx: ReplayContext,
  exchangeId: string | null = null,
): ReplayedResponse {
  const body = Buffer.from(text, 'utf8');
  return {
    status,
    statusText,
    headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(body.length)], ...replayHeaders(ctx, exchangeId)],
    body,
  };
}

export function redirectResponse(location: string, ctx: ReplayContext): ReplayedResponse {
  const response = textResponse(307, 'Temporary Redirect', `see ${location}\n`, ctx);
  return { ...response, headers: [['Location', location], ...response.headers] };
}

function connectionNamedHeaders(headers: HeaderLine[]): Set<string> {
  const named = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection') for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  return named;
}

/** HTTP/2 pseudo-headers and bytes Node refuses to send are left out rather than failing the response. */
function isSendable(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

function removeHeader(headers: HeaderLine[], lowerName: string): void {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0].toLowerCase() === lowerName) headers.splice(i, 1);
}

function isHtml(headers: HeaderLine[]): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(headerValue(headers, 'content-type') ?? '');
}
