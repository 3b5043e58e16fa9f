// `--click TEXT`: finds the link or button a person would click, by its visible text, and clicks
// it with real (trusted) input near its centre, so the page sees a user gesture: a desktop's mouse
// or a phone's finger.
import type { Device } from './identity.js';
import { withTimeout, type PageObserver } from './page-observer.js';
import { tap } from './touch.js';

export type ClickPlan = { ok: true; target: string | null; perform: () => Promise<void> } | { ok: false; reason: string };

interface Found {
  target: string | null;
  x: number;
  y: number;
}

/**
 * Page-side source of a function giving what a person reads on a control, whitespace collapsed:
 * an input's value or alt, an image map area's alt, its visible text, the words its stylesheet
 * writes (CSS generated content), then (for icons) its aria-label, its text, its images' alt text
 * (a link holding only an image: its text is the whitespace around the <img>), an SVG's <title>,
 * its title attribute. Each is tried in turn until
 * one is not blank. Visible text comes before aria-label: a page could label "Unsubscribe" as "Shop now".
 */
export const ACCESSIBLE_NAME_SCRIPT = `(el) => {
  const squash = (s) => (s || '').replace(/[\\s\\u00a0]+/g, ' ').trim();
  const images = () => [...el.querySelectorAll('img[alt], [role=img][aria-label], svg title')]
    .map((i) => (i.tagName === 'IMG' ? i.alt : i.getAttribute('aria-label') || i.textContent)).join(' ');
  // Words a stylesheet writes (content: "Order now" on ::before or ::after, or attr(data-label)); an icon font's glyph is no word.
  const generated = () => {
    const words = [];
    for (const node of [el, ...el.querySelectorAll('*')].slice(0, 50))
      for (const pseudo of ['::before', '::after']) {
        const content = getComputedStyle(node, pseudo).content || '';
        for (const m of content.matchAll(/"((?:[^"\\\\]|\\\\.)*)"|attr\\(\\s*([\\w-]+)\\s*\\)/g))
          words.push(m[1] !== undefined ? m[1].replace(/\\\\(.)/g, '$1') : node.getAttribute(m[2]) || '');
      }
    const text = words.join('').replace(/[\\ue000-\\uf8ff]/g, '');
    return /[\\p{L}\\p{N}]/u.test(text) ? text : '';
  };
  for (const name of [
    () => (el.tagName === 'INPUT' ? el.value || el.getAttribute('alt') : el.tagName === 'AREA' ? el.getAttribute('alt') : ''),
    () => el.innerText,
    generated,
    () => el.getAttribute('aria-label'),
    () => el.textContent,
    images,
    () => el.getAttribute('title'),
  ]) {
    const text = squash(name());
    if (text) return text;
  }
  return '';
}`;

/**
 * Page-side `(box, reaches) => point | null`: where a hand clicks a control, near its box's centre
 * but never on it to the pixel (kits check for clicks at the exact centre, which no person hits):
 * up to a fifth of the box off the centre each way, a point the control itself `reaches` (true:
 * hit-testing there finds it); null when three tries found none (then the centre is tried).
 * Runs in our isolated world, whose Math.random the page cannot touch.
 */
export const HAND_POINT_SCRIPT = `(box, reaches) => {
  for (let i = 0; i < 3; i++) {
    const off = () => (Math.random() + Math.random() - 1) * 0.2;
    const x = box.left + box.width * (0.5 + off());
    const y = box.top + box.height * (0.5 + off());
    if (reaches(x, y) === true) return { x, y };
  }
  return null;
}`;

/**
 * Runs in the page's isolated world. Candidates in order: links, buttons, then any element
 * whose own text matches. Names are compared case-insensitively with collapsed whitespace;
 * an exact name beats a partial one; hidden and zero-size elements never match.
 */
export function findClickTargetScript(text: string): string {
  return `(() => {
  const wanted = ${JSON.stringify(text)}.replace(/\\s+/g, ' ').trim().toLowerCase();
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase();
  const nameOf = (el) => norm((${ACCESSIBLE_NAME_SCRIPT})(el));
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0;
  };
  const groups = [
    [...document.querySelectorAll('a[href], [role=link]')],
    [...document.querySelectorAll('button, [role=button], input[type=submit], input[type=button], input[type=image]')],
    [...document.querySelectorAll('body *')].filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && norm(n.textContent).includes(wanted))),
  ];
  for (const group of groups) {
    const matching = group.filter((el) => nameOf(el).includes(wanted) && visible(el));
    if (matching.length === 0) continue;
    const el = matching.find((e) => nameOf(e) === wanted) || matching[0];
    el.scrollIntoView({ block: 'center', inline: 'center' });
    const r = el.getBoundingClientRect();
    const reaches = (x, y) => {
      const hit = document.elementFromPoint(x, y);
      return !!hit && (hit === el || el.contains(hit));
    };
    const at = (${HAND_POINT_SCRIPT})(r, reaches) || { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    return { target: el.href ? String(el.href) : el.outerHTML.slice(0, 300), x: at.x, y: at.y };
  }
  return { none: true };
})()`;
}

/** How long one attempt to read the page for the click target may take before it is tried again. */
const FIND_ATTEMPT_MS = 1500;
const FIND_RETRY_PAUSE_MS = 50;

/**
 * Finds the link or button whose text matches (links first, then buttons, then any text). A page
 * that did not answer (its script busy, a loaded machine) is asked again until `timeoutMs` has
 * passed: only an answer saying there is no such control makes "no link or button matching".
 */
export async function clickByText(observer: PageObserver, text: string, pointer: Pointer, timeoutMs: number): Promise<ClickPlan> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(0, until - Date.now());
    const attemptMs = Math.min(left, FIND_ATTEMPT_MS);
    // The world is made under the attempt's budget (evaluate gives it 500 ms, too little for a busy page).
    await observer.isolatedContext(observer.mainFrameId, attemptMs);
    const found = (await observer.evaluate(findClickTargetScript(text), 'isolated', attemptMs, attemptMs)) as Found | { none: true } | null;
    if (found && 'none' in found) return { ok: false, reason: `no link or button matching "${text}" on ${observer.url}` };
    if (found) return { ok: true, target: found.target, perform: () => trustedClick(observer, found.x, found.y, pointer) };
    if (observer.closed || Date.now() + FIND_RETRY_PAUSE_MS >= until)
      return {
        ok: false,
        reason: `the page did not answer within ${Math.round(timeoutMs / 100) / 10} s when asked for "${text}" on ${observer.url}`,
      };
    await new Promise((resolve) => setTimeout(resolve, FIND_RETRY_PAUSE_MS));
  }
}

/** What a visitor clicks with: a desktop's mouse, a phone's finger. */
export type Pointer = 'mouse' | 'touch';

export function pointerOf(device: Device): Pointer {
  return device === 'mobile' ? 'touch' : 'mouse';
}

/**
 * A click at (x, y) of the viewport with real input: the page sees a user gesture. A mouse: a
 * left click. A finger: a tap (touch.ts), as a phone clicks: a phone sends no mouse event of its own.
 */
export async function trustedClick(observer: PageObserver, x: number, y: number, pointer: Pointer): Promise<void> {
  try {
    if (pointer === 'touch') await tap(observer, x, y);
    else await mouseClick(observer, x, y);
  } catch {
    // The page went away under the click: settling reports what happened.
  }
}

/** A person's pause between reaching a control and pressing it, and how long the button is held, in ms: at least, and how much more at most. */
const AIM_MS = [40, 60] as const;
const PRESS_HOLD_MS = [60, 80] as const;

const humanPause = ([least, spread]: readonly [number, number]) =>
  new Promise((resolve) => setTimeout(resolve, least + Math.random() * spread));

/** A left click as a hand makes it: the pointer comes to rest, the button is pressed, held, released (kits time the hold: 1-2 ms is a script's). */
async function mouseClick(observer: PageObserver, x: number, y: number): Promise<void> {
  const mouse = (
    type: 'mouseMoved' | 'mousePressed' | 'mouseReleased',
    extra: { button?: 'none'; clickCount?: number; buttons?: number } = {},
  ) => observer.session.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', ...extra });
  await mouse('mouseMoved', { button: 'none' });
  await humanPause(AIM_MS);
  await mouse('mousePressed', { clickCount: 1, buttons: 1 });
  await humanPause(PRESS_HOLD_MS);
  await mouse('mouseReleased', { clickCount: 1, buttons: 0 });
}

/**
 * Page-side: resolves once the tasks the click queued have had their turn: a few message-channel
 * turns (the task source a framework's scheduler renders on), a timer turn and an animation frame
 * (or 50 ms, when the page draws no frames). Runs in our isolated world, on the page's event loop.
 */
const CLICK_TURNS_SCRIPT = `new Promise((resolve) => {
  const channel = new MessageChannel();
  let turns = 0;
  channel.port1.onmessage = () => {
    if (++turns < 3) return channel.port2.postMessage(0);
    channel.port1.close();
    setTimeout(() => {
      const timer = setTimeout(resolve, 50);
      requestAnimationFrame(() => { clearTimeout(timer); resolve(); });
    }, 0);
  };
  channel.port2.postMessage(0);
})`;

/**
 * Clicks (`perform`: the mouse events, acknowledged by the page) and waits until what the click
 * set off in the page can be seen, so that settling does not take the page for quiet before it
 * was told. Chromium acknowledges mouse events on another channel than the one a page's
 * navigation requests, refreshes and new windows are reported on; on a loaded machine the reports
 * came after the acknowledgement (seen: 44 ms on 2 cores at load 18), where a fixed pause after
 * the click was all that covered them. Here a round trip through the page's event loop, on the
 * channel of those reports, ends the wait: what the click's handlers did (a navigation, a timer, a
 * request, a window.open) was reported before its answer. The wait ends at once when the page's
 * navigation state changes first, and after `answerMs` when the page does not answer (its script
 * is busy: settling sees that too).
 */
export async function clickAndWatch(
  observer: PageObserver,
  perform: () => Promise<void>,
  performMs: number,
  answerMs: number,
): Promise<void> {
  const before = observer.navigationState();
  const changed = () => observer.navigationState() !== before;
  await withTimeout(perform(), performMs, undefined);
  const until = Date.now() + answerMs;
  if (changed()) return;
  const contextId = await observer.isolatedContext(observer.mainFrameId, answerMs);
  if (contextId === null || changed()) return;
  let answered = false;
  const roundTrip = observer.session
    .send('Runtime.evaluate', { expression: CLICK_TURNS_SCRIPT, contextId, awaitPromise: true, returnByValue: true })
    .catch(() => undefined)
    .finally(() => (answered = true));
  while (!answered && !changed() && Date.now() < until)
    await withTimeout(Promise.race([roundTrip, observer.nextChange()]), until - Date.now(), undefined);
}
