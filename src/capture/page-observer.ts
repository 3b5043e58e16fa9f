// Watches one page over CDP: records the navigation evidence (why each top-level document was
// requested) and keeps the state that settling needs (document in flight, scheduled refreshes,
// requests in flight, load state).
import type { Protocol } from 'devtools-protocol';
import type { CdpEvent, CdpEvents, CdpSession } from '../cdp/connection.js';
import { HISTORY_REASON, type NavEvent } from '../model.js';
import type { AttachedTarget } from './browser.js';
import type { DocumentFailure } from './stop-reasons.js';
import { PROXY_ERROR_HEADER } from '../proxy/recording-proxy.js';
import { requestedAs } from '../http/url-key.js';

/** What a page tells the trace it belongs to (trace-pages.ts). */
export interface PageListener {
  /** Navigation evidence for the capture. */
  emit(event: NavEvent): void;
  /** A top-level document was requested (a hop). */
  docRequested(observer: PageObserver): void;
  /** A top-level document request failed, or one of the followed frame's (`failure.frameOf`). */
  docFailed(observer: PageObserver, failure: DocumentFailure): void;
  /** The page's renderer died. */
  crashed(observer: PageObserver): void;
  /** The browser announced a request (announced-requests.ts), or a request ended. */
  requestAnnounced(requestId: string, method: string, url: string): void;
  requestEnded(requestId: string): void;
}

const now = () => new Date().toISOString();

/**
 * How long a document whose response came may take to replace the page before it is no longer
 * waited on. A navigation that ends without a commit says so (frameStoppedLoading, a download, a
 * failure): this only bounds one that says nothing. A loaded machine's renderer, started for a
 * fresh context, took over 1.5 s to commit a small page's response (`compare` ran 4 at once with
 * 6 profiles each), and the page before was taken for the chain's end.
 */
const COMMIT_WAIT_MS = 10_000;
/** Navigations a link or form of the page starts (one may target a frame by its name). */
const TARGETING_REASON = /^(anchorClick|formSubmission)/;
/** How long a frame's requested navigation may take to send its request (one cancelled sends none). */
const FRAME_REQUEST_WAIT_MS = 2000;

/** Resolves to `fallback` when `promise` takes longer than `ms` (a hostile page can stall any call into it). */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) => setTimeout(() => resolve(fallback), Math.max(0, ms)).unref()),
  ]);
}

/** A document request as the chain records it: what was asked, the redirect it follows, and who asked (script and line). */
function docRequestEvent(e: Protocol.Network.RequestWillBeSentEvent, pageId: string): Extract<NavEvent, { type: 'doc-request' }> {
  const frame = firstFrame(e.initiator);
  const byBrowser = e.redirectResponse ? headerValue(e.redirectResponse.headers, 'non-authoritative-reason') : null;
  return {
    type: 'doc-request',
    at: now(),
    pageId,
    requestId: e.requestId,
    url: e.request.url,
    method: e.request.method,
    redirectStatus: e.redirectResponse?.status ?? null,
    redirectLocation: e.redirectResponse ? headerValue(e.redirectResponse.headers, 'location') : null,
    ...(byBrowser ? { redirectByBrowser: byBrowser } : {}),
    initiator: {
      type: e.initiator.type,
      url: frame?.url ?? e.initiator.url ?? null,
      line: frame ? frame.lineNumber + 1 : (e.initiator.lineNumber ?? null),
      column: frame ? frame.columnNumber + 1 : null,
    },
    hasUserGesture: e.hasUserGesture ?? false,
  };
}

export class PageObserver {
  readonly session: CdpSession;
  /** A page's main frame has the id of its target. */
  readonly mainFrameId: string;
  /** The main frame's current URL. */
  url: string;
  closed = false;
  /** The page's renderer died (it is also closed). */
  crashed = false;
  /** Frames of this page, for events (downloads) that name a frame. */
  readonly frameIds = new Set<string>();
  /**
   * The child frames of the current top document: each one's parent and its document's origin,
   * and a number that changes with every document it commits (frame-timers.ts reads cross-origin ones).
   */
  readonly childFrames = new Map<string, { parentId: string; origin: string; document: number }>();
  /** The top document's origin. */
  private origin = '';
  private childDocuments = 0;
  /** Our isolated world in each frame's current document, by frame id (a new document needs a new one). */
  private readonly isolatedWorlds = new Map<string, Promise<number | null>>();
  /** requestId of the top-level document request still waiting for its response. */
  docInFlight: string | null = null;
  /** The top-level document whose response came and whose body is still arriving. */
  private docBody: { requestId: string; url: string } | null = null;
  /**
   * The top-level document whose response came but which has not replaced the page yet. Between
   * the two the page still shows the document it is leaving, with nothing else pending: a small
   * page's body can be whole before the renderer commits it (measured: 2-8 ms on an idle machine,
   * more under load), and the old page was taken for one at rest.
   */
  private docCommitting: { requestId: string; since: number } | null = null;
  navRequested = false;
  /** Requests in flight: when each began, and how much of its body has come of how much was announced. */
  readonly inflight = new Map<
    string,
    { startedAt: number; received: number; expected: number | null; script?: boolean; frameId?: string; loaderId?: string }
  >();
  /** When the page's network last made progress: a response, data, a request ending. */
  networkProgressAt = Date.now();
  readonly scheduled = new Map<string, number>(); // frameId -> due (ms epoch)
  loaded = false;
  domReady = false;
  committedAt = Date.now();
  lastActivity = Date.now();
  docRequests = 0;
  lastFailure: { url: string; errorText: string } | null = null;
  /** URLs of top-level documents requested on this page, for loop detection. */
  readonly requestedUrls: string[] = [];
  /** Documents and scripts loaded by child frames: a top navigation they initiate is `frame-top`. */
  private readonly childFrameUrls = new Set<string>();
  /** Bumped on every navigation-relevant event; settling compares it across a grace period. */
  generation = 0;
  /**
   * What signs of a person (pending-timers.ts HUMAN_EVENTS) the document listened for when settling
   * last read it, whether it had focus, and when its soonest timer was due (epoch ms; null: none);
   * `document`: which one (see `documents`).
   */
  listening: { types: string[]; focused: boolean; document: number; timerDueAt: number | null } | null = null;
  /** The document (see `documents`) the trace last nudged (nudge.ts): once per document. */
  nudgedDocument = -1;
  /** Documents committed in the main frame so far (a navigation to a new document adds one). */
  documents = 0;
  /**
   * The last top-level document request ended without replacing the page: a 204/205, a 304 with
   * no cached copy to revalidate (Chromium drops it: no commit, no error page), a cancelled
   * navigation. The document shown stays; if its script navigated while it was being parsed, it
   * may never fire DOMContentLoaded or load, though its readyState reaches "complete".
   */
  dropped = false;
  /**
   * The soonest one-shot timer of the current document (or its frames) still to run, as settling
   * last read it: when it is due and when it was read (epoch ms). A page may still move when it
   * fires, after the trace stopped waiting (snapshot.ts records it).
   */
  onceTimer: { dueAt: number; readAt: number; document: number } | null = null;
  /** A new window was requested; settling waits (briefly) for its page to appear. */
  popupExpectedUntil = 0;
  /** Set when the trace has stopped: later browser activity is no longer part of the chain. */
  frozen = false;
  /**
   * A click of ours is being answered: a child frame's navigation now is the chain's when it is
   * in the frame of the control clicked (`frameId`), or a link or form targets it by name.
   */
  private clickWatch: { frameId: string | null } | null = null;
  /** The parent of each child frame (for frame-document events: only the top document's own frames). */
  private readonly frameParents = new Map<string, string>();
  /** The navigation a child frame of the top document last asked for (not the chain's), by frame. */
  private readonly frameRequested = new Map<string, { reason: string; url: string }>();
  /** Navigations of other child frames requested by a link or form while a click was watched, by frame. */
  private readonly targeted = new Map<string, { at: string; reason: string; url: string }>();
  /**
   * The child frame the chain went on in (our click navigated it), and its navigation state as
   * settling needs it, like the top's: requested, document in flight, committing, loading.
   */
  followedFrame: { frameId: string; url: string | null } | null = null;
  private frameNavRequestedAt: number | null = null;
  frameDocInFlight: string | null = null;
  /** The followed frame's document whose response came and whose body is still arriving. */
  private frameDocBody: { requestId: string; url: string } | null = null;
  private frameDocCommitting: { requestId: string; since: number } | null = null;
  /** The followed frame's document committed and has not stopped loading yet (when it committed). */
  private frameLoadingSince: number | null = null;
  /** Documents committed in the followed frame so far. */
  frameDocuments = 0;

  constructor(
    readonly target: AttachedTarget,
    readonly pageId: string,
    private readonly listener: PageListener,
  ) {
    this.session = target.session;
    this.mainFrameId = target.targetId;
    this.url = target.url;
    this.frameIds.add(this.mainFrameId);
  }

  /** Starts listening; the page's domains were enabled when it was set up (session.ts). */
  attach(): void {
    const session = this.session;
    session.once('detached', () => {
      this.closed = true;
      this.touch();
    });
    // Chromium keeps a crashed page's target (and session) until it is closed.
    session.on('Inspector.targetCrashed', () => {
      this.closed = true;
      this.crashed = true;
      this.touch();
      this.listener.crashed(this);
    });
    const on = <E extends keyof CdpEvents>(name: E, listener: (event: CdpEvent<E>) => void) =>
      session.on(name, (event) => {
        if (!this.frozen) listener(event);
      });
    on('Page.frameRequestedNavigation', (e) => {
      const inFrame = e.frameId !== this.mainFrameId && e.disposition === 'currentTab';
      if (inFrame) {
        if (!this.followsFrameNavigation(e.frameId, e.reason, false)) {
          // A link or form of the page targeting this frame by name: ours if its request carries the click's gesture.
          if (this.clickWatch && TARGETING_REASON.test(e.reason)) this.targeted.set(e.frameId, { at: now(), reason: e.reason, url: e.url });
          this.frameRequested.set(e.frameId, { reason: e.reason, url: e.url });
          return;
        }
        this.follow(e.frameId);
        this.frameNavRequestedAt = Date.now();
      } else {
        this.navRequested = e.disposition === 'currentTab';
        if (!this.navRequested) this.popupExpectedUntil = Date.now() + 2000;
      }
      this.touch();
      this.listener.emit({
        type: 'nav-requested',
        at: now(),
        pageId: this.pageId,
        reason: e.reason,
        url: e.url,
        disposition: e.disposition,
        ...(inFrame ? { frameId: e.frameId } : {}),
      });
    });
    on('Page.windowOpen', (e) => {
      this.popupExpectedUntil = Date.now() + 2000;
      this.touch();
      this.listener.emit({
        type: 'nav-requested',
        at: now(),
        pageId: this.pageId,
        reason: 'windowOpen',
        url: e.url,
        disposition: 'newWindow',
      });
    });
    // A history navigation (history.back(), history.go(-1), navigation.back()) to an entry of another
    // document: Chromium tells no frameRequestedNavigation for it, and its request's initiator is
    // "other". Recorded so that the hop is named for what it is.
    on('Page.frameStartedNavigating', (e) => {
      if (e.navigationType !== 'historyDifferentDocument') return;
      const followed = e.frameId === this.followedFrame?.frameId;
      if (e.frameId !== this.mainFrameId && !followed) return;
      this.touch();
      this.listener.emit({
        type: 'nav-requested',
        at: now(),
        pageId: this.pageId,
        reason: HISTORY_REASON,
        url: e.url,
        disposition: 'currentTab',
        ...(followed ? { frameId: e.frameId } : {}),
      });
    });
    on('Page.frameScheduledNavigation', (e) => {
      const followed = e.frameId === this.followedFrame?.frameId;
      if (e.frameId !== this.mainFrameId && !followed) return;
      this.scheduled.set(e.frameId, Date.now() + e.delay * 1000);
      this.touch();
      this.listener.emit({
        type: 'nav-scheduled',
        at: now(),
        pageId: this.pageId,
        reason: e.reason,
        url: e.url,
        delay: e.delay,
        ...(followed ? { frameId: e.frameId } : {}),
      });
    });
    on('Page.frameClearedScheduledNavigation', (e) => {
      this.scheduled.delete(e.frameId);
      this.touch();
    });
    on('Page.frameAttached', (e) => {
      this.frameIds.add(e.frameId);
      this.frameParents.set(e.frameId, e.parentFrameId);
    });
    on('Page.frameDetached', (e) => {
      this.isolatedWorlds.delete(e.frameId);
      this.frameRequested.delete(e.frameId);
      this.childFrames.delete(e.frameId);
      if (e.frameId === this.followedFrame?.frameId) {
        this.unfollow();
        this.touch();
      }
    });
    on('Page.frameNavigated', (e) => {
      // A new document in a frame ends what its earlier ones still had in flight there: Chromium
      // tells no end for a document it left before its load finished (a script that went on while
      // it was parsed), and that request, its whole body received, held settling to --settle.
      for (const [requestId, request] of this.inflight)
        if (request.frameId === e.frame.id && request.loaderId !== e.frame.loaderId) this.inflight.delete(requestId);
      this.frameIds.add(e.frame.id);
      this.isolatedWorlds.delete(e.frame.id);
      if (e.frame.parentId) {
        this.childFrames.set(e.frame.id, { parentId: e.frame.parentId, origin: e.frame.securityOrigin, document: ++this.childDocuments });
        const followed = this.followedFrame;
        if (followed && e.frame.id === followed.frameId) {
          followed.url = e.frame.url + (e.frame.urlFragment ?? '');
          this.frameDocCommitting = null;
          this.frameLoadingSince = Date.now();
          this.frameDocuments++;
          // What the frame's new document has pending is waited for as long as a new page's.
          this.committedAt = Date.now();
          this.touch();
        }
        return;
      }
      this.origin = e.frame.securityOrigin;
      this.childFrames.clear();
      this.unfollow();
      this.url = e.frame.url + (e.frame.urlFragment ?? '');
      // A document that came without a request (a script sent the page to about:blank): the
      // navigation requested or scheduled is over, no document request will end it (it held the
      // page until the timeout).
      if (!/^https?:/i.test(this.url)) {
        this.navRequested = false;
        this.scheduled.clear();
      }
      this.docCommitting = null;
      this.isolatedWorlds.clear();
      // A script's about:blank is complete as it commits: no load event is told for it.
      const blanked = this.url === 'about:blank' && this.docRequests > 0;
      this.loaded = blanked;
      this.domReady = blanked;
      this.dropped = false;
      this.committedAt = Date.now();
      this.documents++;
      this.touch();
    });
    on('Page.navigatedWithinDocument', (e) => {
      if (e.frameId === this.mainFrameId) this.url = e.url;
      else if (e.frameId === this.followedFrame?.frameId) {
        this.followedFrame.url = e.url;
        this.frameNavRequestedAt = null;
      }
      this.navRequested = false;
      this.touch();
    });
    // A navigation that ended without replacing the page (a download, a cancelled one).
    on('Page.frameStoppedLoading', (e) => {
      if (e.frameId !== this.mainFrameId && e.frameId === this.followedFrame?.frameId) {
        this.frameNavRequestedAt = null;
        this.frameDocCommitting = null;
        this.frameLoadingSince = null;
        this.touch();
        return;
      }
      if (e.frameId !== this.mainFrameId || !this.docCommitting) return;
      this.docCommitting = null;
      this.touch();
    });
    on('Page.downloadWillBegin', () => {
      this.navRequested = false;
      this.docCommitting = null;
      this.touch();
    });
    on('Page.domContentEventFired', () => {
      this.domReady = true;
      this.touch();
    });
    on('Page.loadEventFired', () => {
      this.loaded = true;
      this.touch();
    });
    on('Network.requestWillBeSent', (e) => {
      this.listener.requestAnnounced(e.requestId, e.request.method, e.request.url);
      // Chromium fetches the favicon on its own; it never navigates, so it never holds settling.
      // A blob: or data: URL never waits on a network, and one a worker loads (a script made in
      // the page) is never seen to finish here: it would hold this page, and the next, as a
      // request in flight until it counted as hung. So would a worker's script fetched over the
      // network: the browser fetches it for the worker (no loader of this page's), and its
      // response and end are told to the worker's target, not to this page; the worker itself is
      // pending work until it answers (pending-timers.ts).
      const workerScript = e.type === 'Script' && e.loaderId === '';
      if (!e.request.url.endsWith('/favicon.ico') && !/^(?:blob|data):/i.test(e.request.url) && !workerScript)
        this.inflight.set(e.requestId, {
          startedAt: Date.now(),
          received: 0,
          expected: null,
          ...(e.type === 'XHR' || e.type === 'Fetch' ? { script: true } : {}),
          ...(e.frameId && e.loaderId ? { frameId: e.frameId, loaderId: e.loaderId } : {}),
        });
      this.touch();
      if (e.frameId && e.frameId !== this.mainFrameId) this.childFrameUrls.add(e.request.url);
      if (e.type === 'Document' && e.frameId && e.frameId !== this.mainFrameId) return this.frameDocument(e);
      if (e.type !== 'Document' || e.frameId !== this.mainFrameId) return;
      this.docInFlight = e.requestId;
      this.docBody = null;
      this.dropped = false;
      this.navRequested = false;
      this.scheduled.clear();
      this.docRequests++;
      this.requestedUrls.push(e.request.url);
      const event = docRequestEvent(e, this.pageId);
      const initiatorUrl = event.initiator.url;
      this.listener.emit({
        ...event,
        initiator: { ...event.initiator, fromChildFrame: initiatorUrl !== null && this.childFrameUrls.has(initiatorUrl) },
      });
      this.listener.docRequested(this);
    });
    on('Network.responseReceived', (e) => {
      this.networkProgressAt = Date.now();
      const request = this.inflight.get(e.requestId);
      if (request) request.expected = announcedLength(e.response.headers);
      this.touch();
      if (e.requestId === this.frameDocInFlight) {
        this.frameDocInFlight = null;
        const url = this.requestedUrls.at(-1) ?? e.response.url;
        this.frameDocBody = { requestId: e.requestId, url };
        this.frameDocCommitting =
          e.response.status === 204 || e.response.status === 205 ? null : { requestId: e.requestId, since: Date.now() };
        this.listener.emit({
          type: 'doc-response',
          at: now(),
          pageId: this.pageId,
          requestId: e.requestId,
          url: e.response.url,
          status: e.response.status,
          mimeType: e.response.mimeType,
          frameId: this.followedFrame?.frameId ?? e.frameId ?? '',
        });
        // The proxy's own answer: the server was not reached (refused, no such host, TLS, timeout).
        // A top document's is the page that replaces the chain's; a frame's would leave the page
        // around it waited on, and is the chain's end as surely.
        const proxyError = headerValue(e.response.headers, PROXY_ERROR_HEADER.toLowerCase());
        if (proxyError !== null)
          this.listener.docFailed(this, { url, errorText: 'proxy error', proxyError: decodeHeader(proxyError), frameOf: this.url });
        return;
      }
      if (e.requestId !== this.docInFlight) return;
      this.docInFlight = null;
      this.docBody = { requestId: e.requestId, url: this.requestedUrls.at(-1) ?? e.response.url };
      // 204 and 205 leave the page as it is: nothing will commit.
      this.docCommitting = e.response.status === 204 || e.response.status === 205 ? null : { requestId: e.requestId, since: Date.now() };
      this.listener.emit({
        type: 'doc-response',
        at: now(),
        pageId: this.pageId,
        requestId: e.requestId,
        url: e.response.url,
        status: e.response.status,
        mimeType: e.response.mimeType,
      });
    });
    on('Network.dataReceived', (e) => {
      // Not a navigation-relevant change: settling sees it at its next poll.
      this.networkProgressAt = Date.now();
      const request = this.inflight.get(e.requestId);
      if (request) request.received += e.dataLength;
    });
    on('Network.loadingFinished', (e) => {
      this.listener.requestEnded(e.requestId);
      if (e.requestId === this.docBody?.requestId) this.docBody = null;
      if (e.requestId === this.frameDocBody?.requestId) this.frameDocBody = null;
      this.inflight.delete(e.requestId);
      this.networkProgressAt = Date.now();
      this.touch();
    });
    on('Network.loadingFailed', (e) => {
      this.listener.requestEnded(e.requestId);
      this.inflight.delete(e.requestId);
      this.networkProgressAt = Date.now();
      this.touch();
      if (e.requestId === this.frameDocInFlight || e.requestId === this.frameDocBody?.requestId) {
        // The frame's document failed, before its response or while its body arrived: the chain
        // ends there (its hop says why, and the trace stops at once where the cause is precise, as
        // for the top's); the top page stays.
        const url = e.requestId === this.frameDocInFlight ? (this.requestedUrls.at(-1) ?? '') : this.frameDocBody!.url;
        this.frameDocInFlight = null;
        this.frameDocBody = null;
        this.frameNavRequestedAt = null;
        this.frameDocCommitting = null;
        const frameId = this.followedFrame?.frameId ?? '';
        this.listener.emit({
          type: 'doc-failed',
          at: now(),
          pageId: this.pageId,
          requestId: e.requestId,
          url,
          errorText: e.errorText,
          frameId,
        });
        this.listener.docFailed(this, { url, errorText: e.errorText, frameOf: this.url });
        return;
      }
      // The document failed before its response, or while its body arrived (a reset, corrupt gzip).
      let url: string;
      if (e.requestId === this.docInFlight) url = this.requestedUrls.at(-1) ?? '';
      else if (e.requestId === this.docBody?.requestId) url = this.docBody.url;
      else return;
      this.docInFlight = null;
      this.docBody = null;
      this.docCommitting = null;
      this.dropped = true;
      this.lastFailure = { url, errorText: e.errorText };
      this.listener.emit({ type: 'doc-failed', at: now(), pageId: this.pageId, requestId: e.requestId, url, errorText: e.errorText });
      this.listener.docFailed(this, this.lastFailure);
    });
  }

  /**
   * Starts the trace: the one request for the link, as if typed into the address bar, or clicked
   * on a page of `referrer` (a webmail's): its origin is sent as the Referer, as webmails send it,
   * also to an http:// link. Until its document request is seen the page is not at rest: a busy
   * browser may start the navigation late (seen: not within 1.5 s while six contexts started),
   * and the blank page was taken for the end of the chain. Chromium answers Page.navigate after
   * the request's events, so an answer with none seen means nothing was requested: resolves with
   * the browser's reason then, else null.
   */
  async navigate(url: string, referrer?: string): Promise<string | null> {
    const from = referrer
      ? { referrer, referrerPolicy: 'origin' as const, transitionType: 'link' as const }
      : { transitionType: 'typed' as const };
    this.navRequested = true;
    this.touch();
    const failure = await this.session.send('Page.navigate', { url, ...from }).then(
      (answer) => answer.errorText ?? null,
      (err: Error) => err.message.split('\n')[0],
    );
    if (this.docRequests > 0) return null;
    this.navRequested = false;
    this.touch();
    return failure ?? 'no request was made';
  }

  /** A click starts a new wait: what it sets off is measured from now, not from the last commit. */
  restartSettleClock(): void {
    this.committedAt = Date.now();
    this.touch();
  }

  /**
   * Our click (in the child frame `frameId`, or in the top document: null) is about to be made:
   * until `endClickWatch`, a navigation it makes in that frame, or in a frame a link or form
   * targets by name, is followed as the chain's next step. A frame followed before is no longer.
   */
  watchClick(frameId: string | null): void {
    this.clickWatch = { frameId };
    this.targeted.clear();
    this.unfollow();
  }

  endClickWatch(): void {
    this.clickWatch = null;
    this.targeted.clear();
  }

  /** Whether a child frame's navigation (requested for `reason`) is the chain's: see watchClick. */
  private followsFrameNavigation(frameId: string, reason: string | null, hasUserGesture: boolean): boolean {
    if (frameId === this.followedFrame?.frameId) return true;
    const watch = this.clickWatch;
    if (!watch || this.navRequested || this.docInFlight) return false;
    if (frameId === watch.frameId) return true;
    // Another frame: only as the target of a link or form the person clicked (target="name"), with the click's gesture.
    return reason !== null && TARGETING_REASON.test(reason) && hasUserGesture;
  }

  private follow(frameId: string): void {
    if (this.followedFrame?.frameId === frameId) return;
    this.unfollow();
    this.followedFrame = { frameId, url: null };
  }

  private unfollow(): void {
    if (this.followedFrame) this.scheduled.delete(this.followedFrame.frameId);
    this.followedFrame = null;
    this.frameNavRequestedAt = null;
    this.frameDocInFlight = null;
    this.frameDocBody = null;
    this.frameDocCommitting = null;
    this.frameLoadingSince = null;
  }

  /** A document request of a child frame: a hop when it is the followed frame's, or our click's (watchClick). */
  private frameDocument(e: Protocol.Network.RequestWillBeSentEvent): void {
    const frameId = e.frameId!;
    const followed = this.followedFrame?.frameId === frameId;
    // A new request (not a redirect of the one followed) in a frame that is not yet followed: only
    // one requested as a navigation of ours (frameRequestedNavigation came first), or in the frame clicked.
    const targeted = this.targeted.get(frameId);
    if (!followed && !this.followsFrameNavigation(frameId, targeted?.reason ?? null, e.hasUserGesture ?? false)) {
      this.noteFrameDocument(e);
      return;
    }
    this.follow(frameId);
    if (!followed && targeted) {
      this.targeted.delete(frameId);
      const { at, reason, url } = targeted;
      this.listener.emit({ type: 'nav-requested', at, pageId: this.pageId, reason, url, disposition: 'currentTab', frameId });
    }
    this.frameDocInFlight = e.requestId;
    // The document it replaces is no longer the chain's: its body ending (cancelled) is no failure.
    this.frameDocBody = null;
    this.frameDocCommitting = null;
    this.frameNavRequestedAt = null;
    this.scheduled.delete(frameId);
    this.docRequests++;
    this.requestedUrls.push(e.request.url);
    this.touch();
    this.listener.emit({ ...docRequestEvent(e, this.pageId), frameId, topUrl: this.url });
    this.listener.docRequested(this);
  }

  /**
   * Notes a new document of one of the top document's own frames that is not the chain's (its
   * redirects are in the proxy's record): why it was requested, and by which script.
   */
  private noteFrameDocument(e: Protocol.Network.RequestWillBeSentEvent): void {
    const frameId = e.frameId!;
    if (e.redirectResponse || this.frameParents.get(frameId) !== this.mainFrameId) return;
    const requested = this.frameRequested.get(frameId);
    this.frameRequested.delete(frameId);
    const { initiator } = docRequestEvent(e, this.pageId);
    this.listener.emit({
      type: 'frame-document',
      at: now(),
      pageId: this.pageId,
      frameId,
      url: e.request.url,
      reason: requested && requestedAs(requested.url) === requestedAs(e.request.url) ? requested.reason : null,
      initiator: { type: initiator.type, url: initiator.url, line: initiator.line },
    });
  }

  /** What the followed frame's navigation still holds settling for, like the top's (null: nothing). */
  frameBusy(): string | null {
    if (!this.followedFrame) return null;
    if (this.frameDocInFlight) return 'frame document loading';
    if (this.frameDocCommitting && Date.now() - this.frameDocCommitting.since < COMMIT_WAIT_MS) return 'frame document committing';
    if (this.frameNavRequestedAt !== null && Date.now() - this.frameNavRequestedAt < FRAME_REQUEST_WAIT_MS)
      return 'frame navigation requested';
    return null;
  }

  /** The followed frame's document committed but has not finished loading (for at most `limitMs` after it committed). */
  frameLoading(limitMs: number): boolean {
    return this.frameLoadingSince !== null && Date.now() - this.frameLoadingSince < limitMs;
  }

  /**
   * Evaluates in the page's current main world over CDP, failing at once while a navigation
   * replaces it (waiting for the new document could hang on a hostile page).
   */
  async evaluate(
    expression: string,
    world: 'main' | 'isolated' = 'main',
    timeoutMs = 500,
    maxRunMs = 250,
    frameId = this.mainFrameId,
  ): Promise<unknown> {
    // A child frame's world is made on demand by explore, under its budget (the main frame's is made ahead, snapshot.ts).
    const worldTimeoutMs = frameId === this.mainFrameId ? 500 : Math.max(500, timeoutMs);
    const contextId = world === 'isolated' ? await this.isolatedContext(frameId, worldTimeoutMs) : undefined;
    if (world === 'isolated' && contextId === null) return null;
    const sent = this.session.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      // The script itself is stopped after this long (reading every control of a big page takes longer).
      timeout: Math.min(timeoutMs, maxRunMs),
      ...(contextId !== undefined && contextId !== null ? { contextId } : {}),
    });
    // A page busy in an endless loop never answers: that must not stall settling.
    const result = await withTimeout(sent, timeoutMs, null);
    return !result || result.exceptionDetails ? null : ((result.result.value as unknown) ?? null);
  }

  /**
   * A JavaScript world of our own in the current document: the page's scripts cannot see it or
   * change the DOM methods it uses, so what we read (title, HTML, click targets) is the document's.
   */
  isolatedContext(frameId = this.mainFrameId, timeoutMs = 500): Promise<number | null> {
    const known = this.isolatedWorlds.get(frameId);
    if (known) return known;
    const world = withTimeout(
      this.session.send('Page.createIsolatedWorld', {
        frameId,
        worldName: 'clicktrace',
        grantUniveralAccess: false,
      }),
      timeoutMs,
      null,
    ).then((created) => {
      // A failed attempt is not kept: the next call tries again.
      if (!created && this.isolatedWorlds.get(frameId) === world) this.isolatedWorlds.delete(frameId);
      return created?.executionContextId ?? null;
    });
    // Kept until a new document replaces the one it was made in (frameNavigated clears it).
    this.isolatedWorlds.set(frameId, world);
    return world;
  }

  /**
   * Title and serialized DOM (doctype included), read in the isolated world of the top document
   * or of the child frame `frameId` (site isolation is off: a frame of another site is in this
   * renderer too, and its world is made as the top's).
   */
  async readDocument(timeoutMs: number, frameId = this.mainFrameId): Promise<{ title: string; html: string } | null> {
    const doctype = "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '')";
    const root = "(document.documentElement ? document.documentElement.outerHTML : '')";
    const value = await this.evaluate(`({ title: document.title, html: ${doctype} + ${root} })`, 'isolated', timeoutMs, 250, frameId);
    return value && typeof value === 'object' ? (value as { title: string; html: string }) : null;
  }

  /** PNG of the viewport straight from CDP: no waiting for fonts or animations, which a hostile page can stall. */
  async screenshot(timeoutMs: number): Promise<Buffer | null> {
    const shot = this.session.send('Page.captureScreenshot', { format: 'png', optimizeForSpeed: true });
    const result = await withTimeout(shot, timeoutMs, null);
    return result ? Buffer.from(result.data, 'base64') : null;
  }

  /**
   * Child frames whose document its parent's cannot reach (another origin, or an opaque one): the
   * init script cannot add their pending work into their parent's, so settling reads each one.
   */
  crossOriginFrames(): { frameId: string; document: number }[] {
    return this.framesByOrigin(false);
  }

  /**
   * Child frames CDP reports of their parent's origin. Most are (the init script adds their
   * pending work into their parent's), but not one sandboxed without allow-same-origin: its origin
   * is opaque, though CDP reports its URL's (frame-timers.ts asks each document once).
   */
  sameOriginFrames(): { frameId: string; document: number }[] {
    return this.framesByOrigin(true);
  }

  private framesByOrigin(same: boolean): { frameId: string; document: number }[] {
    const frames: { frameId: string; document: number }[] = [];
    for (const [frameId, frame] of this.childFrames) {
      const parentOrigin = frame.parentId === this.mainFrameId ? this.origin : this.childFrames.get(frame.parentId)?.origin;
      const sameOrigin = frame.origin === parentOrigin && isTupleOrigin(frame.origin);
      if (sameOrigin === same) frames.push({ frameId, document: frame.document });
    }
    return frames;
  }

  /**
   * Requests in flight. While the page's network makes progress, every one counts: a heavy page's
   * requests wait in Chromium's queue behind the ones being served. Once nothing has progressed
   * for `staleMs`, requests older than that are hanging (long polls, hung images) and ignored,
   * unless their whole body has come: the renderer is still busy with it (a huge stylesheet).
   */
  activeRequests(staleMs: number): number {
    if (Date.now() - this.networkProgressAt < staleMs) return this.inflight.size;
    const cutoff = Date.now() - staleMs;
    let count = 0;
    for (const r of this.inflight.values()) if (r.startedAt > cutoff || (r.expected !== null && r.received >= r.expected)) count++;
    return count;
  }

  /** Requests of the page's script (fetch, XMLHttpRequest) in flight, hanging ones too: what a page may still render from. */
  scriptRequestsInFlight(): number {
    let count = 0;
    for (const r of this.inflight.values()) if (r.script) count++;
    return count;
  }

  /** A document's response came and it has not replaced the page yet (for at most COMMIT_WAIT_MS: one that never does is not waited on for ever). */
  get committing(): boolean {
    return this.docCommitting !== null && Date.now() - this.docCommitting.since < COMMIT_WAIT_MS;
  }

  /** A new document is on its way to the top: a navigation requested, its document in flight, or committing. */
  get documentOnItsWay(): boolean {
    return this.navRequested || this.docInFlight !== null || this.committing;
  }

  /**
   * The navigation state, as a value to compare: it changes with a navigation requested, a
   * document requested or committed, a refresh scheduled, a popup opening, the page closing.
   */
  navigationState(): string {
    const { closed, navRequested, docInFlight, documents, docRequests, popupExpectedUntil } = this;
    const frame = [this.followedFrame?.frameId ?? null, this.frameNavRequestedAt, this.frameDocInFlight, this.frameDocuments];
    return JSON.stringify([
      closed,
      navRequested,
      docInFlight,
      documents,
      docRequests,
      popupExpectedUntil,
      [...this.scheduled.values()],
      frame,
    ]);
  }

  nextScheduledInMs(): number | null {
    let next: number | null = null;
    for (const due of this.scheduled.values()) if (next === null || due < next) next = due;
    return next === null ? null : next - Date.now();
  }

  touch(): void {
    this.lastActivity = Date.now();
    this.generation++;
    const change = this.change;
    this.change = null;
    change?.resolve();
  }

  private change: { promise: Promise<void>; resolve: () => void } | null = null;

  /** Resolves at the next navigation-relevant event (settling wakes on it instead of polling). */
  nextChange(): Promise<void> {
    if (!this.change) {
      let resolve = () => undefined as void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.change = { promise, resolve };
    }
    return this.change.promise;
  }

  /** Stops recording this page's later events. */
  detach(): void {
    this.frozen = true;
  }
}

/** An origin two documents can share (scheme://host[:port]); an opaque one ("null", a sandboxed frame's) is nobody's but its document's. */
function isTupleOrigin(origin: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(origin);
}

function firstFrame(initiator: Protocol.Network.Initiator): Protocol.Runtime.CallFrame | null {
  let stack = initiator.stack;
  while (stack) {
    const frame = stack.callFrames.find((f) => f.url);
    if (frame) return frame;
    stack = stack.parent;
  }
  return null;
}

/** The body length a response announces, when its bytes as received are its bytes as decoded (no content-encoding). */
function announcedLength(headers: Protocol.Network.Headers): number | null {
  const encoding = headerValue(headers, 'content-encoding');
  if (encoding && encoding.trim().toLowerCase() !== 'identity') return null;
  const length = Number(headerValue(headers, 'content-length') ?? NaN);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

function headerValue(headers: Protocol.Network.Headers, name: string): string | null {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return null;
}

/** A header value the proxy percent-encoded (its error text), as it was; as received when it is not valid encoding. */
function decodeHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
