// The lab's further redirect variants (src/lab/scenarios/more-redirect-variants.ts), traced for
// real: each one's hops, mechanisms and final page; the evidence of those that were wrong before
// (a framed tracker's script, a popup's fragment, a history navigation, a popup moving its opener);
// no URL requested twice by the trace; and `analyze` on the saved case gives the same report.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, scenarioTraces } from './helpers.js';
import { HOSTS, landingUrl } from '../src/lab/index.js';
import { moreRedirectVariantScenarios } from '../src/lab/scenarios/more-redirect-variants.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import { formatChain } from '../src/cli/format.js';

const fixture = labAndBrowser();

const VARIANTS = moreRedirectVariantScenarios().map((d) => d.scenario.name);

/** Each variant is traced once; the tests read the same report. */
/** Each scenario is traced once; its tests read the same report. */
const tracedCase = scenarioTraces(fixture);
const traced = (name: string) => tracedCase(name).then((t) => t.report);

describe('each further redirect variant: its hops, mechanisms and final page', { concurrency: 2 }, () => {
  for (const name of VARIANTS) {
    test(name, async () => {
      const scenario = fixture.lab.scenarios[name];
      const { report, caseDir } = await tracedCase(name);
      assert.equal(report.error, null, `${name}: ${report.error}`);
      assert.deepEqual(
        report.hops.map((h) => h.via),
        scenario.expectedVias,
      );
      assert.equal(report.final?.url, scenario.finalUrl);
      assert.equal(report.final?.title, scenario.finalTitle);
      assert.equal(report.final?.status, scenario.finalStatus);
      assert.ok(!report.hops.some((h) => h.otherTab), `${name}: no hop of another tab`);
      // The evidence alone gives the same report.
      const rebuilt = analyzeCapture(await readCapture(caseDir), null);
      assert.deepEqual(
        rebuilt.hops.map((h) => [h.url, h.via, h.evidence.detail]),
        report.hops.map((h) => [h.url, h.via, h.evidence.detail]),
      );
      assert.deepEqual(rebuilt.final, report.final);
      assert.equal(rebuilt.summary?.text, report.summary?.text);
    });
  }
});

test("a framed tracker page whose script moves the frame on: the frame's script navigation is a hop, the landing page shown in the frame", async () => {
  const replace = await traced('iframe-only-js-replace');
  const framedUrl = `https://${HOSTS.brokerJump}/v/iframe-only-js-replace/framed`;
  assert.deepEqual(
    replace.hops.map((h) => [h.via, h.url, h.frame ?? null]),
    [
      ['start', fixture.lab.scenarios['iframe-only-js-replace'].url, null],
      ['frame-src', framedUrl, fixture.lab.scenarios['iframe-only-js-replace'].url],
      ['javascript', landingUrl('iframe-only-js-replace'), fixture.lab.scenarios['iframe-only-js-replace'].url],
    ],
  );
  assert.equal(replace.hops[2].evidence.scriptUrl, framedUrl);
  assert.match(replace.hops[2].evidence.detail, /^script navigation at https:\/\/jump\.broker-net\.test\/.*:\d+ \(in a frame of /);
  assert.match(replace.summary?.text ?? '', /-> advertiser www\.advertiser\.example \(shown inside a frame of track\.broker-net\.test\)$/);
  const timer = await traced('iframe-only-js-timer');
  assert.equal(timer.hops[2].url, `https://${HOSTS.brokerJump}/v/iframe-only-js-timer/go?f=1`);
  assert.equal(timer.hops[3].evidence.location, landingUrl('iframe-only-js-timer'));
});

test('a popup keeps the fragment its opener asked for, on its first hop and the redirect after it', async () => {
  for (const name of ['popup-fragment', 'popup-anchor-fragment']) {
    const report = await traced(name);
    assert.deepEqual(
      report.hops.slice(1).map((h) => h.url),
      [`https://${HOSTS.brokerJump}/v/${name}/go#ref=mail`, `${landingUrl(name)}#ref=mail`],
      name,
    );
  }
});

test('history.back() that makes the browser ask for a page again: a history hop with its evidence', async () => {
  const report = await traced('js-history-back-reload');
  const back = report.hops[2];
  assert.equal(back.via, 'history');
  assert.equal(back.evidence.reason, 'historyDifferentDocument');
  assert.match(
    back.evidence.detail,
    /^history navigation from http:\/\/track\.broker-net\.test\/v\/js-history-back-reload\/step back or forward/,
  );
  // The browser asked for the first page again (a page's own doing); the trace requested the link once.
  assert.equal(fixture.lab.hits(fixture.lab.scenarios['js-history-back-reload'].url), 2);
});

test("a popup that sends its opener on and closes: the chain goes on in the opener's tab", async () => {
  // At once, and 300 ms later (a same-origin popup's timers are read in the document it was sent to, not its first about:blank).
  for (const name of ['popup-sets-opener', 'popup-sets-opener-then-closes']) {
    const report = await traced(name);
    assert.equal(report.hops[2].evidence.scriptUrl, `http://${HOSTS.brokerTrack}/v/${name}/pop`);
    assert.match(formatChain(report, null), /^Who: via track\.broker-net\.test \(unattributed\) -> advertiser www\.advertiser\.example$/m);
  }
});

test('races and blocks: the earlier script beats a later meta refresh; a top navigation to data: is blocked and said so', async () => {
  await traced('meta-refresh-1s-js-500ms');
  assert.equal(fixture.lab.hits(`http://${HOSTS.espClick}/v/meta-refresh-1s-js-500ms/decoy`), 0);
  const submitter = await traced('form-request-submit-submitter');
  assert.equal(submitter.hops[1].method, 'POST');
  assert.equal(fixture.lab.hits(`http://${HOSTS.espClick}/v/form-request-submit-submitter/decoy`), 0);
  const data = await traced('js-data-url-top');
  const note = formatChain(data, null)
    .split('\n')
    .filter((l) => l.startsWith('Note: not followed'));
  assert.equal(note.length, 1);
  assert.match(
    note[0],
    /data:text\/html;base64,.*not an http\(s\) address: a browser blocks a page's move of the whole tab to a data: address/,
  );
});

test('no URL of a variant was requested twice by the trace (the history variant aside: the page went back)', async () => {
  for (const name of VARIANTS.filter((n) => n !== 'js-history-back-reload')) {
    const { report } = await tracedCase(name);
    const urls = report.hops.filter((h) => h.method === 'GET').map((h) => h.url.split('#')[0]);
    assert.equal(new Set(urls).size, urls.length, `${name}: ${urls.join(' ')}`);
    assert.equal(fixture.lab.hits(fixture.lab.scenarios[name].url.split('#')[0]), 1, name);
  }
});
