// Launching Debian's Chromium and driving it over CDP (see ../cdp/connection.ts). One browser
// serves many traces (warm mode); every trace gets a fresh browser context, so no cookie, cache
// or storage crosses traces.
//
// Two builds of the same Chromium are supported. `shell` (Debian's chromium-headless-shell, the
// build Playwright uses for headless) opens a context and its first page in ~30 ms; `full`
// (Debian's chromium in its new headless mode) is the complete browser, harder for a cloaking
// page to tell from a desktop one, and takes ~250 ms per context on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { createProfileDir, sweepStaleProfiles } from './profiles.js';
import { clicktraceHome } from '../home.js';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CdpConnection, type CdpSession } from '../cdp/connection.js';
import { ReservedProxyPort } from './proxy-port.js';
import { UserError } from '../errors.js';
import { acceptLanguageFlag } from './identity.js';

export type BrowserKind = 'shell' | 'full';
export const BROWSER_KINDS: readonly BrowserKind[] = ['shell', 'full'];

const PATHS: Record<BrowserKind, { path: string; pkg: string; name: string }> = {
  shell: { path: '/usr/bin/chromium-headless-shell', pkg: 'chromium-headless-shell', name: 'Chromium headless shell' },
  full: { path: '/usr/bin/chromium', pkg: 'chromium', name: 'Chromium' },
};

/** Path of the full Chromium, for tools that drive it with Playwright (the web UI tests, the bench baseline). */
export const CHROMIUM_PATH = process.env.CLICKTRACE_CHROMIUM ?? PATHS.full.path;

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

const CAPTURE_ARGS = [
  ...CHROMIUM_ARGS,
  // HttpsUpgrades would try https:// before an http:// link, spending a single-use link on a URL
  // the mail never contained. Site isolation is off so that one renderer (and one CDP session)
  // sees a page and all its frames, and a cross-site hop costs no new process.
  '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,PaintHolding,Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,IsolateOrigins,site-per-process',
  '--disable-site-isolation-trials',
  // Popups are part of chains: they are followed, not blocked.
  '--disable-popup-blocking',
  '--disable-back-forward-cache',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
  '--disable-hang-monitor',
  '--disable-extensions',
  '--password-store=basic',
  '--use-mock-keychain',
  '--mute-audio',
  '--hide-scrollbars',
  '--force-color-profile=srgb',
];

// Every context brings its own recording proxy; this one only catches stray browser traffic.
const DEAD_PROXY = ['--proxy-server=http://127.0.0.1:9'];

export class BrowserMissingError extends UserError {}

export interface LaunchOptions {
  kind?: BrowserKind;
  /**
   * For a browser that serves one trace: its default context (a fresh profile) goes through a
   * proxy port reserved now, and the trace uses the tab Chromium opens at start, saving a new
   * context and renderer.
   */
  singleTrace?: boolean;
}

/** What a new page target needs to be set up before it runs (see session.ts). */
export interface AttachedTarget {
  targetId: string;
  session: CdpSession;
  openerId: string | null;
  url: string;
}

type TargetHandler = (target: AttachedTarget) => void;

/**
 * The build used when none is asked for: the headless shell, or full Chromium on a machine
 * where only that is installed (the case records which one ran).
 */
export function defaultBrowserKind(): BrowserKind {
  return process.env.CLICKTRACE_CHROMIUM || existsSync(PATHS.shell.path) ? 'shell' : 'full';
}

export function browserPath(kind: BrowserKind): string {
  if (process.env.CLICKTRACE_CHROMIUM) return process.env.CLICKTRACE_CHROMIUM;
  return PATHS[kind].path;
}

/**
 * How Chromium gets its sandbox. As a normal user: its own. As root, where Chromium refuses its
 * sandbox: it runs as an unprivileged user (nobody) with the sandbox on; where that cannot start
 * (no user namespaces), as root without a sandbox, which is remembered for this kernel.
 */
type SandboxPlan = { kind: 'own' } | { kind: 'user'; name: string; uid: number; gid: number } | { kind: 'none' };

const SANDBOX_USER = 'nobody';

function sandboxPlan(chromiumPath: string): SandboxPlan {
  if (process.getuid?.() !== 0) return { kind: 'own' };
  if (readNoSandbox() === noSandboxKey(chromiumPath)) return { kind: 'none' };
  const user = systemUser(SANDBOX_USER);
  return user ? { kind: 'user', name: SANDBOX_USER, ...user } : { kind: 'none' };
}

function systemUser(name: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid) ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

const noSandboxFile = () => join(clicktraceHome(), 'chromium-no-sandbox');
const noSandboxKey = (chromiumPath: string) => `${chromiumPath} ${release()}`;

function readNoSandbox(): string | null {
  try {
    return readFileSync(noSandboxFile(), 'utf8').split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

function rememberNoSandbox(chromiumPath: string, reason: string): void {
  try {
    mkdirSync(clicktraceHome(), { recursive: true });
    writeFileSync(noSandboxFile(), `${noSandboxKey(chromiumPath)}\nChromium could not start its sandbox as ${SANDBOX_USER}: ${reason}\n`);
    process.stderr.write(
      `clicktrace: Chromium cannot start its sandbox as ${SANDBOX_USER} here (${reason}); it runs as root without one (remembered in ${noSandboxFile()})\n`,
    );
  } catch {
    // Not remembered: the next launch tries the sandbox again.
  }
}

export class Browser extends EventEmitter {
  private readonly contextHandlers = new Map<string, TargetHandler>();
  private exited: Promise<void>;
  /** When Chromium was spawned and first answered CDP (performance.now(), for CLICKTRACE_PROFILE). */
  startup = { spawnedAt: 0, answeredAt: 0 };
  /** With `singleTrace`: the tab Chromium opened at start, and the browser context it is in. */
  readonly initialPage: Promise<(AttachedTarget & { browserContextId: string }) | null>;
  private foundInitialPage: (target: (AttachedTarget & { browserContextId: string }) | null) => void = () => undefined;

  private constructor(
    readonly kind: BrowserKind,
    readonly cdp: CdpConnection,
    private readonly child: ChildProcess,
    readonly profileDir: string,
    private readonly fullVersion: string,
    readonly reservedProxy: ReservedProxyPort | null,
    /** The command-line flags it runs with (profile folder and proxy port left out), for the case. */
    readonly flags: string[],
    /** The unprivileged user it runs as when clicktrace runs as root, or null (clicktrace's own user). */
    readonly runAs: string | null,
  ) {
    super();
    this.initialPage = new Promise((resolve) => (this.foundInitialPage = resolve));
    if (!reservedProxy) this.foundInitialPage(null);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    cdp.on('disconnected', () => this.emit('disconnected'));
    cdp.browser.on(
      'Target.attachedToTarget',
      (event: {
        sessionId: string;
        targetInfo: { targetId: string; type: string; url: string; browserContextId?: string; openerId?: string };
        waitingForDebugger: boolean;
      }) => {
        const session = cdp.session(event.sessionId);
        const handler = event.targetInfo.browserContextId ? this.contextHandlers.get(event.targetInfo.browserContextId) : undefined;
        const target = {
          targetId: event.targetInfo.targetId,
          session,
          openerId: event.targetInfo.openerId ?? null,
          url: event.targetInfo.url,
        };
        if (handler && event.targetInfo.type === 'page') {
          handler(target);
          return;
        }
        if (this.reservedProxy && event.targetInfo.type === 'page' && event.targetInfo.browserContextId) {
          this.foundInitialPage({ ...target, browserContextId: event.targetInfo.browserContextId });
          this.foundInitialPage = () => undefined;
          if (!event.waitingForDebugger) return;
        }
        // Not a page of a trace (workers, the launch tab): let it run, unobserved by us.
        void session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
      },
    );
  }

  static async launch(options: LaunchOptions = {}): Promise<Browser> {
    const kind = options.kind ?? defaultBrowserKind();
    const path = browserPath(kind);
    if (!existsSync(path)) {
      const { pkg } = PATHS[kind];
      throw new BrowserMissingError(
        `${PATHS[kind].name} not found at ${path}: install it with "apt-get install -y ${pkg}"` +
          (kind === 'shell' ? ' (or use --browser full)' : '') +
          ' (or set CLICKTRACE_CHROMIUM)',
      );
    }
    const reservedProxy = options.singleTrace ? await ReservedProxyPort.open() : null;
    const sandbox = sandboxPlan(path);
    try {
      return await Browser.start(kind, path, options, reservedProxy, sandbox);
    } catch (err) {
      // As an unprivileged user Chromium needs user namespaces for its sandbox; where they are
      // not allowed (a container's seccomp profile) it cannot start: run as root without one.
      if (sandbox.kind !== 'user') {
        await reservedProxy?.close();
        throw err;
      }
      try {
        const browser = await Browser.start(kind, path, options, reservedProxy, { kind: 'none' });
        // Remembered only when Chromium said why: a passing failure must not turn the sandbox off for good.
        const reason = lastLine((err as Error).message);
        if (/sandbox|namespace/i.test(reason)) rememberNoSandbox(path, reason);
        return browser;
      } catch (second) {
        await reservedProxy?.close();
        throw second;
      }
    }
  }

  private static async start(
    kind: BrowserKind,
    path: string,
    options: LaunchOptions,
    reservedProxy: ReservedProxyPort | null,
    sandbox: SandboxPlan,
  ): Promise<Browser> {
    const profileDir = createProfileDir();
    if (sandbox.kind === 'user') chownSync(profileDir, sandbox.uid, sandbox.gid);
    // A one-trace headless shell without a sandbox runs its renderer in the browser process:
    // one process start less (~100 ms of a cold trace on 2 cores), and no isolation is lost that
    // the missing sandbox had not already given up. Never with the sandbox on, never for a
    // browser shared by traces (its contexts need their own renderers).
    const singleProcess = options.singleTrace === true && kind === 'shell' && sandbox.kind === 'none';
    const args = [
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${profileDir}`,
      ...CAPTURE_ARGS,
      acceptLanguageFlag(kind),
      ...(reservedProxy ? [`--proxy-server=http://127.0.0.1:${reservedProxy.port}`, '--proxy-bypass-list=<-loopback>'] : DEAD_PROXY),
      ...(sandbox.kind === 'none' ? ['--no-sandbox'] : []),
      ...(singleProcess ? ['--single-process'] : []),
      'about:blank',
    ];
    const spawnedAt = performance.now();
    const child = spawn(path, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      // Its home is the fresh profile: nothing of the invoking user's is read or written.
      ...(sandbox.kind === 'user'
        ? {
            uid: sandbox.uid,
            gid: sandbox.gid,
            env: { ...process.env, HOME: profileDir, XDG_CONFIG_HOME: profileDir, XDG_CACHE_HOME: profileDir },
          }
        : {}),
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    const cdp = new CdpConnection(child.stdio[3] as Writable, child.stdio[4] as Readable);
    let onExit: (code: number | null) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new BrowserMissingError(`cannot start ${path}: ${err.message}`)));
      onExit = (code) => {
        // What it said on its way out may still be in the pipe.
        const said = new Promise((resolve) => {
          child.stderr!.once('end', resolve);
          setTimeout(resolve, 200);
        });
        void said.then(() => reject(new BrowserMissingError(`${path} exited at start (code ${code}): ${lastLine(stderr)}`)));
      };
      child.once('exit', onExit);
    });
    failed.catch(() => undefined);
    try {
      const version = await Promise.race([cdp.browser.send<{ product: string }>('Browser.getVersion'), failed]);
      // Started: a later exit is a close or a crash, not a failure to start.
      child.off('exit', onExit);
      const flags = args.filter((a) => a.startsWith('--') && !a.startsWith('--user-data-dir=') && !a.startsWith('--proxy-server='));
      const runAs = sandbox.kind === 'user' ? sandbox.name : null;
      const browser = new Browser(kind, cdp, child, profileDir, version.product.split('/')[1] ?? '0', reservedProxy, flags, runAs);
      browser.startup = { spawnedAt, answeredAt: performance.now() };
      // Every new page waits for us before it runs: popups are observed from their first request.
      await cdp.browser.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
      return browser;
    } catch (err) {
      // The pipe closing usually beats the exit: Chromium's own last words say more.
      const reason = await Promise.race([
        failed.then(
          () => err,
          (exit: unknown) => exit,
        ),
        new Promise((resolve) => setTimeout(() => resolve(err), 300)),
      ]);
      child.kill('SIGKILL');
      rmSync(profileDir, { recursive: true, force: true });
      throw reason;
    }
  }

  /** Full version, e.g. "156.0.8078.108". */
  version(): string {
    return this.fullVersion;
  }

  get displayName(): string {
    return PATHS[this.kind].name;
  }

  isConnected(): boolean {
    return !this.cdp.closed;
  }

  /** New page targets of this context go to `handler`, still paused. */
  onContextTarget(browserContextId: string, handler: TargetHandler | null): void {
    if (handler) this.contextHandlers.set(browserContextId, handler);
    else this.contextHandlers.delete(browserContextId);
  }

  async close(): Promise<void> {
    if (this.isConnected()) {
      await Promise.race([this.cdp.browser.send('Browser.close').catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    if (this.child.exitCode === null && this.child.signalCode === null) await this.exited;
    clearTimeout(killer);
    this.foundInitialPage(null);
    // Closed by its proxy if a trace adopted it; closing again is harmless.
    await this.reservedProxy?.close();
    rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 3 });
    sweepStaleProfiles();
  }
}

let prelaunched: { kind: BrowserKind; browser: Promise<Browser> } | null = null;

/**
 * Starts Chromium now, for a launchBrowser() call to come: a command-line trace spawns it first
 * thing, so it boots while the rest of clicktrace loads.
 */
export function prelaunchBrowser(kind: BrowserKind = defaultBrowserKind()): void {
  if (prelaunched) return;
  const browser = Browser.launch({ kind, singleTrace: true });
  browser.catch(() => undefined);
  prelaunched = { kind, browser };
}

/** Closes a prelaunched browser nobody took (the command failed before tracing). */
export async function discardPrelaunched(): Promise<void> {
  const pending = prelaunched;
  prelaunched = null;
  if (pending) await (await pending.browser.catch(() => null))?.close();
}

export function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const kind = options.kind ?? defaultBrowserKind();
  if (prelaunched?.kind === kind && options.singleTrace) {
    const { browser } = prelaunched;
    prelaunched = null;
    return browser;
  }
  return Browser.launch(options);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return (lines.at(-1) ?? 'no output').slice(0, 300);
}
