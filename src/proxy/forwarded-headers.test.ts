import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatHeaderList, requestHeadersForUpstream, responseHeadersForClient, writableHeaderLines } from './forwarded-headers.js';

test('upstream gets the client lines in order; Proxy-Connection becomes Connection in its place', () => {
  const fromChromium = [
    'Host',
    'a.test',
    'Proxy-Connection',
    'keep-alive',
    'Upgrade-Insecure-Requests',
    '1',
    'Cookie',
    'a=1',
    'cookie',
    'b=2',
  ];
  assert.deepEqual(requestHeadersForUpstream(fromChromium), [
    ['Host', 'a.test'],
    ['Connection', 'keep-alive'],
    ['Upgrade-Insecure-Requests', '1'],
    ['Cookie', 'a=1'],
    ['cookie', 'b=2'],
  ]);
  // Inside a CONNECT tunnel Chromium says Connection itself.
  assert.deepEqual(requestHeadersForUpstream(['Host', 'a.test', 'Connection', 'keep-alive', 'Accept', '*/*']), [
    ['Host', 'a.test'],
    ['Connection', 'keep-alive'],
    ['Accept', '*/*'],
  ]);
  // Both: the client's own Connection stays, Proxy-Connection goes.
  assert.deepEqual(requestHeadersForUpstream(['Host', 'a', 'Proxy-Connection', 'keep-alive', 'Connection', 'close']), [
    ['Host', 'a'],
    ['Connection', 'close'],
  ]);
});

test('what Node would add is in the list, what Node cannot decode is not asked for, proxy credentials stay here', () => {
  assert.deepEqual(
    requestHeadersForUpstream(['Host', 'a', 'Accept-Encoding', 'gzip, deflate, br, zstd', 'Proxy-Authorization', 'Basic eA==']),
    [
      ['Host', 'a'],
      ['Accept-Encoding', 'gzip, deflate, br'],
      ['Connection', 'keep-alive'],
    ],
  );
  assert.deepEqual(
    flatHeaderList([
      ['A', '1'],
      ['a', '2'],
    ]),
    ['A', '1', 'a', '2'],
  );
  assert.deepEqual(
    responseHeadersForClient(['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a', 'Set-Cookie', 'b']),
    ['Set-Cookie', 'a', 'Set-Cookie', 'b'],
  );
});

test("a header said in the visitor's name replaces the client's value in its place, and is never added", () => {
  const values = { 'device-memory': '8', 'sec-ch-device-memory': '8' };
  const asked = ['Host', 'a.test', 'Sec-CH-Device-Memory', '16', 'Device-Memory', '16', 'Accept', '*/*'];
  assert.deepEqual(requestHeadersForUpstream(asked, values), [
    ['Host', 'a.test'],
    ['Sec-CH-Device-Memory', '8'],
    ['Device-Memory', '8'],
    ['Accept', '*/*'],
    ['Connection', 'keep-alive'],
  ]);
  assert.deepEqual(requestHeadersForUpstream(['Host', 'a.test'], values), [
    ['Host', 'a.test'],
    ['Connection', 'keep-alive'],
  ]);
});

test("a server's own X-Clicktrace-Error never reaches the browser: only the proxy says it could not reach a server", () => {
  assert.deepEqual(
    responseHeadersForClient(['Content-Type', 'text/html', 'x-clicktrace-ERROR', 'connection%20refused', 'X-Clicktrace-Error', 'x']),
    ['Content-Type', 'text/html'],
  );
});

test('control characters Node will not write: in a URL the browser follows, as a URL parser makes them; elsewhere spaces', () => {
  assert.deepEqual(
    writableHeaderLines([
      'Location',
      ' /page?q=\x1b[2J\x1b]0;pwned\x07',
      'refresh',
      '0; url=/next?a=\x01\x7f',
      'X-Note',
      'a\x1bb\x00c',
      'Set-Cookie',
      'id=1; Path=/',
      'Link',
      '<\u00e9>; rel=x',
    ]),
    [
      'Location',
      '/page?q=%1B[2J%1B]0;pwned',
      'refresh',
      '0; url=/next?a=%01%7F',
      'X-Note',
      'a b c',
      'Set-Cookie',
      'id=1; Path=/',
      'Link',
      '<\u00e9>; rel=x',
    ],
  );
  // Chromium, without a proxy, goes to the same URL: /page?q=%1B[2J%1B]0;pwned (test/hostile-evidence.test.ts).
  const base = 'http://xss.test/c';
  assert.equal(new URL(writableHeaderLines(['Location', '/page?q=\x1b[2J\x07'])[1], base).href, new URL('/page?q=\x1b[2J\x07', base).href);
});
