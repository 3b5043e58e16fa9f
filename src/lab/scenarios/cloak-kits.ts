// Cloakers built the way real cloaking kits decide (the "antibot.php" of phishing kits, the
// cloaker services sold for affiliate traffic, JavaScript fingerprint gates), unlike the
// one-signal cloakers of cloakers.ts: they judge a visitor by many tells at once and send the
// ones they take for bots to a harmless encyclopedia page. Plus the links whose difference
// between visitors is not cloaking: a page full of per-visit tokens, a per-visit path, a link
// that serves each address once, a "returning visitor" kit. test/cloak-kits.test.ts runs
// `clicktrace compare` over them; the kits' rules are exported so tests can judge the headers a
// trace sent by the same rules.
import { randomBytes, randomUUID } from 'node:crypto';
import { HOSTS, WILDCARD_ZONES } from '../hosts.js';
import { jsString, page } from '../pages.js';
import type { LabExchange } from '../exchange.js';
import { ADVERTISER_TITLE, defineScenario, type ScenarioDefinition } from './common.js';
import { CLOAKED_DESTINATION, CLOAKED_TITLE } from './hostile.js';

const KIT = `https://${HOSTS.cloak}/kit`;
/** Where a kit sends the visitors it takes for bots (the path may carry `?why=` with the tells it saw). */
export const BENIGN_URL = `https://${HOSTS.benign}/wiki/Tulip`;
export const BENIGN_TITLE = 'Tulip - Encyclopedia';

export type KitName = 'antibot' | 'gate' | 'busy' | 'once' | 'returning' | 'nonce' | 'nonce-path' | 'nonce-host';

/** The URL of kit `name`, with a path of the caller's own (each test its own link). */
export function kitUrl(name: KitName, path = 'em'): string {
  return `${KIT}/${name}/${path}`;
}

/** Words of crawlers, scanners, link checkers and automation in a User-Agent (a kit's blocklist). */
const BOT_WORDS =
  /bot\b|crawl|spider|slurp|headless|phantom|selenium|puppeteer|playwright|python|curl|wget|java\/|go-http|okhttp|scrapy|httpclient|libwww|preview|scanner|proofpoint|mimecast|barracuda|urlscan|virustotal|facebookexternalhit|lighthouse/i;

/** Referers of URL scanners: a kit sends their visits to the decoy. */
const SCANNER_REFERERS = /urlscan\.io|virustotal\.com|hybrid-analysis|phishtank|any\.run/i;

/**
 * The order in which Chromium sends a navigation's headers (those present keep it): a request
 * whose headers come in another order was not made by Chrome, whatever its User-Agent says.
 */
const CHROME_ORDER = [
  'host',
  'connection',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'upgrade-insecure-requests',
  'user-agent',
  'accept',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-user',
  'sec-fetch-dest',
  'referer',
  'accept-encoding',
  'accept-language',
];

/** The platform a User-Agent names, as Sec-CH-UA-Platform and userAgentData say it. */
function uaPlatform(ua: string): string | null {
  if (/Android/.test(ua)) return 'Android';
  if (/Windows/.test(ua)) return 'Windows';
  if (/Mac OS X/.test(ua) && !/iPhone|iPad/.test(ua)) return 'macOS';
  if (/CrOS/.test(ua)) return 'Chrome OS';
  if (/X11; Linux/.test(ua)) return 'Linux';
  return null;
}

/**
 * What an antibot kit holds against a request (empty: a person): bot words in the User-Agent,
 * missing or odd Accept-Language and Accept, client hints that contradict the User-Agent (version,
 * HeadlessChrome brand, mobile, platform), a Chrome that sends no client hints or Sec-Fetch
 * headers over HTTPS, headers out of Chrome's order, a scanner's Referer.
 */
export function antibotTells(rawHeaders: readonly string[], secure: boolean): string[] {
  const names: string[] = [];
  const headers = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    names.push(name);
    if (!headers.has(name)) headers.set(name, rawHeaders[i + 1]);
  }
  const tells: string[] = [];
  const ua = headers.get('user-agent') ?? '';
  if (!ua) tells.push('no-user-agent');
  if (BOT_WORDS.test(ua)) tells.push('bot-word');
  const language = headers.get('accept-language');
  if (!language) tells.push('no-accept-language');
  else if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*(;q=[01](\.\d+)?)?(,|$)/.test(language) || language === '*') tells.push('odd-accept-language');
  if (!/text\/html/.test(headers.get('accept') ?? '')) tells.push('accept-not-html');
  if (SCANNER_REFERERS.test(headers.get('referer') ?? '')) tells.push('scanner-referer');
  const chrome = /Chrome\/(\d+)/.exec(ua);
  if (chrome && !/Edg\/|OPR\//.test(ua)) {
    const hints = headers.get('sec-ch-ua');
    if (secure && hints === undefined) tells.push('no-client-hints');
    if (hints !== undefined) {
      if (!new RegExp(`"(Chromium|Google Chrome)";v="${chrome[1]}"`).test(hints)) tells.push('client-hints-version');
      if (/HeadlessChrome/.test(hints)) tells.push('client-hints-headless');
      const mobile = headers.get('sec-ch-ua-mobile');
      if (mobile !== undefined && (mobile === '?1') !== /Mobile|Android/.test(ua)) tells.push('client-hints-mobile');
      const platform = headers.get('sec-ch-ua-platform')?.replace(/"/g, '');
      if (platform !== undefined && platform !== uaPlatform(ua)) tells.push('client-hints-platform');
    }
    if (secure && !headers.has('sec-fetch-mode')) tells.push('no-sec-fetch');
    if (!headers.has('upgrade-insecure-requests')) tells.push('no-upgrade-insecure-requests');
    const known = names.filter((n) => CHROME_ORDER.includes(n)).map((n) => CHROME_ORDER.indexOf(n));
    if (known.some((at, i) => i > 0 && at < known[i - 1])) tells.push('header-order');
  }
  return tells;
}

/**
 * The fingerprint gate's script: every check a JavaScript antibot runs on the browser, each
 * named; a page that passes them all goes on to the phishing page, one that fails any to the
 * encyclopedia with the failed names in `?why=`. `acceptLanguage` is what the server received.
 */
export function gateScript(acceptLanguage: string): string {
  return `
(async () => {
  const failed = [];
  const check = async (name, test) => { try { if (await test()) failed.push(name); } catch (e) { failed.push(name + ':threw'); } };
  const ua = navigator.userAgent;
  const mobileUa = /Android|Mobile/.test(ua);
  const desktopChrome = /Chrome\\//.test(ua) && !mobileUa;
  const NATIVE = /^function [\\w$ ]*\\(\\) \\{\\s+\\[native code\\]\\s+\\}$/;
  const describe = (o, k) => Object.getOwnPropertyDescriptor(o, k);
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  document.body.appendChild(frame);
  const other = frame.contentWindow;
  // Native functions and getters a stealth script would replace.
  const natives = () => [
    Function.prototype.toString,
    describe(Navigator.prototype, 'webdriver').get,
    describe(Navigator.prototype, 'plugins').get,
    describe(Navigator.prototype, 'mimeTypes').get,
    describe(Navigator.prototype, 'languages').get,
    describe(Navigator.prototype, 'pdfViewerEnabled').get,
    describe(Navigator.prototype, 'hardwareConcurrency').get,
    describe(Screen.prototype, 'width').get,
    describe(Screen.prototype, 'availHeight').get,
    window.performance && performance.memory && describe(Object.getPrototypeOf(performance.memory), 'jsHeapSizeLimit').get,
    navigator.share, navigator.canShare,
    window.WebGLRenderingContext && WebGLRenderingContext.prototype.getParameter,
    Permissions.prototype.query,
    setTimeout, setInterval, clearTimeout, requestAnimationFrame,
    window.Worker && Worker.prototype.postMessage, window.Worker && Worker.prototype.terminate,
    cancelAnimationFrame, window.requestIdleCallback, window.cancelIdleCallback, window.postMessage,
    window.MessagePort && MessagePort.prototype.postMessage, AbortSignal.timeout, Element.prototype.animate,
    window.scheduler && scheduler.postTask, window.scheduler && scheduler.yield,
    window.chrome && window.chrome.app && window.chrome.app.getDetails,
  ].filter((f) => typeof f === 'function');
  await check('webdriver', () => navigator.webdriver === true);
  await check('chrome-object', () => desktopChrome && (!window.chrome || typeof window.chrome.loadTimes !== 'function' ||
    typeof window.chrome.csi !== 'function' || !window.chrome.app));
  await check('plugins', () => desktopChrome &&
    (navigator.plugins.length === 0 || navigator.mimeTypes.length === 0 || !(navigator.plugins instanceof PluginArray)));
  await check('languages', () => !navigator.languages || navigator.languages.length === 0 || navigator.language !== navigator.languages[0] ||
    navigator.languages.some((l) => /;q=/.test(l)) || navigator.languages[0] !== ${jsString(acceptLanguage)}.split(/[,;]/)[0]);
  await check('window-size', () => outerWidth === 0 || outerHeight === 0 || outerWidth < innerWidth || outerHeight < innerHeight ||
    screen.width < innerWidth || screen.height < innerHeight || screen.availHeight > screen.height);
  // A desktop's screen has a panel, dock or menu bar that windows may not cover (availHeight or
  // availWidth less than the screen's), and the window lies within what is left.
  await check('screen-available', () => desktopChrome && (screen.availHeight === screen.height && screen.availWidth === screen.width ||
    screenX < screen.availLeft || screenY < screen.availTop || screenY + outerHeight > screen.availTop + screen.availHeight));
  await check('no-browser-chrome', () => desktopChrome && outerHeight === innerHeight && outerWidth === innerWidth && screen.height === innerHeight);
  // A phone's page is below its status bar and the browser's toolbar: one that fills the screen is DevTools' device mode.
  await check('phone-full-screen', () => mobileUa && (screen.height - innerHeight < 24 || !!window.visualViewport &&
    visualViewport.scale === 1 && Math.abs(visualViewport.height - innerHeight) > 1));
  await check('device-pixel-ratio', () => mobileUa && devicePixelRatio < 1.5);
  await check('touch', () => mobileUa && (navigator.maxTouchPoints === 0 || !('ontouchstart' in window)));
  await check('user-agent-data', () => {
    const d = navigator.userAgentData;
    if (!d) return /Chrome\\/(8[9]|9\\d|[1-9]\\d\\d)/.test(ua);
    const major = (/Chrome\\/(\\d+)/.exec(ua) || [])[1];
    const platform = /Android/.test(ua) ? 'Android' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : d.platform;
    return d.brands.some((b) => /Headless/.test(b.brand)) || !d.brands.some((b) => b.version === major) || d.mobile !== mobileUa || d.platform !== platform;
  });
  await check('platform', () =>
    /Android/.test(ua) ? !/^Linux (arm|aarch)/.test(navigator.platform) : /X11; Linux x86_64/.test(ua) ? navigator.platform !== 'Linux x86_64' : false);
  await check('timezone', () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const region = (navigator.language.split('-')[1] || '').toUpperCase();
    const continents = { US: 'America', CA: 'America', BR: 'America', MX: 'America', GB: 'Europe', DE: 'Europe', FR: 'Europe', ES: 'Europe',
      IT: 'Europe', NL: 'Europe', PL: 'Europe', JP: 'Asia', CN: 'Asia', IN: 'Asia', AU: 'Australia' };
    return Boolean(continents[region]) && !zone.startsWith(continents[region] + '/') || zone === 'UTC' || zone === 'Etc/UTC';
  });
  await check('webgl', () => {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return true;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    return /SwiftShader|llvmpipe|softpipe|Software|Mesa OffScreen/i.test(String(renderer));
  });
  // A first visit has not been asked about notifications: "default" (the headless shell says "denied", as if every site were blocked).
  await check('notification-default', () => !!window.Notification && Notification.permission === 'denied');
  await check('notification-permission', async () => window.Notification && Notification.permission === 'denied' &&
    (await navigator.permissions.query({ name: 'notifications' })).state === 'prompt');
  // What a browser grants before a site asks (its default content settings); the headless shell has none and says "prompt".
  await check('permission-defaults', async () => (await Promise.all(['clipboard-write', 'background-sync', 'accelerometer', 'screen-wake-lock']
    .map(async (name) => (await navigator.permissions.query({ name })).state))).some((state) => state !== 'granted'));
  // A 64-bit desktop Chrome's V8 heap may grow to 2 GB or more (performance.memory): a smaller limit was set by its command line.
  await check('heap-limit', () => desktopChrome && !!window.performance && !!performance.memory && performance.memory.jsHeapSizeLimit < 2 ** 31);
  await check('hardware-concurrency', () => !(navigator.hardwareConcurrency >= 2));
  await check('connection-rtt', () => navigator.connection && navigator.connection.rtt === 0);
  // Chrome on Android and ChromeOS says its connection's type (wifi, cellular…); on Linux, Windows or macOS it does not.
  await check('connection-type', () => !!navigator.connection && ('type' in navigator.connection) !== /Android|CrOS/.test(ua));
  // The device the User-Agent names against what its pointer, screen and high-entropy client hints say.
  await check('pointer-media', () => {
    const m = (q) => matchMedia(q).matches;
    return mobileUa ? !(m('(pointer: coarse)') && m('(any-pointer: coarse)') && m('(hover: none)'))
      : !(m('(pointer: fine)') && m('(any-pointer: fine)') && m('(hover: hover)') && m('(any-hover: hover)'));
  });
  await check('screen-orientation', () => !!screen.orientation && screen.width !== screen.height &&
    (screen.orientation.type.startsWith('portrait') !== screen.height > screen.width ||
      typeof window.orientation === 'number' && (window.orientation === 0) !== (screen.orientation.angle === 0)));
  await check('client-hints-high-entropy', async () => {
    const d = navigator.userAgentData;
    if (!d) return false;
    const h = await d.getHighEntropyValues(['formFactors', 'model', 'platformVersion', 'architecture', 'bitness', 'uaFullVersion']);
    const major = (/Chrome\\/(\\d+)/.exec(ua) || [])[1];
    // A reduced Android User-Agent says "Android 10; K" whatever the phone: the hints name the real one.
    return (h.formFactors || []).includes('Mobile') !== mobileUa || !String(h.uaFullVersion).startsWith(major + '.') ||
      /Android/.test(ua) && (!h.model || h.model === 'K' || !/^\\d+(\\.\\d+)*$/.test(h.platformVersion)) ||
      /X11; Linux x86_64/.test(ua) && (h.architecture !== 'x86' || h.bitness !== '64');
  });
  // No Chrome on Android says more than 8 GB, and no phone of the last decade has fewer than 4 cores.
  await check('phone-hardware', () => mobileUa && (navigator.deviceMemory > 8 || navigator.hardwareConcurrency < 4));
  // A desktop of 2 cores is a cloud VM's (desktops have 4 to 16).
  await check('desktop-hardware', () => desktopChrome && navigator.hardwareConcurrency < 4);
  // Chrome on Android has no PDF viewer: no plugins, no MIME types, pdfViewerEnabled false.
  await check('phone-plugins', () => mobileUa && (navigator.plugins.length !== 0 || navigator.mimeTypes.length !== 0 ||
    navigator.pdfViewerEnabled !== false));
  // What Chrome builds for the desktop only: WebHID (navigator.hid and its interfaces), the File System
  // Access pickers, EyeDropper, Window Controls Overlay, Document Picture-in-Picture, Window Management, Local Font Access.
  await check('phone-desktop-apis', () => mobileUa && ('hid' in navigator || 'HID' in window || 'HIDDevice' in window ||
    ['showOpenFilePicker', 'showSaveFilePicker', 'showDirectoryPicker', 'EyeDropper', 'documentPictureInPicture', 'getScreenDetails',
      'queryLocalFonts'].some((n) => n in window) || 'windowControlsOverlay' in navigator));
  // A phone's battery as a machine without one says it (charging at 100 %, charged at once): an emulator or a desktop.
  await check('phone-battery', async () => {
    if (!mobileUa || typeof navigator.getBattery !== 'function') return false;
    const battery = await navigator.getBattery();
    return battery.charging && battery.level === 1 && battery.chargingTime === 0;
  });
  // Chrome on Android has Web Share (a secure context's): canShare judges the data, and share()
  // without a user activation (none here: the gate runs as the page loads) rejects with NotAllowedError.
  await check('phone-share', async () => mobileUa && isSecureContext && (typeof navigator.share !== 'function' ||
    typeof navigator.canShare !== 'function' || navigator.canShare({}) !== false || navigator.canShare({ url: location.href }) !== true ||
    await navigator.share({ url: location.href }).then(() => true, (e) => e.name !== 'NotAllowedError' || /<anonymous>:\\d+:\\d+/.test(String(e.stack)))));
  // Chrome on Android shows notifications through a service worker only: its constructor throws a
  // TypeError. Its shape then, in this realm and a fresh one, against a native constructor's.
  await check('phone-notification', () => mobileUa && !!window.Notification && ((() => {
    try { new Notification('x'); return true; } catch (e) { return !(e instanceof TypeError) || /<anonymous>:\\d+:\\d+/.test(String(e.stack)); }
  })() || Notification.name !== 'Notification' || Notification.length !== 1 || Notification.prototype.constructor !== Notification ||
    Object.getPrototypeOf(Notification) !== EventTarget || 'prototype' in Notification.requestPermission ||
    !/^function Notification\\(\\)/.test(other.Function.prototype.toString.call(Notification)) ||
    typeof Notification.permission !== 'string'));
  // The Device-Memory client hints the page asked for (Accept-CH), as the server got them, against
  // navigator.deviceMemory: one patched without the other, or a phone of more than 8 GB.
  await check('device-memory-hint', async () => {
    if (navigator.deviceMemory === undefined) return false;
    const got = await (await fetch('/kit/hints/memory', { cache: 'no-store' })).json();
    const hints = [got.secChDeviceMemory, got.deviceMemory];
    return hints.every((h) => h === null) || hints.some((h) => h !== null && (Number(h) !== navigator.deviceMemory || mobileUa && Number(h) > 8));
  });
  // Capture devices: a phone has a microphone, a camera and a speaker, a desktop sound at least;
  // before a site is allowed to use them Chrome lists one of each kind, without label or id, and a
  // first visit has not been asked about them yet (their permission says "prompt").
  await check('media-devices', async () => {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const kinds = new Set(devices.map((d) => d.kind));
    const asked = await Promise.all(['camera', 'microphone'].map(async (name) => (await navigator.permissions.query({ name })).state));
    return !kinds.has('audioinput') || !kinds.has('audiooutput') || mobileUa && !kinds.has('videoinput') ||
      devices.length !== kinds.size || devices.some((d) => d.label !== '' || d.deviceId !== '') || asked.some((s) => s !== 'prompt');
  });
  await check('visibility', () => document.visibilityState !== 'visible' || document.hidden || !document.hasFocus());
  // The gate is the link's first page: a link opened from a mail client (a new tab) has no entry
  // before it; a tab that showed something first (an automation's about:blank) has two.
  await check('history-length', () => history.length !== 1);
  // Intl's locale and zone against navigator.language and Date's own offset (a patch of one but not the other).
  await check('intl', () => {
    const options = Intl.DateTimeFormat().resolvedOptions();
    const offset = (date) => {
      const name = new Intl.DateTimeFormat('en-US', { timeZone: options.timeZone, timeZoneName: 'longOffset' })
        .formatToParts(date).find((p) => p.type === 'timeZoneName').value;
      const hm = /GMT(?:([+-])(\\d\\d):(\\d\\d))?/.exec(name);
      return hm && hm[1] ? (hm[1] === '-' ? 1 : -1) * (Number(hm[2]) * 60 + Number(hm[3])) : 0;
    };
    const dates = [new Date(2026, 0, 15), new Date(2026, 6, 15)];
    return options.locale.split('-')[0] !== navigator.language.split('-')[0] ||
      new Intl.NumberFormat().resolvedOptions().locale !== options.locale ||
      dates.some((date) => offset(date) !== date.getTimezoneOffset());
  });
  // Patched functions: the source, a prototype or a constructor, a getter that accepts any object.
  await check('to-string', () => natives().some((f) => !NATIVE.test(Function.prototype.toString.call(f))));
  await check('prototype', () => natives().some((f) => 'prototype' in f));
  await check('constructible', () => natives().some((f) => { try { new f(); return true; } catch (e) { return !(e instanceof TypeError); } }));
  await check('illegal-invocation', () => ['webdriver', 'plugins', 'languages', 'hardwareConcurrency'].some((k) => {
    try { describe(Navigator.prototype, k).get.call({}); return true; } catch (e) { return false; }
  }));
  await check('stack-frames', () => {
    try { Function.prototype.toString.call(1); } catch (e) { return /<anonymous>:\\d+:\\d+/.test(String(e.stack)); }
    return true;
  });
  // A fresh realm: its own natives, to read ours with (a stealth patch of the page's realm shows there).
  await check('iframe-to-string', () => natives().some((f) => !NATIVE.test(other.Function.prototype.toString.call(f))) ||
    !NATIVE.test(Function.prototype.toString.call(other.Function.prototype.toString)));
  await check('worker-constructor', () => !!window.Worker && (!/^function Worker\\(\\)/.test(Function.prototype.toString.call(Worker)) ||
    !/^function Worker\\(\\)/.test(other.Function.prototype.toString.call(Worker)) || Worker.name !== 'Worker' || Worker.length !== 1 ||
    Worker.prototype.constructor !== Worker || Object.getPrototypeOf(Worker) !== Function.prototype && Object.getPrototypeOf(Worker) !== EventTarget));
  const SHARED_WORKER = /^function SharedWorker\\(\\)/;
  await check('shared-worker-constructor', () => !!window.SharedWorker && (!SHARED_WORKER.test(Function.prototype.toString.call(SharedWorker)) ||
    !SHARED_WORKER.test(other.Function.prototype.toString.call(SharedWorker)) || SharedWorker.name !== 'SharedWorker' || SharedWorker.length !== 1 ||
    SharedWorker.prototype.constructor !== SharedWorker || Object.getPrototypeOf(SharedWorker) !== EventTarget));
  // What Chromium gives each scheduling function: its name, its length, where it lives.
  await check('scheduling-shape', () => [
    [setTimeout, 'setTimeout', 1], [requestAnimationFrame, 'requestAnimationFrame', 1], [window.requestIdleCallback, 'requestIdleCallback', 1],
    [window.cancelIdleCallback, 'cancelIdleCallback', 1], [window.postMessage, 'postMessage', 1], [AbortSignal.timeout, 'timeout', 1],
    [window.MessagePort && MessagePort.prototype.postMessage, 'postMessage', 1], [Element.prototype.animate, 'animate', 1],
    [window.scheduler && scheduler.postTask, 'postTask', 1], [window.scheduler && scheduler.yield, 'yield', 0],
  ].some(([f, name, length]) => typeof f === 'function' && (f.name !== name || f.length !== length)) ||
    !Object.getOwnPropertyDescriptor(window, 'postMessage') || !Object.getOwnPropertyDescriptor(window, 'requestIdleCallback') ||
    !!window.scheduler && (Object.prototype.hasOwnProperty.call(scheduler, 'postTask') ||
      !Object.getOwnPropertyDescriptor(Object.getPrototypeOf(scheduler), 'postTask').enumerable) ||
    !Object.getOwnPropertyDescriptor(AbortSignal, 'timeout').enumerable);
  await check('iframe-navigator', () => other.navigator.webdriver !== navigator.webdriver || other.navigator.plugins.length !== navigator.plugins.length ||
    (typeof other.chrome) !== (typeof window.chrome) || other.navigator.userAgent !== ua);
  // DevTools protocol: with Runtime.enable, the console serialises an error's stack for the client.
  await check('cdp-runtime', () => {
    let touched = false;
    const e = new Error('probe');
    Object.defineProperty(e, 'stack', { get() { touched = true; return ''; } });
    console.debug(e);
    return touched;
  });
  await check('worker', () => new Promise((resolve) => {
    // A worker has no navigator.webdriver (it is the window's); the rest must agree with the window's.
    const code = 'postMessage([navigator.userAgent, JSON.stringify(navigator.languages), navigator.hardwareConcurrency, navigator.deviceMemory, ' +
      'navigator.connection && navigator.connection.type, navigator.platform])';
    const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    const timer = setTimeout(() => resolve(false), 1000);
    worker.onmessage = (m) => {
      clearTimeout(timer);
      const [wUa, wLanguages, wCores, wMemory, wType, wPlatform] = m.data;
      resolve(wUa !== ua || wLanguages !== JSON.stringify(navigator.languages) || wCores !== navigator.hardwareConcurrency ||
        wMemory !== navigator.deviceMemory || wType !== (navigator.connection && navigator.connection.type) || wPlatform !== navigator.platform);
    };
    worker.onerror = () => { clearTimeout(timer); resolve(true); };
  }));
  // What Chrome builds for the desktop only, in a dedicated worker too (WebHID is exposed to them).
  await check('worker-desktop-apis', () => mobileUa && !!window.Worker && new Promise((resolve) => {
    const code = "postMessage(['HID', 'HIDDevice', 'HIDConnectionEvent', 'HIDInputReportEvent'].some((n) => n in self))";
    const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    const timer = setTimeout(() => resolve(false), 1000);
    worker.onmessage = (m) => { clearTimeout(timer); resolve(m.data); };
    worker.onerror = () => { clearTimeout(timer); resolve(true); };
  }));
  if (failed.length === 0) location.href = ${jsString(CLOAKED_DESTINATION)};
  else {
    // What it saw of the window, for the analyst (a kit logs it).
    const sizes = [innerWidth, innerHeight, outerWidth, outerHeight, screen.width, screen.height, screen.availWidth, screen.availHeight].join(',');
    location.replace(${jsString(BENIGN_URL)} + '?why=' + encodeURIComponent(failed.join(',')) + '&sizes=' + sizes);
  }
})();`;
}

/** What a trace that passes a script kit sees: its page, then the phishing page by script. */
const TO_PHISH_BY_SCRIPT = { expectedVias: ['start', 'javascript'], finalUrl: CLOAKED_DESTINATION, finalTitle: CLOAKED_TITLE };

/** A kit's waiting page: a line of text and its script. */
function scriptPage(title: string, script: string): string {
  return page({ title, body: `<p>${title}…</p>\n<script>\n${script}\n</script>` });
}

/** A host label made for one click: ten lower-case letters and digits, at least two of each. */
function randomLabel(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(8);
  return `${String.fromCharCode(97 + (bytes[0] % 26))}${bytes[1] % 10}${[...bytes.subarray(2)].map((b) => alphabet[b % 36]).join('')}${bytes[0] % 10}z`;
}

/** Addresses that already got the phishing page of a `once` link (by its path). */
const servedOnce = new Set<string>();

function benignPage(): string {
  return page({
    title: BENIGN_TITLE,
    body: '<main><h1>Tulip</h1><p>Tulips are spring-blooming perennial herbaceous bulbiferous geophytes.</p></main>',
  });
}

/** A page that differs at every visit only by what every visit differs by: time, nonce, CSRF token, a random ad. */
function tokenPage(): string {
  const nonce = randomBytes(16).toString('base64');
  return page({
    title: ADVERTISER_TITLE,
    head: `<meta name="csrf-token" content="${randomBytes(24).toString('hex')}">`,
    body:
      `<main><h1>Spring offer</h1><p>Rendered ${new Date().toISOString()} (request ${randomBytes(6).toString('hex')}).</p>\n` +
      `<form method="post" action="/kit/nonce/subscribe"><input type="hidden" name="_csrf" value="${randomBytes(24).toString('hex')}">` +
      `<button>Subscribe</button></form>\n` +
      `<aside><img alt="ad" src="/kit/ad/${randomBytes(8).toString('hex')}.png" width="300" height="250"></aside></main>\n` +
      `<script nonce="${nonce}">document.body.dataset.visit = ${jsString(randomBytes(8).toString('hex'))};</script>`,
  });
}

export function cloakKitScenarios(): ScenarioDefinition[] {
  const kit = (name: KitName, fields: Omit<Parameters<typeof defineScenario>[0], 'name' | 'url'>, handle: (x: LabExchange) => void) =>
    defineScenario({ name: `kit-${name}`, url: kitUrl(name), ...fields }, [{ host: HOSTS.cloak, path: `/kit/${name}/*`, handle }]);
  const definitions = [
    kit(
      'antibot',
      {
        description:
          "A phishing kit's antibot (server side): bot words in the User-Agent, missing or odd Accept-Language or Accept, client hints " +
          "contradicting the User-Agent, a Chrome without client hints or Sec-Fetch, headers out of Chrome's order, a scanner's " +
          'Referer: such visitors get a 302 to an encyclopedia page, everyone else a 302 to the phishing page.',
        expectedVias: ['start', 'http-302'],
        finalUrl: CLOAKED_DESTINATION,
        finalTitle: CLOAKED_TITLE,
      },
      (x) => {
        const tells = antibotTells(x.req.rawHeaders, x.url.protocol === 'https:');
        x.redirect(302, tells.length ? `${BENIGN_URL}?why=${encodeURIComponent(tells.join(','))}` : CLOAKED_DESTINATION);
      },
    ),
    kit(
      'gate',
      {
        description:
          'A JavaScript fingerprint gate: the page checks webdriver, window.chrome, plugins, languages, window and screen sizes ' +
          "(a desktop screen's available area), userAgentData (and its high-entropy hints), timezone, WebGL renderer, notification " +
          'and default permissions, pointer and hover media queries, screen orientation, cores, memory and heap limit (and the ' +
          "Device-Memory client hints it asks for), a phone's PDF plugins, desktop-only APIs (WebHID, file pickers, EyeDropper…) " +
          "and Web Share, a phone Notification constructor, capture devices, visibility and focus, the length of the tab's history, Intl against " +
          'navigator.language and Date, patched functions ' +
          '(toString, prototype, iframe realm, stack), the DevTools protocol and a worker, then goes on to the phishing page, or ' +
          'to an encyclopedia page with what it found.',
        ...TO_PHISH_BY_SCRIPT,
      },
      (x) =>
        x.html(200, scriptPage('Checking your browser', gateScript(x.header('accept-language') ?? '')), {
          'Accept-CH': 'Sec-CH-Device-Memory, Device-Memory',
        }),
    ),
    kit(
      'busy',
      {
        description:
          'A kit that computes for 1.5 s (a proof of work, a fingerprint hash) once the page has loaded, then redirects to the phishing ' +
          'page: a crawler that takes a page not answering for a moment as one at rest never sees the redirect.',
        ...TO_PHISH_BY_SCRIPT,
      },
      (x) =>
        x.html(
          200,
          scriptPage(
            'Please wait',
            `addEventListener('load', () => setTimeout(() => {\n` +
              `  let h = 0; const until = Date.now() + 1500;\n  while (Date.now() < until) h = (h * 31 + 7) % 1000003;\n` +
              `  location.href = ${jsString(CLOAKED_DESTINATION)};\n}, 0));`,
          ),
        ),
    ),
    kit(
      'once',
      {
        description:
          'A kit that serves each visitor address once (the loopback address here, per link): the first visit is sent to the ' +
          'phishing page, every later one to an encyclopedia page, with no error and no "expired" wording.',
        expectedVias: ['start', 'http-302'],
        finalUrl: CLOAKED_DESTINATION,
        finalTitle: CLOAKED_TITLE,
      },
      (x) => {
        const key = `${x.req.socket.remoteAddress ?? ''} ${x.url.pathname}`;
        const first = !servedOnce.has(key);
        servedOnce.add(key);
        x.redirect(302, first ? CLOAKED_DESTINATION : BENIGN_URL);
      },
    ),
    kit(
      'returning',
      {
        description:
          'A kit that sends a returning visitor (its cookie set) to an encyclopedia page and a first-time one to the phishing page: ' +
          'every visitor of a comparison arrives fresh.',
        expectedVias: ['start', 'http-302'],
        finalUrl: CLOAKED_DESTINATION,
        finalTitle: CLOAKED_TITLE,
      },
      (x) =>
        /(^|;\s*)kv=1/.test(x.header('cookie') ?? '')
          ? x.redirect(302, BENIGN_URL)
          : x.redirect(302, CLOAKED_DESTINATION, { 'Set-Cookie': 'kv=1; Path=/; Max-Age=86400; Secure; SameSite=None' }),
    ),
    kit(
      'nonce',
      {
        description:
          'An honest link whose every answer differs: a 302 with a per-visit session id, then a page with the time, a nonce, a ' +
          'CSRF token and a random ad; every visitor gets the same page.',
        expectedVias: ['start', 'http-302'],
        // https://offer.cloak-cdn.test/kit/offer/spring?sid=<per visit>&ts=<per visit>
        finalUrl: null,
        finalStatus: 200,
        finalTitle: ADVERTISER_TITLE,
      },
      (x) => x.redirect(302, `https://${HOSTS.cloak}/kit/offer/spring?sid=${randomBytes(12).toString('hex')}&ts=${Date.now()}`),
    ),
    kit(
      'nonce-path',
      {
        description:
          'An honest link that puts a per-visit token in the path (/o/<32 hex>/welcome, /c/<uuid>): every visitor gets the same offer.',
        expectedVias: ['start', 'http-302', 'http-302'],
        finalUrl: null,
        finalStatus: 200,
        finalTitle: ADVERTISER_TITLE,
      },
      (x) => x.redirect(302, `https://${HOSTS.cloak}/kit/o/${randomBytes(16).toString('hex')}/welcome`),
    ),
    kit(
      'nonce-host',
      {
        description:
          'An honest link that sends each click to a subdomain of its own (<10 random letters and digits>.emsecure.test, a wildcard ' +
          'zone of the lab): every visitor gets the same offer.',
        expectedVias: ['start', 'http-302'],
        finalUrl: null,
        finalStatus: 200,
        finalTitle: ADVERTISER_TITLE,
      },
      (x) => x.redirect(302, `http://${randomLabel()}.${WILDCARD_ZONES[0]}/kit-offer/spring`),
    ),
  ];
  definitions[0].routes.push(
    { host: `*.${WILDCARD_ZONES[0]}`, path: '/kit-offer/*', handle: (x) => x.html(200, tokenPage()) },
    { host: HOSTS.benign, path: '/wiki/*', handle: (x) => x.html(200, benignPage()) },
    { host: HOSTS.cloak, path: '/kit/offer/*', handle: (x) => x.html(200, tokenPage()) },
    { host: HOSTS.cloak, path: '/kit/ad/*', handle: (x) => x.send(404, 'no ad', { 'Content-Type': 'text/plain' }) },
    // What the fingerprint gate's page got of the client hints it asked for.
    {
      host: HOSTS.cloak,
      path: '/kit/hints/*',
      handle: (x) =>
        x.send(
          200,
          JSON.stringify({ secChDeviceMemory: x.header('sec-ch-device-memory') ?? null, deviceMemory: x.header('device-memory') ?? null }),
          {
            'Content-Type': 'application/json',
            'Cache-Control': 'no-store',
          },
        ),
    },
    {
      host: HOSTS.cloak,
      path: '/kit/o/*',
      handle: (x) =>
        x.url.pathname.endsWith('/welcome') ? x.redirect(302, `https://${HOSTS.cloak}/kit/c/${randomUUID()}`) : x.html(200, tokenPage()),
    },
    { host: HOSTS.cloak, path: '/kit/c/*', handle: (x) => x.html(200, tokenPage()) },
  );
  return definitions;
}
