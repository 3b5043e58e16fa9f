import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unwrap } from '../analyze/unwrap/index.js';
import { clickTarget } from './gateway-wrappers.js';

const target = (url: string) => clickTarget(url, unwrap(url));
const safeLinks = (inner: string) =>
  `https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent(inner)}&data=05%7C01%7Cvictim%40corp.example%7C0&sdata=x&reserved=0`;

test("a recipient-side gateway's wrapper is peeled: the sender's link is what is requested", () => {
  const inner = 'http://click.mailer-esp.test/once/abc?x=1&y=2';
  assert.deepEqual(target(safeLinks(inner)), {
    url: inner,
    gateways: [{ party: 'Microsoft Defender Safe Links', url: safeLinks(inner) }],
  });
  const proofpoint = 'https://urldefense.proofpoint.com/v2/url?u=http-3A__www.example.com_offer&d=DwMF&c=x&r=y&m=z&s=w&e=';
  assert.deepEqual(target(proofpoint), {
    url: 'http://www.example.com/offer',
    gateways: [{ party: 'Proofpoint URL Defense', url: proofpoint }],
  });
});

test('gateways nested in each other are all peeled; an ESP tracker inside stays, as the recipient clicks it', () => {
  const sendgrid = 'https://u123.ct.sendgrid.net/ls/click?upn=abc-2Bdef';
  const wrapped = safeLinks(`https://urldefense.com/v3/__${sendgrid}__;!!abc$`);
  const result = target(wrapped);
  assert.equal(result.url, sendgrid, 'the tracker is requested, not its decoded destination');
  assert.deepEqual(
    result.gateways.map((g) => g.party),
    ['Microsoft Defender Safe Links', 'Proofpoint URL Defense'],
  );
});

test('no gateway: the link as written; an opaque or undecodable gateway is requested as it is', () => {
  const plain = 'http://click.mailer-esp.test/once/abc';
  assert.deepEqual(target(plain), { url: plain, gateways: [] });
  const tracker = 'https://abcd.r.us-east-1.awstrack.me/L0/https:%2F%2Fshop.example%2Fsale/1/0100abc/xyz=';
  assert.deepEqual(target(tracker), { url: tracker, gateways: [] });
  const mimecast = 'https://protect-eu.mimecast.com/s/AbCdEfGhIjKlMn?domain=shop.example';
  assert.deepEqual(target(mimecast), { url: mimecast, gateways: [] }, 'only a hint of the destination: the wrapper is the way there');
  const notHttp = safeLinks('mailto:sales@shop.example');
  assert.deepEqual(target(notHttp), { url: notHttp, gateways: [] });
});
