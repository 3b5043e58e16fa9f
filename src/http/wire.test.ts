import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerValue, headerValueAsUtf8 } from './wire.js';

test('headerValue: the first header of that name, whatever its case', () => {
  const headers: [string, string][] = [
    ['Set-Cookie', 'a=1'],
    ['content-TYPE', 'text/html'],
    ['set-cookie', 'b=2'],
  ];
  assert.equal(headerValue(headers, 'Content-Type'), 'text/html');
  assert.equal(headerValue(headers, 'set-cookie'), 'a=1');
  assert.equal(headerValue(headers, 'location'), null);
});

test('headerValueAsUtf8: UTF-8 bytes of a recorded header read as UTF-8, anything else as recorded', () => {
  const wire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
  assert.equal(headerValueAsUtf8(wire('https://example.test/café?q=a b')), 'https://example.test/café?q=a b');
  assert.equal(headerValueAsUtf8(wire('http://bücher.example.test/')), 'http://bücher.example.test/');
  assert.equal(headerValueAsUtf8('https://example.test/plain'), 'https://example.test/plain');
  // Latin-1 bytes that are not UTF-8 (a lone é), and a value already decoded, stay as they are.
  assert.equal(headerValueAsUtf8('https://example.test/caf\xe9'), 'https://example.test/caf\xe9');
  assert.equal(headerValueAsUtf8('https://example.test/café/€'), 'https://example.test/café/€');
});
