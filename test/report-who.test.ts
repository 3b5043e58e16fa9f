// Who owns the final page, from the evidence: the advertiser, routed there or linked to straight;
// the neutral destination when the page sits on a domain imitating the brand its own title names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, labOptions } from './helpers.js';
import { trace } from '../src/capture/trace.js';
import { formatChain } from '../src/cli/format.js';

const fixture = labAndBrowser();

test('a credential page on a look-alike domain is the destination, not an advertiser, though a tracker led there', async () => {
  const { report, caseDir } = await trace(labOptions(fixture.lab, fixture.lab.scenarios['lookalike'].url), fixture.browser);
  assert.equal(report.error, null);
  const last = report.hops.at(-1)!;
  assert.equal(last.party?.role, 'destination');
  assert.match(last.party?.rule ?? '', /look-alike domain \(t-rnobile\.example looks like "t-mobile"/i);
  assert.match(report.summary?.text ?? '', /-> destination business\.t-rnobile\.example \(look-alike domain\)$/);
  assert.ok(!/advertiser/i.test(report.summary?.text ?? ''), report.summary?.text);
  assert.match(formatChain(report, caseDir), /\[destination: t-rnobile\.example\]/);
  assert.match(formatChain(report, caseDir), /\nWho: .*destination business\.t-rnobile\.example/);
});

test('a landing page is the advertiser, reached through a tracker or linked to straight', async () => {
  const routed = await trace(labOptions(fixture.lab, fixture.lab.scenarios['http-302'].url), fixture.browser);
  assert.equal(routed.report.error, null);
  assert.equal(routed.report.hops.at(-1)!.party?.role, 'advertiser');
  assert.match(routed.report.summary?.text ?? '', /-> advertiser www\.advertiser\.example$/);

  const direct = await trace(labOptions(fixture.lab, routed.report.final!.url), fixture.browser);
  assert.equal(direct.report.error, null);
  assert.equal(direct.report.hops.length, 1);
  assert.deepEqual(direct.report.hops[0].party, {
    role: 'advertiser',
    name: 'advertiser.example',
    rule: 'final landing page',
    registrableDomain: 'advertiser.example',
  });
  assert.equal(direct.report.summary?.text, 'advertiser www.advertiser.example');
});
