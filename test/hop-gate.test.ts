// The hop cap and the loop cut hold when this process handles the browser's events late (a loaded
// machine): Chromium follows a redirect, or a page moves on, without waiting for us, but the
// document request after the cut must still never reach the server (single-use links, counters).
// Every message from Chromium is handled CDP_DELAY_MS late here (src/cdp/connection.ts), far
// longer than the lab takes to answer a hop; the requests' own path (the proxy) is not delayed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, labOptions } from './helpers.js';
import { chain25Urls, landingUrl } from '../src/lab/index.js';
import { trace } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import type { Report } from '../src/report.js';

const CDP_DELAY_MS = 600;
process.env.CLICKTRACE_TEST_CDP_DELAY_MS = String(CDP_DELAY_MS);

const fixture = labAndBrowser();

const run = (name: string, extra = {}) => trace(labOptions(fixture.lab, fixture.lab.scenarios[name].url, extra), fixture.browser);

/** Requests for each of `urls` that reach the lab while `during` runs. */
async function hitsDuring<T>(urls: string[], during: () => Promise<T>): Promise<{ result: T; hits: number[] }> {
  const before = urls.map((u) => fixture.lab.hits(u));
  const result = await during();
  return { result, hits: urls.map((u, i) => fixture.lab.hits(u) - before[i]) };
}

/** What a failed assertion shows of a trace: its error and its hops. */
const told = (report: Report) =>
  `${report.error ?? 'no error'}; hops: ${report.hops.map((h) => `${h.status ?? h.error ?? '-'} ${h.via} ${h.url}`).join(' | ')}`;

// Each trace mostly waits out the delay: they run at once, on the one browser (distinct URLs each).
describe('hops cut with the browser ahead of us', { concurrency: true }, () => {
  test('--max-hops on a chain of 302s: the 6th URL is never requested, though the browser follows each redirect at once', async () => {
    const urls = [5, 6, 7].map((n) => `http://click.mailer-esp.test/tmr/${n}`);
    const { result, hits } = await hitsDuring(urls, () => run('too-many-redirects', { maxHops: 5 }));
    assert.deepEqual(hits, [1, 0, 0]);
    const { report, caseDir } = result;
    assert.equal(report.error, 'too many hops: stopped after 5 documents (see --max-hops)');
    assert.deepEqual(
      report.hops.map((h) => [h.status, h.error]),
      Array.from({ length: 5 }, () => [302, null]),
    );
    const again = analyzeCapture(await readCapture(caseDir), caseDir);
    assert.deepEqual(again.summary, report.summary);
    assert.equal(again.error, report.error);
  });

  test('A -> B -> A loop of 302s: cut at the third A, B never requested a third time', async () => {
    const urls = ['http://loop-a.broker-net.test/loop', 'http://loop-b.broker-net.test/loop'];
    const { result, hits } = await hitsDuring(urls, () => run('loop-http'));
    assert.deepEqual(hits, [3, 2]);
    assert.equal(result.report.error, `redirect loop: ${urls[0]} requested 3 times`);
    assert.equal(result.report.hops.length, 5);
    assert.equal(result.report.hops.at(-1)?.status, 302);
  });

  test('a URL redirecting to itself: requested 3 times, never a 4th', async () => {
    const url = fixture.lab.scenarios['loop-self'].url;
    const { result, hits } = await hitsDuring([url], () => run('loop-self'));
    assert.deepEqual(hits, [3]);
    assert.equal(result.report.error, `redirect loop: ${url} requested 3 times`);
    assert.deepEqual(
      result.report.hops.map((h) => h.status),
      [302, 302, 302],
    );
  });

  test('--max-hops cutting at a meta refresh and at a JavaScript redirect: the page moves on, its next hop is never requested', async () => {
    const urls = chain25Urls();
    // Hop 3 answers with a meta refresh (0 s), hop 5 with a script setting location.
    for (const maxHops of [3, 5]) {
      const { result, hits } = await hitsDuring(urls.slice(maxHops - 1, maxHops + 1), () => run('chain-25', { maxHops }));
      assert.deepEqual(hits, [1, 0], `--max-hops ${maxHops}: ${told(result.report)}`);
      assert.equal(result.report.error, `too many hops: stopped after ${maxHops} documents (see --max-hops)`);
      assert.equal(result.report.hops.length, maxHops);
    }
  });

  test('--max-hops in a popup: the popup redirect after the cut is never followed', async () => {
    const landing = landingUrl('popup-then-close');
    const { result, hits } = await hitsDuring([landing], () => run('popup-then-close', { maxHops: 2 }));
    assert.deepEqual(hits, [0]);
    assert.equal(result.report.error, 'too many hops: stopped after 2 documents (see --max-hops)');
    assert.deepEqual(
      result.report.hops.map((h) => h.status),
      [200, 302],
      told(result.report),
    );
  });
});
