// The script every document of a trace runs before its own: the pending-timer count settling
// needs and, for the headless shell, the parts of a desktop Chromium the shell lacks (window.chrome,
// the PDF viewer plugins) which cloaking kits test for. Replaced functions keep a native-looking
// toString(), so a page that inspects them sees what it would see in Chromium.
import { pendingTimersSnippet, PENDING_TIMERS_KEY } from './pending-timers.js';

export interface InitScriptOptions {
  settleMs: number;
  /** Add what the headless shell lacks compared with a desktop Chromium. */
  desktopShims: boolean;
  /** Reported by WEBGL_debug_renderer_info instead of the SwiftShader software renderer. */
  webgl?: { vendor: string; renderer: string };
  /** navigator.languages, where the browser's own list differs (see languagesShim). */
  languages?: readonly string[];
  /** Show what careless automation shows (the `headless` visitor): navigator.webdriver true, no plugins. */
  automationTells?: boolean;
}

export function initScript(options: InitScriptOptions): string {
  return `(() => {
  if (Object.prototype.hasOwnProperty.call(window, ${JSON.stringify(PENDING_TIMERS_KEY)})) return;
  const nativeToString = Function.prototype.toString;
  const disguised = new Map();
  function disguise(replacement, original, name) {
    disguised.set(replacement, typeof original === 'function' ? nativeToString.call(original) : 'function ' + name + '() { [native code] }');
    Object.defineProperty(replacement, 'name', { value: name });
    return replacement;
  }
  Function.prototype.toString = new Proxy(nativeToString, {
    apply(target, self, args) { return disguised.has(self) ? disguised.get(self) : Reflect.apply(target, self, args); },
  });
  disguised.set(Function.prototype.toString, nativeToString.call(nativeToString));
${pendingTimersSnippet(options.settleMs)}
${options.desktopShims ? DESKTOP_SHIMS : ''}
${options.webgl ? webglShim(options.webgl) : ''}
${options.languages ? languagesShim(options.languages) : ''}
${options.automationTells ? AUTOMATION_TELLS : ''}
})();`;
}

// The headless shell takes its Accept-Language from --accept-lang as it is (the full header, with
// q-values, see identity.ts) and splits the same string for navigator.languages, which then shows
// "en;q=0.9". Chromium's list is one frozen array, the same object at every read.
function languagesShim(languages: readonly string[]): string {
  return `
  try {
    const wanted = Object.freeze(${JSON.stringify(languages)});
    if (JSON.stringify(navigator.languages) !== JSON.stringify(wanted)) {
      const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'languages')?.get;
      const get = disguise(function () { return wanted; }, original, 'get languages');
      Object.defineProperty(Navigator.prototype, 'languages', { get, configurable: true, enumerable: true });
    }
  } catch (e) {}
`;
}

// What Chromium shows when driven without --disable-blink-features=AutomationControlled, and a
// build without the PDF viewer: the first things "detect a bot" snippets test.
const AUTOMATION_TELLS = `
  try {
    const tell = (name, value) => {
      const get = disguise(function () { return value; }, Object.getOwnPropertyDescriptor(Navigator.prototype, name)?.get, 'get ' + name);
      Object.defineProperty(Navigator.prototype, name, { get, configurable: true, enumerable: true });
    };
    tell('webdriver', true);
    tell('plugins', Object.create(PluginArray.prototype, { length: { get: () => 0 } }));
    tell('mimeTypes', Object.create(MimeTypeArray.prototype, { length: { get: () => 0 } }));
    tell('pdfViewerEnabled', false);
  } catch (e) {}
`;

// Without a GPU Chromium renders WebGL with SwiftShader and says so through
// WEBGL_debug_renderer_info; on a real GPU the page sees the real strings.
function webglShim(webgl: { vendor: string; renderer: string }): string {
  return `
  try {
    const UNMASKED_VENDOR = 0x9245, UNMASKED_RENDERER = 0x9246;
    const shown = { [UNMASKED_VENDOR]: ${JSON.stringify(webgl.vendor)}, [UNMASKED_RENDERER]: ${JSON.stringify(webgl.renderer)} };
    for (const Context of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
      if (!Context) continue;
      const original = Context.prototype.getParameter;
      const getParameter = disguise(function getParameter(name) {
        const value = Reflect.apply(original, this, arguments);
        if ((name === UNMASKED_VENDOR || name === UNMASKED_RENDERER) &&
            /SwiftShader/i.test(String(Reflect.apply(original, this, [UNMASKED_RENDERER])))) return shown[name];
        return value;
      }, original, 'getParameter');
      Object.defineProperty(Context.prototype, 'getParameter', { value: getParameter, writable: true, configurable: true, enumerable: true });
    }
  } catch (e) {}
`;
}

// What /usr/bin/chromium shows and /usr/bin/chromium-headless-shell does not (checked on 156).
const DESKTOP_SHIMS = `
  try {
    if (!window.chrome) {
      const fn = (name, body) => disguise(body, null, name);
      const app = {
        isInstalled: false,
        InstallState: { DISABLED: 'disabled', INSTALLED: 'installed', NOT_INSTALLED: 'not_installed' },
        RunningState: { CANNOT_RUN: 'cannot_run', READY_TO_RUN: 'ready_to_run', RUNNING: 'running' },
        getDetails: fn('getDetails', function getDetails() { return null; }),
        getIsInstalled: fn('getIsInstalled', function getIsInstalled() { return false; }),
        installState: fn('installState', function installState(cb) { if (typeof cb === 'function') cb('not_installed'); }),
        runningState: fn('runningState', function runningState() { return 'cannot_run'; }),
      };
      const started = performance.timeOrigin / 1000;
      const chrome = {
        app,
        csi: fn('csi', function csi() { return { startE: Math.round(started * 1000), onloadT: Date.now(), pageT: performance.now(), tran: 15 }; }),
        loadTimes: fn('loadTimes', function loadTimes() {
          return { requestTime: started, startLoadTime: started, commitLoadTime: started, finishDocumentLoadTime: 0, finishLoadTime: 0,
            firstPaintTime: 0, firstPaintAfterLoadTime: 0, navigationType: 'Other', wasFetchedViaSpdy: false, wasNpnNegotiated: false,
            npnNegotiatedProtocol: 'unknown', wasAlternateProtocolAvailable: false, connectionInfo: 'http/1.1' };
        }),
      };
      Object.defineProperty(window, 'chrome', { value: chrome, writable: true, configurable: true, enumerable: true });
    }
    if (navigator.plugins.length === 0) {
      const mimeSpecs = [['application/pdf', 'pdf'], ['text/pdf', 'pdf']];
      const names = ['PDF Viewer', 'Chrome PDF Viewer', 'Chromium PDF Viewer', 'Microsoft Edge PDF Viewer', 'WebKit built-in PDF'];
      const mimeTypes = Object.create(MimeTypeArray.prototype);
      const plugins = Object.create(PluginArray.prototype);
      const mimes = mimeSpecs.map(([type, suffixes], i) => {
        const m = Object.create(MimeType.prototype);
        Object.defineProperties(m, { type: { get: () => type }, suffixes: { get: () => suffixes }, description: { get: () => 'Portable Document Format' } });
        Object.defineProperty(mimeTypes, i, { value: m, enumerable: true });
        Object.defineProperty(mimeTypes, type, { value: m });
        return m;
      });
      names.forEach((name, i) => {
        const p = Object.create(Plugin.prototype);
        Object.defineProperties(p, {
          name: { get: () => name }, filename: { get: () => 'internal-pdf-viewer' }, description: { get: () => 'Portable Document Format' },
          length: { get: () => mimes.length },
        });
        mimes.forEach((m, j) => Object.defineProperty(p, j, { value: m, enumerable: true }));
        Object.defineProperty(plugins, i, { value: p, enumerable: true });
        Object.defineProperty(plugins, name, { value: p });
      });
      for (const m of mimes) Object.defineProperty(m, 'enabledPlugin', { get: () => plugins[0] });
      const list = (arr, count) => {
        Object.defineProperty(arr, 'length', { get: () => count });
        const item = disguise(function item(i) { return arr[i] ?? null; }, null, 'item');
        const namedItem = disguise(function namedItem(n) { return arr[n] ?? null; }, null, 'namedItem');
        Object.defineProperties(arr, { item: { value: item }, namedItem: { value: namedItem } });
      };
      list(mimeTypes, mimes.length);
      list(plugins, names.length);
      const getter = (name, value) => {
        const get = disguise(function () { return value; }, Object.getOwnPropertyDescriptor(Navigator.prototype, name)?.get, 'get ' + name);
        Object.defineProperty(Navigator.prototype, name, { get, configurable: true, enumerable: true });
      };
      getter('plugins', plugins);
      getter('mimeTypes', mimeTypes);
      getter('pdfViewerEnabled', true);
    }
  } catch (e) {}
`;
