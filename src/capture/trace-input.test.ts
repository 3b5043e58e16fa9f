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

test('requestKey: spellings a server takes for one link are one key; the request itself is left as given', () => {
  const key = (url: string) => requestKey(parseTraceUrl(url).href);
  const same = (a: string, b: string) => assert.equal(key(a), key(b), `${a} = ${b}`);
  const other = (a: string, b: string) => assert.notEqual(key(a), key(b), `${a} ≠ ${b}`);
  // Percent-encoding hex case (RFC 3986 §6.2.2.1), in the path and in the query.
  same('http://a.test/r/%2fx%3d?u=https%3a%2f%2fb.test%2f', 'http://a.test/r/%2Fx%3D?u=https%3A%2F%2Fb.test%2F');
  // Percent-encoded unreserved characters are those characters (RFC 3986 §6.2.2.2); RFC 9110 §4.2.3's example.
  same('http://example.com:80/~smith/home.html', 'http://EXAMPLE.com/%7Esmith/home.html');
  same('http://example.com:80/~smith/home.html', 'http://EXAMPLE.com:/%7esmith/home.html');
  same('http://a.test/t?id=%41%62%2D%5F%2E9', 'http://a.test/t?id=Ab-_.9');
  // What the URL parser already folds: default ports, host case, empty path, IDN and punycode, IPv4 spellings.
  same('https://a.test:443', 'https://A.TEST/');
  same('http://bücher.test/x', 'http://xn--bcher-kva.test/x');
  same('http://0x7f.1/x', 'http://127.0.0.1/x');
  same('http://a.test/a/./b/%2e%2E/c', 'http://a.test/a/c');
  // Userinfo is never sent (the request line and Host are the same): a phishing link's decoy
  // before the @ changes nothing the server sees.
  same('http://user:pass@a.test/once/x', 'http://a.test/once/x');
  same('http://paypal.example@a.test/once/x', 'http://amazon.example:x@a.test/once/x');
  same('http://@a.test/once/x', 'http://a.test/once/x');
  other('http://a.test@b.test/x', 'http://a.test/x');
  // A host's trailing dot: the same name, the same server.
  same('http://a.test./once/x', 'http://a.test/once/x');
  same('https://A.Test.:443/once/x', 'https://a.test/once/x');
  // Not the same link for every server: reserved characters and their encodings, + and %20, an
  // empty query, another port, the order of parameters, path case.
  other('http://a.test/a%2Fb', 'http://a.test/a/b');
  other('http://a.test/?q=a%3Db', 'http://a.test/?q=a=b');
  other('http://a.test/?q=a+b', 'http://a.test/?q=a%20b');
  other('http://a.test/p?', 'http://a.test/p');
  other('http://a.test:443/p', 'https://a.test/p');
  other('http://a.test/?a=1&b=2', 'http://a.test/?b=2&a=1');
  other('http://a.test/Path', 'http://a.test/path');
  // The key of a key is itself; what is traced keeps its own spelling.
  for (const url of ['http://a.test/%7e%2f?x=%c3%a9#f', 'http://a.test/x', 'http://a.test./x'])
    assert.equal(requestKey(key(url)), key(url));
  assert.equal(parseTraceUrl('http://a.test/%2f%7e').href, 'http://a.test/%2f%7e');
  // A ledger row that is not a URL keeps its text, less any fragment.
  assert.equal(requestKey('not a url#x'), 'not a url');
});
