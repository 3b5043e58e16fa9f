// A phone visitor's finger, sent as CDP touch events (Input.dispatchTouchEvent), which Chromium turns
// into what a phone's page gets: pointer events of type touch and touch events; for a tap, then the
// compatibility mouse events (their source firing touch events) and the click. A phone sends no
// mouse event of its own.
import type { Protocol } from 'devtools-protocol';
import type { PageObserver } from './page-observer.js';
import { reapplyDeviceMetrics } from './device-metrics.js';

type Point = { x: number; y: number };

/**
 * A fingertip's contact as a phone reports it (CSS pixels; force 0 to 1), a little different each
 * time: CDP's defaults (a radius of 1 px, full force) are a pin, not a finger.
 */
export function fingertip(at: Point, random: () => number = Math.random): Protocol.Input.TouchPoint {
  const radius = () => Math.round((10 + random() * 3) * 100) / 100;
  return { x: at.x, y: at.y, radiusX: radius(), radiusY: radius(), force: Math.round((0.4 + random() * 0.25) * 1000) / 1000, id: 0 };
}

/**
 * Page-side (our isolated world, which the page cannot see): notes where the next trusted touch
 * lands in the top document's viewport (its pointerdown), forgetting the last one.
 */
const WATCH_TOUCH_SCRIPT = `(() => {
  if (!globalThis.__touchWatched) {
    globalThis.__touchWatched = true;
    addEventListener('pointerdown', (e) => {
      if (e.isTrusted && e.pointerType === 'touch') globalThis.__touchLanded = [e.clientX, e.clientY];
    }, { capture: true, passive: true });
  }
  globalThis.__touchLanded = null;
  return true;
})()`;

const TOUCH_LANDED_SCRIPT = 'globalThis.__touchLanded';

/**
 * Whether a touch sent at `intended` landed there: `landed` is the clientX/Y of its pointerdown in
 * the top document (null: not seen there, e.g. in a child frame, which cannot be told).
 */
export function landedWhereIntended(intended: Point, landed: readonly [number, number] | null): boolean {
  if (!landed) return true;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1;
  return near(landed[0], intended.x) && near(landed[1], intended.y);
}

/** How long a finger rests on the screen in a tap, in ms: at least, and how much more at most (a random part). */
const TAP_HOLD_MS = 60;
const TAP_HOLD_SPREAD_MS = 50;

/** The document (PageObserver.documents) whose device metrics were last given again before a touch. */
const metricsSynced = new WeakMap<PageObserver, number>();

/**
 * Before the first touch of each document of a phone's page in the full build, gives the page its
 * device metrics again (device-metrics.ts). That build placed a CDP touch of a document it had
 * navigated to (the first page of nearly every trace; 0 touch-gate traces of 10 passed) at the
 * point divided by the emulated device scale factor (2.625) in the page's coordinates
 * (clientX/Y), while its screenX/screenY stayed where the finger was: the touch was
 * scaled in its window's factor (the host screen's, 1), not the page's 2.625. Whether it did
 * depended on how the new document's widget got its visual properties (once in a while a page
 * was right); giving the metrics to the page again once it is there makes the browser and the
 * page agree (20 traces of 20 passed). Chromium's own place of the mismatch was not pinned down:
 * InputHandler::DispatchWebTouchEvent (content/browser/devtools/protocol/input_handler.cc) scales
 * only by zoom and page scale, so it is the widget's device scale on the way. The page gets a
 * resize event with its size unchanged. The headless shell places every touch right and gets none.
 */
async function syncTouchScale(observer: PageObserver): Promise<void> {
  if (metricsSynced.get(observer) === observer.documents) return;
  metricsSynced.set(observer, observer.documents);
  await reapplyDeviceMetrics(observer.session);
}

/** Starts noting where the next touch lands (true), or cannot (the page did not answer: nothing is checked). */
async function watchTouch(observer: PageObserver): Promise<boolean> {
  await syncTouchScale(observer);
  return (await observer.evaluate(WATCH_TOUCH_SCRIPT, 'isolated', 500)) === true;
}

/** Whether a touch sent at `intended` landed there ('here', or not seen), read before the finger lifts. */
async function landedHere(observer: PageObserver, watching: boolean, intended: Point): Promise<boolean> {
  const landed = watching ? await observer.evaluate(TOUCH_LANDED_SCRIPT, 'isolated', 500) : null;
  return landedWhereIntended(intended, Array.isArray(landed) ? [Number(landed[0]), Number(landed[1])] : null);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * A tap at (x, y) of the viewport: a touch that lifts where it began after a short hold, which
 * Chromium makes a click (its acknowledgement of the lift comes after the click was dispatched).
 * Where the touch landed is checked before the finger lifts: one that landed elsewhere is
 * cancelled, never a click on what was not chosen.
 */
export async function tap(observer: PageObserver, x: number, y: number): Promise<void> {
  const send = observer.session.send.bind(observer.session);
  const watching = await watchTouch(observer);
  const hold = TAP_HOLD_MS + Math.random() * TAP_HOLD_SPREAD_MS;
  await send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [fingertip({ x, y })] });
  const down = Date.now();
  const here = await landedHere(observer, watching, { x, y });
  await pause(down + hold - Date.now());
  await send('Input.dispatchTouchEvent', { type: here ? 'touchEnd' : 'touchCancel', touchPoints: [] });
}

/**
 * A finger that lands at `from`, flicks up along `samples` (hand-motion.ts swipe) and lifts while still moving: the page gets pointer events of type touch
 * (pointercancel once Chromium takes the slide for a scroll, as on a phone), touchstart, touchmove
 * and touchend, and the page scrolls with the finger and flings on after it. A touch that moved past
 * the touch slop (15 px) is never a tap: no click, no mouse event. `onSlide` is called before the
 * first move; stops sliding once `stop()` says so (the page moved on), then lifts the finger as
 * cancelled. Ends the touch whatever happens (a touch left down would make the next touch a move).
 */
export async function flick(
  observer: PageObserver,
  from: Point,
  samples: readonly { x: number; y: number; t: number }[],
  stop: () => boolean,
  onSlide: () => void = () => undefined,
): Promise<void> {
  const send = observer.session.send.bind(observer.session);
  const finger = fingertip(from);
  let lifted = false;
  try {
    await syncTouchScale(observer);
    await send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [finger] });
    const landed = Date.now();
    onSlide();
    // Each move sent at its time, not awaited: Chromium acknowledges a move once the page has
    // scrolled with it (a few frames), and a finger does not wait for that (moves sent while one is
    // pending are coalesced, as a phone's are). The lift follows the last move at once, still moving.
    const sent: Promise<unknown>[] = [];
    try {
      for (const { x, y, t } of samples) {
        if (stop()) return;
        await pause(landed + t - Date.now());
        sent.push(send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ ...finger, x, y }] }));
      }
      if (stop()) return;
      lifted = true;
      sent.push(send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] }));
    } finally {
      await Promise.all(sent);
    }
  } finally {
    if (!lifted) await send('Input.dispatchTouchEvent', { type: 'touchCancel', touchPoints: [] }).catch(() => undefined);
  }
}
