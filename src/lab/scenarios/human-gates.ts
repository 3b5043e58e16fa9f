// Cloakers that hold the real redirect until the visitor shows a sign of being a person: the first
// mouse or pointer movement, a scroll or wheel turn, the window having focus, a touch on a phone,
// several mouse moves along a curve. Until then the page rests with nothing pending (no timer, no
// request): a trace that only waits takes the decoy for the final page. And a page with the same
// listeners that never sends anyone on (it must stay the final page), and one that writes down every
// input event it gets (what a visitor looks like to a kit's listeners). Any path under a gate's prefix plays it.
import { HOSTS } from '../hosts.js';
import type { Route } from '../exchange.js';
import { jsString, page } from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';
import { BENIGN_URL } from './cloak-kits.js';

export type HumanGateName =
  'pointer' | 'mouse-form' | 'scroll' | 'focus' | 'touch' | 'moves' | 'path' | 'wheels' | 'depth' | 'honest' | 'countdown' | 'events';

const PREFIX = `http://${HOSTS.cloak}/human`;

/** The URL of gate `name`, with a path of the caller's own (each test its own link). */
export function humanGateUrl(name: HumanGateName, path = 'em'): string {
  return `${PREFIX}/${name}/${path}`;
}

/** The decoy every gate shows until it is satisfied, and the honest page shows for good. */
export const HUMAN_DECOY_TITLE = 'Seasonal recipes';

function decoy(script: string, title = HUMAN_DECOY_TITLE): string {
  return page({
    title,
    body:
      `<main><h1>${title}</h1><p id="status">Rhubarb crumble, asparagus tart and a spring pea soup.</p>` +
      `<p><a href="/recipes/more">More recipes</a></p>` +
      `<div style="height:1800px"></div><p>Page end.</p></main>\n<script>\n${script}\n</script>`,
  });
}

/** Script that sends the visitor on to `target` with a form posted by script (a kit's auto-submit). */
function postTo(target: string): string {
  return (
    `const f = document.createElement('form'); f.method = 'post'; f.action = ${jsString(target)};\n` +
    `const i = document.createElement('input'); i.type = 'hidden'; i.name = 'h'; i.value = '1'; f.append(i);\n` +
    `document.body.append(f); f.submit();`
  );
}

/**
 * What a kit holds against the events it was given, as page script: `mouseTells(moves, pointers)`
 * for distinct mousemove events and the pointermoves so far, `touchTells(start, end, down)` for a
 * touch's touchstart, its touchend or touchcancel and its pointerdown. Each returns the names of
 * what it found (empty: a person); `turnAway(tells)` sends the visitor to the encyclopedia page
 * with them in `?why=`, as the fingerprint gate does (cloak-kits.ts).
 */
const EVENT_TELLS = `
const media = (q) => matchMedia(q).matches;
function mouseTells(moves, pointers) {
  const tells = [];
  const pointer = pointers[pointers.length - 1];
  if (!media('(pointer: fine)') || !media('(hover: hover)')) tells.push('no-mouse');
  // CDP's known tell: an event placed on the screen where it is in the page.
  if (moves.some((e) => e.screenX === e.clientX && e.screenY === e.clientY)) tells.push('screen-equals-client');
  // The page's top left on the screen: the window's position, its side borders, the toolbars above the page.
  const left = screenX + (outerWidth - innerWidth) / 2, top = screenY + outerHeight - innerHeight;
  if (moves.some((e) => Math.abs(e.screenX - e.clientX - left) > 12 || Math.abs(e.screenY - e.clientY - top) > 12)) tells.push('screen-offset');
  if (moves.slice(1).every((e) => e.movementX === 0 && e.movementY === 0)) tells.push('no-movement');
  if (!pointer || pointer.pointerType !== 'mouse' || !pointer.isPrimary || pointer.pressure !== 0 || pointer.buttons !== 0) tells.push('pointer');
  // A mouse reports faster than frames: a moving one's pointermoves hold several samples (a secure context's only).
  if (pointers.length >= 3 && pointer.getCoalescedEvents && pointers.every((e) => e.getCoalescedEvents().length <= 1)) tells.push('uncoalesced');
  return tells;
}
function touchTells(start, end, down) {
  const tells = [];
  if (!media('(pointer: coarse)') || !media('(hover: none)')) tells.push('no-touch-screen');
  const t = start.changedTouches[0];
  const scale = window.visualViewport ? visualViewport.scale : 1;
  // The DevTools protocol's default touch is a point (radius 1) pressed with force 1: no fingertip is.
  if (t.radiusX * scale <= 1 && t.radiusY * scale <= 1) tells.push('touch-point');
  if (end.timeStamp - start.timeStamp < 20) tells.push('instant-touch');
  // Where the finger is on the screen: below the status bar (24 px at least) and the browser's toolbar,
  // never deeper than all the bars the screen has beside the page (DevTools' device mode: the page fills
  // the screen, a touch's screenY is its clientY).
  const top = t.screenY - t.clientY;
  if (top < 24 || top > screen.height - innerHeight || t.screenX - t.clientX !== screenX) tells.push('touch-screen-offset');
  if (!down || down.pointerType !== 'touch' || !down.isPrimary) tells.push('pointer');
  return tells;
}
const turnAway = (tells) => location.replace(${jsString(BENIGN_URL)} + '?why=' + encodeURIComponent(tells.join(',')));
`;

/**
 * Page-side start of a mouse gate's listener: the trusted mousemoves at a new point (`moves`), every
 * pointermove (`pointers`, for the kit's tells), and `sent` once the gate has judged; the rest of
 * the listener judges `moves` and closes it.
 */
const MOVES_COLLECTED =
  `${EVENT_TELLS}\nconst moves = [];\nlet sent = false;\nconst pointers = [];\n` +
  `addEventListener('pointermove', (e) => { pointers.push(e); }, { passive: true });\ndocument.addEventListener('mousemove', (e) => {\n` +
  `  if (sent || !e.isTrusted) return;\n  const last = moves[moves.length - 1];\n` +
  `  if (last && last.clientX === e.clientX && last.clientY === e.clientY) return;\n  moves.push(e);\n`;

interface Gate {
  name: HumanGateName;
  description: string;
  /** The page's script; `go` is where it sends the visitor. */
  script: (go: string) => string;
  expectedVias: string[];
  /** `self`: the gate's own page stays the final page. */
  final: 'landing' | 'self';
}

const GATES: Gate[] = [
  {
    name: 'pointer',
    description:
      'Human check on the first pointer movement: the page rests with nothing pending until a pointermove, then ' +
      'location.replace() sends the visitor to the landing page.',
    script: (go) =>
      `addEventListener('pointermove', function once() {\n  removeEventListener('pointermove', once);\n` +
      `  location.replace(${jsString(go)});\n});`,
    expectedVias: ['start', 'javascript'],
    final: 'landing',
  },
  {
    name: 'mouse-form',
    description:
      'Human check on the first mousemove of the document, by a handler property (document.onmousemove, not ' +
      'addEventListener): a hidden form is then posted by script to the landing page.',
    script: (go) => `let sent = false;\ndocument.onmousemove = () => {\n  if (sent) return; sent = true;\n  ${postTo(go)}\n};`,
    expectedVias: ['start', 'form-post'],
    final: 'landing',
  },
  {
    name: 'scroll',
    description:
      'Human check on a scroll or a wheel turn: "Verifying…" is shown and, 300 ms later (a timer the page sets only then), ' +
      'location.assign() sends the visitor to a relay that 302s to the landing page.',
    script: (go) =>
      `let armed = true;\nconst go = () => {\n  if (!armed) return; armed = false;\n` +
      `  document.getElementById('status').textContent = 'Verifying…';\n  setTimeout(() => location.assign(${jsString(go)}), 300);\n};\n` +
      `addEventListener('wheel', go, { passive: true });\naddEventListener('scroll', go, { passive: true });`,
    expectedVias: ['start', 'javascript', 'http-302'],
    final: 'landing',
  },
  {
    name: 'focus',
    description:
      'Human check on focus: a page whose window has focus (document.hasFocus()) is sent on at once, one without ' +
      "it when it gains focus (the window's focus event); a page in a background tab never is.",
    script: (go) =>
      `const go = () => location.href = ${jsString(go)};\n` +
      `if (document.hasFocus()) go(); else addEventListener('focus', go, { once: true });`,
    expectedVias: ['start', 'javascript'],
    final: 'landing',
  },
  {
    name: 'touch',
    description:
      'Human check by device: a touch screen (navigator.maxTouchPoints) waits for a touch, any other for a mousemove; ' +
      'then location.href sends the visitor to the landing page. A phone visitor gets there by a touch only, and only by ' +
      "one a kit takes for a finger's: a touch screen's pointer media, a fingertip's size (not the DevTools protocol's " +
      "point), a touch that lasts, a touch pointer, a place on the screen below a phone's status bar and toolbar; else " +
      'it is sent to an encyclopedia page with what was found.',
    script: (go) =>
      `${EVENT_TELLS}\nif (navigator.maxTouchPoints > 0) {\n  let start = null, down = null, done = false;\n` +
      `  addEventListener('pointerdown', (e) => { down = down || e; }, { passive: true });\n` +
      `  addEventListener('touchstart', (e) => { start = start || e; }, { passive: true });\n` +
      `  const end = (e) => {\n    if (!start || done) return; done = true;\n    const tells = touchTells(start, e, down);\n` +
      `    if (tells.length) turnAway(tells); else location.href = ${jsString(go)};\n  };\n` +
      `  addEventListener('touchend', end, { passive: true });\n  addEventListener('touchcancel', end, { passive: true });\n` +
      `} else addEventListener('mousemove', () => { location.href = ${jsString(go)}; }, { once: true, passive: true });`,
    expectedVias: ['start', 'javascript'],
    final: 'landing',
  },
  {
    name: 'moves',
    description:
      'Human check on movement: at least 3 mousemove events at different points, not all on one straight line (a bot ' +
      'jumps straight to a point), judged as a kit judges them (a mouse in the pointer media, screen coordinates that ' +
      "put the page below the window's toolbars and not at its client coordinates, movementX/Y, a mouse pointer, and in a " +
      'secure context pointermoves that hold several samples each now and then, as a mouse polled faster than frames gives), then a ' +
      'form is posted by script to the landing page; a visitor with a tell is sent to an encyclopedia page with what was found.',
    script: (go) =>
      MOVES_COLLECTED +
      `  if (moves.length < 3) return;\n  const [a, b] = [moves[0], moves[moves.length - 1]];\n` +
      `  const cross = (p) => (b.clientX - a.clientX) * (p.clientY - a.clientY) - (b.clientY - a.clientY) * (p.clientX - a.clientX);\n` +
      `  const curved = moves.some((p) => Math.abs(cross(p)) > 1e-6);\n` +
      `  if (!curved) return;\n  sent = true;\n  const tells = mouseTells(moves, pointers);\n  if (tells.length) return turnAway(tells);\n  ${postTo(go)}\n});`,
    expectedVias: ['start', 'form-post'],
    final: 'landing',
  },
  {
    name: 'path',
    description:
      "Human check on a reader's mouse: at least 5 mousemove events at different points spread over 300 ms or more, " +
      'their speed not constant (a hand speeds up and slows down; a script glides), judged as the moves gate judges them; ' +
      'then a form is posted by script to the landing page. A few moves within a tenth of a second never get past it.',
    script: (go) =>
      MOVES_COLLECTED +
      `  if (moves.length < 5 || e.timeStamp - moves[0].timeStamp < 300) return;\n` +
      `  const speeds = moves.slice(1).map((m, i) =>\n` +
      `    Math.hypot(m.clientX - moves[i].clientX, m.clientY - moves[i].clientY) / Math.max(1, m.timeStamp - moves[i].timeStamp));\n` +
      `  const mean = speeds.reduce((a, b) => a + b, 0) / speeds.length;\n` +
      `  const sd = Math.sqrt(speeds.reduce((a, b) => a + (b - mean) ** 2, 0) / speeds.length);\n` +
      `  if (sd < 0.2 * mean) return;\n  sent = true;\n` +
      `  const tells = mouseTells(moves, pointers);\n  if (tells.length) return turnAway(tells);\n  ${postTo(go)}\n});`,
    expectedVias: ['start', 'form-post'],
    final: 'landing',
  },
  {
    name: 'wheels',
    description:
      'Human check on a mouse wheel turned to read: at least 4 trusted wheel events, each a notch down as Chrome reports a ' +
      "mouse's (pixels, deltaY of 50 or more, wheelDeltaY its opposite's sign), spread over 100 ms or more at uneven " +
      'intervals; then location.href sends the visitor to the landing page. One notch down and back never gets past it.',
    script: (go) =>
      `const wheels = [];\nlet sent = false;\naddEventListener('wheel', (e) => {\n  if (sent || !e.isTrusted) return;\n` +
      `  if (e.deltaMode !== 0 || e.deltaY < 50 || e.deltaX !== 0 || !(e.wheelDeltaY < 0)) return;\n` +
      `  wheels.push(e.timeStamp);\n  if (wheels.length < 4 || wheels[wheels.length - 1] - wheels[0] < 100) return;\n` +
      `  const gaps = wheels.slice(1).map((t, i) => t - wheels[i]);\n  if (Math.max(...gaps) - Math.min(...gaps) < 5) return;\n` +
      `  sent = true;\n  location.href = ${jsString(go)};\n}, { passive: true });`,
    expectedVias: ['start', 'javascript'],
    final: 'landing',
  },
  {
    name: 'depth',
    description:
      'Human check on reading: a long page (two screens or more) scrolled past half of the way it can scroll ' +
      '(scrollY at least half of scrollHeight - innerHeight), by a wheel, a finger or anything else that scrolls it; then ' +
      'location.href sends the visitor to the landing page. A small scroll and back never gets past it.',
    script: (go) =>
      `let sent = false;\naddEventListener('scroll', () => {\n  if (sent) return;\n` +
      `  const height = (document.scrollingElement || document.documentElement).scrollHeight;\n` +
      `  if (height < 2 * innerHeight || scrollY < 0.5 * (height - innerHeight)) return;\n` +
      `  sent = true;\n  location.href = ${jsString(go)};\n}, { passive: true });`,
    expectedVias: ['start', 'javascript'],
    final: 'landing',
  },
  {
    name: 'honest',
    description:
      'Not a human check: a page with the same listeners (mouse, pointer, scroll, wheel, touch, focus) that only counts them ' +
      'on the page and never sends anyone on: it stays the final page.',
    script: () =>
      `let seen = 0;\nconst note = (e) => { seen++; document.getElementById('status').textContent = 'Thanks for reading (' + seen + ', ' + e.type + ')'; };\n` +
      `for (const t of ['mousemove', 'pointermove', 'scroll', 'wheel', 'touchstart', 'focus']) addEventListener(t, note, { passive: true });`,
    expectedVias: ['start'],
    final: 'self',
  },
  {
    name: 'countdown',
    description:
      'Not a human check: a "redirecting in 3, 2, 1" countdown (setInterval, 1.6 s) on a page that also listens for mouse ' +
      'moves (a hover effect). It moves on by itself, so it is never nudged while the countdown is pending, and a trace ' +
      'with --settle shorter than the countdown stops before it without calling anything a human check.',
    script: (go) =>
      `addEventListener('mousemove', () => document.body.classList.add('hover'));\n` +
      `let left = 4;\nconst tick = setInterval(() => {\n  if (--left > 0) return;\n  clearInterval(tick);\n  location.assign(${jsString(go)});\n}, 400);`,
    expectedVias: ['start', 'javascript'],
    final: 'landing',
  },
  {
    name: 'events',
    description:
      'Not a human check: a page that writes down, on the page, every pointer, mouse, touch and scroll event it gets ' +
      "(type, isTrusted, pointerType, where in the page and on the screen, when, a move's exact time, movement and coalesced and " +
      "predicted samples, a wheel's deltas, a scroll's scrollY, whether its source fires touch events), and never sends anyone on: what " +
      'a visitor looks like to the listeners of a kit (a phone fires no mouse event without a touch). Its "Save recipe" ' +
      'button (which only says "Saved") writes down the events it gets in a list of its own: what a click looks like to a ' +
      'kit that checks its button (a phone taps: touch, then the compatibility mouse events).',
    script: () =>
      `const types = ['pointerover', 'pointerenter', 'pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'pointerout', 'pointerleave',\n` +
      `  'mouseover', 'mouseenter', 'mousedown', 'mousemove', 'mouseup', 'mouseout', 'mouseleave', 'click', 'wheel',\n` +
      `  'touchstart', 'touchmove', 'touchend', 'touchcancel', 'scroll'];\n` +
      // A move's exact time and movement and a pointermove's samples (a real mouse polls faster than frames:
      // several per pointermove) and predictions, as a kit reads them ('-': not in a secure context).
      `const offCentre = (box, at) => {\n  if (!box || !at || !('clientX' in at)) return [];\n  const r = box.getBoundingClientRect();\n` +
      `  return ['off-centre ' + (at.clientX - r.left - r.width / 2).toFixed(2) + ',' + (at.clientY - r.top - r.height / 2).toFixed(2)];\n};\n` +
      `const sampled = (e) => e.type === 'wheel'\n` +
      `  ? ['delta ' + e.deltaX + ',' + e.deltaY + ' mode ' + e.deltaMode + ' wheelDelta ' + e.wheelDeltaX + ',' + e.wheelDeltaY]\n` +
      `  : e.type === 'scroll' ? ['scrollY ' + Math.round(scrollY)] : e.type === 'pointermove' || e.type === 'mousemove' ? [\n` +
      `  'at ' + e.timeStamp.toFixed(2), 'movement ' + e.movementX + ',' + e.movementY,\n` +
      `  ...(e.type !== 'pointermove' ? [] : !e.getCoalescedEvents ? ['coalesced -']\n` +
      `    : ['coalesced ' + e.getCoalescedEvents().length, 'predicted ' + e.getPredictedEvents().length])] : [];\n` +
      // The button's list also says how far off the button's centre each event is (kits check for clicks dead on it).
      `const recorder = (id, box) => {\n  const list = document.createElement('ol'); list.id = id; document.querySelector('main').append(list);\n` +
      `  return (e) => {\n    const at = e.changedTouches ? e.changedTouches[0] : e;\n    const item = document.createElement('li');\n` +
      `    const source = e.sourceCapabilities ? (e.sourceCapabilities.firesTouchEvents ? 'touch-source' : 'mouse-source') : '-';\n` +
      `    item.textContent = [e.type, e.isTrusted ? 'trusted' : 'untrusted', e.pointerType || '-',\n` +
      `      at && 'clientX' in at ? at.clientX + ',' + at.clientY + ' screen ' + at.screenX + ',' + at.screenY : '-',\n` +
      `      Math.round(e.timeStamp) + 'ms', ...sampled(e), ...offCentre(box, at), source].join(' ');\n` +
      `    list.append(item);\n  };\n};\n` +
      `const button = document.createElement('button'); button.type = 'button'; button.textContent = 'Save recipe';\n` +
      `button.onclick = () => { button.textContent = 'Saved'; };\ndocument.getElementById('status').after(button);\n` +
      `const note = recorder('events');\nfor (const t of types) addEventListener(t, note, { capture: true, passive: true });\n` +
      `const noteButton = recorder('button-events', button);\nfor (const t of types) button.addEventListener(t, noteButton, { passive: true });`,
    expectedVias: ['start'],
    final: 'self',
  },
];

/** A page of another site that opens the events page in a window of its own (window.open, no click). */
const HUMAN_EVENTS_POPUP_URL = `http://${HOSTS.brokerTrack}/human/events-popup`;

function eventsPopupScenario(): ScenarioDefinition {
  const opened = humanGateUrl('events', 'popup');
  return defineScenario(
    {
      name: 'human-events-popup',
      url: HUMAN_EVENTS_POPUP_URL,
      description:
        'The events page (human-events) in a popup: a page of another site window.open()s it as it loads. What a visitor ' +
        'looks like to the listeners of a page in a window the trace did not open.',
      expectedVias: ['start', 'popup'],
      finalUrl: opened,
      finalTitle: HUMAN_DECOY_TITLE,
      walkable: false,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/human/events-popup',
        handle: (x) => x.html(200, page({ title: 'Opening…', body: `<script>\nwindow.open(${jsString(opened)}, "_blank");\n</script>` })),
      },
    ],
  );
}

export function humanGateScenarios(): ScenarioDefinition[] {
  const gates = GATES.map((gate) => {
    const name = `human-${gate.name}`;
    const landing = landingUrl(name);
    // The scroll gate goes through a relay of its own, so the hop after the check is explained too.
    const go = gate.name === 'scroll' ? `${PREFIX}/scroll-relay/${gate.name}` : landing;
    const url = humanGateUrl(gate.name);
    const routes: Route[] = [{ host: HOSTS.cloak, path: `/human/${gate.name}/*`, handle: (x) => x.html(200, decoy(gate.script(go))) }];
    if (gate.name === 'scroll') routes.push({ host: HOSTS.cloak, path: '/human/scroll-relay/*', handle: (x) => x.redirect(302, landing) });
    return defineScenario(
      {
        name,
        url,
        description: gate.description,
        expectedVias: gate.expectedVias,
        finalUrl: gate.final === 'self' ? url : landing,
        finalTitle: gate.final === 'self' ? HUMAN_DECOY_TITLE : ADVERTISER_TITLE,
        // Only a browser that moves, scrolls or touches gets past it.
        walkable: gate.final === 'self',
      },
      routes,
    );
  });
  return [...gates, eventsPopupScenario()];
}
