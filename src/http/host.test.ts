import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostOf, normalizeHost } from './host.js';

test('one form of a host: lower case, no IPv6 brackets, no trailing dot', () => {
  assert.equal(normalizeHost('Example.COM.'), 'example.com');
  assert.equal(normalizeHost('[::1]'), '::1');
  assert.equal(normalizeHost('::1'), '::1');
  assert.equal(normalizeHost('127.0.0.1'), '127.0.0.1');
});

test('hostOf: the host of a URL in that form, null when there is none', () => {
  assert.equal(hostOf('https://Example.com./path?q=1'), 'example.com');
  assert.equal(hostOf('https://example.com/path'), hostOf('HTTPS://EXAMPLE.COM.:443/'));
  assert.equal(hostOf('http://[2001:DB8::1]:8080/'), '2001:db8::1');
  assert.equal(hostOf('https://bücher.example/'), 'xn--bcher-kva.example');
  assert.equal(hostOf('not a url'), null);
  assert.equal(hostOf('mailto:someone@example.com'), null);
  assert.equal(hostOf('ftp://Files.example/offer.zip'), 'files.example');
  // Opaque hosts of app links name no machine.
  assert.equal(hostOf('intent://claim/#Intent;scheme=prizeapp;end'), null);
  assert.equal(hostOf('market://details?id=example.prize.app'), null);
  // A blob: document is of the page that made it; a data: one has no host.
  assert.equal(hostOf('blob:https://Promo.Example/0b6d3f7e-1c2a-4e5b-9f00-3c1d2e4f5a6b'), 'promo.example');
  assert.equal(hostOf('blob:null/0b6d3f7e-1c2a-4e5b-9f00-3c1d2e4f5a6b'), null);
  assert.equal(hostOf('data:text/html,<h1>x</h1>'), null);
  assert.equal(hostOf(''), null);
  assert.equal(hostOf(null), null);
});
