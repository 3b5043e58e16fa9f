// One trace: a fresh browser context behind a fresh recording proxy, the link requested once,
// followed until the page settles, optional clicks, snapshots of every resting page, the case
// written as evidence arrives and closed with the report derived from it.
import { emptyCapture, type Capture, type CaptureInfo, type Exchange } from '../model.js';
import type { Report } from '../report.js';
import { DEFAULTS, parseTarget } from './target.js';
import { buildUpstream, describeOverrides, type UpstreamOptions } from '../proxy/upstream.js';
import { proxyCertificateAuthority } from '../proxy/proxy-ca.js';
import { prepareIssuer } from '../proxy/recording-proxy.js';
import { CaseWriter } from '../case/case-writer.js';
import { TOOL } from '../version.js';
import { defaultIdentity, type Device } from './identity.js';
import { launchBrowser, type Browser, type BrowserKind } from './browser.js';
import { withTimeout, type PageObserver } from './page-observer.js';
import {
  closeSession,
  disposeSessionContext,
  endRecording,
  initialSession,
  prepareSpare,
  takeSession,
  type BrowserSession,
} from './session.js';
import { clickByText } from './click.js';
import { Snapshots } from './snapshot.js';
import { TracePages } from './trace-pages.js';
import { DeferredWrites } from './deferred-writes.js';
import type { TimestampOutcome, TsaSettings } from '../timestamp/case-timestamp.js';
import { explore } from './explore.js';

export interface TraceOptions extends UpstreamOptions {
  url: string;
  strictTls?: boolean;
  userAgent?: string;
  device?: Device;
  timeoutMs?: number;
  settleMs?: number;
  clicks?: string[];
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
   * Called with the case folder's name once the folder exists, before the link is requested (the
   * ledger of requested URLs names the case here). If it throws, nothing is requested and the
   * case is closed saying why.
   */
  onCase?: (caseId: string) => void;
  /** Aborting stops the trace as soon as it can; its case is closed with the abort reason as its error. */
  signal?: AbortSignal;
}

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

/** A phase's name, its end in ms since the trace began, and this process's CPU ms since then (all threads; other work in it included). */
export type TraceMark = [name: string, ms: number, cpuMs: number];

export { DEFAULTS, parseTarget };

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

export async function trace(options: TraceOptions, sharedBrowser?: Browser): Promise<TraceResult> {
  const target = parseTarget(options.url);
  const { resolver, extraCaPems } = buildUpstream(options);
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const settleMs = options.settleMs ?? DEFAULTS.settleMs;
  const maxHops = options.maxHops ?? DEFAULTS.maxHops;
  const started = Date.now();
  const deadline = started + timeoutMs;
  // CLICKTRACE_PROFILE=1 prints where a trace spends its time (stderr).
  const cpuAtStart = process.cpuUsage();
  const marks: TraceMark[] = [];
  const mark = (name: string) => {
    const cpu = process.cpuUsage(cpuAtStart);
    marks.push([name, Date.now() - started, Math.round((cpu.user + cpu.system) / 100) / 10]);
  };
  const progress = options.onProgress ?? (() => undefined);

  const launching = sharedBrowser ? null : launchBrowser({ ...(options.browser ? { kind: options.browser } : {}), singleTrace: true });
  launching?.catch(() => undefined);
  // While Chromium boots (cold) the analysis code is loaded and run once on an empty capture
  // (its rules load lazily), and the proxy's CA is read: both are off the trace's critical path.
  const analysis = import('../analyze/analyze.js');
  // The offline IP data (hosting networks) loads meanwhile too: a few ms, once per process.
  const networks = import('../hosting/network-data.js').then((m) => m.loadNetworkData());
  networks.then(() => mark('network data'), () => undefined);
  if (launching) {
    const { analyzeCapture } = await analysis;
    analyzeCapture(emptyCapture({ ...WARM_UP_INFO, startedAt: new Date().toISOString() }), null);
    prepareIssuer(proxyCertificateAuthority());
  }
  const browser = sharedBrowser ?? (await launching!);
  const identity = defaultIdentity(options.device ?? 'desktop', browser.version(), options.userAgent);
  const info: CaptureInfo = {
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
    resolver: {
      overrides: describeOverrides(options),
      dnsServer: options.dnsServer ?? null,
    },
    clicks: options.clicks ?? [],
    ...(options.exploreDepth ? { explore: options.exploreDepth } : {}),
    startedAt: new Date(started).toISOString(),
    endedAt: null,
    error: null,
    partial: true,
    ...(options.analysis ? { analysis: options.analysis } : {}),
  };
  const capture = emptyCapture(info);
  mark('setup');
  // The session (a browser of our own: its start-up tab) is set up while the case folder is created.
  const earlySession: Promise<BrowserSession | null> = sharedBrowser
    ? takeSession(browser, identity, settleMs)
    : initialSession(browser, identity, settleMs);
  earlySession.catch(() => undefined);
  let writer: CaseWriter;
  let timestamp: TimestampOutcome | null = null;
  const tsa = options.tsa;
  const onSealed = tsa
    ? async (dir: string) => {
        timestamp = await (await import('../timestamp/case-timestamp.js')).stampCase(dir, tsa);
      }
    : undefined;
  try {
    writer = await CaseWriter.create(options.outDir ?? DEFAULTS.outDir, info, onSealed ? { onSealed } : {});
  } catch (err) {
    if (!sharedBrowser) await browser.close().catch(() => undefined);
    else void earlySession.then((s) => s && closeSession(s, { disposeContext: true })).catch(() => undefined);
    throw err;
  }
  mark('case');
  const writes = new DeferredWrites();
  const onExchange = (exchange: Exchange) => {
    capture.exchanges.push(exchange);
    writes.add(() => writer.addExchange(exchange));
    progress({ kind: 'exchange', detail: `${exchange.response?.status ?? 'ERR'} ${exchange.request.method} ${exchange.request.url}` });
  };
  resolver.onRecord = (record) => {
    capture.dns.push(record);
    writes.add(() => writer.addDns(record));
  };

  const pages = new TracePages(capture, maxHops, progress);
  const snapshots = new Snapshots(capture, (snapshot) => writes.add(() => writer.addPage(snapshot)), deadline);
  // Navigation evidence is written at each resting page, so a case killed later still explains its hops.
  let eventsWritten = 0;
  const flushEvents = () => {
    const events = capture.events.slice(eventsWritten);
    eventsWritten = capture.events.length;
    writes.add(() => writer.addEvents(events));
  };
  let session: BrowserSession | null = null;
  let disposing: Promise<void> | null = null;
  const onDownload = (event: { frameId: string; guid: string; url: string; suggestedFilename: string }) => {
    if (!session || !pages.download(event)) return;
    void browser.cdp.browser
      .send('Browser.cancelDownload', { guid: event.guid, browserContextId: session.contextId })
      .catch(() => undefined);
  };
  browser.cdp.browser.on('Browser.downloadWillBegin', onDownload);
  const onAbort = () => pages.stop(String(options.signal?.reason ?? 'interrupted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  try {
    try {
      options.onCase?.(writer.name);
    } catch (err) {
      pages.stop(`not requested: ${(err as Error).message.split('\n')[0]}`);
    }
    session = (await earlySession) ?? (await takeSession(browser, identity, settleMs));
    session.proxy.reconfigure({
      ca: proxyCertificateAuthority(),
      resolver,
      extraCaPems,
      strictTls: options.strictTls ?? false,
      upstreamTimeoutMs: timeoutMs,
      onExchange,
    });
    mark('session');
    const openSession = session;
    session.onPopup = (popup) => pages.popup(openSession, popup);
    for (const popup of session.queuedPopups.splice(0)) pages.popup(openSession, popup);
    pages.current = pages.observe(session.first, null);
    mark('page');
    progress({ kind: 'start', detail: target.href });
    if (!pages.stopReason) void pages.current.navigate(target.href);

    const settleAndSnapshot = async () => {
      const outcome = await pages.settle({ settleMs, deadline, timeoutMs, onQuiet: snapshots.onQuiet });
      mark('settled');
      await snapshots.take(pages.current!, outcome === 'quiet');
      mark('snapshot');
      // The next trace's session opens while this one finishes: after the screenshot, whose frame
      // would otherwise compete with the new renderer's start-up for the CPU (measured: the
      // snapshot phase took about twice as long on 2 cores), and during the case's closing, which
      // is work of this process, not of Chromium's.
      if (sharedBrowser) prepareSpare(browser, identity, settleMs);
      flushEvents();
    };
    const clickAndSettle = async (page: PageObserver, perform: () => Promise<void>) => {
      page.restartSettleClock();
      await withTimeout(perform(), Math.max(500, deadline - Date.now()), undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await settleAndSnapshot();
    };
    await settleAndSnapshot();
    for (const text of options.clicks ?? []) {
      if (pages.stopReason) break;
      const page = pages.current;
      const clicked = await clickByText(page, text, Math.max(500, Math.min(5000, deadline - Date.now())));
      if (!clicked.ok) {
        pages.stop(`click: ${clicked.reason}`);
        break;
      }
      pages.emit({ type: 'click', at: new Date().toISOString(), pageId: page.pageId, text, target: clicked.target });
      progress({ kind: 'click', detail: text });
      await clickAndSettle(page, clicked.perform);
    }
    if (options.exploreDepth)
      await explore({
        capture,
        depth: options.exploreDepth,
        deadline,
        current: () => pages.current,
        stopped: () => pages.stopReason !== null,
        emit: (event) => pages.emit(event),
        addFile: (path, make) => writer.addDerivedFile(path, make),
        flush: flushEvents,
        clickAndSettle,
        progress,
      });
    // The page the chain ended on rendered, but its load event never came (a hung subresource).
    const last = pages.current as PageObserver | null;
    if (last && !last.closed && !last.loaded && !last.url.startsWith('chrome-error:')) {
      pages.stop(
        `page did not finish loading: ${last.inflight.size} request(s) still pending after ${Math.round((Date.now() - last.committedAt) / 100) / 10} s`,
      );
    }
  } catch (err) {
    pages.stop(`browser: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    // Let a download or a slow last response finish so its record is whole.
    const proxy = session?.proxy;
    const drainUntil = Math.min(deadline, Date.now() + 2000);
    while (proxy && proxy.inFlight > 0 && Date.now() < drainUntil && pages.stopReason === 'download')
      await new Promise((r) => setTimeout(r, 20));
    pages.detachAll();
    browser.cdp.browser.off('Browser.downloadWillBegin', onDownload);
    options.signal?.removeEventListener('abort', onAbort);
    mark('detached');
    // The recording ends here; a shared browser's context is disposed while the case is written
    // (a browser of our own is closed whole, contexts included).
    if (session) await endRecording(session);
    if (session && sharedBrowser) disposing = disposeSessionContext(session);
    // DNS records still being completed (CNAME chains, base domains) belong in the case.
    await withTimeout(resolver.settled(), Math.max(300, Math.min(5000, deadline + 1000 - Date.now())), undefined);
    mark('context closed');
  }
  // A browser of our own shuts down while the case is written (its context is already closed).
  const closingBrowser = sharedBrowser ? null : browser.close().catch(() => undefined);
  capture.info.error = pages.stopReason;
  capture.info.endedAt = new Date().toISOString();
  capture.info.partial = false;
  const report = (await analysis).analyzeCapture(capture, writer.dir, await networks);
  mark('analyzed');
  writes.flush();
  if (writes.error) throw writes.error;
  await writer.close(capture, report);
  mark('case closed');
  await Promise.all([closingBrowser, disposing]);
  if (process.env.CLICKTRACE_PROFILE)
    process.stderr.write(
      `profile: trace() began ${Math.round(performance.now() - (Date.now() - started))} ms after process start, at ${new Date(started).toISOString()}; Chromium spawned at ${Math.round(browser.startup.spawnedAt)} ms, answered at ${Math.round(browser.startup.answeredAt)} ms; ${marks.map(([n, t]) => `${n} ${t}`).join(', ')}; evidence ${JSON.stringify(writer.stats(), (_, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}\n`,
    );
  progress({ kind: 'done', detail: writer.dir });
  const stats = writer.stats();
  return { report, capture, caseDir: writer.dir, evidenceMs: stats.addMs + (stats.close?.totalMs ?? 0), marks, timestamp };
}
