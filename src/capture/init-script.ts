// The script every document of a trace runs before its own: the pending-timer count settling
// needs and, for the headless shell, the parts of a desktop Chromium the shell lacks (window.chrome,
// the PDF viewer plugins) which cloaking kits test for. Replaced functions are made to pass the
// checks such kits run on them (src/lab/scenarios/cloak-kits.ts, the fingerprint gate):
// - toString() looks native from every same-origin realm: a frame's own Function.prototype.toString
//   asks the top realm's, where every realm registers what it replaced (a kit takes a fresh
//   iframe's toString to read a patched getter's source);
// - they are methods or accessors, as native ones are: no `prototype`, not constructible, the
//   native `length` and name ("get plugins");
// - a getter called on the wrong object throws "Illegal invocation" as the native one does;
// - a native error thrown through one of them carries no frame of this script in its stack.
// What is still visible is said in README "Cloaking" (a page's timer callback running under one
// more frame).
import { randomBytes } from 'node:crypto';
import { pendingTimersSnippet, PENDING_TIMERS_KEY, READ_PENDING_TIMERS } from './pending-timers.js';
import type { Hardware, ScreenArea } from './identity.js';

export interface InitScriptOptions {
  settleMs: number;
  /** Add what the headless shell lacks compared with a desktop Chromium. */
  desktopShims: boolean;
  /** Reported by WEBGL_debug_renderer_info instead of the SwiftShader software renderer. */
  webgl?: { vendor: string; renderer: string };
  /** navigator.languages, where the browser's own list differs (see languagesShim). */
  languages?: readonly string[];
  /** The window's outer size (identity.ts windowBounds), for a document that reads it before Chromium told its renderer. */
  window?: { width: number; height: number };
  /** Show what careless automation shows (the `headless` visitor): navigator.webdriver true, no plugins. */
  automationTells?: boolean;
  /** navigator.deviceMemory of the visitor's device, not the host's; its cores are set by CDP (session.ts). */
  memoryGb?: number;
  /** Show what Chrome on Android shows: no PDF viewer, no WebHID nor other desktop-only APIs, the connection's type, Web Share (PHONE_SHIMS). */
  phone?: boolean;
  /** The browser lists the PDF viewer's plugins itself (the full build; the headless shell lists none). */
  browserPlugins?: boolean;
  /** The part of the screen the visitor's windows may use (identity.ts availableScreenOf), where emulation says the whole screen. */
  availableScreen?: ScreenArea;
  /** performance.memory.jsHeapSizeLimit of the visitor's browser (identity.ts Hardware). */
  heapLimit?: number;
  /** A phone's battery charge (0 to 1), unplugged (identity.ts phoneBatteryLevel). */
  batteryLevel?: number;
}

/** What a frame's toString passes to the top realm's to register a replaced function (unguessable by a page). */
const REGISTER_KEY = randomBytes(12).toString('hex');

export function initScript(options: InitScriptOptions): string {
  return `(() => {
  if (${READ_PENDING_TIMERS}) return;
${disguiseCore()}
${pendingTimersSnippet(options.settleMs)}
${options.window ? windowShim(options.window) : ''}
${FAKE_LIST}
${options.desktopShims ? desktopShims(!options.phone) : ''}
${options.phone ? PHONE_SHIMS : ''}
${options.phone && options.browserPlugins ? PHONE_WITHOUT_PLUGINS : ''}
${options.webgl ? webglShim(options.webgl) : ''}
${options.languages ? languagesShim(options.languages) : ''}
${options.automationTells ? AUTOMATION_TELLS : ''}
${options.memoryGb ? deviceMemoryShim('Navigator', options.memoryGb) : ''}
${options.availableScreen ? availableScreenShim(options.availableScreen) : ''}
${options.heapLimit ? heapLimitShim(options.heapLimit) : ''}
${options.batteryLevel !== undefined ? batteryShim(options.batteryLevel) : ''}
})();`;
}

/** What a visitor's dedicated workers say of it, beside the languages every trace's say. */
export interface WorkerVisitor {
  hardware?: Hardware;
  /** navigator.platform of the visitor's pages (identity.ts navigatorPlatform): a worker has the host's unless told. */
  platform?: string;
  /** navigator.userAgent of the visitor's pages: a shared or service worker has the browser's own ("HeadlessChrome") unless told. */
  userAgent?: string;
  /** What WebGL names in a worker's OffscreenCanvas, as in the page (webglShim). */
  webgl?: { vendor: string; renderer: string };
  /** A phone's workers show the connection's type (CONNECTION_TYPE_SHIM). */
  phone?: boolean;
  /** The headless shell's workers answer permission queries as a desktop Chromium's (PERMISSION_STATES_SHIM). */
  permissionStates?: boolean;
}

/**
 * What a dedicated worker runs before its own script (session.ts, over the DevTools protocol): the
 * headless shell's workers show navigator.languages with the q-values of its --accept-lang flag
 * ("en;q=0.9"), where the page is given the plain list (languagesShim), and kits compare the two.
 */
export function workerScript(languages: readonly string[], visitor: WorkerVisitor = {}): string {
  return `(() => {
${disguiseCore()}
  try {
    const wanted = Object.freeze(${JSON.stringify(languages)});
    if (typeof WorkerNavigator !== 'undefined' && JSON.stringify(navigator.languages) !== JSON.stringify(wanted))
      replaceGetter(WorkerNavigator.prototype, 'languages', () => wanted);
  } catch (e) {}
${visitor.hardware ? workerHardwareShim(visitor.hardware) : ''}
${visitor.platform ? workerPlatformShim(visitor.platform) : ''}
${visitor.userAgent ? workerUserAgentShim(visitor.userAgent) : ''}
${visitor.webgl ? webglShim(visitor.webgl) : ''}
${visitor.phone ? CONNECTION_TYPE_SHIM : ''}
${visitor.permissionStates ? PERMISSION_STATES_SHIM : ''}
})();`;
}

// A shared or service worker belongs to no page: its navigator.userAgent is fixed when the browser
// starts it, before any override of ours reaches it (session.ts prepareContextWorkers).
function workerUserAgentShim(userAgent: string): string {
  return `
  try {
    if (typeof WorkerNavigator !== 'undefined' && navigator.userAgent !== ${JSON.stringify(userAgent)}) {
      replaceGetter(WorkerNavigator.prototype, 'userAgent', () => ${JSON.stringify(userAgent)});
      replaceGetter(WorkerNavigator.prototype, 'appVersion', () => ${JSON.stringify(userAgent.replace(/^Mozilla\//, ''))});
    }
  } catch (e) {}
`;
}

// The page's navigator.platform comes from Emulation.setUserAgentOverride, which no worker sees: a
// phone's workers said the host's "Linux x86_64" beside its page's "Linux armv8l".
function workerPlatformShim(platform: string): string {
  return `
  try {
    if (typeof WorkerNavigator !== 'undefined' && navigator.platform !== ${JSON.stringify(platform)})
      replaceGetter(WorkerNavigator.prototype, 'platform', () => ${JSON.stringify(platform)});
  } catch (e) {}
`;
}

// Device emulation makes a screen's available area the whole screen (Blink's ScreenMetricsEmulator
// sets available_rect to the screen's rect, and no DevTools command gives it another): a desktop
// with a panel along its bottom edge has less height (availTop, availLeft and availWidth stay the
// screen's). The getter still asks the native one, and never says more.
function availableScreenShim(area: ScreenArea): string {
  return `
  try {
    replaceGetter(Screen.prototype, 'availHeight', (seen) => Math.min(seen, ${Math.round(area.top + area.height)}));
  } catch (e) {}
`;
}

// Without a battery (a desktop, a server) Chromium's BatteryManager says charging, level 1,
// chargingTime 0, dischargingTime Infinity, which no phone in a hand says: a phone's is unplugged
// at the given level, its times unknown (Infinity, as Chrome on Android says where Android reports no
// current). Its events never fire.
function batteryShim(level: number): string {
  return `
  try {
    if (typeof BatteryManager !== 'undefined') {
      const proto = BatteryManager.prototype;
      replaceGetter(proto, 'charging', () => false);
      replaceGetter(proto, 'chargingTime', () => Infinity);
      replaceGetter(proto, 'dischargingTime', () => Infinity);
      replaceGetter(proto, 'level', () => ${Math.round(level * 100) / 100});
    }
  } catch (e) {}
`;
}

// performance.memory's MemoryInfo (no global interface: its prototype is the object's).
function heapLimitShim(limit: number): string {
  return `
  try {
    const memory = typeof performance !== 'undefined' ? performance.memory : undefined;
    const proto = memory && Object.getPrototypeOf(memory);
    if (proto && Object.getOwnPropertyDescriptor(proto, 'jsHeapSizeLimit')) replaceGetter(proto, 'jsHeapSizeLimit', () => ${Math.round(limit)});
  } catch (e) {}
`;
}

// A worker's navigator says what the page's does (the page's cores come from CDP, which no worker sees).
function workerHardwareShim(hardware: Hardware): string {
  return `
  try {
    if (typeof WorkerNavigator !== 'undefined' && navigator.hardwareConcurrency !== ${hardware.cores})
      replaceGetter(WorkerNavigator.prototype, 'hardwareConcurrency', () => ${hardware.cores});
  } catch (e) {}
${hardware.memoryGb ? deviceMemoryShim('WorkerNavigator', hardware.memoryGb) : ''}`;
}

// deviceMemory exists in secure contexts only: an insecure page's navigator has none to replace.
function deviceMemoryShim(holder: 'Navigator' | 'WorkerNavigator', memoryGb: number): string {
  return `
  try {
    if (typeof ${holder} !== 'undefined' && Object.getOwnPropertyDescriptor(${holder}.prototype, 'deviceMemory') && navigator.deviceMemory !== ${memoryGb})
      replaceGetter(${holder}.prototype, 'deviceMemory', () => ${memoryGb});
  } catch (e) {}
`;
}

/** The helpers every replacement uses (disguise, method, replaceGetter) and the replaced toString, for a page or a worker. */
function disguiseCore(): string {
  return `
  const REGISTER = ${JSON.stringify(REGISTER_KEY)};
  // Taken before any script of the page's runs: one the page replaces later is never called here.
  const apply = Reflect.apply;
  const nativeToString = Function.prototype.toString;
  const disguised = new WeakMap();
  const OUR_FRAME = /^\\s*at (?:[^\\n]* \\()?<anonymous>:\\d+:\\d+\\)?$/;
  // A native error thrown through a replacement: the frames of this script taken out of its stack.
  function scrub(e) {
    try {
      if (e instanceof Error && typeof e.stack === 'string') e.stack = e.stack.split('\\n').filter((line) => !OUR_FRAME.test(line)).join('\\n');
    } catch (ignored) {}
    return e;
  }
  // The top same-origin realm's toString, when this script already replaced it there.
  let root = null;
  try {
    let w = globalThis;
    while (w.parent && w.parent !== w) {
      const candidate = w.parent.Function.prototype.toString;
      if (Reflect.apply(candidate, candidate, [REGISTER, '']) === REGISTER) root = candidate;
      w = w.parent;
    }
  } catch (ignored) {}
  function disguise(replacement, original, name) {
    const text = typeof original === 'function' ? nativeToString.call(original) : 'function ' + name + '() { [native code] }';
    disguised.set(replacement, text);
    if (root) Reflect.apply(root, replacement, [REGISTER, text]);
    return replacement;
  }
  // A native-like method: no prototype, not constructible, the given name and length.
  function method(name, length, body) {
    const f = { [name](...args) { try { return body(this, args); } catch (e) { throw scrub(e); } } }[name];
    Object.defineProperty(f, 'length', { value: length });
    return f;
  }
  // Replaces an accessor by a native-like getter returning value(what the original returned, the
  // receiver); the original getter still judges the receiver (a wrong one throws "Illegal
  // invocation"), and its setter and attributes stay.
  function replaceGetter(holder, name, value) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, name) || { set: undefined, configurable: true, enumerable: true };
    const original = descriptor.get;
    const get = Object.getOwnPropertyDescriptor({ get [name]() {
      let seen;
      try { if (original) seen = Reflect.apply(original, this, []); } catch (e) { throw scrub(e); }
      return value(seen, this);
    } }, name).get;
    disguise(get, original, 'get ' + name);
    Object.defineProperty(holder, name, { get, set: descriptor.set, configurable: descriptor.configurable, enumerable: descriptor.enumerable });
  }
  // The settle counter's reader (pending-timers.ts READ_PENDING_TIMERS), a page's only.
  let readCounter = null;
  const COUNTER_KEY = ${JSON.stringify(PENDING_TIMERS_KEY)};
  const stringValue = String.prototype.valueOf;
  // The key as this (boxed by a sloppy caller on its way): String's own valueOf reads a String
  // object's value without running any code of the page's (a Proxy or any other object throws).
  function keyed(value) {
    if (value === COUNTER_KEY) return true;
    if (typeof value !== 'object' || value === null) return false;
    try { return apply(stringValue, value, []) === COUNTER_KEY; } catch (e) { return false; }
  }
  const toString = { toString() {
    if (readCounter && (arguments[0] === COUNTER_KEY || keyed(this))) return readCounter(this);
    if (arguments[0] === REGISTER) {
      if (typeof this === 'function' && arguments[1]) disguised.set(this, String(arguments[1]));
      return REGISTER;
    }
    if (disguised.has(this)) return disguised.get(this);
    if (root && typeof this === 'function') return apply(root, this, []);
    try { return apply(nativeToString, this, []); } catch (e) { throw scrub(e); }
  } }.toString;
  disguise(toString, nativeToString, 'toString');
  Object.defineProperty(Function.prototype, 'toString', { value: toString, writable: true, configurable: true, enumerable: false });
`;
}

// A document created by a navigation may run before Chromium has given its renderer the window's
// bounds: outerWidth and outerHeight then read 0 (measured in both builds, in some runs), the first
// thing a kit checks. Until the real value arrives the page is told the window's size.
function windowShim(size: { width: number; height: number }): string {
  return `
  try {
    replaceGetter(window, 'outerWidth', (seen) => seen || ${Math.round(size.width)});
    replaceGetter(window, 'outerHeight', (seen) => seen || ${Math.round(size.height)});
  } catch (e) {}
`;
}

// The headless shell takes its Accept-Language from --accept-lang as it is (the full header, with
// q-values, see identity.ts) and splits the same string for navigator.languages, which then shows
// "en;q=0.9". Chromium's list is one frozen array, the same object at every read.
function languagesShim(languages: readonly string[]): string {
  return `
  try {
    const wanted = Object.freeze(${JSON.stringify(languages)});
    if (JSON.stringify(navigator.languages) !== JSON.stringify(wanted)) {
      replaceGetter(Navigator.prototype, 'languages', () => wanted);
    }
  } catch (e) {}
`;
}

// What Chromium shows when driven without --disable-blink-features=AutomationControlled, and a
// build without the PDF viewer: the first things "detect a bot" snippets test.
const AUTOMATION_TELLS = `
  try {
    const tell = (name, value) => replaceGetter(Navigator.prototype, name, () => value);
    tell('webdriver', true);
    tell('plugins', fakeList(PluginArray.prototype, []));
    tell('mimeTypes', fakeList(MimeTypeArray.prototype, []));
    tell('pdfViewerEnabled', false);
  } catch (e) {}
`;

// Without a GPU Chromium renders WebGL with SwiftShader and says so through
// WEBGL_debug_renderer_info; on a real GPU the page sees the real strings. In a page or a worker
// (an OffscreenCanvas there said SwiftShader beside the page's GPU).
function webglShim(webgl: { vendor: string; renderer: string }): string {
  return `
  try {
    const UNMASKED_VENDOR = 0x9245, UNMASKED_RENDERER = 0x9246;
    const shown = { [UNMASKED_VENDOR]: ${JSON.stringify(webgl.vendor)}, [UNMASKED_RENDERER]: ${JSON.stringify(webgl.renderer)} };
    for (const Context of [globalThis.WebGLRenderingContext, globalThis.WebGL2RenderingContext]) {
      if (!Context) continue;
      const original = Context.prototype.getParameter;
      const getParameter = disguise(method('getParameter', original.length, (self, args) => {
        const value = Reflect.apply(original, self, args);
        const name = args[0];
        if ((name === UNMASKED_VENDOR || name === UNMASKED_RENDERER) &&
            /SwiftShader/i.test(String(Reflect.apply(original, self, [UNMASKED_RENDERER])))) return shown[name];
        return value;
      }), original, 'getParameter');
      Object.defineProperty(Context.prototype, 'getParameter', { value: getParameter, writable: true, configurable: true, enumerable: true });
    }
  } catch (e) {}
`;
}

// A PluginArray, MimeTypeArray, Plugin or MimeType of this script's: its entries by index
// (enumerable) and by name; its length, item() and namedItem() are Blink's, on the prototype.
const FAKE_LIST = `
  // Blink's own getters and methods of these interfaces, which a kit calls on our objects
  // (describe(Plugin.prototype, 'name').get.call(navigator.plugins[0])): they answer for ours
  // and ask the native ones for the browser's. Our objects hold only what Blink's do: their entries
  // by index (enumerable) and by name.
  const fakes = new WeakMap();
  let fakesAnswered = false;
  function answerForFakes() {
    if (fakesAnswered) return;
    fakesAnswered = true;
    const getters = { Plugin: ['name', 'filename', 'description', 'length'], MimeType: ['type', 'suffixes', 'description', 'enabledPlugin'],
      PluginArray: ['length'], MimeTypeArray: ['length'] };
    for (const [type, names] of Object.entries(getters)) {
      const holder = window[type] && window[type].prototype;
      for (const name of names) {
        const descriptor = holder && Object.getOwnPropertyDescriptor(holder, name);
        if (!descriptor || !descriptor.get) continue;
        const original = descriptor.get;
        const get = Object.getOwnPropertyDescriptor({ get [name]() {
          const fake = fakes.get(this);
          if (fake) return fake[name];
          try { return Reflect.apply(original, this, []); } catch (e) { throw scrub(e); }
        } }, name).get;
        disguise(get, original, 'get ' + name);
        Object.defineProperty(holder, name, { ...descriptor, get });
      }
      for (const name of ['item', 'namedItem', 'refresh']) {
        const descriptor = holder && Object.getOwnPropertyDescriptor(holder, name);
        if (!descriptor || typeof descriptor.value !== 'function') continue;
        const original = descriptor.value;
        const value = disguise(method(name, original.length, (self, args) => {
          const fake = fakes.get(self);
          if (!fake) return Reflect.apply(original, self, args);
          if (name === 'refresh') return undefined;
          if (args.length < original.length) Reflect.apply(original, self, args); // Blink's TypeError for a missing argument
          const key = name === 'item' ? (Number(args[0]) >>> 0) : String(args[0]);
          return Object.prototype.hasOwnProperty.call(self, key) ? self[key] : null;
        }), original, name);
        Object.defineProperty(holder, name, { ...descriptor, value });
      }
    }
  }
  // An object of \`proto\` (Plugin, MimeType, PluginArray, MimeTypeArray) whose getters say \`fields\`
  // and whose entries are [name, value] pairs, by index and by name.
  function fakeObject(proto, fields, entries) {
    answerForFakes();
    const object = Object.create(proto);
    entries.forEach(([name, value], i) => {
      Object.defineProperty(object, i, { value, enumerable: true });
      Object.defineProperty(object, name, { value });
    });
    fields.length = entries.length;
    fakes.set(object, fields);
    return object;
  }
  function fakeList(proto, entries) {
    return fakeObject(proto, {}, entries);
  }
`;

// The interfaces of WebHID, which Chrome on Android lacks (crbug.com/1516731; MDN's compatibility
// data: chrome_android false).
const HID_INTERFACES = "['HID', 'HIDDevice', 'HIDConnectionEvent', 'HIDInputReportEvent']";

// What else Chrome builds for the desktop only, on a window (MDN's compatibility data:
// chrome_android false): the File System Access pickers, EyeDropper, Window Controls Overlay,
// Document Picture-in-Picture, Window Management (getScreenDetails), Local Font Access. A phone
// that has them is a desktop browser told to say it is a phone.
const DESKTOP_ONLY_WINDOW_NAMES =
  "['showOpenFilePicker', 'showSaveFilePicker', 'showDirectoryPicker', 'EyeDropper', 'WindowControlsOverlay', " +
  "'WindowControlsOverlayGeometryChangeEvent', 'documentPictureInPicture', 'DocumentPictureInPicture', 'DocumentPictureInPictureEvent', " +
  "'getScreenDetails', 'ScreenDetails', 'ScreenDetailed', 'queryLocalFonts', 'FontData']";

/**
 * Page-side: an API a phone has not, as if never there: its accessor on the navigator's prototype
 * (`navigatorType`) and its interfaces (`names`, a JS array literal) on the global.
 */
function withoutApi(navigatorType: string, accessor: string, global: string, names: string): string {
  return `
  try {
    if (typeof ${navigatorType} !== 'undefined') delete ${navigatorType}.prototype.${accessor};
    for (const name of ${names}) delete ${global}[name];
  } catch (e) {}`;
}

/**
 * What a phone's dedicated worker runs just before its own script, once Blink has installed the
 * interfaces of its secure context (after workerScript has run, see session.ts): no WebHID, as on
 * Android (its interfaces and WorkerNavigator.prototype.hid).
 */
export const PHONE_WORKER_SCRIPT = `(() => {${withoutApi('WorkerNavigator', 'hid', 'self', HID_INTERFACES)}
})()`;

// Chrome on Android tells a page the type of its connection (navigator.connection.type,
// downlinkMax and ontypechange: Blink's NetInfoDownlinkMax feature, on for Android and ChromeOS
// only), in a page and in a worker: a phone says it is on Wi-Fi, whose top speed Android does not
// report (downlinkMax Infinity, as Blink says when it does not know). They go where Blink puts them
// when the feature is on (read off 156 with --enable-blink-features=NetInfoDownlinkMax): after
// saveData, before the constructor. A getter judges its receiver as the native effectiveType's.
const CONNECTION_TYPE_SHIM = `
  try {
    const proto = typeof NetworkInformation !== 'undefined' ? NetworkInformation.prototype : null;
    const judge = proto && Object.getOwnPropertyDescriptor(proto, 'effectiveType')?.get;
    if (judge && !Object.getOwnPropertyDescriptor(proto, 'type')) {
      const judged = (self) => { try { Reflect.apply(judge, self, []); } catch (e) { throw scrub(e); } };
      const addListener = EventTarget.prototype.addEventListener;
      const handlers = new WeakMap();
      const listening = new WeakSet();
      const listener = function (event) {
        const handler = handlers.get(this);
        return typeof handler === 'function' ? Reflect.apply(handler, this, [event]) : undefined;
      };
      const type = Object.getOwnPropertyDescriptor({ get type() { judged(this); return 'wifi'; } }, 'type');
      const downlinkMax = Object.getOwnPropertyDescriptor({ get downlinkMax() { judged(this); return Infinity; } }, 'downlinkMax');
      const ontypechange = Object.getOwnPropertyDescriptor({
        get ontypechange() { judged(this); return handlers.get(this) ?? null; },
        set ontypechange(handler) {
          judged(this);
          const callable = typeof handler === 'function' || (typeof handler === 'object' && handler !== null);
          handlers.set(this, callable ? handler : null);
          if (callable && !listening.has(this)) { listening.add(this); Reflect.apply(addListener, this, ['typechange', listener]); }
        },
      }, 'ontypechange');
      disguise(type.get, null, 'get type');
      disguise(downlinkMax.get, null, 'get downlinkMax');
      disguise(ontypechange.get, null, 'get ontypechange');
      disguise(ontypechange.set, null, 'set ontypechange');
      const constructor = Object.getOwnPropertyDescriptor(proto, 'constructor');
      delete proto.constructor;
      for (const [name, d] of [['type', type], ['downlinkMax', downlinkMax], ['ontypechange', ontypechange]])
        Object.defineProperty(proto, name, { get: d.get, set: d.set, enumerable: true, configurable: true });
      Object.defineProperty(proto, 'constructor', constructor);
    }
  } catch (e) {}
`;

// Chrome on Android has no PDF viewer (navigator.plugins and mimeTypes empty, pdfViewerEnabled
// false), where the full build's emulated phone keeps the desktop's five; and no WebHID, whose
// accessor and interfaces are deleted, as if never there (in a dedicated worker too:
// PHONE_WORKER_SCRIPT). Web Serial stays: Chrome on Android has it since 148.
// Chrome on Android shows notifications through a service worker only: \`new Notification()\`
// throws a TypeError there (a desktop's constructs one), a check kits make against a phone's
// User-Agent. The constructor is replaced by one of the same shape (name, length, prototype both
// ways, statics, EventTarget above it) that throws Android's error.
const PHONE_NOTIFICATION_SHIM = `
  try {
    const Original = window.Notification;
    if (typeof Original === 'function') {
      const Notification = { Notification: function (title) {
        throw scrub(new TypeError("Failed to construct 'Notification': Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead."));
      } }.Notification;
      Object.defineProperty(Notification, 'length', { value: Original.length });
      Object.defineProperty(Notification, 'prototype', { value: Original.prototype, writable: false, enumerable: false, configurable: false });
      for (const key of Reflect.ownKeys(Original)) {
        if (key === 'length' || key === 'name' || key === 'prototype') continue;
        Object.defineProperty(Notification, key, Object.getOwnPropertyDescriptor(Original, key));
      }
      Object.setPrototypeOf(Notification, Object.getPrototypeOf(Original));
      Object.defineProperty(Original.prototype, 'constructor', { ...Object.getOwnPropertyDescriptor(Original.prototype, 'constructor'), value: Notification });
      disguise(Notification, Original, 'Notification');
      Object.defineProperty(window, 'Notification', { ...Object.getOwnPropertyDescriptor(window, 'Notification'), value: Notification });
    }
  } catch (e) {}
`;

// Chrome on Android has Web Share (navigator.share, navigator.canShare; a secure context's only),
// which Chrome on Linux lacks. canShare judges the data as Blink does (NavigatorShare::CanShare:
// a title, text, url or files; a URL that parses, http(s) or the document's own scheme; at most
// 10 files). share() rejects as Blink's does, in its order: bad data (TypeError, from the
// dictionary's conversion, its members read in WebIDL's order), a share already under way
// (InvalidStateError), no user activation (NotAllowedError), data it cannot share (TypeError);
// with an activation it is the share sheet of a person who picks no target: it never settles.
// Nothing is ever shared.
const PHONE_SHARE_SHIM = `
  try {
    const proto = Navigator.prototype;
    const judge = Object.getOwnPropertyDescriptor(proto, 'userAgent').get;
    if (isSecureContext && !('share' in proto) && judge) {
      // Blink gives the DOMExceptions it throws a stack (V8's, as Error.captureStackTrace does); one made here has none.
      const fail = (Kind, name, message) => {
        const e = Kind === TypeError ? new TypeError(message) : new DOMException(message, name);
        if (e.stack === undefined) Error.captureStackTrace(e);
        return scrub(e);
      };
      const prefix = (op) => "Failed to execute '" + op + "' on 'Navigator': ";
      // WebIDL's ShareData: an object (or undefined/null), its members read in order.
      const shareData = (op, data) => {
        if (data === undefined || data === null) return {};
        if (typeof data !== 'object' && typeof data !== 'function') throw fail(TypeError, '', prefix(op) + "The provided value is not of type 'ShareData'.");
        const out = {};
        const files = data.files;
        if (files !== undefined) {
          if (files === null || typeof files !== 'object' || typeof files[Symbol.iterator] !== 'function')
            throw fail(TypeError, '', prefix(op) + "Failed to read the 'files' property from 'ShareData': " +
              'The provided value cannot be converted to a sequence.');
          out.files = [...files];
          if (out.files.some((f) => !(f instanceof File)))
            throw fail(TypeError, '', prefix(op) + "Failed to read the 'files' property from 'ShareData': Failed to convert value to 'File'.");
        }
        for (const key of ['text', 'title', 'url']) if (data[key] !== undefined) out[key] = String(data[key]);
        return out;
      };
      const problem = (data) => {
        if (data.title === undefined && data.text === undefined && data.url === undefined && !(data.files && data.files.length))
          return 'No known share data fields supplied. If using only new fields (other than title, text and url), you must feature-detect them first.';
        if (data.url !== undefined) {
          let url = null;
          try { url = new URL(data.url, document.baseURI); } catch (e) {}
          if (!url || !/^https?:$/.test(url.protocol) && url.protocol !== new URL(document.baseURI).protocol) return 'Invalid URL';
        }
        if (data.files && data.files.length > 10) return 'Permission to share files denied.';
        return null;
      };
      const sharing = new WeakSet();
      const share = disguise(method('share', 0, (self, [data]) => {
        try {
          Reflect.apply(judge, self, []);
          const given = shareData('share', data);
          if (sharing.has(self)) throw fail(DOMException, 'InvalidStateError', prefix('share') + 'An earlier share has not yet completed.');
          if (!(navigator.userActivation && navigator.userActivation.isActive))
            throw fail(DOMException, 'NotAllowedError', prefix('share') + 'Must be handling a user gesture to perform a share request.');
          const why = problem(given);
          if (why) throw fail(TypeError, '', prefix('share') + why);
          sharing.add(self);
          return new Promise(() => {});
        } catch (e) {
          return Promise.reject(scrub(e));
        }
      }), null, 'share');
      const canShare = disguise(method('canShare', 0, (self, [data]) => {
        Reflect.apply(judge, self, []);
        return problem(shareData('canShare', data)) === null;
      }), null, 'canShare');
      for (const [name, value] of [['canShare', canShare], ['share', share]])
        Object.defineProperty(proto, name, { value, writable: true, enumerable: true, configurable: true });
    }
  } catch (e) {}
`;

// Chrome on Android has no PDF viewer. Only a build that lists its plugins (the full one) needs them
// taken away: the page is not asked (reading navigator.plugins is a synchronous call into the
// browser, made by every document, while the browser is busiest with the navigation).
const PHONE_WITHOUT_PLUGINS = `
  try {
    const plugins = fakeList(PluginArray.prototype, []);
    const mimeTypes = fakeList(MimeTypeArray.prototype, []);
    replaceGetter(Navigator.prototype, 'plugins', () => plugins);
    replaceGetter(Navigator.prototype, 'mimeTypes', () => mimeTypes);
    replaceGetter(Navigator.prototype, 'pdfViewerEnabled', () => false);
  } catch (e) {}
`;

// chrome.app is made by the extension bindings (extensions/renderer AppHooksDelegate), which
// Chrome on Android, without extensions, has not: a phone's window.chrome has loadTimes and csi
// only (the shell's is ours, the full build's its own).
const PHONE_CHROME_SHIM = `
  try {
    if (window.chrome && 'app' in window.chrome) delete window.chrome.app;
  } catch (e) {}
`;

const PHONE_SHIMS = `
${withoutApi('Navigator', 'hid', 'window', HID_INTERFACES)}
${PHONE_CHROME_SHIM}
${withoutApi('Navigator', 'windowControlsOverlay', 'window', DESKTOP_ONLY_WINDOW_NAMES)}
${PHONE_NOTIFICATION_SHIM}
${PHONE_SHARE_SHIM}
${CONNECTION_TYPE_SHIM}`;

// The headless shell has no notification service: Notification.permission says "denied" whatever
// the permission's setting ("prompt" for a trace's context, session.ts), and requestPermission()
// settles at once, where a browser says "default" and shows its prompt, which no one answers here:
// the promise never settles and the callback is never called. Not on an insecure page nor in an
// opaque-origin (sandboxed) frame, where a browser too says "denied" and settles at once.
// The shell's answer is known, so it is not read here: reading it is a synchronous call into the
// browser, made by every document while the browser is busiest with the navigation (~1 ms of the
// document's start on a quiet machine, 4-5 ms on a loaded one); the getter asks only when the
// page reads it.
const NOTIFICATION_PROMPT_SHIM = `
  try {
    const Notification = window.Notification;
    if (typeof Notification === 'function' && isSecureContext && self.origin !== 'null') {
      replaceGetter(Notification, 'permission', (seen) => (seen === 'denied' ? 'default' : seen));
      const original = Notification.requestPermission;
      const requestPermission = disguise(method('requestPermission', 0, () => new Promise(() => {})), original, 'requestPermission');
      const descriptor = Object.getOwnPropertyDescriptor(Notification, 'requestPermission');
      Object.defineProperty(Notification, 'requestPermission', { ...descriptor, value: requestPermission });
    }
  } catch (e) {}
`;

// What a desktop Chromium's permission queries answer (navigator.permissions.query, in a page, a
// frame or a worker) that the headless shell does not, measured against /usr/bin/chromium 156 by
// the context probe (src/lab/scenarios/context-probe.ts): the shell has no permission contexts of
// its own, and the settings a trace gives it (session.ts SHELL_PERMISSION_DEFAULTS) are set for
// every origin, which no browser's are:
// - an insecure context is denied every permission but storage-access (the shell said "prompt" or
//   the setting: "granted" for clipboard-write, the sensors...);
// - an opaque origin (a sandboxed frame) is denied the ones a person would be asked for, and
//   clipboard-write and screen-wake-lock;
// - background-fetch is granted to a top-level document only: a frame's or a worker's says "prompt".
// - storage-access is granted to a secure top-level document (not set for the context: granted for
//   every origin it would be granted to cross-site frames too, which would change what they can do).
const PERMISSION_STATES_SHIM = `
  try {
    if (typeof PermissionStatus === 'function') {
      const opaqueDenied = new Set(['camera', 'captured-surface-control', 'clipboard-read', 'clipboard-write', 'display-capture',
        'geolocation', 'idle-detection', 'local-fonts', 'microphone', 'midi', 'notifications', 'periodic-background-sync', 'push',
        'screen-wake-lock', 'window-management']);
      // Read now, before the page's script can shadow them (origin is replaceable); a worker's
      // script runs before its global has isSecureContext: it reads them when first asked.
      const scope = globalThis;
      const context = () => ({ secure: scope.isSecureContext, opaque: scope.origin === 'null' });
      let known = typeof isSecureContext === 'boolean' ? context() : null;
      const topLevel = typeof window !== 'undefined' && window.top === window;
      replaceGetter(PermissionStatus.prototype, 'state', (seen, status) => {
        const name = String(status.name).replace(/_/g, '-'); // Blink says "clipboard_write"
        const where = known || (known = context());
        if (seen === 'denied') return seen;
        if (!where.secure) return name === 'storage-access' ? seen : 'denied';
        if (where.opaque && opaqueDenied.has(name)) return 'denied';
        if (name === 'background-fetch' && !topLevel && seen === 'granted') return 'prompt';
        if (name === 'storage-access' && topLevel && !where.opaque && seen === 'prompt') return 'granted';
        return seen;
      });
    }
  } catch (e) {}
`;

/**
 * The enumerable properties of a secure context's window that Chromium 156 installs after
 * window.chrome, in their order (Object.getOwnPropertyNames of the full build's window, by itself).
 */
const ENUMERABLE_AFTER_CHROME = [
  'crashReport',
  'cookieStore',
  'ondevicemotion',
  'ondeviceorientation',
  'ondeviceorientationabsolute',
  'onpointerrawupdate',
  'caches',
  'documentPictureInPicture',
  'fetchLater',
  'getScreenDetails',
  'queryLocalFonts',
  'showDirectoryPicker',
  'showOpenFilePicker',
  'showSaveFilePicker',
  'originAgentCluster',
  'viewport',
  'onpageswap',
  'credentialless',
  'fence',
  'launchQueue',
  'speechSynthesis',
  'onscrollsnapchange',
  'onscrollsnapchanging',
  'ongamepadconnected',
  'ongamepaddisconnected',
  'requestResize',
  'webkitRequestFileSystem',
  'webkitResolveLocalFileSystemURL',
];

// What /usr/bin/chromium shows and /usr/bin/chromium-headless-shell does not (checked on 156):
// window.chrome, a notification permission not yet asked for and, for a desktop (pdfViewer), the
// PDF viewer's plugins.
function desktopShims(pdfViewer: boolean): string {
  return `${NOTIFICATION_PROMPT_SHIM}
${PERMISSION_STATES_SHIM}
  try {
    if (!window.chrome) {
      // chrome.app's functions are methods (as in Chromium); csi and loadTimes are plain
      // anonymous, constructible functions that print as "function () { [native code] }".
      const fn = (name, length, body) => disguise(method(name, length, body), null, name);
      const plain = (body) => disguise(body, null, '');
      const app = {
        isInstalled: false,
        getDetails: fn('getDetails', 0, () => null),
        getIsInstalled: fn('getIsInstalled', 0, () => false),
        installState: fn('installState', 0, (self, [cb]) => { if (typeof cb === 'function') cb('not_installed'); }),
        runningState: fn('runningState', 0, () => 'cannot_run'),
        InstallState: { DISABLED: 'disabled', INSTALLED: 'installed', NOT_INSTALLED: 'not_installed' },
        RunningState: { CANNOT_RUN: 'cannot_run', READY_TO_RUN: 'ready_to_run', RUNNING: 'running' },
      };
      const started = performance.timeOrigin / 1000;
      const chrome = {
        loadTimes: plain([function () {
          return { requestTime: started, startLoadTime: started, commitLoadTime: started, finishDocumentLoadTime: 0, finishLoadTime: 0,
            firstPaintTime: 0, firstPaintAfterLoadTime: 0, navigationType: 'Other', wasFetchedViaSpdy: false, wasNpnNegotiated: false,
            npnNegotiatedProtocol: 'unknown', wasAlternateProtocolAvailable: false, connectionInfo: 'http/1.1' };
        }][0]),
        csi: plain([function () { return { startE: Math.round(started * 1000), onloadT: Date.now(), pageT: performance.now(), tran: 15 }; }][0]),
        app,
      };
      Object.defineProperty(window, 'chrome', { value: chrome, writable: true, configurable: true, enumerable: true });
      // Chromium installs window.chrome right after V8's WebAssembly, before the attributes and
      // operations of a secure context (read off 156): one added now came last in Object.keys(window),
      // where those come last. They are defined again, in their order, so that they come after it
      // (an accessor, or a method; a value read once would no longer follow the browser's).
      for (const name of ${JSON.stringify(ENUMERABLE_AFTER_CHROME)}) {
        const descriptor = Object.getOwnPropertyDescriptor(window, name);
        if (!descriptor || !descriptor.configurable || (!descriptor.get && typeof descriptor.value !== 'function')) continue;
        delete window[name];
        Object.defineProperty(window, name, descriptor);
      }
    }
    // The shell lists no plugins (not asked, as the notification permission is not).
    if (${pdfViewer}) {
      const mimeSpecs = [['application/pdf', 'pdf'], ['text/pdf', 'pdf']];
      const names = ['PDF Viewer', 'Chrome PDF Viewer', 'Chromium PDF Viewer', 'Microsoft Edge PDF Viewer', 'WebKit built-in PDF'];
      const mimeFields = mimeSpecs.map(([type, suffixes]) => ({ type, suffixes, description: 'Portable Document Format', enabledPlugin: null }));
      const mimes = mimeFields.map((fields) => fakeObject(MimeType.prototype, fields, []));
      const mimeTypes = fakeList(MimeTypeArray.prototype, mimes.map((m, i) => [mimeSpecs[i][0], m]));
      const plugins = fakeList(PluginArray.prototype, names.map((name) => [name, fakeObject(Plugin.prototype,
        { name, filename: 'internal-pdf-viewer', description: 'Portable Document Format' }, mimes.map((m, j) => [mimeSpecs[j][0], m]))]));
      for (const fields of mimeFields) fields.enabledPlugin = plugins[0];
      replaceGetter(Navigator.prototype, 'plugins', () => plugins);
      replaceGetter(Navigator.prototype, 'mimeTypes', () => mimeTypes);
      replaceGetter(Navigator.prototype, 'pdfViewerEnabled', () => true);
    }
  } catch (e) {}
`;
}
