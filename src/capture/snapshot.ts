// Snapshots of the pages a trace rests on: title and DOM (read in our isolated world) and a
// screenshot, recorded in the capture and written to the case as they are taken.
import type { Capture, PageSnapshot } from '../model.js';
import { snapshotPaths } from '../case/case-layout.js';
import type { PageObserver } from './page-observer.js';

/** Stands for a picture not drawn yet: the report names a screenshot's path, never reads its bytes. */
const EMPTY_PNG = Buffer.alloc(0);

interface EarlyScreenshot {
  observer: PageObserver;
  generation: number;
  /** The document it shows (PageObserver.documents when it was asked for). */
  document: number;
  png: Promise<Buffer | null>;
  done: boolean;
}

/** The last snapshot's screenshot, still being drawn: the page waits for it before anything acts on it. */
interface PendingScreenshot {
  snapshot: PageSnapshot;
  path: string;
  /** Resolves once the picture is in the snapshot (or known missing) and the page handed to the case. */
  done: Promise<boolean>;
}

export class Snapshots {
  private early: EarlyScreenshot | null = null;
  private pending: PendingScreenshot | null = null;

  constructor(
    private readonly capture: Capture,
    /** Writes the snapshot to the case. */
    private readonly addPage: (snapshot: PageSnapshot) => void,
    /** The trace's deadline (epoch ms): past it a snapshot gets a short budget. */
    private readonly deadline: number,
  ) {}

  /**
   * For settle.ts: a page turned quiet. Its screenshot is taken now; if the page stays quiet
   * through the grace period (same generation), that is the picture of the settled page. One at a
   * time per document: a page that keeps turning quiet and busy again is not photographed over and
   * over. A shot still pending for a document that was left (a script page quiet for a moment
   * before it redirects) does not hold back the next document's: Chromium answers it only with a
   * frame of whatever comes next, which took ~300 ms where the next page's own shot takes ~90.
   */
  readonly onQuiet = (observer: PageObserver): void => {
    // The world the document will be read in is made now too (once per document), and the followed frame's.
    void observer.isolatedContext();
    if (observer.followedFrame?.url) void observer.isolatedContext(observer.followedFrame.frameId);
    const pending = this.early && !this.early.done ? this.early : null;
    if (pending && pending.observer === observer && pending.document === observer.documents) return;
    const png = observer.screenshot(this.budget());
    const shot: EarlyScreenshot = { observer, generation: observer.generation, document: observer.documents, png, done: false };
    void png.finally(() => (shot.done = true)).catch(() => undefined);
    this.early = shot;
  };

  /**
   * Snapshot of the page that settled; `quiet`: it settled by staying quiet, so an early screenshot
   * may stand. Resolves with the title and DOM read; the screenshot comes in later (the compositor
   * draws a frame for it: 33 ms on an idle machine, 70-95 ms of CPU-bound work on a slow one), so
   * the trace can end its recording and derive its report meanwhile. Whatever acts on the page
   * next (a nudge, a click, explore, the next snapshot) first awaits `finished()`, so that the
   * picture shows the page as it rested.
   */
  async take(observer: PageObserver, quiet: boolean): Promise<void> {
    await this.finished();
    const early = this.early;
    this.early = null;
    const earlyPng = quiet && early && early.observer === observer && early.generation === observer.generation ? early.png : null;
    const url = observer.url;
    // about:blank is the page's empty start, unless a document of the chain sent the page there (a kit blanking it for bots).
    if (!url || (url === 'about:blank' && observer.docRequests === 0) || url.startsWith('chrome-error:') || observer.closed) return;
    // When the page settled: the timer read is judged by its age then (a screenshot of a loaded machine takes seconds).
    const settledAt = Date.now();
    const index = this.capture.pages.length + 1;
    const budget = this.budget();
    const png = (earlyPng ?? observer.screenshot(budget)).catch(() => null);
    const [document, frame] = await Promise.all([observer.readDocument(budget), followedFrame(observer, budget)]);
    const title = document?.title ?? '';
    const html = document?.html ?? null;
    const paths = snapshotPaths(index, url);
    const snapshot: PageSnapshot = {
      index,
      at: new Date().toISOString(),
      pageId: observer.pageId,
      url,
      title,
      screenshot: null,
      dom: html !== null ? { path: paths.dom, html } : null,
      ...(frame
        ? { frame: { url: frame.url, title: frame.title, dom: frame.html !== null ? { path: paths.frameDom, html: frame.html } : null } }
        : {}),
    };
    this.capture.pages.push(snapshot);
    const timer = pendingTimer(observer, settledAt, Date.parse(snapshot.at));
    this.capture.events.push({
      type: 'settled',
      at: snapshot.at,
      pageId: observer.pageId,
      url,
      title,
      snapshot: index,
      ...(timer ?? {}),
      ...(frame ? { frame: { url: frame.url, title: frame.title } } : {}),
    });
    const pending: PendingScreenshot = {
      snapshot,
      path: paths.screenshot,
      done: png.then((picture) => {
        if (picture) snapshot.screenshot = { path: paths.screenshot, png: picture };
        if (this.pending === pending) this.pending = null;
        this.addPage(snapshot);
        return picture !== null;
      }),
    };
    this.pending = pending;
  }

  /** Resolves once the last snapshot's screenshot is in: true when it was taken, false when none came (or none was pending). */
  finished(): Promise<boolean> {
    return this.pending?.done ?? Promise.resolve(false);
  }

  /**
   * The capture as it will be once the pending screenshot is in (its path named in its page), for
   * a report derived while it is drawn; the capture itself as it is when none is pending.
   */
  expected(capture: Capture): Capture {
    const pending = this.pending;
    if (!pending) return capture;
    const pages = capture.pages.map((p) => (p === pending.snapshot ? { ...p, screenshot: { path: pending.path, png: EMPTY_PNG } } : p));
    return { ...capture, pages };
  }

  private budget(): number {
    return Math.max(300, Math.min(3000, this.deadline + 700 - Date.now()));
  }
}

/**
 * The document of the child frame the chain went on in (page-observer.ts followedFrame), as the
 * page rests: its URL, title and DOM (read in our isolated world, as the top document's); null
 * when there is none.
 */
async function followedFrame(observer: PageObserver, budget: number): Promise<{ url: string; title: string; html: string | null } | null> {
  const frame = observer.followedFrame;
  // Chromium's error page in the frame is no document of the chain's (its hop says what failed).
  if (!frame?.url || frame.url.startsWith('chrome-error:')) return null;
  const { url } = frame;
  const document = await observer.readDocument(budget, frame.frameId);
  return { url, title: document?.title ?? '', html: document?.html ?? null };
}

/** A read older than this says nothing of a timer now: it may have been cleared since. */
const TIMER_READ_MAX_AGE_MS = 1000;

/**
 * How long after `at` the settled page's soonest one-shot timer is due, as settling last read it
 * (at most TIMER_READ_MAX_AGE_MS before the page settled at `settledAt`), and the --settle that
 * would have waited for it (null: none known).
 */
function pendingTimer(observer: PageObserver, settledAt: number, at: number): { timerDueInMs: number; timerSettleMs: number } | null {
  const timer = observer.onceTimer;
  if (!timer || timer.document !== observer.documents || settledAt - timer.readAt > TIMER_READ_MAX_AGE_MS || timer.dueAt <= at) return null;
  return { timerDueInMs: timer.dueAt - at, timerSettleMs: timer.dueAt - observer.committedAt };
}
