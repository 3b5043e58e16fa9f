import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBase64, decodeEmbeddedUrl, normalizeInputUrl, percentDecode, rawQueryParams, splitRawUrl } from './url-text.js';

test('percentDecode keeps stray percent signs and invalid UTF-8', () => {
  assert.equal(percentDecode('a%20b%6%5E%ZZ'), 'a b%6^%ZZ');
  assert.equal(percentDecode('%FF%41'), '%FFA');
  assert.equal(percentDecode('a+b'), 'a+b');
});

test('decodeEmbeddedUrl decodes twice only for doubly encoded URLs', () => {
  assert.equal(decodeEmbeddedUrl('https%253A%252F%252Fx.example%252F'), 'https://x.example/');
  assert.equal(decodeEmbeddedUrl('https%3A%2F%2Fx.example%2F%3Fq%3D%2520'), 'https://x.example/?q=%20');
});

test('decodeBase64 accepts both alphabets and rejects non-base64', () => {
  assert.equal(decodeBase64('aHR0cHM6Ly9leGFtcGxlLmNvbS93YXRjaD92PTE_')?.toString(), 'https://example.com/watch?v=1?');
  assert.equal(decodeBase64('not base64!'), null);
  assert.equal(decodeBase64('a'), null);
});

test('normalizeInputUrl adds schemes, refangs and unescapes &amp;', () => {
  assert.equal(normalizeInputUrl('urldefense.com/v3/__x__;!!a$'), 'https://urldefense.com/v3/__x__;!!a$');
  assert.equal(normalizeInputUrl('  hxxp://a.example/?x=1&amp;y=2 '), 'http://a.example/?x=1&y=2');
  assert.equal(normalizeInputUrl('//cdn.example/x'), 'https://cdn.example/x');
  assert.equal(normalizeInputUrl('mailto:a@b.example'), 'mailto:a@b.example');
});

test('splitRawUrl keeps every part as written', () => {
  const raw = splitRawUrl('https://h.example/p%2Fq/{x}?a=%41&b#frag?');
  assert.deepEqual(raw, {
    scheme: 'https',
    authority: 'h.example',
    path: '/p%2Fq/{x}',
    query: 'a=%41&b',
    fragment: 'frag?',
    rest: '/p%2Fq/{x}?a=%41&b#frag?',
  });
  assert.deepEqual(rawQueryParams(raw.query), [
    ['a', '%41'],
    ['b', ''],
  ]);
});
