// The pages of one trace: an observer per page (the first, and every popup), which one the chain
// is on, why the trace stopped, and the navigation evidence they emit into the capture.
import type { Capture, NavEvent } from '../model.js';
import type { AttachedTarget } from './browser.js';
import { PageObserver, withTimeout } from './page-observer.js';
import { preparePage, resume, type BrowserSession } from './session.js';
import { waitForSettle, type SettleOutcome } from './settle.js';

export type Progress = (event: { kind: string; detail: string }) => void;

export class TracePages {
  readonly observers = new Map<string, PageObserver>();
  /** The page the chain is on. */
  current: PageObserver | null = null;
  /** Why the trace stopped (the first reason given), or null while it runs. */
  stopReason: string | null = null;
  private pageCount = 0;
  /** A popup being set up; settling waits for it and then follows it. */
  private pendingPopup: Promise<void> | null = null;

  constructor(
    private readonly capture: Capture,
    private readonly maxHops: number,
    private readonly progress: Progress,
  ) {}

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
    const observer = new PageObserver(
      target,
      `p${++this.pageCount}`,
      (event) => this.emit(event),
      () => this.onDocRequest(observer),
    );
    this.observers.set(target.targetId, observer);
    this.emit({ type: 'page', at: new Date().toISOString(), pageId: observer.pageId, openerPageId: opener?.pageId ?? null });
    target.session.on('Page.javascriptDialogOpening', (dialog: { type: string; message: string }) => {
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
    for (;;) {
      const outcome = await waitForSettle(() => this.current!, {
        settleMs: options.settleMs,
        deadline: options.deadline,
        shouldStop: () => this.stopReason !== null,
        onQuiet: options.onQuiet,
      });
      if (outcome === 'deadline') this.stop(timeoutMessage(this.current!, options.timeoutMs));
      if (this.pendingPopup) {
        const popup = this.pendingPopup;
        this.pendingPopup = null;
        await withTimeout(popup, options.deadline - Date.now(), undefined);
        continue;
      }
      return outcome;
    }
  }

  detachAll(): void {
    for (const observer of this.observers.values()) observer.detach();
  }

  private onDocRequest(observer: PageObserver): void {
    const hops = this.capture.events.filter((e) => e.type === 'doc-request').length;
    const url = observer.requestedUrls.at(-1)!;
    this.progress({ kind: 'hop', detail: url });
    if (observer.requestedUrls.filter((u) => u === url).length >= 3) this.stop(`redirect loop: ${url} requested 3 times`, true);
    else if (hops >= this.maxHops) this.stop(`too many hops: stopped after ${this.maxHops} documents (see --max-hops)`, true);
  }
}

function timeoutMessage(observer: PageObserver, timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 1000);
  if (observer.docInFlight) return `timeout: no response for ${observer.requestedUrls.at(-1) ?? 'the page'} within ${seconds} s`;
  return `timeout: the page did not settle within ${seconds} s`;
}
