import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange, HeaderLine, NavEvent } from '../model.js';
import { synthesizeDocumentChain } from './chain.js';

let clock = Date.parse('2026-01-01T00:00:00Z');
function exchange(
  url: string,
  status: number | null,
  opts: { requestHeaders?: HeaderLine[]; responseHeaders?: HeaderLine[]; body?: string; error?: string; afterMs?: number } = {},
): Exchange {
  const startedAt = new Date((clock += opts.afterMs ?? 1000)).toISOString();
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
    exchange('https://b.test/next', 200, {
      requestHeaders: [...doc, ['Referer', 'https://a.test/']],
      responseHeaders: [['Content-Type', 'text/html']],
    }),
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

test('a single-use link requested twice, a failure and an unfollowed redirect: separate requests, separate chains', () => {
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
    'settled http://land.test/ ""',
    'page',
    'request doc-2 http://t.test/go',
    'response doc-2 410 ',
    'page',
    'request doc-3 http://dead.test/',
    'failed doc-3 ECONNREFUSED',
    'page',
    'request doc-4 http://t.test/other',
    'response doc-4 301 ',
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

const html = (body: string): { responseHeaders: HeaderLine[]; body: string } => ({
  responseHeaders: [['Content-Type', 'text/html; charset=utf-8']],
  body,
});
const navigate = (site: string, referer?: string): HeaderLine[] => [
  ['Sec-Fetch-Site', site],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-Dest', 'document'],
  ['Accept', 'text/html,*/*'],
  ...(referer ? [['Referer', referer] as HeaderLine] : []),
];
/** A page a browser requested over plain HTTP (no fetch metadata), `afterMs` after the one before. */
const httpPage = (body: string, afterMs?: number) => ({
  requestHeaders: [['Accept', 'text/html']] as HeaderLine[],
  ...html(body),
  ...(afterMs ? { afterMs } : {}),
});
const pageOf = (events: NavEvent[]) =>
  events.flatMap((e) =>
    e.type === 'doc-request' ? [`${e.pageId} ${e.url}`] : e.type === 'settled' ? [`settled ${e.pageId} ${e.url}`] : [],
  );

test('two links visited one after another are two chains; the first is the one that settles', () => {
  const events = synthesizeDocumentChain([
    // A links to B's next page too: B's Referer decides where that request came from.
    exchange('https://a.test/', 200, { requestHeaders: navigate('none'), ...html('<title>A</title><a href="https://b.test/next">') }),
    exchange('https://a.test/favicon.ico', 200, {
      requestHeaders: [
        ['Sec-Fetch-Dest', 'image'],
        ['Referer', 'https://a.test/'],
      ],
    }),
    exchange('https://b.test/', 200, { requestHeaders: navigate('none'), ...html('<title>B</title>') }),
    exchange('https://b.test/next', 200, { requestHeaders: navigate('same-origin', 'https://b.test/'), ...html('') }),
  ]);
  assert.deepEqual(pageOf(events), [
    'page-1 https://a.test/',
    'settled page-1 https://a.test/',
    'page-2 https://b.test/',
    'page-2 https://b.test/next',
  ]);
});

test('a refresh or a script found in the previous document, a Referer, or a page-made request without one continue the chain', () => {
  // Over plain HTTP a browser sends no fetch metadata: its documents are those that accept HTML.
  const events = synthesizeDocumentChain([
    exchange('http://a.test/c', 302, { requestHeaders: httpPage('').requestHeaders, responseHeaders: [['Location', 'http://b.test/t']] }),
    exchange('http://b.test/t', 200, httpPage('<meta http-equiv="refresh" content="0; url=http://c.test/j">')),
    exchange('http://c.test/j', 200, httpPage('<p>wait</p>\n<script>\n  window.location.href = "http:\\/\\/d.test\\/promo";\n</script>')),
    exchange('http://d.test/promo', 200, { requestHeaders: httpPage('').requestHeaders, responseHeaders: [['Refresh', '1; url=/land']] }),
    exchange('http://d.test/land', 200, httpPage('<a href="https://e.test/">on</a>')),
    // Another link typed in a few seconds later: nothing leads to it.
    exchange('http://x.test/', 200, httpPage('', 5000)),
    exchange('https://e.test/', 200, { requestHeaders: navigate('cross-site', 'http://d.test/'), ...html('') }),
    // Referrer-Policy: no-referrer, made by a page all the same: the one loaded last.
    exchange('https://f.test/', 200, { requestHeaders: navigate('cross-site'), ...html('') }),
  ]);
  assert.deepEqual(pageOf(events), [
    'page-1 http://a.test/c',
    'page-1 http://b.test/t',
    'page-1 http://c.test/j',
    'page-1 http://d.test/promo',
    'page-1 http://d.test/land',
    'page-2 http://x.test/',
    'page-1 https://e.test/',
    'page-1 https://f.test/',
    'settled page-1 https://f.test/',
  ]);
  const asked = events.filter((e) => e.type === 'nav-requested').map((e) => `${e.reason} ${e.url}`);
  assert.deepEqual(asked, ['metaTagRefresh http://c.test/j', 'httpHeaderRefresh http://d.test/land']);
  const script = events.find((e) => e.type === 'doc-request' && e.url === 'http://d.test/promo');
  assert.deepEqual(script?.type === 'doc-request' && script.initiator, { type: 'script', url: 'http://c.test/j', line: 3, column: null });
});

test('a document is followed from the page its script ran in, though that page was recorded as ending later', () => {
  const script = exchange('http://a.test/j', 200, httpPage('<script>location.replace("http://b.test/");</script>'));
  const next = exchange('http://b.test/', 200, httpPage(''));
  // The proxy records an exchange when it ends: the page's own after the request its script made.
  script.endedAt = new Date(Date.parse(next.startedAt) + 500).toISOString();
  const events = synthesizeDocumentChain([next, script]);
  assert.deepEqual(pageOf(events), ['page-1 http://a.test/j', 'page-1 http://b.test/', 'settled page-1 http://b.test/']);
});

test("a frame's document is no hop, but the navigation its script makes of the page goes on from it", () => {
  const events = synthesizeDocumentChain([
    exchange('http://a.test/', 200, httpPage('<iframe src="/inner" title="offer"></iframe><iframe src="https://ads.test/ad"></iframe>')),
    // Over plain HTTP nothing but the page's <iframe src> says it is a frame.
    exchange('http://a.test/inner', 200, httpPage('<script>\ntop.location = "http://b.test/";\n</script>')),
    // Over HTTPS its fetch metadata says so; its Referer is the page's origin.
    exchange('https://ads.test/ad', 200, {
      requestHeaders: [
        ['Sec-Fetch-Dest', 'iframe'],
        ['Sec-Fetch-Site', 'cross-site'],
        ['Referer', 'http://a.test/'],
      ],
      ...html('<a href="https://shop.test/" target="_top">shop</a>'),
    }),
    exchange('http://b.test/', 200, httpPage('')),
    // The ad frame's link, followed by the top page: its Referer is the frame's origin, no page's.
    exchange('https://shop.test/', 200, { requestHeaders: navigate('cross-site', 'https://ads.test/'), ...html('') }),
  ]);
  assert.deepEqual(pageOf(events), [
    'page-1 http://a.test/',
    'page-1 http://b.test/',
    'page-1 https://shop.test/',
    'settled page-1 https://shop.test/',
  ]);
  const moved = events.find((e) => e.type === 'doc-request' && e.url === 'http://b.test/');
  assert.deepEqual(moved?.type === 'doc-request' && moved.initiator, {
    type: 'script',
    url: 'http://a.test/inner',
    line: 2,
    column: null,
    fromChildFrame: true,
  });
});

test('a link of a page followed without a Referer (rel=noreferrer) goes on from that page; a URL it does not link to is a visit of its own', () => {
  const events = synthesizeDocumentChain([
    exchange('http://a.test/', 200, httpPage('<a href="http://n.test/" rel="noreferrer">go</a><script>window.open("/pop")</script>')),
    exchange('http://n.test/', 200, httpPage('', 5000)),
    exchange('http://a.test/pop', 200, httpPage('', 5000)),
    exchange('http://elsewhere.test/', 200, httpPage('', 5000)),
  ]);
  assert.deepEqual(pageOf(events), [
    'page-1 http://a.test/',
    'page-1 http://n.test/',
    'page-1 http://a.test/pop',
    'settled page-1 http://a.test/pop',
    'page-2 http://elsewhere.test/',
  ]);
});
