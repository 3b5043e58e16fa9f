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

test('a tracker, an unknown short link, an affiliate network handing the click to a second one: each role named, each claim at its hop', async () => {
  const { report } = await trace(labOptions(fixture.lab, fixture.lab.scenarios['who-sub-affiliate'].url), fixture.browser);
  assert.equal(report.error, null);
  assert.deepEqual(
    report.hops.map((h) => [h.party?.role, h.party?.name]),
    [
      ['esp-tracker', 'Twilio SendGrid'],
      ['unknown', null],
      ['affiliate-network', 'TUNE / HasOffers'],
      ['affiliate-network', 'Impact (impact.com)'],
      ['advertiser', 'advertiser.example'],
    ],
  );
  assert.match(
    report.summary?.text ?? '',
    /^Sent via Twilio SendGrid \(tracker click\.mailer-esp\.test\) -> via x\.shortlink\.test \(unattributed\) -> via affiliate network TUNE \/ HasOffers \(trk\.affiliate-hub\.test, offer_id=7, aff_id=42, aff_sub=spring-mail\) -> via affiliate network Impact \(impact\.com\) \(r\.adnet-alpha\.test, .*\) -> advertiser www\.advertiser\.example$/,
  );
  const claimHop = (text: RegExp) => report.summary!.claims.find((c) => text.test(c.text))?.hop;
  assert.equal(claimHop(/^Sent via Twilio SendGrid/), 1);
  assert.equal(claimHop(/^Hop 2 \(x\.shortlink\.test\)/), 2);
  assert.equal(claimHop(/^TUNE \/ HasOffers affiliate aff_sub=spring-mail$/), 3);
  assert.equal(claimHop(/^Impact \(impact\.com\) affiliate subId1=spring-mail$/), 4);
  assert.equal(claimHop(/^Advertiser www\.advertiser\.example/), 5);
  // The click id the second network passes on is followed to the landing page.
  assert.deepEqual(report.tokens?.find((t) => t.name === 'clickid')?.hops, [4, 5]);

  const gone = await trace(labOptions(fixture.lab, fixture.lab.scenarios['who-short-link-gone'].url), fixture.browser);
  assert.match(gone.report.summary?.text ?? '', /-> error at x\.shortlink\.test \(HTTP 404\): no landing page$/);
  assert.ok(gone.report.hops.every((h) => h.party?.role !== 'advertiser'));

  const loop = await trace(labOptions(fixture.lab, fixture.lab.scenarios['who-landing-self-loop'].url), fixture.browser);
  assert.match(loop.report.summary?.text ?? '', /-> redirect loop \(www\.advertiser\.example\): no landing page$/);
  assert.ok(loop.report.hops.every((h) => h.party?.role !== 'advertiser'));
});

test("a page a broker made itself from a Blob URL is that broker's page: its owner is named the advertiser", async () => {
  const { report } = await trace(labOptions(fixture.lab, fixture.lab.scenarios['who-blob-landing'].url), fixture.browser);
  assert.equal(report.error, null);
  assert.match(report.final?.url ?? '', /^blob:http:\/\/promo\.broker-net\.test\//);
  assert.deepEqual(report.hops.at(-1)!.party, {
    role: 'advertiser',
    name: 'broker-net.test',
    rule: 'final landing page',
    registrableDomain: 'broker-net.test',
  });
  assert.equal(report.summary?.text, 'via click.mailer-esp.test (unattributed) -> advertiser promo.broker-net.test');
  assert.equal(report.summary.claims.find((c) => c.text.startsWith('Advertiser '))?.hop, report.hops.length);
});
