import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceUrl, requestKey } from './trace-input.js';

test('requestKey: the link as its server sees it, the #fragment left out', () => {
  const key = (url: string) => requestKey(parseTraceUrl(url).href);
  assert.equal(key('http://a.test/once/x#victim@example.test'), 'http://a.test/once/x');
  assert.equal(key('http://a.test/once/x#'), 'http://a.test/once/x');
  assert.equal(key('HTTP://A.test:80/once/x'), 'http://a.test/once/x');
  assert.equal(key('http://a.test/p?q=1#f'), 'http://a.test/p?q=1');
  // Only the first # starts the fragment; an encoded one belongs to the path or the query.
  assert.equal(key('http://a.test/p%23x?q=%23#f#g'), 'http://a.test/p%23x?q=%23');
  // Still different requests: another query, an empty query, another path.
  assert.notEqual(key('http://a.test/p?'), key('http://a.test/p'));
  assert.notEqual(key('http://a.test/p?a=1'), key('http://a.test/p?a=2'));
});
