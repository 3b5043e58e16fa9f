import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange, HeaderLine, NavEvent } from '../model.js';
import { synthesizeDocumentChain } from './chain.js';

let clock = Date.parse('2026-01-01T00:00:00Z');
function exchange(
  url: string,
  status: number | null,
  opts: { requestHeaders?: HeaderLine[]; responseHeaders?: HeaderLine[]; body?: string; error?: string } = {},
): Exchange {
  const startedAt = new Date((clock += 1000)).toISOString();
  return {
    id: 'x',
    startedAt,
    endedAt: new Date(clock + 100).toISOString(),
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: opts.requestHeaders ?? [], body: Buffer.alloc(0) },
    response:
      status === null
        ? null
        : {
            status,
            statusText: '',
            httpVersion: 'HTTP/1.1',
            headers: opts.responseHeaders ?? [],
            body: Buffer.from(opts.body ?? ''),
            bodyTruncated: false,
            bodyLength: Buffer.byteLength(opts.body ?? ''),
          },
    remoteAddress: null,
    remotePort: null,
    tls: null,
    error: opts.error ?? null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: 50, totalMs: 100 },
  };
}

const brief = (events: NavEvent[]) =>
  events.map((e) => {
    switch (e.type) {
      case 'doc-request':
        return `request ${e.requestId} ${e.url}${e.redirectStatus ? ` after ${e.redirectStatus} ${e.redirectLocation}` : ''}`;
      case 'doc-response':
        return `response ${e.requestId} ${e.status} ${e.mimeType}`;
      case 'doc-failed':
        return `failed ${e.requestId} ${e.errorText}`;
      case 'settled':
        return `settled ${e.url} "${e.title}"`;
      default:
        return e.type;
    }
  });

test('a redirect continues the request that was redirected, as in CDP', () => {
  const events = synthesizeDocumentChain([
    exchange('http://a.test/start', 302, { responseHeaders: [['Location', '/final#frag']], body: 'moved' }),
    exchange('http://a.test/final', 200, {
      responseHeaders: [['Content-Type', 'text/html; charset=utf-8']],
      body: '<html><title> Final </title></html>',
    }),
  ]);
  assert.deepEqual(brief(events), [
    'page',
    'request doc-1 http://a.test/start',
    'request doc-1 http://a.test/final after 302 /final#frag',
    'response doc-1 200 text/html',
    'settled http://a.test/final "Final"',
  ]);
  const first = events[1] as Extract<NavEvent, { type: 'doc-request' }>;
  assert.deepEqual(first.initiator, { type: 'other', url: null, line: null, column: null });
  assert.equal(first.hasUserGesture, false);
});

test('in a browser capture only top-level documents are in the chain', () => {
  const doc: HeaderLine[] = [
    ['Sec-Fetch-Dest', 'document'],
    ['Accept', 'text/html,*/*'],
  ];
  const events = synthesizeDocumentChain([
    exchange('https://a.test/', 200, { requestHeaders: doc, responseHeaders: [['Content-Type', 'text/html']] }),
    exchange('https://a.test/logo.png', 200, { requestHeaders: [['Sec-Fetch-Dest', 'image']] }),
    exchange('https://ads.test/frame', 200, {
      requestHeaders: [
        ['Sec-Fetch-Dest', 'iframe'],
        ['Accept', 'text/html'],
      ],
    }),
    exchange('https://a.test/api', 200, { requestHeaders: [['Accept', 'application/json']] }),
    exchange('https://b.test/next', 200, { requestHeaders: doc, responseHeaders: [['Content-Type', 'text/html']] }),
  ]);
  assert.deepEqual(brief(events), [
    'page',
    'request doc-1 https://a.test/',
    'response doc-1 200 text/html',
    'request doc-2 https://b.test/next',
    'response doc-2 200 text/html',
    'settled https://b.test/next ""',
  ]);
});

test("the recorder's resource type and initiator are used when there is no fetch metadata", () => {
  const types = new Map<string, string>([
    ['https://a.test/', 'document'],
    ['https://a.test/app.js', 'script'],
    ['https://b.test/', 'document'],
  ]);
  const events = synthesizeDocumentChain(
    [exchange('https://a.test/', 200), exchange('https://a.test/app.js', 200), exchange('https://b.test/', 200)],
    {
      resourceType: (x) => types.get(x.request.url) ?? null,
      initiator: (x) => (x.request.url === 'https://b.test/' ? { type: 'script', url: 'https://a.test/app.js', line: 3, column: 7 } : null),
    },
  );
  const requests = events.filter((e) => e.type === 'doc-request');
  assert.deepEqual(
    requests.map((e) => [e.url, e.initiator.type, e.initiator.url, e.initiator.line]),
    [
      ['https://a.test/', 'other', null, null],
      ['https://b.test/', 'script', 'https://a.test/app.js', 3],
    ],
  );
});

test('a single-use link requested twice, a failure and an unfollowed redirect', () => {
  const events = synthesizeDocumentChain([
    exchange('http://t.test/go', 302, { responseHeaders: [['Location', 'http://land.test/']] }),
    exchange('http://land.test/', 200),
    exchange('http://t.test/go', 410),
    exchange('http://dead.test/', null, { error: 'ECONNREFUSED' }),
    exchange('http://t.test/other', 301, { responseHeaders: [['Location', 'https://never.test/']] }),
  ]);
  assert.deepEqual(brief(events), [
    'page',
    'request doc-1 http://t.test/go',
    'request doc-1 http://land.test/ after 302 http://land.test/',
    'response doc-1 200 ',
    'request doc-2 http://t.test/go',
    'response doc-2 410 ',
    'request doc-3 http://dead.test/',
    'failed doc-3 ECONNREFUSED',
    'request doc-4 http://t.test/other',
    'response doc-4 301 ',
    'settled http://t.test/other ""',
  ]);
});

test('redirect targets come from the hint when there is no Location header', () => {
  const events = synthesizeDocumentChain([exchange('http://a.test/', 307), exchange('http://b.test/', 200)], {
    redirectTarget: (x) => (x.request.url === 'http://a.test/' ? 'http://b.test/' : null),
  });
  assert.ok(brief(events).includes('request doc-1 http://b.test/ after 307 http://b.test/'));
});

test('no documents, no events', () => {
  assert.deepEqual(synthesizeDocumentChain([]), []);
});
