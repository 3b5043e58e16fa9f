// Click listeners a page's script adds (addEventListener) cannot be seen from our isolated world,
// nor from markup: a link to "#" that a framework makes navigate looks like a bare anchor, and a
// <button> in an empty form whose listener stops the submission looks like a submit that would
// request the page again. The engine knows: DOMDebugger.getEventListeners, asked of the element
// as the page's main world sees it (listeners are kept per world), lists them with their source,
// and nothing runs in the page to ask. Only the few controls whose judgement depends on it are asked.
import type { Protocol } from 'devtools-protocol';
import type { PageControl } from '../model.js';
import type { PageObserver } from './page-observer.js';
import { withTimeout } from './page-observer.js';

/** Controls asked about per document, at most (each costs a few CDP round trips). */
const MAX_ASKED = 24;
const GROUP = 'clicktrace-listeners';

/**
 * A script that is a plain navigation and nothing else (`location = '…'`, `location.href = '…'`,
 * `location.assign('…')`, `window.open('…')`, an optional `return false`): group 2 is where it
 * leads. Used on onclick attributes and javascript: links in the page (explore.ts) and on the
 * bodies of click listeners here.
 */
export const PLAIN_NAVIGATION =
  String.raw`^\s*(?:(?:window|document|top|self)\.)?` +
  String.raw`(?:location(?:\.href)?\s*=\s*|location\.(?:assign|replace)\s*\(\s*|open\s*\(\s*)` +
  String.raw`([\x22\x27])([^\x22\x27\\]{1,2000})\1\s*(?:[,)][^;]*)?;?\s*(?:return\s+false\s*;?\s*)?$`;

/**
 * A script that rewrites the link it is on and nothing else (`this.href = '…'`,
 * `e.target.setAttribute('href', '…')`): the browser follows the href as it is when the click
 * ends, so a rewrite on mousedown (click-tracking's, or a bait's `onmousedown="this.href='/dl/Setup.exe'"`)
 * or on click sends the click there. Group 3 is where it leads.
 */
export const HREF_REWRITE =
  String.raw`^\s*(?:this|(?:e|ev|evt|event)\.(?:target|currentTarget))\.` +
  String.raw`(?:href\s*=\s*|setAttribute\s*\(\s*([\x22\x27])href\1\s*,\s*)` +
  String.raw`([\x22\x27])([^\x22\x27\\]{1,2000})\2\s*\)?\s*;?\s*(?:return\s+true\s*;?\s*)?$`;

/** `event.preventDefault();` as handlers write it (set aside before a handler is read as a plain navigation). */
export const PREVENT_DEFAULT = String.raw`\b(?:event|e|evt|ev)\.preventDefault\s*\(\s*\)\s*;?`;

/**
 * Where a listener leads when its body is a plain navigation once `preventDefault()` is set aside
 * (`function (e) { e.preventDefault(); location.href = '/offer'; }`, `() => window.open('…')`), or
 * a rewrite of its link's href (`this.href = '…'`), resolved against `base`; null otherwise.
 */
export function listenerTarget(source: string, base: string): string | null {
  const body = source
    .trim()
    .replace(/^(?:async\s+)?function\b[^(]*\([^)]*\)\s*\{([\s\S]*)\}$/, '$1')
    .replace(/^(?:async\s+)?(?:\([^)]*\)|[\w$]+)\s*=>\s*(?:\{([\s\S]*)\}|([\s\S]*))$/, '$1$2')
    .replace(new RegExp(PREVENT_DEFAULT, 'g'), '');
  const m = new RegExp(PLAIN_NAVIGATION).exec(body);
  const rewrite = m ? null : new RegExp(HREF_REWRITE).exec(body);
  const to = m?.[2] ?? rewrite?.[3];
  if (!to) return null;
  try {
    return new URL(to, base).href;
  } catch {
    return null;
  }
}

/** Events a script acts on when a person clicks. */
const CLICK_EVENTS = new Set(['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup']);

/** A listener's source that stops what the browser would do by default (follow the link, send the form). */
export function stopsDefault(source: string): boolean {
  return /\bpreventDefault\s*\(\s*\)/.test(source);
}

/** An href that goes nowhere: "#", "#!" or a `javascript:` URL that does nothing. */
function goesNowhere(rawHref: string | null): boolean {
  const raw = (rawHref ?? '').trim().toLowerCase();
  return rawHref !== null && (raw === '#' || raw === '#!' || /^javascript:\s*(?:void\s*\(?\s*0\s*\)?|)\s*;?\s*$/.test(raw));
}

/** A control with an address in a data attribute other than its own href (`<a href="/offer" data-url="/files/setup.exe">`). */
function namesOtherAddress(control: PageControl): boolean {
  return !!control.dataHref && control.dataHref !== control.href;
}

/**
 * Whether a control's judgement depends on a click listener: a link whose href goes nowhere ("#",
 * "javascript:void(0)") or a button with no link, without an onclick attribute, or a submit button of a form with nothing
 * to type and no onsubmit attribute that stops it (a listener may stop its submission).
 */
export function dependsOnListeners(control: PageControl): boolean {
  if (control.hidden || control.onclick) return false;
  const raw = (control.rawHref ?? '').trim().toLowerCase();
  // A named anchor too ("#order"): its listener may navigate elsewhere (or only scroll to it).
  if (raw.startsWith('#') || goesNowhere(control.rawHref)) return true;
  // A button with no link (a <button>, a <div role=button>): its listener may say where it leads.
  if (control.rawHref === null && !control.form && !control.onclickHref) return true;
  // A link naming another address in a data attribute: a listener around it may send its click there.
  if (namesOtherAddress(control) && !control.form) return true;
  const form = control.form;
  return !!form && !form.script && !form.onsubmit && form.typing === 0 && (form.method === 'get' || form.method === 'post');
}

/**
 * What the listeners say of a control: it has a click listener; one of them (or its form's submit
 * listener) stops the default action; where the click leads, when the one listener acting on it is
 * a plain navigation.
 */
export function judgeListeners(
  own: readonly { type: string; source: string }[],
  form: readonly { type: string; source: string }[],
  base: string,
): { clickListener: boolean; stops: boolean; target: string | null } {
  const clicks = own.filter((l) => CLICK_EVENTS.has(l.type));
  const acting = [...clicks.filter((l) => l.type === 'click'), ...form.filter((l) => l.type === 'submit')];
  const stops = acting.some((l) => stopsDefault(l.source));
  // Where it leads, when the one listener that acts on the click says so plainly; else when the one
  // listener of the press before it (mousedown, pointerdown, mouseup) rewrites its href.
  const presses = clicks.filter((l) => l.type !== 'click');
  const rewritten = presses.length === 1 ? listenerTarget(presses[0].source, base) : null;
  const target = (acting.length === 1 ? listenerTarget(acting[0].source, base) : null) ?? rewritten;
  return { clickListener: clicks.length > 0, stops, target };
}

async function send(observer: PageObserver, timeoutMs: number, method: string, params: unknown): Promise<unknown> {
  const sent = (observer.session.send as (m: string, p: unknown) => Promise<unknown>)(method, params);
  return withTimeout(
    sent.catch(() => null),
    timeoutMs,
    null,
  );
}

/** The node the isolated world's `expression` names, as an object of the page's main world (listeners are kept per world). */
async function inMainWorld(observer: PageObserver, contextId: number, expression: string, timeoutMs: number): Promise<string | null> {
  const found = (await send(observer, timeoutMs, 'Runtime.evaluate', {
    expression,
    contextId,
    returnByValue: false,
    objectGroup: GROUP,
  })) as Protocol.Runtime.EvaluateResponse | null;
  const objectId = found?.result.objectId;
  if (!objectId || found.result.subtype !== 'node') return null;
  const described = (await send(observer, timeoutMs, 'DOM.describeNode', { objectId })) as Protocol.DOM.DescribeNodeResponse | null;
  if (!described) return null;
  const main = (await send(observer, timeoutMs, 'DOM.resolveNode', {
    backendNodeId: described.node.backendNodeId,
    objectGroup: GROUP,
  })) as Protocol.DOM.ResolveNodeResponse | null;
  return main?.object.objectId ?? null;
}

/** The listeners on the object the isolated world's `expression` names, as the page's main world has them. */
async function listenersOf(
  observer: PageObserver,
  contextId: number,
  expression: string,
  timeoutMs: number,
): Promise<{ type: string; source: string }[]> {
  const objectId = await inMainWorld(observer, contextId, expression, timeoutMs);
  if (!objectId) return [];
  const listed = (await send(observer, timeoutMs, 'DOMDebugger.getEventListeners', {
    objectId,
    depth: 0,
  })) as Protocol.DOMDebugger.GetEventListenersResponse | null;
  return (listed?.listeners ?? []).map(listenerOf);
}

/**
 * Whether a control read can take a click: a box that only looks like a button (`lookalike`) does
 * when a click listener on it or around it receives its click; every other control does.
 */
export function receivesClicks(control: PageControl): boolean {
  return !control.lookalike || !!control.clickListener || !!control.delegatedListener;
}

/** Elements (and the document) with a click listener that are looked at as delegating ones, at most. */
const MAX_DELEGATING = 50;

/**
 * Runs in the isolated world on the nodes of the document that have a click listener: for control
 * `index`, the positions among them of its ancestors (its parent up to the document, across shadow
 * roots: a click is composed and bubbles out of them), nearest first, each named as a person reads
 * markup ("<div id=root>", "the document").
 */
const ANCESTORS_FUNCTION = `function (index, ...nodes) {
  const at = new Map(nodes.map((node, i) => [node, i]));
  const el = (globalThis.__clicktraceControls || [])[index];
  const name = (a) => {
    if (a.nodeType === 9) return 'the document';
    const id = a.id ? ' id=' + a.id.slice(0, 40) : '';
    return '<' + a.tagName.toLowerCase().slice(0, 40) + id + '>';
  };
  const found = [];
  for (let a = el && (el.parentNode || null), n = 0; a && n < 200; a = a.parentNode || a.host || null, n++)
    if (at.has(a)) found.push({ node: at.get(a), name: name(a) });
  return found;
}`;

/** The document's nodes with a click listener (as objects of the isolated world), with their click listeners, and the window's. */
interface Listening {
  nodes: { objectId: string; listeners: { type: string; source: string }[] }[];
  window: { type: string; source: string }[];
}

/**
 * Click listeners on the window of the document `documentId` (an object of the page's main world):
 * `window.addEventListener('click', e => { if (e.target.closest('.cta')) … })` acts on every click of
 * the page, as a listener on the document does. The window is no node of the document's tree, so it
 * is asked on its own; `window` is unforgeable (a page cannot redefine it), and reading it runs nothing of the page's.
 */
async function windowClickListeners(
  observer: PageObserver,
  documentId: string,
  timeoutMs: number,
): Promise<{ type: string; source: string }[]> {
  const found = (await send(observer, timeoutMs, 'Runtime.callFunctionOn', {
    objectId: documentId,
    functionDeclaration: 'function () { return window; }',
    returnByValue: false,
    objectGroup: GROUP,
  })) as Protocol.Runtime.CallFunctionOnResponse | null;
  const windowId = found && !found.exceptionDetails ? found.result.objectId : undefined;
  if (!windowId) return [];
  const listed = (await send(observer, timeoutMs, 'DOMDebugger.getEventListeners', {
    objectId: windowId,
    depth: 0,
  })) as Protocol.DOMDebugger.GetEventListenersResponse | null;
  return (listed?.listeners ?? []).filter((l) => CLICK_EVENTS.has(l.type)).map(listenerOf);
}

function listenerOf(l: Protocol.DOMDebugger.EventListener): { type: string; source: string } {
  return { type: l.type, source: (l.handler?.description ?? '').slice(0, 20_000) };
}

/**
 * The nodes of a document with a click listener, and the window's click listeners: a framework adds
 * one on an ancestor rather than on the control (React on its root element, jQuery's
 * `$(document).on('click', '.cta', …)`). One DOMDebugger.getEventListeners on the document, its whole
 * tree (shadow roots aside), lists them; at most MAX_DELEGATING nodes are kept.
 */
async function listeningNodes(observer: PageObserver, contextId: number, timeoutMs: number): Promise<Listening> {
  const documentId = await inMainWorld(observer, contextId, 'document', timeoutMs);
  if (!documentId) return { nodes: [], window: [] };
  const listed = (await send(observer, timeoutMs, 'DOMDebugger.getEventListeners', {
    objectId: documentId,
    depth: -1,
    // Not into frames (each frame's controls are asked in its own document) nor shadow roots: a page's
    // whole tree of frames is costly to list, and a framework's root is in the light DOM.
    pierce: false,
  })) as Protocol.DOMDebugger.GetEventListenersResponse | null;
  const byNode = new Map<number, { type: string; source: string }[]>();
  for (const l of listed?.listeners ?? []) {
    if (!CLICK_EVENTS.has(l.type) || !l.backendNodeId) continue;
    if (!byNode.has(l.backendNodeId) && byNode.size >= MAX_DELEGATING) continue;
    byNode.set(l.backendNodeId, [...(byNode.get(l.backendNodeId) ?? []), listenerOf(l)]);
  }
  const window = await windowClickListeners(observer, documentId, timeoutMs);
  const nodes: Listening['nodes'] = [];
  for (const [backendNodeId, listeners] of byNode) {
    const resolved = (await send(observer, timeoutMs, 'DOM.resolveNode', {
      backendNodeId,
      executionContextId: contextId,
      objectGroup: GROUP,
    })) as Protocol.DOM.ResolveNodeResponse | null;
    if (resolved?.object.objectId) nodes.push({ objectId: resolved.object.objectId, listeners });
  }
  return { nodes, window };
}

/** For control `index`: its ancestors with a click listener, nearest first (positions in `listening.nodes`, and names). */
async function listeningAncestors(
  observer: PageObserver,
  contextId: number,
  listening: Listening,
  index: number,
  timeoutMs: number,
): Promise<{ node: number; name: string }[]> {
  if (listening.nodes.length === 0) return [];
  const called = (await send(observer, timeoutMs, 'Runtime.callFunctionOn', {
    executionContextId: contextId,
    functionDeclaration: ANCESTORS_FUNCTION,
    arguments: [{ value: index }, ...listening.nodes.map(({ objectId }) => ({ objectId }))],
    returnByValue: true,
  })) as Protocol.Runtime.CallFunctionOnResponse | null;
  const value = called && !called.exceptionDetails ? (called.result.value as unknown) : null;
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).filter((v): v is { node: number; name: string } => {
    const found = v as { node?: unknown; name?: unknown } | null;
    return (
      !!found && typeof found.node === 'number' && typeof found.name === 'string' && found.node >= 0 && found.node < listening.nodes.length
    );
  });
}

/**
 * For each control index, the nearest ancestor with a click listener ("<div id=root>", "the
 * document"), else "the window" when the window has one, or null. Which control such a listener acts
 * on is in its code, not in the DOM: a link to "#" inside one may be the button it makes navigate.
 */
async function delegatingAncestors(
  observer: PageObserver,
  contextId: number,
  indexes: number[],
  timeoutMs: number,
): Promise<(string | null)[]> {
  const listening = await listeningNodes(observer, contextId, timeoutMs);
  const names: (string | null)[] = [];
  for (const index of indexes) {
    const [nearest] = await listeningAncestors(observer, contextId, listening, index, timeoutMs);
    names.push(nearest?.name ?? (listening.window.length > 0 ? 'the window' : null));
  }
  return names;
}

/** The part of a document in its window, top and bottom edges in document coordinates. */
export interface InView {
  top: number;
  bottom: number;
}

/**
 * The controls whose judgement depends on a listener (their indexes), the ones a person sees first
 * first: in the part of the page in view (`view`, document coordinates) before the rest, then those drawn as a button
 * (a colour of their own) before plain ones, then the bigger first; document order breaks ties. Only
 * the first MAX_ASKED are asked about: a page's thirty "#" menu links before its offer in the
 * document (shown first by CSS) must not leave the offer unasked.
 */
export function listenerAskingOrder(controls: readonly PageControl[], view: InView): number[] {
  const inFirstScreen = (c: PageControl) => (c.box.y < view.bottom && c.box.y + c.box.height > view.top ? 0 : 1);
  const drawnAsButton = (c: PageControl) => (c.look.background ? 0 : 1);
  const area = (c: PageControl) => Math.max(0, c.box.width) * Math.max(0, c.box.height);
  return controls
    .map((control, index) => ({ control, index }))
    .filter(({ control }) => dependsOnListeners(control))
    .sort(
      (a, b) =>
        inFirstScreen(a.control) - inFirstScreen(b.control) ||
        drawnAsButton(a.control) - drawnAsButton(b.control) ||
        area(b.control) - area(a.control) ||
        a.index - b.index,
    )
    .map(({ index }) => index);
}

/**
 * A link to another page with no onclick attribute, whose listeners were not asked about with the
 * document's: a click listener on it or around it may still send its click elsewhere (`e.preventDefault();
 * location.href = '/dl?file=Setup.exe'`); or a control that leads nowhere by itself whose click a
 * listener around it receives (a `<div class="cta">` of a delegated listener). Asked about once it
 * is chosen, before it is clicked (`listenerTargetOf`): asking every link of a page costs tens of milliseconds each.
 */
export function mayBeSentElsewhere(control: PageControl): boolean {
  if (control.hidden || control.onclick) return false;
  if (control.delegatedListener && !control.onclickHref && !control.form) return true;
  const raw = (control.rawHref ?? '').trim();
  return !control.form && !raw.startsWith('#') && /^https?:/i.test(control.href ?? '');
}

/**
 * Where a click on the control `index` of a document's read (in `frameId`'s isolated world, at
 * `base`) is sent by script: by its own click listener when the one acting on it is a plain
 * navigation, else by the nearest listener around it (an ancestor's, the document's, the window's)
 * that is one and nothing else (`wrap.addEventListener('click', e => { e.preventDefault(); location =
 * '/dl/Setup.exe'; })` acts on every click inside it, whichever element was clicked); null otherwise.
 */
export async function listenerTargetOf(
  observer: PageObserver,
  index: number,
  base: string,
  timeoutMs: number,
  frameId?: string,
): Promise<string | null> {
  const contextId = await observer.isolatedContext(frameId ?? observer.mainFrameId, timeoutMs);
  if (contextId === null) return null;
  try {
    const own = await listenersOf(observer, contextId, `(globalThis.__clicktraceControls || [])[${index}]`, timeoutMs);
    const target = judgeListeners(own, [], base).target;
    if (target) return target;
    const listening = await listeningNodes(observer, contextId, timeoutMs);
    const around = [
      ...(await listeningAncestors(observer, contextId, listening, index, timeoutMs)).map(({ node }) => listening.nodes[node].listeners),
      listening.window,
    ];
    for (const listeners of around) {
      const sent = judgeListeners(listeners, [], base).target;
      if (sent) return sent;
    }
    return null;
  } finally {
    await send(observer, timeoutMs, 'Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}

/**
 * Marks the controls of one document (read in `frameId`'s isolated world, in `__clicktraceControls`
 * order, at `base`, `view` the part of it in view) that have a click listener, and where it leads
 * when it says plainly; a submit whose listener stops its form's submission leads nowhere by itself
 * (its href is dropped: the form is not sent).
 */
export async function noteClickListeners(
  observer: PageObserver,
  controls: PageControl[],
  base: string,
  view: InView,
  timeoutMs: number,
  frameId?: string,
): Promise<void> {
  const asked = listenerAskingOrder(controls, view).map((i) => [controls[i], i] as const);
  if (asked.length === 0) return;
  const contextId = await observer.isolatedContext(frameId ?? observer.mainFrameId, timeoutMs);
  if (contextId === null) return;
  try {
    for (const [control, index] of asked.slice(0, MAX_ASKED)) {
      const element = `(globalThis.__clicktraceControls || [])[${index}]`;
      const own = await listenersOf(observer, contextId, element, timeoutMs);
      const form = control.form ? await listenersOf(observer, contextId, `(${element} || {}).form || null`, timeoutMs) : [];
      const { clickListener, stops, target } = judgeListeners(own, form, base);
      if (clickListener) control.clickListener = true;
      if (target && !control.onclickHref) control.onclickHref = target.slice(0, 2000);
      if (stops && control.form) {
        control.form = { ...control.form, stopped: true };
        control.href = null;
      }
    }
    // A link to "#" or a box that looks like a button, with no listener of its own: one on an ancestor may act on its click.
    // So may one on a link naming another address in a data attribute (`location = e.target.closest('[data-url]').dataset.url`).
    const bare = asked
      .filter(([c]) => (goesNowhere(c.rawHref) || c.lookalike || namesOtherAddress(c)) && !c.form && !c.clickListener)
      .slice(0, MAX_ASKED);
    if (bare.length > 0) {
      const ancestors = await delegatingAncestors(
        observer,
        contextId,
        bare.map(([, index]) => index),
        timeoutMs,
      );
      bare.forEach(([control], i) => {
        if (ancestors[i]) control.delegatedListener = ancestors[i].slice(0, 80);
      });
    }
  } finally {
    await send(observer, timeoutMs, 'Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}
