// Our CDXJ lookup keys against warcio's (the reference: its CDXIndexer, pywb and ReplayWeb.page
// use the same keys), on hand-picked cases and on a few hundred generated ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getSurt, postToGetUrl } from 'warcio/utils';
import { lookupUrl, surtKey, type LookupRequest } from './cdx-key.js';

function warcioLookup(request: LookupRequest, maxQuery: number): { url: string; requestBody: string } | null {
  const copy = { url: request.url, method: request.method, headers: request.headers, postData: request.body, requestBody: '' };
  return postToGetUrl(copy, maxQuery) ? { url: copy.url, requestBody: copy.requestBody } : null;
}

const URLS = [
  'https://www.Example.com:8443/a/B?b=2&a=1',
  'http://www3.example.org/',
  'https://example.com/path?z&y=&x=1&x=0',
  'https://xn--bcher-kva.example/ü?q=ä',
  'https://[2001:db8::1]:8080/x',
  'http://127.0.0.1/',
  'https://example.com/a%20b?c=%zz',
  'urn:pageinfo:https://example.com/',
  'ftp://example.com/x',
  'https://not a url',
];

test('SURT keys are warcio getSurt, URL for URL', () => {
  for (const url of URLS) assert.equal(surtKey(url), getSurt(url), url);
});

const body = (text: string) => Buffer.from(text, 'utf8');
const boundary = '----WebKitFormBoundaryA1b2C3d4E5f6G7h8';
const multipart =
  `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nvictim@example.org\r\n` +
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\r\n` +
  `--${boundary}--\r\n`;

const REQUESTS: [string, string, string | Uint8Array][] = [
  ['POST', 'application/x-www-form-urlencoded', 'user=a%40b.example&pass=x y&next=%2Fhome'],
  ['POST', 'application/x-www-form-urlencoded; charset=UTF-8', 'q=%E2%82%AC&bad=%E0%A4%A'],
  ['POST', 'application/json', '{"a":1,"b":{"c":"x","d":[1,2,{"a":3}]},"e":null,"f":true,"g":"","a2":[]}'],
  ['POST', 'application/json', '{"constructor":1,"x":{"constructor":2},"toString":[3,4]}'],
  ['POST', 'application/json', '[{"k":1},{"k":2},{"k":3}]'],
  ['POST', 'application/json', '"just a string"'],
  ['POST', 'application/json', 'not json'],
  ['PUT', 'text/plain', '{"a":"b"}'],
  ['POST', 'text/plain', 'plain words'],
  ['POST', `multipart/form-data; boundary=${boundary}`, multipart],
  ['POST', 'multipart/form-data', multipart],
  ['POST', 'application/octet-stream', new Uint8Array([0, 1, 2, 250, 255])],
  ['POST', 'application/octet-stream', new Uint8Array([])],
  ['DELETE', '', 'x=1'],
  ['GET', 'application/json', '{"a":1}'],
];

test('POST keys are warcio postToGetUrl, body for body', () => {
  for (const [method, type, data] of REQUESTS) {
    for (const url of ['https://example.com/login', 'https://example.com/api?v=2']) {
      for (const headerName of ['content-type', 'Content-Type']) {
        const request: LookupRequest = {
          url,
          method,
          headers: new Map(type ? [[headerName, type]] : []),
          body: typeof data === 'string' ? body(data) : data,
        };
        for (const max of [0, 4096, 10])
          assert.deepEqual(lookupUrl(request, max), warcioLookup(request, max), `${method} ${type} ${String(data)}`);
      }
    }
  }
});

test('generated JSON and form bodies give warcio keys', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const keys = ['a', 'b', 'id', 'user', 'constructor', 'ä', 'x y', '&', '='];
  const values = (depth: number): unknown =>
    depth > 2
      ? pick([1, 0, -2.5, 'text', '', 'ü&=%', true, false, null])
      : pick([
          () => Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(keys), values(depth + 1)])),
          () => Array.from({ length: Math.floor(random() * 4) }, () => values(depth + 1)),
          () => pick(['s', 7, null, '%E0']),
        ])();
  for (let i = 0; i < 300; i++) {
    const json = JSON.stringify(values(0));
    const form = `${pick(keys)}=${encodeURIComponent(String(values(3)))}&${pick(keys)}=%${Math.floor(random() * 256).toString(16)}`;
    for (const [type, text] of [
      ['application/json', json],
      ['application/x-www-form-urlencoded', form],
    ]) {
      const request: LookupRequest = {
        url: 'https://example.com/p',
        method: 'POST',
        headers: new Map([['content-type', type]]),
        body: body(text),
      };
      assert.deepEqual(lookupUrl(request, 4096), warcioLookup(request, 4096), text);
    }
  }
});

test('a crafted multipart boundary is text, not a pattern (warcio would backtrack for ages)', () => {
  const evil = '(a+)+$';
  const request: LookupRequest = {
    url: 'https://example.com/p',
    method: 'POST',
    headers: new Map([['content-type', `multipart/form-data; boundary=${evil}`]]),
    body: body(`${'a'.repeat(5000)}!\r\n--${evil}\r\nContent-Disposition: form-data; name="k"\r\n\r\nv\r\n--${evil}--`),
  };
  const started = performance.now();
  assert.deepEqual(lookupUrl(request), { url: 'https://example.com/p?__wb_method=POST&k=v', requestBody: 'k=v' });
  assert.ok(performance.now() - started < 10_000, 'linear, not backtracking');
});
