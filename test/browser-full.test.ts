// The same capture on full Chromium (`--browser full`): what the default headless shell is
// tested for in the other files must hold here too, including the cloaking page's checks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, type Lab, CLOAKED_DESTINATION } from '../src/lab/index.js';
import { launchBrowser, type Browser } from '../src/capture/browser.js';
import { trace } from '../src/capture/trace.js';
import { labOptions } from './helpers.js';

let lab: Lab;
let browser: Browser;
before(async () => {
  [lab, browser] = await Promise.all([startLab(), launchBrowser({ kind: 'full' })]);
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

// Two traces at a time on the one browser (as the pool runs them), each its own links.
describe('full Chromium', { concurrency: 2 }, () => {
  test('full Chromium: the five-hop chain with every via, named in the case', async () => {
    const scenario = lab.scenarios['five-hop'];
    const { report, capture } = await trace(labOptions(lab, scenario.url), browser);
    assert.equal(report.error, null);
    assert.deepEqual(
      report.hops.map((h) => h.via),
      scenario.expectedVias,
    );
    assert.equal(report.final?.url, scenario.finalUrl);
    assert.equal(capture.info.browser?.name, 'Chromium');
  });

  test('full Chromium: the cloaking page sends it to the real destination', async () => {
    const { report } = await trace(labOptions(lab, lab.scenarios['cloaking'].url), browser);
    assert.equal(report.final?.url, CLOAKED_DESTINATION);
  });

  test('full Chromium: a popup opened by a click becomes the chain', async () => {
    const { report } = await trace(labOptions(lab, lab.scenarios['popup'].url, { clicks: ['Claim your prize'] }), browser);
    assert.equal(report.error, null);
    assert.deepEqual(
      report.hops.map((h) => h.via),
      ['start', 'popup'],
    );
  });

  test('full Chromium: the seed with --click, each link requested once', async () => {
    const seed = lab.scenarios['seed'];
    const { report } = await trace(labOptions(lab, seed.url, { clicks: ['Find out more'] }), browser);
    assert.equal(report.error, null);
    assert.deepEqual(
      report.hops.map((h) => h.via),
      ['start', 'click', 'http-302'],
    );
    assert.equal(lab.hits(seed.url), 1);
  });
});
