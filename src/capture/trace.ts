// One trace: a fresh browser context behind a fresh recording proxy, the link requested once,
// followed until the page settles, optional clicks, snapshots of every resting page, the case
// written as evidence arrives and closed with the report derived from it.
import { emptyCapture, type Capture, type CaptureInfo, type Exchange, type NavEvent, type PageSnapshot } from '../model.js';
import type { Report } from '../report.js';
import { DEFAULTS, parseTarget } from './target.js';
import { buildUpstream, describeOverrides, type UpstreamOptions } from '../proxy/upstream.js';
import { proxyCertificateAuthority } from '../proxy/proxy-ca.js';
import { prepareIssuer } from '../proxy/recording-proxy.js';
import { CaseWriter } from '../evidence/case-writer.js';
import { TOOL } from '../version.js';
import { defaultIdentity, type Device } from './identity.js';
import { launchBrowser, type AttachedTarget, type Browser, type BrowserKind } from './browser.js';
import { PageObserver, withTimeout } from './page-observer.js';
import { closeSession, initialSession, prepareSpare, preparePage, resume, takeSession, type BrowserSession } from './session.js';
import { waitForSettle } from './settle.js';
import { clickByText } from './click.js';

export interface TraceOptions extends UpstreamOptions {
  url: string;
  strictTls?: boolean;
  userAgent?: string;
  device?: Device;
  timeoutMs?: number;
  settleMs?: number;
  clicks?: string[];
  maxHops?: number;
  /** Which Chromium build to launch when no browser is given (see browser.ts). */
  browser?: BrowserKind;
  outDir?: string;
  commandLine?: string[];
  /** Context for the analysis, e.g. the e-mail a link came from (recipients, ESP, message case). */
  analysis?: CaptureInfo['analysis'];
  onProgress?: (event: { kind: string; detail: string }) => void;
}

export interface TraceResult {
  report: Report;
  capture: Capture;
  caseDir: string;
  /** Time spent writing evidence (WARC records, screenshots, HAR, WACZ, manifest). */
  evidenceMs: number;
}

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
  const marks: [string, number][] = [];
  const mark = (name: string) => marks.push([name, Date.now() - started]);
  const progress = options.onProgress ?? (() => undefined);

  const launching = sharedBrowser ? null : launchBrowser({ ...(options.browser ? { kind: options.browser } : {}), singleTrace: true });
  launching?.catch(() => undefined);
  // While Chromium boots (cold) the analysis code is loaded and run once on an empty capture
  // (its rules load lazily), and the proxy's CA is read: both are off the trace's critical path.
  const analysis = import('../analyze/analyze.js');
  if (launching) {
    const { analyzeCapture } = await analysis;
    analyzeCapture(emptyCapture({ ...WARM_UP_INFO, startedAt: new Date().toISOString() }), null);
    prepareIssuer(proxyCertificateAuthority());
  }
  const browser = sharedBrowser ?? (await launching!);
  const identity = defaultIdentity(options.device ?? 'desktop', browser.version(), options.userAgent);
  const info: CaptureInfo = {
    tool: TOOL,
    browser: { name: browser.displayName, version: browser.version(), flags: browser.flags },
    identity,
    url: target.href,
    mode: 'trace',
    commandLine: options.commandLine ?? [],
    resolver: {
      overrides: describeOverrides(options),
      dnsServer: options.dnsServer ?? null,
    },
    clicks: options.clicks ?? [],
    startedAt: new Date(started).toISOString(),
    endedAt: null,
    error: null,
    partial: true,
    ...(options.analysis ? { analysis: options.analysis } : {}),
  };
  const capture = emptyCapture(info);
  mark('setup');
  // The session (a browser of our own: its start-up tab) is set up while the case folder is created.
  const earlySession: Promise<BrowserSession | null> = sharedBrowser ? takeSession(browser, identity, settleMs) : initialSession(browser, identity, settleMs);
  earlySession.catch(() => undefined);
  let writer: CaseWriter;
  try {
    writer = await CaseWriter.create(options.outDir ?? DEFAULTS.outDir, info);
  } catch (err) {
    if (!sharedBrowser) await browser.close().catch(() => undefined);
    else void earlySession.then((s) => s && closeSession(s, { disposeContext: true })).catch(() => undefined);
    throw err;
  }
  mark('case');
  const onExchange = (exchange: Exchange) => {
    capture.exchanges.push(exchange);
    writer.addExchange(exchange);
    progress({ kind: 'exchange', detail: `${exchange.response?.status ?? 'ERR'} ${exchange.request.method} ${exchange.request.url}` });
  };
  resolver.onRecord = (record) => {
    capture.dns.push(record);
    writer.addDns(record);
  };

  let session: BrowserSession | null = null;
  let stopReason: string | null = null;
  const stop = (reason: string, freeze = false) => {
    stopReason ??= reason;
    // After a loop or too many hops, what the browser does next is not part of the chain.
    if (freeze) for (const observer of observers.values()) observer.frozen = true;
  };
  const emit = (event: NavEvent) => capture.events.push(event);
  // Navigation evidence is written at each resting page, so a case killed later still explains its hops.
  let eventsWritten = 0;
  const flushEvents = () => {
    writer.addEvents(capture.events.slice(eventsWritten));
    eventsWritten = capture.events.length;
  };
  const observers = new Map<string, PageObserver>();
  let current: PageObserver | null = null;
  let pageCount = 0;
  let pendingPopup: Promise<void> | null = null;

  const observe = (target: AttachedTarget, opener: PageObserver | null): PageObserver => {
    const observer = new PageObserver(target, `p${++pageCount}`, emit, () => {
      const hops = capture.events.filter((e) => e.type === 'doc-request').length;
      const url = observer.requestedUrls.at(-1)!;
      progress({ kind: 'hop', detail: url });
      if (observer.requestedUrls.filter((u) => u === url).length >= 3) stop(`redirect loop: ${url} requested 3 times`, true);
      else if (hops >= maxHops) stop(`too many hops: stopped after ${maxHops} documents (see --max-hops)`, true);
    });
    observers.set(target.targetId, observer);
    emit({ type: 'page', at: new Date().toISOString(), pageId: observer.pageId, openerPageId: opener?.pageId ?? null });
    target.session.on('Page.javascriptDialogOpening', (dialog: { type: string; message: string }) => {
      // Answered even after the trace stopped: an open dialog blocks the page.
      if (!observer.frozen) emit({ type: 'dialog', at: new Date().toISOString(), pageId: observer.pageId, dialogType: dialog.type, message: dialog.message });
      void target.session.send('Page.handleJavaScriptDialog', { accept: dialog.type === 'beforeunload' }).catch(() => undefined);
    });
    observer.attach();
    return observer;
  };
  const onDownload = (event: { frameId: string; guid: string; url: string; suggestedFilename: string }) => {
    const observer = [...observers.values()].find((o) => o.frameIds.has(event.frameId));
    if (!observer || !session) return;
    emit({ type: 'download', at: new Date().toISOString(), pageId: observer.pageId, url: event.url, suggestedFilename: event.suggestedFilename });
    stop('download');
    void browser.cdp.browser.send('Browser.cancelDownload', { guid: event.guid, browserContextId: session.contextId }).catch(() => undefined);
  };
  browser.cdp.browser.on('Browser.downloadWillBegin', onDownload);

  try {
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
    const onPopup = (target: AttachedTarget) => {
      const opener = (target.openerId ? observers.get(target.openerId) : null) ?? current;
      const previous = pendingPopup;
      pendingPopup = (async () => {
        await previous;
        if (stopReason) return void resume(target);
        try {
          const observer = observe(target, opener);
          // Sent together: a popup may share its opener's renderer, which cannot answer the
          // set-up commands until the popup runs (CDP keeps their order on the session).
          await Promise.all([preparePage(openSession, target), resume(target)]);
          if (!observer.closed) current = observer;
          progress({ kind: 'popup', detail: target.url });
        } catch {
          // The new window closed before it could be observed; the chain stays on its opener.
        }
      })();
    };
    session.onPopup = onPopup;
    for (const target of session.queuedPopups.splice(0)) onPopup(target);
    current = observe(session.first, null);
    mark('page');
    progress({ kind: 'start', detail: target.href });
    const navigation = current.navigate(target.href);

    // The screenshot is taken when a page turns quiet; if it stays quiet through the grace period
    // (nothing changed: same generation), that is the picture of the settled page. One at a time:
    // a page that keeps turning quiet and busy again is not photographed over and over.
    let earlyShot: EarlyScreenshot | null = null;
    let settledQuiet = false;
    const onQuiet = (observer: PageObserver) => {
      // The world the document will be read in is made now too (once per document).
      void observer.isolatedContext();
      if (earlyShot && !earlyShot.done) return;
      const png = observer.screenshot(Math.max(300, Math.min(3000, deadline + 700 - Date.now())));
      const shot: EarlyScreenshot = { observer, generation: observer.generation, png, done: false };
      void png.finally(() => (shot.done = true)).catch(() => undefined);
      earlyShot = shot;
    };
    const takeEarlyShot = (observer: PageObserver) => {
      const shot = earlyShot as EarlyScreenshot | null;
      earlyShot = null;
      return settledQuiet && shot && shot.observer === observer && shot.generation === observer.generation ? shot.png : null;
    };
    const settle = async (): Promise<void> => {
      for (;;) {
        const outcome = await waitForSettle(() => current!, { settleMs, deadline, shouldStop: () => stopReason !== null, onQuiet });
        settledQuiet = outcome === 'quiet';
        if (outcome === 'deadline') stop(timeoutMessage(current!, timeoutMs));
        if (pendingPopup) {
          const popup = pendingPopup;
          pendingPopup = null;
          await withTimeout(popup, deadline - Date.now(), undefined);
          continue;
        }
        return;
      }
    };

    await settle();
    mark('settled');
    // The next trace's session opens while this one finishes.
    if (sharedBrowser) prepareSpare(browser, identity, settleMs);
    await snapshot(current!, capture, writer, deadline, takeEarlyShot(current!));
    mark('snapshot');
    flushEvents();
    for (const text of options.clicks ?? []) {
      if (stopReason) break;
      const clicked = await clickByText(current!, text, Math.max(500, Math.min(5000, deadline - Date.now())));
      if (!clicked.ok) {
        stop(`click: ${clicked.reason}`);
        break;
      }
      emit({ type: 'click', at: new Date().toISOString(), pageId: current!.pageId, text, target: clicked.target });
      progress({ kind: 'click', detail: text });
      current!.restartSettleClock();
      await withTimeout(clicked.perform(), Math.max(500, deadline - Date.now()), undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await settle();
      await snapshot(current!, capture, writer, deadline, takeEarlyShot(current!));
      flushEvents();
    }
    void navigation;
    // The page the chain ended on rendered, but its load event never came (a hung subresource).
    const last = current as PageObserver | null;
    if (last && !last.closed && !last.loaded && !last.url.startsWith('chrome-error:')) {
      stop(`page did not finish loading: ${last.inflight.size} request(s) still pending after ${Math.round((Date.now() - last.committedAt) / 100) / 10} s`);
    }
  } catch (err) {
    stop(`browser: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    // Let a download or a slow last response finish so its record is whole.
    const proxy = session?.proxy;
    const drainUntil = Math.min(deadline, Date.now() + 2000);
    while (proxy && proxy.inFlight > 0 && Date.now() < drainUntil && stopReason === 'download') await new Promise((r) => setTimeout(r, 20));
    for (const observer of observers.values()) observer.detach();
    browser.cdp.browser.off('Browser.downloadWillBegin', onDownload);
    mark('detached');
    // A browser of our own is closed whole, contexts included.
    if (session) await closeSession(session, { disposeContext: sharedBrowser !== undefined });
    // DNS records still being completed (CNAME chains, base domains) belong in the case.
    await withTimeout(resolver.settled(), Math.max(300, Math.min(5000, deadline + 1000 - Date.now())), undefined);
    mark('context closed');
  }
  // A browser of our own shuts down while the case is written (its context is already closed).
  const closingBrowser = sharedBrowser ? null : browser.close().catch(() => undefined);
  capture.info.error = stopReason;
  capture.info.endedAt = new Date().toISOString();
  capture.info.partial = false;
  const report = (await analysis).analyzeCapture(capture, writer.dir);
  mark('analyzed');
  await writer.close(capture, report);
  mark('case closed');
  await closingBrowser;
  if (process.env.CLICKTRACE_PROFILE) process.stderr.write(`profile: trace() began ${Math.round(performance.now() - (Date.now() - started))} ms after process start, at ${new Date(started).toISOString()}; Chromium spawned at ${Math.round(browser.startup.spawnedAt)} ms, answered at ${Math.round(browser.startup.answeredAt)} ms; ${marks.map(([n, t]) => `${n} ${t}`).join(', ')}\n`);
  progress({ kind: 'done', detail: writer.dir });
  const stats = writer.stats();
  return { report, capture, caseDir: writer.dir, evidenceMs: stats.addMs + (stats.close?.totalMs ?? 0) };
}

function timeoutMessage(observer: PageObserver, timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 1000);
  if (observer.docInFlight) return `timeout: no response for ${observer.requestedUrls.at(-1) ?? 'the page'} within ${seconds} s`;
  return `timeout: the page did not settle within ${seconds} s`;
}

interface EarlyScreenshot {
  observer: PageObserver;
  generation: number;
  png: Promise<Buffer | null>;
  done: boolean;
}

async function snapshot(observer: PageObserver, capture: Capture, writer: CaseWriter, deadline: number, earlyPng: Promise<Buffer | null> | null): Promise<void> {
  const url = observer.url;
  if (!url || url === 'about:blank' || url.startsWith('chrome-error:') || observer.closed) return;
  const index = capture.pages.length + 1;
  // Past the deadline a snapshot gets a short budget: the trace must end soon after --timeout.
  const budget = Math.max(300, Math.min(3000, deadline + 700 - Date.now()));
  const [document, png] = await Promise.all([observer.readDocument(budget), earlyPng ?? observer.screenshot(budget)]);
  const title = document?.title ?? '';
  const html = document?.html ?? null;
  const host = safeHost(url);
  const nn = String(index).padStart(2, '0');
  const snapshot: PageSnapshot = {
    index,
    at: new Date().toISOString(),
    pageId: observer.pageId,
    url,
    title,
    screenshot: png ? { path: `screenshots/${nn}-${host}.png`, png } : null,
    dom: html !== null ? { path: `dom/${nn}.html`, html } : null,
  };
  capture.pages.push(snapshot);
  capture.events.push({ type: 'settled', at: snapshot.at, pageId: observer.pageId, url, title, snapshot: index });
  writer.addPage(snapshot);
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/[^a-z0-9.-]/gi, '_').slice(0, 80) || 'page';
  } catch {
    return 'page';
  }
}
