import type { CaptureIdentity } from '../model.js';
import type { BrowserKind } from './chromium-process.js';

export type Device = 'desktop' | 'mobile';

/** The languages of every trace, most preferred first (navigator.languages). */
export const LANGUAGES: readonly string[] = ['en-US', 'en'];

/**
 * Accept-Language as Chromium builds it from a language list (net::HttpUtil::
 * GenerateAcceptLanguageHeader): the first without a q-value, then q falling by 0.1 from 0.9,
 * never below 0.1.
 */
export function acceptLanguageHeader(languages: readonly string[]): string {
  return languages.map((lang, i) => (i === 0 ? lang : `${lang};q=${(Math.max(10 - i, 1) / 10).toFixed(1)}`)).join(',');
}

/**
 * The launch flag that gives a build `languages` as its own: Chromium then sends Accept-Language
 * where it sends its own (last, after Accept-Encoding) and navigator.languages follows. An
 * Accept-Language given to Emulation.setUserAgentOverride instead is placed right after
 * User-Agent, a position no browser uses, and gets q-values appended to any it has. The full
 * build adds the q-values itself; the headless shell sends the flag's value as it is, so it gets
 * the finished header (and its navigator.languages, which would show the q-values, is set by the
 * init script).
 */
export function acceptLanguageFlag(kind: BrowserKind, languages: readonly string[] = LANGUAGES): string {
  return `--accept-lang=${kind === 'shell' ? acceptLanguageHeader(languages) : languages.join(',')}`;
}

const DESKTOP_VIEWPORT = { width: 1366, height: 768 };

/**
 * What Chrome on an Android 12 phone shows around its page, in CSS pixels (dp): the status bar
 * above (AOSP frameworks/base/core/res/res/values/dimens.xml status_bar_height_portrait, 24dp),
 * Chrome's toolbar with the URL bar below it (chrome/android/java/res/values/dimens.xml
 * toolbar_height_no_shadow, 56dp; shown when a page loads) and the gesture navigation bar at the
 * bottom (AOSP packages/overlays/NavigationBarModeGesturalOverlay navigation_bar_height, 16dp;
 * the default navigation of Android 12 phones). The page's viewport is the screen less these.
 */
export const PHONE_BARS = { status: 24, toolbar: 56, navigation: 16 } as const;

/** The OnePlus 7T's screen, 1080x2400 pixels at 2.625 (CSS pixels, rounded as Chromium does). */
const PHONE_SCREEN = { width: 412, height: 915 };
const MOBILE_VIEWPORT = {
  width: PHONE_SCREEN.width,
  height: PHONE_SCREEN.height - PHONE_BARS.status - PHONE_BARS.toolbar - PHONE_BARS.navigation,
};

/**
 * A browser identity that does not announce automation: the real Chromium major version, a
 * platform that matches navigator.platform, no "HeadlessChrome".
 */
export function defaultIdentity(device: Device, chromiumVersion: string, userAgent?: string): CaptureIdentity {
  const major = chromiumVersion.split('.')[0] || '130';
  const desktopUa = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
  const mobileUa = `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Mobile Safari/537.36`;
  return {
    userAgent: userAgent ?? (device === 'mobile' ? mobileUa : desktopUa),
    device,
    viewport: device === 'mobile' ? { ...MOBILE_VIEWPORT } : { ...DESKTOP_VIEWPORT },
    locale: 'en-US',
    timezone: 'America/New_York',
    acceptLanguage: acceptLanguageHeader(LANGUAGES),
    webgl:
      device === 'mobile'
        ? { vendor: 'Qualcomm', renderer: 'Adreno (TM) 640' }
        : { vendor: 'Google Inc. (Intel)', renderer: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)' },
  };
}

/**
 * The cores and memory of the mobile identity's phone (the OnePlus 7T of userAgentMetadata), for
 * navigator.hardwareConcurrency and deviceMemory: the host's (2 cores and 16 GB on this machine)
 * are no phone's, and Chrome on Android never says more than 8 GB (approximated_device_memory.cc).
 */
export const PHONE_HARDWARE = { cores: 8, memoryGb: 8 } as const;

/**
 * The desktop visitor's cores: 8, the commonest desktop's, where the host's (2, a cloud VM's) would
 * show. Its memory stays the host's as Chromium rounds it (16 GB here, a common desktop's): the
 * Device-Memory client hint a site can ask for says the host's too, and no page may read another.
 */
export const DESKTOP_HARDWARE: Hardware = { cores: 8, heapLimit: 3_760_000_000 };

export interface Hardware {
  cores: number;
  /** navigator.deviceMemory (GB); absent: Chromium's own reading of the host. */
  memoryGb?: number;
  /**
   * performance.memory.jsHeapSizeLimit, where the renderer's own limit (chromium-flags.ts
   * RENDERER_HEAP_MB: 662000000) is no browser's. A desktop says what Chromium 156 says without
   * that limit on a host of 16 GB or more (V8 sizes the heap from the memory, up to its cap; read
   * on this machine's 23 GB), as its 16 GB deviceMemory implies. A phone's is not known here: its
   * V8 is sized by Android's Chrome, and the capped value stays.
   */
  heapLimit?: number;
}

/** The cores and memory a visitor's pages and workers report. */
export function hardwareOf(device: Device): Hardware {
  return device === 'mobile' ? PHONE_HARDWARE : DESKTOP_HARDWARE;
}

/** The cores and memory a trace's visitor says it has; none for the careless `headless` visitor, which shows the host's. */
export function visitorHardware(identity: Pick<CaptureIdentity, 'device' | 'headless'>): Hardware | undefined {
  return identity.headless ? undefined : hardwareOf(identity.device);
}

/**
 * The request headers that must say the visitor's memory where Chromium says the host's: the
 * Device-Memory client hints a site asks for (Accept-CH). Chromium writes them from its own
 * reading of the host (content/browser/client_hints/client_hints.cc AddDeviceMemoryHeader, and
 * Blink's for subresources), which no DevTools command overrides (Chromium 156 has no device
 * memory emulation; Emulation.setUserAgentOverride's metadata has no memory), so the recording
 * proxy replaces their value as it forwards them, and records what it sent.
 */
export function deviceMemoryHeaderValues(hardware: Hardware | undefined): Record<string, string> {
  if (!hardware?.memoryGb) return {};
  const value = String(hardware.memoryGb);
  return { 'device-memory': value, 'sec-ch-device-memory': value };
}

/**
 * Every request header the recording proxy says in the visitor's name where Chromium sent its own:
 * the Device-Memory hints (deviceMemoryHeaderValues) and the User-Agent, which a page's override
 * does not reach on what the browser fetches for no page (a service worker's script: Chromium's
 * own, "HeadlessChrome", in both builds).
 */
export function visitorHeaderValues(identity: Pick<CaptureIdentity, 'device' | 'headless' | 'userAgent'>): Record<string, string> {
  return { ...deviceMemoryHeaderValues(visitorHardware(identity)), 'user-agent': identity.userAgent };
}

/** The toolbars (tab strip, address bar) of a desktop Chromium window above its page, in CSS pixels. */
const DESKTOP_TOOLBARS_HEIGHT = 85;

export interface WindowBounds {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The top of a window of ours on the host's screen when it would otherwise be at the origin: one
 * pixel below it, off the headless shell's mouse cursor, which rests there (no mouse ever moves
 * it). Its window system (Aura) sends a window under the cursor a mouse move at it when a view
 * appears in it (WindowEventDispatcher::SynthesizeMouseMoveAfterChangeToWindow): in a window at
 * the origin a document got a trusted pointermove and mousemove at (0,0) as it loaded (the first
 * one, a cross-site one after it, a popup's), which passed a page's mouse gate by itself and which
 * no phone fires without a touch. A phone's page does not see the host's placement: its window is
 * where mobile emulation puts it (screenX/screenY 0). The full build never sent that move.
 */
export const OFF_CURSOR_TOP = 1;

/**
 * The screen a visitor's page is shown on: a common 1920x1080 desktop screen; a phone's own
 * screen, its page's viewport with the status bar, Chrome's toolbar and the navigation bar
 * (PHONE_BARS). A phone's page that filled its whole screen (innerHeight === screen.height) was
 * DevTools' device mode, not a phone.
 */
export function screenOf(device: Device, viewport: { width: number; height: number }): { width: number; height: number } {
  if (device === 'desktop') return { width: 1920, height: 1080 };
  return { width: viewport.width, height: viewport.height + PHONE_BARS.status + PHONE_BARS.toolbar + PHONE_BARS.navigation };
}

/**
 * The panel along the bottom edge of a desktop visitor's screen, in CSS pixels: 40, the height of
 * Linux Mint's Cinnamon panel and of Windows 10's taskbar, which leaves the commonest available
 * area of a 1080p screen (1920x1040). A desktop's windows may not cover it: screen.availHeight is
 * the screen's less the panel (it was the whole screen's, as on no desktop with a panel or dock).
 */
const DESKTOP_PANEL_HEIGHT = 40;

export interface ScreenArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The part of the screen a visitor's windows may use (screen.availLeft/availTop/availWidth/
 * availHeight): a desktop's less its bottom panel; a phone's whole screen, as Chrome on Android
 * says. Every window of the visitor's (windowBounds) lies within it.
 */
export function availableScreenOf(device: Device, viewport: { width: number; height: number }): ScreenArea {
  const screen = screenOf(device, viewport);
  const panel = device === 'desktop' ? DESKTOP_PANEL_HEIGHT : 0;
  return { left: 0, top: 0, width: screen.width, height: screen.height - panel };
}

/**
 * A phone's battery charge as its pages read it (navigator.getBattery()): between 40 and 95 %,
 * drawn for each browser session, in Android's 1 % steps; the phone is unplugged. A host without a
 * battery says charging at 100 %, which no phone in a hand does.
 */
export function phoneBatteryLevel(random: () => number = Math.random): number {
  return Math.round(40 + random() * 55) / 100;
}

/** navigator.platform of a visitor's pages and workers: what Chrome says on an ARM phone, or on a desktop Linux. */
export function navigatorPlatform(device: Device): string {
  return device === 'mobile' ? 'Linux armv8l' : 'Linux x86_64';
}

/** Where a phone's page begins on its screen: below the status bar and Chrome's toolbar. */
export const PHONE_PAGE_TOP = PHONE_BARS.status + PHONE_BARS.toolbar;

/**
 * The browser window around a visitor's viewport as its page is told (outerWidth/outerHeight,
 * screenX/screenY). A headless window is 800x600 whatever the viewport, smaller than the page it
 * shows, a tell kits test: a desktop window is the viewport with a browser's toolbars above it,
 * centred on the screen. Chrome on a phone says its window is the page's viewport at the screen's
 * origin (outer size equal to inner, screenX/screenY 0: "Chrome incorrectly assumed all browser
 * windows on Android start at coordinates (0, 0) ... that outer dimensions of the browser window
 * are equal to the inner dimensions of the website viewport", blink-dev "Intent to ship: accurate
 * window position and size on Android", a change for freeform windows of tablets and desktops),
 * which mobile emulation says by itself.
 */
export function windowBounds(identity: Pick<CaptureIdentity, 'device' | 'viewport'>): WindowBounds {
  const screen = screenOf(identity.device, identity.viewport);
  if (identity.device === 'mobile') return { left: 0, top: 0, width: identity.viewport.width, height: identity.viewport.height };
  const width = identity.viewport.width;
  const height = identity.viewport.height + DESKTOP_TOOLBARS_HEIGHT;
  return {
    left: Math.max(0, Math.round((screen.width - width) / 2)),
    top: Math.max(0, Math.round((screen.height - height) / 2)),
    width,
    height,
  };
}

/** The toolbars the full build draws above its page, in CSS pixels (measured on 156); the headless shell draws none. */
const FULL_BUILD_TOOLBARS_HEIGHT = 87;

/**
 * Where the browser window itself goes on the host's screen. An input event's screen position
 * (MouseEvent.screenY, Touch.screenY) comes from where the browser has the page on it, not from
 * emulation, and kits check it against the page's place (event.screenY - event.clientY). The full
 * build draws its own toolbars above the page (87 CSS pixels, beside the 85 a desktop page is
 * told), so a desktop window goes where the visitor's does; the headless shell draws none, so its
 * window goes lower by the toolbars and the page is told the visitor's position (session.ts, by
 * emulation). A phone's page begins below its status bar and toolbar (PHONE_PAGE_TOP): a touch
 * there says so, as a phone's does (its screen position is where the finger is on the screen),
 * however the page is told its window is placed. That keeps every window of ours off the host
 * screen's origin (OFF_CURSOR_TOP) but the full build's phone window, whose page is below the
 * cursor's row anyway, and a window of that build never got the cursor's move.
 */
export function windowPlacement(identity: Pick<CaptureIdentity, 'device' | 'viewport'>, kind: BrowserKind): WindowBounds {
  const bounds = windowBounds(identity);
  const toolbars = kind === 'full' ? FULL_BUILD_TOOLBARS_HEIGHT : 0;
  if (identity.device === 'mobile')
    return { left: 0, top: PHONE_PAGE_TOP - toolbars, width: bounds.width, height: identity.viewport.height + toolbars };
  return kind === 'full' ? bounds : { ...bounds, top: bounds.top + bounds.height - identity.viewport.height };
}

/** Launch flags that open every window of the browser where the desktop visitor's goes (windowPlacement). */
export function windowFlags(kind: BrowserKind): string[] {
  const { left, top, width, height } = windowPlacement({ device: 'desktop', viewport: DESKTOP_VIEWPORT }, kind);
  return [`--window-size=${width},${height}`, `--window-position=${left},${top}`];
}

export interface UserAgentMetadata {
  brands: { brand: string; version: string }[];
  fullVersionList: { brand: string; version: string }[];
  fullVersion: string;
  platform: string;
  platformVersion: string;
  architecture: string;
  model: string;
  mobile: boolean;
  bitness: string;
  wow64: boolean;
  /** Sec-CH-UA-Form-Factors, userAgentData.getHighEntropyValues(['formFactors']): Chromium says "Desktop" unless told. */
  formFactors: string[];
}

/**
 * The client hints (Sec-CH-UA, navigator.userAgentData) a desktop Chromium of this version sends:
 * the headless shell would add a "HeadlessChrome" brand. The GREASE brand follows Chromium's own
 * rule (user_agent_utils.cc), seeded with the major version.
 */
export function userAgentMetadata(device: Device, chromiumVersion: string): UserAgentMetadata {
  const major = Number(chromiumVersion.split('.')[0]) || 130;
  const greaseChars = [' ', '(', ':', '-', '.', '/', ')', ';', '=', '?', '_'];
  const grease = {
    brand: `Not${greaseChars[major % greaseChars.length]}A${greaseChars[(major + 1) % greaseChars.length]}Brand`,
    version: ['8', '99', '24'][major % 3],
  };
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const order = orders[major % 6];
  // Positions: GREASE at order[0], Chromium at order[1]; a branded build's own name (absent here) at order[2].
  const slots: ({ brand: string; full: string; short: string } | null)[] = [null, null, null];
  slots[order[0]] = { brand: grease.brand, short: grease.version, full: `${grease.version}.0.0.0` };
  slots[order[1]] = { brand: 'Chromium', short: String(major), full: chromiumVersion };
  const present = slots.filter((s): s is NonNullable<typeof s> => s !== null);
  const mobile = device === 'mobile';
  return {
    brands: present.map((s) => ({ brand: s.brand, version: s.short })),
    fullVersionList: present.map((s) => ({ brand: s.brand, version: s.full })),
    fullVersion: chromiumVersion,
    platform: mobile ? 'Android' : 'Linux',
    // The reduced User-Agent says "Android 10; K" on every phone; the high-entropy hints name the
    // real one, never "K": here a OnePlus 7T (a 412x914 screen at 2.625, an Adreno 640, Android 12).
    // Linux says no platformVersion (read off Chromium 156).
    platformVersion: mobile ? '12.0.0' : '',
    architecture: mobile ? '' : 'x86',
    model: mobile ? 'HD1903' : '',
    mobile,
    bitness: mobile ? '' : '64',
    wow64: false,
    formFactors: [mobile ? 'Mobile' : 'Desktop'],
  };
}
