// A browser session for one trace: a fresh browser context whose traffic goes through its own
// recording proxy, and its first page, set up before any navigation. When a browser serves many
// traces, the next trace's session is opened while the current one finishes; it is equally fresh
// (nothing has been loaded in it) and the proxy gets the trace's settings when taken.
import { join } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import type { CaptureIdentity } from '../model.js';
import { RecordingProxy } from '../proxy/recording-proxy.js';
import { Resolver } from '../proxy/resolver.js';
import { proxyCertificateAuthority } from '../proxy/proxy-ca.js';
import type { AttachedTarget, Browser } from './browser.js';
import type { CdpSession } from '../cdp/connection.js';
import {
  availableScreenOf,
  LANGUAGES,
  navigatorPlatform,
  phoneBatteryLevel,
  OFF_CURSOR_TOP,
  screenOf,
  userAgentMetadata,
  visitorHardware,
  windowBounds,
  windowPlacement,
  type UserAgentMetadata,
  type WindowBounds,
} from './identity.js';
import { initScript, PHONE_WORKER_SCRIPT, workerScript, type WorkerVisitor } from './init-script.js';
import { overrideDeviceMetrics } from './device-metrics.js';
import { withTimeout } from './page-observer.js';

export interface BrowserSession {
  browser: Browser;
  proxy: RecordingProxy;
  contextId: string;
  /**
   * The first page, on no document of its own yet (FIRST_PAGE_URL) and set up: the full build's
   * runs, the headless shell's is paused with its set-up sent; the trace navigates it, then runs
   * it (runFirstPage).
   */
  first: AttachedTarget;
  /** Its set-up (preparePage): the headless shell answers it only once the page runs. */
  firstPrepared: Promise<void>;
  /** Receives every later page of the context (popups), still paused; until set, they queue. */
  onPopup: ((target: AttachedTarget) => void) | null;
  queuedPopups: AttachedTarget[];
  identity: CaptureIdentity;
  settleMs: number;
}

interface Spare {
  key: string;
  session: Promise<BrowserSession | null>;
}

const spares = new WeakMap<Browser, Spare>();

/** What preparePage reads of a session. */
type PageSetup = Pick<BrowserSession, 'browser' | 'identity' | 'settleMs' | 'first'>;

function sessionKey(identity: CaptureIdentity, settleMs: number): string {
  return JSON.stringify([identity, settleMs]);
}

/** Applies the trace's identity and instrumentation to a page that has not run yet. */
export async function preparePage(session: PageSetup, target: AttachedTarget): Promise<void> {
  const { identity, settleMs, browser } = session;
  const mobile = identity.device === 'mobile';
  const screen = screenOf(identity.device, identity.viewport);
  const pageWindow = windowBounds(identity);
  const hardware = visitorHardware(identity);
  const send = target.session.send.bind(target.session);
  await Promise.all([
    send('Page.enable'),
    // Bodies come from our proxy, never from CDP: Chromium is told to keep no copy of them (by
    // default each renderer keeps a copy of every response body, for Network.getResponseBody).
    send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0, maxPostDataSize: 0 }),
    send('Security.setIgnoreCertificateErrors', { ignore: true }),
    // No acceptLanguage here: the browser has the identity's languages from its launch flag
    // (identity.ts acceptLanguageFlag), so Accept-Language keeps Chromium's own place and form.
    send('Emulation.setUserAgentOverride', userAgentOverride(browser, identity)),
    // A phone's in the full build are given again before its touches (device-metrics.ts, touch.ts).
    overrideDeviceMetrics(
      target.session,
      {
        width: identity.viewport.width,
        height: identity.viewport.height,
        deviceScaleFactor: mobile ? 2.625 : 1,
        mobile,
        screenWidth: screen.width,
        screenHeight: screen.height,
        // Unless told, a phone's screen is "landscape-primary" whatever its shape, where
        // (orientation: portrait) matches and window.orientation says 0.
        screenOrientation: screen.height > screen.width ? { type: 'portraitPrimary', angle: 0 } : { type: 'landscapePrimary', angle: 0 },
        // A desktop window's position as the page reads it (screenX/screenY): the headless shell's
        // window itself sits lower by the toolbars it lacks (identity.ts windowPlacement).
        ...(mobile ? {} : { positionX: pageWindow.left, positionY: pageWindow.top }),
      },
      mobile && browser.kind === 'full',
    ),
    // The window around the viewport (outerWidth/outerHeight, screenX/screenY): created at its size
    // (launch flags, Target.createTarget); a first page of another size is resized before it loads.
    // A desktop popup's is where Chromium put it, if not over the cursor; a phone shows every page
    // in the same place (where its touches say the page is), and its page is told its window by emulation.
    target === session.first || mobile
      ? placeWindow(session.browser, target, windowPlacement(identity, browser.kind), mobile ? null : pageWindow)
      : moveOffCursor(session.browser, target),
    // The headless shell reports navigator.connection.rtt 0 ("no network estimate"), a tell;
    // this sets what the page is told without slowing a request (unlike emulateNetworkConditions).
    ...(browser.kind === 'shell' && !identity.headless ? [send('Network.overrideNetworkState', NETWORK_STATE).catch(() => undefined)] : []),
    // The workers must say the visitor's cores and memory too, in either build.
    ...(hardware ? [prepareWorkers(browser, target, identity.languages ?? LANGUAGES, workerVisitor(browser, identity))] : []),
    // The visitor's cores (navigator.hardwareConcurrency, natively); its memory is the init script's.
    ...(hardware ? [send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: hardware.cores }).catch(() => undefined)] : []),
    ...(mobile ? [send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 })] : []),
    // A popup sharing its opener's renderer already has these (and may not set them twice).
    send('Emulation.setLocaleOverride', { locale: identity.locale }).catch(() => undefined),
    send('Emulation.setTimezoneOverride', { timezoneId: identity.timezone }).catch(() => undefined),
    // A visitor's page has focus from the start (document.hasFocus(), the window's focus event); a
    // page of ours lost it at times to another context's window (a spare session's, one closing).
    send('Emulation.setFocusEmulationEnabled', { enabled: true }).catch(() => undefined),
    send('Network.setBypassServiceWorker', { bypass: true }),
    send('Page.addScriptToEvaluateOnNewDocument', {
      source: initScript({
        settleMs,
        desktopShims: browser.kind === 'shell' && !identity.headless,
        languages: identity.languages ?? LANGUAGES,
        window: pageWindow,
        ...(identity.headless ? { automationTells: true } : {}),
        ...(identity.webgl ? { webgl: identity.webgl } : {}),
        ...(hardware?.memoryGb ? { memoryGb: hardware.memoryGb } : {}),
        ...(mobile && !identity.headless
          ? { phone: true, browserPlugins: browser.kind === 'full', batteryLevel: phoneBatteryLevel() }
          : {}),
        ...(!mobile && !identity.headless ? { availableScreen: availableScreenOf(identity.device, identity.viewport) } : {}),
        ...(hardware?.heapLimit ? { heapLimit: hardware.heapLimit } : {}),
      }),
    }),
  ]);
}

/** What navigator.connection says in the shell: the estimate a desktop Chromium starts with on a broadband line. */
const NETWORK_STATE = { offline: false, latency: 100, downloadThroughput: 1_250_000, uploadThroughput: 1_250_000 };

/** The visitor's User-Agent, platform and client hints, as a page's and a worker's override give them. */
function userAgentOverride(browser: Browser, identity: CaptureIdentity) {
  const metadata = userAgentMetadata(identity.device, browser.version());
  return {
    userAgent: identity.userAgent,
    platform: navigatorPlatform(identity.device),
    userAgentMetadata: identity.headless ? headlessMetadata(metadata) : metadata,
  };
}

/** What a visitor's workers must say of it (workerScript). */
function workerVisitor(browser: Browser, identity: CaptureIdentity): WorkerVisitor {
  const hardware = visitorHardware(identity);
  return {
    ...(hardware ? { hardware } : {}),
    platform: navigatorPlatform(identity.device),
    userAgent: identity.userAgent,
    ...(identity.webgl ? { webgl: identity.webgl } : {}),
    phone: identity.device === 'mobile',
    permissionStates: browser.kind === 'shell' && !identity.headless,
  };
}

/**
 * A shared or service worker belongs to no page: no page's user-agent override reaches it, and it
 * said the browser's own User-Agent ("HeadlessChrome", in both builds), client hints (the
 * shell's with a "HeadlessChrome" brand), cores and languages, to its script and in the headers of
 * what it fetched. Each is given the visitor's, as a dedicated worker is, before it runs.
 */
function prepareContextWorkers(browser: Browser, contextId: string, identity: CaptureIdentity): void {
  // Made when a worker comes, not for every trace: most pages start none.
  browser.onContextWorker(contextId, ({ session: worker }) => {
    const script = workerScript(identity.languages ?? LANGUAGES, workerVisitor(browser, identity));
    void Promise.all([
      worker.send('Network.setUserAgentOverride', userAgentOverride(browser, identity)).catch(() => undefined),
      worker.send('Runtime.evaluate', { expression: script }).catch(() => undefined),
    ]).then(() => worker.send('Runtime.runIfWaitingForDebugger').catch(() => undefined));
  });
}

/**
 * Every dedicated worker the page starts runs workerScript first: it is attached paused, given
 * the script, then resumed; a phone's runs PHONE_WORKER_SCRIPT too, just before its own script.
 * Runtime is never enabled (kits detect that by the console).
 */
function prepareWorkers(browser: Browser, target: AttachedTarget, languages: readonly string[], visitor: WorkerVisitor): Promise<unknown> {
  const phone = visitor.phone === true;
  const script = workerScript(languages, visitor);
  target.session.on('Target.attachedToTarget', (event) => {
    const worker = browser.cdp.session(event.sessionId);
    const run = () => worker.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    if (event.targetInfo.type !== 'worker') return void run();
    void worker
      .send('Runtime.evaluate', { expression: script })
      .catch(() => undefined)
      .then(() => (phone ? beforeWorkerScript(worker, PHONE_WORKER_SCRIPT) : undefined))
      .then(run);
  });
  return target.session
    .send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: true,
      flatten: true,
      filter: [{ type: 'worker', exclude: false }],
    })
    .catch(() => undefined);
}

/**
 * Runs `expression` in a worker just before its own script. A paused worker has not fetched its
 * script yet, and Blink installs the interfaces of its secure context (WebHID's among them) only
 * once it has: what workerScript deletes of them comes back. The debugger stops the worker before
 * its script runs (an instrumentation breakpoint), the expression runs, and the debugger is gone
 * before the script's first statement: no `debugger` statement of the worker stops it.
 */
function beforeWorkerScript(worker: CdpSession, expression: string): Promise<unknown> {
  const ignore = () => undefined;
  worker.once('Debugger.paused', () => {
    void worker
      .send('Runtime.evaluate', { expression })
      .catch(ignore)
      .then(() => worker.send('Debugger.setSkipAllPauses', { skip: true }).catch(ignore))
      .then(() => worker.send('Debugger.resume', {}).catch(ignore))
      .then(() => worker.send('Debugger.disable').catch(ignore));
  });
  return worker
    .send('Debugger.enable', {})
    .then(() => worker.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptExecution' }))
    .catch(ignore);
}

/**
 * Gives a page's window the visitor's bounds when it has others (a browser launched for a desktop
 * visitor serving a phone's trace). Browser.setWindowBounds returns before the renderer knows, and
 * a document created meanwhile reads outerWidth 0: the page is asked until it sees the window it
 * is `told` (null: emulation tells it, whatever the window).
 */
async function placeWindow(
  browser: Browser,
  target: AttachedTarget,
  bounds: WindowBounds,
  told: { width: number; height: number } | null,
): Promise<void> {
  const cdp = browser.cdp.browser;
  try {
    const { windowId, bounds: current } = await cdp.send('Browser.getWindowForTarget', { targetId: target.targetId });
    if (current.width === bounds.width && current.height === bounds.height && current.left === bounds.left && current.top === bounds.top)
      return;
    await cdp.send('Browser.setWindowBounds', { windowId, bounds });
    for (let i = 0; told && i < 20; i++) {
      const seen = await withTimeout(
        target.session.send('Runtime.evaluate', { expression: 'outerWidth + "x" + outerHeight', returnByValue: true }),
        500,
        null,
      );
      if (!seen || seen.result.value === `${told.width}x${told.height}`) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch {
    // A build without windows: the page keeps the size it has.
  }
}

/**
 * Moves a popup's window that the headless shell opened at the host screen's origin just below it,
 * off the cursor (identity.ts OFF_CURSOR_TOP); its size stays the one it was opened with.
 */
async function moveOffCursor(browser: Browser, target: AttachedTarget): Promise<void> {
  if (browser.kind !== 'shell') return;
  const cdp = browser.cdp.browser;
  try {
    const { windowId, bounds } = await cdp.send('Browser.getWindowForTarget', { targetId: target.targetId });
    const { left = 0, top = 0, width = 0, height = 0 } = bounds;
    const overOrigin = left <= 0 && left + width > 0 && top <= 0 && top + height > 0;
    if (overOrigin) await cdp.send('Browser.setWindowBounds', { windowId, bounds: { top: OFF_CURSOR_TOP } });
  } catch {
    // A window already gone, or a build without windows.
  }
}

/** The client hints of a careless crawler: the headless build's own brand added. */
function headlessMetadata(metadata: UserAgentMetadata): UserAgentMetadata {
  const major = metadata.fullVersion.split('.')[0] ?? '';
  return {
    ...metadata,
    brands: [...metadata.brands, { brand: 'HeadlessChrome', version: major }],
    fullVersionList: [...metadata.fullVersionList, { brand: 'HeadlessChrome', version: metadata.fullVersion }],
  };
}

export function resume(target: AttachedTarget): Promise<unknown> {
  return target.session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
}

/**
 * What a session's first page is created with: a tab whose first navigation is its first history
 * entry, as a link opened from a mail client in a new tab (history.length 1 on the link's page).
 * Chromium replaces a tab's entry only while it is the initial one: created with about:blank (or
 * no URL, which means about:blank) it commits that document, and the link's page came second
 * (history.length 2). With a javascript: URL nothing commits: the full build runs it in the
 * initial empty document, which stays the initial one; the headless shell holds it, paused, and
 * the trace's navigation replaces it.
 */
export const FIRST_PAGE_URL = 'javascript:void 0';

/**
 * The first page's navigation was just sent: it runs now. Its set-up went before both on its
 * session (CDP keeps their order), so the init script and the overrides are in place for the
 * link's request and document; resolves when Chromium has answered the set-up.
 */
export function runFirstPage(session: BrowserSession): Promise<void> {
  void resume(session.first);
  return session.firstPrepared;
}

/**
 * preparePage sent now. The full build's page holds its initial empty document: it answers at
 * once and is run then, before its navigation is asked for (a page navigated while paused on a
 * document of its own crashed at times: its renderer, SIGSEGV), and the session waits for that.
 * The headless shell's has no document yet: it answers only once it runs, which must not be
 * before its navigation is asked for (it would run its javascript: URL and lose its set-up);
 * a failure then is the trace's to report (a closed spare's is nobody's).
 */
async function prepareFirstPage(session: PageSetup): Promise<{ prepared: Promise<void> }> {
  const prepared = preparePage(session, session.first);
  if (session.browser.kind === 'full') {
    await prepared;
    await resume(session.first);
  }
  prepared.catch(() => undefined);
  return { prepared };
}

function configureContext(browser: Browser, browserContextId: string): Promise<unknown> {
  const cdp = browser.cdp.browser;
  return Promise.all([
    // Downloads are announced, then cancelled by the trace; the proxy keeps the bytes.
    cdp.send('Browser.setDownloadBehavior', {
      behavior: 'allowAndName',
      browserContextId,
      downloadPath: join(browser.profileDir, 'downloads'),
      eventsEnabled: true,
    }),
    // The headless shell has none of a browser's default permissions (SHELL_PERMISSION_DEFAULTS).
    // Its notification permission query says "prompt", as a browser's does, and the init script
    // makes Notification.permission say "default" (the shell's says "denied" whatever the setting).
    ...(browser.kind === 'shell'
      ? Object.entries<Protocol.Browser.PermissionSetting>({ notifications: 'prompt', ...SHELL_PERMISSION_DEFAULTS }).map(
          ([name, setting]) =>
            cdp.send('Browser.setPermission', { permission: { name }, setting, browserContextId }).catch(() => undefined),
        )
      : []),
  ]);
}

/**
 * What a browser's content settings grant or deny before a site asks, and the headless shell,
 * which has none, answered "prompt" to (navigator.permissions.query): the full build's answers on
 * a fresh profile (156), for every origin of the context. The storage-access permission the full
 * build grants a top-level page is left out: granted for every origin it would be granted to
 * cross-site frames too, which would change what they can do.
 */
const SHELL_PERMISSION_DEFAULTS: Record<string, Protocol.Browser.PermissionSetting> = {
  'clipboard-write': 'granted',
  'background-sync': 'granted',
  'background-fetch': 'granted',
  'periodic-background-sync': 'denied',
  accelerometer: 'granted',
  gyroscope: 'granted',
  magnetometer: 'granted',
  'screen-wake-lock': 'granted',
  'payment-handler': 'granted',
  'keyboard-lock': 'granted',
  'pointer-lock': 'granted',
};

/** Until the trace configures it, a session's proxy records nothing and reaches nothing. */
function idleProxy(): RecordingProxy {
  return new RecordingProxy({
    ca: proxyCertificateAuthority(),
    resolver: new Resolver({ connectTo: [], resolve: [] }),
    onExchange: () => undefined,
  });
}

/** A page opened later in the session's context (a popup) goes to the trace, or waits for it. */
function deliverPopup(session: BrowserSession, target: AttachedTarget): void {
  if (session.onPopup) session.onPopup(target);
  else session.queuedPopups.push(target);
}

/**
 * The session of a browser launched for one trace (`singleTrace`): its default context, fresh
 * with the profile, behind the proxy port it was launched with, and a first page opened in it
 * now (Chromium opened none at start). Null when the browser was not launched that way.
 */
export async function initialSession(browser: Browser, identity: CaptureIdentity, settleMs: number): Promise<BrowserSession | null> {
  const reserved = browser.reservedProxy;
  if (!reserved) return null;
  // The default context's first page (browser.ts initialPage); if Chromium never announces it, a new context is used instead.
  const created = browser.cdp.browser.send('Target.createTarget', { url: FIRST_PAGE_URL, ...windowPlacement(identity, browser.kind) });
  created.catch(() => undefined);
  const first = await withTimeout(browser.initialPage, 3000, null);
  if (!first) return null;
  const proxy = idleProxy();
  proxy.adopt(reserved);
  const session: BrowserSession = {
    browser,
    proxy,
    contextId: first.browserContextId,
    first,
    firstPrepared: Promise.resolve(),
    onPopup: null,
    queuedPopups: [],
    identity,
    settleMs,
  };
  browser.onContextTarget(session.contextId, (target) => deliverPopup(session, target));
  prepareContextWorkers(browser, session.contextId, identity);
  const [{ prepared }] = await Promise.all([prepareFirstPage(session), configureContext(browser, session.contextId), created]);
  session.firstPrepared = prepared;
  return session;
}

export async function openSession(browser: Browser, identity: CaptureIdentity, settleMs: number): Promise<BrowserSession> {
  const proxy = idleProxy();
  const port = await proxy.listen();
  let contextId: string | null = null;
  try {
    ({ browserContextId: contextId } = await browser.cdp.browser.send('Target.createBrowserContext', {
      proxyServer: `http://127.0.0.1:${port}`,
      // Chromium sends loopback addresses around a proxy unless told otherwise.
      proxyBypassList: '<-loopback>',
      disposeOnDetach: true,
    }));
    const id = contextId;
    // The context's first page is the one created below; any later one is a popup.
    let session: BrowserSession | null = null;
    const early: AttachedTarget[] = [];
    let foundFirst: (target: AttachedTarget) => void = () => undefined;
    const firstAttached = new Promise<AttachedTarget>((resolve) => (foundFirst = resolve));
    browser.onContextTarget(id, (target) => {
      if (session) return deliverPopup(session, target);
      if (early.length === 0) foundFirst(target);
      early.push(target);
    });
    prepareContextWorkers(browser, id, identity);
    await Promise.all([
      configureContext(browser, id),
      browser.cdp.browser.send('Target.createTarget', {
        url: FIRST_PAGE_URL,
        browserContextId: id,
        ...windowPlacement(identity, browser.kind),
      }),
    ]);
    const first = await firstAttached;
    const { prepared } = await prepareFirstPage({ browser, identity, settleMs, first });
    session = {
      browser,
      proxy,
      contextId: id,
      first,
      firstPrepared: prepared,
      onPopup: null,
      queuedPopups: early.slice(1),
      identity,
      settleMs,
    };
    return session;
  } catch (err) {
    if (contextId) {
      browser.onContextTarget(contextId, null);
      browser.onContextWorker(contextId, null);
      await browser.cdp.browser.send('Target.disposeBrowserContext', { browserContextId: contextId }).catch(() => undefined);
    }
    await proxy.close();
    throw err;
  }
}

/** A session for this identity: the spare one if it matches, else a new one. */
export async function takeSession(browser: Browser, identity: CaptureIdentity, settleMs: number): Promise<BrowserSession> {
  const spare = spares.get(browser);
  spares.delete(browser);
  if (spare) {
    const session = await spare.session;
    if (session && spare.key === sessionKey(identity, settleMs) && !session.first.session.detached) return session;
    if (session) await closeSession(session);
  }
  return openSession(browser, identity, settleMs);
}

const watched = new WeakSet<Browser>();

/** Opens the next trace's session in the background (one spare per browser). */
export function prepareSpare(browser: Browser, identity: CaptureIdentity, settleMs: number): void {
  if (spares.has(browser) || !browser.isConnected()) return;
  const session = openSession(browser, identity, settleMs).catch(() => null);
  spares.set(browser, { key: sessionKey(identity, settleMs), session });
  if (!watched.has(browser)) {
    watched.add(browser);
    // The spare's proxy must not outlive its browser (it would keep the process running).
    browser.on('disconnected', () => {
      const spare = spares.get(browser);
      spares.delete(browser);
      void spare?.session.then((s) => s?.proxy.close());
    });
  }
}

export async function closeSession(session: BrowserSession, { disposeContext = true } = {}): Promise<void> {
  session.onPopup = null;
  if (disposeContext) await disposeSessionContext(session);
  await endRecording(session);
}

/** Nothing more is recorded: the proxy closes (exchanges still open end as aborted) and new pages are not routed. */
export async function endRecording(session: BrowserSession): Promise<void> {
  session.onPopup = null;
  session.browser.onContextTarget(session.contextId, null);
  session.browser.onContextWorker(session.contextId, null);
  await session.proxy.close();
}

export async function disposeSessionContext(session: BrowserSession): Promise<void> {
  await session.browser.cdp.browser.send('Target.disposeBrowserContext', { browserContextId: session.contextId }).catch(() => undefined);
}
