// Imported captures have no browser events, so the document chain is reconstructed from the
// exchanges and expressed as the NavEvents the CDP observer would have emitted: one `page`, a
// `doc-request` per document request (a redirect continuation keeps the requestId of the request
// it continues, with the redirect's status and Location, as CDP does), `doc-response` for the
// final response of each request, `doc-failed` for recorded failures, and `settled` at the end.
import type { Exchange, NavEvent } from '../model.js';
import { headerValue } from '../http/wire.js';
import { servedTitle } from '../analyze/body.js';
import { nextDocuments, type NextDocument } from './next-document.js';
import { sortByStart } from './common.js';

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

/** A document the capture loaded (its answer was not a redirect), on the page of the chain it is in. */
interface Loaded {
  x: Exchange;
  pageId: string;
  url: string;
  /** A frame's document, loaded inside the page: not a hop, but its script may move the page on, and its URL be a Referer. */
  frame?: true;
}

export function synthesizeDocumentChain(exchanges: Exchange[], hints: ChainHints = {}): NavEvent[] {
  const fromBrowser = exchanges.some((x) => browserSigns(x, hints));
  const isDocument = documentClassifier(fromBrowser, hints);
  const loaded: Loaded[] = [];
  // A frame's document: said so by fetch metadata, else (plain HTTP) named as a frame's src by a page loaded before.
  const isFrame = (x: Exchange, key: string) => {
    const d = dest(x);
    if (d !== null) return d === 'iframe' || d === 'frame';
    return (
      isDocument(x) &&
      loaded.some((l) => l.x.startedAt <= x.startedAt && nextDocuments(l.x).some((n) => n.kind === 'frame' && n.url === key))
    );
  };
  const redirectTarget = (x: Exchange) => (x.response && headerValue(x.response.headers, 'location')) || hints.redirectTarget?.(x) || null;
  const events: NavEvent[] = [];
  let requestCount = 0;
  // The end of the first chain: the one the report follows (the link as given).
  let last: { x: Exchange; requestId: string; pageId: string } | null = null;
  // Redirect targets not yet requested, by normalized URL, oldest first.
  const pending = new Map<string, { x: Exchange; requestId: string; location: string; initiator: Initiator; pageId: string }[]>();
  const ended = (x: Exchange, requestId: string, pageId: string) => {
    if (pageId === IMPORTED_PAGE_ID && (!last || x.startedAt >= last.x.startedAt)) last = { x, requestId, pageId };
  };

  // In the order they were sent: the proxy records an exchange when it ends, and a page's script
  // may send the browser on before the page's own exchange has ended.
  for (const x of sortByStart(exchanges, (e) => e.startedAt)) {
    const key = normalizeUrl(x.request.url);
    const continued = key === null ? undefined : pending.get(key)?.shift();
    if (!continued && key !== null && isFrame(x, key)) {
      // In the page of the document whose frame it is (its Referer, or the src in that page).
      const parent = x.response ? cameFrom(x, key, loaded, fromBrowser) : null;
      if (parent) loaded.push({ x, pageId: parent.doc.pageId, url: key, frame: true });
      continue;
    }
    if (!continued && !isDocument(x)) continue;
    let pageId = continued?.pageId;
    let initiator = continued?.initiator ?? hints.initiator?.(x) ?? null;
    if (!pageId) {
      const from = key === null ? null : cameFrom(x, key, loaded, fromBrowser);
      if (from) {
        pageId = from.doc.pageId;
        if (from.how.kind === 'meta-refresh' || from.how.kind === 'refresh-header')
          events.push({
            type: 'nav-requested',
            at: x.startedAt,
            pageId,
            reason: from.how.kind === 'meta-refresh' ? 'metaTagRefresh' : 'httpHeaderRefresh',
            url: x.request.url,
            disposition: 'currentTab',
          });
        if (from.how.kind === 'script')
          initiator ??= {
            type: 'script',
            url: from.doc.x.request.url,
            line: from.how.line,
            column: null,
            ...(from.doc.frame ? { fromChildFrame: true } : {}),
          };
      } else {
        pageId = events.some((e) => e.type === 'page') ? `page-${events.filter((e) => e.type === 'page').length + 1}` : IMPORTED_PAGE_ID;
        events.push({ type: 'page', at: x.startedAt, pageId, openerPageId: null });
      }
    }
    const requestId = continued?.requestId ?? `doc-${++requestCount}`;
    initiator ??= UNKNOWN_INITIATOR;
    events.push({
      type: 'doc-request',
      at: x.startedAt,
      pageId,
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
      queue.push({ x, requestId, location, initiator, pageId });
      pending.set(target, queue);
    } else {
      events.push(finalEvent(x, requestId, pageId));
      if (x.response && key !== null) loaded.push({ x, pageId, url: key });
      ended(x, requestId, pageId);
    }
  }

  // A redirect nobody followed is where that request ended.
  for (const queue of pending.values()) {
    for (const unfollowed of queue) {
      events.push(finalEvent(unfollowed.x, unfollowed.requestId, unfollowed.pageId));
      ended(unfollowed.x, unfollowed.requestId, unfollowed.pageId);
    }
  }
  const end = last as { x: Exchange; pageId: string } | null;
  if (end?.x.response) {
    events.push({
      type: 'settled',
      at: end.x.endedAt ?? end.x.startedAt,
      pageId: end.pageId,
      url: end.x.request.url,
      title: htmlTitle(end.x),
      snapshot: null,
    });
  }
  return sortByTime(events);
}

/**
 * The earlier document a document request (not a redirect's) went on from, by what was recorded:
 * the page whose answer named it as where to go (Refresh header, meta refresh, a script's
 * location) unless the request's Referer names another origin; else the page its Referer names
 * (the whole URL, or only its origin as a browser sends cross-origin); else, with no Referer, the
 * page that links to it (rel=noreferrer), or for a browser that says a page made the request
 * (Sec-Fetch-Site other than "none") the document loaded last. None: the request starts a chain
 * of its own (a URL typed, pasted or opened from outside the browser: Sec-Fetch-Site "none"; a
 * Referer of a page the capture did not load; a client with no sign of where it came from, curl).
 */
function cameFrom(
  x: Exchange,
  key: string,
  loaded: readonly Loaded[],
  fromBrowser: boolean,
): { doc: Loaded; how: NextDocument | { kind: 'referer' | 'no-referrer' | 'right-after' } } | null {
  const site = headerValue(x.request.headers, 'sec-fetch-site')?.trim().toLowerCase() ?? null;
  if (site === 'none') return null;
  const earlier = loaded.filter((l) => l.x.startedAt <= x.startedAt).reverse();
  const namedBy = (kinds: (kind: NextDocument['kind']) => boolean) => {
    for (const doc of earlier) {
      const next = nextDocuments(doc.x).find((n) => kinds(n.kind) && n.url === key);
      if (next) return { doc, how: next };
    }
    return null;
  };
  const sent = namedBy((kind) => kind !== 'link');
  const header = headerValue(x.request.headers, 'referer');
  const referer = header === null ? null : normalizeUrl(header.trim());
  if (referer !== null) {
    if (sent && originOf(sent.doc.url) === originOf(referer)) return sent;
    const doc =
      earlier.find((l) => l.url === referer) ??
      (isOriginOnly(referer) ? earlier.find((l) => originOf(l.url) === originOf(referer)) : undefined);
    return doc ? { doc, how: { kind: 'referer' } } : sent;
  }
  if (sent) return sent;
  const linked = namedBy((kind) => kind === 'link');
  if (linked) return linked;
  if (site !== null && earlier.length) return { doc: earlier[0], how: { kind: 'no-referrer' } };
  // Neither Referer nor fetch metadata (plain HTTP from HTTPS drops both): a browser's request sent
  // right after a page loaded is that page's doing (its refresh or script, whose body a browser's
  // HAR does not keep once it moved on); a person takes longer to go elsewhere.
  const latest = earlier[0];
  if (
    site === null &&
    fromBrowser &&
    latest &&
    Date.parse(x.startedAt) - Date.parse(latest.x.endedAt ?? latest.x.startedAt) <= RIGHT_AFTER_MS
  )
    return { doc: latest, how: { kind: 'right-after' } };
  return null;
}

/** How soon after a page loaded a navigation with no other sign of its origin is taken as the page's. */
const RIGHT_AFTER_MS = 1000;

const originOf = (url: string) => new URL(url).origin;
const isOriginOnly = (url: string) => {
  const u = new URL(url);
  return u.pathname === '/' && u.search === '';
};

function finalEvent(x: Exchange, requestId: string, pageId: string): NavEvent {
  if (!x.response) {
    return {
      type: 'doc-failed',
      at: x.endedAt ?? x.startedAt,
      pageId,
      requestId,
      url: x.request.url,
      errorText: x.error ?? 'no response recorded',
    };
  }
  return {
    type: 'doc-response',
    at: responseTime(x),
    pageId,
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
function documentClassifier(fromBrowser: boolean, hints: ChainHints): (x: Exchange) => boolean {
  return (x) => {
    if (x.request.method === 'CONNECT') return false;
    // A prefetch is not a navigation: the page it was fetched for is requested (or served from it) on its own.
    const purpose = headerValue(x.request.headers, 'sec-purpose') ?? headerValue(x.request.headers, 'purpose');
    if (purpose !== null && /prefetch/i.test(purpose)) return false;
    const d = dest(x);
    if (d !== null) return d === 'document';
    const type = hints.resourceType?.(x);
    if (type) return type.toLowerCase() === 'document';
    return fromBrowser ? acceptsHtml(x) : true;
  };
}

const dest = (x: Exchange) => headerValue(x.request.headers, 'sec-fetch-dest')?.toLowerCase() ?? null;
const acceptsHtml = (x: Exchange) => /text\/html/i.test(headerValue(x.request.headers, 'accept') ?? '');
/** Whether a request shows it came from a browser: fetch metadata, the recorder's resource type, an Accept naming HTML. */
const browserSigns = (x: Exchange, hints: ChainHints) => dest(x) !== null || Boolean(hints.resourceType?.(x)) || acceptsHtml(x);

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
