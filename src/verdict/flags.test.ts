import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hop, Report } from '../report.js';
import {
  cloakedFlag,
  credentialFormFlag,
  disguisedHostFlag,
  downloadFlag,
  linkMismatchFlag,
  lookalikeFlag,
  singleUseFlag,
  spentReason,
  tlsFlag,
  verdictFlags,
} from './flags.js';

function hop(index: number, url: string, status: number | null, extra: Partial<Hop> = {}): Hop {
  return {
    index,
    url,
    method: 'GET',
    status,
    via: index === 1 ? 'start' : 'http-302',
    evidence: { detail: '' },
    ip: '127.0.0.1',
    tls: null,
    contentType: 'text/html',
    timing: { startedAt: '2026-09-17T10:00:00.000Z', ms: 5 },
    exchange: `x${index}`,
    error: null,
    ...extra,
  };
}

function report(hops: Hop[], final: Report['final'], extra: Partial<Report> = {}): Report {
  return {
    tool: { name: 'clicktrace', version: '0' },
    url: hops[0]?.url ?? null,
    mode: 'trace',
    startedAt: '2026-09-17T10:00:00.000Z',
    endedAt: null,
    elapsedMs: null,
    identity: null,
    hops,
    final,
    pages: [],
    events: [],
    case: '20260917T100000Z-bbbbbb',
    error: null,
    partial: false,
    ...extra,
  };
}

const LANDING = 'https://www.advertiser.example/landing';
const worked = report([hop(1, 'http://click.mailer-esp.test/once/1', 302), hop(2, LANDING, 200)], {
  url: LANDING,
  status: 200,
  title: 'Spring Offer | Advertiser Example',
});
const spent = report(
  [hop(1, 'http://click.mailer-esp.test/once/1', 410)],
  {
    url: 'http://click.mailer-esp.test/once/1',
    status: 410,
    title: '410 Gone',
  },
  { startedAt: '2026-09-17T11:00:00.000Z', case: '20260917T110000Z-cccccc' },
);
const GONE_DOM = '<title>410 Gone</title><main><h1>Gone</h1><p>This link has already been used.</p></main>';

test('a clean chain raises no flag', () => {
  assert.deepEqual(
    verdictFlags({ report: worked, finalDom: '<p>Save 30%</p>', downloads: [], shownLink: null, otherVisits: [], comparison: null }),
    [],
  );
});

test('spent link: 410 Gone and the page saying so; a single visit that worked shows nothing', () => {
  assert.equal(spentReason(410, '410 Gone', 'This link has already been used.'), '410 Gone, "already been used"');
  assert.equal(spentReason(200, 'Offer expired', null), null);
  assert.equal(spentReason(200, null, 'Sorry, this link has expired.'), 'the page says "link has expired"');
  const flag = singleUseFlag(spent, GONE_DOM, [])!;
  assert.equal(flag.title, 'Spent link');
  assert.match(flag.detail, /410 Gone, "already been used"/);
  assert.equal(singleUseFlag(worked, '<p>Save</p>', []), null);
});

test('single-use: an earlier visit reached a page and a later one found the link spent, told on both cases', () => {
  const onSecond = singleUseFlag(spent, GONE_DOM, [
    {
      caseId: '20260917T100000Z-bbbbbb',
      startedAt: worked.startedAt,
      finalUrl: LANDING,
      finalStatus: 200,
      finalTitle: 'Spring Offer',
      error: null,
    },
  ])!;
  assert.equal(onSecond.title, 'Single-use link');
  assert.match(
    onSecond.detail,
    /the visit in case 20260917T100000Z-bbbbbb .* reached https:\/\/www\.advertiser\.example\/landing; this visit .* found it spent: 410 Gone/,
  );
  const onFirst = singleUseFlag(worked, null, [
    {
      caseId: '20260917T110000Z-cccccc',
      startedAt: spent.startedAt,
      finalUrl: spent.final!.url,
      finalStatus: 410,
      finalTitle: '410 Gone',
      error: null,
    },
  ])!;
  assert.match(onFirst.detail, /^this visit .* reached .*; the visit in case 20260917T110000Z-cccccc .* found it spent: 410 Gone/);
  assert.equal(
    singleUseFlag(worked, null, [{ ...worked, caseId: 'other', finalUrl: LANDING, finalStatus: 200, finalTitle: null, error: null }]),
    null,
  );
});

test('download: the first file named with its recognised type and size', () => {
  const flag = downloadFlag([
    {
      url: 'u',
      filename: 'invoice.zip',
      contentType: 'application/zip',
      magic: 'ZIP archive',
      size: 190,
      sha256: 'ab',
      truncated: false,
      exchange: 'x2',
    },
  ])!;
  assert.equal(flag.detail, 'The chain handed over a file: invoice.zip (ZIP archive, 190 bytes).');
  assert.equal(downloadFlag([]), null);
});

test('credential form: password fields of the final page, with the form action and plain HTTP said', () => {
  const phish = report([hop(1, 'http://offer.cloak-cdn.test/lp', 200), hop(2, 'http://secure-login.phish.example/account/verify', 200)], {
    url: 'http://secure-login.phish.example/account/verify',
    status: 200,
    title: 'Account verification',
  });
  const dom =
    '<form method="post" action="/account/verify"><input name="email" type="email"><input name="password" type="password"></form>';
  const flag = credentialFormFlag(phish, dom)!;
  assert.equal(flag.detail, 'The final page asks for password details over plain HTTP: field "password", sent to /account/verify.');
  assert.equal(flag.hop, 2);
  assert.equal(credentialFormFlag(phish, '<form><input name="q"></form>'), null);
  assert.equal(credentialFormFlag(phish, null), null, 'no DOM recorded, no claim');
});

test('look-alike and shown-vs-real link: anchor text naming the brand, a chain ending on a confusable domain', () => {
  const lookalike = report([hop(1, 'http://click.mailer-esp.test/c/x', 302), hop(2, 'https://business.t-rnobile.example/signin', 200)], {
    url: 'https://business.t-rnobile.example/signin',
    status: 200,
    title: 'T-Mobile for Business | Sign in',
  });
  const shownLink = { text: 'https://business.t-mobile.example/account', href: 'http://click.mailer-esp.test/c/x' };
  assert.match(lookalikeFlag(lookalike, null)!.detail, /^t-rnobile\.example looks like "t-mobile" \(shown in the page title\)/);
  assert.match(lookalikeFlag(lookalike, shownLink)!.detail, /shown in the link text/);
  assert.equal(
    linkMismatchFlag(lookalike, shownLink)!.detail,
    'The text of the e-mail link shows t-mobile.example, but it goes to mailer-esp.test and ends on t-rnobile.example.',
  );
  assert.equal(
    linkMismatchFlag(worked, { text: 'www.advertiser.example', href: 'http://click.mailer-esp.test/x' }),
    null,
    'a tracker on the way is normal',
  );
  assert.equal(linkMismatchFlag(worked, { text: 'Find out more', href: 'http://x.test/' }), null, 'text that names no domain');
  assert.equal(lookalikeFlag(worked, null), null);
});

test('TLS: unverified certificates and a fall back to plain HTTP, with the first hop concerned', () => {
  const bad = report(
    [
      hop(1, 'https://expired.badssl.test/offer', 200, {
        tls: { protocol: 'TLSv1.3', authorized: false, error: 'CERT_HAS_EXPIRED', cert: null },
      }),
      hop(2, 'http://www.advertiser.example/landing', 200),
    ],
    { url: 'http://www.advertiser.example/landing', status: 200, title: 'x' },
  );
  const flag = tlsFlag(bad)!;
  assert.equal(flag.detail, 'hop 1 (expired.badssl.test): CERT_HAS_EXPIRED; hop 2 falls back from HTTPS to plain HTTP');
  assert.equal(flag.hop, 1);
  assert.equal(tlsFlag(worked), null);
});

test('cloaked: only with a comparison, when the two traces end on different domains or pages', () => {
  assert.equal(cloakedFlag(null), null);
  const compared = {
    otherCase: 'c2',
    otherIdentity: 'a bot UA',
    thisFinal: 'https://secure-login.phish.example/x',
    otherFinal: 'http://offer.cloak-cdn.test/lp',
  };
  assert.match(cloakedFlag(compared)!.detail, /ended on phish\.example, the trace as a bot UA \(case c2\) on cloak-cdn\.test/);
  assert.equal(cloakedFlag({ ...compared, otherFinal: 'https://other.phish.example/' }), null);
  // The same address served as another page: said with the titles.
  const inPlace = { ...compared, otherFinal: compared.thisFinal, thisTitle: 'Account verification', otherTitle: 'Garden tips' };
  assert.match(cloakedFlag(inPlace)!.detail, /ended on phish\.example "Account verification", .* on phish\.example "Garden tips"/);
  assert.equal(cloakedFlag({ ...inPlace, otherTitle: 'Account  verification' }), null);
  // A split the comparison says may be chance: a warning that says so, not a high flag.
  const chance = cloakedFlag({ ...compared, mayBeChance: true })!;
  assert.equal(chance.severity, 'warn');
  assert.match(chance.detail, /may also be chance/);
  assert.equal(cloakedFlag(compared)!.severity, 'high');
});

test('disguised host: a brand domain as user info before the real host (lab location-userinfo), not a plain user name', () => {
  const url = 'https://business.t-mobile.example@secure-login.phish.example/h/location-userinfo';
  const disguised = report([hop(1, 'http://click.mailer-esp.test/h/location-userinfo', 302), hop(2, url, 200)], {
    url,
    status: 200,
    title: 'T-Mobile for Business | Sign in',
  });
  assert.deepEqual(disguisedHostFlag(disguised), {
    id: 'disguised-host',
    title: 'Disguised host',
    detail:
      'Hop 2 goes to secure-login.phish.example behind the user info "business.t-mobile.example@": ' +
      'the address reads as business.t-mobile.example but is not on it.',
    severity: 'high',
    hop: 2,
  });
  assert.equal(disguisedHostFlag(report([hop(1, 'https://www.paypal.com%2Esecure:x@evil.example/', 200)], null))?.hop, 1);
  assert.equal(disguisedHostFlag(report([hop(1, 'ftp://anonymous@files.example/x', 200)], null)), null);
  assert.equal(disguisedHostFlag(worked), null);
});
