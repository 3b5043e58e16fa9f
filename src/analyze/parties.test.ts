import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeChain, attributeUrl, provingCname, unknownParty } from './parties.js';
import { compileHostPattern, registrableDomainOf } from './parties-match.js';
import { loadPartyRules, PARTY_ROLES, readRulesJson, validatePartyRules } from './parties-rules.js';

const parties = loadPartyRules();

describe('rules/parties.json', () => {
  test('validates: unique ids, known roles, sources, at least one matcher each', () => {
    assert.deepEqual(validatePartyRules(readRulesJson('parties.json')), []);
  });

  test('holds at least 80 parties, covering every role', () => {
    assert.ok(parties.length >= 80, `only ${parties.length} parties`);
    for (const role of PARTY_ROLES)
      assert.ok(
        parties.some((p) => p.role === role),
        role,
      );
  });

  test('names the ESPs, wrappers and networks the brief asks for', () => {
    const ids = new Set(parties.map((p) => p.id));
    for (const id of [
      'selligent',
      'sendgrid',
      'mailchimp',
      'salesforce-marketing-cloud',
      'braze',
      'klaviyo',
      'hubspot',
      'marketo',
      'iterable',
      'customer-io',
      'brevo',
      'mailgun',
      'amazon-ses',
      'mandrill',
      'postmark',
      'sparkpost',
      'acoustic',
      'oracle-responsys',
      'oracle-eloqua',
      'adobe-campaign',
      'emarsys',
      'cheetah-digital',
      'epsilon',
      'microsoft-safelinks',
      'proofpoint-urldefense',
      'mimecast',
      'bitly',
      'cj',
      'awin',
      'impact',
      'rakuten-advertising',
      'shareasale',
      'clickbank',
      'partnerize',
      'tradedoubler',
      'google-ads',
      'facebook-linkshim',
      'microsoft-advertising',
    ]) {
      assert.ok(ids.has(id), id);
    }
  });

  test('validation reports broken parties', () => {
    const problems = validatePartyRules({
      parties: [
        { id: 'a', name: 'A', role: 'esp-tracker', sources: ['A1'] },
        { id: 'a', name: 'B', role: 'nope', hosts: ['b.example'], sources: [] },
        { id: 'c', name: 'C', role: 'shortener', paths: [{ label: 'x', pattern: '(', sample: 'https://c.example/' }], sources: ['S1'] },
      ],
    });
    assert.ok(problems.some((p) => p.includes('no matcher')));
    assert.ok(problems.some((p) => p.includes('duplicate id')));
    assert.ok(problems.some((p) => p.includes('bad role')));
    assert.ok(problems.some((p) => p.includes('no sources')));
    assert.ok(problems.some((p) => p.includes('bad path pattern')));
  });
});

describe('every path fingerprint matches its sample', () => {
  for (const party of parties) {
    for (const f of party.paths ?? []) {
      test(`${party.id}: ${f.label}`, () => {
        const ref = attributeUrl(f.sample);
        assert.equal(ref.rule, `${party.id}:path:${f.label}`);
        assert.equal(ref.name, party.name);
        assert.equal(ref.role, party.role);
      });
    }
  }
});

/** A CNAME target that a pattern must accept. */
function sampleFor(pattern: string): string {
  const regexSamples: Record<string, string> = { '/(^|\\.)mkto-[a-z]{1,3}\\d{4,8}\\.com$/': 'mkto-a0244.com' };
  if (pattern.startsWith('/')) {
    const sample = regexSamples[pattern];
    assert.ok(sample, `no sample for CNAME pattern ${pattern}`);
    return sample;
  }
  return `edge1.${pattern.replace(/\*/g, 'a1').replace('{tld}', 'com')}`;
}

describe('every CNAME rule attributes a branded host', () => {
  for (const party of parties) {
    for (const pattern of party.cnames ?? []) {
      test(`${party.id}: CNAME ${pattern}`, () => {
        const ref = attributeUrl('https://click.brand.example/abc/def', {
          cnames: ['click.brand.example.cdn.example', sampleFor(pattern)],
        });
        assert.deepEqual(ref, {
          role: party.role,
          name: party.name,
          rule: `${party.id}:cname:${pattern}`,
          registrableDomain: 'brand.example',
        });
      });
    }
  }
});

describe('every host pattern and sample URL attributes to its party', () => {
  for (const party of parties) {
    const urls = [
      ...(party.hosts ?? [])
        .filter((h) => !h.startsWith('/'))
        .map((h) => `https://${h.replace(/\*/g, 'x1').replace('{tld}', 'com')}/some/path`),
      ...(party.samples ?? []),
    ];
    if (urls.length === 0) continue;
    test(party.id, () => {
      for (const url of urls) assert.equal(attributeUrl(url).name, party.name, url);
    });
  }
});

describe('attributeUrl', () => {
  test('Selligent path fingerprint survives a branded .test domain', () => {
    assert.deepEqual(attributeUrl('http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=x'), {
      role: 'esp-tracker',
      name: 'Selligent',
      rule: 'selligent:path:/optiext/optiextension.dll',
      registrableDomain: 'emsecure.test',
    });
  });

  test('SendGrid /ls/click?upn= on a customer domain', () => {
    const ref = attributeUrl('https://url9624.discordapp.com/ls/click?upn=abc');
    assert.equal(ref.name, 'Twilio SendGrid');
    assert.equal(ref.registrableDomain, 'discordapp.com');
  });

  test('a branded host whose CNAME chain ends in sendgrid.net is SendGrid', () => {
    const ref = attributeUrl('https://click.brand.example/x', { cnames: ['click.brand.example.', 'sendgrid.net.'] });
    assert.equal(ref.rule, 'sendgrid:cname:sendgrid.net');
  });

  test("a custom tracking domain CNAME'd to one of a party's own hosts is that party's; a name further down proves nothing", () => {
    assert.deepEqual(attributeUrl('https://trk.shop.example/l/abc', { cnames: ['trk.klclick.com.'] }), {
      role: 'esp-tracker',
      name: 'Klaviyo',
      rule: 'klaviyo:cname:klclick.com',
      registrableDomain: 'shop.example',
    });
    assert.equal(attributeUrl('https://links.shop.example/a/x', { cnames: ['links.iterable.com'] }).name, 'Iterable');
    // The first name that names a party wins: a CDN in front of the ESP's host comes after it.
    const marketo = attributeUrl('https://go.shop.example/x', {
      cnames: ['shop.mkto-ab1234.com', 'shop.mkto-ab1234.com.edgekey.net', 'e1.a.akamaiedge.net'],
    });
    assert.equal(marketo.name, 'Adobe Marketo Engage');
    assert.equal(provingCname(['shop.mkto-ab1234.com', 'shop.mkto-ab1234.com.edgekey.net', 'e1.a.akamaiedge.net']), 'shop.mkto-ab1234.com');
    assert.equal(provingCname(['Edge.CDN.example.', 'U1.CT.SendGrid.NET.']), 'u1.ct.sendgrid.net');
    assert.equal(provingCname(['edge.cdn.example']), null);
    assert.equal(attributeUrl('https://go.shop.example/x', { cnames: ['edge.cdn.example'] }).role, 'unknown');
  });

  test('every documented CNAME target of the catalogue (A.2) attributes a custom tracking domain to its ESP', () => {
    const targets: [string, string][] = [
      ['u1234.wl.sendgrid.net', 'Twilio SendGrid'],
      ['eu.sendgrid.net', 'Twilio SendGrid'],
      ['eu.mailgun.org', 'Mailgun'],
      ['eu.spgo.io', 'SparkPost'],
      ['click.pstmrk.it', 'Postmark'],
      ['e-eu.customeriomail.com', 'Customer.io'],
      ['links.eu.iterable.com', 'Iterable'],
      ['mkto-a0244.com', 'Adobe Marketo Engage'],
      ['go.pardot.com', 'Salesforce Account Engagement (Pardot)'],
      ['cl.exct.net', 'Salesforce Marketing Cloud (ExactTarget)'],
      ['trk.klclick.com', 'Klaviyo'],
      ['abcd1234.r.us-east-1.awstrack.me', 'Amazon SES'],
      ['acme.createsend.com', 'Campaign Monitor'],
      ['cb.sailthru.com', 'Sailthru'],
      ['elinkeu.clickdimensions.com', 'ClickDimensions'],
      ['go.emailitmail.com', 'Emailit'],
      ['custom.ltrmnt.com', 'Lettermint'],
      ['dmanalytics1.com', 'Direct Mail (e3 Software)'],
      ['app.boltmail.nz', 'BoltMail'],
    ];
    for (const [target, name] of targets) {
      const ref = attributeUrl('https://track.shop.example/abc/def', { cnames: [`${target}.`] });
      assert.equal(ref.name, name, target);
      assert.match(ref.rule ?? '', /:cname:/, target);
    }
  });

  test("a customer's site on a hosting service is the customer's domain, not the service's (private suffixes)", () => {
    for (const [host, domain] of [
      ['promo-xyz.pages.dev', 'promo-xyz.pages.dev'],
      ['offer-123.web.app', 'offer-123.web.app'],
      ['offers.blob.core.windows.net', 'offers.blob.core.windows.net'],
      ['www.someone.github.io', 'someone.github.io'],
      ['shop.example.co.uk', 'example.co.uk'],
    ])
      assert.equal(registrableDomainOf(host), domain, host);
    // "{tld}" stays an ICANN suffix: google.github.io is no Google host.
    assert.equal(compileHostPattern('google.{tld}').test('google.github.io'), false);
  });

  test('host-bound fingerprints beat host rules; hosts beat free fingerprints', () => {
    assert.equal(attributeUrl('https://www.google.de/url?q=https://x.example').name, 'Google redirect');
    assert.equal(attributeUrl('https://www.google.de/aclk?adurl=https://x.example').name, 'Google Ads / DoubleClick');
    assert.equal(attributeUrl('https://www.google.de/search?q=x').role, 'unknown');
    assert.equal(attributeUrl('https://ablink.news.brand.example/ls/click?upn=x').name, 'Braze');
  });

  test('{tld} follows the public suffix', () => {
    assert.equal(compileHostPattern('google.{tld}').test('www.google.co.uk'), true);
    assert.equal(compileHostPattern('google.{tld}').test('google.evil.example'), false);
    assert.equal(attributeUrl('https://rover.ebay.co.uk/rover/1/x').name, 'eBay Partner Network');
  });

  test('unknown hosts and bad input', () => {
    assert.deepEqual(attributeUrl('https://www.example.co.uk/'), {
      role: 'unknown',
      name: null,
      rule: null,
      registrableDomain: 'example.co.uk',
    });
    assert.deepEqual(attributeUrl('not a url'), { role: 'unknown', name: null, rule: null, registrableDomain: null });
    assert.equal(attributeUrl('http://127.0.0.1:8080/x').registrableDomain, null);
    assert.equal(registrableDomainOf('business.t-mobile.example'), 't-mobile.example');
  });
});

describe('attributeChain', () => {
  const seed = [
    { url: 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=abc' },
    { url: 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=def' },
    { url: 'https://business.t-mobile.example/contact-a-rep.html?cmpid=DMA_EM_Q3_2026_SMB_FindOutMore' },
  ];

  test('the seed chain: Selligent twice, then the advertiser', () => {
    const refs = attributeChain(seed, undefined, { endedOnPage: true });
    assert.deepEqual(
      refs.map((r) => [r.role, r.name]),
      [
        ['esp-tracker', 'Selligent'],
        ['esp-tracker', 'Selligent'],
        ['advertiser', 't-mobile.example'],
      ],
    );
    assert.deepEqual(refs[2], {
      role: 'advertiser',
      name: 't-mobile.example',
      rule: 'final landing page',
      registrableDomain: 't-mobile.example',
    });
  });

  test('DNS CNAMEs attribute branded hops; a final hop run by a known party is not the advertiser', () => {
    const refs = attributeChain(
      [{ url: 'https://click.brand.example/x' }, { url: 'https://bit.ly/abc' }],
      new Map([['click.brand.example', { cnames: ['mailgun.org'] }]]),
      { endedOnPage: true },
    );
    assert.deepEqual(
      refs.map((r) => r.rule),
      ['mailgun:cname:mailgun.org', 'bitly:host:bit.ly'],
    );
  });

  test('a chain that did not end on a page (loop, download, error) has no advertiser', () => {
    const refs = attributeChain(seed, undefined, { endedOnPage: false });
    assert.deepEqual(refs[2], unknownParty('t-mobile.example'));
    assert.ok(refs.every((r) => r.role !== 'advertiser'));
  });

  test('the landing page is the advertiser, linked to straight or routed there; on a look-alike domain the destination', () => {
    const final = (hops: string[], options: { imitation?: string | null } = {}) => {
      const refs = attributeChain(
        hops.map((url) => ({ url })),
        undefined,
        { endedOnPage: true, ...options },
      );
      return [refs.at(-1)!.role, refs.at(-1)!.rule];
    };
    const page = 'https://secure-login.phish.example/account/verify';
    assert.deepEqual(final([page]), ['advertiser', 'final landing page']);
    assert.deepEqual(final(['https://bit.ly/abc', page]), ['advertiser', 'final landing page']);
    assert.deepEqual(final([seed[0].url, page]), ['advertiser', 'final landing page']);
    // A domain imitating the brand the page names is no one's advertising, whatever routed the click.
    assert.deepEqual(final([seed[0].url, page], { imitation: 'phish.example looks like "x"' }), [
      'destination',
      'final landing page, a look-alike domain (phish.example looks like "x")',
    ]);
  });

  test("a landing page on a hosting or CDN service: the advertiser is the customer's site, not the hosting company", () => {
    for (const [url, owner] of [
      ['https://promo-xyz.pages.dev/offer', 'promo-xyz.pages.dev'],
      ['https://offer-123.web.app/', 'offer-123.web.app'],
      ['https://offerstore.blob.core.windows.net/web/index.html', 'offerstore.blob.core.windows.net'],
    ]) {
      const refs = attributeChain([{ url: 'https://bit.ly/abc' }, { url }], undefined, { endedOnPage: true });
      assert.deepEqual(refs[1], { role: 'advertiser', name: owner, rule: 'final landing page', registrableDomain: owner }, url);
    }
  });

  test("a landing page on a host shared by path (a storage bucket, a Google form) is named by its site, not the hosting company's domain", () => {
    const refs = attributeChain(
      [{ url: 'https://bit.ly/abc' }, { url: 'https://storage.googleapis.com/prize-claim/index.html' }],
      undefined,
      { endedOnPage: true },
    );
    assert.deepEqual(refs[1], {
      role: 'advertiser',
      name: 'storage.googleapis.com/prize-claim',
      rule: 'final landing page',
      registrableDomain: 'storage.googleapis.com',
    });
  });

  test('empty chain', () => {
    assert.deepEqual(attributeChain([], undefined, { endedOnPage: true }), []);
  });
});
