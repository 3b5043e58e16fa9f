// A fingerprint gate made of the checks public bot-detection scripts run that the gate of
// cloak-kits.ts does not (CreepJS's "lies", FingerprintJS's BotD, the checks
// puppeteer-extra-plugin-stealth's evasions answer): the shape of the plugin list as Blink's
// own getters read it, realms the init script may not reach (a sandboxed frame, a dedicated, shared
// or service worker) against the page (navigator, client hints, time zone, locale, the WebGL
// renderer of an OffscreenCanvas), the replaced functions under CreepJS's tests, the User-Agent
// of a service worker's script request, names on window no browser has, what a phone has not
// (chrome.app, WebHID in any realm), a wrapper's frames in a native error's stack, window.chrome
// after the attributes Chromium installs after it.
// A visitor that shows any tell is sent to the encyclopedia page with the tells in `?why=`.
import { HOSTS } from '../hosts.js';
import { jsString, page } from '../pages.js';
import { defineScenario, type ScenarioDefinition } from './common.js';
import { CLOAKED_DESTINATION, CLOAKED_TITLE } from './hostile.js';
import { antibotTells, BENIGN_URL } from './cloak-kits.js';

const TELLS = `https://${HOSTS.cloak}/tells`;

/** The URL of the tells gate, with a path of the caller's own (each test its own link). */
export function tellsUrl(path = 'em'): string {
  return `${TELLS}/gate/${path}`;
}

/** What a realm says of its navigator: the page, a frame and every kind of worker post the same list (a phone's has WebHID in none). */
const NAVIGATOR_SUMMARY = `[navigator.userAgent, JSON.stringify(navigator.languages), navigator.hardwareConcurrency,
  navigator.deviceMemory, navigator.platform, navigator.webdriver === true,
  navigator.userAgentData ? JSON.stringify(navigator.userAgentData.brands) + navigator.userAgentData.platform : '',
  Intl.DateTimeFormat().resolvedOptions().timeZone, new Date(2026, 0, 15).getTimezoneOffset(), Intl.DateTimeFormat().resolvedOptions().locale,
  (() => { try { const gl = new OffscreenCanvas(1, 1).getContext('webgl'); const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)); } catch (e) { return 'no webgl'; } })(),
  !!(navigator.userAgentData && navigator.userAgentData.mobile && ('hid' in navigator || typeof HID !== 'undefined'))]`;

const WORKER_CODE = `const summary = () => ${NAVIGATOR_SUMMARY};
${workerListeners()}`;

function workerListeners(): string {
  return `self.onconnect = (e) => e.ports[0].postMessage(summary());
self.onmessage = (e) => (e.ports[0] || self).postMessage(summary());`;
}

/**
 * The service worker's script, as its request deserves: Chromium fetches it for no page, with the
 * browser's own User-Agent where no one says another, and with no client hints (Chromium 156 by
 * itself sends none there; any it has must agree with the User-Agent). A script requested as
 * no Chrome requests it says so instead of the navigator.
 */
function serviceWorkerScript(rawHeaders: readonly string[]): string {
  const hints = rawHeaders.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'sec-ch-ua');
  const tells = antibotTells(rawHeaders, hints).filter((t) => /client-hints|user-agent|bot-word/.test(t));
  return tells.length === 0
    ? WORKER_CODE
    : `const summary = () => [${jsString(`script request: ${tells.join('+')}`)}];\n${workerListeners()}`;
}

export function tellsScript(): string {
  return `
(async () => {
  const failed = [];
  // A check answers true or what it saw (a string) when it caught the visitor.
  const check = async (name, test) => {
    try { const r = await test(); if (r) failed.push(typeof r === 'string' ? name + ':' + r : name); } catch (e) { failed.push(name + ':threw ' + e); }
  };
  const describe = (o, k) => Object.getOwnPropertyDescriptor(o, k);
  const mine = JSON.stringify(${NAVIGATOR_SUMMARY.replace(/navigator\.webdriver === true/, 'false')});
  const within = (ms, promise) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('timeout'), ms))]);
  // A window has no own property named like an automation's or a patch's ($cdc_, __webdriver, __ct_...): a real Chrome's has none that begins with _ or $.
  await check('window-own', () => Object.getOwnPropertyNames(window).filter((k) => /^[_$]/.test(k)).join('+'));
  // Chromium makes window.chrome before a secure context's attributes (speechSynthesis, caches...):
  // one a script added after them comes after them in Object.keys(window).
  await check('chrome-place', () => {
    const keys = Object.keys(window);
    return keys.includes('chrome') && keys.includes('speechSynthesis') && keys.indexOf('chrome') > keys.indexOf('speechSynthesis');
  });
  // Chrome on Android has no extensions, whose bindings make chrome.app: a phone's window.chrome has loadTimes and csi only.
  await check('phone-chrome-app', () => !!(navigator.userAgentData && navigator.userAgentData.mobile && window.chrome && 'app' in window.chrome));
  // An error a native function throws (or rejects with) has frames of the page only; a script
  // without a URL (an injected one, "<anonymous>:line:column") under it is a wrapper's.
  await check('error-stacks', async () => {
    const injected = (e) => /<anonymous>:\\d+:\\d+/.test(String(e && e.stack));
    const caught = [];
    const sync = (name, run) => { try { run(); } catch (e) { if (injected(e)) caught.push(name); } };
    const later = async (name, run) => { try { await run(); } catch (e) { if (injected(e)) caught.push(name); } };
    sync('Worker', () => new Worker());
    if (window.SharedWorker) sync('SharedWorker', () => new SharedWorker());
    sync('addEventListener', () => document.addEventListener());
    await later('permissions.query', () => navigator.permissions.query({ name: 'bogus' }));
    if (navigator.userAgentData) await later('getHighEntropyValues', () => navigator.userAgentData.getHighEntropyValues(5));
    return caught.join('+');
  });
  // Native Navigator has no own properties: a stealth patch on the instance shows.
  await check('navigator-own', () => Object.getOwnPropertyNames(navigator).length !== 0 || Object.getOwnPropertySymbols(navigator).length !== 0);
  await check('webdriver-false', () => navigator.webdriver !== false || !describe(Navigator.prototype, 'webdriver'));
  // The plugin list read through Blink's own getters (a fake object makes them throw "Illegal invocation").
  await check('plugin-getters', () => {
    if (!navigator.plugins.length) return false;
    const plugin = navigator.plugins[0];
    const mime = navigator.mimeTypes[0];
    return [!(plugin instanceof Plugin), !(mime instanceof MimeType),
      describe(Plugin.prototype, 'name').get.call(plugin) !== plugin.name,
      describe(Plugin.prototype, 'length').get.call(plugin) !== plugin.length,
      describe(MimeType.prototype, 'type').get.call(mime) !== mime.type,
      describe(MimeType.prototype, 'enabledPlugin').get.call(mime) !== mime.enabledPlugin,
      describe(PluginArray.prototype, 'length').get.call(navigator.plugins) !== navigator.plugins.length,
      describe(MimeTypeArray.prototype, 'length').get.call(navigator.mimeTypes) !== navigator.mimeTypes.length,
      PluginArray.prototype.item.call(navigator.plugins, 0) !== plugin,
      Plugin.prototype.item.call(plugin, 0).type !== plugin[0].type].map(Number).join('').replace(/^0+$/, '');
  });
  await check('plugin-own', () => navigator.plugins.length > 0 &&
    ['name', 'filename', 'description', 'length'].some((k) => Object.prototype.hasOwnProperty.call(navigator.plugins[0], k)) ||
    navigator.mimeTypes.length > 0 &&
      ['type', 'suffixes', 'description', 'enabledPlugin'].some((k) => Object.prototype.hasOwnProperty.call(navigator.mimeTypes[0], k)) ||
    ['length', 'item', 'namedItem'].some((k) => Object.prototype.hasOwnProperty.call(navigator.plugins, k)));
  // CreepJS's lies: a native method or getter under Object.create, class extends, a prototype loop.
  await check('creep-lies', () => [
    describe(Navigator.prototype, 'plugins').get, describe(Navigator.prototype, 'languages').get, describe(Navigator.prototype, 'webdriver').get,
    describe(Screen.prototype, 'availHeight').get, Function.prototype.toString, describe(Plugin.prototype, 'name').get,
    describe(MimeType.prototype, 'type').get, PluginArray.prototype.item, Plugin.prototype.namedItem,
    window.WebGLRenderingContext && WebGLRenderingContext.prototype.getParameter,
  ].filter((f) => typeof f === 'function').some((f) => {
    const throwsType = (run) => { try { run(); return false; } catch (e) { return e instanceof TypeError; } };
    const keys = Reflect.ownKeys(f).join();
    return keys !== 'length,name' ||
      !throwsType(() => Object.create(f).toString()) ||
      !throwsType(() => { class Fake extends f {} return Fake; }) ||
      !throwsType(() => Object.setPrototypeOf(f, Object.create(f))) || Object.getPrototypeOf(f) !== Function.prototype ||
      f.hasOwnProperty('arguments') || f.hasOwnProperty('caller');
  }));
  // A sandboxed frame (an opaque origin: nothing of the page's realm reaches it) says its navigator.
  await check('sandboxed-frame', () => within(2000, new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.sandbox = 'allow-scripts';
    frame.style.display = 'none';
    frame.srcdoc = '<script>parent.postMessage({ tells: JSON.stringify(' + ${jsString(NAVIGATOR_SUMMARY)} + '), ' +
      'plugins: navigator.plugins.length, chrome: typeof window.chrome }, "*")<' + '/script>';
    addEventListener('message', (m) => {
      if (m.source !== frame.contentWindow) return;
      resolve(m.data.tells !== mine || m.data.plugins !== navigator.plugins.length || m.data.chrome !== typeof window.chrome);
    });
    document.body.appendChild(frame);
  })).then((r) => r === 'timeout' || r));
  const worker = (start) => within(3000, start().catch(() => 'failed'))
    .then((said) => said !== mine && said !== 'none' ? 'differs:' + said + ' page:' + mine : '');
  const code = URL.createObjectURL(new Blob([${jsString(WORKER_CODE)}], { type: 'text/javascript' }));
  await check('dedicated-worker', async () => (await worker(() => new Promise((resolve, reject) => {
    const w = new Worker(code);
    w.onmessage = (m) => resolve(JSON.stringify(m.data.map((v, i) => i === 5 ? false : v)));
    w.onerror = reject;
    w.postMessage('');
  }))));
  await check('shared-worker', async () => (await worker(() => new Promise((resolve, reject) => {
    if (!window.SharedWorker) return resolve('none');
    const w = new SharedWorker(code);
    w.port.onmessage = (m) => resolve(JSON.stringify(m.data.map((v, i) => i === 5 ? false : v)));
    w.onerror = reject;
  }))));
  await check('service-worker', async () => (await worker(async () => {
    if (!navigator.serviceWorker || !isSecureContext) return 'none';
    const registration = await navigator.serviceWorker.register(${jsString(`${TELLS}/sw.js`)}, { scope: ${jsString(`${TELLS}/sw/`)} });
    const sw = registration.installing || registration.waiting || registration.active;
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (m) => resolve(JSON.stringify(m.data.map((v, i) => i === 5 ? false : v)));
      sw.postMessage('', [channel.port2]);
    });
  })));
  if (failed.length === 0) location.href = ${jsString(CLOAKED_DESTINATION)};
  else location.replace(${jsString(BENIGN_URL)} + '?why=' + encodeURIComponent(failed.join(',')));
})();`;
}

export function stealthTellScenarios(): ScenarioDefinition[] {
  return [
    defineScenario(
      {
        name: 'kit-tells',
        url: tellsUrl(),
        description:
          'A fingerprint gate of the checks bot-detection scripts run on a stealth browser: own properties on navigator, the plugin list ' +
          "read through Blink's getters, CreepJS's lies on the replaced functions, and the navigator of a sandboxed frame, a dedicated, " +
          "a shared and a service worker (and their time zone, locale and OffscreenCanvas WebGL renderer) against the page's, the " +
          "User-Agent of the service worker's script request, names on window beginning with _ or $, a phone's chrome.app and WebHID, " +
          "a wrapper's frames in a native error's stack, window.chrome out of its place in Object.keys(window): " +
          'a visitor that shows any is sent to an encyclopedia page.',
        expectedVias: ['start', 'javascript'],
        finalUrl: CLOAKED_DESTINATION,
        finalTitle: CLOAKED_TITLE,
      },
      [
        {
          host: HOSTS.cloak,
          path: '/tells/gate/*',
          handle: (x) => x.html(200, page({ title: 'Please wait', body: `<p>Please wait…</p>\n<script>\n${tellsScript()}\n</script>` })),
        },
        {
          host: HOSTS.cloak,
          path: '/tells/sw.js',
          handle: (x) =>
            x.send(200, serviceWorkerScript(x.req.rawHeaders), { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' }),
        },
      ],
    ),
  ];
}
