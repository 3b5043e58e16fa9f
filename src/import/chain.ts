// Imported captures have no browser events, so the document chain is reconstructed from the
// exchanges and expressed as the NavEvents the CDP observer would have emitted: one `page`, a
// `doc-request` per document request (a redirect continuation keeps the requestId of the request
// it continues, with the redirect's status and Location, as CDP does), `doc-response` for the
// final response of each request, `doc-failed` for recorded failures, and `settled` at the end.
import type { Exchange, NavEvent } from '../model.js';
import { headerValue } from '../http/wire.js';
import { servedTitle } from '../analyze/body.js';

export type Initiator = Extract<NavEvent, { type: 'doc-request' }>['initiator'];

export interface ChainHints {
  /** Resource type from the recorder ("document", "script", ...), when it has one (HAR `_resourceType`). */
  resourceType?: (x: Exchange) => string | null;
  /** How the request came about, when the recorder knows (HAR `_initiator`). */
  initiator?: (x: Exchange) => Initiator | null;
  /** Redirect target when it is not in a Location header (HAR `redirectURL`). */
  redirectTarget?: (x: Exchange) => string | null;
}

export const IMPORTED_PAGE_ID = 'page-1';
const UNKNOWN_INITIATOR: Initiator = { type: 'other', url: null, line: null, column: null };

export function synthesizeDocumentChain(exchanges: Exchange[], hints: ChainHints = {}): NavEvent[] {
  const isDocument = documentClassifier(exchanges, hints);
  const redirectTarget = (x: Exchange) => (x.response && headerValue(x.response.headers, 'location')) || hints.redirectTarget?.(x) || null;
  const events: NavEvent[] = [];
  let pageOpened = false;
  let requestCount = 0;
  let last: { x: Exchange; requestId: string } | null = null;
  // Redirect targets not yet requested, by normalized URL, oldest first.
  const pending = new Map<string, { x: Exchange; requestId: string; location: string; initiator: Initiator }[]>();

  for (const x of exchanges) {
    const key = normalizeUrl(x.request.url);
    const continued = key === null ? undefined : pending.get(key)?.shift();
    if (!continued && !isDocument(x)) continue;
    if (!pageOpened) {
      events.push({ type: 'page', at: x.startedAt, pageId: IMPORTED_PAGE_ID, openerPageId: null });
      pageOpened = true;
    }
    const requestId = continued?.requestId ?? `doc-${++requestCount}`;
    const initiator = continued?.initiator ?? hints.initiator?.(x) ?? UNKNOWN_INITIATOR;
    events.push({
      type: 'doc-request',
      at: x.startedAt,
      pageId: IMPORTED_PAGE_ID,
      requestId,
      url: x.request.url,
      method: x.request.method,
      redirectStatus: continued?.x.response?.status ?? null,
      redirectLocation: continued?.location ?? null,
      initiator,
      hasUserGesture: false,
    });
    const location = isRedirectStatus(x.response?.status) ? redirectTarget(x) : null;
    const target = location === null ? null : resolveUrl(location, x.request.url);
    if (target !== null && location !== null) {
      const queue = pending.get(target) ?? [];
      queue.push({ x, requestId, location, initiator });
      pending.set(target, queue);
    } else {
      events.push(finalEvent(x, requestId));
      last = { x, requestId };
    }
  }

  // A redirect nobody followed is where that request ended.
  for (const queue of pending.values()) {
    for (const unfollowed of queue) {
      events.push(finalEvent(unfollowed.x, unfollowed.requestId));
      if (!last || unfollowed.x.startedAt >= last.x.startedAt) last = unfollowed;
    }
  }
  if (last?.x.response) {
    events.push({
      type: 'settled',
      at: last.x.endedAt ?? last.x.startedAt,
      pageId: IMPORTED_PAGE_ID,
      url: last.x.request.url,
      title: htmlTitle(last.x),
      snapshot: null,
    });
  }
  return sortByTime(events);
}

function finalEvent(x: Exchange, requestId: string): NavEvent {
  if (!x.response) {
    return {
      type: 'doc-failed',
      at: x.endedAt ?? x.startedAt,
      pageId: IMPORTED_PAGE_ID,
      requestId,
      url: x.request.url,
      errorText: x.error ?? 'no response recorded',
    };
  }
  return {
    type: 'doc-response',
    at: responseTime(x),
    pageId: IMPORTED_PAGE_ID,
    requestId,
    url: x.request.url,
    status: x.response.status,
    mimeType: (headerValue(x.response.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase(),
  };
}

/**
 * Which requests are top-level documents. Fetch metadata (`Sec-Fetch-Dest`) decides when present,
 * then the recorder's resource type, then `Accept: text/html`. A capture with none of these signs
 * comes from a non-browser client (curl, a script) where every request is a navigation of its own.
 */
function documentClassifier(exchanges: Exchange[], hints: ChainHints): (x: Exchange) => boolean {
  const dest = (x: Exchange) => headerValue(x.request.headers, 'sec-fetch-dest')?.toLowerCase() ?? null;
  const acceptsHtml = (x: Exchange) => /text\/html/i.test(headerValue(x.request.headers, 'accept') ?? '');
  const fromBrowser = exchanges.some((x) => dest(x) !== null || hints.resourceType?.(x) || acceptsHtml(x));
  return (x) => {
    if (x.request.method === 'CONNECT') return false;
    const d = dest(x);
    if (d !== null) return d === 'document';
    const type = hints.resourceType?.(x);
    if (type) return type.toLowerCase() === 'document';
    return fromBrowser ? acceptsHtml(x) : true;
  };
}

const isRedirectStatus = (status: number | undefined) => status !== undefined && status >= 300 && status < 400 && status !== 304;

export function normalizeUrl(url: string): string | null {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

function resolveUrl(location: string, base: string): string | null {
  try {
    const u = new URL(location, base);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

function responseTime(x: Exchange): string {
  if (x.timing.ttfbMs !== null) return new Date(Date.parse(x.startedAt) + x.timing.ttfbMs).toISOString();
  return x.endedAt ?? x.startedAt;
}

function htmlTitle(x: Exchange): string {
  const res = x.response!;
  const encoding = headerValue(res.headers, 'content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return '';
  return servedTitle(res.body.subarray(0, 64 * 1024).toString('utf8')) ?? '';
}

function sortByTime(events: NavEvent[]): NavEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
}
