import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findMetaRefresh, parseRefresh, servedTitle } from './body.js';

test('parseRefresh: delay and URL in the syntaxes pages use', () => {
  assert.deepEqual(parseRefresh("0;URL='https://a.test/x'"), { delay: 0, url: 'https://a.test/x' });
  assert.deepEqual(parseRefresh('0.5; url=/next'), { delay: 0.5, url: '/next' });
  assert.deepEqual(parseRefresh('5,url=https://a.test/'), { delay: 5, url: 'https://a.test/' });
  assert.deepEqual(parseRefresh('0 ; URL = https://a.test/'), { delay: 0, url: 'https://a.test/' });
  assert.deepEqual(parseRefresh('3'), { delay: 3, url: null });
});

test('findMetaRefresh: the tag that leads where the browser went, not a <noscript> one before it', () => {
  const html =
    '<head><noscript><meta http-equiv="refresh" content="0;url=https://harmless.test/"></noscript>\n' +
    '<meta http-equiv="Refresh" content="1; url=/go?a=1&amp;b=2#top"></head>';
  const followed = findMetaRefresh(html, { base: 'http://broker.test/t/x', url: 'http://broker.test/go?a=1&b=2' });
  assert.equal(followed?.tag, '<meta http-equiv="Refresh" content="1; url=/go?a=1&amp;b=2#top">');
  assert.equal(followed?.delay, 1);
  assert.equal(followed?.url, '/go?a=1&b=2#top');
  // Without knowing where the browser went (or when no tag leads there): the first tag.
  assert.equal(findMetaRefresh(html)?.url, 'https://harmless.test/');
  assert.equal(findMetaRefresh(html, { base: 'http://broker.test/', url: 'https://elsewhere.test/' })?.url, 'https://harmless.test/');
  assert.equal(findMetaRefresh('<meta charset="utf-8">'), null);
});

test('the title a document was served with: its own, in its head; not an SVG title in its body', () => {
  assert.equal(servedTitle('<html><head><title> Account verification </title></head><body></body></html>'), 'Account verification');
  assert.equal(servedTitle('<title>Bare</title><p>no head or body tags'), 'Bare');
  assert.equal(servedTitle('<html><head></head><body><svg><title>Logo</title></svg></body></html>'), null);
  assert.equal(servedTitle('<html><body><p>none</p>'), null);
});
