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

/** `event.preventDefault();` as handlers write it (set aside before a handler is read as a plain navigation). */
export const PREVENT_DEFAULT = String.raw`\b(?:event|e|evt|ev)\.preventDefault\s*\(\s*\)\s*;?`;

/**
 * Where a listener leads when its body is a plain navigation once `preventDefault()` is set aside
 * (`function (e) { e.preventDefault(); location.href = '/offer'; }`, `() => window.open('…')`),
 * resolved against `base`; null otherwise.
 */
export function listenerTarget(source: string, base: string): string | null {
  const body = source
    .trim()
    .replace(/^(?:async\s+)?function\b[^(]*\([^)]*\)\s*\{([\s\S]*)\}$/, '$1')
    .replace(/^(?:async\s+)?(?:\([^)]*\)|[\w$]+)\s*=>\s*(?:\{([\s\S]*)\}|([\s\S]*))$/, '$1$2')
    .replace(new RegExp(PREVENT_DEFAULT, 'g'), '');
  const m = new RegExp(PLAIN_NAVIGATION).exec(body);
  if (!m) return null;
  try {
    return new URL(m[2], base).href;
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

/**
 * Whether a control's judgement depends on a click listener: a link whose href goes nowhere ("#",
 * "javascript:void(0)") without an onclick attribute, or a submit button of a form with nothing
 * to type and no onsubmit attribute that stops it (a listener may stop its submission).
 */
export function dependsOnListeners(control: PageControl): boolean {
  if (control.hidden || control.onclick) return false;
  const raw = (control.rawHref ?? '').trim().toLowerCase();
  if (raw === '#' || raw === '#!' || /^javascript:\s*(?:void\s*\(?\s*0\s*\)?|)\s*;?\s*$/.test(raw)) return true;
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
  // Where it leads, when the one listener that acts on the click says so plainly.
  const target = acting.length === 1 ? listenerTarget(acting[0].source, base) : null;
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

/** The listeners on the object the isolated world's `expression` names, as the page's main world has them. */
async function listenersOf(
  observer: PageObserver,
  contextId: number,
  expression: string,
  timeoutMs: number,
): Promise<{ type: string; source: string }[]> {
  const found = (await send(observer, timeoutMs, 'Runtime.evaluate', {
    expression,
    contextId,
    returnByValue: false,
    objectGroup: GROUP,
  })) as Protocol.Runtime.EvaluateResponse | null;
  const objectId = found?.result.objectId;
  if (!objectId || found.result.subtype !== 'node') return [];
  const described = (await send(observer, timeoutMs, 'DOM.describeNode', { objectId })) as Protocol.DOM.DescribeNodeResponse | null;
  if (!described) return [];
  const main = (await send(observer, timeoutMs, 'DOM.resolveNode', {
    backendNodeId: described.node.backendNodeId,
    objectGroup: GROUP,
  })) as Protocol.DOM.ResolveNodeResponse | null;
  if (!main?.object.objectId) return [];
  const listed = (await send(observer, timeoutMs, 'DOMDebugger.getEventListeners', {
    objectId: main.object.objectId,
    depth: 0,
  })) as Protocol.DOMDebugger.GetEventListenersResponse | null;
  return (listed?.listeners ?? []).map((l) => ({ type: l.type, source: (l.handler?.description ?? '').slice(0, 20_000) }));
}

/**
 * Marks the controls of one document (read in `frameId`'s isolated world, in `__clicktraceControls`
 * order, at `base`) that have a click listener, and where it leads when it says plainly; a submit
 * whose listener stops its form's submission leads nowhere by itself (its href is dropped: the
 * form is not sent).
 */
export async function noteClickListeners(
  observer: PageObserver,
  controls: PageControl[],
  base: string,
  timeoutMs: number,
  frameId?: string,
): Promise<void> {
  const asked = controls.map((c, i) => [c, i] as const).filter(([c]) => dependsOnListeners(c));
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
  } finally {
    await send(observer, timeoutMs, 'Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}
