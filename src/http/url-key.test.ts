import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestedAs, withoutFragment } from './url-key.js';

test('a URL as its request goes on the wire: no fragment, no user:password@', () => {
  assert.equal(withoutFragment('https://a.test/x?y=1#frag#2'), 'https://a.test/x?y=1');
  assert.equal(withoutFragment('https://a.test/x'), 'https://a.test/x');
  assert.equal(requestedAs('http://user:pa%40ss@a.test/final?ui=1#top'), 'http://a.test/final?ui=1');
  assert.equal(requestedAs('https://user@a.test:8443/'), 'https://a.test:8443/');
  // An @ after the authority is the path's or the query's, not userinfo.
  assert.equal(requestedAs('https://a.test/u@b.test?to=x@y.test'), 'https://a.test/u@b.test?to=x@y.test');
  assert.equal(requestedAs('https://a.test?to=x@y.test'), 'https://a.test?to=x@y.test');
});
