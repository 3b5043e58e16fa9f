import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brandsInText, imitation, lookalikeDomain, skeleton } from './lookalike.js';

test('skeletons fold confusable characters: rn and m, 1 and l, Cyrillic a', () => {
  assert.equal(skeleton('t-rnobile'), skeleton('T-Mobile'));
  assert.equal(skeleton('paypa1'), skeleton('PayPal'));
  assert.equal(skeleton('p\u0430ypal'), skeleton('paypal'));
  assert.notEqual(skeleton('advertiser'), skeleton('adventure'));
});

test('brands shown: domain labels with their own domain, capitalised uncommon words, no everyday title words', () => {
  assert.deepEqual(brandsInText('T-Mobile for Business | Sign in', 'the page title'), [
    { brand: 't-mobile', source: 'the page title', ownDomain: null },
  ]);
  assert.deepEqual(
    brandsInText('https://www.paypal.com/account', 'the link text').map((b) => [b.brand, b.ownDomain]),
    [['paypal', 'paypal.com']],
  );
  assert.deepEqual(brandsInText('Account verification', 'the page title'), []);
  assert.deepEqual(brandsInText('You won! <script>alert("title")</script>', 'the page title'), []);
});

test('imitation: confusables, typos, hyphen games and combosquatting, not the brand itself nor unrelated names', () => {
  assert.match(imitation('t-rnobile', 't-mobile')!, /characters that look like/);
  assert.match(imitation('paypa1', 'paypal')!, /characters that look like/);
  assert.match(imitation('tmobile', 't-mobile')!, /hyphens/);
  assert.match(imitation('amazom', 'amazon')!, /one letter away/);
  assert.match(imitation('paypal-secure', 'paypal')!, /beside other words/);
  assert.equal(imitation('paypal', 'paypal'), null);
  assert.equal(imitation('advertiser', 'spring'), null);
  assert.equal(imitation('dhl', 'dhs'), null, 'short names are not compared by distance');
});

test('lookalikeDomain: the final host against the brands shown; own domains and unrelated ones pass', () => {
  const title = brandsInText('T-Mobile for Business | Sign in', 'the page title');
  const found = lookalikeDomain('business.t-rnobile.example', title)!;
  assert.equal(found.domain, 't-rnobile.example');
  assert.equal(found.brand, 't-mobile');
  assert.equal(lookalikeDomain('business.t-mobile.example', title), null, "the brand's own domain");
  assert.equal(lookalikeDomain('secure-login.phish.example', brandsInText('Account verification', 't')), null);
  assert.equal(lookalikeDomain('www.advertiser.example', brandsInText('Spring Offer | Advertiser Example', 't')), null);
  // A generic word in a subdomain is no brand imitated: a broker's own "promo." offer page.
  assert.equal(lookalikeDomain('promo.broker-net.test', brandsInText('Spring deals | Promo Weekly', 'the page title')), null);
  const sub = lookalikeDomain('paypal.com.account-check.example', brandsInText('https://paypal.com/', 'the link text'))!;
  assert.match(sub.how, /subdomain of account-check\.example/);
  assert.equal(lookalikeDomain('www.paypal.com', brandsInText('www.paypal.com', 'the link text')), null);
  assert.equal(lookalikeDomain('xn--pypal-4ve.com', brandsInText('PayPal', 't'))?.brand, 'paypal', 'an IDN spelt with a Cyrillic a');
});
