import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Capture, Exchange, NavEvent } from '../model.js';
import type { Hop } from '../report.js';
import { doc as docRequest } from '../analyze/test-capture.js';
import { chainTree, edgeLabel, isFrameDocument, waterfall } from './chain-tree.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function hop(index: number, url: string, via: Hop['via'], ms: number, extra: Partial<Hop> = {}): Hop {
  return {
    index,
    url,
    method: 'GET',
    status: 200,
    via,
    evidence: { detail: '' },
    ip: null,
    tls: null,
    contentType: 'text/html',
    timing: { startedAt: at(ms), ms: 10 },
    exchange: `x${index}`,
    error: null,
    ...extra,
  };
}

function exchange(
  id: string,
  url: string,
  ms: number,
  headers: [string, string][] = [],
  timing: Partial<Exchange['timing']> = {},
): Exchange {
  return {
    id,
    startedAt: at(ms),
    endedAt: at(ms + 40),
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers, body: Buffer.alloc(0) },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [],
      body: Buffer.alloc(0),
    } as unknown as Exchange['response'],
    remoteAddress: null,
    remotePort: null,
    tls: null,
    error: null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: 40, ...timing },
  };
}

const doc = (pageId: string, url: string, ms: number): NavEvent => docRequest(0, url, url, { pageId, at: at(ms) });

const NAV_ACCEPT: [string, string] = ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'];

test('chainTree: a popup is a branch under its opener, the opener page goes on beside it; hosts and frames beneath their page', () => {
  const hops = [
    hop(1, 'http://promo.example/p', 'start', 0),
    hop(2, 'https://prize.example/claim', 'popup', 100, { evidence: { detail: '', clickText: 'Claim your prize' } }),
    hop(3, 'http://promo.example/thanks', 'javascript', 200),
  ];
  const capture: Pick<Capture, 'events' | 'exchanges'> = {
    events: [
      { type: 'page', at: at(0), pageId: 'A', openerPageId: null },
      doc('A', hops[0].url, 0),
      { type: 'page', at: at(90), pageId: 'B', openerPageId: 'A' },
      doc('B', hops[1].url, 100),
      doc('A', hops[2].url, 200),
    ],
    exchanges: [
      exchange('x1', hops[0].url, 0),
      exchange('s1', 'https://cdn.tracker.example/pixel.gif', 20, [['Referer', hops[0].url]]),
      exchange('s2', 'https://cdn.tracker.example/pixel2.gif', 30, [['Referer', hops[0].url]]),
      exchange('s3', 'http://static.promo.example/app.css', 30, [['Referer', hops[0].url]]),
      exchange('f1', 'http://ads.example/frame', 40, [NAV_ACCEPT, ['Referer', hops[0].url]]),
      exchange('x2', hops[1].url, 100),
      exchange('s4', 'https://fonts.example/f.woff2', 150, [['Referer', 'https://prize.example/']]),
      exchange('x3', hops[2].url, 200),
    ],
  };
  const tree = chainTree(capture, { hops });
  assert.deepEqual(
    tree.map((n) => [n.hop, n.parent, n.depth, n.edge]),
    [
      [1, null, 0, 'link'],
      [2, 1, 1, 'popup “Claim your prize”'],
      [3, 1, 1, 'script'],
    ],
  );
  const [first, popup] = tree;
  assert.deepEqual(first.thirdParty, [
    { host: 'cdn.tracker.example', requests: 2 },
    { host: 'ads.example', requests: 1 },
  ]);
  assert.equal(first.ownRequests, 1, 'static.promo.example is its own site');
  assert.deepEqual(first.frames, ['http://ads.example/frame']);
  assert.deepEqual(popup.thirdParty, [{ host: 'fonts.example', requests: 1 }], 'by the Referer origin');
});

test('chainTree: without page events the chain is a line', () => {
  const hops = [hop(1, 'http://a.example/', 'start', 0), hop(2, 'http://b.example/', 'http-302', 10, { status: 302 })];
  const tree = chainTree({ events: [], exchanges: [] }, { hops });
  assert.deepEqual(
    tree.map((n) => [n.hop, n.parent, n.depth, n.edge]),
    [
      [1, null, 0, 'link'],
      [2, 1, 1, '302'],
    ],
  );
  assert.equal(edgeLabel(hop(3, 'http://c.example/', 'meta-refresh', 0)), 'meta refresh');
});

test('isFrameDocument: Sec-Fetch-Dest when sent, else a navigation Accept header', () => {
  const x = (headers: [string, string][]) => ({
    request: { method: 'GET', url: 'http://a/', httpVersion: '1.1', headers, body: Buffer.alloc(0) },
  });
  assert.equal(isFrameDocument(x([['Sec-Fetch-Dest', 'iframe']])), true);
  assert.equal(isFrameDocument(x([['Sec-Fetch-Dest', 'image'], NAV_ACCEPT])), false);
  assert.equal(isFrameDocument(x([NAV_ACCEPT])), true);
  assert.equal(isFrameDocument(x([['Accept', 'image/avif,image/webp,*/*']])), false);
});

test('waterfall: every exchange from the first request, hops marked', () => {
  const hops = [hop(1, 'http://a.example/', 'start', 0)];
  const rows = waterfall(
    {
      exchanges: [
        exchange('s1', 'http://a.example/x.js', 50, [], { dnsMs: 5, connectMs: 10, ttfbMs: 30, totalMs: 45 }),
        exchange('x1', 'http://a.example/', 0),
      ],
    },
    { hops },
  );
  assert.deepEqual(
    rows.map((r) => [r.exchange, r.hop, r.start, r.total, r.dns, r.connect, r.ttfb]),
    [
      ['x1', 1, 0, 40, null, null, null],
      ['s1', null, 50, 45, 5, 10, 30],
    ],
  );
});
