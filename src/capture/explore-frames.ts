// What `--explore` needs beyond the top document: the page's frames (an offer button is often in
// an iframe) and closed shadow roots. Site isolation is off (chromium-flags.ts), so every frame
// of the page, same-site or not, lives in the page's renderer and answers over the page's CDP
// session: each frame gets an isolated world of its own, its controls are read there, and their
// boxes are moved into the top page's coordinates and cut to the part of the frame a person sees.
// Closed shadow roots are found with CDP's DOM domain (`DOM.getDocument` with `pierce`), which
// sees them without anything running in the page's main world (patching attachShadow there
// would be visible to a cloaking page), and handed to our isolated world by reference.
import type { Protocol } from 'devtools-protocol';
import type { ExploreEvent, PageControl } from '../model.js';
import type { PageObserver } from './page-observer.js';
import { withTimeout } from './page-observer.js';

/** Frames read per page, at most (an ad-heavy page has dozens; the offer is in one of the first). */
export const MAX_FRAMES = 20;
/** Closed shadow roots handed to a frame's read, at most. */
const MAX_CLOSED_ROOTS = 200;
/** Nodes of the pierced DOM tree walked, at most. */
const MAX_NODES = 200_000;

/** A rectangle in the top page's viewport (CSS pixels). */
export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A child frame that shows: where its viewport's corner is in the top page's viewport, and the part of it a person sees. */
export interface FrameView {
  frameId: string;
  url: string;
  /** Its owner element (<iframe>) in its parent frame's isolated world. */
  owner: string;
  parentId: string;
  origin: { x: number; y: number };
  /** Its viewport's size (CSS pixels). */
  size: { width: number; height: number };
  /** A person may scroll it (its owner does not say scrolling="no"). */
  scrolling: boolean;
  clip: Rect;
  /** The landmark (nav, header, footer, aside) its owner sits in, or its parent frame's. */
  landmark: string | null;
  /** What shows it is a display-ad slot (a standard ad size, a name, a label), or its parent frame's; null if nothing. */
  ad: string | null;
}

/** A frame explore looked at: read (skipped null), or why its controls were left out. */
export type FrameNote = NonNullable<ExploreEvent['frames']>[number];

/** What the pierced DOM tree tells: each child frame's owner element, each frame's closed shadow roots. */
interface PiercedTree {
  owners: Map<string, number>;
  closedRoots: Map<string, number[]>;
}

/** Page-side source: the landmark (nav, footer, header, aside) an element sits in, or null. */
export const LANDMARK_SCRIPT = `(el) => {
  if (el.closest('nav, [role=navigation]')) return 'nav';
  if (el.closest('footer, [role=contentinfo]')) return 'footer';
  if (el.closest('header, [role=banner]')) return 'header';
  if (el.closest('aside, [role=complementary]')) return 'aside';
  return null;
}`;

/**
 * Runs on a frame's owner element in its parent's isolated world: why the frame cannot be seen,
 * or where its content box is in the parent's viewport and the part of it that clipping
 * ancestors leave (not cut to the viewport: the page can be scrolled).
 */
const FRAME_VIEW_FUNCTION = `function () {
  const el = this;
  if (!el.isConnected) return { hidden: 'gone' };
  if (el.checkVisibility && !el.checkVisibility()) return { hidden: 'display:none' };
  const cs = getComputedStyle(el);
  if (cs.visibility !== 'visible') return { hidden: 'visibility:hidden' };
  const up = (a) => a.parentElement || (a.parentNode && a.parentNode.host) || null;
  let opacity = 1;
  for (let a = el; a && opacity >= 0.1; a = up(a)) opacity *= parseFloat(getComputedStyle(a).opacity);
  if (opacity < 0.1) return { hidden: 'nearly transparent' };
  const px = (v) => parseFloat(v) || 0;
  const r = el.getBoundingClientRect();
  const left = r.left + el.clientLeft + px(cs.paddingLeft), top = r.top + el.clientTop + px(cs.paddingTop);
  const width = el.clientWidth - px(cs.paddingLeft) - px(cs.paddingRight), height = el.clientHeight - px(cs.paddingTop) - px(cs.paddingBottom);
  if (width < 4 || height < 4) return { hidden: 'zero size' };
  const root = document.documentElement;
  const docWidth = Math.max(root ? root.scrollWidth : 0, window.innerWidth), docHeight = Math.max(root ? root.scrollHeight : 0, window.innerHeight);
  const dx = left + window.scrollX, dy = top + window.scrollY;
  if (dx + width <= 0 || dy + height <= 0 || dx >= docWidth || dy >= docHeight) return { hidden: 'off-screen' };
  const clip = { left, top, right: left + width, bottom: top + height };
  for (let a = up(el); a && a !== document.body && a !== root; a = up(a)) {
    const s = getComputedStyle(a);
    if (s.overflowX === 'visible' && s.overflowY === 'visible' && s.clipPath === 'none') continue;
    const ar = a.getBoundingClientRect();
    clip.left = Math.max(clip.left, ar.left); clip.top = Math.max(clip.top, ar.top);
    clip.right = Math.min(clip.right, ar.right); clip.bottom = Math.min(clip.bottom, ar.bottom);
    if (clip.right - clip.left < 4 || clip.bottom - clip.top < 4) return { hidden: 'clipped to nothing' };
  }
  // A frame in the page's sidebar, footer or header: its controls are there too.
  const landmarkOf = ${LANDMARK_SCRIPT};
  let landmark = null;
  for (let a = el; a && !landmark; a = a.getRootNode().host || null) landmark = landmarkOf(a);
  // A display-ad slot: a standard ad size, a name that says so, or a label above it ("Advertisement").
  const IAB = [[300, 250], [728, 90], [160, 600], [300, 600], [320, 50], [320, 100], [970, 250], [970, 90], [336, 280],
    [468, 60], [250, 250], [120, 600], [300, 50]];
  const size = IAB.find(([w, h]) => Math.abs(width - w) <= 2 && Math.abs(height - h) <= 2);
  const AD_NAME = /(^|[\\s_-])(ads?|advert|advertisement|adslot|ad-slot|adunit|ad-unit|banner-ad|sponsored|dfp|gpt|adsbygoogle)([\\s_-]|$)/i;
  const AD_LABEL = /^(advertisement|advertising|ad|ads|sponsored|anzeige|werbung|publicite|publicidad|pubblicita|advertentie|reklama|реклама|広告|广告)$/i;
  const plain = (t) => (t || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim();
  let ad = size ? size[0] + '×' + size[1] + ' slot' : null;
  for (let a = el, n = 0; a && !ad && n < 4 && a !== document.body; a = a.parentElement, n++) {
    const names = (a.id || '') + ' ' + (typeof a.className === 'string' ? a.className : '');
    if (AD_NAME.test(names)) ad = 'named "' + names.trim().slice(0, 40) + '"';
    const label = a.previousElementSibling;
    if (!ad && label && AD_LABEL.test(plain(label.innerText))) ad = 'labelled "' + plain(label.innerText) + '"';
  }
  // A person can scroll a frame unless its owner forbids it (scrolling="no").
  const scrolling = (el.getAttribute('scrolling') || '').toLowerCase() !== 'no';
  return { hidden: null, origin: { x: left, y: top }, size: { width, height }, clip, landmark, ad, scrolling };
}`;

/** Runs on a frame's owner element: brings it into its parent's view. */
const SCROLL_TO_FUNCTION = `function () { this.scrollIntoView({ block: 'center', inline: 'center' }); }`;

/** Runs on a frame's owner element: 'reached' when a click at (x, y) of its parent's viewport reaches it, else what it reaches there. */
const HIT_FUNCTION = `function (x, y) {
  const root = this.getRootNode();
  const hit = (root && root.elementFromPoint ? root : document).elementFromPoint(x, y);
  return hit === this ? 'reached' : hit ? '<' + hit.tagName.toLowerCase().slice(0, 40) + '>' : 'nothing';
}`;

/** Runs in a frame's isolated world with the closed shadow roots as arguments: the read script looks into them too. */
const KEEP_ROOTS_FUNCTION = `function (...roots) { globalThis.__clicktraceClosedRoots = roots; }`;

async function send<M extends 'DOM.getDocument' | 'DOM.resolveNode' | 'DOM.getFrameOwner' | 'Page.getFrameTree' | 'Runtime.callFunctionOn'>(
  observer: PageObserver,
  timeoutMs: number,
  method: M,
  params: M extends 'DOM.getDocument'
    ? Protocol.DOM.GetDocumentRequest
    : M extends 'DOM.resolveNode'
      ? Protocol.DOM.ResolveNodeRequest
      : M extends 'DOM.getFrameOwner'
        ? Protocol.DOM.GetFrameOwnerRequest
        : M extends 'Runtime.callFunctionOn'
          ? Protocol.Runtime.CallFunctionOnRequest
          : Record<string, never>,
): Promise<unknown> {
  const sent = (observer.session.send as (m: string, p: unknown) => Promise<unknown>)(method, params);
  return withTimeout(sent, timeoutMs, null);
}

/** The whole DOM with shadow roots and frames' documents, walked once: owners of child frames, closed roots per frame. */
async function piercedTree(observer: PageObserver, timeoutMs: number): Promise<PiercedTree | null> {
  const result = (await send(observer, timeoutMs, 'DOM.getDocument', {
    depth: -1,
    pierce: true,
  })) as Protocol.DOM.GetDocumentResponse | null;
  if (!result) return null;
  const owners = new Map<string, number>();
  const closedRoots = new Map<string, number[]>();
  const stack: { node: Protocol.DOM.Node; frameId: string }[] = [{ node: result.root, frameId: observer.mainFrameId }];
  for (let walked = 0; stack.length > 0 && walked < MAX_NODES; walked++) {
    const { node, frameId } = stack.pop()!;
    if (node.shadowRootType === 'closed') {
      const list = closedRoots.get(frameId) ?? [];
      if (list.length < MAX_CLOSED_ROOTS) list.push(node.backendNodeId);
      closedRoots.set(frameId, list);
    }
    if (node.contentDocument && node.frameId) {
      owners.set(node.frameId, node.backendNodeId);
      stack.push({ node: node.contentDocument, frameId: node.frameId });
    }
    for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) stack.push({ node: child, frameId });
  }
  return { owners, closedRoots };
}

/** A node as an object of `frameId`'s isolated world, or null. */
async function resolveIn(observer: PageObserver, backendNodeId: number, frameId: string, timeoutMs: number): Promise<string | null> {
  const contextId = await observer.isolatedContext(frameId, timeoutMs);
  if (contextId === null) return null;
  const resolved = (await send(observer, timeoutMs, 'DOM.resolveNode', {
    backendNodeId,
    executionContextId: contextId,
  })) as Protocol.DOM.ResolveNodeResponse | null;
  return resolved?.object.objectId ?? null;
}

async function callOn(observer: PageObserver, objectId: string, fn: string, args: unknown[], timeoutMs: number): Promise<unknown> {
  const result = (await send(observer, timeoutMs, 'Runtime.callFunctionOn', {
    objectId,
    functionDeclaration: fn,
    arguments: args.map((value) => ({ value })),
    returnByValue: true,
  })) as Protocol.Runtime.CallFunctionOnResponse | null;
  return !result || result.exceptionDetails ? null : (result.result.value ?? null);
}

/**
 * Hands each frame's closed shadow roots to our isolated world in that frame (as
 * `__clicktraceClosedRoots`), and returns the owners of child frames that the pierced tree found.
 */
export async function prepareFrames(observer: PageObserver, timeoutMs: number): Promise<Map<string, number>> {
  const tree = await piercedTree(observer, timeoutMs);
  if (!tree) return new Map();
  for (const [frameId, roots] of tree.closedRoots) {
    const objects = (await Promise.all(roots.map((id) => resolveIn(observer, id, frameId, timeoutMs)))).filter((o): o is string => !!o);
    const contextId = await observer.isolatedContext(frameId, timeoutMs);
    if (objects.length === 0 || contextId === null) continue;
    await send(observer, timeoutMs, 'Runtime.callFunctionOn', {
      executionContextId: contextId,
      functionDeclaration: KEEP_ROOTS_FUNCTION,
      arguments: objects.map((objectId) => ({ objectId })),
    });
  }
  return tree.owners;
}

function intersect(a: Rect, b: Rect): Rect {
  return {
    left: Math.max(a.left, b.left),
    top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right),
    bottom: Math.min(a.bottom, b.bottom),
  };
}

interface ViewAnswer {
  hidden: string | null;
  origin?: { x: number; y: number };
  size?: { width: number; height: number };
  scrolling?: boolean;
  clip?: Rect;
  landmark?: string | null;
  ad?: string | null;
}

/** Where one frame's owner shows in its parent's viewport; a reason when it does not show. */
async function ownerView(observer: PageObserver, owner: string, timeoutMs: number): Promise<ViewAnswer | null> {
  return (await callOn(observer, owner, FRAME_VIEW_FUNCTION, [], timeoutMs)) as ViewAnswer | null;
}

/**
 * The page's child frames that show, parents before children, each placed in the top page's
 * viewport; frames that are hidden, of no size, off-screen or clipped away (and their children) are left out.
 */
export async function visibleFrames(
  observer: PageObserver,
  owners: Map<string, number>,
  timeoutMs: number,
): Promise<{ views: FrameView[]; skipped: FrameNote[] }> {
  const tree = (await send(observer, timeoutMs, 'Page.getFrameTree', {})) as Protocol.Page.GetFrameTreeResponse | null;
  if (!tree) return { views: [], skipped: [] };
  const views: FrameView[] = [];
  const skipped: FrameNote[] = [];
  const placed = new Map<string, { origin: { x: number; y: number }; clip: Rect; landmark: string | null; ad: string | null }>();
  const everywhere = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
  placed.set(observer.mainFrameId, { origin: { x: 0, y: 0 }, clip: everywhere, landmark: null, ad: null });
  const queue = (tree.frameTree.childFrames ?? []).map((child) => ({ node: child, parentId: tree.frameTree.frame.id }));
  while (queue.length > 0 && views.length < MAX_FRAMES) {
    const { node, parentId } = queue.shift()!;
    const parent = placed.get(parentId);
    if (!parent) continue;
    const frameId = node.frame.id;
    const url = node.frame.url + (node.frame.urlFragment ?? '');
    const skip = (why: string) => skipped.length < MAX_FRAMES && skipped.push({ url, skipped: why });
    let backendNodeId = owners.get(frameId);
    if (backendNodeId === undefined) {
      const owner = (await send(observer, timeoutMs, 'DOM.getFrameOwner', { frameId })) as Protocol.DOM.GetFrameOwnerResponse | null;
      backendNodeId = owner?.backendNodeId;
    }
    const owner = backendNodeId === undefined ? null : await resolveIn(observer, backendNodeId, parentId, timeoutMs);
    const view = owner ? await ownerView(observer, owner, timeoutMs) : null;
    if (!owner || !view || view.hidden !== null || !view.origin || !view.clip) {
      skip(view?.hidden ?? 'its frame element could not be read');
      continue;
    }
    const origin = { x: parent.origin.x + view.origin.x, y: parent.origin.y + view.origin.y };
    const clip = intersect(parent.clip, {
      left: view.clip.left + parent.origin.x,
      top: view.clip.top + parent.origin.y,
      right: view.clip.right + parent.origin.x,
      bottom: view.clip.bottom + parent.origin.y,
    });
    if (clip.right - clip.left < 4 || clip.bottom - clip.top < 4) {
      skip('outside the visible part of its parent frame');
      continue;
    }
    const landmark = view.landmark ?? parent.landmark;
    const ad = view.ad ?? parent.ad;
    placed.set(frameId, { origin, clip, landmark, ad });
    const size = view.size ?? { width: view.clip.right - view.clip.left, height: view.clip.bottom - view.clip.top };
    views.push({ frameId, url, owner, parentId, origin, size, scrolling: view.scrolling !== false, clip, landmark, ad });
    for (const child of node.childFrames ?? []) queue.push({ node: child, parentId: frameId });
  }
  return { views, skipped };
}

/** The frame and its ancestors' frames, outermost first. */
function chainOf(frame: FrameView, frames: readonly FrameView[]): FrameView[] {
  const chain: FrameView[] = [];
  for (let f: FrameView | undefined = frame; f;) {
    chain.unshift(f);
    const parentId: string = f.parentId;
    f = frames.find((p) => p.frameId === parentId);
  }
  return chain;
}

/** The frame placed again (after scrolling): its origin and visible part in the top viewport, or why it does not show now. */
export async function placeAgain(
  observer: PageObserver,
  frame: FrameView,
  frames: readonly FrameView[],
  timeoutMs: number,
): Promise<{ origin: { x: number; y: number }; clip: Rect } | { hidden: string }> {
  let origin = { x: 0, y: 0 };
  let clip: Rect = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
  for (const f of chainOf(frame, frames)) {
    const view = await ownerView(observer, f.owner, timeoutMs);
    if (!view || view.hidden !== null || !view.origin || !view.clip) return { hidden: view?.hidden ?? 'gone' };
    clip = intersect(clip, {
      left: view.clip.left + origin.x,
      top: view.clip.top + origin.y,
      right: view.clip.right + origin.x,
      bottom: view.clip.bottom + origin.y,
    });
    origin = { x: origin.x + view.origin.x, y: origin.y + view.origin.y };
  }
  return { origin, clip };
}

/** Scrolls the outermost owner of the frame into the top page's view. */
export async function scrollFrameIntoView(
  observer: PageObserver,
  frame: FrameView,
  frames: readonly FrameView[],
  timeoutMs: number,
): Promise<void> {
  await callOn(observer, chainOf(frame, frames)[0].owner, SCROLL_TO_FUNCTION, [], timeoutMs);
}

/**
 * What a click at (x, y) of the top viewport reaches on the way into the frame: null when every
 * owner on the way is what lies under the point in its parent, else what covers the frame there.
 */
export async function frameCoveredAt(
  observer: PageObserver,
  frame: FrameView,
  frames: readonly FrameView[],
  x: number,
  y: number,
  timeoutMs: number,
): Promise<string | null> {
  let origin = { x: 0, y: 0 };
  for (const f of chainOf(frame, frames)) {
    const hit = await callOn(observer, f.owner, HIT_FUNCTION, [x - origin.x, y - origin.y], timeoutMs);
    if (hit !== 'reached') return typeof hit === 'string' ? hit : 'nothing';
    const view = await ownerView(observer, f.owner, timeoutMs);
    if (!view?.origin) return 'nothing';
    origin = { x: origin.x + view.origin.x, y: origin.y + view.origin.y };
  }
  return null;
}

/** How a frame's document was read: its scroll position, and whether it scrolls in each axis. */
export interface FrameRead {
  scroll: { x: number; y: number };
  scrolls?: { x: boolean; y: boolean };
}

/**
 * A frame's control as the top page shows it: its box in the top document's coordinates, cut to
 * the frame's visible part. A control outside the frame's viewport in a frame a person can scroll
 * is not hidden but out of view: its box is where it comes into view (at the frame's edge).
 */
export function inFrame(
  control: PageControl,
  read: FrameRead,
  frame: Pick<FrameView, 'url' | 'origin' | 'size' | 'scrolling' | 'clip' | 'landmark' | 'ad'>,
  topScroll: { x: number; y: number },
): PageControl {
  let left = control.box.x - read.scroll.x + frame.origin.x;
  let top = control.box.y - read.scroll.y + frame.origin.y;
  let { width, height } = control.box;
  let outOfView: string | null = null;
  if (!control.hidden && !control.outOfView && frame.scrolling) {
    // Outside the frame's viewport along an axis the frame scrolls: placed at that edge of it.
    const place = (start: number, size: number, origin: number, room: number, scrolls: boolean | undefined): [number, number] | null => {
      if (start + size > origin && start < origin + room) return [start, size];
      if (!scrolls) return null;
      const kept = Math.min(size, room);
      return [start < origin ? origin : origin + room - kept, kept];
    };
    const x = place(left, width, frame.origin.x, frame.size.width, read.scrolls?.x);
    const y = place(top, height, frame.origin.y, frame.size.height, read.scrolls?.y);
    if (x && y && (x[0] !== left || y[0] !== top)) {
      [left, width] = x;
      [top, height] = y;
      outOfView = 'scrolled out of view in its frame';
    }
  }
  const cut = {
    left: Math.max(left, frame.clip.left),
    top: Math.max(top, frame.clip.top),
    right: Math.min(left + width, frame.clip.right),
    bottom: Math.min(top + height, frame.clip.bottom),
  };
  const shows = cut.right - cut.left >= 4 && cut.bottom - cut.top >= 4;
  const box = shows
    ? { x: cut.left + topScroll.x, y: cut.top + topScroll.y, width: cut.right - cut.left, height: cut.bottom - cut.top }
    : { width, height, x: left + topScroll.x, y: top + topScroll.y };
  return {
    ...control,
    box: { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) },
    hidden: control.hidden ?? (shows ? null : 'outside the visible part of its frame'),
    ...(outOfView && shows ? { outOfView } : {}),
    landmark: control.landmark ?? frame.landmark,
    ...(frame.ad ? { frameAd: frame.ad } : {}),
    frame: frame.url,
  };
}
