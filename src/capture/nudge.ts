// A resting page that listens for signs of a person (a mouse or pointer moving, a scroll or wheel
// turn, a touch, focus) may be a human check: a cloaker holding its real redirect until the visitor
// shows one. The trace then behaves like a person arriving on the page, once per document: the
// window focused, a short curved mouse path away from links and a wheel notch down and back up (a
// phone: a finger that slides a little and lifts off as no tap, a small scroll down and back). Never a click, a key or typing.
// A page that listens for none of these is left alone: it costs nothing.
import type { PageObserver } from './page-observer.js';
import { clickAndWatch } from './click.js';
import { touchWithoutTap } from './touch.js';

type Point = [x: number, y: number];

/** What a nudge did, in the words of the case (the `nudge` event's `actions`). */
export type NudgeAction = 'focus' | 'mouse' | 'wheel' | 'touch' | 'scroll';

/** Points of a quadratic curve from `from` to `to` bent by `bend` (fractions of a pixel, as a real mouse reports them). */
function curve(from: Point, to: Point, bend: Point, steps: number): Point[] {
  const points: Point[] = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    const x = u * u * from[0] + 2 * u * t * bend[0] + t * t * to[0];
    const y = u * u * from[1] + 2 * u * t * bend[1] + t * t * to[1];
    points.push([Math.round(x * 100) / 100 + 0.37, Math.round(y * 100) / 100 + 0.21]);
  }
  return [from, ...points];
}

/** Mouse paths to choose from, in the viewport's lower half and sides (where a pointer comes in), as fractions of it, `steps` reports long. */
function candidatePaths(width: number, height: number, steps: number): Point[][] {
  const at = (fx: number, fy: number): Point => [Math.round(width * fx * 10) / 10 + 0.5, Math.round(height * fy * 10) / 10 + 0.25];
  return [
    curve(at(0.62, 0.86), at(0.47, 0.64), at(0.6, 0.7), steps),
    curve(at(0.9, 0.55), at(0.76, 0.38), at(0.88, 0.42), steps),
    curve(at(0.12, 0.8), at(0.28, 0.6), at(0.14, 0.66), steps),
    curve(at(0.5, 0.97), at(0.38, 0.78), at(0.48, 0.84), steps),
  ];
}

/** Page-side (our isolated world): how many points of each path are over something a person would act on (a link, a control, a frame). */
function pathCheckScript(paths: Point[][]): string {
  return `(() => {
  const active = 'a[href],button,input,select,textarea,label,summary,iframe,video,[role=button],[role=link],[onclick],[contenteditable]';
  return ${JSON.stringify(paths)}.map((path) => path.filter(([x, y]) => {
    const el = document.elementFromPoint(x, y);
    return !!el && !!el.closest(active);
  }).length);
})()`;
}

/** Page-side (our isolated world): where the page is scrolled to. */
const SCROLL_POSITION_SCRIPT = '[scrollX, scrollY]';

/**
 * Page-side (our isolated world): a small scroll down from `origin` (where the page was before the
 * nudge; the page's own position when unknown) and, two frames later, back there (a phone's swipe,
 * seen as scroll events).
 */
function scrollAndBackScript(origin: readonly [number, number] | null): string {
  return `new Promise((resolve) => {
  const [x, y] = ${origin ? JSON.stringify(origin) : '[scrollX, scrollY]'};
  scrollTo(x, y + 60);
  const timer = setTimeout(() => { scrollTo(x, y); resolve(); }, 100);
  requestAnimationFrame(() => requestAnimationFrame(() => { clearTimeout(timer); scrollTo(x, y); resolve(); }));
})`;
}

/** How long, at most, the page is given to show what the nudge set off (its round trip, click.ts clickAndWatch). */
const ANSWER_MS = 1000;
/** How long the mouse path takes, on average: three strokes of a hand (each 16 to 32 ms), not a script's jump. */
const MOUSE_PATH_MS = 72;
/**
 * Time between two reports of the mouse: a USB mouse polled at 250 Hz (mice report at 125 to 1000
 * Hz). Faster than frames: Chromium gives the page one pointermove per frame holding the reports
 * since the last (`getCoalescedEvents()`), as it does a real mouse's. At 125 Hz a frame held two
 * reports, and headless Chromium often gave them a pointermove each all the same (see below).
 */
const MOUSE_POLL_MS = 4;

/**
 * Report times (ms from the first) of a mouse moved for about `pathMs`, a poll interval apart give
 * or take a USB frame's jitter (never evenly, as a script's would be).
 */
function pollTimes(pathMs: number): number[] {
  const duration = pathMs * (0.67 + Math.random() * 0.66);
  const times = [0];
  while (times.length <= Math.round(duration / MOUSE_POLL_MS)) times.push(times.length * MOUSE_POLL_MS + (Math.random() - 0.5) * 0.5);
  return times;
}

/** A frame of a 60 Hz display, when the page gets its input. */
const FRAME_MS = 1000 / 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Behaves like a person arriving on the resting page (see above) and waits until what that set off
 * can be seen (click.ts clickAndWatch); stops early once the page navigates. Returns what was done.
 */
export async function nudgePage(
  observer: PageObserver,
  options: {
    mobile: boolean;
    viewport: { width: number; height: number };
    focused: boolean;
    budgetMs: number;
    /** Called as each action begins, before its first event is sent (the case records it then). */
    onAction: (action: NudgeAction) => void;
  },
): Promise<NudgeAction[]> {
  const actions: NudgeAction[] = [];
  const begin = (action: NudgeAction) => {
    actions.push(action);
    options.onAction(action);
  };
  const before = observer.navigationState();
  const moved = () => observer.navigationState() !== before || observer.closed;
  const send = observer.session.send.bind(observer.session);
  const perform = async () => {
    if (!options.focused) {
      begin('focus');
      await Promise.all([
        send('Page.bringToFront').catch(() => undefined),
        send('Emulation.setFocusEmulationEnabled', { enabled: true }).catch(() => undefined),
      ]);
      if (moved()) return;
    }
    const { width, height } = options.viewport;
    const times = pollTimes(MOUSE_PATH_MS);
    const paths = candidatePaths(width, height, times.length - 1);
    const hits = (await observer.evaluate(pathCheckScript(paths), 'isolated', 500)) as number[] | null;
    let path = paths[0];
    if (Array.isArray(hits)) path = paths[hits.indexOf(Math.min(...hits))] ?? path;
    if (moved()) return;
    if (options.mobile) {
      const [x, y] = path[0];
      const origin = (await observer.evaluate(SCROLL_POSITION_SCRIPT, 'isolated', 500)) as [number, number] | null;
      begin('touch');
      // Slid past the touch slop (a finger that moves gets touchmove) and lifted off as cancelled,
      // not ended: a touch that ends where it began is a tap, and a tap clicks. The page scrolls a
      // little with it, and is put back by the scroll below.
      await touchWithoutTap(observer, x, y, moved);
      if (moved()) return;
      begin('scroll');
      await observer.evaluate(scrollAndBackScript(Array.isArray(origin) ? origin : null), 'isolated', 500);
      return;
    }
    begin('mouse');
    // The reports of each frame are sent together as it ends, each with its own time (ms since the
    // epoch), none awaited before the next: Chromium queues moves that reach the page within one
    // frame and gives it one pointermove holding them (`getCoalescedEvents()`), as it does a real
    // mouse's. Each report sent at its own time became a pointermove of its own (headless Chromium
    // had the page's frame drawn before the next came). A wheel turn goes with the first report and
    // back with the last (wheel events take another path, and two queued together would cancel out).
    const start = Date.now();
    const last = path.length - 1;
    const sent: Promise<unknown>[] = [];
    for (const [i, [x, y]] of path.entries()) {
      const frame = Math.floor(times[i] / FRAME_MS);
      if (i === 0 || frame !== Math.floor(times[i - 1] / FRAME_MS)) await sleep(start + (frame + 1) * FRAME_MS - Date.now());
      if (moved()) break;
      const timestamp = (start + times[i]) / 1000;
      sent.push(send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none', timestamp }));
      if (i === 0) begin('wheel');
      if (i === 0 || i === last)
        sent.push(send('Input.dispatchMouseEvent', { type: 'mouseWheel', x, y, deltaX: 0, deltaY: i === 0 ? 100 : -100, timestamp }));
    }
    await Promise.all(sent);
  };
  const guarded = () => perform().catch(() => undefined);
  await clickAndWatch(observer, guarded, Math.max(500, options.budgetMs), Math.min(ANSWER_MS, Math.max(0, options.budgetMs)));
  return actions;
}
