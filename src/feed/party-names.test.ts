import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldDomain, foldName, groupDomain, groupParty, loadPartyCatalogue, partyCatalogue } from './party-names.js';

test('foldDomain: registrable domain in ASCII, lower case, no trailing dot, no www., IDN folded; IPs as they are', () => {
  for (const [spelling, domain] of [
    ['shop.example', 'shop.example'],
    ['WWW.Shop.Example.', 'shop.example'],
    ['www.shop.example..', 'shop.example'],
    ['https://www.shop.example:8443/path?q=1', 'shop.example'],
    ['shop.example:8080', 'shop.example'],
    ['*.shop.example', 'shop.example'],
    ['news.t-mobile.co.uk', 't-mobile.co.uk'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['WWW.BÜCHER.DE.', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['ｓｈｏｐ．ｅｘａｍｐｌｅ', 'shop.example'],
    // A private suffix names its own owners (as the case index does).
    ['evil.blogspot.com', 'evil.blogspot.com'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
  ])
    assert.equal(foldDomain(spelling), domain, spelling);
  for (const notAHost of ['Twilio SendGrid', 'CAKE', 'localhost', '', 'me@shop.example', 'a b.example'])
    assert.equal(foldDomain(notAHost), null, notAHost);
});

test('foldName: case, spacing, compatibility forms and a trailing dot do not make another name', () => {
  assert.equal(foldName('  Twilio   SendGrid. '), 'twilio sendgrid');
  assert.equal(foldName('ＣＡＫＥ'), 'cake');
});

test('the catalogue: a header platform is the party rule it shares a domain or its name with; short forms only when unambiguous', () => {
  const catalogue = partyCatalogue({
    parties: [
      { id: 'sendgrid', name: 'Twilio SendGrid', role: 'esp-tracker', hosts: ['sendgrid.net'] },
      { id: 'brevo', name: 'Brevo (Sendinblue)', role: 'esp-tracker', hosts: ['sendib*.com'] },
      { id: 'hubspot', name: 'HubSpot Marketing Hub', role: 'esp-tracker', hosts: ['hubspotlinks.com'] },
      { id: 'hubspot-shortlinks', name: 'HubSpot (hubs.ly shortener)', role: 'shortener', hosts: ['hubs.ly'] },
      { id: 'google-googl', name: 'Google (goo.gl)', role: 'shortener', hosts: ['goo.gl'] },
      // A subdomain host is no claim on the whole domain (goto.target.com is not target.com).
      { id: 'impact', name: 'Impact (impact.com)', role: 'affiliate-network', hosts: ['goto.target.com', 'sjv.io'] },
    ],
    platforms: [
      { name: 'SendGrid', domains: ['sendgrid.net', 'sendgrid.com'] },
      { name: 'HubSpot', domains: ['hubspotlinks.com'] },
      { name: 'PHPMailer' },
    ],
  });
  const name = (s: string) => groupParty(s, catalogue);
  for (const spelling of [
    'SendGrid',
    'sendgrid',
    'Twilio SendGrid',
    'TWILIO  SENDGRID',
    'sendgrid.net',
    'u1.ct.sendgrid.net',
    'SendGrid.com.',
  ])
    assert.deepEqual(name(spelling), { key: 'Twilio SendGrid', label: 'Twilio SendGrid', role: 'esp-tracker' }, spelling);
  assert.equal(name('Sendinblue').key, 'Brevo (Sendinblue)');
  assert.equal(name('Brevo').key, 'Brevo (Sendinblue)');
  assert.equal(name('HubSpot').key, 'HubSpot Marketing Hub', 'the header platform, not the shortener of the same brand');
  assert.equal(name('hubs.ly').key, 'HubSpot (hubs.ly shortener)');
  assert.deepEqual(name('Google'), { key: 'google', label: null, role: null }, "a shortener's brand is not all of Google");
  assert.deepEqual(name('target.com'), { key: 'target.com', label: 'target.com', role: null });
  assert.deepEqual(name('PHPMailer'), { key: 'PHPMailer', label: 'PHPMailer', role: null });
  assert.deepEqual(name('Acme  Mailer'), { key: 'acme mailer', label: null, role: null });
  assert.deepEqual(name('www.Unknown-Tracker.example.'), { key: 'unknown-tracker.example', label: 'unknown-tracker.example', role: null });
});

test('the rules files: SendGrid of the headers, Twilio SendGrid of the party rules and sendgrid.net are one party', () => {
  const catalogue = loadPartyCatalogue();
  const keys = ['SendGrid', 'Twilio SendGrid', 'sendgrid.net', 'sendgrid'].map((s) => groupParty(s, catalogue).key);
  assert.deepEqual(new Set(keys), new Set(['Twilio SendGrid']));
  assert.equal(groupParty('Mailchimp', catalogue).key, groupParty('list-manage.com', catalogue).key);
  assert.equal(groupParty('Amazon SES', catalogue).key, groupParty('awstrack.me', catalogue).key);
  assert.equal(groupParty('Selligent', catalogue).key, 'Selligent');
});

test('groupDomain: advertisers and final domains by registrable domain; a named advertiser party keeps its name', () => {
  assert.deepEqual(groupDomain('WWW.Advertiser.Example.'), { key: 'advertiser.example', label: 'advertiser.example', role: null });
  assert.deepEqual(groupDomain('Acme Corp'), { key: 'acme corp', label: null, role: null });
});

test("groupDomain: a customer's site on a shared host (a storage bucket, a hosting service's subdomain) is its own line", () => {
  assert.equal(groupDomain('storage.googleapis.com/prize-claim').key, 'storage.googleapis.com/prize-claim');
  assert.notEqual(groupDomain('storage.googleapis.com/prize-claim').key, groupDomain('storage.googleapis.com/other-bucket').key);
  assert.equal(groupDomain('promo-xyz.pages.dev').key, 'promo-xyz.pages.dev');
  assert.equal(groupDomain('https://www.promo-xyz.pages.dev/').key, 'promo-xyz.pages.dev');
});
