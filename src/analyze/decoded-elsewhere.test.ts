import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodedElsewhere } from './decoded-elsewhere.js';
import { summarizeResponsibility } from './summary.js';

const ADVERTISER = 'https://www.advertiser.example/landing/spring';
const SES = `http://l.tds-router.test/L0/${encodeURIComponent(ADVERTISER)}/1/0100018f-7a1b-4c2d-8e3f-90a1b2c3d4e5-000000/Qk9YZ2=401`;
const PHISH = 'https://secure-login.phish.example/signin';
const hops = (...urls: string[]) => urls.map((url, i) => ({ index: i + 1, url, status: i + 1 < urls.length ? 302 : 200 }));

test('a tracker link that decodes to one site and sent the visitor to another is found', () => {
  assert.deepEqual(decodedElsewhere(hops(SES, PHISH)), [{ hop: 1, party: 'Amazon SES', decoded: ADVERTISER, wentToHop: 2, wentTo: PHISH }]);
  // Anywhere in the chain, also behind a first hop that decodes to it.
  const google = `https://www.google.com/url?q=${encodeURIComponent(SES)}`;
  assert.deepEqual(
    decodedElsewhere(hops(google, SES, PHISH)).map((e) => e.hop),
    [2],
  );
});

test('reaching the decoded site, by another path, with a query added, over https or through more hops, is no divergence', () => {
  assert.deepEqual(decodedElsewhere(hops(SES, `${ADVERTISER}?utm_source=mail`)), []);
  assert.deepEqual(decodedElsewhere(hops(SES, 'http://www.advertiser.example/landing/spring')), []);
  assert.deepEqual(decodedElsewhere(hops(SES, 'https://r.adnet-alpha.test/c?id=1', 'https://shop.advertiser.example/')), []);
  // A chain that stopped at the link itself went nowhere else.
  assert.deepEqual(decodedElsewhere(hops(SES)), []);
  // An opaque tracker (no destination in its URL) and an ordinary page say nothing.
  assert.deepEqual(decodedElsewhere(hops('http://click.mailer-esp.test/ls/click?upn=abc', PHISH)), []);
  assert.deepEqual(decodedElsewhere(hops('https://www.example.com/?u=https%3A%2F%2Fa.example%2F', PHISH)), []);
});

test('the summary says it of the tracker and a claim points at the hop it went to', () => {
  const summary = summarizeResponsibility({ hops: hops(SES, PHISH) });
  assert.match(
    summary.text,
    /^Sent via Amazon SES \(tracker l\.tds-router\.test, its link decodes to www\.advertiser\.example, but it sent the visitor to secure-login\.phish\.example\) -> /,
  );
  const claim = summary.claims.find((c) => c.text.includes('decodes to'));
  assert.deepEqual(claim, {
    text:
      `Hop 1 (l.tds-router.test) is an Amazon SES link whose URL decodes to ${ADVERTISER}, ` +
      `but it sent the visitor to ${PHISH} (hop 2), never to that site`,
    hop: 2,
  });
  assert.doesNotMatch(summarizeResponsibility({ hops: hops(SES, ADVERTISER) }).text, /decodes/);
});
