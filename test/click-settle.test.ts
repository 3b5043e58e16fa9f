// --click on pages whose click navigates later than its own handler (after an awaited beacon,
// zero-delay timers and message-channel turns, a slice of script work): the trace follows the
// click to the advertiser, two traces at a time on one browser (as the pool runs them).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, labOptions } from './helpers.js';
import { trace } from '../src/capture/trace.js';

const fixture = labAndBrowser();

const DEFERRED = ['click-after-beacon', 'click-after-turns', 'click-after-work'];

describe('a click that navigates later is followed', { concurrency: 2 }, () => {
  for (const name of [...DEFERRED, ...DEFERRED]) {
    test(name, async () => {
      const scenario = fixture.lab.scenarios[name];
      const url = `${scenario.url}?run=${Math.random().toString(36).slice(2)}`;
      const { report } = await trace(labOptions(fixture.lab, url, { clicks: scenario.clicks }), fixture.browser);
      assert.equal(report.error, null, `${name}: ${report.error}`);
      assert.deepEqual(
        report.hops.map((h) => h.via),
        scenario.clickedVias,
      );
      assert.equal(report.final?.url, scenario.finalUrl);
      assert.equal(report.final?.title, scenario.finalTitle);
      assert.equal(report.pages.length, 2, 'two resting pages: the button page and the landing');
    });
  }
});

test('seed: four traces clicking "Find out more" at once all reach the contact page', async () => {
  const seed = fixture.lab.scenarios['seed'];
  const reports = await Promise.all(
    [1, 2, 3, 4].map(async (i) => {
      const url = seed.url.replace('//news.', `//n${i}-${Math.random().toString(36).slice(2, 8)}.`);
      return (await trace(labOptions(fixture.lab, url, { clicks: seed.clicks }), fixture.browser)).report;
    }),
  );
  for (const report of reports) {
    assert.equal(report.error, null, report.error ?? '');
    assert.deepEqual(
      report.hops.map((h) => h.via),
      seed.clickedVias,
    );
    assert.equal(report.final?.url, seed.finalUrl);
    assert.equal(report.pages.length, 2);
  }
});
