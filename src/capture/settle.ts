// Deciding that a page has come to rest. Correct: a pending meta refresh, Refresh header or
// short JS timer is waited for (up to the settle limit after the page committed). Fast: a page
// with nothing pending ends the wait after a short grace period, not a fixed quiet time.
import { withTimeout, type PageObserver } from './page-observer.js';
import { HUMAN_EVENTS, READ_PENDING_TIMERS } from './pending-timers.js';
import { framesReadSince, readCrossOriginFrames, type TimerState } from './frame-timers.js';

export interface SettleOptions {
  /** How long after a page commits something pending may still take to navigate. */
  settleMs: number;
  /** Absolute end of the whole trace (epoch ms). */
  deadline: number;
  /** Poll interval. */
  pollMs?: number;
  /** Nothing may change for this long before the page counts as settled. */
  graceMs?: number;
  /** Requests in flight longer than this are ignored (long polls, hung subresources). */
  staleRequestMs?: number;
  shouldStop?: () => boolean;
  /** Called when a page turns quiet: if it stays so for the grace period, it has settled. */
  onQuiet?: (observer: PageObserver) => void;
}

/**
 * `quiet`: nothing was pending for the grace period; `limit`: the settle limit passed with
 * something still pending (a long timer, a busy network); `deadline`: the trace's time is up.
 */
export type SettleOutcome = 'quiet' | 'limit' | 'deadline' | 'stopped';

/** Requests in flight longer than this, on a page whose network has made no progress for as long, are hanging. */
const STALE_REQUEST_MS = 1500;

/** How long after it committed a parsed document's load event is waited for (a hung subresource may hold it for ever). */
const LOAD_WAIT_MS = 1500;

/** A page sending a burst of events is checked no more often than this (ms). */
const MIN_CHECK_INTERVAL = 3;

/** busyReason's answer when the page changed while it was read: checked again at once (the change's event has passed). */
const CHANGED_WHILE_READ = 'changed while read';

/** More animation frames than this and the page is animating, not about to navigate. */
const FRAME_LOOP = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The top document's timer state (its same-origin frames' added in by the init script); 'busy'
 * when the page did not answer in time, its main thread held by its own script. (Not
 * PageObserver.evaluate(), which cannot tell a page that did not answer from one without our counter.)
 */
async function readTimers(observer: PageObserver): Promise<TimerState | null | 'busy'> {
  const sent = observer.session
    .send('Runtime.evaluate', {
      expression: READ_PENDING_TIMERS,
      returnByValue: true,
      timeout: 250,
    })
    .catch(() => undefined);
  const result = await withTimeout(sent, 500, null);
  if (result === null) return 'busy';
  return !result || result.exceptionDetails ? null : ((result.result.value as TimerState | null) ?? null);
}

/**
 * Whether the page's script is still drawing by animation frames (an "analysing your answers"
 * progress bar that ends in a button), as its timers tell; false when they cannot be read.
 */
export async function animationFramesPending(observer: PageObserver): Promise<boolean> {
  const read = await readTimers(observer);
  return read !== null && read !== 'busy' && !!read.framesPending;
}

/** Why the page is not at rest yet, or null when it is. */
async function busyReason(observer: PageObserver, options: SettleOptions): Promise<string | null> {
  // A closed (or crashed) page does nothing more.
  if (observer.closed) return null;
  if (observer.docInFlight) return 'document loading';
  if (observer.committing) return 'document committing';
  // The child frame our click navigated is waited for as the top is (page-observer.ts followedFrame).
  const frame = observer.frameBusy();
  if (frame) return frame;
  // Chromium's own error page (DNS failure, too many redirects...): nothing will follow.
  if (observer.url.startsWith('chrome-error:') && !observer.navRequested) return null;
  if (observer.navRequested) return 'navigation requested';
  if (observer.popupExpectedUntil > Date.now()) return 'popup opening';
  const limitAt = observer.committedAt + options.settleMs;
  const scheduled = observer.nextScheduledInMs();
  if (scheduled !== null && Date.now() + scheduled <= limitAt) return 'refresh scheduled';
  // A tab whose only navigation was answered 204/205 still shows its initial empty document: no
  // document will come to be parsed or loaded (it waited out --settle for one).
  const nothingCommitted = observer.documents === 0;
  // A document whose own navigation was dropped (its script sent it on, and the answer replaced
  // nothing) may never see its DOMContentLoaded or load: its readyState, read below, says.
  if (!observer.loaded && !observer.domReady && !nothingCommitted && !observer.dropped) return 'not parsed';
  // Before the page's timers are read: a heavy page's network wakes this check at every request,
  // and each read is a round trip into the renderer.
  if (observer.activeRequests(options.staleRequestMs ?? STALE_REQUEST_MS) > 0) return 'network busy';
  // Parsed, its load event still to come (waited for below all the same): not read yet. A read
  // sent now is answered only after the load event's work (under a one-core CPU quota, one sent at
  // DOMContentLoaded came back 30 ms later, with the navigation of the meta refresh that load had
  // scheduled meanwhile), and was taken for a page at rest.
  if (loadImminent(observer)) return 'load pending';
  const generation = observer.generation;
  const read = await readTimers(observer);
  // A script running for long (a fingerprint gate hashing a canvas, a kit's busy wait before it
  // redirects) is not a page at rest: it was taken for one when the read timed out.
  if (read === 'busy') return 'script running';
  noteOnceTimer(observer, read ? [read] : []);
  noteListening(observer, read ? [read] : []);
  if (read?.readyState === 'complete') observer.loaded = true;
  else if (observer.dropped && !observer.loaded && !observer.domReady && !nothingCommitted && read?.readyState !== 'interactive')
    return 'not parsed';
  const own = read && pendingWork(read, limitAt);
  if (own) return own;
  // Only now, the top document having nothing pending, its frames of other origins are read (on
  // most pages there is none, and no call): each is a round trip into the renderer.
  const frames = await readCrossOriginFrames(observer);
  if (frames === 'busy') return 'script running';
  if (frames.length) {
    noteOnceTimer(observer, read ? [read, ...frames] : frames);
    noteListening(observer, read ? [read, ...frames] : frames);
  }
  for (const frame of frames) {
    const framed = pendingWork(frame, limitAt);
    if (framed) return `${framed} (in a frame of another origin)`;
  }
  // What the page did while it was read (a refresh scheduled, a navigation requested) is judged
  // on the next check: a page leaving is not taken for one at rest (its screenshot, asked for
  // then, would be answered only with a frame of the next page's, and hold up its renderer).
  if (observer.generation !== generation) return CHANGED_WHILE_READ;
  if (!observer.loaded && !nothingCommitted && Date.now() - observer.committedAt < LOAD_WAIT_MS) return 'load pending';
  if (observer.frameLoading(options.settleMs)) return 'frame loading';
  return null;
}

/** A committed document parsed, whose load event is still waited for without a read (see busyReason). */
function loadImminent(observer: PageObserver): boolean {
  return (
    observer.domReady && !observer.loaded && !observer.dropped && observer.documents > 0 && Date.now() - observer.committedAt < LOAD_WAIT_MS
  );
}

/** Keeps, from the reads just made, when the document's soonest one-shot timer is due (no extra call: what settling read anyway). */
function noteOnceTimer(observer: PageObserver, states: TimerState[]): void {
  let soonest: number | null = null;
  for (const { onceDueInMs } of states)
    if (typeof onceDueInMs === 'number' && (soonest === null || onceDueInMs < soonest)) soonest = onceDueInMs;
  const now = Date.now();
  observer.onceTimer = soonest === null ? null : { dueAt: now + soonest, readAt: now, document: observer.documents };
}

const LISTENED: ReadonlySet<unknown> = new Set([...HUMAN_EVENTS, 'inline']);

/** Keeps, from the reads just made, what signs of a person the document listens for (nudge.ts). */
function noteListening(observer: PageObserver, states: TimerState[]): void {
  const types = new Set<string>();
  // Only the names the init script knows: what a page answers is not trusted to be them.
  for (const { human } of states) if (Array.isArray(human)) for (const type of human) if (LISTENED.has(type)) types.add(type);
  const focused = states[0]?.focused !== false;
  // The soonest timer or interval run the page has set (those past the settle limit too): a page
  // that moves on after a nudge may have done so by itself, which the case must be able to say.
  let due: number | null = null;
  for (const { nextDueInMs, onceDueInMs } of states)
    for (const ms of [nextDueInMs, onceDueInMs]) if (typeof ms === 'number' && (due === null || ms < due)) due = ms;
  const timerDueAt = due === null ? null : Date.now() + due;
  observer.listening = { types: [...types], focused, document: observer.documents, timerDueAt };
}

/** What a document has pending that may still move the page within the settle limit, or null. */
function pendingWork(timers: TimerState, limitAt: number): string | null {
  if (timers.nextDueInMs !== null && Date.now() + timers.nextDueInMs <= limitAt) return 'timer pending';
  if (timers.framesPending && (timers.framesRun ?? 0) < FRAME_LOOP) return 'animation frame pending';
  if (timers.idlePending) return 'idle callback pending';
  if (typeof timers.animationEndsInMs === 'number' && Date.now() + timers.animationEndsInMs <= limitAt) return 'animation running';
  if (timers.messagesPending) return 'message posted';
  if (timers.callsPending) return 'browser call pending';
  if (timers.workersPending) return 'worker busy';
  return null;
}

/** The page's load event has not come, and its requests are still being served (or processed). */
function stillLoading(observer: PageObserver, options: SettleOptions): boolean {
  return !observer.loaded && !observer.closed && observer.activeRequests(options.staleRequestMs ?? STALE_REQUEST_MS) > 0;
}

export async function waitForSettle(getObserver: () => PageObserver, options: SettleOptions): Promise<SettleOutcome> {
  const poll = options.pollMs ?? 10;
  const grace = options.graceMs ?? 20;
  let quietSince: number | null = null;
  let quietGeneration = -1;
  for (;;) {
    if (options.shouldStop?.()) return 'stopped';
    if (Date.now() >= options.deadline) return 'deadline';
    const observer = getObserver();
    const checkedAt = Date.now();
    const reason = await busyReason(observer, options);
    // Past the settle limit, pending timers, refreshes and network no longer hold the page; a
    // document in flight or a requested navigation still does (until the trace's deadline), and so
    // does a document still loading while its network makes progress (a heavy page, a slow body).
    const navigating = observer.documentOnItsWay || observer.popupExpectedUntil > Date.now() || observer.frameBusy() !== null;
    if (!navigating && !stillLoading(observer, options) && Date.now() > observer.committedAt + options.settleMs)
      return reason === null ? 'quiet' : 'limit';
    let wait = poll;
    if (reason === null) {
      if (quietSince === null || quietGeneration !== observer.generation) {
        quietSince = Date.now();
        quietGeneration = observer.generation;
        options.onQuiet?.(observer);
      } else if (Date.now() - quietSince >= grace && framesReadSince(observer) >= quietSince) {
        // (On a page with more cross-origin frames than one poll reads, each was read since it turned quiet.)
        return 'quiet';
      }
      // Read again when the grace period ends, not at every poll meanwhile: what the page does in
      // between either shows as an event (a navigation, a request), which wakes this check at
      // once, or is still pending then (a timer, a frame, a worker, a message within its quiet
      // time). Each read takes the renderer's main thread, which the screenshot asked for at
      // quiet needs for its frame.
      wait = quietSince + grace - Date.now();
    } else {
      quietSince = null;
      // (A request of Chromium's own, a favicon's, is such a change: no event may follow it.)
      if (reason === CHANGED_WHILE_READ) wait = MIN_CHECK_INTERVAL;
    }
    // Page state that events change (a document committing, its DOMContentLoaded or load, a
    // request ending) is seen at once; page timers and animation frames are polled. A burst of
    // events wakes the check at most every few ms: each one may evaluate in the page.
    const change = observer.nextChange();
    await Promise.race([sleep(Math.max(0, wait)), change.then(() => sleep(Math.max(0, MIN_CHECK_INTERVAL - (Date.now() - checkedAt))))]);
  }
}
