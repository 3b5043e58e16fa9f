// The lab's server-side variants and mixed chains (src/lab/scenarios/server-variants.ts), traced
// for real on one lab and one browser: each one's hops, mechanisms, statuses and final page; the
// mechanisms that lose (a 3xx's body, a meta refresh and a Refresh header beside a script) never
// requested; gates on cookies, Referer, Accept-Language and User-Agent passed as a visitor passes
// them; errors said once in the summary; the link requested once; and `analyze` on the saved case
// gives the same report.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, scenarioTraces } from './helpers.js';
import { HOSTS, landingUrl } from '../src/lab/index.js';
import { decoyUrl, serverVariantScenarios } from '../src/lab/scenarios/server-variants.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';

const fixture = labAndBrowser();

const VARIANTS = serverVariantScenarios().map((d) => d.scenario);

/** Each variant is traced once; the tests read the same report. */
/** Each scenario is traced once; its tests read the same report. */
const tracedCase = scenarioTraces(fixture);
const traced = (name: string) => tracedCase(name).then((t) => t.report);

/** The error each variant that does not end on a page ends with. */
const ERRORS: Record<string, RegExp> = {
  'redirect-loop-query': /^too many redirects: Chromium stops after 20 HTTP redirects$/,
  'location-ipv4-loopback': /^blocked: 127\.0\.0\.1 resolves to private address 127\.0\.0\.1 /,
  'location-ipv6-loopback': /^blocked: ::1 resolves to private address ::1 /,
  'http-407-origin': /^net::ERR_UNEXPECTED_PROXY_AUTH$/,
  'attachment-html-after-script':
    /^download: invoice\.html \(text\/html; charset=utf-8, \d+ bytes, sha256 [0-9a-f]{64}\); the file was recorded, not opened$/,
};

describe('each server-side variant: its hops, mechanisms, statuses and final page', { concurrency: 2 }, () => {
  for (const scenario of VARIANTS) {
    const { name } = scenario;
    test(name, async () => {
      const { report, caseDir } = await tracedCase(name);
      if (ERRORS[name]) assert.match(report.error ?? '', ERRORS[name], name);
      else assert.equal(report.error, null, `${name}: ${report.error}`);
      if (scenario.expectedVias) {
        assert.deepEqual(
          report.hops.map((h) => h.via),
          scenario.expectedVias,
        );
        assert.equal(report.final?.url, scenario.finalUrl);
        assert.equal(report.final?.status, scenario.finalStatus);
        if (scenario.finalTitle !== null) assert.equal(report.final?.title, scenario.finalTitle);
      }
      // The evidence alone gives the same report.
      const rebuilt = analyzeCapture(await readCapture(caseDir), null);
      assert.deepEqual(
        rebuilt.hops.map((h) => [h.url, h.via, h.status, h.evidence.detail]),
        report.hops.map((h) => [h.url, h.via, h.status, h.evidence.detail]),
      );
      assert.deepEqual(rebuilt.final, report.final);
      assert.equal(rebuilt.error, report.error);
      assert.equal(rebuilt.summary?.text, report.summary?.text);
    });
  }
});

test("the losing mechanisms are never requested: a 3xx's body, a Refresh header and a meta refresh beside a script", async () => {
  for (const name of ['redirect-body-meta-script', 'refresh-meta-script-three', 'refresh-header-vs-meta', 'location-on-200'])
    await traced(name);
  for (const url of [
    decoyUrl('redirect-body-meta-script'),
    decoyUrl('redirect-body-meta-script', 'decoy-js'),
    decoyUrl('refresh-meta-script-three', 'meta'),
    decoyUrl('refresh-meta-script-three', 'header'),
    decoyUrl('refresh-header-vs-meta', 'header'),
    decoyUrl('location-on-200'),
  ])
    assert.equal(fixture.lab.hits(url), 0, url);
});

test('gates on what the hop before set or the browser sends let the trace through as they let a visitor through', async () => {
  for (const name of ['cookie-302-sibling-host', 'referer-gated', 'accept-language-gated', 'user-agent-gated']) {
    const report = await traced(name);
    assert.equal(
      report.summary?.text,
      'via track.broker-net.test (unattributed) -> via jump.broker-net.test (unattributed) -> advertiser www.advertiser.example',
      name,
    );
  }
  const script = await traced('cookie-set-by-script');
  assert.equal(script.final?.url, landingUrl('cookie-set-by-script'));
  assert.equal(fixture.lab.hits(`https://${HOSTS.benign}/`), 0, 'no gate sent the trace to the harmless site');
});

test('a 307 after a form keeps the POST; a relative Location with dot segments is resolved as a browser does', async () => {
  const post = await traced('redirect-307-post-form');
  assert.deepEqual(
    post.hops.map((h) => h.method),
    ['GET', 'POST', 'POST'],
  );
  const dots = await traced('location-dot-segments');
  assert.equal(dots.hops[1].url, `http://${HOSTS.brokerTrack}/v/location-dot-segments/next?q=1`);
});

test('an error at an IP literal is named once, in the ending, not also as a hop on the way', async () => {
  const v4 = await traced('location-ipv4-loopback');
  assert.match(v4.summary?.text ?? '', /^via track\.broker-net\.test \(unattributed\) -> error at 127\.0\.0\.1 \(blocked: /);
  const v6 = await traced('location-ipv6-loopback');
  assert.match(v6.summary?.text ?? '', /^via track\.broker-net\.test \(unattributed\) -> error at ::1 \(blocked: /);
});

test('answers that are no landing page: 401 without a prompt, 451, 205, a 503 that refreshes on', async () => {
  for (const [name, status] of [
    ['http-401-basic', 401],
    ['http-451-final', 451],
    ['http-205-after-302', 205],
  ] as const) {
    const report = await traced(name);
    assert.match(report.summary?.text ?? '', new RegExp(`(?:^|-> )error at jump\\.broker-net\\.test \\(HTTP ${status}[):]`), name);
  }
  const maintenance = await traced('http-503-meta-refresh');
  assert.equal(maintenance.hops[0].status, 503);
});

test('an HTML page served as an attachment after a script is a download, recorded and never rendered', async () => {
  const report = await traced('attachment-html-after-script');
  assert.deepEqual(
    report.hops.map((h) => h.via),
    ['start', 'javascript'],
  );
  assert.equal(report.summary?.text, 'download invoice.html from jump.broker-net.test: no landing page');
  assert.equal(fixture.lab.hits(decoyUrl('attachment-html-after-script')), 0, "the saved page's script never ran");
});

test('no URL of a variant was requested twice by the trace, and each link once', async () => {
  for (const scenario of VARIANTS) {
    const { name, url } = scenario;
    const { report } = await tracedCase(name);
    const urls = report.hops.filter((h) => h.method === 'GET').map((h) => h.url);
    assert.equal(new Set(urls).size, urls.length, `${name}: ${urls.join(' ')}`);
    assert.equal(fixture.lab.hits(url), 1, name);
    // The last answer too: a 401 or 407 is not asked again with credentials, a slow one not retried.
    if (scenario.finalUrl) assert.equal(fixture.lab.hits(scenario.finalUrl), 1, `${name}: ${scenario.finalUrl}`);
  }
});
