// The command line Chromium runs with for a capture, and why each flag is there.
import { windowFlags } from './identity.js';
import type { BrowserKind } from './chromium-process.js';

export const CHROMIUM_ARGS = [
  // Chromium's own traffic (updates, sync, safe browsing) would pollute the evidence.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-client-side-phishing-detection',
  '--disable-domain-reliability',
  '--disable-field-trial-config',
  '--disable-breakpad',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--no-pings',
  // QUIC cannot go through an HTTP proxy; without this Chromium may try it directly.
  '--disable-quic',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // Hides navigator.webdriver, the most common automation check of cloaking pages.
  '--disable-blink-features=AutomationControlled',
];

/**
 * The renderer's JavaScript heap limit (MB). V8 sizes it from the machine's memory, so a page that
 * allocates while it loads took the process tree (node and every Chromium process, RSS summed) to
 * 4.5 GB before V8 stopped it, and to 2.6 GB within 50 s on this loaded 2-core machine. Measured
 * peaks of that page with a cap: 256 MB: 0.77 GB; 512 MB: 1.0 GB; 1024 MB: 1.5 GB. The renderer
 * then dies of "out of memory", which the trace reports (test/hostile-browser.test.ts).
 */
export const RENDERER_HEAP_MB = 512;

// HttpsUpgrades would try https:// before an http:// link, spending a single-use link on a URL
// the mail never contained. Site isolation is off so that one renderer (and one CDP session)
// sees a page and all its frames, and a cross-site hop costs no new process.
const DISABLED_FEATURES = [
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'PaintHolding',
  'Translate',
  'OptimizationHints',
  'MediaRouter',
  'DialMediaRouteProvider',
  'IsolateOrigins',
  'site-per-process',
];

const CAPTURE_ARGS = [
  ...CHROMIUM_ARGS,
  `--disable-features=${DISABLED_FEATURES.join(',')}`,
  '--disable-site-isolation-trials',
  // Popups are part of chains: they are followed, not blocked.
  '--disable-popup-blocking',
  '--disable-back-forward-cache',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  // Chromium's IPC flooding protection (at most 200 navigations per 10 s from a page) stays on: it
  // is what stops a pushState storm from flooding the browser, and no chain comes near it (a
  // trace stops at --max-hops, 50 by default).
  '--disable-hang-monitor',
  // The full build shows its first window an infobar ("You are using an unsupported command-line
  // flag", for one of those above) that pushes the page 56 px further down the screen than its
  // toolbars say, which an event's screenY shows (identity.ts windowPlacement). This test-harness
  // switch suppresses it; it changes nothing else a page is known to read.
  '--test-type',
  '--disable-extensions',
  '--password-store=basic',
  '--use-mock-keychain',
  '--mute-audio',
  // A browser without capture devices answers navigator.mediaDevices.enumerateDevices() with an
  // empty list, which no phone and few desktops do, and kits check it. Chromium's fake devices
  // (a microphone, a camera, a speaker) are listed as a real browser lists them before a site is
  // allowed to use them: one of each kind, without labels or ids. No site is ever allowed to.
  '--use-fake-device-for-media-stream',
  '--hide-scrollbars',
  '--force-color-profile=srgb',
  // A headless browser finds no pointing device: (pointer: none), (hover: none), which no desktop
  // has. Blink's settings are given a mouse instead (pointer types: 4 fine; hover types: 2 hover).
  // A phone's page gets (pointer: coarse) and (hover: none) from touch emulation (session.ts).
  '--blink-settings=primaryPointerType=4,availablePointerTypes=4,primaryHoverType=2,availableHoverTypes=2',
  `--js-flags=--max-old-space-size=${RENDERER_HEAP_MB}`,
];

// Every context brings its own recording proxy; this one only catches stray browser traffic.
const DEAD_PROXY = ['--proxy-server=http://127.0.0.1:9'];

export interface CaptureLaunch {
  profileDir: string;
  /** The port of the recording proxy the default context uses, or null (each context gets its own). */
  proxyPort: number | null;
  noSandbox: boolean;
  singleProcess: boolean;
  /** Chromium's --accept-lang flag for the build (identity.ts: acceptLanguageFlag). */
  acceptLanguage: string;
  kind: BrowserKind;
  /** proxyLeafKeyHash(): the recording proxy's certificates, trusted as valid. */
  trustedKeyHash: string;
}

export function captureArgs(launch: CaptureLaunch): string[] {
  return [
    '--headless',
    '--remote-debugging-pipe',
    `--user-data-dir=${launch.profileDir}`,
    ...CAPTURE_ARGS,
    launch.acceptLanguage,
    // Windows the size of the desktop visitor's, its viewport with toolbars (identity.ts windowPlacement).
    ...windowFlags(launch.kind),
    ...(launch.proxyPort !== null
      ? [`--proxy-server=http://127.0.0.1:${launch.proxyPort}`, '--proxy-bypass-list=<-loopback>']
      : DEAD_PROXY),
    // Our proxy's certificates count as valid, not as errors ignored (Security.setIgnoreCertificateErrors,
    // kept as a fallback): a connection with a certificate error keeps no HSTS (an https page's
    // Strict-Transport-Security was dropped, and its http:// link requested as such, where a real
    // browser upgrades it itself), and its responses are not cached.
    `--ignore-certificate-errors-spki-list=${launch.trustedKeyHash}`,
    ...(launch.noSandbox ? ['--no-sandbox'] : []),
    ...(launch.singleProcess ? ['--single-process'] : []),
    // No start-up tab: a trace's first page is created by session.ts on no document at all (its
    // first navigation then is the tab's first history entry). Given no URL, the headless shell
    // opens none; the full build would open its new-tab page.
    ...(launch.kind === 'full' ? ['--no-startup-window'] : []),
  ];
}

/** The flags a case records: profile folder and proxy port left out (they change with every run). */
export function recordedFlags(args: string[]): string[] {
  return args.filter((a) => a.startsWith('--') && !a.startsWith('--user-data-dir=') && !a.startsWith('--proxy-server='));
}
