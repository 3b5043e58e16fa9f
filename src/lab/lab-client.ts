// Talking to a running lab without a browser: `labRequest` sends one request to the lab's
// ports with Host/SNI set and the lab CA trusted; `walkChain` follows a scenario the way a
// browser would (3xx, Refresh, meta refresh, the lab's JavaScript/form/frame idioms, clicks)
// by reading the lab's own page templates. Used by the lab's tests; handy for others' too.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { Lab } from './lab.js';

export interface LabResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header name/value pairs as received. */
  rawHeaders: string[];
  body: Buffer;
  tls: { authorized: boolean; authorizationError: string | null; certificate: PeerCertificate; protocol: string | null } | null;
}

export interface LabRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Verify the server certificate against the lab CA (default true). */
  verify?: boolean;
  /** Give up after this many milliseconds (rejects with code 'ETIMEDOUT'). */
  timeoutMs?: number;
}

const caCache = new Map<string, Buffer>();

/** One request to the lab for an absolute lab URL, on a fresh connection. */
export function labRequest(
  lab: Pick<Lab, 'httpPort' | 'httpsPort' | 'caCertPath'>,
  url: string,
  opts: LabRequestOptions = {},
): Promise<LabResponse> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  let ca = caCache.get(lab.caCertPath);
  if (!ca) caCache.set(lab.caCertPath, (ca = readFileSync(lab.caCertPath)));
  const common = {
    host: '127.0.0.1',
    port: https ? lab.httpsPort : lab.httpPort,
    method: opts.method ?? 'GET',
    path: `${u.pathname}${u.search}`,
    headers: {
      Host: u.hostname,
      ...(body ? { 'Content-Length': String(body.length) } : {}),
      ...opts.headers,
    },
    agent: false as const,
    // The lab sends hostile heads on purpose; a browser takes them, values and sizes (to 256 KB).
    insecureHTTPParser: true,
    maxHeaderSize: 256 * 1024,
  };
  return new Promise((resolve, reject) => {
    const req = https
      ? httpsRequest({ ...common, servername: u.hostname, ca, rejectUnauthorized: opts.verify ?? true })
      : httpRequest(common);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as TLSSocket;
      const tls = https
        ? {
            authorized: socket.authorized,
            authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
            certificate: socket.getPeerCertificate(),
            protocol: socket.getProtocol(),
          }
        : null;
      const done = () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), tls });
      res.on('data', (c: Buffer) => chunks.push(c));
      // A body cut short is taken as far as it came, as a browser shows it.
      res.on('error', done);
      res.on('end', done);
    });
    req.on('error', reject);
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('lab request timed out'), { code: 'ETIMEDOUT' })));
    }
    req.end(body);
  });
}

export interface WalkedHop {
  url: string;
  method: string;
  via: string;
  status: number;
}

export interface WalkResult {
  hops: WalkedHop[];
  final: { url: string; status: number; title: string | null };
  /** Set when the walk stopped for a reason other than reaching a resting page. */
  stopped: 'max-hops' | 'download' | null;
}

export interface WalkOptions {
  clicks?: string[];
  maxHops?: number;
  headers?: Record<string, string>;
}

/** Request headers of an ordinary desktop browser (what cloaking pages want to see). */
export const BROWSER_HEADERS: Record<string, string> = {
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
};

/**
 * What the page's frames (and theirs, `depth` levels down) make of the page: a frame's document
 * setting top.location (frame-top), or posting where to go to a page that listens for messages.
 */
async function frameNavigation(
  lab: Pick<Lab, 'httpPort' | 'httpsPort' | 'caCertPath'>,
  html: string,
  base: string,
  headers: Record<string, string>,
  depth: number,
): Promise<Next | null> {
  if (depth === 0) return null;
  for (const frame of html.matchAll(/<iframe src="([^"]+)"/g)) {
    const frameUrl = new URL(unescapeHtml(frame[1]), base).href;
    const doc = (await labRequest(lab, frameUrl, { headers, verify: false })).body.toString('utf8');
    const assignment = /top\.location\s*=\s*("(?:[^"\\]|\\.)*")/.exec(doc);
    if (assignment) return { url: new URL(JSON.parse(assignment[1]) as string, frameUrl).href, via: 'frame-top', method: 'GET' };
    const posted = POSTED_NEXT.exec(doc);
    if (posted && /addEventListener\('message'/.test(html))
      return { url: new URL(JSON.parse(posted[1]) as string, base).href, via: 'javascript', method: 'GET' };
    const deeper = await frameNavigation(lab, doc, frameUrl, headers, depth - 1);
    if (deeper) return deeper;
  }
  return null;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const JS_STRING = String.raw`("(?:[^"\\]|\\.)*")`;
const LOCATION_ASSIGNMENT = new RegExp(String.raw`(?:location\.href|top\.location)\s*=\s*` + JS_STRING);
const WINDOW_OPEN = new RegExp(String.raw`window\.open\(` + JS_STRING);
/** A page asking an API where to go (mechanisms.ts javascriptApi): `fetch("...")` or `.open('GET', "...")`, answered `{"url": ...}`. */
const ROUTE_API_CALL = new RegExp(String.raw`(?:fetch\(|\.open\('GET',\s*)` + JS_STRING);
/** A button's handler navigating (deferred-clicks.ts): `location.assign("...")`. */
const LOCATION_ASSIGN_CALL = new RegExp(String.raw`location\.assign\(` + JS_STRING);

/** A frame's message to its page saying where to go (mechanisms.ts frameCrossOrigin): `parent.postMessage({ next: "..." }, ...)`. */
const POSTED_NEXT = new RegExp(String.raw`parent\.postMessage\(\{\s*next:\s*` + JS_STRING);
/** Frames within frames are looked into this deep. */
const FRAME_DEPTH = 2;

interface Next {
  url: string;
  via: string;
  method: string;
  body?: string;
}

/** Follows a chain from `url` the way the lab's pages tell a browser to go. */
export async function walkChain(
  lab: Pick<Lab, 'httpPort' | 'httpsPort' | 'caCertPath'>,
  url: string,
  opts: WalkOptions = {},
): Promise<WalkResult> {
  const clicks = [...(opts.clicks ?? [])];
  const maxHops = opts.maxHops ?? 40;
  const headers = opts.headers ?? BROWSER_HEADERS;
  const hops: WalkedHop[] = [];
  let next: Next = { url, via: 'start', method: 'GET' };
  for (;;) {
    const body = next.body;
    const res = await labRequest(lab, next.url, {
      method: next.method,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      verify: false,
    });
    hops.push({ url: next.url, method: next.method, via: next.via, status: res.status });
    const html = res.body.toString('utf8');
    const title = /<title>([\s\S]*?)<\/title>/.exec(html)?.[1] ?? null;
    const resting = { hops, final: { url: next.url, status: res.status, title: title === null ? null : unescapeHtml(title) } };
    if (hops.length >= maxHops) return { ...resting, stopped: 'max-hops' };
    if (/attachment/i.test(String(res.headers['content-disposition'] ?? ''))) return { ...resting, stopped: 'download' };
    const found = await nextFromResponse(lab, next, res, html, clicks, headers);
    if (!found) return { ...resting, stopped: null };
    next = found;
  }
}

async function nextFromResponse(
  lab: Pick<Lab, 'httpPort' | 'httpsPort' | 'caCertPath'>,
  current: Next,
  res: LabResponse,
  html: string,
  clicks: string[],
  headers: Record<string, string>,
): Promise<Next | null> {
  const here = current.url;
  const location = res.headers.location;
  if (res.status >= 300 && res.status < 400 && location) {
    const keepMethod = res.status === 307 || res.status === 308;
    return {
      url: new URL(location, here).href,
      via: `http-${res.status}`,
      method: keepMethod ? current.method : 'GET',
      ...(keepMethod && current.body !== undefined ? { body: current.body } : {}),
    };
  }
  const refresh = /^\s*\d+\s*;\s*url=(.+)$/i.exec(String(res.headers.refresh ?? ''));
  if (refresh) return { url: new URL(refresh[1].trim(), here).href, via: 'refresh-header', method: 'GET' };
  const meta = /<meta http-equiv="refresh" content="\d+; url=([^"]*)">/i.exec(html);
  if (meta) return { url: new URL(unescapeHtml(meta[1]), here).href, via: 'meta-refresh', method: 'GET' };
  const form = /<form id="f" method="(get|post)" action="([^"]*)">([\s\S]*?)<\/form>/.exec(html);
  if (form && /\.submit\(\)/.test(html)) {
    const fields = new URLSearchParams();
    for (const m of form[3].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
      fields.append(unescapeHtml(m[1]), unescapeHtml(m[2]));
    const action = new URL(unescapeHtml(form[2]), here);
    if (form[1] === 'get') {
      action.search = fields.toString();
      return { url: action.href, via: 'form-get', method: 'GET' };
    }
    return { url: action.href, via: 'form-post', method: 'POST', body: fields.toString() };
  }
  const inline = LOCATION_ASSIGNMENT.exec(html);
  if (inline) return { url: new URL(JSON.parse(inline[1]) as string, here).href, via: 'javascript', method: 'GET' };
  const api = ROUTE_API_CALL.exec(html);
  if (api && /location\.href\s*=/.test(html)) {
    const answer = await labRequest(lab, new URL(JSON.parse(api[1]) as string, here).href, { headers, verify: false });
    const routed = (JSON.parse(answer.body.toString('utf8')) as { url?: unknown }).url;
    if (typeof routed === 'string') return { url: new URL(routed, here).href, via: 'javascript', method: 'GET' };
  }
  for (const m of html.matchAll(/<script src="([^"]+)"><\/script>/g)) {
    const script = await labRequest(lab, new URL(unescapeHtml(m[1]), here).href, { headers, verify: false });
    const assignment = LOCATION_ASSIGNMENT.exec(script.body.toString('utf8'));
    if (assignment) return { url: new URL(JSON.parse(assignment[1]) as string, here).href, via: 'javascript', method: 'GET' };
  }
  const framed = await frameNavigation(lab, html, here, headers, FRAME_DEPTH);
  if (framed) return framed;
  const text = clicks.shift();
  if (text !== undefined) {
    for (const m of html.matchAll(/<a [^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)) {
      if (unescapeHtml(m[2]).trim() === text) return { url: new URL(unescapeHtml(m[1]), here).href, via: 'click', method: 'GET' };
    }
    const button = new RegExp(String.raw`<button[^>]*>${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</button>`).test(html);
    const open = WINDOW_OPEN.exec(html);
    if (button && open) return { url: new URL(JSON.parse(open[1]) as string, here).href, via: 'popup', method: 'GET' };
    const assign = LOCATION_ASSIGN_CALL.exec(html);
    if (button && assign) return { url: new URL(JSON.parse(assign[1]) as string, here).href, via: 'click', method: 'GET' };
    throw new Error(`nothing to click with text ${JSON.stringify(text)} on ${here}`);
  }
  return null;
}
