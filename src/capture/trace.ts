// One trace: a fresh browser context behind a fresh recording proxy, the link requested once,
// followed until the page settles, optional clicks, snapshots of every resting page, the case
// written as evidence arrives and closed with the report derived from it.
import { emptyCapture, type Capture, type CaptureInfo, type Exchange } from '../model.js';
import type { analyzeCapture } from '../analyze/analyze.js';
import type { Report } from '../report.js';
import { DEFAULTS, parseTraceUrl } from './trace-input.js';
import { buildUpstream, describeOverrides, type UpstreamOptions } from '../proxy/upstream.js';
import { proxyCertificateAuthority } from '../proxy/proxy-ca.js';
import { prepareIssuer } from '../proxy/recording-proxy.js';
import type { Resolver } from '../proxy/resolver.js';
import { CaseWriter } from '../case/case-writer.js';
import { caseNotWritten } from '../case/open-case.js';
import { TOOL } from '../version.js';
import { defaultIdentity, visitorHeaderValues, type Device } from './identity.js';
import { languagesKey, visitorIdentity, type Visitor } from './visitor.js';
import { launchBrowser, type Browser } from './browser.js';
import type { BrowserKind } from './chromium-process.js';
import type { CdpEvent } from '../cdp/connection.js';
import { withTimeout, type PageObserver } from './page-observer.js';
import {
  closeSession,
  disposeSessionContext,
  endRecording,
  initialSession,
  prepareSpare,
  runFirstPage,
  takeSession,
  type BrowserSession,
} from './session.js';
import { clickAndWatch, clickByText, pointerOf } from './click.js';
import { Snapshots } from './snapshot.js';
import { TracePages } from './trace-pages.js';
import { DeferredWrites } from './deferred-writes.js';
import { TraceProfile, type TraceMark } from './trace-profile.js';
import type { TimestampOutcome, TsaSettings } from '../timestamp/case-timestamp.js';
import type { NetworkLookup } from '../hosting/network-data.js';
import { explore } from './explore.js';
import { NUDGE_INPUT_MS, nudgePage } from './nudge.js';

export interface TraceOptions extends UpstreamOptions {
  url: string;
  strictTls?: boolean;
  userAgent?: string;
  device?: Device;
  timeoutMs?: number;
  settleMs?: number;
  clicks?: string[];
  /**
   * Behave like a person arriving on a resting page that listens for one (a mouse move, a scroll, a
   * touch, focus: a human check may hold the real redirect until then); default true. False: `--no-nudge`.
   */
  nudge?: boolean;
  /** `--explore`: how many resting pages to explore for their call-to-action (0 or absent: none). */
  exploreDepth?: number;
  maxHops?: number;
  /** Which Chromium build to launch when no browser is given (see browser.ts). */
  browser?: BrowserKind;
  outDir?: string;
  commandLine?: string[];
  /** Time-stamping authority asked for a token over the manifest once the case is sealed. */
  tsa?: TsaSettings | null;
  /** Context for the analysis, e.g. the e-mail a link came from (recipients, ESP, message case). */
  analysis?: CaptureInfo['analysis'];
  onProgress?: (event: { kind: string; detail: string }) => void;
  /**
   * Called with the report as soon as it is derived: the recording has ended, and the case is
   * being sealed (the resting page's screenshot, the WARC's last records, HAR, WACZ, manifest).
   * The trace's result follows once it is; a case that cannot be sealed still fails the trace.
   */
  onAnswer?: (report: Report, caseDir: string) => void;
  /**
   * Called with the case folder's name right before the link is requested: as the first request
   * of the trace goes upstream (the ledger of requested URLs names the case here), or, when none
   * went (the host did not resolve, or was refused), as the trace ends. Not called when the trace
   * is stopped (Ctrl-C) before anything went upstream: nothing was requested. If it throws,
   * nothing is requested and the case is closed saying why.
   */
  onCase?: (caseId: string) => void;
  /** Ends the trace early (Ctrl-C): it stops where it is, and the case is closed with the reason. */
  signal?: AbortSignal;
  /** Who the trace presents itself as (`compare --as`); default: the desktop identity of `device`. */
  visitor?: Visitor;
  /** The case folder's name, when it was chosen before the trace (a fleet server assigns it at the claim). */
  caseName?: string;
  /** The fleet worker tracing this for a server, recorded in the case's capture environment. */
  worker?: CaptureInfo['worker'];
}

export type { TraceMark };

export interface TraceResult {
  report: Report;
  capture: Capture;
  caseDir: string;
  /** Time spent writing evidence (WARC records, screenshots, HAR, WACZ, manifest). */
  evidenceMs: number;
  /** Each phase's end (what CLICKTRACE_PROFILE prints). */
  marks: TraceMark[];
  /** The RFC 3161 token asked for with `tsa`: its time, or why there is none (the case is sealed either way). */
  timestamp: TimestampOutcome | null;
}

const WARM_UP_INFO: CaptureInfo = {
  tool: TOOL,
  browser: null,
  identity: null,
  url: 'http://warm-up.invalid/',
  mode: 'trace',
  commandLine: [],
  resolver: { overrides: [], dnsServer: null },
  clicks: [],
  startedAt: '',
  endedAt: null,
  error: null,
  partial: true,
};

/**
 * Loads and runs once what a trace otherwise loads on first use (the analysis and its rules, the
 * offline IP data, the proxy's CA): a long-running process (a fleet worker) does this before it
 * takes work, so that no trace's first steps stall its event loop.
 */
export async function warmUpTrace(): Promise<void> {
  const [{ analyzeCapture }, networks] = await Promise.all([
    import('../analyze/analyze.js'),
    import('../hosting/network-data.js').then((m) => m.loadNetworkData()),
  ]);
  analyzeCapture(emptyCapture({ ...WARM_UP_INFO, startedAt: new Date().toISOString() }), null, networks);
  prepareIssuer(proxyCertificateAuthority());
}

export async function trace(options: TraceOptions, sharedBrowser?: Browser): Promise<TraceResult> {
  const run = await TraceRun.start(options, sharedBrowser);
  await run.follow();
  await run.endRecording();
  return run.close();
}

type Progress = NonNullable<TraceOptions['onProgress']>;
/** How long, at most, the end of a trace cut by a loop or --max-hops waits for the cutting request to reach the proxy. */
const EXPECT_CUT_MS = 500;
/** How long, at most, a page is given after a click to show what the click set off (click.ts clickAndWatch). */
const CLICK_ANSWER_MS = 2000;
/**
 * How long, at most, a nudged page may still navigate after the nudge (--settle, when shorter): a
 * human check moves on at once or after a short "verifying…"; a page ticking an interval that
 * cared nothing for the nudge is not waited out a second time in full.
 */
const NUDGE_SETTLE_MS = 3000;
/** The analysis, loaded while Chromium starts. */
type AnalysisModule = { analyzeCapture: typeof analyzeCapture };
/** What the case's sealing hook found out (the RFC 3161 token, when asked for). */
type Sealing = { timestamp: TimestampOutcome | null };

/** The steps of one trace, and what they share. */
class TraceRun {
  private readonly pages: TracePages;
  /** The network data each upstream address needs, being read (see onExchange). */
  private readonly networkPrefetches = new Map<string, Promise<void>>();
  private readonly snapshots: Snapshots;
  /** A write that fails (a full disk) stops the trace: the chain would go on unrecorded. */
  private readonly writes = new DeferredWrites((err) =>
    this.pages.stop(`the case could not be written: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`),
  );
  private session: BrowserSession | null = null;
  /** Navigation events already written to the case. */
  private eventsWritten = 0;
  /**
   * Whether the case is named in the ledger (onCase): `open` until the browser is sent to the link,
   * then `pending`, until the first request goes upstream (any request: `named` from then on), or
   * the recording ends (settleCaseNaming); `closed` when it ended with none sent and none to be.
   */
  private caseNaming: 'open' | 'pending' | 'named' | 'closed' = 'open';

  private constructor(
    private readonly options: TraceOptions,
    private readonly target: URL,
    private readonly limits: { timeoutMs: number; settleMs: number; deadline: number },
    private readonly profile: TraceProfile,
    private readonly browser: Browser,
    /** Whether the browser serves other traces (else it is this trace's own, closed with it). */
    private readonly shared: boolean,
    private readonly resolver: Resolver,
    private readonly extraCaPems: string[],
    private readonly capture: Capture,
    private readonly writer: CaseWriter,
    private readonly earlySession: Promise<BrowserSession | null>,
    private readonly analysis: Promise<AnalysisModule>,
    private readonly networks: Promise<NetworkLookup>,
    private readonly sealing: Sealing,
    private readonly progress: Progress,
  ) {
    this.pages = new TracePages(
      capture,
      options.maxHops ?? DEFAULTS.maxHops,
      progress,
      (targetId) => browser.crashReason(targetId),
      (url) => this.session?.proxy.stopForwarding(url),
    );
    this.snapshots = new Snapshots(capture, (snapshot) => this.writes.add(() => writer.addPage(snapshot)), limits.deadline);
  }

  /** Chromium (launched, or the shared one), the capture's description, the case folder, and the recording wired to it. */
  static async start(options: TraceOptions, sharedBrowser?: Browser): Promise<TraceRun> {
    const target = parseTraceUrl(options.url);
    const { resolver, extraCaPems } = buildUpstream(options);
    const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    const settleMs = options.settleMs ?? DEFAULTS.settleMs;
    const profile = new TraceProfile();
    const limits = { timeoutMs, settleMs, deadline: profile.startedAt + timeoutMs };
    const { browser, analysis, networks } = await startBrowser(options, sharedBrowser);
    const identity = options.visitor
      ? visitorIdentity(options.visitor, browser.version())
      : defaultIdentity(options.device ?? 'desktop', browser.version(), options.userAgent);
    if (options.visitor && browser.languages !== languagesKey(options.visitor.languages))
      throw new Error(`the browser speaks ${browser.languages}, not the visitor's ${languagesKey(options.visitor.languages)}`);
    const info = captureInfo(options, target, browser, identity, profile.startedAt);
    profile.mark('setup');
    // The session (a browser of our own: its start-up tab) is set up while the case folder is created.
    const earlySession: Promise<BrowserSession | null> = sharedBrowser
      ? takeSession(browser, identity, settleMs)
      : initialSession(browser, identity, settleMs);
    earlySession.catch(() => undefined);
    let writer: CaseWriter;
    const sealing: Sealing = { timestamp: null };
    const tsa = options.tsa;
    const onSealed = tsa
      ? async (dir: string) => {
          sealing.timestamp = await (await import('../timestamp/case-timestamp.js')).stampCase(dir, tsa);
        }
      : undefined;
    try {
      writer = await CaseWriter.create(options.outDir ?? DEFAULTS.outDir, info, {
        ...(onSealed ? { onSealed } : {}),
        ...(options.caseName ? { name: options.caseName } : {}),
      });
    } catch (err) {
      if (!sharedBrowser) await browser.close().catch(() => undefined);
      else void earlySession.then((s) => s && closeSession(s, { disposeContext: true })).catch(() => undefined);
      throw err;
    }
    profile.mark('case');
    const progress = options.onProgress ?? (() => undefined);
    const run = new TraceRun(
      options,
      target,
      limits,
      profile,
      browser,
      !!sharedBrowser,
      resolver,
      extraCaPems,
      emptyCapture(info),
      writer,
      earlySession,
      analysis,
      networks,
      sealing,
      progress,
    );
    run.record();
    return run;
  }

  /** Exchanges and DNS records go into the capture and, off the proxy's hot path, into the case. */
  private record(): void {
    this.resolver.onRecord = (record) => {
      this.capture.dns.push(record);
      this.writes.add(() => this.writer.addDns(record));
    };
  }

  private readonly onExchange = (exchange: Exchange): void => {
    this.capture.exchanges.push(exchange);
    // A public address needs the country data, read meanwhile (see network-data.ts).
    const address = exchange.remoteAddress;
    if (address && !this.networkPrefetches.has(address))
      this.networkPrefetches.set(
        address,
        this.networks.then((n) => n.prefetch(address)).catch(() => undefined),
      );
    this.writes.add(() => this.writer.addExchange(exchange));
    // With it, the navigation so far: a case cut off before its page rests still explains its hops.
    this.flushEvents();
    this.progress({ kind: 'exchange', detail: `${exchange.response?.status ?? 'ERR'} ${exchange.request.method} ${exchange.request.url}` });
  };

  /**
   * A request is about to go upstream: the case is named in the ledger first (throws, so nothing is
   * sent, when it cannot be, or when the trace ended without requesting its link).
   */
  private readonly beforeSend = (): void => {
    if (this.caseNaming === 'named') return;
    if (this.caseNaming === 'closed') throw new Error('the trace had stopped before its link was requested');
    this.nameCase();
  };

  private nameCase(): void {
    try {
      this.options.onCase?.(this.writer.name);
      this.caseNaming = 'named';
    } catch (err) {
      const reason = `not requested: ${(err as Error).message.split('\n')[0]}`;
      this.caseNaming = 'closed';
      this.pages.stop(reason);
      throw err;
    }
  }

  /**
   * The recording ended with nothing sent upstream. A trace that ran its course (the host did not
   * resolve, a private address refused, the browser refused the link) has its case as the link's
   * answer: named now. One stopped by the user (Ctrl-C) requested nothing: left unnamed, the link
   * stays fresh (the tracer removes its case folder).
   */
  private settleCaseNaming(): void {
    if (this.caseNaming !== 'pending') return;
    if (this.interrupted) {
      this.caseNaming = 'closed';
      return;
    }
    try {
      this.nameCase();
    } catch {
      // Said in the case's error (nameCase): nothing was requested.
    }
  }

  /** A download is recorded by the proxy; the browser's copy is cancelled. */
  private readonly onDownload = (event: CdpEvent<'Browser.downloadWillBegin'>): void => {
    if (!this.session || !this.pages.download(event)) return;
    void this.browser.cdp.browser
      .send('Browser.cancelDownload', { guid: event.guid, browserContextId: this.session.contextId })
      .catch(() => undefined);
  };

  /** Stopped by the user (SIGINT, SIGTERM): no more waiting, not even for a last snapshot. */
  private interrupted = false;

  private readonly onAbort = (): void => {
    this.interrupted = true;
    const reason: unknown = this.options.signal?.reason;
    if (typeof reason === 'string' && reason.startsWith('interrupted')) this.pages.stop(reason);
    else this.pages.stop(`interrupted${typeof reason === 'string' ? ` by ${reason}` : ''}`);
  };

  /** Requests the link once and follows the chain: settles, clicks, settles again. Failures become the trace's stop reason. */
  async follow(): Promise<void> {
    const { pages, browser } = this;
    browser.cdp.browser.on('Browser.downloadWillBegin', this.onDownload);
    this.options.signal?.addEventListener('abort', this.onAbort);
    if (this.options.signal?.aborted) this.onAbort();
    try {
      const session = await this.openSession();
      pages.current = pages.observe(session.first, null);
      this.profile.mark('page');
      // Interrupted before it began: the link is not spent, and the ledger was not told it is.
      if (pages.stopReason) return;
      // The ledger names the case as the first request goes upstream (beforeSend), not now: a
      // process killed while the browser starts the navigation, or while the link's host resolves,
      // has requested nothing, and a later run traces the link (the sweep releases the claim).
      this.caseNaming = 'pending';
      this.progress({ kind: 'start', detail: this.target.href });
      void pages.current
        .navigate(this.target.href, this.capture.info.identity?.referrer)
        .then((failure) => failure !== null && pages.stop(`the browser did not request the link: ${failure}`));
      // The page was paused with its set-up sent; it runs now, its navigation already asked for.
      // The headless shell answers the set-up only once the link's document commits, which a
      // server that never answers delays for ever: the answer is not waited for (the settle loop
      // is what Ctrl-C, a cancel and --timeout stop), only a failure of it ends the trace.
      runFirstPage(session).catch((err: Error) => pages.stop(`the page could not be set up: ${err.message.split('\n')[0]}`));
      await this.settleAndSnapshot();
      for (const text of this.options.clicks ?? []) {
        if (pages.stopReason) break;
        await this.click(text);
      }
      if (this.options.exploreDepth && !pages.stopReason) await this.explore(this.options.exploreDepth);
      this.checkLoaded();
    } catch (err) {
      pages.stop(`browser: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  private async openSession(): Promise<BrowserSession> {
    const session = (await this.earlySession) ?? (await takeSession(this.browser, this.capture.info.identity!, this.limits.settleMs));
    this.session = session;
    session.proxy.reconfigure({
      ca: proxyCertificateAuthority(),
      resolver: this.resolver,
      extraCaPems: this.extraCaPems,
      strictTls: this.options.strictTls ?? false,
      upstreamTimeoutMs: this.limits.timeoutMs,
      catchUp: () => this.browser.cdp.sync(),
      announced: (method, url) => this.pages.announced.take(method, url),
      announcedOrigin: (origin) => this.pages.announced.awaitsOrigin(origin),
      requestHeaderValues: visitorHeaderValues(session.identity),
      onExchange: this.onExchange,
      beforeSend: this.beforeSend,
    });
    this.profile.mark('session');
    session.onPopup = (popup) => this.pages.popup(session, popup);
    for (const popup of session.queuedPopups.splice(0)) this.pages.popup(session, popup);
    return session;
  }

  private async settleAndSnapshot(): Promise<void> {
    const { settleMs, deadline, timeoutMs } = this.limits;
    for (;;) {
      const outcome = await this.pages.settle({ settleMs, deadline, timeoutMs, onQuiet: this.snapshots.onQuiet });
      this.profile.mark('settled');
      const page = this.pages.current!;
      const state = page.navigationState();
      if (!this.interrupted) await this.snapshots.take(page, outcome === 'quiet');
      // A trace that only follows the link ends on this page unless a nudge moves it on (which
      // awaits the picture itself): its screenshot is drawn while the recording ends and the
      // report is derived. One that clicks acts on the page next, and its picture comes first.
      // So does the link's own first document: its script may run before the session's set-up
      // reached the renderer, and a navigation it starts as it is parsed was then told late
      // (a JavaScript cloaker's; `compare` saw profiles end on the page it leaves): the time the
      // picture takes, as before, lets that navigation show and be followed.
      if (this.options.clicks?.length || this.options.exploreDepth || page.documents <= 1) await this.snapshots.finished();
      this.profile.mark('snapshot');
      // A navigation that began while the snapshot was taken (a click's, reported late on a loaded
      // machine) is part of the chain: followed, not left to end the trace on a page just committed.
      const moved = this.pages.current !== page || page.navigationState() !== state;
      // Only a page at rest with nothing pending: one still busy at the limit (a countdown, a timer
      // due later) may move on by itself during the nudge's settle, and that would be no human check.
      if (!moved && outcome === 'quiet' && (await this.nudge(page))) continue;
      if (!moved || page.closed || this.pages.stopReason || this.interrupted || Date.now() >= deadline) break;
    }
    this.flushEvents();
  }

  /**
   * The resting page listens for a sign of a person and has not been nudged: the trace behaves
   * like one arriving on it (nudge.ts), records that, and gives the page a short settle to show
   * what it set off. True when the chain moved on (a navigation, a new window): it is followed.
   */
  private async nudge(page: PageObserver): Promise<boolean> {
    const { pages } = this;
    const { settleMs, deadline, timeoutMs } = this.limits;
    const listening = page.listening;
    if (this.options.nudge === false || page.closed || pages.stopReason || this.interrupted || Date.now() >= deadline) return false;
    if (!listening || listening.document !== page.documents || listening.types.length === 0 || page.nudgedDocument === page.documents)
      return false;
    if (!page.url || page.url.startsWith('chrome-error:') || page.url === 'about:blank') return false;
    page.nudgedDocument = page.documents;
    // The resting page's picture shows it as it rested, before the nudge's input.
    await this.snapshots.finished();
    const identity = this.capture.info.identity!;
    const state = page.navigationState();
    const actions = await nudgePage(page, {
      mobile: identity.device === 'mobile',
      viewport: identity.viewport,
      focused: listening.focused,
      budgetMs: Math.max(0, Math.min(NUDGE_INPUT_MS, deadline - Date.now())),
      // Each recorded before its input is sent: the document requests it sets off come after it in the case.
      onAction: (action) =>
        pages.emit({
          type: 'nudge',
          at: new Date().toISOString(),
          pageId: page.pageId,
          actions: [action],
          listeners: [...listening.types],
          ...(listening.timerDueAt !== null ? { timerDueInMs: Math.max(0, listening.timerDueAt - Date.now()) } : {}),
        }),
    });
    this.profile.mark('nudged');
    this.progress({ kind: 'nudge', detail: actions.join(', ') });
    const movedOn = () => pages.current !== page || page.navigationState() !== state;
    if (!movedOn() && !page.closed && !pages.stopReason) {
      // What the nudge set off (a timer, a request) may still navigate: the page settles again, on a shorter limit.
      page.restartSettleClock();
      const documents = page.documents;
      await pages.settle({
        settleMs: Math.min(settleMs, NUDGE_SETTLE_MS),
        deadline,
        timeoutMs,
        onQuiet: (observer) => (observer !== page || observer.documents !== documents ? this.snapshots.onQuiet(observer) : undefined),
      });
      this.profile.mark('settled after nudge');
    }
    return movedOn();
  }

  /** `--click TEXT`: the link or button is clicked like a person would, and the page settles again. */
  private async click(text: string): Promise<void> {
    const { pages } = this;
    const { deadline } = this.limits;
    const page = pages.current!;
    const pointer = pointerOf(this.capture.info.identity!.device);
    const clicked = await clickByText(page, text, pointer, Math.max(500, Math.min(5000, deadline - Date.now())));
    if (!clicked.ok) {
      pages.stop(`click: ${clicked.reason}`);
      return;
    }
    pages.emit({ type: 'click', at: new Date().toISOString(), pageId: page.pageId, text, target: clicked.target });
    this.progress({ kind: 'click', detail: text });
    await this.clickAndSettle(page, clicked.perform, null);
  }

  /**
   * Clicks and follows what the click does until the chain rests again: a navigation of the top,
   * a new window, or one of the child frame the control is in (`frameId`) or that its link
   * targets, which then is the chain's next step (page-observer.ts watchClick).
   */
  private async clickAndSettle(page: PageObserver, perform: () => Promise<void>, frameId: string | null): Promise<void> {
    page.restartSettleClock();
    page.watchClick(frameId);
    try {
      const left = this.limits.deadline - Date.now();
      await clickAndWatch(page, perform, Math.max(500, left), Math.max(0, Math.min(CLICK_ANSWER_MS, left)));
      await this.settleAndSnapshot();
    } finally {
      page.endClickWatch();
    }
  }

  /** `--explore`: each resting page's call-to-action is found and clicked (explore.ts), up to `depth` pages. */
  private async explore(depth: number): Promise<void> {
    const { pages } = this;
    await explore({
      capture: this.capture,
      depth,
      deadline: this.limits.deadline,
      current: () => pages.current,
      stopped: () => pages.stopReason !== null,
      emit: (event) => pages.emit(event),
      addFile: (path, make) => this.writer.addDerivedFile(path, make),
      flush: () => this.flushEvents(),
      settleAgain: () => this.settleAndSnapshot(),
      clickAndSettle: (page, perform, frameId) => this.clickAndSettle(page, perform, frameId),
      progress: this.progress,
    });
  }

  /** The page the chain ended on rendered, but its load event never came (a hung subresource). */
  private checkLoaded(): void {
    const last = this.pages.current;
    if (!last || last.closed || last.loaded || last.url.startsWith('chrome-error:')) return;
    // A document answered 204/205 loads nothing, nor does one Chromium dropped (a 304 with no copy
    // to show) in a tab that had committed none: the page left as it was is no page of the chain
    // that is still loading (the analysis says the chain ended there, on no page).
    const response = this.capture.events.filter((e) => e.type === 'doc-response' && e.pageId === last.pageId).at(-1);
    if (response?.type === 'doc-response' && (response.status === 204 || response.status === 205)) return;
    if (last.dropped && last.documents === 0) return;
    const seconds = Math.round((Date.now() - last.committedAt) / 100) / 10;
    this.pages.stop(`page did not finish loading: ${last.inflight.size} request(s) still pending after ${seconds} s`);
  }

  /** Navigation evidence is written at each exchange and each resting page, so a case killed later still explains its hops. */
  private flushEvents(): void {
    if (this.eventsWritten === this.capture.events.length) return;
    const events = this.capture.events.slice(this.eventsWritten);
    this.eventsWritten = this.capture.events.length;
    this.writes.add(() => this.writer.addEvents(events));
  }

  /** Nothing more is recorded: pages detached, the proxy closed (a download's last bytes let in first), DNS records completed. */
  async endRecording(): Promise<void> {
    const { session, pages, limits } = this;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // Let a download or a slow last response finish so its record is whole; so too the answer to
    // the request that cut the chain (a loop, too many hops): it was sent, and the server answered.
    const proxy = session?.proxy;
    const drainUntil = Math.min(limits.deadline, Date.now() + 2000);
    // The request that cut the chain may not have reached the proxy yet (an https one comes after
    // its tunnel's handshake), or never will (one Chromium answers from its cache): it is waited for
    // less, unless a tunnel to its host is open and has carried nothing yet (it is on its way).
    const expectUntil = Math.min(drainUntil, Date.now() + EXPECT_CUT_MS);
    const frozenAt = pages.frozenAt;
    const waiting = (p: NonNullable<typeof proxy>) =>
      pages.stopReason === 'download'
        ? p.inFlight > 0
        : frozenAt !== null && (p.awaiting(frozenAt) || (p.expects(frozenAt) && (Date.now() < expectUntil || p.tunnelOpenFor(frozenAt))));
    while (proxy && waiting(proxy) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
    // Requests the proxy holds still (a superseded redirect's, a beacon's) are given the time the
    // resting page's screenshot takes anyway, as they were when the recording ended after it.
    if (proxy && proxy.inFlight > 0) {
      let drawn = false;
      void this.snapshots.finished().then(() => (drawn = true));
      while (proxy.inFlight > 0 && !drawn && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 5));
    }
    pages.detachAll();
    this.browser.cdp.browser.off('Browser.downloadWillBegin', this.onDownload);
    this.profile.mark('detached');
    // The capture ends here; what follows completes and writes what it recorded.
    this.capture.info.endedAt = new Date().toISOString();
    if (session) await endRecording(session);
    this.settleCaseNaming();
    // A shared browser's context is disposed meanwhile, and not waited for: the result is whole
    // without it, and waiting added 6-25 ms to a warm trace on a slowed machine (a browser of our
    // own is closed whole, contexts included).
    // (Once the resting page's screenshot, drawn meanwhile, is in.)
    if (session && this.shared) void this.snapshots.finished().then(() => disposeSessionContext(session));
    // DNS records still being completed (CNAME chains, base domains) belong in the case.
    await withTimeout(this.resolver.settled(), Math.max(300, Math.min(5000, limits.deadline + 1000 - Date.now())), undefined);
    this.profile.mark('context closed');
  }

  /** The report, derived from the capture, and the case closed with it (a browser of our own shuts down meanwhile). */
  async close(): Promise<TraceResult> {
    const { capture, writer, profile } = this;
    const closingBrowser = this.shared ? null : this.snapshots.finished().then(() => this.browser.close().catch(() => undefined));
    capture.info.error = this.pages.stopReason;
    capture.info.endedAt ??= new Date().toISOString();
    // Stopped by the user (Ctrl-C, SIGTERM, a cancelled job): the chain was not followed to its end.
    capture.info.partial = this.interrupted;
    await Promise.all(this.networkPrefetches.values());
    const { analyzeCapture } = await this.analysis;
    const networks = await this.networks;
    // The recording has ended: the report is derived now, while the resting page's screenshot is
    // drawn (it names the picture's path; its bytes are no input), and is the answer. Should no
    // picture come, the report is derived again without it, before the case is sealed.
    const expected = this.snapshots.expected(capture);
    let report = analyzeCapture(expected, writer.dir, networks);
    profile.mark('analyzed');
    this.options.onAnswer?.(report, writer.dir);
    const drawn = await this.snapshots.finished();
    if (expected !== capture && !drawn) report = analyzeCapture(capture, writer.dir, networks);
    profile.mark('screenshot');
    this.writes.flush();
    try {
      if (this.writes.error) throw this.writes.error as Error;
      await writer.close(capture, report);
    } catch (err) {
      throw caseNotWritten(writer.dir, err);
    }
    profile.mark('case closed');
    // The next trace's session opens once this one's case is sealed: started earlier (after the
    // screenshot, while the case was written), Chromium's new context and renderer took the CPU
    // the sealing needed: a warm trace took 11 ms more with each core half taken (the bench's
    // BENCH_BUSY_CORES=1), and batches were no faster for it.
    if (this.shared) prepareSpare(this.browser, capture.info.identity!, this.limits.settleMs);
    await closingBrowser;
    const stats = writer.stats();
    profile.print(this.browser.startup, stats);
    this.progress({ kind: 'done', detail: writer.dir });
    return {
      report,
      capture,
      caseDir: writer.dir,
      evidenceMs: stats.addMs + (stats.close?.totalMs ?? 0),
      marks: profile.marks,
      timestamp: this.sealing.timestamp,
    };
  }
}

/**
 * The trace's browser: the shared one, or one launched for it. While a cold Chromium boots, the
 * analysis code is loaded and run once on an empty capture (its rules load lazily), and the
 * proxy's CA is read: both are off the trace's critical path.
 */
async function startBrowser(
  options: TraceOptions,
  sharedBrowser: Browser | undefined,
): Promise<{ browser: Browser; analysis: Promise<AnalysisModule>; networks: Promise<NetworkLookup> }> {
  const launching = sharedBrowser
    ? null
    : launchBrowser({
        ...(options.browser ? { kind: options.browser } : {}),
        ...(options.visitor ? { languages: options.visitor.languages } : {}),
        singleTrace: true,
      });
  launching?.catch(() => undefined);
  const analysis = import('../analyze/analyze.js');
  // The offline IP data (hosting networks) loads meanwhile too: a few ms, once per process.
  const networks = import('../hosting/network-data.js').then((m) => m.loadNetworkData());
  networks.catch(() => undefined);
  if (launching) {
    const { analyzeCapture } = await analysis;
    analyzeCapture(emptyCapture({ ...WARM_UP_INFO, startedAt: new Date().toISOString() }), null);
    prepareIssuer(proxyCertificateAuthority());
  }
  return { browser: sharedBrowser ?? (await launching!), analysis, networks };
}

function captureInfo(
  options: TraceOptions,
  target: URL,
  browser: Browser,
  identity: ReturnType<typeof defaultIdentity>,
  startedAt: number,
): CaptureInfo {
  return {
    tool: TOOL,
    browser: {
      name: browser.displayName,
      version: browser.version(),
      flags: browser.flags,
      ...(browser.runAs ? { user: browser.runAs } : {}),
    },
    identity,
    url: target.href,
    mode: 'trace',
    commandLine: options.commandLine ?? [],
    resolver: { overrides: describeOverrides(options), dnsServer: options.dnsServer ?? null },
    clicks: options.clicks ?? [],
    ...(options.exploreDepth ? { explore: options.exploreDepth } : {}),
    nudge: options.nudge !== false,
    ...(options.worker ? { worker: options.worker } : {}),
    startedAt: new Date(startedAt).toISOString(),
    endedAt: null,
    error: null,
    partial: true,
    ...(options.analysis ? { analysis: options.analysis } : {}),
  };
}
