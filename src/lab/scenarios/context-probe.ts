// A page that records what a browser exposes in each kind of context it may run a page's script
// in: the top document, a same-origin frame, an about:blank frame, a srcdoc frame, a sandboxed
// (opaque-origin) frame and a dedicated worker, over http:// or https://. A secure context has APIs
// and answers an insecure one has not (deviceMemory, userAgentData, mediaDevices, permission
// states...), and a trace's shims must follow the same line: the tests compare a trace's record
// with the one Chromium made by itself (test/request-headers.test.ts).
import { page } from '../pages.js';

export const CONTEXT_PROBE_TITLE = 'Context probe';

/** The permission names a page may query, push aside (it needs userVisibleOnly). */
export const PROBED_PERMISSIONS = [
  'geolocation',
  'notifications',
  'push',
  'midi',
  'camera',
  'microphone',
  'background-fetch',
  'background-sync',
  'persistent-storage',
  'accelerometer',
  'gyroscope',
  'magnetometer',
  'clipboard-read',
  'clipboard-write',
  'screen-wake-lock',
  'payment-handler',
  'idle-detection',
  'periodic-background-sync',
  'display-capture',
  'storage-access',
  'top-level-storage-access',
  'window-management',
  'local-fonts',
  'keyboard-lock',
  'pointer-lock',
  'captured-surface-control',
  'speaker-selection',
  'system-wake-lock',
  'nfc',
] as const;

// Runs in any realm (window or worker); resolves to a flat record of names and values.
const PROBE = `async function () {
  const out = {};
  const g = globalThis;
  const nav = g.navigator;
  const put = (name, f) => { try { const v = f(); out[name] = v === undefined ? 'undefined' : v; } catch (e) { out[name] = 'throws ' + (e && e.name); } };
  put('isSecureContext', () => g.isSecureContext);
  for (const name of ['deviceMemory', 'userAgentData', 'mediaDevices', 'storage', 'credentials', 'share', 'canShare', 'connection',
    'getBattery', 'hid', 'usb', 'serial', 'bluetooth', 'getInstalledRelatedApps', 'clipboard', 'keyboard', 'locks', 'wakeLock', 'xr',
    'gpu', 'virtualKeyboard', 'windowControlsOverlay', 'managed', 'login', 'presentation', 'ink', 'contacts', 'serviceWorker',
    'storageBuckets', 'mediaSession', 'permissions', 'scheduling', 'userActivation', 'webdriver', 'pdfViewerEnabled', 'plugins', 'mimeTypes',
    'setAppBadge', 'requestMIDIAccess', 'requestMediaKeySystemAccess', 'vibrate', 'getGamepads', 'getUserMedia', 'webkitGetUserMedia',
    'registerProtocolHandler', 'devicePosture', 'protectedAudience', 'joinAdInterestGroup', 'runAdAuction', 'deprecatedRunAdAuctionEnforcesKAnonymity'])
    put('navigator has ' + name, () => name in nav);
  put('navigator.deviceMemory', () => nav.deviceMemory);
  put('navigator.hardwareConcurrency', () => nav.hardwareConcurrency);
  put('navigator.platform', () => nav.platform);
  put('navigator.languages', () => JSON.stringify(nav.languages));
  put('navigator.webdriver', () => nav.webdriver);
  put('navigator.pdfViewerEnabled', () => nav.pdfViewerEnabled);
  put('navigator.plugins.length', () => nav.plugins.length);
  put('navigator.mimeTypes.length', () => nav.mimeTypes.length);
  put('navigator.connection.type', () => nav.connection && nav.connection.type);
  put('navigator.connection.effectiveType', () => nav.connection && nav.connection.effectiveType);
  put('navigator.userAgentData.mobile', () => nav.userAgentData && nav.userAgentData.mobile);
  put('navigator.userAgentData.platform', () => nav.userAgentData && nav.userAgentData.platform);
  put('navigator.userAgentData.brands', () => nav.userAgentData && JSON.stringify(nav.userAgentData.brands));
  put('crypto.subtle', () => typeof (g.crypto && g.crypto.subtle));
  put('crypto.randomUUID', () => typeof (g.crypto && g.crypto.randomUUID));
  put('performance.memory', () => typeof (g.performance && g.performance.memory));
  put('performance.memory.jsHeapSizeLimit', () => g.performance.memory && g.performance.memory.jsHeapSizeLimit);
  for (const name of ['chrome', 'Notification', 'caches', 'cookieStore', 'getScreenDetails', 'showOpenFilePicker', 'showDirectoryPicker',
    'queryLocalFonts', 'documentPictureInPicture', 'launchQueue', 'BatteryManager', 'HID', 'USB', 'Serial', 'Bluetooth', 'SharedWorker',
    'BroadcastChannel', 'PaymentRequest', 'PublicKeyCredential', 'IdleDetector', 'EyeDropper', 'FileSystemHandle', 'CropTarget',
    'SpeechSynthesis', 'speechSynthesis', 'webkitSpeechRecognition', 'SharedArrayBuffer', 'crossOriginIsolated', 'trustedTypes',
    'scheduler', 'sharedStorage', 'fence', 'ai', 'LanguageModel', 'Translator', 'Summarizer', 'Sanitizer', 'NavigateEvent', 'navigation'])
    put('global has ' + name, () => name in g);
  put('Notification.permission', () => g.Notification && g.Notification.permission);
  put('chrome keys', () => g.chrome && JSON.stringify(Object.keys(g.chrome).sort()));
  put('screen', () => g.screen && [g.screen.width, g.screen.height, g.screen.availWidth, g.screen.availHeight, g.screen.colorDepth].join('x'));
  put('screen.isExtended', () => g.screen && g.screen.isExtended);
  put('outer', () => 'outerWidth' in g && [g.outerWidth, g.outerHeight].join('x'));
  put('matchMedia pointer fine', () => g.matchMedia && g.matchMedia('(pointer: fine)').matches);
  put('timeZone', () => Intl.DateTimeFormat().resolvedOptions().timeZone);
  put('locale', () => Intl.DateTimeFormat().resolvedOptions().locale);
  if (nav.permissions) {
    await Promise.all(${JSON.stringify(PROBED_PERMISSIONS)}.map(async (name) => {
      try {
        const status = await nav.permissions.query(name === 'push' ? { name, userVisibleOnly: true } : { name });
        out['permission ' + name] = status.state + (status.name === name ? '' : ' (name ' + status.name + ')');
      } catch (e) { out['permission ' + name] = 'throws ' + (e && e.name); }
    }));
  }
  if (nav.getBattery) {
    try {
      const b = await nav.getBattery();
      out['battery'] = [b.charging, b.level, b.chargingTime, b.dischargingTime].join(' ');
    } catch (e) { out['battery'] = 'throws ' + (e && e.name); }
  }
  if (nav.userAgentData && nav.userAgentData.getHighEntropyValues) {
    try {
      const v = await nav.userAgentData.getHighEntropyValues(['architecture', 'bitness', 'model', 'platformVersion', 'formFactors', 'wow64']);
      out['userAgentData high entropy'] = JSON.stringify([v.architecture, v.bitness, v.model, v.platformVersion, v.formFactors, v.wow64]);
    } catch (e) { out['userAgentData high entropy'] = 'throws ' + (e && e.name); }
  }
  if (nav.storage && nav.storage.persisted) {
    try { out['storage.persisted'] = await nav.storage.persisted(); } catch (e) { out['storage.persisted'] = 'throws ' + (e && e.name); }
  }
  return out;
}`;

// The page: each context's record goes into #probe as JSON once every context has answered (or after
// 3 s); a timer polls until then, so that a trace waits for it as it waits for a page's timers.
const PAGE_SCRIPT = `
const PROBE = ${PROBE};
const results = {};
const expected = ['top', 'same-origin frame', 'about:blank frame', 'srcdoc frame', 'sandboxed frame', 'worker'];
const record = (name, value) => { results[name] = value; };
const fail = (name) => (e) => record(name, { error: String(e) });
PROBE().then((r) => record('top', r), fail('top'));
const probeIn = (name, frame) => {
  try { frame.contentWindow.eval('(' + PROBE + ')()').then((r) => record(name, r), fail(name)); } catch (e) { fail(name)(e); }
};
const blank = document.createElement('iframe');
document.body.appendChild(blank);
probeIn('about:blank frame', blank);
const same = document.createElement('iframe');
same.src = location.pathname + '-frame';
same.onload = () => probeIn('same-origin frame', same);
document.body.appendChild(same);
const srcdoc = document.createElement('iframe');
srcdoc.srcdoc = '<p>srcdoc</p>';
srcdoc.onload = () => probeIn('srcdoc frame', srcdoc);
document.body.appendChild(srcdoc);
addEventListener('message', (e) => { if (e.data && e.data.probe) record(e.data.probe, e.data.result); });
const sandboxed = document.createElement('iframe');
sandboxed.setAttribute('sandbox', 'allow-scripts');
const post = '.then((r) => parent.postMessage({ probe: "sandboxed frame", result: r }, "*"))';
sandboxed.srcdoc = '<script>(' + PROBE + ')()' + post + ';<\\/script>';
document.body.appendChild(sandboxed);
try {
  const source = '(' + PROBE + ')().then((r) => postMessage(r), (e) => postMessage({ error: String(e) }));';
  const blob = new Blob([source], { type: 'text/javascript' });
  const worker = new Worker(URL.createObjectURL(blob));
  worker.onmessage = (e) => record('worker', e.data);
  worker.onerror = () => record('worker', { error: 'onerror' });
} catch (e) { fail('worker')(e); }
const started = Date.now();
(function publish() {
  if (expected.every((k) => k in results) || Date.now() - started > 3000) {
    document.getElementById('probe').textContent = JSON.stringify(results);
  } else setTimeout(publish, 50);
})();
`;

export function contextProbePage(): string {
  return page({
    title: CONTEXT_PROBE_TITLE,
    body: `<main><h1>Context probe</h1>\n<pre id="probe"></pre></main>\n<script>${PAGE_SCRIPT}</script>`,
  });
}

/** The frame the probe page loads from its own origin. */
export function contextProbeFrame(): string {
  return page({ title: 'Context probe frame', body: '<p>frame</p>' });
}

/** Each context's record, read from the probe page's DOM; null when it had not published. */
export function probedContexts(html: string): Record<string, Record<string, unknown>> | null {
  const m = /<pre id="probe">([^<]+)<\/pre>/.exec(html);
  if (!m) return null;
  const text = m[1]
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return JSON.parse(text) as Record<string, Record<string, unknown>>;
}
