// The pages of one trace: an observer per page (the first, and every popup), which one the chain
// is on, why the trace stopped, and the navigation evidence they emit into the capture.
import type { Capture, NavEvent } from '../model.js';
import type { AttachedTarget } from './browser.js';
import { requestedAs } from '../http/url-key.js';
import { AnnouncedRequests } from './announced-requests.js';
import { PageObserver, withTimeout, type PageListener } from './page-observer.js';
import { preparePage, resume, type BrowserSession } from './session.js';
import { waitForSettle, type SettleOutcome } from './settle.js';
import { documentFailureReason, unsupportedScheme, type DocumentFailure } from './stop-reasons.js';
import { inFrameOf } from '../report.js';

export type Progress = (event: { kind: string; detail: string }) => void;

/** How long a failed document's reason waits for the proxy's record of it, and how often it looks. */
// (Seconds only on a loaded machine: the record is usually there within a few ms.)
const EXCHANGE_WAIT_MS = 2000;
const EXCHANGE_POLL_MS = 25;
/** How long, at most, the chain's page at rest waits for another tab's document on its way. */
const OTHER_TAB_WAIT_MS = 5000;

export class TracePages {
  readonly observers = new Map<string, PageObserver>();
  /** The page that opened each page (null: the link's own). */
  private readonly openers = new Map<PageObserver, PageObserver | null>();
  /** The page the chain is on. */
  current: PageObserver | null = null;
  /** Why the trace stopped (the first reason given), or null while it runs. */
  stopReason: string | null = null;
  private pageCount = 0;
  /** A popup being set up; settling waits for it and then follows it. */
  private pendingPopup: Promise<void> | null = null;
  /** A stop whose reason is still being found out (a crash, a failed document); settling waits for it. */
  private pendingStop: Promise<void> | null = null;
  private readonly listener: PageListener = {
    emit: (event) => this.emit(event),
    docRequested: (observer) => this.onDocRequest(observer),
    docFailed: (observer, failure) => this.onDocFailed(observer, failure),
    crashed: (observer) => this.onCrash(observer),
    requestAnnounced: (requestId, method, url) => this.announced.announce(requestId, method, url),
    requestEnded: (requestId) => this.announced.forget(requestId),
  };
  /** Requests the pages' browser announced and the proxy has not received yet. */
  readonly announced = new AnnouncedRequests();

  constructor(
    private readonly capture: Capture,
    private readonly maxHops: number,
    private readonly progress: Progress,
    /** Why a page target's renderer died, in the browser's words (browser.ts). */
    private readonly crashReason: (targetId: string) => Promise<string>,
    /** The chain was cut at the request of `url` (a loop, too many hops): nothing more is to go upstream. */
    private readonly onFreeze: (url: string) => void = () => undefined,
  ) {}

  /** The document whose request cut the chain (a loop, too many hops): its answer still belongs in the case. */
  frozenAt: string | null = null;

  emit(event: NavEvent): void {
    this.capture.events.push(event);
  }

  /** Stops the trace; with `freeze`, what the browser does next is not part of the chain (a loop, too many hops). */
  stop(reason: string, freeze = false): void {
    this.stopReason ??= reason;
    if (freeze) for (const observer of this.observers.values()) observer.frozen = true;
  }

  /** Starts observing a page that has not run yet. */
  observe(target: AttachedTarget, opener: PageObserver | null): PageObserver {
    const observer = new PageObserver(target, `p${++this.pageCount}`, this.listener);
    this.observers.set(target.targetId, observer);
    this.openers.set(observer, opener);
    this.emit({ type: 'page', at: new Date().toISOString(), pageId: observer.pageId, openerPageId: opener?.pageId ?? null });
    target.session.on('Page.javascriptDialogOpening', (dialog) => {
      // Answered even after the trace stopped: an open dialog blocks the page.
      if (!observer.frozen)
        this.emit({
          type: 'dialog',
          at: new Date().toISOString(),
          pageId: observer.pageId,
          dialogType: dialog.type,
          message: dialog.message,
        });
      void target.session.send('Page.handleJavaScriptDialog', { accept: dialog.type === 'beforeunload' }).catch(() => undefined);
    });
    observer.attach();
    return observer;
  }

  /** A new window of the session's context (still paused): observed, set up, and the chain moves to it. */
  popup(session: BrowserSession, target: AttachedTarget): void {
    const opener = (target.openerId ? this.observers.get(target.openerId) : null) ?? this.current;
    const previous = this.pendingPopup;
    this.pendingPopup = (async () => {
      await previous;
      if (this.stopReason) return void resume(target);
      try {
        const observer = this.observe(target, opener);
        // Sent together: a popup may share its opener's renderer, which cannot answer the
        // set-up commands until the popup runs (CDP keeps their order on the session).
        await Promise.all([preparePage(session, target), resume(target)]);
        if (!observer.closed) this.current = observer;
        this.progress({ kind: 'popup', detail: target.url });
      } catch {
        // The new window closed before it could be observed; the chain stays on its opener.
      }
    })();
  }

  /** A download began in a frame: recorded, and the trace stops (the proxy keeps the bytes). True if it was one of ours. */
  download(event: { frameId: string; url: string; suggestedFilename: string }): boolean {
    const observer = [...this.observers.values()].find((o) => o.frameIds.has(event.frameId));
    if (!observer) return false;
    this.emit({
      type: 'download',
      at: new Date().toISOString(),
      pageId: observer.pageId,
      url: event.url,
      suggestedFilename: event.suggestedFilename,
    });
    this.stop('download');
    return true;
  }

  /** Waits until the current page settles, following popups that open meanwhile. */
  async settle(options: {
    settleMs: number;
    deadline: number;
    timeoutMs: number;
    onQuiet: (observer: PageObserver) => void;
  }): Promise<SettleOutcome> {
    // Another tab's document on its way is waited for once per settling.
    let waitedForOtherTabs = false;
    for (;;) {
      const outcome = await waitForSettle(() => this.current!, {
        settleMs: options.settleMs,
        deadline: options.deadline,
        shouldStop: () => this.stopReason !== null,
        onQuiet: options.onQuiet,
      });
      if (outcome === 'deadline') this.stop(timeoutMessage(this.current!, options.timeoutMs));
      if (this.pendingStop) {
        const stopping = this.pendingStop;
        this.pendingStop = null;
        await stopping;
      }
      if (this.pendingPopup) {
        const popup = this.pendingPopup;
        this.pendingPopup = null;
        await withTimeout(popup, options.deadline - Date.now(), undefined);
        continue;
      }
      // A popup that closed itself (window.close(), perhaps after sending its opener on with
      // opener.location) shows the visitor the tab that opened it again: the chain goes on there.
      const back = this.stopReason === null && outcome !== 'deadline' ? this.openTabBehind(this.current!) : null;
      if (back) {
        this.current = back;
        back.restartSettleClock();
        continue;
      }
      if (outcome === 'quiet' && !waitedForOtherTabs && this.otherTabOnTheWay()) {
        waitedForOtherTabs = true;
        await this.otherTabsArrived(options.deadline);
        // Meanwhile the chain's page may have moved on, closed, or opened a popup: settled again.
        if (this.pendingPopup || this.current!.closed || this.current!.documentOnItsWay) continue;
      }
      return outcome;
    }
  }

  /**
   * Another tab's document still on its way when the chain's page is at rest (a tab-under's first
   * tab sent on to an ad server slower than the advertiser in the new window): its hops are
   * evidence of the case, so it is let arrive, for up to OTHER_TAB_WAIT_MS and within the deadline.
   */
  private async otherTabsArrived(deadline: number): Promise<void> {
    const until = Math.min(deadline, Date.now() + OTHER_TAB_WAIT_MS);
    while (this.stopReason === null && Date.now() < until && this.otherTabOnTheWay())
      await new Promise((resolve) => setTimeout(resolve, EXCHANGE_POLL_MS));
  }

  private otherTabOnTheWay(): boolean {
    return [...this.observers.values()].some((o) => o !== this.current && !o.closed && !o.frozen && o.documentOnItsWay);
  }

  /** The nearest opener still open of a page that closed by itself (not crashed), or null. */
  private openTabBehind(page: PageObserver): PageObserver | null {
    if (!page.closed || page.crashed) return null;
    let opener = this.openers.get(page) ?? null;
    while (opener && opener.closed) opener = this.openers.get(opener) ?? null;
    return opener;
  }

  detachAll(): void {
    for (const observer of this.observers.values()) observer.detach();
  }

  /** Stops the trace once `reason` is known (null: no reason to stop after all). */
  private stopWhenKnown(reason: Promise<string | null>): void {
    const known = reason.then((r) => r !== null && this.stop(r));
    const previous = this.pendingStop;
    this.pendingStop = previous ? Promise.all([previous, known]).then(() => undefined) : known.then(() => undefined);
  }

  /** The chain's page lost its renderer: that ends the trace, with the cause Chromium gives. */
  private onCrash(observer: PageObserver): void {
    // After the trace (its pages detached), a renderer ending is the browser closing.
    if (observer !== this.current || this.stopReason || observer.frozen) return;
    this.stopWhenKnown(this.crashReason(observer.target.targetId));
  }

  /**
   * The chain's document failed: the top's, or the followed frame's. Where the failure has a
   * precise cause (a redirect to a scheme that is not the web's, a body cut or undecodable, for a
   * frame's also a server not reached), the trace ends at once with it, said of the frame's
   * document for a frame's; nothing more will come of that document, so waiting out the settle
   * time (the page around a frame may have work pending) would only hide the cause.
   */
  private onDocFailed(observer: PageObserver, failure: DocumentFailure): void {
    if (observer !== this.current || this.stopReason) return;
    this.stopWhenKnown(this.failureReason(failure).then((reason) => (reason === null ? null : inFrameOf(reason, failure.frameOf))));
  }

  private async failureReason(failure: DocumentFailure): Promise<string | null> {
    const url = requestedAs(failure.url);
    // The proxy records an exchange as it finishes it, which is as Chromium gets its last bytes:
    // it is there by now, or within moments.
    for (let waited = 0; ; waited += EXCHANGE_POLL_MS) {
      const exchange = [...this.capture.exchanges].reverse().find((x) => requestedAs(x.request.url) === url) ?? null;
      // A URL of another scheme needs no record; every other reason is read from it (a corrupt
      // body is recorded only once the proxy has passed all of it on, after Chromium gave up).
      if (exchange !== null || waited >= EXCHANGE_WAIT_MS || unsupportedScheme(failure.url))
        return documentFailureReason(failure, exchange);
      await new Promise((resolve) => setTimeout(resolve, EXCHANGE_POLL_MS));
    }
  }

  private onDocRequest(observer: PageObserver): void {
    const hops = this.capture.events.filter((e) => e.type === 'doc-request').length;
    const url = observer.requestedUrls.at(-1)!;
    this.progress({ kind: 'hop', detail: url });
    const loop = observer.requestedUrls.filter((u) => u === url).length >= 3;
    if (!loop && hops < this.maxHops) return;
    this.stop(
      loop ? `redirect loop: ${url} requested 3 times` : `too many hops: stopped after ${this.maxHops} documents (see --max-hops)`,
      true,
    );
    if (this.frozenAt === null) {
      this.frozenAt = url;
      this.onFreeze(url);
    }
  }
}

function timeoutMessage(observer: PageObserver, timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 1000);
  if (observer.docInFlight) return `timeout: no response for ${observer.requestedUrls.at(-1) ?? 'the page'} within ${seconds} s`;
  if (observer.frameDocInFlight)
    return inFrameOf(`timeout: no response for ${observer.requestedUrls.at(-1) ?? 'the page'} within ${seconds} s`, observer.url);
  if (!observer.loaded && observer.inflight.size > 0)
    return `timeout: the page was still loading after ${seconds} s (${observer.inflight.size} request(s) pending)`;
  return `timeout: the page did not settle within ${seconds} s`;
}
