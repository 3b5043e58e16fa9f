import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { summarizeResponsibility } from './summary.js';
import { findTokens } from './tokens.js';

const seedHops = [
  { index: 1, url: 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=aBc123xYz', status: 200 },
  { index: 2, url: 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=dEf456uVw', status: 302 },
  { index: 3, url: 'https://business.t-mobile.example/contact-a-rep.html?cmpid=DMA_EM_Q3_2026_SMB_FindOutMore', status: 200 },
];
const seedDns = [
  { host: 'news.t-mobile.emsecure.test', cnames: [], baseDomain: 'emsecure.test', baseDomainResolves: false },
  { host: 'business.t-mobile.example', cnames: [], baseDomain: 't-mobile.example', baseDomainResolves: true },
];

describe('the seed scenario', () => {
  const summary = summarizeResponsibility({ hops: seedHops, dns: seedDns });

  test('one line says who sent it and who paid', () => {
    assert.equal(
      summary.text,
      'Sent via Selligent (tracker news.t-mobile.emsecure.test, base domain emsecure.test does not resolve)' +
        ' -> advertiser business.t-mobile.example (campaign cmpid=DMA_EM_Q3_2026_SMB_FindOutMore)',
    );
  });

  test('every claim points at the hop that proves it', () => {
    assert.deepEqual(summary.claims, [
      {
        text: 'Sent via Selligent: news.t-mobile.emsecure.test is a Selligent click tracker (rule selligent:path:/optiext/optiextension.dll)',
        hop: 1,
      },
      { text: 'Base domain emsecure.test does not resolve', hop: 1 },
      { text: 'The click went through the Selligent ESP tracker (HTTP 302)', hop: 2 },
      { text: 'Advertiser business.t-mobile.example: owner of the final landing page (HTTP 200)', hop: 3 },
      { text: 'Campaign cmpid=DMA_EM_Q3_2026_SMB_FindOutMore', hop: 3 },
    ]);
  });

  test('mail headers that agree are noted without changing the line', () => {
    const withMail = summarizeResponsibility({ hops: seedHops, dns: seedDns, espFromMail: ['Selligent Marketing Cloud'] });
    assert.equal(withMail.text, summary.text);
    assert.ok(withMail.claims.some((c) => c.text === 'Mail headers also point to Selligent Marketing Cloud' && c.hop === null));
  });

  test('given tokens and parties are used as they are', () => {
    const result = summarizeResponsibility({
      hops: seedHops.map((h, i) =>
        i === 2
          ? { ...h, party: { role: 'advertiser' as const, name: 'T-Mobile', rule: 'manual', registrableDomain: 't-mobile.example' } }
          : h,
      ),
      tokens: [{ name: 'utm_campaign', value: 'q3-smb', kind: 'utm', hops: [3] }],
    });
    assert.match(result.text, /-> advertiser business\.t-mobile\.example \(campaign utm_campaign=q3-smb\)$/);
    assert.doesNotMatch(result.text, /does not resolve/);
  });
});

test('wrapper, CNAME-branded ESP, affiliate network, disagreeing mail headers, a final page that failed (no advertiser)', () => {
  const summary = summarizeResponsibility({
    hops: [
      { index: 1, url: 'https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fclick.brand.example%2Fx&data=1', status: 302 },
      { index: 2, url: 'https://click.brand.example/x', status: 302 },
      { index: 3, url: 'https://www.awin1.com/cread.php?awinmid=1234&awinaffid=5678&ued=https%3A%2F%2Fshop.example%2Fp', status: 302 },
      { index: 4, url: 'https://shop.example/p?awc=1234_abc&utm_campaign=spring', status: 404 },
    ],
    dns: [
      {
        host: 'click.brand.example',
        cnames: ['click.brand.example.', 'sendgrid.net.'],
        baseDomain: 'brand.example',
        baseDomainResolves: true,
      },
    ],
    espFromMail: ['Amazon SES'],
  });
  assert.equal(
    summary.text,
    'via security wrapper Microsoft Defender Safe Links (nam12.safelinks.protection.outlook.com) -> ' +
      'Sent via Twilio SendGrid (tracker click.brand.example, CNAME to sendgrid.net) (mail headers name Amazon SES) -> ' +
      'via affiliate network Awin (www.awin1.com, awinmid=1234, awinaffid=5678) -> error at shop.example (HTTP 404): no landing page',
  );
  assert.deepEqual(summary.claims.at(-1), {
    text: 'The chain ends with an error at shop.example (HTTP 404), not on a page; no advertiser can be named',
    hop: 4,
  });
  assert.deepEqual(
    summary.claims.filter((c) => /CNAME|^Awin affiliate|Mail headers/.test(c.text)),
    [
      { text: 'click.brand.example is a CNAME to sendgrid.net', hop: 2 },
      { text: 'Awin affiliate awinmid=1234', hop: 3 },
      { text: 'Awin affiliate awinaffid=5678', hop: 3 },
      { text: 'Mail headers point to Amazon SES', hop: null },
    ],
  );
});

test('a CNAME claim names the CNAME that proves the party, not a CDN further down the chain', () => {
  const summary = summarizeResponsibility({
    hops: [
      { index: 1, url: 'https://go.shop.example/dc/abc', status: 302 },
      { index: 2, url: 'https://www.shop.example/sale', status: 200 },
    ],
    dns: [
      {
        host: 'go.shop.example',
        cnames: ['shop.mkto-ab1234.com', 'shop.mkto-ab1234.com.edgekey.net', 'e1234.a.akamaiedge.net'],
        baseDomain: 'shop.example',
        baseDomainResolves: true,
      },
    ],
  });
  assert.equal(
    summary.text,
    'Sent via Adobe Marketo Engage (tracker go.shop.example, CNAME to shop.mkto-ab1234.com) -> advertiser www.shop.example',
  );
  assert.deepEqual(
    summary.claims.filter((c) => /CNAME/.test(c.text)),
    [{ text: 'go.shop.example is a CNAME to shop.mkto-ab1234.com', hop: 1 }],
  );
});

test("a hop on another customer's site of the same hosting service is said, not taken for the landing site", () => {
  const summary = summarizeResponsibility({
    hops: [
      { index: 1, url: 'https://bit.ly/abc', status: 301 },
      { index: 2, url: 'https://redirector-9.workers.dev/go', status: 302 },
      { index: 3, url: 'https://promo-xyz.workers.dev/', status: 200 },
    ],
  });
  assert.equal(
    summary.text,
    'via shortener Bitly (bit.ly) -> via redirector-9.workers.dev (unattributed) -> advertiser promo-xyz.workers.dev',
  );
  assert.ok(summary.claims.some((c) => c.hop === 2 && c.text === 'Hop 2 (redirector-9.workers.dev) is not run by any known party'));
});

test('a page made by script from a Blob URL is the page of its origin: its owner is the advertiser, not "no landing page"', () => {
  const summary = summarizeResponsibility({
    hops: [
      { index: 1, url: 'https://bit.ly/abc', status: 301 },
      { index: 2, url: 'http://promo.offers.example/who', status: 200 },
      { index: 3, url: 'blob:http://promo.offers.example/0b6d3f7e-1c2a-4e5b-9f00-3c1d2e4f5a6b', status: 200 },
    ],
  });
  assert.equal(summary.text, 'via shortener Bitly (bit.ly) -> advertiser promo.offers.example');
  assert.deepEqual(summary.claims.at(-1), {
    text: 'Advertiser promo.offers.example: owner of the final landing page (a document its own page made, a blob: URL, no request)',
    hop: 3,
  });
});

test("a landing page in a storage bucket is its customer's site: the bucket is named, not the hosting company; another bucket's redirect is said", () => {
  const summary = summarizeResponsibility({
    hops: [
      { index: 1, url: 'https://u1.ct.sendgrid.net/ls/click?upn=abc', status: 302 },
      { index: 2, url: 'https://storage.googleapis.com/redirect-bucket/go.html', status: 200 },
      { index: 3, url: 'https://storage.googleapis.com/prize-claim/index.html?cmpid=win-26', status: 200 },
    ],
  });
  assert.equal(
    summary.text,
    'Sent via Twilio SendGrid (tracker u1.ct.sendgrid.net) -> via storage.googleapis.com (unattributed) -> ' +
      'advertiser storage.googleapis.com/prize-claim (campaign cmpid=win-26)',
  );
  assert.deepEqual(
    summary.claims.filter((c) => /^(Advertiser|Hop 2)/.test(c.text)),
    [
      { text: 'Hop 2 (storage.googleapis.com) is not run by any known party', hop: 2 },
      { text: 'Advertiser storage.googleapis.com/prize-claim: owner of the final landing page (HTTP 200)', hop: 3 },
    ],
  );
});

test('a recipient address in the chain is called out with its hops', () => {
  const md5 = createHash('md5').update('victim@example.org').digest('hex');
  const hops = [
    { index: 1, url: `https://u123.ct.sendgrid.net/ls/click?upn=abc&h=${md5}`, status: 302 },
    { index: 2, url: 'https://shop.example/?e=victim%40example.org', status: 200 },
  ];
  const tokens = findTokens(
    hops.map((h) => h.url),
    { recipients: ['Victim@Example.org'] },
  );
  const summary = summarizeResponsibility({ hops, tokens });
  assert.equal(
    summary.text,
    'Sent via Twilio SendGrid (tracker u123.ct.sendgrid.net) -> advertiser shop.example; recipient address embedded in hops 1, 2',
  );
  assert.deepEqual(
    summary.claims.filter((c) => c.text.startsWith('Recipient')),
    [
      { text: 'Recipient address embedded in the URL (h (md5))', hop: 1 },
      { text: 'Recipient address embedded in the URL (e (url-encoded))', hop: 2 },
    ],
  );
});

test('mail headers alone, a chain that stops at a shortener, and no hops', () => {
  const stopped = summarizeResponsibility({ hops: [{ index: 1, url: 'https://bit.ly/3xYz', status: null }], espFromMail: ['Mailgun'] });
  assert.equal(
    stopped.text,
    'Sent via Mailgun (from mail headers) -> via shortener Bitly (bit.ly) -> error at bit.ly (no response): no landing page',
  );
  const rested = summarizeResponsibility({ hops: [{ index: 1, url: 'https://bit.ly/3xYz', status: 200 }] });
  assert.equal(rested.text, 'via shortener Bitly (bit.ly) -> no landing page reached (ended at bit.ly)');
  assert.deepEqual(rested.claims.at(-1), { text: 'The chain ends at Bitly (bit.ly) without reaching a landing page', hop: 1 });
  assert.deepEqual(summarizeResponsibility({ hops: [] }), { text: 'No hops recorded', claims: [] });
});

test('unattributed redirectors on other domains are listed, same-site redirects are not', () => {
  const summary = summarizeResponsibility({
    hops: [
      { index: 1, url: 'http://redirect.tracker-unknown.example/r?id=1', status: 302 },
      { index: 2, url: 'http://www.shop.example/', status: 301 },
      { index: 3, url: 'https://www.shop.example/', status: 200 },
    ],
  });
  assert.equal(summary.text, 'via redirect.tracker-unknown.example (unattributed) -> advertiser www.shop.example');
  assert.deepEqual(summary.claims[0], { text: 'Hop 1 (redirect.tracker-unknown.example) is not run by any known party', hop: 1 });
});

describe('where the recipient address leaked', () => {
  const address = 'old-registrant+domain@mydomain.example';
  const digest = createHash('sha256').update(address).digest('hex');
  const hops = [
    { index: 1, url: `http://click.mailer-esp.test/r/${digest}?c=spring26`, status: 302 },
    { index: 2, url: `https://www.advertiser.example/landing/recipient-token?h=${digest}`, status: 200 },
  ];
  const text = 'sent to old-registrant+domain@mydomain.example, given only for a domain registration in 2012, retired in 2016';
  const tokens = findTokens(
    hops.map((h) => h.url),
    { recipients: [address] },
  );
  const summary = summarizeResponsibility({ hops, tokens, disclosures: [{ address, text }] });

  test('the line starts with the disclosure, the chain follows', () => {
    assert.equal(
      summary.text,
      'Sent to old-registrant+domain@mydomain.example, given only for a domain registration in 2012, retired in 2016;' +
        ' via click.mailer-esp.test (unattributed) -> advertiser www.advertiser.example;' +
        ' recipient address embedded in hops 1, 2',
    );
  });

  test('claims: the disclosure, and each hop whose URL carries the address as a SHA-256 digest', () => {
    assert.deepEqual(summary.claims.slice(0, 3), [
      { text: `Recipient: ${text} (from the message headers and the recipient map)`, hop: null },
      { text: `Hop 1 carries ${address} in its URL (path (sha256))`, hop: 1 },
      { text: `Hop 2 carries ${address} in its URL (h (sha256))`, hop: 2 },
    ]);
  });
});

describe('a chain that ends without a landing page names no advertiser, and says what happened', () => {
  const loop = [
    { index: 1, url: 'http://loop-a.tracker.test/loop', status: 302 },
    { index: 2, url: 'http://loop-b.tracker.test/loop', status: 302 },
    { index: 3, url: 'http://loop-a.tracker.test/loop', status: 302 },
    { index: 4, url: 'http://loop-b.tracker.test/loop', status: 302 },
    { index: 5, url: 'http://loop-a.tracker.test/loop', status: null },
  ];

  test('a redirect loop', () => {
    const summary = summarizeResponsibility({ hops: loop });
    assert.equal(summary.text, 'redirect loop (loop-a.tracker.test, loop-b.tracker.test): no landing page');
    assert.deepEqual(summary.claims, [
      {
        text: 'Redirect loop: http://loop-a.tracker.test/loop requested 3 times, the chain never rested on a page; no advertiser can be named',
        hop: 5,
      },
    ]);
  });

  test('a loop of pages that each rendered (meta refresh) is still a loop', () => {
    const summary = summarizeResponsibility({ hops: loop.map((h) => ({ ...h, status: 200 })) });
    assert.match(summary.text, /^redirect loop/);
    assert.doesNotMatch(JSON.stringify(summary), /advertiser loop|Advertiser /);
  });

  test('a download', () => {
    const summary = summarizeResponsibility({
      hops: [
        { index: 1, url: 'http://click.mailer.test/dl/1', status: 302 },
        { index: 2, url: 'https://dl.tracker.test/files/setup.exe', status: 200 },
      ],
      ending: { kind: 'download', url: 'https://dl.tracker.test/files/setup.exe', filename: 'setup.exe', hop: 2 },
    });
    assert.equal(summary.text, 'via click.mailer.test (unattributed) -> download setup.exe from dl.tracker.test: no landing page');
    assert.deepEqual(summary.claims.at(-1), {
      text: 'The chain ends on a file download (setup.exe from dl.tracker.test), not on a page; no advertiser can be named',
      hop: 2,
    });
  });

  test('an error, with the reason the capture gave', () => {
    const summary = summarizeResponsibility({
      hops: [
        { index: 1, url: 'http://click.mailer.test/c/1', status: 302 },
        { index: 2, url: 'http://hang.tracker.test/wait', status: null },
      ],
      ending: { kind: 'error', reason: 'timeout: no response for http://hang.tracker.test/wait within 8 s', hop: 2 },
    });
    assert.equal(
      summary.text,
      'via click.mailer.test (unattributed) -> error at hang.tracker.test (timeout: no response for http://hang.tracker.test/wait within 8 s): no landing page',
    );
  });
});

test('a redirect out of the web (mailto:, intent:, market:) ends the chain: named as such, never as a host', () => {
  const tracker = { index: 1, url: 'http://click.mailer-esp.test/c/out', status: 302 };
  const ending = (hop: number) => ({ kind: 'error' as const, reason: 'redirect to unsupported scheme', hop });
  const mail = summarizeResponsibility({
    hops: [tracker, { index: 2, url: 'mailto:claims@prize.advertiser.example?subject=Claim%20my%20prize', status: null }],
    ending: ending(2),
  });
  assert.equal(
    mail.text,
    'via click.mailer-esp.test (unattributed) -> redirect to the mail address claims@prize.advertiser.example, not a web page: no landing page',
  );
  assert.deepEqual(mail.claims.at(-1), {
    text:
      'The chain ends with a redirect to the mail address claims@prize.advertiser.example, ' +
      'which a browser does not load as a page; no advertiser can be named',
    hop: 2,
  });
  const app = summarizeResponsibility({ hops: [tracker, { index: 2, url: 'intent://claim/', status: null }], ending: ending(2) });
  assert.equal(
    app.text,
    'via click.mailer-esp.test (unattributed) -> redirect to an intent: link (intent://claim/), not a web page: no landing page',
  );
  assert.ok(!app.claims.some((c) => /Hop 2 \(/.test(c.text)), 'the app link is not a party on the way');
  // ftp: names a host: it stays an error at that host.
  const ftp = summarizeResponsibility({
    hops: [tracker, { index: 2, url: 'ftp://files.broker-net.test/offer.zip', status: null }],
    ending: ending(2),
  });
  assert.match(ftp.text, /error at files\.broker-net\.test \(redirect to unsupported scheme\)/);
});

test('an ESP tracker met on the way (a landing page button through it) is not said to have sent the e-mail', () => {
  const hops = [
    { index: 1, url: 'http://promo.broker-net.test/explore/obvious', status: 200 },
    { index: 2, url: 'http://click.mailer-esp.test/ls/click?upn=explore-obvious', status: 302 },
    { index: 3, url: 'https://www.advertiser.example/landing/explore-obvious', status: 200 },
  ];
  const summary = summarizeResponsibility({ hops });
  assert.equal(
    summary.text,
    'via promo.broker-net.test (unattributed) -> via ESP tracker Twilio SendGrid (click.mailer-esp.test) -> advertiser www.advertiser.example',
  );
  assert.ok(!summary.claims.some((c) => c.text.startsWith('Sent via')));
  const withMail = summarizeResponsibility({ hops, espFromMail: ['Mailchimp'] });
  assert.match(withMail.text, /^Sent via Mailchimp \(from mail headers\) -> via promo\.broker-net\.test/);
  // Behind the recipient's security gateway, the tracker is still the e-mail's own link.
  const wrapped = summarizeResponsibility({
    hops: [
      {
        index: 1,
        url: 'https://nam02.safelinks.protection.outlook.com/?url=http%3A%2F%2Fclick.mailer-esp.test%2Fls%2Fclick%3Fupn%3Dx&data=y',
        status: 302,
      },
      ...hops.slice(1).map((h) => ({ ...h })),
    ],
  });
  assert.match(wrapped.text, /Sent via Twilio SendGrid \(tracker click\.mailer-esp\.test\)/);
});

test('a page the link led to directly is the advertiser', () => {
  const direct = summarizeResponsibility({ hops: [{ index: 1, url: 'https://shop.example/sale', status: 200 }] });
  assert.equal(direct.text, 'advertiser shop.example');
  const campaign = summarizeResponsibility({
    hops: [{ index: 1, url: 'https://shop.example/sale?utm_source=news&utm_campaign=spring', status: 200 }],
  });
  assert.equal(campaign.text, 'advertiser shop.example (campaign utm_campaign=spring)');
});

describe('a chain that went on in a frame of the landing page', () => {
  const landing = 'http://promo.example/deals';
  const hops = [
    { index: 1, url: landing, status: 200 },
    { index: 2, url: 'http://click.sendgrid.net/ls/click?upn=abc', status: 302, frame: landing },
    { index: 3, url: 'https://shop.example/offer', status: 200, frame: landing },
  ];

  test('the final page is said to be shown inside a frame of the landing page, from the hop the click loaded there', () => {
    const summary = summarizeResponsibility({ hops });
    assert.match(summary.text, /-> advertiser shop\.example \(shown inside a frame of promo\.example\)$/);
    const claim = summary.claims.find((c) => c.text.includes('shown inside a frame'));
    assert.equal(claim?.hop, 2);
    assert.match(claim?.text ?? '', /^The final page shop\.example is shown inside a frame of http:\/\/promo\.example\/deals: /);
  });

  test("an error of the frame's document is said once to be in a frame, before its reason, never in brackets within brackets", () => {
    const failed = [...hops.slice(0, 2), { index: 3, url: 'https://shop.example/offer', status: null, frame: landing }];
    const reason = `connection refused by shop.example (127.0.0.1:9) (in a frame of ${landing})`;
    const summary = summarizeResponsibility({ hops: failed, ending: { kind: 'error', reason, hop: 3 } });
    assert.match(
      summary.text,
      / -> error in a frame of promo\.example at shop\.example: connection refused by shop\.example \(127\.0\.0\.1:9\): no landing page$/,
    );
    assert.doesNotMatch(summary.text, /\([^()]*\(/, 'no bracket opened inside another');
    const claim = summary.claims.find((c) => c.hop === 3);
    assert.equal(
      claim?.text,
      'The chain ends with an error in a frame of http://promo.example/deals at shop.example, not on a page: ' +
        'connection refused by shop.example (127.0.0.1:9); no advertiser can be named',
    );
    // A reason that does not name the frame (an analysis of an older case) reads the same.
    const older = summarizeResponsibility({ hops: failed, ending: { kind: 'error', reason: 'no response', hop: 3 } });
    assert.match(older.text, / -> error in a frame of promo\.example at shop\.example: no response: no landing page$/);
  });

  test('a chain that left the frame for the top says nothing of frames', () => {
    const summary = summarizeResponsibility({ hops: [...hops.slice(0, 2), { index: 3, url: 'https://shop.example/offer', status: 200 }] });
    assert.doesNotMatch(summary.text, /frame/);
    assert.ok(!summary.claims.some((c) => c.text.includes('frame')));
  });
});

test('claims read "an" before a vowel: an Amazon SES click tracker, an ESP tracker (chain-variants esp-sendgrid-ses)', () => {
  const target = 'https://www.advertiser.example/landing/esp-sendgrid-ses?utm_source=newsletter';
  const hops = [
    { index: 1, url: `https://jump.broker-net.test/L0/${encodeURIComponent(target)}/1/0100-abc-000000/Xw3hQ0c1=392`, status: 302 },
    { index: 2, url: 'http://r.adnet-alpha.test/ls/click?upn=u001.x', status: 302 },
    { index: 3, url: target, status: 200 },
  ];
  const texts = summarizeResponsibility({ hops }).claims.map((c) => c.text);
  assert.ok(
    texts.includes(
      'Sent via Amazon SES: jump.broker-net.test is an Amazon SES click tracker (rule amazon-ses:path:/L0/<pct-url>/… or /CL0/…)',
    ),
    texts.join('\n'),
  );
  const second = summarizeResponsibility({ hops: [hops[1], { ...hops[0], index: 2 }, hops[2]] }).claims.map((c) => c.text);
  assert.ok(
    second.some((t) => /^jump\.broker-net\.test is an ESP tracker run by Amazon SES /.test(t)),
    second.join('\n'),
  );
  assert.ok(!second.some((t) => / a [AEIOU]/.test(t)), second.join('\n'));
});

test('a chain that ends with an error at an IP address names it once, in the ending, not also as a hop on the way', () => {
  for (const host of ['127.0.0.1', '[::1]:8080']) {
    const hops = [
      { index: 1, url: 'http://track.broker-net.test/v/x', status: 302 },
      { index: 2, url: `http://${host}/admin`, status: null },
    ];
    const summary = summarizeResponsibility({ hops, ending: { kind: 'error', reason: 'blocked', hop: 2 } });
    const ip = host.startsWith('[') ? '::1' : host;
    assert.equal(summary.text, `via track.broker-net.test (unattributed) -> error at ${ip} (blocked): no landing page`);
  }
  // An IP address on the way is still a hop on the way.
  const via = summarizeResponsibility({
    hops: [
      { index: 1, url: 'http://192.0.2.7/r?id=1', status: 302 },
      { index: 2, url: 'http://track.broker-net.test/v/x', status: null },
    ],
    ending: { kind: 'error', reason: 'no response', hop: 2 },
  });
  assert.equal(via.text, 'via 192.0.2.7 (unattributed) -> error at track.broker-net.test (no response): no landing page');
});
