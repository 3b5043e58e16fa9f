// `clicktrace proxy` with a real Chromium and a real curl pointed at it: a capture without browser
// events holds the visits the analyst made one after another, each page's subresources, XHRs and
// favicon, and popups. The report follows the first chain, whole (302, meta refresh and script
// redirects read from the bodies), and shows the others as separate chains; `analyze` of the saved
// case and `import` of a HAR Chromium wrote of the same visits give the same chains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { labWithCasesDirs, tempDir } from './helpers.js';
import { runCli, startCli } from './support/cli-process.js';
import { CHROMIUM_ARGS } from '../src/capture/chromium-flags.js';
import { CHROMIUM_PATH } from '../src/capture/chromium-process.js';
import { importHar } from '../src/import/har.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import type { Report } from '../src/report.js';
import { chainSection } from '../src/web/views/chain-section.js';

const run = promisify(execFile);
const fixture = labWithCasesDirs('proxy-chains-');

/** Runs `clicktrace proxy --json`, lets `use` drive clients through it, stops it; its report and case. */
async function proxySession(use: (port: number) => Promise<void>): Promise<{ report: Report; caseDir: string }> {
  const out = fixture.casesDir();
  const proxy = startCli(['proxy', '--port', '0', '--out', out, '--json', ...fixture.lab.traceArgs]);
  await proxy.until((s) => /recording into /.test(s));
  try {
    await use(Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(proxy.stdout())![1]));
  } finally {
    proxy.child.kill('SIGINT');
  }
  const { code, stdout, stderr } = await proxy.exited;
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as Report;
  const [name] = readdirSync(out).filter((n) => /^\d{8}T/.test(n));
  return { report, caseDir: join(out, name) };
}

/** The hops of each chain as "via url", chain 1 first (hops without a chain number are chain 1's). */
function chains(report: Pick<Report, 'hops'>): string[][] {
  const out: string[][] = [];
  for (const hop of report.hops) (out[(hop.chain ?? 1) - 1] ??= []).push(`${hop.via} ${hop.url}`);
  return out;
}

/** A Chromium of its own pointed at the proxy on `port`, closed after `use`. */
async function withChromium(port: number, use: (browser: Browser) => Promise<void>): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    proxy: { server: `http://127.0.0.1:${port}` },
  });
  try {
    await use(browser);
  } finally {
    await browser.close();
  }
}

/**
 * A visit the analyst makes: a person takes a moment before going to the next link (more than the
 * second after a page's load in which import/chain.ts takes a request with no Referer as the page's).
 */
async function visit(page: Page, url: string, finalUrl: string): Promise<void> {
  await page.waitForTimeout(1500);
  await page.goto(url);
  await page.waitForURL(finalUrl);
  await page.waitForLoadState('load');
}

test('Chromium through the proxy: three visits are three chains, the first followed whole; its HAR imports to the same', async () => {
  const { scenarios } = fixture.lab;
  const five = scenarios['five-hop'];
  const xhr = scenarios['javascript-xhr'];
  const popup = scenarios.popup;
  const har = join(tempDir('proxy-chains-har-'), 'chromium.har');
  const { report, caseDir } = await proxySession((port) =>
    withChromium(port, async (browser) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, recordHar: { path: har, content: 'embed' } });
      const page = await context.newPage();
      // 302, meta refresh (seen in the body only), script (likewise), 301, the landing page with its subresources.
      await visit(page, five.url, five.finalUrl!);
      await page.evaluate(() => fetch('/favicon.ico').catch(() => null));
      // A page that asks an API (XMLHttpRequest) where to go, then goes there.
      await visit(page, xhr.url, xhr.finalUrl!);
      // A page whose button opens a popup.
      await visit(page, popup.url, popup.url);
      const [opened] = await Promise.all([page.waitForEvent('popup'), page.getByText('Claim your prize').click()]);
      await opened.waitForURL(popup.finalUrl!);
      await opened.waitForLoadState('load');
      await context.close();
    }),
  );

  assert.deepEqual(chains(report), [
    ['start', 'http-302', 'meta-refresh', 'javascript', 'http-301'].map((via, i) => `${via} ${report.hops[i].url}`),
    [`start ${xhr.url}`, `other ${xhr.finalUrl}`],
    [`start ${popup.url}`, `other ${popup.finalUrl}`],
  ]);
  assert.equal(report.hops[0].url, five.url);
  assert.equal(report.hops[4].url, five.finalUrl);
  assert.equal(report.url, five.url);
  assert.equal(report.final?.url, five.finalUrl);
  assert.ok(
    report.hops.every((h) => (h.chain ?? 1) === 1 || h.otherTab),
    'the other chains are left out of the end, parties and summary',
  );
  assert.ok(
    report.hops.every((h) => !/favicon|\/api\//.test(h.url)),
    'no favicon nor XHR is a hop',
  );
  assert.match(report.hops[5].evidence.detail, /^visited separately \(chain 2\)/);

  // The saved case gives the same answer, from its WARC alone.
  const checked = await runCli(['analyze', caseDir, '--check']);
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  const human = await runCli(['analyze', caseDir]);
  assert.match(human.stdout, /Note: 3 separate chains were recorded/);
  assert.match(human.stdout, /\(separate chain 2: not the chain this report follows\)/);
  // The case page says it too, above the hops.
  assert.match(String(chainSection(report)), /<p class="chains-note">3 separate chains were recorded .*this report follows chain 1/);

  // Chromium's own record of the same visits (Playwright's HAR of its network events) splits alike.
  // It keeps no body of a page the browser left (the meta refresh, the script): the hop after one
  // is told by its timing, or its Referer, not by its mechanism.
  const imported = analyzeCapture(importHar(readFileSync(har, 'utf8'), 'chromium.har'), null);
  const urls = (r: Pick<Report, 'hops'>) => chains(r).map((c) => c.map((hop) => hop.split(' ')[1]));
  assert.deepEqual(urls(imported), urls(report));
  assert.equal(imported.final?.url, five.finalUrl);
});

test('curl through the proxy: two runs are two chains; a refresh target fetched by hand continues its page', async () => {
  const { scenarios } = fixture.lab;
  const redirect = scenarios['http-302'];
  const meta = scenarios['meta-refresh'];
  const { report } = await proxySession(async (port) => {
    const curl = (url: string, ...args: string[]) => run('curl', ['-s', '-o', '/dev/null', '-x', `http://127.0.0.1:${port}`, ...args, url]);
    await curl(redirect.url, '-L', '-k');
    await curl(meta.url, '-k');
    await curl(meta.finalUrl!, '-k');
  });
  assert.deepEqual(chains(report), [
    [`start ${redirect.url}`, `http-302 ${redirect.finalUrl}`],
    [`start ${meta.url}`, `meta-refresh ${meta.finalUrl}`],
  ]);
  assert.equal(report.final?.url, redirect.finalUrl);
});

test('Chromium through the proxy: a frame of the page over plain HTTP is no hop; its script moving the page is (frame-top)', async () => {
  const frameTop = fixture.lab.scenarios['frame-top'];
  const { report } = await proxySession((port) =>
    withChromium(port, async (browser) => visit(await browser.newPage({ ignoreHTTPSErrors: true }), frameTop.url, frameTop.finalUrl!)),
  );
  assert.deepEqual(chains(report), [[`start ${frameTop.url}`, `frame-top ${frameTop.finalUrl}`]]);
  assert.match(report.hops[1].evidence.detail, /^a frame navigated the top page at http:\/\/[^ ]+\/t\/frame-top\/inner:\d+$/);
});

test("the feed report calls a separate chain's hops so, not another tab's", async () => {
  const cases = tempDir('proxy-chains-feed-');
  const imported = await runCli([
    'import',
    fileURLToPath(new URL('../../test/fixtures/import/chromium-three-visits.har', import.meta.url)),
    '--out',
    cases,
    '--tsa',
    'none',
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  const report = await runCli(['report', '--cases', cases, '--json']);
  assert.equal(report.code, 0, report.stderr);
  const rows = (JSON.parse(report.stdout) as { rows: { dimension: string; key: string; detail: string }[] }).rows;
  const offChain = rows.filter((r) => r.dimension === 'other-tab');
  assert.deepEqual(offChain.map((r) => r.key).sort(), ['advertiser.example', 'broker-net.test']);
  for (const row of [...offChain, ...rows.filter((r) => r.dimension === 'network')]) {
    assert.match(row.detail, /a separate chain's hop/, JSON.stringify(row));
    assert.doesNotMatch(row.detail, /another tab/, JSON.stringify(row));
  }
  const text = await runCli(['report', '--cases', cases]);
  assert.match(text.stdout, /and a separate chain's \(a proxy capture's or an import's other visits\)/);
});
