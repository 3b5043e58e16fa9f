// A browser too busy to start the navigation at once (a loaded machine, six contexts starting for
// a compare): the link's request comes well after it was asked for, and the blank page before it
// must not be taken for the end of the chain. Page.navigate is sent LATE_MS late here
// (src/cdp/connection.ts), longer than --settle: the trace still follows the whole chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, labOptions } from './helpers.js';
import { trace } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';

const LATE_MS = 1800;
process.env.CLICKTRACE_TEST_CDP_SEND_DELAY = `Page.navigate:${LATE_MS}`;

const fixture = labAndBrowser();

test('a navigation the browser starts late is waited for, with a short --settle: the whole chain, the landing page', async () => {
  const scenario = fixture.lab.scenarios['five-hop'];
  const { report, caseDir } = await trace(labOptions(fixture.lab, scenario.url, { settleMs: 1000 }), fixture.browser);
  assert.equal(report.error, null);
  assert.equal(report.hops.length, 5);
  assert.equal(report.final?.url, scenario.finalUrl);
  assert.equal(fixture.lab.hits(scenario.url), 1);
  const again = analyzeCapture(await readCapture(caseDir), caseDir);
  assert.deepEqual(again.summary, report.summary);
});
