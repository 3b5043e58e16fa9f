import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerValue } from './wire.js';

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
