// `--explore`: when the chain rests on a page, the page's links and buttons are read in our
// isolated world (the page's scripts can neither see that world nor fake what it reads), scored
// by src/analyze/call-to-action.ts, and the call-to-action is clicked with trusted mouse events,
// as `--click` does; at depth N the page the click led to is explored in turn. Every step is an
// `explore` event (the controls, their scores, the choice) in the case's WARC; a copy of the
// page's screenshot marks the chosen box.
import type { Capture, ExploreEvent, NavEvent, PageControl, PageSnapshot } from '../model.js';
import type { ScoredControl } from '../analyze/call-to-action.js';
import type { PageObserver } from './page-observer.js';
import {
  adFrame,
  chooseCallToAction,
  consentControl,
  consentDismissals,
  popupClosers,
  scoreControl,
  scoreControls,
  targetOf,
} from '../analyze/call-to-action.js';
import { markedBox, markedScreenshotPath } from '../analyze/explore-steps.js';
import { drawBox } from './marked-screenshot.js';
import { animationFramesPending } from './settle.js';
import { EXPLORE_SCROLL_MS, scrollDownToRead } from './explore-scroll.js';
import {
  PLAIN_NAVIGATION,
  PREVENT_DEFAULT,
  listenerTargetOf,
  mayBeSentElsewhere,
  noteClickListeners,
  receivesClicks,
  type InView,
} from './click-listeners.js';
import { ACCESSIBLE_NAME_SCRIPT, HAND_POINT_SCRIPT, pointerOf, trustedClick, type Pointer } from './click.js';
import { IN_NOTICE_SCRIPT } from './notice-script.js';
import { answerQuestions, questionLeft, SELECT_PLACEHOLDER_SCRIPT, type PressedControl } from './explore-answers.js';
import {
  LANDMARK_SCRIPT,
  frameCoveredAt,
  inFrame,
  placeAgain,
  prepareFrames,
  scrollFrameIntoView,
  visibleFrames,
  type FrameNote,
  type FrameView,
} from './explore-frames.js';

/** Words of a box to tick to agree (terms, conditions, consent, "I am over 18"), in the funnels' languages (a RegExp source). */
const AGREEING_WORDS = [
  String.raw`\b(?:agree|accept|consent|confirm|terms|conditions|policy|over 18|18\+`,
  String.raw`acepto|t[ée]rminos|condiciones|akzeptier|einverstanden|bedingungen|accepte|accetto|termini|condizioni`,
  String.raw`aceito|concordo|termos|akkoord|voorwaarden|akceptuj|zgadzam|regulamin|kabul|onayl[ıi]yorum|ko[şs]ullar)`,
].join('|');

/** Controls kept in the evidence per page (visible ones first, the most prominent of them); a page may have thousands of links. */
const MAX_CONTROLS = 300;
/** Controls kept per page with its frames' (the top document's first). */
const MAX_CONTROLS_WITH_FRAMES = 2 * MAX_CONTROLS;
/** Controls looked at per page, in document order. */
const MAX_EXAMINED = 1000;
/** Elements looked at per page for controls made by script (a pointer cursor, an onclick attribute). */
const MAX_SCANNED = 5000;

/**
 * Where a click reaches a control (`beside`: a part a consent notice leaves in view), or what covers
 * it (`notice`: a consent notice or its backdrop; `at`: the point tried, in its frame's viewport;
 * `popup`: the controls of a pop-up over it; `layer`: what covers it is a layer a person does not see).
 */
type Located =
  | { x: number; y: number; beside?: boolean }
  | { covered: string; notice?: boolean; at?: { x: number; y: number }; popup?: number[]; layer?: boolean };

/** What the page reports about its controls (PageControl without scores). */
interface ReadControls {
  controls: PageControl[];
  total: number;
  viewport: { width: number; height: number };
  scroll: { x: number; y: number };
  /** Whether a person can scroll the document in each axis (as a frame, its controls out of view are reached so). */
  scrolls?: { x: boolean; y: boolean };
  /** What in the document shows it is a display ad's creative (an AdChoices link, an AdSense slot…), or null. */
  adMarkup?: string | null;
}

/**
 * Runs in the isolated world. Reads every link and button with what a person sees of it; the
 * elements stay in this world's `__clicktraceControls` for the click, so the one clicked is the
 * one scored even if the page reorders its DOM meanwhile.
 */
/**
 * Page-side source: an image map's <area> has no box of its own; its box is its shape (coords in
 * CSS pixels from the image's corner; no shape or "default": the whole image) on the image that
 * uses its map. Returns { rect, img, point } in viewport coordinates, or null when no image shows
 * it; point is where a click reaches this area (inside its shape, and held by no earlier area of
 * the map: the browser gives a click to the first area holding the point), or null.
 */
const AREA_BOX_SCRIPT = `(area) => {
  const map = area.closest('map');
  if (!map || !map.name) return null;
  const img = document.querySelector('img[usemap="#' + CSS.escape(map.name) + '"]');
  if (!img) return null;
  const ir = img.getBoundingClientRect();
  const shapeOf = (a) => {
    const c = (a.getAttribute('coords') || '').split(/[\\s,]+/).filter((n) => n !== '').map(Number);
    const shape = (a.getAttribute('shape') || 'rect').toLowerCase();
    if (shape.startsWith('circ') && c.length >= 3) return { kind: 'circle', c };
    if (shape.startsWith('poly') && c.length >= 6) return { kind: 'poly', c };
    if (shape.startsWith('rect') && c.length >= 4) return { kind: 'rect', c };
    return { kind: 'all', c };
  };
  const holds = (a, x, y) => {
    const { kind, c } = shapeOf(a);
    if (kind === 'circle') return (x - c[0]) ** 2 + (y - c[1]) ** 2 <= c[2] ** 2;
    if (kind === 'rect') return x >= Math.min(c[0], c[2]) && x < Math.max(c[0], c[2]) && y >= Math.min(c[1], c[3]) && y < Math.max(c[1], c[3]);
    if (kind === 'poly') {
      let inside = false;
      for (let i = 0, j = c.length / 2 - 1; i < c.length / 2; j = i++) {
        const [xi, yi, xj, yj] = [c[2 * i], c[2 * i + 1], c[2 * j], c[2 * j + 1]];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    }
    return true;
  };
  const { kind, c } = shapeOf(area);
  let x0 = 0, y0 = 0, x1 = ir.width, y1 = ir.height;
  if (kind === 'circle') [x0, y0, x1, y1] = [c[0] - c[2], c[1] - c[2], c[0] + c[2], c[1] + c[2]];
  else if (kind === 'poly') {
    const xs = c.filter((_, i) => i % 2 === 0), ys = c.filter((_, i) => i % 2 === 1);
    [x0, y0, x1, y1] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  } else if (kind === 'rect') [x0, y0, x1, y1] = c;
  x0 = Math.max(0, x0); y0 = Math.max(0, y0); x1 = Math.min(ir.width, x1); y1 = Math.min(ir.height, y1);
  if (!(x1 > x0 && y1 > y0)) return { img, point: null, rect: { left: ir.left, top: ir.top, right: ir.left, bottom: ir.top, width: 0, height: 0 } };
  const rect = { left: ir.left + x0, top: ir.top + y0, right: ir.left + x1, bottom: ir.top + y1, width: x1 - x0, height: y1 - y0 };
  const areas = [...map.querySelectorAll('area')];
  const steps = [0.5, 0.25, 0.75, 0.1, 0.9, 0.375, 0.625];
  for (const fy of steps) for (const fx of steps) {
    const x = x0 + fx * (x1 - x0), y = y0 + fy * (y1 - y0);
    if (areas.find((a) => holds(a, x, y)) === area) return { img, rect, point: { x: ir.left + x, y: ir.top + y } };
  }
  return { img, rect, point: null };
}`;

/**
 * Page-side source: the box a person sees of a control. An inline link's own box is its line of
 * text; what it holds that has a box of its own (an image: a banner link, `<a><img></a>`; an
 * inline-block: `<a><span class="btn">Book now</span></a>`) stands out of that line, so the box is
 * the union of them. Returns a DOMRect-like { left, top, right, bottom, width, height }.
 */
const BOX_OF_SCRIPT = `(el) => {
  const MEDIA = 'img, svg, picture, video, canvas, input[type=image]';
  const r = el.getBoundingClientRect();
  let left = r.left, top = r.top, right = r.right, bottom = r.bottom;
  if (r.width > 0 || r.height > 0 || el.getClientRects().length > 0) {
    const inline = /^(inline|contents)$/.test(getComputedStyle(el).display);
    let looked = 0;
    for (const part of el.querySelectorAll(inline ? '*' : MEDIA)) {
      if (++looked > 200) break;
      if (part.parentElement && part.parentElement.closest('svg')) continue;
      if (!part.matches(MEDIA) && getComputedStyle(part).display === 'inline') continue;
      if (part.checkVisibility && !part.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      // Not what a page places elsewhere (absolute, fixed) or shows only in part (inside a box that clips it).
      if (/^(absolute|fixed)$/.test(getComputedStyle(part).position)) continue;
      let cut = false;
      for (let a = part.parentElement; a && a !== el && !cut; a = a.parentElement) {
        const s = getComputedStyle(a);
        cut = s.overflowX !== 'visible' || s.overflowY !== 'visible' || /^(absolute|fixed)$/.test(s.position);
      }
      if (cut) continue;
      const m = part.getBoundingClientRect();
      if (m.width < 4 || m.height < 4) continue;
      left = Math.min(left, m.left); top = Math.min(top, m.top); right = Math.max(right, m.right); bottom = Math.max(bottom, m.bottom);
    }
  }
  return { left, top, right, bottom, width: right - left, height: bottom - top, x: left, y: top };
}`;

/**
 * Page-side source: the URL a GET form's submit requests (its fields as the browser sends them: a
 * hidden "action=unsubscribe" shows in it), or a POST form's action: `{ href, method }`.
 */
const SUBMITS_TO_SCRIPT = `(el) => {
  const absolute = (raw) => { try { return new URL(raw, document.baseURI).href; } catch { return null; } };
  const form = el.form;
  const action = absolute(el.getAttribute('formaction') || form.getAttribute('action') || document.URL);
  const method = (el.getAttribute('formmethod') || form.getAttribute('method') || 'get').toLowerCase();
  // A dialog form's submit closes its <dialog>: it requests nothing (its action is ignored).
  if (method === 'dialog') return { href: null, method: 'dialog' };
  if (!action || method !== 'get') return { href: action, method: 'post' };
  try {
    const url = new URL(action);
    url.search = new URLSearchParams(new FormData(form, el)).toString();
    url.hash = '';
    return { href: url.href, method: 'get' };
  } catch {
    return { href: action, method: 'get' };
  }
}`;

/** Runs in the isolated world: where control `index`, a GET form's submit, sends its form now (its fields as they are), or null. */
function submitsNowScript(index: number): string {
  return `(() => {
  const el = (globalThis.__clicktraceControls || [])[${index}];
  if (!el || !el.isConnected || !el.form) return null;
  const sent = (${SUBMITS_TO_SCRIPT})(el);
  return sent && sent.method === 'get' ? sent.href : null;
})()`;
}

export const READ_CONTROLS_SCRIPT = `(() => {
  const ACCESSIBLE_NAME = ${ACCESSIBLE_NAME_SCRIPT};
  const AREA_BOX = ${AREA_BOX_SCRIPT};
  const BOX_OF = ${BOX_OF_SCRIPT};
  const IN_NOTICE = ${IN_NOTICE_SCRIPT};
  const SELECTOR = 'a[href], a[*|href], area[href], button, [role=button], [role=link], input[type=submit], input[type=button], input[type=image]';
  const norm = (s) => (s || '').replace(/[\\s\\u00a0]+/g, ' ').trim();
  const XLINK = 'http://www.w3.org/1999/xlink';
  const clip = (s, n) => (s.length > n ? s.slice(0, n) : s);
  const sx = window.scrollX, sy = window.scrollY;
  const root = document.documentElement;
  const docWidth = Math.max(root ? root.scrollWidth : 0, window.innerWidth);
  const docHeight = Math.max(root ? root.scrollHeight : 0, window.innerHeight);
  const transparent = (c) => !c || c === 'transparent' || /rgba\\([^)]*,\\s*0(\\.0*)?\\)$/.test(c);
  // A colour's alpha (1 when it has none): text under 0.1 is as good as transparent to a reader.
  const alphaOf = (c) => { const m = /rgba\\([^)]*,\\s*([\\d.]+)\\)$/.exec(c || ''); return m ? parseFloat(m[1]) : 1; };
  // Colours a person tells apart (a white button on a page of #fafafa is no coloured button): rgb distance.
  const rgbOf = (c) => (/rgba?\\(\\s*([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)/.exec(c || '') || []).slice(1, 4).map(Number);
  const alike = (a, b) => {
    const [x, y] = [rgbOf(a), rgbOf(b)];
    return x.length === 3 && y.length === 3 && Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]) < 24;
  };
  const pageBackground = (() => {
    for (const el of [document.body, root]) {
      if (!el) continue;
      const c = getComputedStyle(el).backgroundColor;
      if (!transparent(c)) return c;
    }
    return 'rgb(255, 255, 255)';
  })();
  const nameOf = (el) => norm(ACCESSIBLE_NAME(el));
  const absolute = (raw) => { try { return new URL(raw, document.baseURI).href; } catch { return null; } };
  const px = (v) => parseFloat(v) || 0;
  const clipping = new Map();
  const clips = (el) => {
    let yes = clipping.get(el);
    if (yes === undefined) {
      const s = getComputedStyle(el);
      clipping.set(el, (yes = s.overflowX !== 'visible' || s.overflowY !== 'visible' || s.clipPath !== 'none'));
    }
    return yes;
  };
  // Text a person cannot read: transparent, or the colour of what is behind it, with no image or
  // background of its own to show instead.
  const backdropOf = (el) => {
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.backgroundImage !== 'none') return null;
      if (!transparent(s.backgroundColor)) return s.backgroundColor;
    }
    return 'rgb(255, 255, 255)';
  };
  // The element inside a control that holds all its words (<a><span class="btn">Book now</span></a>),
  // a few levels down: it draws them, on its own background; the control itself when there is none.
  const holderOf = (el, text) => {
    let node = el;
    for (let steps = 0; text && steps < 3; steps++) {
      const inner = [...node.children].filter((c) => norm(c.innerText) === text);
      if (inner.length !== 1) break;
      node = inner[0];
    }
    return node;
  };
  const invisibleText = (el, cs) => {
    if (el.tagName === 'INPUT' || el.querySelector('img, svg, picture, video, canvas, input')) return false;
    const text = norm(el.innerText);
    if (!text) return false;
    const holder = holderOf(el, text);
    const color = holder === el ? cs.color : getComputedStyle(holder).color;
    if (transparent(color) || alphaOf(color) < 0.1) return true;
    return color === backdropOf(holder);
  };
  // A box a person can scroll in an axis (overflow auto or scroll, with more content than room).
  const scrollsIn = (a, s, axis) =>
    axis === 'x'
      ? /^(auto|scroll|overlay)$/.test(s.overflowX) && a.scrollWidth > a.clientWidth + 1
      : /^(auto|scroll|overlay)$/.test(s.overflowY) && a.scrollHeight > a.clientHeight + 1;
  // Why a person cannot see it, or null; and whether it sits out of view in a box they can scroll
  // (then 'placed' is where it comes into view: at the edge of the box's visible part).
  const seen = (el, r) => {
    const no = (hidden) => ({ hidden, outOfView: null, placed: null });
    if (el.checkVisibility && !el.checkVisibility()) return no('display:none');
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible') return no('visibility:hidden');
    if (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, checkOpacity: true })) return no('opacity:0');
    // Opacity multiplies down the tree, as do CSS filters' opacity() (filter:opacity(0) draws nothing).
    let opacity = 1;
    for (let a = el; a && opacity >= 0.1; a = a.parentElement) {
      const s = getComputedStyle(a);
      opacity *= parseFloat(s.opacity);
      for (const f of s.filter.matchAll(/opacity\\(\\s*([\\d.]+)(%?)\\s*\\)/g)) opacity *= parseFloat(f[1]) / (f[2] ? 100 : 1);
    }
    if (opacity < 0.1) return no('nearly transparent');
    // An inert subtree takes no click (hit-testing passes through it, as with pointer-events:none).
    if (el.closest('[inert]')) return no('inert');
    if (invisibleText(el, cs)) return no('text the colour of its background');
    if (r.width < 4 || r.height < 4) return no('zero size');
    // Cut by each ancestor that clips its overflow: to nothing when it does not scroll (or the
    // control lies outside what it scrolls over); out of view when it scrolls and the control is
    // scrolled away (a person scrolls the box to it: it is placed at the box's edge).
    let x0 = r.left, y0 = r.top, x1 = r.right, y1 = r.bottom, away = false, clipped = false;
    for (let a = el.parentElement; a && a !== document.body && !clipped; a = a.parentElement) {
      if (!clips(a)) continue;
      const s = getComputedStyle(a);
      const ar = a.getBoundingClientRect();
      const view = { x: [ar.left + a.clientLeft, ar.left + a.clientLeft + a.clientWidth], y: [ar.top + a.clientTop, ar.top + a.clientTop + a.clientHeight] };
      const cut = { x: [ar.left, ar.right], y: [ar.top, ar.bottom] };
      const span = { x: [x0, x1], y: [y0, y1] };
      for (const axis of ['x', 'y']) {
        let [lo, hi] = span[axis];
        if (s.clipPath === 'none' && scrollsIn(a, s, axis)) {
          const start = view[axis][0] - (axis === 'x' ? a.scrollLeft : a.scrollTop);
          const reach = [start, start + (axis === 'x' ? a.scrollWidth : a.scrollHeight)];
          if (Math.min(hi, reach[1]) - Math.max(lo, reach[0]) < 4) { clipped = true; break; }
          if (Math.min(hi, view[axis][1]) - Math.max(lo, view[axis][0]) < 4) {
            away = true;
            const size = Math.min(hi - lo, view[axis][1] - view[axis][0]);
            [lo, hi] = lo < view[axis][0] ? [view[axis][0], view[axis][0] + size] : [view[axis][1] - size, view[axis][1]];
          } else [lo, hi] = [Math.max(lo, view[axis][0]), Math.min(hi, view[axis][1])];
          // A scroll box too small to show anything (a 1-pixel window onto a decoy) shows nothing.
          if (hi - lo < 4) { clipped = true; break; }
        } else {
          [lo, hi] = [Math.max(lo, cut[axis][0]), Math.min(hi, cut[axis][1])];
          if (hi - lo < 4) { clipped = true; break; }
        }
        span[axis] = [lo, hi];
      }
      [x0, x1] = span.x; [y0, y1] = span.y;
    }
    const placed = { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
    const at = away ? placed : r;
    const left = at.left + sx, top = at.top + sy;
    if (left + at.width <= 0 || top + at.height <= 0 || left >= docWidth || top >= docHeight) return no('off-screen');
    if (clipped) return no('clipped to nothing');
    return away ? { hidden: null, outOfView: 'scrolled out of view in a scroll box', placed } : no(null);
  };
  // The document itself, as a frame: whether a person can scroll it (its owner may still forbid it: scrolling="no").
  const viewportScrolls = (axis) => {
    const styles = [root, document.body].filter(Boolean).map((e) => getComputedStyle(e)[axis === 'x' ? 'overflowX' : 'overflowY']);
    if (styles.some((v) => v === 'hidden' || v === 'clip')) return false;
    return axis === 'x' ? docWidth > window.innerWidth + 1 : docHeight > window.innerHeight + 1;
  };
  const landmarkOf = ${LANDMARK_SCRIPT};
  // A button's look may sit on a wrapper that holds nothing else (an e-mail's <td bgcolor>), or
  // inside it, on the element that holds all its words (<a><span class="btn">…</span></a>): the
  // words are drawn at that element's text size.
  const lookOf = (el, text, r) => {
    let background = null, padV = 0, padH = 0, radius = 0;
    const take = (node) => {
      const s = getComputedStyle(node);
      padV = Math.max(padV, Math.min(px(s.paddingTop), px(s.paddingBottom)));
      padH = Math.max(padH, Math.min(px(s.paddingLeft), px(s.paddingRight)));
      radius = Math.max(radius, px(s.borderTopLeftRadius));
      if (!background) {
        if (!transparent(s.backgroundColor) && !alike(s.backgroundColor, pageBackground)) background = s.backgroundColor;
        else if (/gradient\\(/.test(s.backgroundImage)) background = 'gradient';
      }
    };
    const area = Math.max(1, r.width * r.height);
    const holder = holderOf(el, text);
    for (let node = holder; node !== el; node = node.parentElement) take(node);
    for (let node = el, steps = 0; node && node !== document.body && steps < 3; node = node.parentElement, steps++) {
      if (node !== el) {
        const nr = node.getBoundingClientRect();
        if (norm(node.innerText) !== text || nr.width * nr.height > 4 * area) break;
      }
      take(node);
    }
    return { background, padding: [padV, padH], radius, fontSize: px(getComputedStyle(holder).fontSize) };
  };
  const inCookieBanner = (el) => IN_NOTICE(el, false);
  // A bar fixed to the window's top or bottom edge, across most of its width (a "Get 10% off"
  // strip, an app banner): it stays in view over the content whatever is scrolled. Not a dialog.
  const stickyBarOf = (el) => {
    for (let a = el, n = 0; a && a !== document.body && a !== root && n < 12; a = a.parentElement, n++) {
      const position = getComputedStyle(a).position;
      if (position !== 'fixed' && position !== 'sticky') continue;
      if (a.tagName === 'DIALOG' || /^(alert)?dialog$/.test(a.getAttribute('role') || '') || a.getAttribute('aria-modal') === 'true') return null;
      const b = a.getBoundingClientRect();
      if (b.width < 0.6 * window.innerWidth || b.height > 0.35 * window.innerHeight) return null;
      if (b.top <= 1) return 'top';
      if (b.bottom >= window.innerHeight - 1) return 'bottom';
      return null;
    }
    return null;
  };
  // What a person reads beside a control of few words (a notice's "Accept"): the nearest block that says more.
  const contextOf = (el, text) => {
    if (!text || text.length > 30) return null;
    for (let a = el.parentElement, n = 0; a && a !== document.body && n < 6; a = a.parentElement, n++) {
      if ((a.textContent || '').length > 4000) return null;
      const around = norm(a.innerText);
      if (around.length < text.length + 30) continue;
      return around.length > 1500 ? null : clip(around, 600);
    }
    return null;
  };
  // Input types a person types into (an unknown type, "e-mail" or "phone", is a text field: read the IDL type, as the browser does).
  const TYPING = /^(text|email|tel|password|number|search|url|date|datetime-local|month|week|time)$/;
  // An identity field: by its type, its name or autocomplete hint (a kit's type=text "login"), or a value that is an address.
  const IDENTITY_TYPE = /^(email|password|tel)$/;
  const IDENTITY_NAME = /e-?mail|user|login|phone|mobile|passw|account|card|cc-/i;
  const identity = (field, type) =>
    IDENTITY_TYPE.test(type) || /@/.test(field.value) ||
    IDENTITY_NAME.test((field.getAttribute('name') || '') + ' ' + field.id + ' ' + (field.getAttribute('autocomplete') || ''));
  const SEARCH_FIELD = (field) => (field.getAttribute('type') || '').toLowerCase() === 'search' || !!field.closest('[role=search]');
  const SELECT = ${SELECT_PLACEHOLDER_SCRIPT};
  // What a form asks the person to fill: fields they type into, a list still on its "Choose…" that
  // asks for personal data (a card's expiry, a birth date), a file to pick; required fields left
  // empty; and lists still on their placeholder or radio questions with none chosen that ask for
  // nothing personal (an age range, a country): a choice a person makes without typing, which explore
  // makes (explore-answers.ts).
  const fieldsOf = (fields, beside) => {
    let typing = 0, required = 0, choosing = 0;
    for (const field of fields) {
      const tag = field.tagName;
      if (field.disabled) continue;
      const shows = (node) => !!node && !seen(node, node.getBoundingClientRect()).hidden;
      const list = tag === 'SELECT' && SELECT.onPlaceholder(field) && shows(field);
      // A question of radio buttons none of which is chosen (its answers' labels may be what shows).
      const radios = tag === 'INPUT' && field.type === 'radio' && field.validity && field.validity.valueMissing &&
        (shows(field) || shows(field.labels && field.labels[0]));
      const choice = (list || radios) && !SELECT.personal(field);
      // A required field left empty (a box to tick, a choice to make): the browser would not send the form.
      if (field.validity && field.validity.valueMissing && !choice) required++;
      const type = tag === 'INPUT' ? field.type : '';
      // A file is asked for however its button is drawn (an input hidden behind a styled label).
      if (type === 'file') { typing++; continue; }
      // One a person does not see (a honeypot off-screen, transparent or tiny, for bots to fill) is left as it is.
      // (A question of radio buttons drawn by their labels is one whose inputs are hidden.)
      if (radios && choice) { choosing++; continue; }
      if (field.readOnly || seen(field, field.getBoundingClientRect()).hidden || (beside && SEARCH_FIELD(field))) continue;
      if (tag === 'SELECT') {
        if (choice) choosing++;
        else if (field.value === '' && [...field.options].some((o) => o.value !== '')) typing++;
        continue;
      }
      // A field the page has filled in already (a shop's quantity of 1) needs no typing; an
      // identity (an e-mail address, a password, a phone number a phishing page fills in) is
      // still the person's to send.
      if (field.value !== '' && !identity(field, type)) continue;
      if (tag === 'TEXTAREA' || (tag === 'INPUT' && TYPING.test(type))) typing++;
    }
    return { typing, required, ...(choosing > 0 ? { choosing } : {}) };
  };
  const FIELDS = 'input, textarea, select';
  // Fields to fill beside a control in no form of their own (a kit's e-mail box whose value its
  // script copies into the form it sends, a "Continue" beside a code field): how many, or 0.
  const typingBeside = (el) => {
    for (let a = el.parentElement, n = 0; a && a !== document.body && n < 3; a = a.parentElement, n++) {
      // Fields of another form are that form's (its own submit is judged by them).
      const fields = [...a.querySelectorAll(FIELDS)].filter((field) => !field.form);
      if (fields.length > 0) return fieldsOf(fields, true).typing;
    }
    return 0;
  };
  // Words of a box to tick to agree (terms, conditions, consent, "I am over 18"), in the languages of the funnels.
  const AGREEING = new RegExp(${JSON.stringify(AGREEING_WORDS)}, 'i');
  // A box a person sees left unticked in a disabled control's form or nearest block ("I agree to the terms"): its words, or null.
  const untickedBoxOf = (el) => {
    let around = el.form || el.closest('form');
    for (let a = el.parentElement, n = 0; !around && a && a !== document.body && n < 3; a = a.parentElement, n++)
      if (a.querySelector('input[type=checkbox]')) around = a;
    if (!around) return null;
    for (const box of [...around.querySelectorAll('input[type=checkbox]')].slice(0, 20)) {
      if (box.checked || box.disabled || IN_NOTICE(box, true)) continue;
      const label = (box.labels && box.labels[0]) || null;
      const words = norm(label ? label.innerText : box.getAttribute('aria-label') || box.name || '');
      // "Remember me" or "Send me offers" left unticked holds no button: a box to agree with does.
      if (!box.required && !AGREEING.test(words)) continue;
      const shows = (node) => !!node && seen(node, node.getBoundingClientRect()).hidden === null;
      if (shows(box) || shows(label)) return clip(words, 200) || 'a box';
    }
    return null;
  };
  const formOf = (el) => {
    const type = (el.getAttribute('type') || (el.tagName === 'BUTTON' ? 'submit' : '')).toLowerCase();
    if (el.form && ['submit', 'image'].includes(type)) {
      const asked = fieldsOf(el.form.elements, false);
      return asked.typing > 0 ? asked : { ...asked, typing: typingBeside(el) };
    }
    // A control that acts from script on fields to fill: a <div role=button> or type=button in a
    // login form, a link that goes nowhere but runs script ("#", javascript:) to send it, a
    // "Continue" beside a code field with no form at all (phishing kits send what was typed with
    // fetch). A search box is not such a field. A link that leads somewhere is judged by where.
    const link = el.getAttribute('href') ?? (el instanceof SVGElement ? el.getAttributeNS(XLINK, 'href') : null);
    if (link !== null && !/^\\s*(#|javascript:)/i.test(link)) return null;
    const form = el.form || el.closest('form');
    const typing = form ? fieldsOf(form.elements, true).typing : typingBeside(el);
    return typing > 0 ? { typing, required: 0, script: true } : null;
  };
  // Controls in shadow roots (web components) come after the document's own.
  const shadowRoots = [];
  const findShadowRoots = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot && shadowRoots.length < 200 && !shadowRoots.includes(el.shadowRoot)) {
        shadowRoots.push(el.shadowRoot);
        findShadowRoots(el.shadowRoot);
      }
    }
  };
  findShadowRoots(document);
  // Closed roots, found over CDP (explore-frames.ts) and handed to this world: the page cannot tell.
  const known = new Set(shadowRoots);
  for (const closed of globalThis.__clicktraceClosedRoots || []) {
    if (known.has(closed) || shadowRoots.length >= 200) continue;
    shadowRoots.push(closed);
    known.add(closed);
    findShadowRoots(closed);
  }
  // A box drawn as a button: a colour of its own against what is behind it, padding around a few
  // words, compact (not a bar across the page, not a heading or a block of text). A person
  // takes it for one whatever its cursor; it is kept as a control only when some click listener
  // can receive its click (click-listeners.ts): words highlighted in a sentence are no button.
  const looksLikeButton = (el, cs) => {
    const own = !transparent(cs.backgroundColor) ? cs.backgroundColor : /gradient\\(/.test(cs.backgroundImage) ? 'gradient' : null;
    if (!own || (own !== 'gradient' && alike(own, pageBackground))) return false;
    if (Math.min(px(cs.paddingTop), px(cs.paddingBottom)) < 4 || Math.min(px(cs.paddingLeft), px(cs.paddingRight)) < 8) return false;
    const behind = el.parentElement ? backdropOf(el.parentElement) : null;
    if (own !== 'gradient' && behind && alike(own, behind)) return false;
    if (/^H[1-6]$/.test(el.tagName.toUpperCase()) || el.querySelector('h1, h2, h3, h4, h5, h6, p, li, table, img, video, iframe')) return false;
    const text = norm(el.innerText);
    if (!text || text.length > 60) return false;
    const r = el.getBoundingClientRect();
    if (r.height > 120 || r.width < 24) return false;
    // As wide as its container: a button of a narrow column (a phone's, a card's), or a bar across the page.
    const room = el.parentElement ? el.parentElement.clientWidth : 0;
    return /^inline/.test(cs.display) || !room || r.width < 0.9 * room || r.width <= 480;
  };
  // Elements a page's script makes clickable without saying so in markup a control's way: an
  // onclick attribute, or a pointer cursor (a framework's click listener cannot be seen from here),
  // or a button's look (above). Only the outermost of them, and only where they hold no link or
  // button of their own; in the document, then in its shadow roots. An <svg> drawn as a button is one (named by its label or words).
  const NOT_SCRIPTED = /^(HTML|BODY|MAIN|LABEL|SUMMARY|OPTION|SELECT|TEXTAREA|INPUT|IMG|PATH|IFRAME|VIDEO|FORM|HEADER|FOOTER|NAV|SECTION|ARTICLE)$/;
  const scripted = [];
  const scriptedSet = new Set();
  const lookalikes = new Set();
  const everything = [
    ...(document.body ? document.body.getElementsByTagName('*') : []),
    ...shadowRoots.flatMap((root) => [...root.querySelectorAll('*')]),
  ];
  for (let i = 0; i < everything.length && i < ${MAX_SCANNED} && scripted.length < ${MAX_EXAMINED}; i++) {
    const el = everything[i];
    if (NOT_SCRIPTED.test(el.tagName.toUpperCase()) || el.matches(SELECTOR)) continue;
    const parent = el.parentElement;
    const byAttribute = el.hasAttribute('onclick');
    const cs = getComputedStyle(el);
    const pointer = cs.cursor === 'pointer' && !(parent && getComputedStyle(parent).cursor === 'pointer');
    const lookalike = !byAttribute && !pointer && looksLikeButton(el, cs);
    if (!byAttribute && !pointer && !lookalike) continue;
    if ((parent && parent.closest(SELECTOR)) || el.querySelector(SELECTOR)) continue;
    let inner = false;
    for (let a = parent; a && !inner; a = a.parentElement) inner = scriptedSet.has(a);
    if (inner || !norm(el.innerText || ACCESSIBLE_NAME(el))) continue;
    scripted.push(el);
    scriptedSet.add(el);
    if (lookalike) lookalikes.add(el);
  }
  // In the order of their tree: the document's, then each shadow root's.
  const byPosition = (a, b) => (a.compareDocumentPosition(b) & 4 ? -1 : 1);
  const ofTree = (root) => [...root.querySelectorAll(SELECTOR), ...scripted.filter((el) => el.getRootNode() === root)];
  const all = scripted.length === 0
    ? [document, ...shadowRoots].flatMap((root) => [...root.querySelectorAll(SELECTOR)])
    : [document, ...shadowRoots].flatMap((root) => ofTree(root).sort(byPosition));
  // A control inside another (a <button> in a link) is part of it.
  const outer = [];
  for (let i = 0; i < all.length && outer.length < ${MAX_EXAMINED}; i++) {
    const el = all[i];
    if (scriptedSet.has(el) || !(el.parentElement && el.parentElement.closest(SELECTOR))) outer.push(el);
  }
  // A control that opens, closes or switches part of this page (a menu, a slide, a tab) rather than leading on.
  const WIDGET_ROLES = /^(tab|menuitem|menuitemcheckbox|menuitemradio|switch|checkbox|radio|option|treeitem|combobox)$/;
  const widgetOf = (el) => {
    const role = el.getAttribute('role') || '';
    if (WIDGET_ROLES.test(role)) return 'role=' + role;
    for (const name of ['aria-expanded', 'aria-haspopup', 'aria-controls', 'aria-pressed', 'aria-selected']) {
      const value = el.getAttribute(name);
      if (value !== null && value !== 'false') return name;
    }
    return null;
  };
  // A picture, not an icon: a banner or product shot a person clicks as they would its words
  // (an image element, or a CSS background image of the control or of an element in it). Returns
  // the size of the largest part of one that shows within the control's box, or null.
  const MEDIA_TAGS = 'img, svg, picture, video, canvas, input[type=image]';
  const pictureIn = (el, r) => {
    let best = null;
    const parts = [el, ...el.querySelectorAll('*')];
    for (let i = 0; i < parts.length && i < 200; i++) {
      const m = parts[i];
      if (m.parentElement && m.parentElement.closest('svg')) continue;
      if (!m.matches(MEDIA_TAGS) && !/url\\(/.test(getComputedStyle(m).backgroundImage)) continue;
      // What of it shows within the control's box (a box that clips it shows a sliver).
      const b = m.getBoundingClientRect();
      const width = Math.min(b.right, r.right) - Math.max(b.left, r.left), height = Math.min(b.bottom, r.bottom) - Math.max(b.top, r.top);
      if (width >= 64 && height >= 32 && (!best || width * height > best.width * best.height)) best = { width, height };
    }
    return best;
  };
  // A plain navigation in an onclick attribute (location = '…', location.assign('…'), window.open('…')): where it declares it leads.
  const ONCLICK_GO = new RegExp(${JSON.stringify(PLAIN_NAVIGATION)});
  // An onclick that only scrolls this page (a sales page's "Order now" taking you to its order box) leads to this page.
  const ONCLICK_SCROLL = /\\bscroll(?:IntoView|To|By)\\s*\\(|\\bscrollTop\\b/;
  const PREVENT = new RegExp(${JSON.stringify(PREVENT_DEFAULT)}, 'g');
  const onclickTarget = (el) => {
    const code = (el.getAttribute('onclick') || '').replace(PREVENT, '');
    const m = ONCLICK_GO.exec(code);
    if (m) return absolute(m[2]);
    return ONCLICK_SCROLL.test(code) && !/location|open\\s*\\(|submit\\s*\\(/.test(code) ? document.URL.split('#')[0] + '#' : null;
  };
  // An address a script reads from the control's data attributes (<div class="cta" data-href="/offer">
  // of a listener that does location = el.dataset.href): where a control with no link of its own most
  // likely leads, or a link whose click a listener around it sends there rather than to its href.
  const DATA_LINK = /^data-(?:[\\w-]*(?:href|url|link|redirect|dest|destination|location)|go|goto|to)$/i;
  const dataHrefOf = (el) => {
    for (const attr of el.attributes) {
      const value = attr.value.trim();
      // A mailto:, tel: or sms: address too: a script that goes there opens a mail or phone app.
      if (DATA_LINK.test(attr.name) && (/^(https?:\\/\\/|mailto:|tel:|sms:)/i.test(value) || /^\\/(?!\\/)/.test(value))) return absolute(value);
    }
    return null;
  };
  // A javascript: link whose script is a plain navigation (javascript:location.href='…'): where it leads.
  const scriptHrefTarget = (raw) => {
    let code = raw.replace(/^\\s*javascript:/i, '');
    try { code = decodeURIComponent(code); } catch {}
    const m = ONCLICK_GO.exec(code);
    return m ? absolute(m[2]) : null;
  };
  // A form whose onsubmit attribute stops the submission (preventDefault, return false) and makes a
  // plain navigation instead: where its submit buttons lead.
  const onsubmitTarget = (form) => {
    const code = form.getAttribute('onsubmit') || '';
    const rest = code.replace(PREVENT, '');
    if (rest === code && !/\\breturn\\s+false\\s*;?\\s*$/.test(code)) return null;
    const m = ONCLICK_GO.exec(rest);
    return m ? absolute(m[2]) : null;
  };
  const submitsTo = ${SUBMITS_TO_SCRIPT};
  // Markup of a display ad's creative, read in a frame: an ad server's slot, or the AdChoices link ads carry.
  const adMarkup = () => {
    const slot = document.querySelector('ins.adsbygoogle, [data-ad-slot], [data-ad-client], [id^="google_ads_iframe"], [id^="div-gpt-ad"]');
    if (slot) return 'ad-serving markup <' + slot.tagName.toLowerCase().slice(0, 20) + '>';
    const choices = /adchoices|aboutads\\.info|adssettings\\.google|whythisad/i;
    for (const link of document.querySelectorAll('a[href]'))
      if (choices.test(link.getAttribute('href') || '') || /^adchoices$/i.test(norm(link.textContent))) return 'an AdChoices link';
    return null;
  };
  const read = outer.map((el) => {
    const area = el.tagName === 'AREA' ? AREA_BOX(el) : null;
    const r = area ? area.rect : BOX_OF(el);
    const text = clip(nameOf(el), 200);
    const tag = clip(el.tagName.toLowerCase(), 40);
    // An SVG <a> may still say where it leads the old way (xlink:href).
    const rawHref = el.getAttribute('href') ?? (el instanceof SVGElement ? el.getAttributeNS(XLINK, 'href') : null);
    const form = formOf(el);
    const submit = form && el.form && !form.script ? submitsTo(el) : null;
    if (form && submit) form.method = submit.method;
    const scriptGo = submit && submit.method !== 'dialog' && !el.hasAttribute('formaction') ? onsubmitTarget(el.form) : null;
    if (scriptGo) form.onsubmit = true;
    const href = rawHref !== null ? absolute(rawHref) : scriptGo || (submit ? submit.href : null);
    const scriptHref = rawHref !== null && /^\\s*javascript:/i.test(rawHref);
    const onclickHref = el.hasAttribute('onclick') ? onclickTarget(el) : scriptHref ? scriptHrefTarget(rawHref) : null;
    // Read on a link too: a listener around it may send its click to the data attribute instead of its href.
    const dataHref = dataHrefOf(el);
    const shown = pictureIn(el, r);
    const picture = !!shown;
    const banner = !!shown && shown.width >= 300 && shown.height >= 120;
    const view = el.tagName === 'AREA' ? (area ? seen(area.img, r) : { hidden: 'no image uses its map', outOfView: null, placed: null }) : seen(el, r);
    const b = view.placed || r;
    return {
      el,
      control: {
        tag,
        role: el.getAttribute('role') === null ? null : clip(el.getAttribute('role'), 40),
        type: el.getAttribute('type') ? clip(el.getAttribute('type').toLowerCase(), 40) : null,
        text,
        href: href ? clip(href, 2000) : null,
        rawHref: rawHref !== null ? clip(rawHref, 2000) : null,
        download: el.hasAttribute('download'),
        box: { x: Math.round(b.left + sx), y: Math.round(b.top + sy), width: Math.round(b.width), height: Math.round(b.height) },
        hidden: view.hidden,
        ...(view.outOfView ? { outOfView: view.outOfView } : {}),
        look: lookOf(el, norm(el.innerText), r),
        landmark: landmarkOf(el),
        form,
        cookieBanner: inCookieBanner(el),
        ...(stickyBarOf(el) ? { stickyBar: stickyBarOf(el) } : {}),
        context: contextOf(el, text),
        widget: widgetOf(el),
        onclick: el.hasAttribute('onclick'),
        ...(lookalikes.has(el) ? { lookalike: true } : {}),
        ...(el.disabled === true || el.getAttribute('aria-disabled') === 'true' ? { disabled: true } : {}),
        ...((el.disabled === true || el.getAttribute('aria-disabled') === 'true') && untickedBoxOf(el) ? { waitsOnBox: untickedBoxOf(el) } : {}),
        ...(onclickHref ? { onclickHref: clip(onclickHref, 2000) } : {}),
        ...(dataHref ? { dataHref: clip(dataHref, 2000) } : {}),
        ...(picture ? { picture: true } : {}),
        ...(banner ? { banner: true } : {}),
      },
    };
  });
  const order = new Map(outer.map((el, i) => [el, i]));
  // Kept, when there are more than can be: the visible ones a person sees first (in view, drawn as
  // a button, bigger), not the first in the document (a page's 300 category links before its offer,
  // which CSS shows first), then the hidden ones.
  const inView = (b) => b.y < sy + window.innerHeight && b.y + b.height > sy && b.x < sx + window.innerWidth && b.x + b.width > sx;
  const prominence = (a, b) =>
    (inView(a.control.box) ? 0 : 1) - (inView(b.control.box) ? 0 : 1) ||
    (a.control.look.background ? 0 : 1) - (b.control.look.background ? 0 : 1) ||
    b.control.box.width * b.control.box.height - a.control.box.width * a.control.box.height ||
    order.get(a.el) - order.get(b.el);
  const shown = read.filter((c) => !c.control.hidden);
  const kept = [...(shown.length > ${MAX_CONTROLS} ? shown.sort(prominence) : shown), ...read.filter((c) => c.control.hidden)].slice(0, ${MAX_CONTROLS});
  kept.sort((a, b) => order.get(a.el) - order.get(b.el));
  globalThis.__clicktraceControls = kept.map((c) => c.el);
  return {
    controls: kept.map((c) => c.control),
    total: all.length,
    viewport: { width: window.innerWidth, height: window.innerHeight },
    scroll: { x: sx, y: sy },
    scrolls: { x: viewportScrolls('x'), y: viewportScrolls('y') },
    adMarkup: adMarkup(),
  };
})()`;

/**
 * Runs in the isolated world: scrolls control `index` into view and returns the point of it a
 * click would reach (the centre of its box, else of one of its line boxes), or what covers it there
 * (an overlay, a modal's backdrop, a clip-path): a click would land on that instead. When what
 * covers it is a cookie / consent notice (or the backdrop laid under one), `notice` says so and the
 * rest of its box is tried: a person clicks the part a notice leaves in view (`beside`), as they
 * would with `anyPoint` (a notice in a frame of its own, told by the caller). Any other overlay
 * over its centre takes a person's click, so it is not looked past.
 */
function locateScript(index: number, anyPoint = false): string {
  return `(() => {
  const el = (globalThis.__clicktraceControls || [])[${index}];
  if (!el || !el.isConnected) return null;
  const AREA_BOX = ${AREA_BOX_SCRIPT};
  const BOX_OF = ${BOX_OF_SCRIPT};
  const IN_NOTICE = ${IN_NOTICE_SCRIPT};
  const image = el.tagName === 'AREA' ? (AREA_BOX(el) || {}).img : null;
  (image || el).scrollIntoView({ block: 'center', inline: 'center' });
  const area = image ? AREA_BOX(el) : null;
  const r = area ? area.rect : BOX_OF(el);
  if (r.width <= 0 || r.height <= 0) return null;
  // An image map's area is clicked at a point of its own shape (an earlier area may overlap its box's centre).
  if (area && !area.point) return { covered: 'another area of its image map' };
  // A control in a shadow root is hit-tested there (the document would name its host).
  const root = el.getRootNode();
  const tester = root && root.elementFromPoint ? root : document;
  const boxes = [r, ...el.getClientRects()];
  const reaches = (x, y) => {
    if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) return undefined;
    const hit = tester.elementFromPoint(x, y);
    return hit && (hit === el || el.contains(hit) || hit === image) ? true : hit;
  };
  let top = null, at = null;
  // Near the centre first, as a hand clicks (click.ts HAND_POINT_SCRIPT); then each box's centre.
  const hand = area ? null : (${HAND_POINT_SCRIPT})(r, reaches);
  if (hand) return hand;
  const points = area ? [area.point] : boxes.map((box) => ({ x: box.left + box.width / 2, y: box.top + box.height / 2 }));
  for (const { x, y } of points) {
    const hit = reaches(x, y);
    if (hit === true) return { x, y };
    if (hit && !top) [top, at] = [hit, { x, y }];
  }
  // A backdrop: a large, empty, fixed layer beside a notice's box (a consent platform's dimmed page).
  const noticeShown = (a) =>
    !!a && (IN_NOTICE(a, true) || (globalThis.__clicktraceControls || []).some((c) => c.isConnected && a.contains(c) && IN_NOTICE(c, false)));
  const backdrop = (a) => {
    const b = a.getBoundingClientRect();
    return getComputedStyle(a).position === 'fixed' && !(a.innerText || '').trim() && b.width * b.height >= 0.5 * window.innerWidth * window.innerHeight &&
      (noticeShown(a.previousElementSibling) || noticeShown(a.nextElementSibling));
  };
  const notice = !!top && (IN_NOTICE(top, true) || backdrop(top));
  // A pop-up over it (a newsletter or "Wait! 20% off" box): the layer fixed over the page that
  // takes the click, with the fixed layers beside it (a backdrop and its box); the controls read
  // in it (by index), among which a person finds its close button.
  // What takes the click inside shadow roots (the document names only their host): the pop-up of a web component.
  const deepest = (hit, x, y) => {
    for (let n = 0; n < 10; n++) {
      const root = hit.shadowRoot || (globalThis.__clicktraceClosedRoots || []).find((r) => r.host === hit);
      const inner = root && root.elementFromPoint(x, y);
      if (!inner || inner === hit) return hit;
      hit = inner;
    }
    return hit;
  };
  const popupControls = () => {
    let layer = null;
    const up = (a) => a.parentElement || (a.parentNode && a.parentNode.host) || null;
    for (let a = at ? deepest(top, at.x, at.y) : top; a && a !== document.body && a !== document.documentElement; a = up(a))
      if (getComputedStyle(a).position === 'fixed') layer = a;
    if (!layer) return [];
    const siblings = layer.parentNode && layer.parentNode.children ? [...layer.parentNode.children] : [];
    const parts = [layer, ...siblings.filter((s) => s !== layer && getComputedStyle(s).position === 'fixed')];
    if (parts.some((p) => p.contains(el))) return [];
    const controls = globalThis.__clicktraceControls || [];
    return controls.map((c, i) => (c.isConnected && parts.some((p) => p.contains(c)) ? i : -1)).filter((i) => i >= 0).slice(0, 50);
  };
  const popup = top && !notice && !area ? popupControls() : [];
  // A layer a person does not see laid over it (a transparent <div> that goes away on the first
  // click): no words, picture or control in or around it, its colour and border under 10% opaque.
  // A person's click aimed at the control lands on it.
  const unseenLayer = (a) => {
    if (!a || a === document.body || a === document.documentElement || a.contains(el)) return false;
    const ACTIVE = 'a[href], area[href], button, input, select, textarea, label, summary, [role=button], [role=link], [onclick], iframe, frame, object, embed';
    if (a.closest(ACTIVE) || a.querySelector(ACTIVE + ', img, svg, picture, video, canvas') || (a.innerText || '').trim()) return false;
    const alpha = (c) => (!c || c === 'transparent' ? 0 : /rgba\\(/.test(c) ? parseFloat(c.split(',')[3]) : 1);
    let opacity = 1;
    for (let p = a; p && p !== document.documentElement; p = p.parentElement) opacity *= parseFloat(getComputedStyle(p).opacity);
    const s = getComputedStyle(a);
    if (s.backgroundImage !== 'none' || s.boxShadow !== 'none' || s.outlineStyle !== 'none') return false;
    const border = ['Top', 'Right', 'Bottom', 'Left'].some(
      (side) => parseFloat(s['border' + side + 'Width']) > 0 && alpha(s['border' + side + 'Color']) >= 0.1,
    );
    return !border && alpha(s.backgroundColor) * opacity < 0.1;
  };
  const layer = !!top && !notice && !area && popup.length === 0 && unseenLayer(top);
  if ((notice || ${anyPoint}) && !area) {
    const steps = [0.25, 0.75, 0.1, 0.9, 0.5, 0.4, 0.6];
    for (const box of boxes)
      for (const fy of steps)
        for (const fx of steps) {
          const x = box.left + Math.max(2, Math.min(box.width - 2, fx * box.width));
          const y = box.top + Math.max(2, Math.min(box.height - 2, fy * box.height));
          // A patch a person can aim at, not a sliver at the notice's edge.
          const patch = [[0, 0], [-4, 0], [4, 0], [0, -4], [0, 4]].every(([dx, dy]) => reaches(x + dx, y + dy) === true);
          if (patch) return { x, y, beside: true };
        }
  }
  return {
    covered: top ? '<' + top.tagName.toLowerCase().slice(0, 40) + '>' : 'nothing',
    ...(notice ? { notice: true } : {}),
    ...(at ? { at } : {}),
    ...(popup.length > 0 ? { popup } : {}),
    ...(layer ? { layer: true } : {}),
  };
})()`;
}

/** Reads of a page's controls before explore gives up on it (the page went away, or the machine is too slow). */
const READ_ATTEMPTS = 3;

/** How many covered controls are passed over, at most, before explore gives up on a page. */
const MAX_COVERED = 5;

/** After closing a consent notice: how often, and how long apart, the call-to-action is looked for again (a notice may fade out). */
const UNCOVER_TRIES = 8;
const UNCOVER_PAUSE_MS = 150;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long explore waits, at most, for a disabled call-to-action to be enabled (a "please wait 5 seconds" page). */
const ENABLE_WAIT_MS = 8000;
const ENABLE_POLL_MS = 250;
/** How long a control is given to be enabled once the questions it waited on were answered. */
const ANSWERED_ENABLE_MS = 1500;

/** Runs in the isolated world: whether control `index` is still there and can be clicked (not disabled). */
function enabledScript(index: number): string {
  return `(() => {
  const el = (globalThis.__clicktraceControls || [])[${index}];
  return !!el && el.isConnected && el.disabled !== true && el.getAttribute('aria-disabled') !== 'true';
})()`;
}

/** Waits until a disabled control is enabled (a countdown's "Continue"), up to `until`; whether it was. */
async function waitEnabled(observer: PageObserver, where: Where, until: number, timeoutMs: number): Promise<boolean> {
  for (;;) {
    const enabled = await observer.evaluate(enabledScript(where.index), 'isolated', timeoutMs, 250, where.frame?.frameId);
    if (enabled === true) return true;
    if (Date.now() + ENABLE_POLL_MS > until || observer.closed) return false;
    await pause(ENABLE_POLL_MS);
  }
}

export interface ExploreResult {
  event: ExploreEvent;
  /** The marked copy of the page's screenshot (made on demand), when the chosen box is in it. */
  marked: { path: string; png: () => Buffer } | null;
  /**
   * The click on the chosen control; null when there is none (or it went away before it could be
   * clicked). `frame`: the child frame the control is in (its id and URL), null for the top document's.
   */
  click: {
    text: string;
    tag: string;
    target: string | null;
    frame: { id: string; url: string } | null;
    perform: () => Promise<void>;
    /** The click closes a cookie notice (nothing was to click while it showed): the page is read again after it. */
    closesNotice?: boolean;
    /** The click, aimed at the call-to-action, lands on a layer a person does not see over it: the page is read again after it unless it led on. */
    landsOnLayer?: boolean;
    /**
     * It sends a form with lists still on their placeholder ("Choose…") that ask for nothing personal, or is
     * disabled until a question of its step is answered: their first choices are picked before it is clicked.
     */
    choosesFirst?: boolean;
    /**
     * The click on the control found again once questions were answered (it may have scrolled the page), and where it
     * leads now (a GET form's submit sends the choices); null when it no longer shows.
     */
    again: () => Promise<{ perform: () => Promise<void>; target: string | null } | null>;
    /** The control as read in its document (the top's or a frame's), whose questions are answered when it waits on them. */
    pressed: PressedControl | null;
  } | null;
}

/** Where a control read is: in the top document (frame null) or in a child frame, at its index there. */
interface Where {
  frame: FrameView | null;
  index: number;
}

/** The part of a document read that was in its window, in document coordinates. */
function inViewOf(read: ReadControls): InView {
  return { top: read.scroll.y, bottom: read.scroll.y + read.viewport.height };
}

/**
 * The controls of the top document and of every child frame that shows, the frames' boxes moved
 * into the top page's document coordinates and cut to the part of the frame a person sees.
 */
async function readAll(
  observer: PageObserver,
  timeoutMs: number,
): Promise<{ read: ReadControls; where: Where[]; frames: FrameView[]; notes: FrameNote[] } | null> {
  const owners = await prepareFrames(observer, timeoutMs);
  const read = (await observer.evaluate(READ_CONTROLS_SCRIPT, 'isolated', timeoutMs, timeoutMs)) as ReadControls | null;
  if (!read || !Array.isArray(read.controls)) return null;
  await noteClickListeners(observer, read.controls, observer.url, inViewOf(read), timeoutMs);
  const where: Where[] = [];
  read.controls = takingClicks(read, (index) => where.push({ frame: null, index }));
  const { views: frames, skipped } = await visibleFrames(observer, owners, timeoutMs);
  const notes: FrameNote[] = [];
  for (const frame of frames) {
    // On a loaded machine a frame's world or read may time out once, as the top document's may.
    let inner: ReadControls | null = null;
    for (let attempt = 0; attempt < 2 && !(inner && Array.isArray(inner.controls)); attempt++)
      inner = (await observer.evaluate(READ_CONTROLS_SCRIPT, 'isolated', timeoutMs, timeoutMs, frame.frameId)) as ReadControls | null;
    if (!inner || !Array.isArray(inner.controls)) {
      notes.push({ url: frame.url, skipped: 'its links and buttons could not be read' });
      continue;
    }
    await noteClickListeners(observer, inner.controls, frame.url, inViewOf(inner), timeoutMs, frame.frameId);
    const indexes: number[] = [];
    inner.controls = takingClicks(inner, (index) => indexes.push(index));
    // A frame is an ad by its slot (size, name, label), its parent's, or its own markup.
    const ad = frame.ad ?? inner.adMarkup ?? null;
    notes.push({ url: frame.url, skipped: null, ...(ad ? { ad } : {}) });
    read.total += inner.total;
    const placedFrame = { ...frame, ad };
    inner.controls.forEach((control, i) => {
      // The evidence stays bounded on a page of many frames (each read keeps up to MAX_CONTROLS).
      if (read.controls.length >= MAX_CONTROLS_WITH_FRAMES) return;
      read.controls.push(inFrame(control, inner, placedFrame, read.scroll));
      where.push({ frame, index: indexes[i] });
    });
  }
  return { read, where, frames, notes: [...notes, ...skipped] };
}

/**
 * The controls of one document's read that can take a click (a box that only looks like a button
 * and that no listener receives is no control), each one's index in the read told to `keep`; the
 * read's total is cut by those left out.
 */
function takingClicks(read: ReadControls, keep: (index: number) => void): PageControl[] {
  const kept = read.controls.flatMap((control, index) => (receivesClicks(control) ? [{ control, index }] : []));
  read.total -= read.controls.length - kept.length;
  for (const { index } of kept) keep(index);
  return kept.map(({ control }) => control);
}

/** What was read of the frame `frameId` and the frames inside it, alone. */
function onlyInFrame<T extends { read: ReadControls; where: Where[]; frames: FrameView[]; notes: FrameNote[] }>(
  all: T,
  frameId: string,
  observer: PageObserver,
): T {
  const inside = (id: string | undefined) => {
    for (let at = id, steps = 0; at && steps < 50; at = observer.childFrames.get(at)?.parentId, steps++) if (at === frameId) return true;
    return false;
  };
  const keep = all.where.map((w) => inside(w.frame?.frameId));
  const controls = all.read.controls.filter((_, i) => keep[i]);
  const urls = new Set(all.frames.filter((f) => inside(f.frameId)).map((f) => f.url));
  return {
    ...all,
    read: { ...all.read, controls, total: controls.length },
    where: all.where.filter((_, i) => keep[i]),
    notes: all.notes.filter((n) => urls.has(n.url)),
  };
}

/** The point of the top viewport where a click reaches the control, or what a click there would reach instead. */
async function locate(
  observer: PageObserver,
  where: Where,
  frames: FrameView[],
  viewport: { width: number; height: number },
  timeoutMs: number,
  anyPoint = false,
): Promise<Located | null> {
  const { frame, index } = where;
  const inside = () =>
    observer.evaluate(locateScript(index, anyPoint), 'isolated', timeoutMs, 250, frame?.frameId) as Promise<Located | null>;
  if (!frame) return inside();
  for (let attempt = 0; attempt < 2; attempt++) {
    const local = await inside();
    if (!local || 'covered' in local) return local;
    const place = await placeAgain(observer, frame, frames, timeoutMs);
    if ('hidden' in place) return { covered: `its frame (${place.hidden})` };
    const x = place.origin.x + local.x;
    const y = place.origin.y + local.y;
    const inView = x >= 0 && y >= 0 && x < viewport.width && y < viewport.height;
    const inClip = x >= place.clip.left && x < place.clip.right && y >= place.clip.top && y < place.clip.bottom;
    if (!inView || !inClip) {
      // Scrolled into view inside its frame, the frame itself may still be out of the page's view.
      await scrollFrameIntoView(observer, frame, frames, timeoutMs);
      continue;
    }
    const covered = await frameCoveredAt(observer, frame, frames, x, y, timeoutMs);
    return covered === null ? { x, y, ...(local.beside ? { beside: true } : {}) } : { covered };
  }
  return { covered: 'nothing (outside the visible part of its frame)' };
}

/** Reads, scores and chooses on the page; null when the page could not be read (it went away). */
export async function exploreOnce(
  observer: PageObserver,
  options: {
    depth: number;
    capture: Capture;
    snapshot: PageSnapshot | null;
    timeoutMs: number;
    deadline?: number;
    /** Controls clicked on this page already whose click led nowhere (no new document): passed over. */
    ledNowhere?: readonly ClickedControl[];
    /** A cookie notice of this page was closed already to read it again: not closed a second time for that. */
    noticeClosed?: boolean;
    /** A click of this page landed on a layer a person does not see over its call-to-action already: not made a second time. */
    layerClicked?: boolean;
  },
): Promise<ExploreResult | null> {
  const read0 = await readAll(observer, options.timeoutMs);
  if (!read0) return null;
  // The chain went on in a frame of the page (the last click moved only it): its document is the page explored.
  const followed = observer.followedFrame?.url ? observer.followedFrame : null;
  const all = followed ? onlyInFrame(read0, followed.frameId, observer) : read0;
  const { read, where, frames, notes } = all;
  const pointer = pointerOf(options.capture.info.identity?.device ?? 'desktop');
  // A link this trace has requested already is never requested again (a single-use link would be spent).
  const requested = new Set(options.capture.exchanges.map((x) => x.request.url));
  const pageUrl = followed?.url ?? observer.url;
  const nowhere = options.ledNowhere ?? [];
  const scored = scoreControls(read.controls, { url: pageUrl, viewport: read.viewport }).map((control) =>
    !control.refused && targetOf(control) && requested.has(targetOf(control)!)
      ? { ...control, refused: 'already requested in this trace' }
      : !control.refused && nowhere.some((c) => sameControl(c, control))
        ? { ...control, refused: 'clicked already on this page: the click led nowhere' }
        : control,
  );
  // Each frame read is labelled as the scoring judged it: an ad-sized frame may be the offer itself
  // (of the page's own site, or all the page shows), a frame of an ad server is an ad whatever its size.
  const page = { url: pageUrl, viewport: read.viewport };
  const frameNotes = notes.map((note) => {
    const first = note.skipped === null ? read.controls.find((c) => c.frame === note.url) : undefined;
    if (!first) return note;
    const ad = adFrame(first, page, read.controls);
    return ad ? { ...note, ad } : { url: note.url, skipped: note.skipped };
  });
  let chosen = chooseCallToAction(scored);
  let at: { x: number; y: number } | null = null;
  let waitsOnAnswer = false;
  let dismissed: number | null = null;
  let closedPopup: number | null = null;
  let consentBlocked: number | null = null;
  let layer: { control: number; layer: string; at: { x: number; y: number } } | null = null;
  const listenersAsked = new Set<number>();
  for (let covered = 0; chosen !== null; covered++) {
    // A link chosen may have a click listener that sends its click elsewhere than its href: asked
    // now, before it is clicked, and judged by where it leads too (a download, an unsubscribe).
    if (!listenersAsked.has(chosen) && mayBeSentElsewhere(scored[chosen])) {
      listenersAsked.add(chosen);
      const { frame, index } = where[chosen];
      const target = await listenerTargetOf(observer, index, frame?.url ?? observer.url, options.timeoutMs, frame?.frameId);
      if (target) {
        const { refused } = scoreControl({ ...read.controls[chosen], onclickHref: target }, page, read.controls);
        scored[chosen] = { ...scored[chosen], onclickHref: target.slice(0, 2000), ...(refused ? { refused } : {}) };
        if (refused) {
          chosen = chooseCallToAction(scored);
          continue;
        }
      }
    }
    // Disabled when read (a countdown before "Continue"): a person waits for it, as long as the trace may.
    // Disabled until a box is ticked ("I agree to the terms"): agreeing is the person's; explore ticks nothing.
    if (scored[chosen].disabled && scored[chosen].waitsOnBox) {
      scored[chosen] = {
        ...scored[chosen],
        refused: `disabled until a box is ticked ("${scored[chosen].waitsOnBox}"): explore ticks nothing`,
      };
      chosen = chooseCallToAction(scored);
      continue;
    }
    // Disabled until a question of its step is answered (a survey's "Continue"): its first choice is picked before it is clicked.
    if (scored[chosen].disabled && (await questionLeft(observer, { ...where[chosen], frames }, options.timeoutMs))) {
      const control = scored[chosen];
      scored[chosen] = {
        ...control,
        reasons: [...control.reasons, '+0 disabled until a question of its step is answered: its first choice is picked'],
      };
      waitsOnAnswer = true;
    } else if (scored[chosen].disabled) {
      const until = Math.min(Date.now() + ENABLE_WAIT_MS, (options.deadline ?? Date.now() + ENABLE_WAIT_MS) - 1000);
      if (!(await waitEnabled(observer, where[chosen], until, options.timeoutMs))) {
        scored[chosen] = { ...scored[chosen], refused: 'disabled (a click would do nothing)' };
        chosen = chooseCallToAction(scored);
        continue;
      }
    }
    let found = await locate(observer, where[chosen], frames, read.viewport, options.timeoutMs);
    // Covered by a consent platform's own frame: judged as a notice in the page is (the rest of its box tried).
    if (
      found &&
      'covered' in found &&
      !found.notice &&
      (await consentFrameOver(observer, found, where[chosen], scored, where, frames, options.timeoutMs))
    ) {
      const beside = await locate(observer, where[chosen], frames, read.viewport, options.timeoutMs, true);
      found = beside && 'x' in beside ? { ...beside, beside: true } : { ...found, notice: true };
    }
    // Covered while a cookie notice shows: a person closes the notice first, never accepting it
    // ("Reject all", "Only necessary" or a "×" that leads nowhere: consentDismissals), once.
    if (found && 'covered' in found && dismissed === null) {
      const closed = await clickFirstFound(observer, consentDismissals(scored), where, frames, read.viewport, pointer, options.timeoutMs);
      if (closed !== null) {
        dismissed = closed;
        for (let tries = 0; tries < UNCOVER_TRIES && found && 'covered' in found; tries++) {
          await pause(UNCOVER_PAUSE_MS);
          found = await locate(observer, where[chosen], frames, read.viewport, options.timeoutMs);
        }
      }
    }
    // Covered by a pop-up of the page (not a consent notice): a person closes it with its "×",
    // "Close" or "No thanks" (one that leads nowhere) and clicks what it covered, once.
    if (found && 'covered' in found && !found.notice && found.popup && closedPopup === null && !where[chosen].frame) {
      const indexes = found.popup.flatMap((i) => {
        const k = where.findIndex((w) => !w.frame && w.index === i);
        return k < 0 ? [] : [k];
      });
      const closers = popupClosers(scored, indexes);
      const closed = await clickFirstFound(observer, closers, where, frames, read.viewport, pointer, options.timeoutMs);
      if (closed !== null) {
        closedPopup = closed;
        for (let tries = 0; tries < UNCOVER_TRIES && found && 'covered' in found; tries++) {
          await pause(UNCOVER_PAUSE_MS);
          found = await locate(observer, where[chosen], frames, read.viewport, options.timeoutMs);
        }
      }
    }
    // Under a layer a person does not see (a transparent <div> that goes away on the first click):
    // their click, aimed at the call-to-action, lands on it. That click is the step's, once per
    // page; the page is read again after it, or followed when the layer's click led on.
    if (found && 'covered' in found && found.layer && found.at && !options.layerClicked && !where[chosen].frame) {
      layer = { control: chosen, layer: found.covered, at: found.at };
      chosen = null;
      break;
    }
    if (found && 'x' in found) {
      at = found;
      if (found.beside) {
        const control = scored[chosen];
        scored[chosen] = { ...control, reasons: [...control.reasons, '+0 partly covered by a consent notice: clicked where it shows'] };
      }
      break;
    }
    // Still under a consent notice that cannot be closed without consenting. Accepting would be
    // consent given on the analyst's behalf, and it changes what the sites record and serve next
    // (the evidence); a click sent past the notice (a script click on the element) is no click a
    // person could make. Nor is the next best control chosen: it is only "best" because the notice
    // hides the offer. Explore ends on this page and says why; the analyst decides.
    if (found && 'covered' in found && found.notice) {
      scored[chosen] = {
        ...scored[chosen],
        refused: !scored.some(consentControl)
          ? 'covered by a consent notice that offers no way to close it; not clicked'
          : consentDismissals(scored).length === 0
            ? 'covered by a consent notice that offers only accept; not clicked'
            : 'covered by a consent notice that could not be closed without consenting; not clicked',
      };
      consentBlocked = chosen;
      chosen = null;
      break;
    }
    if (!found || covered >= MAX_COVERED) {
      chosen = null;
      break;
    }
    // What a person would hit there is something else: that control is not theirs to click.
    scored[chosen] = { ...scored[chosen], refused: `hidden (covered by ${found.covered})` };
    chosen = chooseCallToAction(scored);
  }
  // Nothing to click while a cookie notice shows: a person closes it, never accepting ("Reject all",
  // "×"), and looks at the page again; some pages show their offer only once the notice is answered.
  let closeNotice: Extract<Located, { x: number }> | null = null;
  if (chosen === null && dismissed === null && consentBlocked === null && !options.noticeClosed) {
    const found = await firstFound(observer, consentDismissals(scored), where, frames, read.viewport, options.timeoutMs);
    if (found) {
      dismissed = found.index;
      closeNotice = found.at;
    }
  }
  const event: ExploreEvent = {
    type: 'explore',
    at: new Date().toISOString(),
    pageId: observer.pageId,
    url: pageUrl,
    depth: options.depth,
    snapshot: options.snapshot?.index ?? null,
    viewport: read.viewport,
    scroll: read.scroll,
    total: read.total,
    controls: scored,
    chosen,
    ...(dismissed !== null ? { dismissed } : {}),
    ...(closedPopup !== null ? { closedPopup } : {}),
    ...(consentBlocked !== null ? { consentBlocked } : {}),
    ...(layer ? { unseenLayer: { control: layer.control, layer: layer.layer } } : {}),
    ...(frameNotes.length > 0 ? { frames: frameNotes } : {}),
  };
  const clicked = closeNotice ? dismissed : layer ? layer.control : chosen;
  const point = closeNotice ?? layer?.at ?? at;
  const control = clicked === null ? null : scored[clicked];
  const inFrameOf = clicked === null ? null : where[clicked].frame;
  return {
    event,
    marked: markScreenshot(event, options.snapshot),
    click:
      control && point
        ? {
            text: control.text,
            tag: control.tag,
            target: targetOf(control),
            frame: inFrameOf ? { id: inFrameOf.frameId, url: inFrameOf.url } : null,
            perform: () => trustedClick(observer, point.x, point.y, pointer),
            again: async () => {
              // Answering scrolled the page (and enabled the control): it is found again where it is now;
              // a GET form's submit now sends the choices made (its target says so).
              const place = where[clicked!];
              await waitEnabled(observer, place, Date.now() + ANSWERED_ENABLE_MS, options.timeoutMs);
              const found = await locate(observer, place, frames, read.viewport, options.timeoutMs);
              if (!found || !('x' in found)) return null;
              const form = control.form;
              const sends = form?.method === 'get' && !form.onsubmit && !form.stopped && control.rawHref === null;
              const now = sends
                ? await observer.evaluate(submitsNowScript(place.index), 'isolated', options.timeoutMs, 250, place.frame?.frameId)
                : null;
              return {
                perform: () => trustedClick(observer, found.x, found.y, pointer),
                target: typeof now === 'string' ? now.slice(0, 2000) : targetOf(control),
              };
            },
            pressed: clicked === null ? null : { index: where[clicked].index, frame: inFrameOf, frames },
            ...(closeNotice ? { closesNotice: true } : {}),
            ...(layer ? { landsOnLayer: true } : {}),
            ...(!closeNotice && !layer && ((control.form?.choosing ?? 0) > 0 || waitsOnAnswer) ? { choosesFirst: true } : {}),
          }
        : null,
  };
}

/**
 * Whether what covers a control of the top document is a consent notice's own frame (a consent
 * platform's full-page iframe): the point tried lies in a frame whose visible controls are a
 * consent notice's.
 */
async function consentFrameOver(
  observer: PageObserver,
  found: Extract<Located, { covered: string }>,
  target: Where,
  scored: readonly ScoredControl[],
  where: Where[],
  frames: FrameView[],
  timeoutMs: number,
): Promise<boolean> {
  const point = found.at;
  if (target.frame || !point || !/^<i?frame>$/.test(found.covered)) return false;
  const noticeFrames = new Set(scored.flatMap((c, i) => (consentControl(c) && where[i].frame ? [where[i].frame] : [])));
  for (const frame of noticeFrames) {
    const place = await placeAgain(observer, frame, frames, timeoutMs);
    if ('hidden' in place) continue;
    const { clip } = place;
    if (point.x >= clip.left && point.x < clip.right && point.y >= clip.top && point.y < clip.bottom) return true;
  }
  return false;
}

/** The first of `candidates` (control indexes) a click reaches on the page now, and where; null when none does. */
async function firstFound(
  observer: PageObserver,
  candidates: Iterable<number>,
  where: Where[],
  frames: FrameView[],
  viewport: { width: number; height: number },
  timeoutMs: number,
): Promise<{ index: number; at: Extract<Located, { x: number }> } | null> {
  for (const index of candidates) {
    const found = await locate(observer, where[index], frames, viewport, timeoutMs);
    if (found && 'x' in found) return { index, at: found };
  }
  return null;
}

/** A trusted click on the first of `candidates` (control indexes) found on the page now; its index, or null when none was. */
async function clickFirstFound(
  observer: PageObserver,
  candidates: Iterable<number>,
  where: Where[],
  frames: FrameView[],
  viewport: { width: number; height: number },
  pointer: Pointer,
  timeoutMs: number,
): Promise<number | null> {
  const found = await firstFound(observer, candidates, where, frames, viewport, timeoutMs);
  if (!found) return null;
  await trustedClick(observer, found.at.x, found.at.y, pointer);
  return found.index;
}

function markScreenshot(event: ExploreEvent, snapshot: PageSnapshot | null): ExploreResult['marked'] {
  const box = markedBox(event);
  if (!box || !snapshot?.screenshot) return null;
  const png = snapshot.screenshot.png;
  // Device pixels per CSS pixel: the PNG is as wide as the viewport times the device scale factor.
  const scale = png.readUInt32BE(16) / Math.max(1, event.viewport.width);
  return { path: markedScreenshotPath(snapshot.screenshot.path), png: () => drawBox(png, box, scale) };
}

/** A control clicked, as told apart from the others of its page when it is read again. */
export interface ClickedControl {
  text: string;
  tag: string;
  target: string | null;
  frame: string | null;
}

function sameControl(clicked: ClickedControl, control: ScoredControl): boolean {
  return (
    clicked.text === control.text &&
    clicked.tag === control.tag &&
    clicked.target === targetOf(control) &&
    clicked.frame === (control.frame ?? null)
  );
}

/** How long explore waits, at most, for a page's script to end its work (requests, animation frames) when it has nothing to click yet. */
const STILL_WORKING_WAIT_MS = 5000;

/** How many clicks that led nowhere (a dead "#" link, a button that only opens a menu) explore passes over on one page. */
const MAX_LED_NOWHERE = 2;

/**
 * How many clicks on one page explore makes, at most, that load no new document: those that led
 * nowhere and those that showed the page's next step (a quiz's answers, "Select your age" before
 * "Continue"), which a person goes through one after another.
 */
const MAX_CLICKS_ON_PAGE = 8;

/** The controls a person sees on a page read (text, tag, where it leads, frame), to tell what a click showed that was not there. */
function shownControls(event: ExploreEvent): Set<string> {
  return new Set(event.controls.filter((c) => !c.hidden).map((c) => JSON.stringify([c.text, c.tag, targetOf(c), c.frame ?? null])));
}

export interface ExploreHooks {
  capture: Capture;
  depth: number;
  deadline: number;
  current: () => PageObserver | null;
  stopped: () => boolean;
  emit: (event: NavEvent) => void;
  /** A file derived from the evidence for the case (the marked screenshot), made when the case is closed. */
  addFile: (path: string, make: () => Buffer) => void;
  /** Writes the events so far to the case. */
  flush: () => void;
  /** Waits until the chain rests again and snapshots the page (what the page rendered since is in the new snapshot). */
  settleAgain: () => Promise<void>;
  /** Clicks (a control of the child frame `frameId`, or of the top document: null), waits until the chain rests again and snapshots the page. */
  clickAndSettle: (observer: PageObserver, perform: () => Promise<void>, frameId: string | null) => Promise<void>;
  progress: (event: { kind: string; detail: string }) => void;
}

/** Explores up to `depth` pages: each resting page's call-to-action is clicked, until none is left. */
export async function explore(hooks: ExploreHooks): Promise<void> {
  const { capture } = hooks;
  // A click that led nowhere (a dead "#" link, a script button that opened a menu): a person tries
  // the next best control of the page, which is then read again (the click may have changed it).
  const ledNowhere: ClickedControl[] = [];
  // Of them, those after which the page showed nothing new (a dead link): a click that showed the
  // page's next step (a quiz's next question) is a step a person takes, not a click gone astray.
  let deadClicks = 0;
  // The controls seen before the last click that led to no new document, until the page is read again.
  let shownBefore: Set<string> | null = null;
  // Questions answered on this page (a round of radio-button choices before its "Next" was clicked again).
  let answers = 0;
  // A cookie notice closed because nothing was to click while it showed: once per page.
  let noticeClosed = false;
  // Waited for the page's script to finish its work because nothing was to click yet: once per page.
  let waitedForPage = false;
  // A click aimed at the call-to-action landed on a layer a person does not see over it: once per page.
  let layerClicked = false;
  // Scrolled down because nothing was to click in view: once per page; told in the next step emitted.
  let scrolledPage = false;
  // The pressed control no longer showed once its questions were answered: the page read again, once.
  let rereadAfterAnswers = false;
  let scrolled: ExploreEvent['scrolled'] | null = null;
  const pointer = pointerOf(capture.info.identity?.device ?? 'desktop');
  for (let depth = 1; depth <= hooks.depth && !hooks.stopped(); depth++) {
    const observer = hooks.current();
    if (!observer || observer.closed) return;
    const last = capture.pages.at(-1);
    const snapshot = last && last.pageId === observer.pageId && last.url === observer.url ? last : null;
    // On a loaded machine the isolated world or the read may time out once: tried again before giving up.
    let result: ExploreResult | null = null;
    for (let attempt = 0; attempt < READ_ATTEMPTS && !result && !observer.closed && !hooks.stopped(); attempt++) {
      const timeoutMs = Math.max(500, Math.min(3000, hooks.deadline - Date.now()));
      result = await exploreOnce(observer, {
        depth,
        capture,
        snapshot,
        timeoutMs,
        deadline: hooks.deadline,
        ledNowhere,
        noticeClosed,
        layerClicked,
      });
    }
    if (!result) {
      hooks.progress({ kind: 'explore', detail: `could not read the links and buttons of ${observer.url}` });
      return;
    }
    if (shownBefore) {
      const before = shownBefore;
      shownBefore = null;
      if ([...shownControls(result.event)].some((control) => !before.has(control))) deadClicks--;
    }
    // Nothing to click yet while the page's script is still at work: waiting on a request (a slow
    // offer API whose answer renders the button; settling counts such a request as hung after a
    // while) or drawing by animation frames (an "analysing your answers" progress bar; settling
    // takes a loop of frames for an animation that never ends). A person waits for the page to
    // finish, then reads it. Only when nothing was clicked on it (no notice or pop-up closed),
    // once per page; the page is snapshotted again, for the step's screenshot.
    const untouched = result.event.dismissed === undefined && result.event.closedPopup === undefined;
    const working = async () => observer.scriptRequestsInFlight() > 0 || (await animationFramesPending(observer));
    if (!result.click && untouched && !waitedForPage && !observer.closed && (await working())) {
      waitedForPage = true;
      hooks.progress({ kind: 'explore', detail: `no call-to-action yet on ${observer.url}: waiting for its script` });
      const until = Math.min(Date.now() + STILL_WORKING_WAIT_MS, hooks.deadline - 2000);
      while (Date.now() < until && !observer.closed && !hooks.stopped() && (await working())) await pause(100);
      await hooks.settleAgain();
      depth--;
      continue;
    }
    // Still nothing to click: a person scrolls down the page to look for it (some pages add their
    // offer only when their end or a lazy section comes into view), then reads it again. Not when
    // the offer was found under a consent notice that offers only accept (scrolling uncovers nothing).
    const scrollMs = Math.min(EXPLORE_SCROLL_MS, hooks.deadline - Date.now() - 3000);
    const blocked = result.event.consentBlocked !== undefined;
    if (!result.click && untouched && !blocked && !scrolledPage && scrollMs > 500 && !observer.closed && !hooks.stopped()) {
      scrolledPage = true;
      const done = await scrollDownToRead(observer, pointer, result.event.viewport, scrollMs);
      if (done) {
        scrolled = done;
        hooks.progress({ kind: 'explore', detail: `no call-to-action in view on ${observer.url}: scrolled down the page` });
        await hooks.settleAgain();
        depth--;
        continue;
      }
    }
    if (scrolled) {
      result.event.scrolled = scrolled;
      scrolled = null;
    }
    hooks.emit(result.event);
    if (result.marked) hooks.addFile(result.marked.path, result.marked.png);
    const click = result.click;
    if (!click) {
      hooks.flush();
      hooks.progress({ kind: 'explore', detail: `no call-to-action on ${observer.url}` });
      return;
    }
    // A choice a person makes before sending the form (an age range, a country), without typing.
    const answer = (timeoutMs: number) =>
      answerQuestions(observer, pointer, timeoutMs, click.pressed, (text) => {
        hooks.emit({ type: 'click', at: new Date().toISOString(), pageId: observer.pageId, text, target: null, answer: true });
        hooks.progress({ kind: 'explore', detail: `answered "${text}" (the first choice) before ${click.text}` });
      });
    let { perform, target } = click;
    if (click.choosesFirst) {
      const answered = await answer(Math.max(500, Math.min(3000, hooks.deadline - Date.now())));
      // Answering may have scrolled the page: the control is found again, and not clicked where it was if it no longer shows.
      const found = await click.again();
      if (!found) {
        hooks.flush();
        hooks.progress({
          kind: 'explore',
          detail: `"${click.text}" no longer shows after ${answered.length ? 'its questions were answered' : 'its questions were read'}: not clicked`,
        });
        // The answer may have moved the step on by itself: the page is read again, once.
        if (rereadAfterAnswers || observer.closed || hooks.stopped()) return;
        rereadAfterAnswers = true;
        await hooks.settleAgain();
        depth--;
        continue;
      }
      ({ perform, target } = found);
    }
    hooks.emit({
      type: 'click',
      at: new Date().toISOString(),
      pageId: observer.pageId,
      text: click.text,
      target,
      ...(click.frame ? { frame: click.frame.url } : {}),
    });
    hooks.flush();
    hooks.progress({
      kind: 'explore',
      detail: click.closesNotice
        ? `closed the cookie notice with ${click.text}`
        : click.landsOnLayer
          ? `clicked where ${click.text} shows: a layer a person does not see over it took the click`
          : click.text,
    });
    const documents = capture.events.filter((e) => e.type === 'doc-request').length;
    await hooks.clickAndSettle(observer, perform, click.frame?.id ?? null);
    if (click.closesNotice) {
      // The page (or the one its answer led to) is explored again, at the same depth.
      noticeClosed = true;
      depth--;
      continue;
    }
    const stayed = hooks.current() === observer && capture.events.filter((e) => e.type === 'doc-request').length === documents;
    if (click.landsOnLayer && stayed) {
      // The layer took the click and the page stayed: it is read again (the layer may be gone), at the same depth.
      layerClicked = true;
      depth--;
      continue;
    }
    if (stayed && ledNowhere.length + answers < MAX_CLICKS_ON_PAGE) {
      // A "Next" that does nothing while a question shows unanswered (radio buttons, none chosen; a list on "Choose…"):
      // a person picks an answer (the first choice) and clicks it again; it is not passed over.
      const answered = await answer(Math.max(500, Math.min(3000, hooks.deadline - Date.now())));
      if (answered.length > 0) {
        hooks.flush();
        answers++;
        await hooks.settleAgain();
        depth--;
        continue;
      }
    }
    if (stayed) {
      // It led nowhere: the same page is explored again without it, a few times at most (unless
      // what it showed was the page's next step: then it counts only towards MAX_CLICKS_ON_PAGE).
      if (deadClicks >= MAX_LED_NOWHERE || ledNowhere.length >= MAX_CLICKS_ON_PAGE) return;
      ledNowhere.push({ text: click.text, tag: click.tag, target: click.target, frame: click.frame?.url ?? null });
      deadClicks++;
      shownBefore = shownControls(result.event);
      depth--;
      continue;
    }
    ledNowhere.length = 0;
    deadClicks = 0;
    answers = 0;
    noticeClosed = false;
    waitedForPage = false;
    scrolledPage = false;
    layerClicked = false;
  }
}
