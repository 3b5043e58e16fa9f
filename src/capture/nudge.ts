// A resting page that listens for signs of a person (a mouse or pointer moving, a scroll or wheel
// turn, a touch, focus) may be a human check: a cloaker holding its real redirect until the visitor
// shows one. The trace then behaves like a person who starts reading the page, once per document:
// the window focused, a mouse path of a few curved strokes away from links (about half a second),
// then the wheel turned down a few notches at a time, far enough to take a long page past half its
// height (a phone: a finger that flicks the page up, once or a few times). Never a click, a key or
// typing. A page that listens for none of these is left alone: it costs nothing.
import type { PageObserver } from './page-observer.js';
import { clickAndWatch } from './click.js';
import { flick } from './touch.js';
import {
  MOUSE_MOVING_MS,
  WHEEL_NOTCHES,
  WHEEL_NOTCH_PX,
  between,
  hundredths,
  mousePath,
  scrolledPast,
  swipe,
  waypoints,
  wheelTimes,
  type MouseSample,
  type Point,
  type TouchSample,
} from './hand-motion.js';

/** What a nudge did, in the words of the case (the `nudge` event's `actions`). */
export type NudgeAction = 'focus' | 'mouse' | 'wheel' | 'touch' | 'scroll';

/** How many paths (or swipes) are drawn to choose from: the one over the fewest links and controls is taken. */
const CANDIDATES = 5;

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

/** Page-side (our isolated world): [scrollY, the document's scrollHeight, innerHeight]. */
const SCROLL_STATE =
  '[scrollY, Math.max((document.scrollingElement || document.documentElement || {}).scrollHeight || 0, innerHeight), innerHeight]';

/** How far down the wheel or the finger takes the page when it can: past half of its height, with room to spare. */
const SCROLL_SHARE = 0.6;
/** How often a flinging page's place is read (our isolated world) until it rests, and how long past the input's time at most. */
const SCROLL_POLL_MS = 100;
const SCROLL_REST_MS = 1500;
/** How long before the input's time a phone's last flick may begin. */
const FLICK_ROOM_MS = 500;
/** How long the hand takes from moving the mouse to turning its wheel. */
const WHEEL_AFTER_MOUSE_MS: readonly [number, number] = [80, 200];
/** How many flicks a phone gives at most, and the time between two (the page flings on, the reader reads). */
const FLICKS = 3;
const FLICK_PAUSE_MS: readonly [number, number] = [200, 400];

/** How long, at most, the page is given to show what the nudge set off (its round trip, click.ts clickAndWatch). */
const ANSWER_MS = 1000;
/**
 * How long the input of a nudge may take, at most: the mouse moves 0.3 to 0.7 s (with its rests
 * and frames about 1 s at most) and the wheel's up to 8 notches take at most 1.3 s more (a phone's
 * flick takes about 0.3 s and the page's fling a second or more). Past it (or the trace's deadline)
 * no more input is sent; a flung page is then waited for until it rests, SCROLL_REST_MS at most.
 */
export const NUDGE_INPUT_MS = 2500;

/** A frame of a 60 Hz display, when the page gets its input. */
const FRAME_MS = 1000 / 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

type Scroll = [scrollY: number, scrollHeight: number, innerHeight: number];
const isScroll = (v: unknown): v is Scroll => Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === 'number');

/**
 * Behaves like a person starting to read the resting page (see above) and waits until what that
 * set off can be seen (click.ts clickAndWatch); stops as soon as the page starts navigating away.
 * Returns what was done.
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
  const performMs = Math.min(NUDGE_INPUT_MS, Math.max(500, options.budgetMs));
  const until = Date.now() + performMs;
  const moved = () => observer.navigationState() !== before || observer.closed;
  // Past its time, the input stops as if the page had moved on (what was sent stands).
  const stop = () => moved() || Date.now() >= until;
  const send = observer.session.send.bind(observer.session);
  const scrollState = async (): Promise<Scroll | null> => {
    const state = await observer.evaluate(SCROLL_STATE, 'isolated', 500);
    return isScroll(state) ? state : null;
  };
  const farEnough = (state: Scroll | null) => !state || scrolledPast(SCROLL_SHARE, ...state);
  /** Where the page is once it has stopped scrolling (the same place twice, a poll apart), waited for up to SCROLL_REST_MS past the input's time. */
  const scrollAtRest = async (): Promise<Scroll | null> => {
    let last = await scrollState();
    while (last && !moved() && Date.now() < until + SCROLL_REST_MS) {
      await sleep(SCROLL_POLL_MS);
      const now = await scrollState();
      if (!now || now[0] === last[0]) return now;
      last = now;
    }
    return last;
  };

  const perform = async () => {
    if (!options.focused) {
      begin('focus');
      await Promise.all([
        send('Page.bringToFront').catch(() => undefined),
        send('Emulation.setFocusEmulationEnabled', { enabled: true }).catch(() => undefined),
      ]);
      if (stop()) return;
    }
    const { width, height } = options.viewport;
    // Of a few paths (or flicks) drawn, the one over the fewest links and controls (none, mostly).
    const choose = async <T extends { x: number; y: number }>(draw: () => T[]) => {
      const drawn = Array.from({ length: CANDIDATES }, draw);
      const hits = (await observer.evaluate(pathCheckScript(drawn.map((p) => p.map(({ x, y }): Point => [x, y]))), 'isolated', 500)) as
        number[] | null;
      return (Array.isArray(hits) && drawn[hits.indexOf(Math.min(...hits))]) || drawn[0];
    };
    if (options.mobile) {
      const landing: Point = [width * between(Math.random, 0.3, 0.75), height * between(Math.random, 0.68, 0.82)];
      for (let i = 0; i < FLICKS; i++) {
        // The same hand flicks from about the same place each time.
        const [from, ...slide] = await choose(() => phoneFlick(landing, height));
        if (stop()) return;
        if (i === 0) begin('touch');
        await flick(observer, { x: from.x, y: from.y }, slide, stop, i === 0 ? () => begin('scroll') : undefined);
        if (stop()) return;
        // The page flings on; the reader waits until it stops (a tap on a flinging page only stops
        // it: a later --click would be lost), looks where it is, and reads on or flicks again.
        const rested = await scrollAtRest();
        if (stop() || farEnough(rested)) return;
        await sleep(between(Math.random, ...FLICK_PAUSE_MS));
        // Another flick only with time for the page to come to rest after it.
        if (until - Date.now() < FLICK_ROOM_MS) return;
      }
      return;
    }
    const path = await choose(() =>
      mousePath(waypoints(width, height, Math.random), between(Math.random, ...MOUSE_MOVING_MS), Math.random),
    );
    if (stop()) return;
    begin('mouse');
    await moveMouse(send, path, stop);
    if (stop()) return;
    // The hand goes from moving the mouse to its wheel.
    await sleep(between(Math.random, ...WHEEL_AFTER_MOUSE_MS));
    if (stop()) return;
    begin('wheel');
    const [x, y] = [path[path.length - 1].x, path[path.length - 1].y];
    const notches = wheelTimes(WHEEL_NOTCHES[1], Math.random);
    const start = Date.now();
    for (const [i, { t, burstEnds }] of notches.entries()) {
      await sleep(start + t - Date.now());
      if (stop()) return;
      await send('Input.dispatchMouseEvent', { type: 'mouseWheel', x, y, deltaX: 0, deltaY: WHEEL_NOTCH_PX, timestamp: Date.now() / 1000 });
      // At the end of a burst the reader looks where the page is: far enough, after a few notches, is enough.
      if (burstEnds && i + 1 >= WHEEL_NOTCHES[0]) {
        if (farEnough(await scrollState())) return;
      }
    }
  };
  const guarded = () => perform().catch(() => undefined);
  await clickAndWatch(observer, guarded, performMs + SCROLL_REST_MS, Math.min(ANSWER_MS, Math.max(0, options.budgetMs)));
  return actions;
}

/**
 * Sends the mouse's reports: those of each frame together as it ends, each with its own time (ms
 * since the epoch), none awaited before the next. Chromium queues moves that reach the page within
 * one frame and gives it one pointermove holding them (`getCoalescedEvents()`), as it does a real
 * mouse's; each report sent at its own time became a pointermove of its own (headless Chromium had
 * the page's frame drawn before the next came). No report while the hand rests between strokes.
 */
async function moveMouse(send: PageObserver['session']['send'], path: readonly MouseSample[], stop: () => boolean): Promise<void> {
  const start = Date.now();
  const sent: Promise<unknown>[] = [];
  for (const [i, { x, y, t }] of path.entries()) {
    const frame = Math.floor(t / FRAME_MS);
    if (i === 0 || frame !== Math.floor(path[i - 1].t / FRAME_MS)) await sleep(start + (frame + 1) * FRAME_MS - Date.now());
    if (stop()) break;
    sent.push(send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none', timestamp: (start + t) / 1000 }));
  }
  await Promise.all(sent);
}

/** A phone's flick from about `landing` (within 8 px) over a third to a half of a screen `height` high; its first point is where the finger lands. */
function phoneFlick(landing: Point, height: number): TouchSample[] {
  const from: Point = [hundredths(landing[0] + between(Math.random, -8, 8)), hundredths(landing[1] + between(Math.random, -8, 8))];
  return [{ x: from[0], y: from[1], t: 0 }, ...swipe(from, height * between(Math.random, 0.32, 0.48), Math.random)];
}
