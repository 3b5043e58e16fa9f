// Snapshots of the pages a trace rests on: title and DOM (read in our isolated world) and a
// screenshot, recorded in the capture and written to the case as they are taken.
import type { Capture, PageSnapshot } from '../model.js';
import { snapshotPaths } from '../case/case-layout.js';
import type { PageObserver } from './page-observer.js';

interface EarlyScreenshot {
  observer: PageObserver;
  generation: number;
  /** The document it shows (PageObserver.documents when it was asked for). */
  document: number;
  png: Promise<Buffer | null>;
  done: boolean;
}

export class Snapshots {
  private early: EarlyScreenshot | null = null;

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

  /** Snapshot of the page that settled; `quiet`: it settled by staying quiet, so an early screenshot may stand. */
  async take(observer: PageObserver, quiet: boolean): Promise<void> {
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
    const [document, png, frame] = await Promise.all([
      observer.readDocument(budget),
      earlyPng ?? observer.screenshot(budget),
      followedFrame(observer, budget),
    ]);
    const title = document?.title ?? '';
    const html = document?.html ?? null;
    const paths = snapshotPaths(index, url);
    const snapshot: PageSnapshot = {
      index,
      at: new Date().toISOString(),
      pageId: observer.pageId,
      url,
      title,
      screenshot: png ? { path: paths.screenshot, png } : null,
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
    this.addPage(snapshot);
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
