// JavaScript timers give the browser no advance notice of a navigation they may cause, unlike
// meta refresh (Page.frameScheduledNavigation). This part of the init script keeps a count of the
// timers a page has pending with a delay short enough to matter, so settling can end at once when
// there are none, and wait when a `setTimeout(() => location = ..., 1500)` is still to come.
// The wrappers look native (see init-script.ts) so cloaking scripts that inspect them see nothing.

export const PENDING_TIMERS_KEY = `__ct_${Math.random().toString(36).slice(2, 10)}`;

/** A snippet for init-script.ts: expects `disguise(replacement, original)` and `method(name, length, body)` in scope. */
export function pendingTimersSnippet(settleMs: number): string {
  return `
  const KEY = ${JSON.stringify(PENDING_TIMERS_KEY)};
  const LIMIT = ${Math.max(0, Math.floor(settleMs))};
  const pending = new Map();
  const nativeSetTimeout = window.setTimeout, nativeClearTimeout = window.clearTimeout;
  const nativeSetInterval = window.setInterval, nativeClearInterval = window.clearInterval;
  function runHandler(handler, self, args) {
    if (typeof handler === 'function') return handler.apply(self, args);
    return (0, eval)(String(handler));
  }
  function track(name, native, once) {
    return method(name, native.length, (self, [handler, delay, ...args]) => {
      const ms = Number(delay) || 0;
      if (ms > LIMIT) return Reflect.apply(native, self, [handler, delay, ...args]);
      let id;
      // An interval stays pending, due at its next run, until it is cleared: a "redirecting in 3…2…1"
      // countdown navigates at its last run, not its first (the settle limit ends the wait for one that never stops).
      const wrapped = function (...a) {
        if (once) pending.delete(id);
        else if (pending.has(id)) pending.set(id, Date.now() + ms);
        return runHandler(handler, this, a);
      };
      id = Reflect.apply(native, self, [wrapped, delay, ...args]);
      pending.set(id, Date.now() + ms);
      return id;
    });
  }
  function untrack(name, native) {
    return method(name, native.length, (self, args) => { pending.delete(args[0]); return Reflect.apply(native, self, args); });
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
  const nativeRaf = window.requestAnimationFrame, nativeCaf = window.cancelAnimationFrame;
  if (nativeRaf && nativeCaf) {
    window.requestAnimationFrame = disguise(method('requestAnimationFrame', nativeRaf.length, (self, [callback]) => {
      let id;
      const wrapped = function (time) { frames.delete(id); framesRun++; return callback.call(this, time); };
      id = Reflect.apply(nativeRaf, self, [wrapped]);
      frames.add(id);
      return id;
    }), nativeRaf, 'requestAnimationFrame');
    window.cancelAnimationFrame = disguise(method('cancelAnimationFrame', nativeCaf.length, (self, args) => {
      frames.delete(args[0]);
      return Reflect.apply(nativeCaf, self, args);
    }), nativeCaf, 'cancelAnimationFrame');
  }
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
  ]) {
    const original = holder && Object.getOwnPropertyDescriptor(holder, name)?.value;
    if (typeof original !== 'function') continue;
    const counted = method(name, original.length, (self, args) => {
      const answer = Reflect.apply(original, self, args);
      if (answer && typeof answer.then === 'function') {
        calls++;
        const done = () => { calls--; };
        Reflect.apply(Promise.prototype.then, answer, [done, done]);
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
        const worker = Reflect.construct(target, args, newTarget === TrackedWorker ? NativeWorker : newTarget);
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
  const workersPending = () => {
    let n = 0;
    for (const { owed, heardAt } of workers.values()) if (owed || Date.now() - heardAt < WORKER_QUIET_MS) n++;
    return n;
  };
  Object.defineProperty(window, KEY, {
    enumerable: false,
    value: () => {
      let next = null;
      for (const due of pending.values()) if (next === null || due < next) next = due;
      return {
        count: pending.size,
        nextDueInMs: next === null ? null : next - Date.now(),
        readyState: document.readyState,
        framesPending: frames.size,
        callsPending: calls,
        workersPending: workersPending(),
        framesRun
      };
    },
  });`;
}
