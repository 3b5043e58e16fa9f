// What Chromium itself spends per trace, whatever clicktrace does: a fresh browser context with its
// page (a new renderer process), a document loaded in it at the trace's viewport, and a screenshot
// of it, each repeated and measured as the CPU of Chromium's whole process tree. A trace of the
// 5-hop chain needs one context, three documents and one screenshot; with node's own CPU per trace
// that bounds the batch throughput two cores can give, before any of our code is slow.
//   node dist/bench/chromium-floor.js     (after npm run build)
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { launchBrowser, type AttachedTarget, type Browser } from '../src/capture/browser.js';
import { defaultIdentity } from '../src/capture/identity.js';
import { childProcesses, treeCpuMs } from './process-tree.js';

export interface ChromiumFloor {
  /** Chromium CPU ms per fresh context with a page on about:blank (created, then disposed). */
  contextMs: number;
  /** Per document loaded in that page (a small landing-like page at the trace's viewport). */
  documentMs: number;
  /** Per PNG screenshot of it. */
  screenshotMs: number;
}

const RUNS = 15;
const PAGE =
  '<!doctype html><html><head><title>floor</title><style>body{font:16px sans-serif;margin:40px}' +
  'a{background:#c00;color:#fff;padding:12px 24px;border-radius:6px}</style></head>' +
  `<body><h1>A landing page</h1><p>${'Some text of the offer. '.repeat(20)}</p><a href="#">Buy now</a></body></html>`;

async function openPage(browser: Browser): Promise<{ contextId: string; page: AttachedTarget }> {
  const cdp = browser.cdp.browser;
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const attached = new Promise<AttachedTarget>((resolve) => browser.onContextTarget(browserContextId, resolve));
  await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const page = await attached;
  await page.session.send('Page.enable');
  await page.session.send('Runtime.runIfWaitingForDebugger');
  return { contextId: browserContextId, page };
}

async function closePage(browser: Browser, contextId: string): Promise<void> {
  browser.onContextTarget(contextId, null);
  await browser.cdp.browser.send('Target.disposeBrowserContext', { browserContextId: contextId });
}

async function load(page: AttachedTarget, n: number): Promise<void> {
  const loaded = new Promise<void>((resolve) => {
    const done = () => {
      page.session.off('Page.loadEventFired', done);
      resolve();
    };
    page.session.on('Page.loadEventFired', done);
  });
  await page.session.send('Page.navigate', { url: `data:text/html,${encodeURIComponent(PAGE.replace('floor', `floor ${n}`))}` });
  await loaded;
}

/** Chromium CPU ms per call of `step`, over RUNS calls after two not counted. */
async function perStep(chromium: number, step: (n: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 2; i++) await step(-1 - i);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = treeCpuMs(chromium);
  for (let i = 0; i < RUNS; i++) await step(i);
  // A disposed context's renderer exits (and is counted) a little later.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return (treeCpuMs(chromium) - before) / RUNS;
}

export async function measureChromiumFloor(): Promise<ChromiumFloor> {
  const browser = await launchBrowser({ kind: 'shell' });
  const chromium = childProcesses(/chrom/).at(-1)!;
  try {
    const contextMs = await perStep(chromium, async () => {
      const { contextId } = await openPage(browser);
      await closePage(browser, contextId);
    });
    const { contextId, page } = await openPage(browser);
    const { viewport } = defaultIdentity('desktop', browser.version());
    await page.session.send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
    const documentMs = await perStep(chromium, (n) => load(page, n));
    const screenshotMs = await perStep(chromium, async () => {
      await page.session.send('Page.captureScreenshot', { format: 'png', optimizeForSpeed: true });
    });
    await closePage(browser, contextId);
    return { contextMs, documentMs, screenshotMs };
  } finally {
    await browser.close();
  }
}

/** The floor of one 5-hop trace (one context, three documents, one screenshot) and the throughput it allows with `nodeMs` per trace. */
export function formatChromiumFloor(floor: ChromiumFloor, nodeMs: number | null, cores = availableParallelism()): string[] {
  const perTrace = floor.contextMs + 3 * floor.documentMs + floor.screenshotMs;
  const lines = [
    `Chromium's own CPU per 5-hop trace, whatever drives it: fresh context + page ${floor.contextMs.toFixed(0)} ms, ` +
      `3 documents x ${floor.documentMs.toFixed(0)} ms, screenshot ${floor.screenshotMs.toFixed(0)} ms = ${perTrace.toFixed(0)} ms`,
  ];
  if (nodeMs !== null) {
    const ceiling = (cores * 1000) / (perTrace + nodeMs);
    lines.push(
      `  with node's ${nodeMs.toFixed(0)} ms per trace, ${cores} cores fully busy could give at most ${ceiling.toFixed(2)} traces/s`,
    );
  }
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of formatChromiumFloor(await measureChromiumFloor(), null)) console.log(line);
}
