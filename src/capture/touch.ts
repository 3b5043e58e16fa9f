// A phone visitor's finger, sent as CDP touch events (Input.dispatchTouchEvent), which Chromium turns
// into what a phone's page gets: pointer events of type touch and touch events; for a tap, then the
// compatibility mouse events (their source firing touch events) and the click. A phone sends no
// mouse event of its own.
import type { Protocol } from 'devtools-protocol';
import type { PageObserver } from './page-observer.js';

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
 * Where to touch so the finger lands on `intended`, from where a touch sent there `landed`
 * (clientX/Y of its pointerdown in the top document; null: not seen there, e.g. in a child frame).
 * 'here': it landed where intended (or cannot be told). A point: full Chromium at times places
 * every touch of a page emulating a device scale factor at the point divided by it (seen: 2.625,
 * about one page in two, for good once it happens; mouse events and the headless shell are not
 * affected), so the touch is sent again scaled up. null: it landed elsewhere for no reason we know.
 */
export function touchCorrection(intended: Point, landed: readonly [number, number] | null): 'here' | Point | null {
  if (!landed) return 'here';
  const [lx, ly] = landed;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1;
  if (near(lx, intended.x) && near(ly, intended.y)) return 'here';
  const sum = lx + ly;
  if (sum <= 1) return null;
  const scale = (intended.x + intended.y) / sum;
  if (scale <= 1 || !near(lx * scale, intended.x) || !near(ly * scale, intended.y)) return null;
  return { x: intended.x * scale, y: intended.y * scale };
}

/** How long a finger rests on the screen in a tap, in ms: at least, and how much more at most (a random part). */
const TAP_HOLD_MS = 60;
const TAP_HOLD_SPREAD_MS = 50;

/** The scale a touch of the observer's document was found misplaced by (see touchCorrection): its next touches are sent scaled. */
const misplaced = new WeakMap<PageObserver, { document: number; scale: number }>();

function knownScale(observer: PageObserver): number {
  const known = misplaced.get(observer);
  return known && known.document === observer.documents ? known.scale : 1;
}

/** Starts noting where the next touch lands (true), or cannot (the page did not answer: nothing is checked). */
async function watchTouch(observer: PageObserver): Promise<boolean> {
  return (await observer.evaluate(WATCH_TOUCH_SCRIPT, 'isolated', 500)) === true;
}

/**
 * Where a touch sent at `intended` times `scale` landed: 'here' (or not seen), elsewhere by a
 * scale (returned, and remembered for the document's next touches), or elsewhere (null).
 */
async function landing(observer: PageObserver, watching: boolean, intended: Point, scale: number): Promise<'here' | number | null> {
  const landed = watching ? await observer.evaluate(TOUCH_LANDED_SCRIPT, 'isolated', 500) : null;
  const correction = touchCorrection(intended, Array.isArray(landed) ? [Number(landed[0]), Number(landed[1])] : null);
  if (correction === 'here' || correction === null) return correction;
  const found = (scale * (correction.x + correction.y)) / (intended.x + intended.y);
  misplaced.set(observer, { document: observer.documents, scale: found });
  return found;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * A tap at (x, y) of the viewport: a touch that lifts where it began after a short hold, which
 * Chromium makes a click (its acknowledgement of the lift comes after the click was dispatched).
 * Where the touch landed is checked before the finger lifts: one that landed elsewhere is
 * cancelled (never a click on what was not chosen) and, when Chromium misplaced it by a scale,
 * sent again where it lands on the point.
 */
export async function tap(observer: PageObserver, x: number, y: number): Promise<void> {
  const send = observer.session.send.bind(observer.session);
  const intended = { x, y };
  let scale = knownScale(observer);
  for (let attempt = 0; attempt < 2; attempt++) {
    const watching = await watchTouch(observer);
    const hold = TAP_HOLD_MS + Math.random() * TAP_HOLD_SPREAD_MS;
    await send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [fingertip({ x: x * scale, y: y * scale })] });
    const down = Date.now();
    const landed = await landing(observer, watching, intended, scale);
    await pause(down + hold - Date.now());
    if (landed === 'here') {
      await send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      return;
    }
    await send('Input.dispatchTouchEvent', { type: 'touchCancel', touchPoints: [] });
    if (landed === null) return;
    scale = landed;
  }
}

/** A finger's slide up from where it lands, in CSS pixels: past Chromium's touch slop (15 px) by a few. */
const SLIDE: readonly (readonly [dx: number, dy: number])[] = [
  [0.4, -5.3],
  [0.9, -10.9],
  [1.3, -16.2],
  [1.6, -21.4],
];
/** Time between two positions of a sliding finger (a phone's touch screen reports at 60 Hz or more). */
const SLIDE_STEP_MS = 16;

/**
 * A finger that lands at (x, y), slides up a little past the touch slop in a few steps and is
 * lifted off as cancelled: the page gets pointer events of type touch, touchstart, touchmove (a
 * move within the slop gets none) and touchcancel; Chromium begins a scroll (the page scrolls
 * down about 10 px; pointercancel, as on a phone) and never makes it a tap. Ends the touch
 * whatever happens (a touch left down would make the next touch a move). Stops sliding once
 * `stop()` says so (the page moved on).
 */
export async function touchWithoutTap(observer: PageObserver, x: number, y: number, stop: () => boolean): Promise<void> {
  const send = observer.session.send.bind(observer.session);
  let scale = knownScale(observer);
  const finger = fingertip({ x: x * scale, y: y * scale });
  try {
    const watching = await watchTouch(observer);
    await send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [finger] });
    const landed = await landing(observer, watching, { x, y }, scale);
    // Misplaced by a scale: the slide is sent scaled too, so that it crosses the slop where it landed.
    if (typeof landed === 'number') scale = landed;
    for (const [dx, dy] of SLIDE) {
      if (stop()) break;
      await pause(SLIDE_STEP_MS);
      await send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [{ ...finger, x: finger.x + dx * scale, y: finger.y + dy * scale }],
      });
    }
  } finally {
    await send('Input.dispatchTouchEvent', { type: 'touchCancel', touchPoints: [] }).catch(() => undefined);
  }
}
