// Failure is an answer: every hostile or broken situation ends with the chain so far, a clear
// error, and a case on disk. Also single-use discipline and the default identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { labAndBrowser, labOptions } from './helpers.js';
import { DOWNLOAD_SHA256, DOWNLOAD_SIZE, CLOAKED_DESTINATION, CLOAKED_TITLE, DIALOG_MESSAGE } from '../src/lab/index.js';
import { trace } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import type { Report } from '../src/report.js';

const fixture = labAndBrowser();

const run = (name: string, extra = {}) => trace(labOptions(fixture.lab, fixture.lab.scenarios[name].url, extra), fixture.browser);

/** A chain that did not rest on a page names no advertiser: the summary says what happened instead. */
function assertNoAdvertiser(report: Report, what: RegExp): void {
  assert.match(report.summary?.text ?? '', what);
  assert.match(report.summary?.text ?? '', /: no landing page$/);
  assert.ok(
    report.hops.every((h) => h.party?.role !== 'advertiser'),
    report.hops.map((h) => `${h.index} ${h.party?.role}`).join(', '),
  );
  assert.ok(!report.summary?.claims.some((c) => /advertiser [a-z0-9.-]+\.|^Advertiser /i.test(c.text)), JSON.stringify(report.summary));
}

test('single-use link: requested exactly once, final page reached', async () => {
  const scenario = fixture.lab.scenarios['single-use'];
  const { report } = await run('single-use');
  assert.equal(fixture.lab.hits(scenario.url), 1);
  assert.equal(report.final?.url, scenario.finalUrl);
  assert.equal(report.final?.status, 200);
  assert.equal(report.error, null);
});

test('HTTP redirect loop ends with a loop error and the chain so far', async () => {
  const [a, b] = ['http://loop-a.broker-net.test/loop', 'http://loop-b.broker-net.test/loop'];
  const before = [fixture.lab.hits(a), fixture.lab.hits(b)];
  const { report, caseDir } = await run('loop-http');
  assert.match(report.error ?? '', /redirect loop|too many redirects/);
  assert.ok(report.hops.length >= 3);
  // The request that closed the loop was sent, and its answer is evidence: recorded, not cut off.
  const last = report.hops.at(-1)!;
  assert.equal(last.status, 302, JSON.stringify(last));
  assert.equal(last.error, null);
  // Nothing after it was requested: A three times, B twice.
  assert.deepEqual([fixture.lab.hits(a) - before[0], fixture.lab.hits(b) - before[1]], [3, 2]);
  assert.ok(existsSync(join(caseDir, 'report.json')));
  assertNoAdvertiser(report, /^redirect loop \(loop-a\.broker-net\.test, loop-b\.broker-net\.test\)/);
});

test('meta refresh loop is cut as soon as a URL comes back a third time', async () => {
  const { report } = await run('loop-meta');
  assert.match(report.error ?? '', /^redirect loop: .+ requested 3 times$/);
  assert.equal(report.hops.length, 5);
  // Every page of the loop rendered (meta refresh), but the chain never rested on one.
  assertNoAdvertiser(report, /^redirect loop \(loop-a\.broker-net\.test, loop-b\.broker-net\.test\)/);
});

test('25-hop chain is followed to the end', async () => {
  const scenario = fixture.lab.scenarios['chain-25'];
  const { report } = await run('chain-25');
  assert.equal(report.error, null);
  assert.equal(report.hops.length, 25);
  assert.deepEqual(
    report.hops.map((h) => h.via),
    scenario.expectedVias,
  );
  assert.equal(report.final?.url, scenario.finalUrl);
});

test('more than 20 consecutive HTTP redirects: Chromium gives up, the report says so', async () => {
  const { report } = await run('too-many-redirects');
  assert.match(report.error ?? '', /too many redirects/);
  assert.equal(report.hops.length, 20);
  assertNoAdvertiser(report, /^error at click\.mailer-esp\.test \(too many redirects/);
});

test('--max-hops: the request that reaches the limit is recorded with its answer, and nothing after it is requested', async () => {
  const next = 'http://click.mailer-esp.test/tmr/6';
  const before = fixture.lab.hits(next);
  const { report } = await run('too-many-redirects', { maxHops: 5 });
  assert.equal(report.error, 'too many hops: stopped after 5 documents (see --max-hops)');
  assert.deepEqual(
    report.hops.map((h) => [h.status, h.error]),
    Array.from({ length: 5 }, () => [302, null]),
  );
  assert.equal(fixture.lab.hits(next) - before, 0);
});

test('a click swallowed by a 204 No Content: no page, no advertiser, and no false "did not finish loading"', async () => {
  const scenario = fixture.lab.scenarios['no-content'];
  // The tab never leaves its initial empty document, which is at rest at once: it waited out
  // --settle for a document that could not come. (A bound far below --settle and far above any
  // trace on a loaded machine: not a speed requirement.)
  const started = Date.now();
  const { report, caseDir } = await run('no-content', { settleMs: 60_000 });
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms, --settle 60000`);
  assert.deepEqual(
    report.hops.map((h) => [h.status, h.via]),
    [
      [302, 'start'],
      [204, 'http-302'],
    ],
  );
  assert.equal(fixture.lab.hits(scenario.finalUrl!), 1);
  assert.equal(report.error, null, 'the chain was followed to where it ended, as a 410 is');
  assertNoAdvertiser(report, /error at track\.broker-net\.test \(HTTP 204: no content, nothing replaced the page\): no landing page$/);
  const again = analyzeCapture(await readCapture(caseDir), caseDir);
  assert.deepEqual(again.summary, report.summary);
});

test('a 304 Not Modified with no copy to show: Chromium drops it, the chain says so, and --settle is not waited out', async () => {
  // Chromium neither commits nor shows an error page for it (no response event, the request
  // aborted): the tab keeps what it showed, its empty start page or the page that sent it on. One
  // that rendered and whose script moved on while it was parsed never sees DOMContentLoaded or
  // load: it was reported as "page did not finish loading" after waiting out --settle (seen in a
  // trace with a browser of its own, as `clicktrace trace` runs: a shared one's tab got its events).
  const cases: [string, [number, string][], string | null][] = [
    [
      'not-modified',
      [
        [302, 'start'],
        [304, 'http-302'],
      ],
      null,
    ],
    ['not-modified-direct', [[304, 'start']], null],
    [
      'not-modified-after-page',
      [
        [200, 'start'],
        [304, 'javascript'],
      ],
      fixture.lab.scenarios['not-modified-after-page'].url,
    ],
  ];
  for (const [name, hops, shown] of cases) {
    const scenario = fixture.lab.scenarios[name];
    const started = Date.now();
    const options = labOptions(fixture.lab, scenario.url, { settleMs: 60_000 });
    const { report, caseDir } = await (shown ? trace(options) : trace(options, fixture.browser));
    // (A browser of its own takes a second or two to start; the bound is far below --settle.)
    assert.ok(Date.now() - started < 30_000, `${name}: took ${Date.now() - started} ms, --settle 60000`);
    assert.deepEqual(
      report.hops.map((h) => [h.status, h.via]),
      hops,
      name,
    );
    assert.equal(fixture.lab.hits(scenario.finalUrl!), 1, name);
    assert.equal(report.error, null, `${name}: the chain was followed to where it ended`);
    const host = new URL(scenario.finalUrl!).host.replace(/\./g, '\\.');
    assertNoAdvertiser(
      report,
      new RegExp(
        `error at ${host} \\(HTTP 304: not modified, but the browser had no copy to show; nothing replaced the page\\): no landing page$`,
      ),
    );
    // What the tab kept showing: the page that sent it on.
    if (shown) assert.equal(report.final?.url, shown, name);
    const again = analyzeCapture(await readCapture(caseDir), caseDir);
    assert.deepEqual(again.summary, report.summary, name);
  }
});

test("a server that never answers ends at --timeout, within 2 s of it by the trace's own clock", async () => {
  const started = Date.now();
  const { report, caseDir } = await run('hang', { timeoutMs: 3000 });
  const elapsed = Date.now() - started;
  // The trace's deadline is kept (its own clock, as hostile-evidence checks it); the whole call,
  // on a loaded machine, only has to end long before a hang would.
  assert.ok(report.elapsedMs !== null && report.elapsedMs < 5000, `the trace took ${report.elapsedMs} ms, --timeout 3000`);
  assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  assert.match(report.error ?? '', /^timeout: /);
  assert.equal(report.hops.at(-1)?.status, null);
  // Connected, never answered: the hop still has the address it was connected to, and its network.
  assert.deepEqual([report.hops.at(-1)?.ip, report.hops.at(-1)?.network], ['127.0.0.1', { special: 'loopback' }]);
  assert.ok(existsSync(join(caseDir, 'capture.warc.gz')));
  assertNoAdvertiser(report, /-> error at hang\.broker-net\.test \(timeout: /);
});

test('bad TLS is recorded and the chain continues', async () => {
  for (const name of ['bad-tls-expired', 'bad-tls-self-signed', 'bad-tls-wrong-host']) {
    const { report } = await run(name);
    const first = report.hops[0];
    assert.equal(first.tls?.authorized, false, name);
    assert.ok(first.tls?.error, `${name}: the verification error is kept`);
    assert.match(first.tls?.cert?.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(report.final?.url, fixture.lab.scenarios[name].finalUrl, name);
    assert.equal(report.error, null, name);
  }
});

test('download: hash and size recorded, file never opened, error set', async () => {
  const { report, capture, caseDir } = await run('download');
  assert.match(report.error ?? '', /^download: invoice\.zip/);
  assert.ok(report.error!.includes(DOWNLOAD_SHA256));
  assert.ok(report.error!.includes(`${DOWNLOAD_SIZE} bytes`));
  const file = capture.exchanges.find((x) => x.request.url.endsWith('/files/invoice.zip'));
  assert.equal(file?.response?.body.length, DOWNLOAD_SIZE);
  // Answered with 200 by a broker's file host: a download, not the advertiser's landing page.
  assertNoAdvertiser(report, /-> download invoice\.zip from files\.broker-net\.test: no landing page$/);
  // The same answer from the evidence alone, as `clicktrace analyze` gives it.
  const again = analyzeCapture(await readCapture(caseDir), caseDir);
  assert.deepEqual(again.summary, report.summary);
  assert.deepEqual(
    again.hops.map((h) => h.party),
    report.hops.map((h) => h.party),
  );
});

test('cloaking page: the default identity reaches the real destination', async () => {
  const { report, capture } = await run('cloaking');
  assert.equal(report.final?.url, CLOAKED_DESTINATION);
  assert.equal(report.final?.title, CLOAKED_TITLE);
  const request = capture.exchanges[0].request;
  const ua = request.headers.find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? '';
  assert.doesNotMatch(ua, /Headless/i);
  // Client hints go to secure origins only: the phishing page is https.
  const secure = capture.exchanges.find((x) => x.request.url.startsWith('https:'))!.request;
  const hints = secure.headers.find(([k]) => k.toLowerCase() === 'sec-ch-ua')?.[1] ?? '';
  assert.match(hints, /"Chromium";v="\d+"/);
  assert.doesNotMatch(hints, /Headless/i);
  assert.ok(request.headers.some(([k, v]) => k.toLowerCase() === 'accept-language' && v.startsWith('en-US')));
});

test('dialogs are dismissed, recorded, and the chain goes on', async () => {
  const { report } = await run('dialog');
  assert.ok(report.events.some((e) => e.kind === 'dialog' && e.detail.includes(DIALOG_MESSAGE)));
  assert.equal(report.final?.url, fixture.lab.scenarios['dialog'].finalUrl);
});

test('connection reset ends with a clear error', async () => {
  const { report, caseDir } = await run('reset');
  assert.match(report.error ?? '', /connection reset/);
  assert.equal(report.hops.at(-1)?.status, null);
  // The server reset the connection it took: its address and network are the hop's, in the
  // report and in the analysis of the WARC alone.
  assert.deepEqual([report.hops.at(-1)?.ip, report.hops.at(-1)?.network], ['127.0.0.1', { special: 'loopback' }]);
  const analysed = analyzeCapture(await readCapture(caseDir), caseDir);
  assert.deepEqual(
    analysed.hops.map((h) => [h.ip, h.network]),
    report.hops.map((h) => [h.ip, h.network]),
  );
  assertNoAdvertiser(report, /-> error at reset\.broker-net\.test \(connection reset by /);
});

test('a page that never finishes loading is reported, with its chain and title', async () => {
  const { report } = await run('never-loads');
  assert.match(report.error ?? '', /did not finish loading/);
  assert.ok(report.final?.title); // It rendered and the chain rested on it: its owner is named.
  assert.equal(report.hops.at(-1)?.party?.role, 'advertiser');
  assert.match(report.summary?.text ?? '', /advertiser promo\.broker-net\.test$/);
});

test('a page with nothing pending ends the trace at once, not after the settle limit', async () => {
  const started = Date.now();
  const { report } = await run('http-302', { settleMs: 60_000 });
  const elapsed = Date.now() - started;
  assert.equal(report.error, null);
  // A bound far below --settle and far above a 2-hop chain on a loaded machine: not a speed requirement.
  assert.ok(elapsed < 30_000, `a 2-hop chain with --settle 60000 took ${elapsed} ms`);
});

test('a page whose interval never stops (a ticking status line) is waited on while it may still navigate, then ends as a page', async () => {
  // The interval runs every second. Each run may be the one that navigates (a countdown's last), so
  // the page is not quiet while a run is due within the settle limit (3.5 s after the page
  // committed): the wait ends after the run at ~3 s, not at the first run, and not at --timeout.
  const { report } = await run('renderer-kill', { settleMs: 3500, timeoutMs: 30_000 });
  assert.equal(report.error, null);
  assert.equal(report.final?.url, fixture.lab.scenarios['renderer-kill'].finalUrl);
  const waited = Date.parse(report.endedAt!) - Date.parse(report.hops[0].timing.startedAt);
  assert.ok(waited >= 2500, `ended ${waited} ms after the page was requested: runs due within the settle limit were not waited for`);
  assert.ok(waited < 20_000, `ended ${waited} ms after the page was requested: the settle limit did not end the wait`);
});

test("Chromium's own background traffic never appears: every exchange is a lab host", async () => {
  const { capture } = await run('five-hop');
  for (const exchange of capture.exchanges) assert.match(new URL(exchange.request.url).hostname, /\.(test|example)$/);
});

test('a link with user:password@ is matched to the exchange the proxy recorded (which carries no userinfo)', async () => {
  const scenario = fixture.lab.scenarios['http-302'];
  const url = scenario.url.replace('://', '://user:secret@');
  const { report } = await trace(labOptions(fixture.lab, url), fixture.browser);
  assert.equal(report.error, null);
  assert.deepEqual(
    report.hops.map((h) => [h.status, h.ip, h.exchange !== null]),
    [
      [302, '127.0.0.1', true],
      [200, '127.0.0.1', true],
    ],
  );
  assert.equal(report.hops[1].evidence.location, scenario.finalUrl);
});
