// "Frame forwarding" (a registrar's masked redirect, a broker hiding the advertiser): the address bar
// stays on the broker's page, and that page's whole window is one frame of the landing page. Then
// the chain ends at the framed document, shown inside a frame of the page. Decided conservatively
// from the recorded evidence: the final page's DOM snapshot shows nothing but exactly one frame (no
// text, no image or control of its own, no fixed size given to the frame), and the proxy recorded
// that frame's document request (and its redirects); the frame's later documents too, when a
// Refresh, a meta refresh or the frame's own script moved it on (the browser noted that frame's
// new document and why: a `frame-document` event).
import { decodeHTML } from 'entities';
import type { Capture, Exchange, NavEvent } from '../model.js';
import { inFrameOf, type Hop } from '../report.js';
import { headerValue, headerValueAsUtf8, REDIRECT_STATUSES } from '../http/wire.js';
import { requestedAs } from '../http/url-key.js';
import { tlsOf } from './chain.js';
import { bodyText, findMetaRefresh, parseRefresh } from './body.js';
import { lastChainHop } from './tabs.js';

/** Elements that are content of the page's own: a page with any of them is more than a frame. */
const CONTENT_ELEMENTS = /<(img|picture|video|audio|canvas|svg|object|embed|input|select|textarea|button|form)\b/i;

/** What a page shows no one: removed before looking for text. */
const UNSEEN = /<!--[\s\S]*?-->|<(head|script|style|noscript|template|title)\b[\s\S]*?<\/\1\s*>/gi;

const FRAME = /<(iframe|frame)\b([^>]*)>/gi;

/** A size written as a length (300, 300px, 20em), not a share of the window (100%). */
function fixedSize(attributes: string): boolean {
  const attr = /\b(width|height)\s*=\s*["']?\s*(\d+(?:\.\d+)?)(px)?\s*["'\s>]/i.test(`${attributes} `);
  const style = /\bstyle\s*=\s*("[^"]*"|'[^']*')/i.exec(attributes)?.[1] ?? '';
  return attr || /(^|[;\s"'])(width|height)\s*:\s*\d+(\.\d+)?\s*(px|em|rem|pt|vw|vh)?\s*(;|["']|$)/i.test(style);
}

function attribute(attributes: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attributes);
  return m ? decodeHTML(m[1] ?? m[2] ?? m[3]).trim() : null;
}

/**
 * The `src` (as written) of the one frame a page's HTML consists of, or null: when the page has
 * text, an image or a control of its own, more than one frame, a frame given a fixed size (an ad
 * slot), a `<base>` (its frame's address would need it), or a frame without a `src`.
 */
export function onlyFrameSrc(html: string): string | null {
  if (/<base\b/i.test(html)) return null;
  const seen = html.replace(UNSEEN, ' ');
  const frames = [...seen.matchAll(FRAME)];
  if (frames.length !== 1 || fixedSize(frames[0][2])) return null;
  if (CONTENT_ELEMENTS.test(seen)) return null;
  const text = decodeHTML(
    seen
      .replace(/<iframe\b[\s\S]*?(<\/iframe\s*>|$)/gi, ' ')
      .replace(/<noframes\b[\s\S]*?(<\/noframes\s*>|$)/gi, ' ')
      .replace(/<[^>]*>/g, ' '),
  );
  if (text.replace(/[\s\u00a0\u200b]+/g, '') !== '') return null;
  const src = attribute(frames[0][2], 'src');
  return src ? src : null;
}

/** Whether the exchange is a frame's document request: Chromium says so (Sec-Fetch-Dest), or sends no such header (to http:). */
function frameDocumentRequest(exchange: Exchange): boolean {
  const dest = headerValue(exchange.request.headers, 'sec-fetch-dest');
  if (dest === null) return exchange.request.url.startsWith('http:');
  return dest === 'iframe' || dest === 'frame';
}

const MAX_REDIRECTS = 20;

/**
 * The hops of the framed landing page when the chain's last page is only a frame of it (see the
 * top): the frame's document request and its redirects, each shown inside a frame of that page.
 * None otherwise. `hops` are the chain's hops (chain.ts buildHops); numbered on from them.
 */
export function framedLandingHops(capture: Capture, hops: readonly Hop[]): Hop[] {
  const last = lastChainHop(hops);
  if (!last || last.frame !== undefined || last.error !== null || last.status === null || last.status < 200 || last.status > 299) return [];
  const topExchange = capture.exchanges.find((x) => x.id === last.exchange);
  const snapshot = capture.pages.at(-1);
  if (!topExchange || !snapshot?.dom || snapshot.frame || requestedAs(snapshot.url) !== requestedAs(last.url)) return [];
  const src = onlyFrameSrc(snapshot.dom.html);
  if (src === null) return [];
  let url: string;
  try {
    url = new URL(src, snapshot.url).href;
  } catch {
    return [];
  }
  const found: Hop[] = [];
  // An exchange already a hop's (the page's own, when it frames itself) is not the frame's.
  const used = new Set<Exchange>(capture.exchanges.filter((x) => hops.some((h) => h.exchange === x.id)));
  let after = topExchange.startedAt;
  // How the frame came to the next document: its src at first, then a redirect or a refresh.
  let how: Pick<Hop, 'via' | 'evidence'> = {
    via: 'frame-src',
    evidence: {
      detail: `the page is only a frame of it: <${/<frame\b/i.test(snapshot.dom.html) ? 'frame' : 'iframe'} src="${src}">, with nothing of its own beside it`,
    },
  };
  const unused = () =>
    capture.exchanges.filter(
      (x) => !used.has(x) && x.startedAt >= after && (x.request.method === 'GET' || x.request.method === 'POST') && frameDocumentRequest(x),
    );
  // The frame the page consists of, as the browser noted its documents (its first: the src loading).
  const frames = frameDocuments(capture.events, url, topExchange.startedAt);
  for (let n = 0; n <= MAX_REDIRECTS && /^https?:/i.test(url); n++) {
    const wanted = requestedAs(url);
    const exchange = unused().find((x) => requestedAs(x.request.url) === wanted);
    if (!exchange) break;
    used.add(exchange);
    after = exchange.startedAt;
    const status = exchange.response?.status ?? null;
    found.push({
      index: hops.length + found.length + 1,
      url,
      frame: last.url,
      method: exchange.request.method,
      status,
      via: how.via,
      evidence: { ...how.evidence, detail: inFrameOf(how.evidence.detail, last.url) },
      ip: exchange.remoteAddress ?? null,
      tls: tlsOf(exchange),
      contentType: exchange.response ? headerValue(exchange.response.headers, 'content-type') : null,
      timing: { startedAt: exchange.startedAt, ms: exchange.timing.totalMs ?? null },
      exchange: exchange.id,
      error: exchange.error ?? null,
    });
    const location = status !== null && REDIRECT_STATUSES.has(status) ? locationOf(exchange) : null;
    if (location !== null) {
      try {
        url = new URL(location, url).href;
      } catch {
        break;
      }
      how = { via: `http-${status}` as Hop['via'], evidence: { detail: `HTTP ${status}, Location: ${location}`, location } };
      continue;
    }
    // A document of the frame that moved the frame on by itself with a Refresh header or a meta
    // refresh (a tracker's "Loading…" page), as the frame's next document request proves; or by
    // its script, a form it submitted or a refresh its script added, as the browser told.
    const shown = status !== null && status >= 200 && status < 300;
    const refreshed = shown ? refreshOf(exchange, url, unused()) : null;
    const scripted = shown && !refreshed ? movedOnOf(frames, exchange, unused()) : null;
    const next = refreshed ?? scripted;
    if (!next) break;
    url = next.url;
    how = next.how;
  }
  // Only a document the frame showed ends the chain there; a frame that failed or went nowhere says nothing.
  const end = found.at(-1);
  if (!end || end.error !== null || end.status === null || end.status < 200 || end.status > 299) return [];
  return found;
}

/**
 * The frame's next document when `exchange` (its document at `url`) moved it on with a Refresh
 * header or a meta refresh and the frame requested that address (one of `later`, in order), with
 * the hop's label and evidence.
 */
function refreshOf(exchange: Exchange, url: string, later: Exchange[]): { url: string; how: Pick<Hop, 'via' | 'evidence'> } | null {
  const response = exchange.response!;
  const header = headerValue(response.headers, 'refresh');
  const refresh = header === null ? null : headerValueAsUtf8(header);
  const html = /html/i.test(headerValue(response.headers, 'content-type') ?? 'text/html') ? bodyText(response.body, response.headers) : '';
  const resolve = (target: string | null) => {
    try {
      return target === null ? null : new URL(target, url).href;
    } catch {
      return null;
    }
  };
  const byHeader = refresh === null ? null : resolve(parseRefresh(refresh).url);
  for (const next of later) {
    const wanted = requestedAs(next.request.url);
    if (byHeader !== null && requestedAs(byHeader) === wanted)
      return { url: byHeader, how: { via: 'refresh-header', evidence: { detail: `Refresh: ${refresh}`, refresh: refresh! } } };
    const meta = html ? findMetaRefresh(html, { base: url, url: next.request.url }) : null;
    const target = resolve(meta?.url ?? null);
    if (meta && target !== null && requestedAs(target) === wanted) {
      const delay = meta.delay === null ? '' : ` (delay ${meta.delay} s)`;
      return {
        url: target,
        how: {
          via: 'meta-refresh',
          evidence: { detail: `${meta.tag}${delay}`, refresh: meta.tag, ...(meta.delay === null ? {} : { delay: meta.delay }) },
        },
      };
    }
  }
  return null;
}

type FrameDocument = Extract<NavEvent, { type: 'frame-document' }>;

/** The documents the browser noted of the frame whose first document (its src) was `src`, after `since`. */
function frameDocuments(events: readonly NavEvent[], src: string, since: string): FrameDocument[] {
  const noted = events.filter((e): e is FrameDocument => e.type === 'frame-document' && e.at >= since);
  const first = noted.find((e) => requestedAs(e.url) === requestedAs(src));
  return first ? noted.filter((e) => e.frameId === first.frameId && e.at >= first.at) : [];
}

/**
 * The frame's next document when its document (`exchange`) moved it on by itself, as the browser
 * noted the frame's next document request and why (its script, a form it submitted, a meta refresh
 * its script added), and the proxy recorded it (one of `later`).
 */
function movedOnOf(
  frames: readonly FrameDocument[],
  exchange: Exchange,
  later: Exchange[],
): { url: string; how: Pick<Hop, 'via' | 'evidence'> } | null {
  const next = frames.find((e) => e.at >= exchange.startedAt && e.reason !== null && e.reason !== 'initialFrameNavigation');
  if (!next || !later.some((x) => requestedAs(x.request.url) === requestedAs(next.url))) return null;
  const reason = next.reason!;
  const byScript = next.initiator.type === 'script';
  const script: { scriptUrl?: string; scriptLine?: number } =
    byScript && next.initiator.url
      ? { scriptUrl: next.initiator.url, ...(next.initiator.line ? { scriptLine: next.initiator.line } : {}) }
      : {};
  const where = script.scriptUrl ? ` at ${script.scriptUrl}${script.scriptLine ? `:${script.scriptLine}` : ''}` : '';
  const how = (via: Hop['via'], detail: string): { url: string; how: Pick<Hop, 'via' | 'evidence'> } => ({
    url: next.url,
    how: { via, evidence: { detail, reason, ...script } },
  });
  switch (reason) {
    case 'scriptInitiated':
    case 'anchorClick':
      return how('javascript', `${reason === 'anchorClick' ? 'script clicked a link' : 'script navigation'}${where}`);
    case 'other':
    case 'reload':
      return byScript ? how('javascript', `script navigation${where}`) : null;
    case 'formSubmissionGet':
    case 'formSubmissionPost': {
      const method = reason === 'formSubmissionGet' ? 'GET' : 'POST';
      return how(method === 'GET' ? 'form-get' : 'form-post', `form submitted (${method})${where}`);
    }
    // Not in the document as served (refreshOf found none there): its script added it.
    case 'metaTagRefresh':
      return how('meta-refresh', `<meta http-equiv="refresh"> to ${next.url} (not in the page as served: its script added it)`);
    default:
      return null;
  }
}

function locationOf(exchange: Exchange | undefined): string | null {
  const header = exchange?.response ? headerValue(exchange.response.headers, 'location') : null;
  return header === null ? null : headerValueAsUtf8(header);
}
