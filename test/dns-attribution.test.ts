// DNS captured at trace time by the proxy's own resolver, against a local DNS server: a branded
// click host whose CNAME chain reveals the ESP, and a tracker whose base domain does not resolve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, tempDir } from './helpers.js';
import { trace, type TraceOptions } from '../src/capture/trace.js';

const fixture = labAndBrowser({ dns: true });

/** Host names go to the lab DNS server; only the ports are mapped to the lab's. */
function viaDns(url: string, extra: Partial<TraceOptions> = {}): TraceOptions {
  return {
    url,
    dnsServer: `127.0.0.1:${fixture.lab.dnsPort}`,
    connectTo: [`:80::${fixture.lab.httpPort}`, `:443::${fixture.lab.httpsPort}`],
    cacert: [fixture.lab.caCertPath],
    allowPrivate: true,
    outDir: tempDir('dns-'),
    timeoutMs: 20_000,
    ...extra,
  };
}

test('a branded click host is attributed to its ESP through its CNAME chain', async () => {
  const { report } = await trace(viaDns(fixture.lab.scenarios['cname-esp'].url), fixture.browser);
  assert.equal(report.error, null);
  const first = report.hops[0];
  const dns = report.dns!.find((d) => d.host === new URL(first.url).hostname)!;
  assert.deepEqual(dns.cnames.slice(0, 1), ['u1234567.wl.sendgrid.test']);
  assert.deepEqual(dns.addresses, ['127.0.0.1']);
  assert.equal(first.party?.role, 'esp-tracker');
  assert.match(first.party?.name ?? '', /SendGrid/i);
});

test('the seed tracker: Selligent, and its base domain does not resolve', async () => {
  const { report } = await trace(viaDns(fixture.lab.scenarios['seed'].url, { clicks: ['Find out more'] }), fixture.browser);
  assert.equal(report.error, null);
  const tracker = report.dns!.find((d) => d.host === 'news.t-mobile.emsecure.test')!;
  assert.equal(tracker.baseDomain, 'emsecure.test');
  assert.equal(tracker.baseDomainResolves, false);
  assert.equal(report.hops[0].party?.name, 'Selligent');
  assert.equal(report.hops.at(-1)!.party?.role, 'advertiser');
  assert.match(
    report.summary?.text ?? '',
    new RegExp(
      '^Sent via Selligent \\(tracker news\\.t-mobile\\.emsecure\\.test, base domain emsecure\\.test does not resolve\\)' +
        ' -> advertiser business\\.t-mobile\\.example \\(campaign cmpid=DMA_EM_Q3_2026_SMB_FindOutMore\\)',
    ),
  );
  assert.ok(report.summary!.claims.every((c) => c.hop === null || (c.hop >= 1 && c.hop <= report.hops.length)));
});

test('without --allow-private, DNS answers pointing at loopback are blocked', async () => {
  const { report } = await trace(viaDns(fixture.lab.scenarios['http-302'].url, { allowPrivate: false }), fixture.browser);
  assert.match(report.error ?? '', /blocked: .* resolves to private address 127\.0\.0\.1/);
});

test('a tracking domain known only by its CNAME to a Marketo instance host pointing on at a CDN: Marketo, the claim naming that CNAME', async () => {
  const { report } = await trace(viaDns(fixture.lab.scenarios['who-cname-marketo'].url), fixture.browser);
  assert.equal(report.error, null);
  const dns = report.dns!.find((d) => d.host === 'go.advertiser.example')!;
  assert.deepEqual(dns.cnames, ['advertiser.mkto-ab1234.com', 'e1234.a.edge-cdn.test']);
  assert.equal(report.hops[0].party?.name, 'Adobe Marketo Engage');
  assert.match(report.hops[0].party?.rule ?? '', /^marketo:cname:/);
  assert.equal(
    report.summary?.text,
    'Sent via Adobe Marketo Engage (tracker go.advertiser.example, CNAME to advertiser.mkto-ab1234.com) -> advertiser www.advertiser.example',
  );
  assert.deepEqual(
    report.summary.claims.filter((c) => c.text.includes('CNAME')),
    [{ text: 'go.advertiser.example is a CNAME to advertiser.mkto-ab1234.com', hop: 1 }],
  );
});
