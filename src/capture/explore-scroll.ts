// When explore finds nothing to click on a page, a person scrolls: some pages put their offer in
// only as the end of the page (an IntersectionObserver's sentinel) or a lazy section comes into
// view. The page is scrolled down as a hand does it (the wheel turned in bursts of notches, a
// phone's page flicked up), a pause after each to look, until its end stays put or the time is up.
// Never a click, a key or typing. What was done is told in the next explore step.
import type { ExploreEvent } from '../model.js';
import type { PageObserver } from './page-observer.js';
import type { Pointer } from './click.js';
import { flick } from './touch.js';
import { WHEEL_NOTCH_PX, between, scrolledPast, swipe, wheelTimes } from './hand-motion.js';

/** How long explore scrolls a page, at most. */
export const EXPLORE_SCROLL_MS = 5000;
/** How much of what shows of the page a turn of the wheel (a burst of notches, then a pause to look) brings into view; a phone gives one flick per turn. */
const TURN_SHARE = 0.8;
/** A person's look at the page after each turn, in ms (what comes into view is rendered meanwhile). */
const LOOK_MS: readonly [number, number] = [250, 400];
/** Looks at the page's end without it growing before the reader stops (what comes into view there may add to it). */
const TURNS_AT_END = 1;

/**
 * Page-side (our isolated world): what a person scrolls to read the page, [offset, height, the part
 * in view, x, y of a point over it where a hand rests, beside the content]: the document, or where
 * the document does not scroll (`overflow: hidden` on it), the largest box filling most of the
 * window that does (an app shell's content pane); [] when nothing does.
 */
const SCROLL_STATE = `(() => {
  const doc = document.scrollingElement || document.documentElement;
  const held = [document.documentElement, document.body].some((e) => e && /^(hidden|clip)$/.test(getComputedStyle(e).overflowY));
  if (doc && !held && doc.scrollHeight > innerHeight + 2)
    return [scrollY, Math.max(doc.scrollHeight, innerHeight), innerHeight, Math.round(innerWidth * 0.92), Math.round(innerHeight * 0.6)];
  let best = null, most = 0;
  const all = document.body ? document.body.getElementsByTagName('*') : [];
  for (let i = 0; i < all.length && i < 5000; i++) {
    const el = all[i];
    if (el.scrollHeight <= el.clientHeight + 2 || !/^(auto|scroll|overlay)$/.test(getComputedStyle(el).overflowY)) continue;
    const r = el.getBoundingClientRect();
    const shown = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0)) * Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    if (shown >= 0.5 * innerWidth * innerHeight && shown > most) [best, most] = [el, shown];
  }
  if (!best) return [];
  const r = best.getBoundingClientRect();
  const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
  return [best.scrollTop, best.scrollHeight, best.clientHeight, Math.round(Math.min(r.right, innerWidth) - 40), Math.round(top + 0.6 * (bottom - top))];
})()`;

type Scroll = [offset: number, height: number, inView: number, x: number, y: number];
const isScroll = (v: unknown): v is Scroll => Array.isArray(v) && v.length === 5 && v.every((n) => typeof n === 'number');

/** Reads of where the page is scrolled before explore takes it for one it cannot scroll (a loaded machine may time one out). */
const STATE_ATTEMPTS = 3;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Whether the page below the window holds more than a few pixels: a person would scroll on. */
const moreBelow = ([offset, height, inView]: Scroll) => !scrolledPast(1, offset + 2, height, inView);

/**
 * Scrolls the page down as a person does, up to `budgetMs`; what was done (the explore step's
 * `scrolled`), or null when the page has nothing below its window (nothing was sent).
 */
export async function scrollDownToRead(
  observer: PageObserver,
  pointer: Pointer,
  viewport: { width: number; height: number },
  budgetMs: number,
): Promise<NonNullable<ExploreEvent['scrolled']> | null> {
  // On a loaded machine a read may time out: tried again before the page is taken for one that does not scroll.
  const state = async (): Promise<Scroll | null> => {
    for (let attempt = 0; attempt < STATE_ATTEMPTS && !observer.closed; attempt++) {
      const read = await observer.evaluate(SCROLL_STATE, 'isolated', 2000, 1000);
      // An answer (an empty one: nothing scrolls), not a read that timed out.
      if (Array.isArray(read)) return isScroll(read) ? read : null;
    }
    return null;
  };
  const first = await state();
  if (!first || !moreBelow(first)) return null;
  const before = observer.navigationState();
  const until = Date.now() + budgetMs;
  const stop = () => observer.closed || observer.navigationState() !== before || Date.now() >= until;
  const send = observer.session.send.bind(observer.session);
  const { width, height } = viewport;
  // Beside the content, where a hand rests (over what scrolls: a wheel turned over a box moves that box).
  const [, , , x, y] = first;
  let turns = 0;
  let atEnd = 0;
  let last = first;
  while (!stop() && atEnd < TURNS_AT_END) {
    turns++;
    if (pointer === 'touch') {
      const from: [number, number] = [
        x - width * between(Math.random, 0.15, 0.3),
        Math.min(height - 8, y + height * between(Math.random, 0.1, 0.2)),
      ];
      await flick(observer, { x: from[0], y: from[1] }, swipe(from, height * between(Math.random, 0.4, 0.5), Math.random), stop);
    } else {
      const start = Date.now();
      const notches = Math.max(1, Math.round((TURN_SHARE * first[2]) / WHEEL_NOTCH_PX));
      for (const { t } of wheelTimes(notches, Math.random)) {
        await pause(start + t - Date.now());
        if (stop()) break;
        await send('Input.dispatchMouseEvent', { type: 'mouseWheel', x, y, deltaX: 0, deltaY: WHEEL_NOTCH_PX }).catch(() => undefined);
      }
    }
    await pause(between(Math.random, ...LOOK_MS));
    const now = await state();
    if (!now) break;
    // At the end, and the page did not grow since the last look: another turn or two, then the reader stops.
    atEnd = !moreBelow(now) && now[1] <= last[1] ? atEnd + 1 : 0;
    last = now;
  }
  return { by: pointer === 'touch' ? 'touch' : 'wheel', turns, to: Math.round(last[0]), end: !moreBelow(last) };
}
