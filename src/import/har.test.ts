import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { importHar } from './har.js';
import { ImportError } from './common.js';
import { chainOf } from '../../test/support/import-test-helpers.js';
import { projectPath } from '../project-root.js';

const fixturePath = projectPath('test/fixtures/import/chrome-redirect.har');
const fixture = readFileSync(fixturePath, 'utf8');

test('a Chrome DevTools HAR becomes exchanges in order with headers, bodies, addresses and timings', () => {
  const capture = importHar(fixture, 'chrome-redirect.har');
  assert.equal(capture.info.mode, 'import');
  assert.deepEqual(capture.info.tool, { name: 'WebInspector', version: '537.36' });
  assert.equal(capture.info.url, 'http://127.0.0.1:8080/start');
  assert.equal(capture.info.startedAt, '2026-03-02T10:15:30.112Z');
  assert.equal(capture.info.partial, false);
  assert.deepEqual(
    capture.exchanges.map((x) => [x.id, x.request.method, x.request.url, x.response?.status ?? null]),
    [
      ['x0001', 'GET', 'http://127.0.0.1:8080/start', 302],
      ['x0002', 'GET', 'http://127.0.0.1:8080/final', 200],
      ['x0003', 'GET', 'http://127.0.0.1:8080/pixel.png', 200],
      ['x0004', 'POST', 'http://127.0.0.1:9/beacon', null],
    ],
  );
  const [redirect, final, pixel, beacon] = capture.exchanges;
  assert.deepEqual(redirect.response!.headers.slice(0, 3), [
    ['Location', '/final'],
    ['Content-Type', 'text/html'],
    ['X-Lab-Hop', '1'],
  ]);
  assert.equal(redirect.request.headers[5][0], 'Sec-Fetch-Dest');
  assert.equal(redirect.remoteAddress, '127.0.0.1');
  assert.deepEqual(redirect.timing, { dnsMs: null, connectMs: 0.512, ttfbMs: 3.622, totalMs: 3.918 });
  assert.equal(redirect.endedAt, '2026-03-02T10:15:30.115Z');
  // HAR bodies are decoded, so the Content-Encoding that described the wire bytes is gone.
  assert.equal(final.response!.body.toString(), '<!doctype html><html><head><title>Final page</title></head><body>ok</body></html>');
  assert.ok(!final.response!.headers.some(([n]) => n.toLowerCase() === 'content-encoding'));
  assert.ok(final.response!.headers.some(([n, v]) => n === 'Transfer-Encoding' && v === 'chunked'));
  assert.equal(pixel.response!.body.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  assert.equal(pixel.remoteAddress, '::1');
  assert.equal(beacon.error, 'net::ERR_CONNECTION_REFUSED');
  assert.equal(beacon.request.body.toString(), '{"seen":true}');
  assert.equal(beacon.remoteAddress, null);
});

test('the Chrome HAR yields the document chain with the redirect', () => {
  const capture = importHar(fixture, 'chrome-redirect.har');
  assert.deepEqual(chainOf(capture.events), [
    'page',
    'request doc-1 /start',
    'request doc-1 /final after 302 /final',
    'response doc-1 200 text/html',
    'settled /final "Final page"',
  ]);
});

test('a Playwright-style HAR: failure text, omitted redirect body, script initiator', () => {
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'Playwright', version: '1.65.0' },
      browser: { name: 'chromium', version: '156.0' },
      entries: [
        {
          startedDateTime: '2026-03-02T10:00:00.000Z',
          time: 5,
          _resourceType: 'document',
          _serverPort: 443,
          request: {
            method: 'GET',
            url: 'https://a.test/',
            httpVersion: 'HTTP/1.1',
            headers: [],
            cookies: [],
            queryString: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: 301,
            statusText: 'Moved',
            httpVersion: 'HTTP/1.1',
            headers: [{ name: 'location', value: 'https://b.test/' }],
            cookies: [],
            content: { size: -1, mimeType: 'text/html' },
            redirectURL: 'https://b.test/',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: -1, wait: -1, receive: -1 },
          serverIPAddress: '192.0.2.1',
        },
        {
          startedDateTime: '2026-03-02T10:00:00.010Z',
          time: -1,
          _resourceType: 'document',
          request: {
            method: 'GET',
            url: 'https://b.test/',
            httpVersion: 'HTTP/1.1',
            headers: [],
            cookies: [],
            queryString: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: -1,
            statusText: '',
            httpVersion: '',
            headers: [],
            cookies: [],
            content: { size: -1, mimeType: 'x-unknown' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
            _failureText: 'net::ERR_NAME_NOT_RESOLVED',
          },
          cache: {},
          timings: { send: -1, wait: -1, receive: -1 },
        },
      ],
    },
  };
  const capture = importHar(JSON.stringify(har), 'pw.har');
  assert.deepEqual(capture.info.browser, { name: 'chromium', version: '156.0' });
  const [a, b] = capture.exchanges;
  assert.equal(a.remotePort, 443);
  assert.equal(a.response!.bodyTruncated, false);
  assert.equal(a.response!.body.length, 0);
  assert.deepEqual(a.timing, { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: 5 });
  assert.equal(b.response, null);
  assert.equal(b.endedAt, null);
  assert.equal(b.error, 'net::ERR_NAME_NOT_RESOLVED');
  assert.deepEqual(chainOf(capture.events), [
    'page',
    'request doc-1 /',
    'request doc-1 / after 301 https://b.test/',
    'failed doc-1 net::ERR_NAME_NOT_RESOLVED',
  ]);
});

test('a body left out of the export is marked truncated with its size', () => {
  const har = {
    log: {
      entries: [
        {
          startedDateTime: '2026-03-02T10:00:00Z',
          time: 1,
          request: { method: 'GET', url: 'http://a.test/', headers: [] },
          response: { status: 200, headers: [{ name: 'Content-Encoding', value: 'br' }], content: { size: 5000, mimeType: 'text/html' } },
        },
      ],
    },
  };
  const x = importHar(JSON.stringify(har), 'no-content.har').exchanges[0];
  assert.equal(x.response!.bodyTruncated, true);
  assert.equal(x.response!.bodyLength, 5000);
  // Without text nothing was decoded, so the header still tells the truth.
  assert.deepEqual(x.response!.headers, [['Content-Encoding', 'br']]);
});

/** A HAR of one entry whose serverIPAddress (and Playwright's _serverPort) are given. */
function harWithServer(serverIPAddress: unknown, serverPort?: number): string {
  const entry = {
    startedDateTime: '2026-03-02T10:00:00Z',
    time: 1,
    request: { method: 'GET', url: 'https://a.test/', headers: [] },
    response: { status: 200, headers: [], content: { size: 0, mimeType: 'text/html' } },
    serverIPAddress,
    ...(serverPort === undefined ? {} : { _serverPort: serverPort }),
  };
  return JSON.stringify({ log: { entries: [entry] } });
}

test('serverIPAddress with a port or in brackets is the address (and port) the hop was connected to', () => {
  const cases: [unknown, string | null, number | null][] = [
    ['192.0.2.1', '192.0.2.1', null],
    ['192.0.2.1:443', '192.0.2.1', 443],
    ['[2001:db8::1]:8443', '2001:db8::1', 8443],
    ['[2001:db8::1]', '2001:db8::1', null],
    ['2001:db8::1', '2001:db8::1', null],
    ['[::ffff:10.0.0.1]:80', '::ffff:10.0.0.1', 80],
    ['', null, null],
    [undefined, null, null],
  ];
  for (const [given, ip, port] of cases) {
    const x = importHar(harWithServer(given), 'x.har').exchanges[0];
    assert.deepEqual([x.remoteAddress, x.remotePort], [ip, port], String(given));
  }
  // Playwright's own port field wins over the one in the address.
  const x = importHar(harWithServer('192.0.2.1:8080', 443), 'x.har').exchanges[0];
  assert.deepEqual([x.remoteAddress, x.remotePort], ['192.0.2.1', 443]);
});

test('a serverIPAddress that is no IP address is refused in one line naming the entry', () => {
  for (const junk of [
    'example.com',
    'example.com:443',
    '1.2.3:443',
    '192.0.2.1:',
    '192.0.2.1:99999',
    '192.0.2.1:0',
    '[192.0.2.1]:443',
    '2001:db8::1:443x',
    '[2001:db8::1',
    '[]:443',
    'x\x1b[31m',
    42,
  ]) {
    assert.throws(
      () => importHar(harWithServer(junk), 'x.har'),
      (e: unknown) =>
        e instanceof ImportError &&
        /^x\.har: entry 1: serverIPAddress (".*" is not an IP address \(with or without a port\)|is not a string)$/.test(e.message),
      String(junk),
    );
  }
});

test('bad HAR input is an ImportError with one line naming the file', () => {
  const cases: [string, RegExp][] = [
    ['', /^x\.har: empty file$/],
    ['  \n', /^x\.har: empty file$/],
    [fixture.slice(0, fixture.length / 2), /^x\.har: not valid JSON \(truncated\?\): /],
    ['{"log": {"version": "1.2"}}', /^x\.har: not a HAR file: "log.entries" is not a list$/],
    ['{"records": []}', /^x\.har: not a HAR file: no "log" object$/],
    ['[1,2]', /^x\.har: not a HAR file/],
    ['73:7:version;2:17#', /^x\.har: not valid JSON/],
    [
      '{"log":{"entries":[' +
        '{"startedDateTime":"2026-01-01T00:00:00Z","request":{"method":"GET","url":"http://a/"},"response":{"status":200}},' +
        '{"startedDateTime":"2026-01-01T00:00:00Z","request":{"method":"GET"}}' +
        ']}}',
      /^x\.har: entry 2: request\.url is missing$/,
    ],
    ['{"log":{"entries":[{"startedDateTime":"yesterday","request":{}}]}}', /^x\.har: entry 1: startedDateTime "yesterday" is not a date$/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(
      () => importHar(text, 'x.har'),
      (e: unknown) => e instanceof ImportError && expected.test(e.message) && !e.message.includes('\n'),
      `${JSON.stringify(text.slice(0, 40))} should fail with ${expected}`,
    );
  }
});

test("the fixture is valid HAR 1.2 but for Chrome's bracketed and empty serverIPAddress", async () => {
  const harValidator = createRequire(import.meta.url)('har-validator') as { har(data: unknown): Promise<unknown> };
  const failure = await harValidator.har(JSON.parse(fixture)).then(
    () => null,
    (e: { errors: { dataPath: string }[] }) => e,
  );
  assert.ok(failure);
  assert.deepEqual(
    [...new Set(failure.errors.map((e) => e.dataPath))],
    ['.log.entries[2].serverIPAddress', '.log.entries[3].serverIPAddress'],
  );
});

// Written by Playwright 1.65 (recordHar) of Chromium 156 going through `clicktrace proxy` to the lab:
// five-hop, javascript-xhr and frame-top visited one after another in one tab. Chromium kept no
// body of a page it left before it loaded (the meta refresh page, the frame): those hops are
// joined by their Referer or by coming right after the page's load, not by their mechanism.
test("Chromium's HAR of three visits one after another: three chains, the first followed to its end", () => {
  const har = importHar(readFileSync(projectPath('test/fixtures/import/chromium-three-visits.har'), 'utf8'), 'chromium-three-visits.har');
  const pages = har.events.flatMap((e) => (e.type === 'doc-request' ? [`${e.pageId} ${new URL(e.url).pathname}`] : []));
  assert.deepEqual(pages, [
    'page-1 /five/c',
    'page-1 /five/t',
    'page-1 /five/j',
    'page-1 /five/promo',
    'page-1 /landing/five-hop',
    'page-2 /t/javascript-xhr',
    'page-2 /landing/javascript-xhr',
    'page-3 /t/frame-top',
    'page-3 /landing/frame-top',
  ]);
  const settled = har.events.filter((e) => e.type === 'settled');
  assert.deepEqual(
    settled.map((e) => e.type === 'settled' && e.url),
    ['https://www.advertiser.example/landing/five-hop'],
  );
});
