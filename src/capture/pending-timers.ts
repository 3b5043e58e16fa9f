// JavaScript timers give the browser no advance notice of a navigation they may cause, unlike
// meta refresh (Page.frameScheduledNavigation). This part of the init script keeps a count of the
// timers a page has pending with a delay short enough to matter, so settling can end at once when
// there are none, and wait when a `setTimeout(() => location = ..., 1500)` is still to come.
// The wrappers look native (see init-script.ts) so cloaking scripts that inspect them see nothing.

export const PENDING_TIMERS_KEY = `__ct_${Math.random().toString(36).slice(2, 10)}`;

/**
 * An expression that reads the current realm's counter (a TimerState, or null without one). The
 * counter is on no object a page can list (a property on window was one no browser has): the
 * init script's Function.prototype.toString answers it when called with the key, a random one the
 * native toString refuses (a string is no function to print). A page that replaced toString (or
 * Reflect.apply) sees the key go by when it looks at what it is called with. The key is both
 * `this` and the argument: a page's own replacement of toString that calls the one it found drops
 * the arguments (it takes none) or, less often, `this`, rarely both. (With `this` a function, a
 * frame's reader registers that reader instead.)
 */
export const READ_PENDING_TIMERS = `(() => {
  try {
    const key = ${JSON.stringify(PENDING_TIMERS_KEY)};
    const state = Reflect.apply(Function.prototype.toString, key, [key]);
    return state && typeof state === 'object' ? state : null;
  } catch (e) { return null; }
})()`;

/** Event types a human check waits on (a first move, a scroll, a touch, focus): a page listening for one is nudged. */
export const HUMAN_EVENTS = [
  'mousemove',
  'pointermove',
  'mouseover',
  'pointerover',
  'mouseenter',
  'pointerenter',
  'pointerrawupdate',
  'scroll',
  'wheel',
  'mousewheel',
  'touchstart',
  'touchmove',
  'touchend',
  'pointerdown',
  'focus',
  'focusin',
];

/** One-shot timers due this long after they were set, at most, are kept (beyond it: a session expiry, no redirect to wait for). */
export const LATER_HORIZON_MS = 120_000;

/** A snippet for init-script.ts: expects `disguise(replacement, original)`, `method(name, length, body)`, `scrub(error)` and `readCounter` in scope. */
export function pendingTimersSnippet(settleMs: number): string {
  return `
  const KEY = ${JSON.stringify(PENDING_TIMERS_KEY)};
  const LIMIT = ${Math.max(0, Math.floor(settleMs))};
  const pending = new Map();
  // One-shot timers (setTimeout) still to run, due at, those beyond the settle limit too (up to a
  // horizon): they are not waited for, but a page that ended the trace with one may still move,
  // which the case says. (Intervals are not: a ticking clock is no redirect to come.)
  const HORIZON = ${LATER_HORIZON_MS};
  const later = new Map();
  const nativeSetTimeout = window.setTimeout, nativeClearTimeout = window.clearTimeout;
  const nativeSetInterval = window.setInterval, nativeClearInterval = window.clearInterval;
  function runHandler(handler, self, args) {
    if (typeof handler === 'function') return handler.apply(self, args);
    return (0, eval)(String(handler));
  }
  function track(name, native, once) {
    return method(name, native.length, (self, [handler, delay, ...args]) => {
      const ms = Number(delay) || 0;
      const waited = ms <= LIMIT;
      if (!waited && !(once && ms <= HORIZON)) return Reflect.apply(native, self, [handler, delay, ...args]);
      let id;
      // An interval stays pending, due at its next run, until it is cleared: a "redirecting in 3…2…1"
      // countdown navigates at its last run, not its first (the settle limit ends the wait for one that never stops).
      const wrapped = function (...a) {
        if (once) { pending.delete(id); later.delete(id); }
        else if (pending.has(id)) pending.set(id, Date.now() + ms);
        return runHandler(handler, this, a);
      };
      id = Reflect.apply(native, self, [wrapped, delay, ...args]);
      if (waited) pending.set(id, Date.now() + ms);
      if (once) later.set(id, Date.now() + ms);
      return id;
    });
  }
  function untrack(name, native) {
    return method(name, native.length, (self, args) => { pending.delete(args[0]); later.delete(args[0]); return Reflect.apply(native, self, args); });
  }
  for (const [name, replacement, original] of [
    ['setTimeout', track('setTimeout', nativeSetTimeout, true), nativeSetTimeout],
    ['setInterval', track('setInterval', nativeSetInterval, false), nativeSetInterval],
    ['clearTimeout', untrack('clearTimeout', nativeClearTimeout), nativeClearTimeout],
    ['clearInterval', untrack('clearInterval', nativeClearInterval), nativeClearInterval],
  ]) {
    window[name] = disguise(replacement, original, name);
  }
  // Animation frames: "navigate after the next paint" (one or two requestAnimationFrame) must be
  // waited for; an animation loop requests a frame forever, so frames stop counting once many ran.
  const frames = new Set();
  let framesRun = 0;
  // A request/cancel pair (animation frames, idle callbacks): each callback is pending in \`held\`
  // until it runs (then \`ran\`) or is cancelled.
  const trackCallbacks = (requestName, cancelName, held, ran) => {
    const nativeRequest = window[requestName], nativeCancel = window[cancelName];
    if (typeof nativeRequest !== 'function' || typeof nativeCancel !== 'function') return;
    window[requestName] = disguise(method(requestName, nativeRequest.length, (self, [callback, ...rest]) => {
      // A non-function is refused by the native call itself, with its own error.
      if (typeof callback !== 'function') return Reflect.apply(nativeRequest, self, [callback, ...rest]);
      let id;
      const wrapped = function (arg) { held.delete(id); ran(); return callback.call(this, arg); };
      id = Reflect.apply(nativeRequest, self, [wrapped, ...rest]);
      held.add(id);
      return id;
    }), nativeRequest, requestName);
    window[cancelName] = disguise(method(cancelName, nativeCancel.length, (self, args) => {
      held.delete(args[0]);
      return Reflect.apply(nativeCancel, self, args);
    }), nativeCancel, cancelName);
  };
  trackCallbacks('requestAnimationFrame', 'cancelAnimationFrame', frames, () => { framesRun++; });
  // Browser calls a fingerprinting script awaits before it decides where to go (a permission, the
  // battery, devices, high-entropy client hints, a storage estimate): while one is unanswered the
  // page is not quiet, though no timer or request is pending.
  let calls = 0;
  for (const [holder, name] of [
    [window.Permissions && Permissions.prototype, 'query'],
    [Navigator.prototype, 'getBattery'],
    [window.MediaDevices && MediaDevices.prototype, 'enumerateDevices'],
    [window.NavigatorUAData && NavigatorUAData.prototype, 'getHighEntropyValues'],
    [window.StorageManager && StorageManager.prototype, 'estimate'],
    // scheduler.yield(): the page's continuation is queued as a task, like a zero-delay timer.
    [window.Scheduler && Scheduler.prototype, 'yield'],
  ]) {
    const original = holder && Object.getOwnPropertyDescriptor(holder, name)?.value;
    if (typeof original !== 'function') continue;
    const counted = method(name, original.length, (self, args) => {
      const answer = Reflect.apply(original, self, args);
      if (answer && typeof answer.then === 'function') {
        calls++;
        const done = () => { calls--; };
        // The first handler of the answer: a rejection's error is scrubbed before the page's see it.
        Reflect.apply(Promise.prototype.then, answer, [done, (e) => { scrub(e); done(); }]);
      }
      return answer;
    });
    Object.defineProperty(holder, name, { ...Object.getOwnPropertyDescriptor(holder, name), value: disguise(counted, original, name) });
  }
  // Dedicated workers: a proof-of-work challenge hashes in a worker, the page idle meanwhile, and
  // navigates when the worker answers. A worker is owed an answer from its start and from every
  // message sent to it, until it answers, fails or is terminated; one that has just answered may
  // have more to say (progress, then the result) for a second. Bounded by the settle limit.
  const WORKER_QUIET_MS = 1000;
  const workers = new Map();
  const NativeWorker = window.Worker;
  const nativeAddListener = EventTarget.prototype.addEventListener;
  if (typeof NativeWorker === 'function') {
    const heard = (worker) => () => { if (workers.has(worker)) workers.set(worker, { owed: false, heardAt: Date.now() }); };
    const TrackedWorker = new Proxy(NativeWorker, {
      construct(target, args, newTarget) {
        let worker;
        try { worker = Reflect.construct(target, args, newTarget === TrackedWorker ? NativeWorker : newTarget); } catch (e) { throw scrub(e); }
        workers.set(worker, { owed: true, heardAt: 0 });
        for (const type of ['message', 'messageerror', 'error']) Reflect.apply(nativeAddListener, worker, [type, heard(worker)]);
        return worker;
      },
    });
    window.Worker = disguise(TrackedWorker, NativeWorker, 'Worker');
    const proto = NativeWorker.prototype;
    // Worker.prototype.constructor === Worker, as natively.
    Object.defineProperty(proto, 'constructor', { ...Object.getOwnPropertyDescriptor(proto, 'constructor'), value: TrackedWorker });
    const nativePost = proto.postMessage, nativeTerminate = proto.terminate;
    proto.postMessage = disguise(method('postMessage', nativePost.length, (self, args) => {
      const state = workers.get(self);
      if (state) state.owed = true;
      return Reflect.apply(nativePost, self, args);
    }), nativePost, 'postMessage');
    proto.terminate = disguise(method('terminate', nativeTerminate.length, (self, args) => {
      workers.delete(self);
      return Reflect.apply(nativeTerminate, self, args);
    }), nativeTerminate, 'terminate');
  }
  // A shared worker is owed an answer as a dedicated one is: from its start and from every message
  // its port sends, until the port hears from it (or the worker fails).
  const sharedPorts = new WeakMap();
  const NativeSharedWorker = window.SharedWorker;
  if (typeof NativeSharedWorker === 'function') {
    const portGetter = Object.getOwnPropertyDescriptor(NativeSharedWorker.prototype, 'port')?.get;
    const TrackedSharedWorker = new Proxy(NativeSharedWorker, {
      construct(target, args, newTarget) {
        let worker;
        try { worker = Reflect.construct(target, args, newTarget === TrackedSharedWorker ? NativeSharedWorker : newTarget); } catch (e) { throw scrub(e); }
        workers.set(worker, { owed: true, heardAt: 0 });
        const heardFrom = () => { if (workers.has(worker)) workers.set(worker, { owed: false, heardAt: Date.now() }); };
        Reflect.apply(nativeAddListener, worker, ['error', heardFrom]);
        const port = portGetter && Reflect.apply(portGetter, worker, []);
        if (port) {
          sharedPorts.set(port, worker);
          for (const type of ['message', 'messageerror']) Reflect.apply(nativeAddListener, port, [type, heardFrom]);
        }
        return worker;
      },
    });
    window.SharedWorker = disguise(TrackedSharedWorker, NativeSharedWorker, 'SharedWorker');
    const proto = NativeSharedWorker.prototype;
    Object.defineProperty(proto, 'constructor', { ...Object.getOwnPropertyDescriptor(proto, 'constructor'), value: TrackedSharedWorker });
  }
  // Messages: a chain of MessageChannel or window.postMessage tasks ("setZeroTimeout", a
  // scheduler's work loop, a ping-pong that stretches a wait) leaves no timer pending between its
  // turns; a page that posted a message moments ago is still at work.
  // Listeners for signs of a person (a human check waits on them): the trace nudges a resting page
  // that has any (nudge.ts), and leaves one alone that does not.
  const HUMAN = new Set(${JSON.stringify(HUMAN_EVENTS)});
  const heard = new Set();
  const nativeAdd = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = disguise(method('addEventListener', nativeAdd.length, (self, args) => {
    if (typeof args[0] === 'string' && HUMAN.has(args[0])) heard.add(args[0]);
    return Reflect.apply(nativeAdd, self, args);
  }), nativeAdd, 'addEventListener');
  const INLINE = ${JSON.stringify(HUMAN_EVENTS.map((t) => `[on${t}]`).join(','))};
  let inlineAt = 0, inline = false;
  const listening = () => {
    const types = [...heard];
    for (const type of HUMAN) {
      if (heard.has(type)) continue;
      try {
        const pageDocument = currentDocument();
        const body = pageDocument.body;
        if (window['on' + type] || pageDocument['on' + type] || (body && body['on' + type])) types.push(type);
      } catch (ignored) {}
    }
    // Inline on… attributes: looked for (a walk of the DOM) only when nothing else says so, at most every 250 ms.
    if (types.length === 0 && Date.now() - inlineAt >= 250) {
      inlineAt = Date.now();
      try { inline = !!currentDocument().querySelector(INLINE); } catch (ignored) {}
    }
    if (types.length === 0 && inline) types.push('inline');
    return types;
  };
  const MESSAGE_QUIET_MS = 50;
  let messagedAt = 0;
  for (const holder of [window.MessagePort && MessagePort.prototype, window]) {
    const descriptor = holder && Object.getOwnPropertyDescriptor(holder, 'postMessage');
    const original = descriptor && descriptor.value;
    if (typeof original !== 'function') continue;
    const posting = method('postMessage', original.length, (self, args) => {
      const answer = Reflect.apply(original, self, args);
      messagedAt = Date.now();
      const worker = holder !== window && sharedPorts.get(self);
      const state = worker && workers.get(worker);
      if (state) state.owed = true;
      return answer;
    });
    Object.defineProperty(holder, 'postMessage', { ...descriptor, value: disguise(posting, original, 'postMessage') });
  }
  // scheduler.postTask(callback, { delay }) is a timer: pending until the callback runs or the
  // task's signal aborts (its promise is left alone: a rejection nobody handles stays unhandled).
  // The options are read once, in the order the native call reads them, and passed on as read.
  const number = (v) => (typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN);
  const abortedOf = window.AbortSignal && Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;
  const schedulerProto = window.Scheduler && Scheduler.prototype;
  const nativePostTask = schedulerProto && Object.getOwnPropertyDescriptor(schedulerProto, 'postTask')?.value;
  if (typeof nativePostTask === 'function' && abortedOf) {
    const postTask = method('postTask', nativePostTask.length, (self, [callback, options, ...rest]) => {
      if (typeof callback !== 'function') return Reflect.apply(nativePostTask, self, [callback, options, ...rest]);
      let passed = options;
      if (options !== null && (typeof options === 'object' || typeof options === 'function')) {
        const { delay, priority, signal } = options;
        passed = { delay, priority, signal };
      }
      const id = {};
      const wrapped = function (...a) { pending.delete(id); return callback.apply(this, a); };
      const answer = Reflect.apply(nativePostTask, self, [wrapped, passed, ...rest]);
      const ms = passed && passed.delay !== undefined ? number(passed.delay) : 0;
      const signal = passed && passed.signal;
      let aborted = false;
      try { aborted = !!signal && Reflect.apply(abortedOf, signal, []); } catch (ignored) {}
      if (ms >= 0 && ms <= LIMIT && !aborted) {
        pending.set(id, Date.now() + ms);
        if (signal) Reflect.apply(nativeAddListener, signal, ['abort', () => { pending.delete(id); }, { once: true }]);
      }
      return answer;
    });
    Object.defineProperty(schedulerProto, 'postTask', {
      ...Object.getOwnPropertyDescriptor(schedulerProto, 'postTask'),
      value: disguise(postTask, nativePostTask, 'postTask'),
    });
  }
  // AbortSignal.timeout(ms): a timer whose callback is the signal's 'abort' listeners.
  const nativeTimeoutSignal = window.AbortSignal && Object.getOwnPropertyDescriptor(AbortSignal, 'timeout')?.value;
  if (typeof nativeTimeoutSignal === 'function') {
    const timeout = method('timeout', nativeTimeoutSignal.length, (self, args) => {
      const signal = Reflect.apply(nativeTimeoutSignal, self, args);
      const ms = number(args[0]);
      if (ms >= 0 && ms <= LIMIT) {
        const id = {};
        pending.set(id, Date.now() + ms);
        Reflect.apply(nativeAddListener, signal, ['abort', () => { pending.delete(id); }, { once: true }]);
      }
      return signal;
    });
    Object.defineProperty(AbortSignal, 'timeout', {
      ...Object.getOwnPropertyDescriptor(AbortSignal, 'timeout'),
      value: disguise(timeout, nativeTimeoutSignal, 'timeout'),
    });
  }
  // Idle callbacks run as soon as the page is idle (or at their timeout): pending until they run
  // or are cancelled. One rescheduling itself ("wait until the visitor's browser has been idle for
  // a while") is followed to the settle limit, like an interval: idle loops are rare, unlike
  // animation loops.
  const idle = new Set();
  trackCallbacks('requestIdleCallback', 'cancelIdleCallback', idle, () => {});
  // Finite animations and transitions: a page may navigate when one ends (animationend,
  // transitionend, el.animate(...).finished). document.getAnimations() updates style, so it finds
  // a CSS animation before its first frame (its animationstart may come after the page looked
  // quiet: on a loaded machine, past the grace period). It sorts every animation of the document
  // (20 ms with 500 running, far too much every poll): a document is scanned at every poll while
  // that is cheap, otherwise at most a tenth of the time, and at once after a CSS animation or
  // transition started; el.animate() hands its animation over. Each poll reads the finite running
  // ones kept, with the native functions (a page cannot see the read).
  const nativeGetAnimations = window.Document && Document.prototype.getAnimations;
  const getterOf = (proto, name) => proto && Object.getOwnPropertyDescriptor(proto, name)?.get;
  const animationProto = window.Animation && Animation.prototype;
  const playStateOf = getterOf(animationProto, 'playState');
  const effectOf = getterOf(animationProto, 'effect');
  const rateOf = getterOf(animationProto, 'playbackRate');
  const timingOf = window.AnimationEffect && AnimationEffect.prototype.getComputedTiming;
  // The window's document as it is now: a new window's initial about:blank is replaced by the
  // document it is sent to in the same window object when both are of one origin (a same-origin
  // popup), and this script, which ran for about:blank, is not run again for it.
  const pageWindow = window;
  const currentDocument = () => pageWindow.document;
  const animations = new Set();
  let animationsStarted = false;
  let scanAfter = 0;
  const animationsReadable = typeof nativeGetAnimations === 'function' && playStateOf && effectOf && rateOf && typeof timingOf === 'function';
  // Milliseconds until this animation ends, or null when it is not running or never ends.
  const endsInMs = (animation) => {
    if (Reflect.apply(playStateOf, animation, []) !== 'running') return null;
    const effect = Reflect.apply(effectOf, animation, []);
    const rate = Reflect.apply(rateOf, animation, []);
    if (!effect || !rate) return null;
    const timing = Reflect.apply(timingOf, effect, []);
    const end = timing.endTime, at = timing.localTime;
    if (typeof at !== 'number' || !Number.isFinite(end)) return null;
    return rate > 0 ? (end - at) / rate : at / -rate;
  };
  if (animationsReadable) {
    const started = () => { animationsStarted = true; };
    for (const type of ['animationstart', 'transitionrun']) Reflect.apply(nativeAddListener, window, [type, started, { capture: true, passive: true }]);
    const nativeAnimate = window.Element && Object.getOwnPropertyDescriptor(Element.prototype, 'animate');
    if (nativeAnimate && typeof nativeAnimate.value === 'function') {
      const original = nativeAnimate.value;
      const animate = method('animate', original.length, (self, args) => {
        const animation = Reflect.apply(original, self, args);
        animations.add(animation);
        return animation;
      });
      Object.defineProperty(Element.prototype, 'animate', { ...nativeAnimate, value: disguise(animate, original, 'animate') });
    }
  }
  const animationEndsInMs = () => {
    if (!animationsReadable) return null;
    const scanAt = Date.now();
    if (animationsStarted || scanAt >= scanAfter) {
      animationsStarted = false;
      const list = Reflect.apply(nativeGetAnimations, currentDocument(), []);
      for (let i = 0; i < list.length; i++) if (endsInMs(list[i]) !== null) animations.add(list[i]);
      scanAfter = Date.now() + (Date.now() - scanAt) * 9;
    }
    let next = null;
    for (const animation of animations) {
      const left = endsInMs(animation);
      if (left === null) animations.delete(animation);
      else if (next === null || left < next) next = left;
    }
    return next;
  };
  const workersPending = () => {
    let n = 0;
    for (const { owed, heardAt } of workers.values()) if (owed || Date.now() - heardAt < WORKER_QUIET_MS) n++;
    return n;
  };
  // What this document has pending. A same-origin frame's document registers its own with its
  // parent's, which adds it in (its timers, workers and messages may navigate the top page); a
  // frame of another origin is read on its own over CDP (frame-timers.ts).
  const frameReaders = new Set();
  const own = () => {
    // A document replaced or removed (its frame navigated or gone) has nothing more to do.
    const pageDocument = currentDocument();
    if (!pageDocument || !pageDocument.defaultView) return null;
    let next = null, nextOnce = null;
    for (const due of pending.values()) if (next === null || due < next) next = due;
    for (const due of later.values()) if (nextOnce === null || due < nextOnce) nextOnce = due;
    const state = {
      count: pending.size,
      nextDueInMs: next === null ? null : next - Date.now(),
      onceDueInMs: nextOnce === null ? null : nextOnce - Date.now(),
      readyState: pageDocument.readyState,
      framesPending: frames.size,
      callsPending: calls,
      workersPending: workersPending(),
      framesRun,
      idlePending: idle.size,
      messagesPending: Date.now() - messagedAt < MESSAGE_QUIET_MS ? 1 : 0,
      animationEndsInMs: animationEndsInMs(),
      human: listening(),
      focused: pageDocument.hasFocus(),
    };
    for (const reader of frameReaders) {
      // A reader that throws or gives no counter (a frame gone, or not one of ours) is dropped.
      let frame = null;
      try { frame = reader(); } catch (ignored) {}
      if (!frame || typeof frame !== 'object' || typeof frame.count !== 'number') { frameReaders.delete(reader); continue; }
      state.count += frame.count;
      for (const key of ['nextDueInMs', 'animationEndsInMs', 'onceDueInMs'])
        if (frame[key] != null && (state[key] === null || frame[key] < state[key])) state[key] = frame[key];
      for (const key of ['framesPending', 'callsPending', 'workersPending', 'framesRun', 'idlePending', 'messagesPending'])
        state[key] += frame[key];
      if (frame.human) for (const type of frame.human) if (!state.human.includes(type)) state.human.push(type);
    }
    return state;
  };
  // Read through the replaced toString (READ_PENDING_TIMERS): a frame's reader is added, called on it.
  readCounter = (frameReader) => {
    if (typeof frameReader === 'function') { frameReaders.add(frameReader); return null; }
    return own();
  };
  try {
    if (window.parent !== window) Reflect.apply(window.parent.Function.prototype.toString, own, [KEY]);
  } catch (ignored) {}`;
}
