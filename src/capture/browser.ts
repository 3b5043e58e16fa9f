// Launching Debian's Chromium and driving it over CDP (see ../cdp/connection.ts): the launch, and
// the routing of new page targets to the trace whose browser context they belong to. One browser
// serves many traces (warm mode); every trace gets a fresh browser context, so no cookie, cache
// or storage crosses traces. Its command line is in chromium-flags.ts, its sandbox in
// chromium-sandbox.ts, its processes in chromium-process.ts.
//
// Two builds of the same Chromium are supported. `shell` (Debian's chromium-headless-shell, the
// build Playwright uses for headless) opens a context and its first page in ~30 ms; `full`
// (Debian's chromium in its new headless mode) is the complete browser, harder for a cloaking
// page to tell from a desktop one, and takes ~250 ms per context on this machine.
import { EventEmitter } from 'node:events';
import { chownSync, existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { createProfileDir, sweepStaleProfiles } from './profiles.js';
import { CdpConnection, type CdpEvent, type CdpSession } from '../cdp/connection.js';
import { ReservedProxyPort } from './proxy-port.js';
import { captureArgs, recordedFlags } from './chromium-flags.js';
import { proxyLeafKeyHash } from '../proxy/proxy-ca.js';
import { acceptLanguageFlag } from './identity.js';
import { languagesKey } from './visitor.js';
import { rememberNoSandbox, sandboxPlan, sandboxSpawnOptions, type SandboxPlan } from './chromium-sandbox.js';
import { browserPath, ChromiumProcess, defaultBrowserKind, INSTALLED, type BrowserKind } from './chromium-process.js';
import { crashReason, type TargetCrash } from './stop-reasons.js';
import { withTimeout } from './page-observer.js';
import { Rendezvous } from './rendezvous.js';
import { UserError } from '../errors.js';

export class BrowserMissingError extends UserError {}

/**
 * The browser's binary; a BrowserMissingError (bad set-up: exit status 2) when it is not there.
 * A batch asks before it makes anything, as a single trace's launch does.
 */
export function installedBrowserPath(kind: BrowserKind = defaultBrowserKind()): string {
  const path = browserPath(kind);
  if (existsSync(path)) return path;
  throw new BrowserMissingError(
    `${INSTALLED[kind].name} not found at ${path}: install it with "apt-get install -y ${INSTALLED[kind].pkg}"` +
      (kind === 'shell' ? ' (or use --browser full)' : '') +
      ' (or set CLICKTRACE_CHROMIUM)',
  );
}

export interface LaunchOptions {
  kind?: BrowserKind;
  /**
   * For a browser that serves one trace: its default context (a fresh profile) goes through a
   * proxy port reserved now, and the trace's first page is opened in it (session.ts
   * initialSession), saving a new context.
   */
  singleTrace?: boolean;
  /** The languages it speaks (Accept-Language, navigator.languages: a launch flag); default LANGUAGES. */
  languages?: readonly string[];
}

/** What a new page target needs to be set up before it runs (see session.ts). */
export interface AttachedTarget {
  targetId: string;
  session: CdpSession;
  openerId: string | null;
  url: string;
}

type TargetHandler = (target: AttachedTarget) => void;

/** How long a closing Chromium may take to exit by itself (it takes ~100 ms when it is well). */
const CLOSE_GRACE_MS = 1000;

/** How long after V8's out-of-memory message a renderer crash is put down to it. */
const OOM_NOTE_MS = 5000;

export class Browser extends EventEmitter {
  private readonly contextHandlers = new Map<string, TargetHandler>();
  private readonly workerHandlers = new Map<string, TargetHandler>();
  /** Renderer crashes Chromium reported, by target id. */
  private readonly crashes = new Rendezvous<string, TargetCrash>();
  /** The last "V8 ... OOM (reason)" Chromium printed, and when. */
  private lastOutOfMemory: { at: number; detail: string } | null = null;
  private stderrTail = '';
  /** When Chromium was spawned and first answered CDP (performance.now(), for CLICKTRACE_PROFILE). */
  startup = { spawnedAt: 0, answeredAt: 0 };
  /** With `singleTrace`: the first page opened in the default context (still paused), and that context. */
  readonly initialPage: Promise<(AttachedTarget & { browserContextId: string }) | null>;
  private foundInitialPage: (target: (AttachedTarget & { browserContextId: string }) | null) => void = () => undefined;
  private initialPageFound = false;

  private constructor(
    readonly kind: BrowserKind,
    readonly cdp: CdpConnection,
    private readonly chromium: ChromiumProcess,
    readonly profileDir: string,
    private readonly fullVersion: string,
    readonly reservedProxy: ReservedProxyPort | null,
    /** The command-line flags it runs with (profile folder and proxy port left out), for the case. */
    readonly flags: string[],
    /** The unprivileged user it runs as when clicktrace runs as root, or null (clicktrace's own user). */
    readonly runAs: string | null,
    /** The languages it was launched with (visitor.ts languagesKey). */
    readonly languages: string = languagesKey(),
  ) {
    super();
    this.initialPage = new Promise((resolve) => (this.foundInitialPage = resolve));
    if (!reservedProxy) this.foundInitialPage(null);
    cdp.on('disconnected', () => this.emit('disconnected'));
    cdp.browser.on('Target.attachedToTarget', (event) => this.route(event));
    cdp.browser.on('Target.targetCrashed', (event) => this.crashes.settle(event.targetId, event));
    chromium.child.stderr?.on('data', (text: string) => this.noteOutOfMemory(text));
  }

  /** A new target: a page of a trace's context goes to that trace, the rest runs unobserved. */
  private route(event: CdpEvent<'Target.attachedToTarget'>): void {
    const session = this.cdp.session(event.sessionId);
    const { targetInfo } = event;
    const handler = targetInfo.browserContextId ? this.contextHandlers.get(targetInfo.browserContextId) : undefined;
    const target = { targetId: targetInfo.targetId, session, openerId: targetInfo.openerId ?? null, url: targetInfo.url };
    if (handler && targetInfo.type === 'page') {
      handler(target);
      return;
    }
    const workerHandler = targetInfo.browserContextId ? this.workerHandlers.get(targetInfo.browserContextId) : undefined;
    if (workerHandler && (targetInfo.type === 'shared_worker' || targetInfo.type === 'service_worker')) {
      workerHandler(target);
      return;
    }
    if (this.reservedProxy && targetInfo.type === 'page' && targetInfo.browserContextId && !this.initialPageFound) {
      // The trace's first page (session.ts initialSession), paused until it is told where to go.
      this.initialPageFound = true;
      this.foundInitialPage({ ...target, browserContextId: targetInfo.browserContextId });
      return;
    }
    // Not a page of a trace (a worker, a page of a context no trace owns): let it run, unobserved by us.
    void session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
  }

  /** Chromium's renderers share its stderr; V8 says there why it is about to end one. */
  private noteOutOfMemory(text: string): void {
    // A line may be split between two chunks: the end of the previous one is searched too.
    const seen = this.stderrTail + text;
    const fresh = seen.length - text.length;
    this.stderrTail = seen.slice(-200);
    for (const said of seen.matchAll(/V8 (?:javascript|process) OOM \(([^)\n]*)\)/g)) {
      if (said.index + said[0].length > fresh && said[1]) this.lastOutOfMemory = { at: Date.now(), detail: said[1] };
    }
  }

  /**
   * Why a page target's renderer died, once Chromium has said so (Target.targetCrashed); a
   * generic reason if it has not within `waitMs`.
   */
  async crashReason(targetId: string, waitMs = 1000): Promise<string> {
    const crash = await withTimeout(this.crashes.get(targetId), waitMs, null);
    const oom = this.lastOutOfMemory && Date.now() - this.lastOutOfMemory.at < OOM_NOTE_MS ? this.lastOutOfMemory : null;
    return crashReason(crash, oom ? `V8: ${oom.detail.toLowerCase()}` : null);
  }

  static async launch(options: LaunchOptions = {}): Promise<Browser> {
    const kind = options.kind ?? defaultBrowserKind();
    const path = installedBrowserPath(kind);
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
    const args = captureArgs({
      profileDir,
      proxyPort: reservedProxy?.port ?? null,
      noSandbox: sandbox.kind === 'none',
      singleProcess,
      acceptLanguage: acceptLanguageFlag(kind, options.languages),
      kind,
      trustedKeyHash: proxyLeafKeyHash(),
    });
    const spawnedAt = performance.now();
    const chromium = ChromiumProcess.spawn(path, args, profileDir, sandboxSpawnOptions(sandbox, profileDir));
    const child = chromium.child;
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
      const version = await Promise.race([cdp.browser.send('Browser.getVersion'), failed]);
      // Started: a later exit is a close or a crash, not a failure to start.
      child.off('exit', onExit);
      const runAs = sandbox.kind === 'user' ? sandbox.name : null;
      const versionNumber = version.product.split('/')[1] ?? '0';
      const browser = new Browser(
        kind,
        cdp,
        chromium,
        profileDir,
        versionNumber,
        reservedProxy,
        recordedFlags(args),
        runAs,
        languagesKey(options.languages),
      );
      browser.startup = { spawnedAt, answeredAt: performance.now() };
      // Every new page waits for us before it runs: popups are observed from their first request.
      // Discovering pages is what makes Chromium report a renderer's end with its cause
      // (Target.targetCrashed: crashed, killed, oom); the page's own session only hears that it crashed.
      await Promise.all([
        cdp.browser.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }),
        cdp.browser.send('Target.setDiscoverTargets', { discover: true, filter: [{ type: 'page' }] }),
      ]);
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
      await chromium.stop(0);
      throw reason;
    }
  }

  /** Full version, e.g. "156.0.8078.108". */
  version(): string {
    return this.fullVersion;
  }

  get displayName(): string {
    return INSTALLED[this.kind].name;
  }

  isConnected(): boolean {
    return !this.cdp.closed;
  }

  /** New page targets of this context go to `handler`, still paused. */
  onContextTarget(browserContextId: string, handler: TargetHandler | null): void {
    if (handler) this.contextHandlers.set(browserContextId, handler);
    else this.contextHandlers.delete(browserContextId);
  }

  /** New shared and service workers of this context go to `handler`, still paused (a dedicated worker is its page's). */
  onContextWorker(browserContextId: string, handler: TargetHandler | null): void {
    if (handler) this.workerHandlers.set(browserContextId, handler);
    else this.workerHandlers.delete(browserContextId);
  }

  /**
   * Asks Chromium to close, and kills its whole process group if it has not exited within
   * `graceMs` (a browser flooded by a hostile page may never get to it).
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.isConnected()) void this.cdp.browser.send('Browser.close').catch(() => undefined);
    await this.chromium.stop(graceMs);
    this.foundInitialPage(null);
    // Closed by its proxy if a trace adopted it; closing again is harmless.
    await this.reservedProxy?.close();
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
  if (prelaunched?.kind === kind && options.singleTrace && languagesKey(options.languages) === languagesKey()) {
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
