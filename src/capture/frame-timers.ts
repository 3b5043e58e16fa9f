// The pending work of the page's cross-origin frames. A same-origin frame's init script adds its
// counters into its parent's (pending-timers.ts); a cross-origin frame's cannot, and must not: the
// two documents would then see each other's. Yet such a frame may move the page when its timer
// fires (top.location, a form or link targeting _top, a message whose handler in the parent
// redirects). So each one is read over CDP in its own main world, with nothing added to the page:
// its document is resolved once (DOM.resolveNode with no context answers in the frame's main
// world), and every poll calls the document's counter through it, by the same hidden read the
// top document's read uses. Runtime stays disabled (kits detect it by the console), so its
// execution-context events are not there to find the frame's world by. A frame CDP reports of its
// parent's origin may yet be out of its parent's reach: sandboxed without allow-same-origin, its
// origin is opaque (CDP reports its URL's), and its init script cannot add into its parent's. So
// each such frame's document is asked once, with its first read, whether it can reach its parent:
// if so it is left to its parent's count, otherwise it is read like a frame of another origin.
import { withTimeout, type PageObserver } from './page-observer.js';
import { READ_PENDING_TIMERS } from './pending-timers.js';

/** What a document has pending, as its init script reports it (pending-timers.ts). */
export interface TimerState {
  count: number;
  nextDueInMs: number | null;
  readyState: string;
  framesPending?: number;
  framesRun?: number;
  callsPending?: number;
  workersPending?: number;
  idlePending?: number;
  messagesPending?: number;
  /** When the soonest finite animation or transition running in the page ends. */
  animationEndsInMs?: number | null;
  /** When the soonest one-shot timer still to run is due, those beyond the settle limit too (up to LATER_HORIZON_MS). */
  onceDueInMs?: number | null;
  /** The event types a human check waits on that the document (and its same-origin frames) listens for (pending-timers.ts HUMAN_EVENTS). */
  human?: string[];
  /** document.hasFocus() */
  focused?: boolean;
}

/**
 * Frames read per poll, at most, the least recently read first: every one is a call into the
 * renderer, and a page of 200 ad frames must not make each poll slow.
 */
export const FRAME_READS_PER_POLL = 8;
/** A frame whose document could not be resolved this many times running is left out (an out-of-process frame, one going away). */
const RESOLVE_ATTEMPTS = 3;
/** A read not answered in this time: the renderer's main thread is held by a script. */
const READ_TIMEOUT_MS = 500;

// With `check`, whether the document can reach its parent's (then its init script added its
// counts into its parent's) is answered beside its state.
const READ_FUNCTION = `function (check) {
  const state = ${READ_PENDING_TIMERS};
  if (!check) return state;
  let reached = false;
  try { reached = !!parent.document; } catch (e) {}
  return { reached, state };
}`;

interface FrameEntry {
  document: number;
  /** The frame's document as an object of its main world. */
  handle: Promise<string | null> | null;
  failures: number;
  state: TimerState | null;
  /** When the frame was last read (0: never); Infinity for one left out. */
  readAt: number;
  /** A frame of its parent's origin not yet asked whether it can reach its parent's document. */
  check: boolean;
}

const framesOf = new WeakMap<PageObserver, Map<string, FrameEntry>>();

type Sent = { ok: true; value: unknown } | { ok: false } | 'timeout';

async function send(observer: PageObserver, method: string, params: unknown, timeoutMs = READ_TIMEOUT_MS): Promise<Sent> {
  const sent = (observer.session.send as (m: string, p: unknown) => Promise<unknown>)(method, params).then(
    (value): Sent => ({ ok: true, value }),
    (): Sent => ({ ok: false }),
  );
  return withTimeout<Sent>(sent, timeoutMs, 'timeout');
}

/** The frame's current document in its main world, or null when it cannot be had (frame detached, out of process). */
async function resolveDocument(observer: PageObserver, frameId: string): Promise<string | null> {
  const owner = await send(observer, 'DOM.getFrameOwner', { frameId });
  const backendNodeId = owner !== 'timeout' && owner.ok ? (owner.value as { backendNodeId?: number }).backendNodeId : undefined;
  if (backendNodeId === undefined) return null;
  const described = await send(observer, 'DOM.describeNode', { backendNodeId });
  const document =
    described !== 'timeout' && described.ok
      ? (described.value as { node?: { contentDocument?: { backendNodeId?: number } } }).node?.contentDocument?.backendNodeId
      : undefined;
  if (document === undefined) return null;
  const resolved = await send(observer, 'DOM.resolveNode', { backendNodeId: document, objectGroup: 'clicktrace-settle' });
  return resolved !== 'timeout' && resolved.ok ? ((resolved.value as { object?: { objectId?: string } }).object?.objectId ?? null) : null;
}

/** Reads one frame: its state, null (nothing to read, or its document is gone), or 'busy' (no answer in time). */
async function readFrame(observer: PageObserver, frameId: string, entry: FrameEntry): Promise<TimerState | null | 'busy'> {
  entry.handle ??= resolveDocument(observer, frameId);
  const handle = entry.handle;
  const objectId = await handle;
  if (objectId === null) {
    if (entry.handle === handle) entry.handle = null;
    if (++entry.failures >= RESOLVE_ATTEMPTS) entry.readAt = Infinity;
    return null;
  }
  const read = await send(observer, 'Runtime.callFunctionOn', {
    objectId,
    functionDeclaration: READ_FUNCTION,
    arguments: [{ value: entry.check }],
    returnByValue: true,
  });
  if (read === 'timeout') return 'busy';
  const result = read.ok ? (read.value as { result?: { value?: unknown }; exceptionDetails?: unknown }) : null;
  if (!result || result.exceptionDetails) {
    // Its document (and the world the object lived in) is gone: resolved again at the next read.
    if (entry.handle === handle) entry.handle = null;
    return null;
  }
  entry.failures = 0;
  let value = result.result?.value;
  if (entry.check) {
    const checked = value && typeof value === 'object' ? (value as { reached?: unknown; state?: unknown }) : {};
    entry.check = false;
    // Within its parent's reach: its counts are its parent's (and are read with them).
    if (checked.reached === true) {
      entry.readAt = Infinity;
      return null;
    }
    value = checked.state;
  }
  return value && typeof value === 'object' ? (value as TimerState) : null;
}

/** The frames to read: those of another origin than their parent's, then those CDP reports of its origin (checked once each). */
function framesToRead(observer: PageObserver): { frameId: string; document: number; check: boolean }[] {
  return [
    ...observer.crossOriginFrames().map((frame) => ({ ...frame, check: false })),
    ...observer.sameOriginFrames().map((frame) => ({ ...frame, check: true })),
  ];
}

/**
 * The pending work of the page's frames out of their parent's reach, each as last read (its times
 * counted down since), after reading the least recently read ones; 'busy' when one did not answer
 * in time. No frames, no call: the common page costs nothing here.
 */
export async function readCrossOriginFrames(observer: PageObserver): Promise<TimerState[] | 'busy'> {
  const frames = framesToRead(observer);
  let entries = framesOf.get(observer);
  if (frames.length === 0) {
    entries?.clear();
    return [];
  }
  if (!entries) framesOf.set(observer, (entries = new Map<string, FrameEntry>()));
  const current = new Map<string, FrameEntry>();
  for (const { frameId, document, check } of frames) {
    const known = entries.get(frameId);
    current.set(frameId, known?.document === document ? known : { document, handle: null, failures: 0, state: null, readAt: 0, check });
  }
  entries.clear();
  for (const [frameId, entry] of current) entries.set(frameId, entry);
  const due = [...current].filter(([, e]) => e.readAt !== Infinity).sort(([, a], [, b]) => a.readAt - b.readAt);
  let busy = false;
  await Promise.all(
    due.slice(0, FRAME_READS_PER_POLL).map(async ([frameId, entry]) => {
      const startedAt = Date.now();
      const state = await readFrame(observer, frameId, entry);
      if (state === 'busy') return void (busy = true);
      entry.state = state;
      if (entry.readAt !== Infinity) entry.readAt = startedAt;
    }),
  );
  if (busy) return 'busy';
  const now = Date.now();
  const states: TimerState[] = [];
  for (const entry of current.values()) {
    if (!entry.state || entry.readAt === Infinity) continue;
    const age = now - entry.readAt;
    const { nextDueInMs, animationEndsInMs, onceDueInMs } = entry.state;
    states.push({
      ...entry.state,
      nextDueInMs: nextDueInMs === null ? null : nextDueInMs - age,
      onceDueInMs: typeof onceDueInMs === 'number' ? onceDueInMs - age : null,
      animationEndsInMs: typeof animationEndsInMs === 'number' ? animationEndsInMs - age : null,
    });
  }
  return states;
}

/** When the cross-origin frame read longest ago was read (Infinity with none): the page is at rest only once each was read since it turned quiet. */
export function framesReadSince(observer: PageObserver): number {
  const entries = framesOf.get(observer);
  let oldest = Infinity;
  for (const { frameId, document } of framesToRead(observer)) {
    const entry = entries?.get(frameId);
    // A frame that came (or committed a new document) since the last read has not been read.
    oldest = Math.min(oldest, entry?.document === document ? entry.readAt : 0);
  }
  return oldest;
}
