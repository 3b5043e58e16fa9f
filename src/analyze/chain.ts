// From recorded evidence to the chain: one hop per top-level document request (and per document
// request of a child frame our click navigated: the chain went on inside the page), each labelled
// with how the browser got there (`via`) and the evidence behind the label.
import { HISTORY_REASON, type Capture, type Exchange, type NavEvent } from '../model.js';
import { inFrameOf, type Hop, type HopEvidence, type HopTls, type Via } from '../report.js';
import { bodyText, findMetaRefresh } from './body.js';
import { headerValue, headerValueAsUtf8, REDIRECT_STATUSES } from '../http/wire.js';
import { requestedAs } from '../http/url-key.js';
import { otherTabHops } from './tabs.js';

type DocRequest = Extract<NavEvent, { type: 'doc-request' }>;

/**
 * Pairs each document request with the proxy exchange that carried it (same method and URL, in
 * order). A request of the same URL that cannot have loaded a document comes second: a page's
 * `<link rel=prefetch>` of its next hop, or its fetch() or image of it, made before the browser
 * went there. It is taken only when no other was recorded (a speculation rules prefetch the
 * navigation was then served from).
 */
export function matchExchanges(docs: DocRequest[], exchanges: Exchange[]): (Exchange | null)[] {
  // ISO timestamps and ids order by code units; localeCompare would also build an ICU collator
  // (~30 ms the first time, on the critical path of a cold trace).
  const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const ordered = [...exchanges].sort((a, b) => byCodeUnits(a.startedAt, b.startedAt) || byCodeUnits(a.id, b.id));
  const used = new Set<Exchange>();
  return docs.map((doc) => {
    // The proxy records the request as sent: without the fragment, and without user:password@.
    const url = requestedAs(doc.url);
    const candidates = ordered.filter((x) => !used.has(x) && x.request.method === doc.method && requestedAs(x.request.url) === url);
    const found = candidates.find(mayBeDocumentRequest) ?? candidates[0];
    if (found) used.add(found);
    return found ?? null;
  });
}

const DOCUMENT_DESTINATIONS = new Set(['document', 'iframe', 'frame']);

/**
 * Whether a recorded request may be a navigation's, by its headers: not a prefetch (Sec-Purpose,
 * or the older Purpose), and a document's Sec-Fetch-Dest where one was sent (to https only);
 * without it, an Accept that takes HTML (an image's or fetch()'s does not name it).
 */
function mayBeDocumentRequest(exchange: Exchange): boolean {
  const headers = exchange.request.headers;
  const purpose = headerValue(headers, 'sec-purpose') ?? headerValue(headers, 'purpose');
  if (purpose && /prefetch/i.test(purpose)) return false;
  const dest = headerValue(headers, 'sec-fetch-dest');
  if (dest !== null) return DOCUMENT_DESTINATIONS.has(dest.trim().toLowerCase());
  const accept = headerValue(headers, 'accept');
  return accept === null || /text\/html/i.test(accept);
}

export function tlsOf(exchange: Exchange | null): HopTls | null {
  const tls = exchange?.tls;
  if (!tls) return null;
  const leaf = tls.chain[0];
  return {
    protocol: tls.protocol,
    authorized: tls.authorized,
    error: tls.authorizationError,
    cert: leaf
      ? {
          subject: leaf.subject,
          issuer: leaf.issuer,
          sans: leaf.sans,
          validFrom: leaf.validFrom,
          validTo: leaf.validTo,
          sha256: leaf.sha256,
        }
      : null,
  };
}

function contentTypeOf(exchange: Exchange | null, events: NavEvent[], doc: DocRequest): string | null {
  if (exchange?.response) return headerValue(exchange.response.headers, 'content-type');
  const response = events.find((e) => e.type === 'doc-response' && e.requestId === doc.requestId && e.url === doc.url);
  return response && response.type === 'doc-response' ? response.mimeType : null;
}

interface Context {
  capture: Capture;
  /** Of a capture without browser events that holds several separate chains, the chain (1-based) of each page that starts one. */
  chainOf: Map<string, number>;
  docs: DocRequest[];
  exchanges: (Exchange | null)[];
  firstDocOfPage: Set<DocRequest>;
  openerOf: Map<string, string | null>;
}

/** The events of the page between two of its documents; of its top document's, or of the frame `to` was requested in. */
function eventsBetween(ctx: Context, pageId: string, from: DocRequest | null, to: DocRequest): NavEvent[] {
  const events = ctx.capture.events;
  const start = from ? events.indexOf(from) + 1 : 0;
  const end = events.indexOf(to);
  return events
    .slice(start, end)
    .filter(
      (e) =>
        e.pageId === pageId &&
        (e.type === 'click' || (e.type === 'nudge' && to.frameId === undefined) || ('frameId' in e ? e.frameId : undefined) === to.frameId),
    );
}

/** The URL of the top page a frame's document was requested in (null: `doc` is the top's own). */
function frameOf(ctx: Context, index: number): string | null {
  const doc = ctx.docs[index];
  if (doc.frameId === undefined) return null;
  if (doc.topUrl) return doc.topUrl;
  for (let i = index - 1; i >= 0; i--) if (ctx.docs[i].pageId === doc.pageId && ctx.docs[i].frameId === undefined) return ctx.docs[i].url;
  return null;
}

function label(ctx: Context, index: number): { via: Via; evidence: HopEvidence } {
  const found = labelOf(ctx, index);
  const frame = frameOf(ctx, index);
  if (frame === null) return found;
  // Said of every document of the frame: what it shows, it shows inside the page.
  return { ...found, evidence: { ...found.evidence, detail: inFrameOf(found.evidence.detail, frame) } };
}

function labelOf(ctx: Context, index: number): { via: Via; evidence: HopEvidence } {
  const doc = ctx.docs[index];
  // The document this one replaced: the last earlier one of the same page (popups interleave); a
  // redirect's, the request it continues (a frame's and the top's may interleave).
  let previousIndex = index - 1;
  const continues = (d: DocRequest) => d.pageId === doc.pageId && (doc.redirectStatus === null || d.requestId === doc.requestId);
  while (previousIndex >= 0 && !continues(ctx.docs[previousIndex])) previousIndex--;
  if (previousIndex < 0 && doc.redirectStatus !== null) {
    previousIndex = index - 1;
    while (previousIndex >= 0 && ctx.docs[previousIndex].pageId !== doc.pageId) previousIndex--;
  }
  const previous = previousIndex >= 0 ? ctx.docs[previousIndex] : null;
  const previousExchange = previousIndex >= 0 ? ctx.exchanges[previousIndex]! : null;

  if (doc.redirectStatus !== null) {
    const status = doc.redirectStatus;
    // The Location header as the server sent it (recorded); Chromium's copy is what the proxy could
    // forward, with control characters replaced by spaces.
    // Recorded one character per byte; a browser reads the URL in it as UTF-8.
    const header = previousExchange?.response?.status === status ? headerValue(previousExchange.response.headers, 'location') : null;
    const recorded = header === null ? null : headerValueAsUtf8(header);
    const location = recorded ?? doc.redirectLocation;
    // An HSTS upgrade: the browser's own 307, the URL it replaced never requested (a server's
    // redirect saying the same in a header of its own was recorded on the wire).
    const byBrowser = header === null && /^[A-Za-z][A-Za-z -]{0,39}$/.test(doc.redirectByBrowser ?? '') ? doc.redirectByBrowser : null;
    const made = byBrowser ? ` made by the browser itself (${byBrowser}), nothing sent for the URL before` : '';
    return {
      via: REDIRECT_STATUSES.has(status) ? (`http-${status}` as Via) : 'other',
      evidence: { detail: `HTTP ${status}${made}, Location: ${location ?? '(none)'}`, ...(location ? { location } : {}) },
    };
  }

  if (ctx.firstDocOfPage.has(doc)) {
    const opener = ctx.openerOf.get(doc.pageId) ?? null;
    const chain = ctx.chainOf.get(doc.pageId) ?? 1;
    if (opener === null && chain > 1) return { via: 'start', evidence: { detail: `visited separately (chain ${chain}): ${SEPARATE}` } };
    if (opener === null) return { via: 'start', evidence: { detail: 'the link as given' } };
    const click = lastOfType(ctx.capture.events.slice(0, ctx.capture.events.indexOf(doc)), 'click', opener);
    const open = lastOfType(ctx.capture.events.slice(0, ctx.capture.events.indexOf(doc)), 'nav-requested', opener);
    const how = open && open.type === 'nav-requested' ? ` (${open.reason}, ${open.disposition})` : '';
    return {
      via: 'popup',
      evidence: {
        detail: `new window opened by page ${opener}${how}${click && click.type === 'click' ? ` after clicking "${click.text}"` : ''}`,
        ...(click && click.type === 'click' ? { clickText: click.text } : {}),
        ...(open && open.type === 'nav-requested' ? { reason: open.reason } : {}),
      },
    };
  }

  const between = eventsBetween(ctx, doc.pageId, previous, doc);
  const requested = [...between].reverse().find((e) => e.type === 'nav-requested' && e.disposition === 'currentTab');
  const click = [...between].reverse().find((e) => e.type === 'click');
  const reason = requested && requested.type === 'nav-requested' ? requested.reason : null;
  const script = doc.initiator.url
    ? { scriptUrl: doc.initiator.url, ...(doc.initiator.line ? { scriptLine: doc.initiator.line } : {}) }
    : {};
  const where = doc.initiator.url ? ` at ${doc.initiator.url}${doc.initiator.line ? `:${doc.initiator.line}` : ''}` : '';

  if (
    click &&
    click.type === 'click' &&
    (reason === null || reason === 'anchorClick' || reason.startsWith('formSubmission') || doc.hasUserGesture)
  ) {
    return {
      via: 'click',
      evidence: {
        detail: `clicked "${click.text}"${click.target ? ` → ${click.target}` : ''}`,
        clickText: click.text,
        ...(reason ? { reason } : {}),
      },
    };
  }
  return withNudge(byReason(doc, reason, between, previous, previousExchange, where, script), between, doc);
}

/**
 * A navigation that came only after the trace nudged the resting page (capture/nudge.ts: nothing
 * else was pending, or the page would not have been at rest): said with its mechanism.
 */
function withNudge(found: { via: Via; evidence: HopEvidence }, between: NavEvent[], doc: DocRequest): { via: Via; evidence: HopEvidence } {
  // A click after the nudge (--click, --explore) is what a later navigation answers, not the nudge.
  let lastClick = between.length - 1;
  while (lastClick >= 0 && between[lastClick].type !== 'click') lastClick--;
  const afterClick = between.slice(lastClick + 1);
  const nudges = afterClick.filter((e): e is Extract<NavEvent, { type: 'nudge' }> => e.type === 'nudge');
  const actions = [...new Set(nudges.flatMap((e) => e.actions))];
  if (actions.length === 0) return found;
  const done = describeNudge(actions);
  // A timer or interval of the page was due by the time it moved on: it may have moved by itself
  // (a countdown past the settle limit). Said so, and not called a human check.
  const timerDue = nudges.some(
    (e) => e.timerDueInMs !== undefined && Date.parse(e.at) + e.timerDueInMs <= Date.parse(doc.at) + TIMER_SLACK_MS,
  );
  if (timerDue)
    return {
      via: found.via,
      evidence: {
        ...found.evidence,
        detail: `${found.evidence.detail}; after simulated ${done}, but a timer the page had set was due by then: it may have moved on by itself`,
      },
    };
  return {
    via: found.via,
    evidence: { ...found.evidence, detail: `${found.evidence.detail}; ${nudgeSentence(done)}`, afterNudge: done },
  };
}

/** A timer's run and the navigation it starts are not at the same millisecond. */
const TIMER_SLACK_MS = 250;

/** How a nudge's actions (capture/nudge.ts) read in a sentence: "mouse movement, wheel scroll". */
export function describeNudge(actions: readonly string[]): string {
  const words: Record<string, string> = {
    focus: 'window focus',
    mouse: 'mouse movement',
    wheel: 'wheel scroll',
    touch: 'a touch',
    scroll: 'scrolling',
  };
  return actions.map((a) => words[a] ?? a).join(', ');
}

/** What a hop after a nudge says of it. */
export function nudgeSentence(done: string): string {
  return `only after simulated ${done} (a human check)`;
}

function byReason(
  doc: DocRequest,
  reason: string | null,
  between: NavEvent[],
  previous: DocRequest | null,
  previousExchange: Exchange | null,
  where: string,
  script: { scriptUrl?: string; scriptLine?: number },
): { via: Via; evidence: HopEvidence } {
  switch (reason) {
    case 'httpHeaderRefresh': {
      const header = previousExchange?.response ? headerValue(previousExchange.response.headers, 'refresh') : null;
      const refresh = header === null ? null : headerValueAsUtf8(header);
      return {
        via: 'refresh-header',
        evidence: { detail: `Refresh: ${refresh ?? '(header not recorded)'}`, reason, ...(refresh ? { refresh } : {}) },
      };
    }
    case 'metaTagRefresh': {
      const scheduled = [...between].reverse().find((e) => e.type === 'nav-scheduled');
      const delay = scheduled && scheduled.type === 'nav-scheduled' ? scheduled.delay : undefined;
      const meta = previousExchange?.response
        ? findMetaRefresh(bodyText(previousExchange.response.body, previousExchange.response.headers), {
            base: previous?.url ?? doc.url,
            url: doc.url,
          })
        : null;
      const shownDelay = delay ?? meta?.delay ?? undefined;
      // Not in the page as it was served (the whole body recorded): its script wrote the tag later.
      const written = !meta && previousExchange?.response && !previousExchange.response.bodyTruncated;
      const tag = meta ? meta.tag : written ? `<meta http-equiv="refresh"> to ${doc.url}` : '<meta http-equiv="refresh">';
      const notes = [
        ...(shownDelay !== undefined ? [`delay ${shownDelay} s`] : []),
        ...(written ? ['not in the page as served: its script added it'] : []),
      ];
      return {
        via: 'meta-refresh',
        evidence: {
          detail: `${tag}${notes.length ? ` (${notes.join('; ')})` : ''}`,
          reason,
          ...(meta ? { refresh: meta.tag } : {}),
          ...(shownDelay !== undefined ? { delay: shownDelay } : {}),
        },
      };
    }
    case HISTORY_REASON:
      // The page's script (history.back(), history.go(-1)) or the visitor went to an earlier entry of
      // the tab; its document was not kept (no back/forward cache), so the browser asked for it again.
      return {
        via: 'history',
        evidence: {
          detail: `history navigation${previous ? ` from ${previous.url}` : ''} back or forward to an earlier page of the tab, requested again`,
          reason,
        },
      };
    case 'formSubmissionGet':
    case 'formSubmissionPost':
      return {
        via: reason === 'formSubmissionGet' ? 'form-get' : 'form-post',
        evidence: { detail: `form submitted (${doc.method})${where}`, reason, ...script },
      };
    case 'reload':
    case 'reloadBypassingCache':
      // location.reload(), often after history.pushState/replaceState changed the address it loads.
      if (doc.initiator.type !== 'script') break;
      return {
        via: fromChildFrame(doc) ? 'frame-top' : 'javascript',
        evidence: { detail: `script reloaded the page${where}`, reason, ...script },
      };
    // Chromium gives window.open(url, '_self') (and other script navigations of the same tab) the
    // reason "other": a script initiator says a script moved the page.
    case 'scriptInitiated':
    case 'anchorClick':
    case 'other':
    case null:
      if ((reason === null || reason === 'other') && doc.initiator.type !== 'script') break;
      if (fromChildFrame(doc)) {
        return { via: 'frame-top', evidence: { detail: `a frame navigated the top page${where}`, reason: reason ?? 'script', ...script } };
      }
      return {
        via: 'javascript',
        evidence: {
          detail: `${reason === 'anchorClick' ? 'script clicked a link' : 'script navigation'}${where}`,
          reason: reason ?? 'script',
          ...script,
        },
      };
    default:
      break;
  }
  return {
    via: 'other',
    evidence: { detail: reason ? `navigation (${reason})${where}` : `navigation${where}`, ...(reason ? { reason } : {}), ...script },
  };
}

/**
 * Whether a child frame's script made the request. The capture knows child frames by the URLs they
 * loaded; a srcdoc frame loads none, and a top-level document is never about:srcdoc.
 */
function fromChildFrame(doc: DocRequest): boolean {
  return doc.initiator.fromChildFrame === true || doc.initiator.url === 'about:srcdoc';
}

function lastOfType(events: NavEvent[], type: NavEvent['type'], pageId: string): NavEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === type && e.pageId === pageId) return e;
  }
  return undefined;
}

/** Why a capture without browser events (the proxy's, an import) holds a document in a chain of its own. */
const SEPARATE = 'no redirect, Referer, refresh or script of an earlier recorded document leads here';

/**
 * The chains of a capture without browser events (import/chain.ts gives each its own page, opened
 * by none): each such page's number, in time order; empty when there is only one. A browser trace
 * follows one link: a page of its opened by none (a noopener popup) is not a separate chain.
 */
function separateChains(capture: Capture): Map<string, number> {
  if (capture.info.mode === 'trace') return new Map();
  const roots = capture.events.filter((e) => e.type === 'page' && e.openerPageId === null).map((e) => e.pageId);
  return new Map(roots.length > 1 ? roots.map((pageId, i) => [pageId, i + 1]) : []);
}

export function buildHops(capture: Capture): Hop[] {
  const docs = capture.events.filter((e): e is DocRequest => e.type === 'doc-request');
  const exchanges = matchExchanges(docs, capture.exchanges);
  const openerOf = new Map<string, string | null>();
  for (const e of capture.events) if (e.type === 'page') openerOf.set(e.pageId, e.openerPageId);
  const firstDocOfPage = new Set<DocRequest>();
  const seenPages = new Set<string>();
  for (const doc of docs) {
    if (!seenPages.has(doc.pageId)) {
      seenPages.add(doc.pageId);
      firstDocOfPage.add(doc);
    }
  }
  const chainOf = separateChains(capture);
  const ctx: Context = { capture, docs, exchanges, firstDocOfPage, openerOf, chainOf };
  const rested = capture.events.filter((e) => e.type === 'settled').at(-1);
  const otherTab = otherTabHops(docs, openerOf, rested?.pageId ?? null);
  const hops: Hop[] = docs.map((doc, i) => {
    const exchange = exchanges[i] ?? null;
    const { via, evidence } = label(ctx, i);
    // Redirects share one requestId: a failure or response belongs to the last hop of that request.
    const lastOfRequest = !docs.slice(i + 1).some((d) => d.requestId === doc.requestId && d.pageId === doc.pageId);
    const failed = lastOfRequest ? capture.events.find((e) => e.type === 'doc-failed' && e.requestId === doc.requestId) : undefined;
    const response = capture.events.find((e) => e.type === 'doc-response' && e.requestId === doc.requestId && e.url === doc.url);
    const frame = frameOf(ctx, i);
    return {
      index: i + 1,
      url: doc.url,
      ...(frame !== null ? { frame } : {}),
      method: doc.method,
      // A failed exchange has no status: what the browser saw then was the proxy's own answer.
      status: exchange ? (exchange.response?.status ?? null) : response && response.type === 'doc-response' ? response.status : null,
      via,
      evidence,
      ip: exchange?.remoteAddress ?? null,
      tls: tlsOf(exchange),
      contentType: contentTypeOf(exchange, capture.events, doc),
      timing: { startedAt: doc.at, ms: exchange?.timing.totalMs ?? null },
      exchange: exchange?.id ?? null,
      ...(otherTab[i] ? { otherTab: true as const } : {}),
      ...(chainOf.has(doc.pageId) ? { chain: chainOf.get(doc.pageId)! } : {}),
      error:
        exchange?.error ??
        (failed && failed.type === 'doc-failed'
          ? isRedirectAbort(failed.errorText)
            ? superseded(capture, docs, i, response && response.type === 'doc-response' ? response.status : null)
            : failed.errorText
          : null),
    };
  });
  return withFragments(capture, docs, hops, (doc) => (firstDocOfPage.has(doc) ? (openerOf.get(doc.pageId) ?? null) : null));
}

/**
 * Each hop's URL with the fragment the browser went to it with: a request carries none, so the
 * capture's document requests have none. The link's own (on its first request), a Location's, else
 * the one of the request it redirects (RFC 7231 7.1.2: a redirect keeps the fragment when its
 * Location has none), or the one of the navigation the page asked for (script, meta refresh, form;
 * a popup's first document: the one its opener asked for, `openerOf` the page that opened it).
 */
function withFragments(capture: Capture, docs: DocRequest[], hops: Hop[], openerOf: (doc: DocRequest) => string | null): Hop[] {
  const hashOf = (url: string | null | undefined, base?: string): string => {
    try {
      return url ? new URL(url, base).hash : '';
    } catch {
      return '';
    }
  };
  const lastIndex = <T>(items: readonly T[], until: number, test: (item: T) => boolean): number => {
    for (let j = until - 1; j >= 0; j--) if (test(items[j])) return j;
    return -1;
  };
  const fragments: string[] = [];
  docs.forEach((doc, i) => {
    let hash: string;
    // (A document request with a fragment already is kept as it is.)
    if (doc.url.includes('#')) {
      fragments.push('');
      return;
    }
    if (doc.redirectStatus !== null) {
      const previous = lastIndex(docs, i, (d) => d.requestId === doc.requestId && d.pageId === doc.pageId);
      hash = hashOf(hops[i].evidence.location, previous >= 0 ? docs[previous].url : undefined);
      if (hash === '' && previous >= 0) hash = fragments[previous];
    } else if (i === 0 && capture.info.url && requestedAs(capture.info.url) === requestedAs(doc.url)) {
      hash = hashOf(capture.info.url);
    } else {
      const events = capture.events;
      const opener = openerOf(doc);
      const asked = lastIndex(
        events,
        events.indexOf(doc),
        (e) =>
          ((e.pageId === doc.pageId && ('frameId' in e ? e.frameId : undefined) === doc.frameId) ||
            (opener !== null && e.pageId === opener && e.type === 'nav-requested' && e.disposition !== 'currentTab')) &&
          (e.type === 'nav-requested' || e.type === 'nav-scheduled') &&
          requestedAs(e.url) === requestedAs(doc.url),
      );
      const event = asked >= 0 ? events[asked] : null;
      hash = event && (event.type === 'nav-requested' || event.type === 'nav-scheduled') ? hashOf(event.url) : '';
    }
    fragments.push(hash);
  });
  return hops.map((hop, i) => (fragments[i] && fragments[i] !== '#' ? { ...hop, url: hop.url + fragments[i] } : hop));
}

/**
 * Why a document request the browser cancelled (net::ERR_ABORTED) is not the chain's way on, when
 * the page went on elsewhere: a second navigation replaced it (`location.href = A; location.href =
 * B`). Its request was sent all the same, and is evidence; on a busy page its answer may even have
 * come (the renderer still running the script that went on), and was never shown. An answer that
 * shows nothing by itself (204, 205) or a download ended the navigation, not the next one.
 */
function superseded(capture: Capture, docs: DocRequest[], index: number, status: number | null): string | null {
  const doc = docs[index];
  if (!docs.slice(index + 1).some((d) => d.pageId === doc.pageId && d.frameId === doc.frameId && d.requestId !== doc.requestId))
    return null;
  if (status === 204 || status === 205) return null;
  if (capture.events.some((e) => e.type === 'download' && e.url === doc.url)) return null;
  return status === null
    ? 'superseded: the page navigated elsewhere before this answer was used (net::ERR_ABORTED)'
    : `superseded: the page navigated elsewhere before this answer (HTTP ${status}) was shown (net::ERR_ABORTED)`;
}

function isRedirectAbort(errorText: string): boolean {
  return errorText === 'net::ERR_ABORTED';
}
