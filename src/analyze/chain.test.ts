// The chain from navigation events alone: documents a click loaded in a child frame of the page
// are hops shown in that page, labelled by what moved the frame; the top page's own are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Capture, Exchange, NavEvent } from '../model.js';
import { at, captureOf, doc } from './test-capture.js';
import { buildHops, matchExchanges } from './chain.js';
import { analyzeCapture } from './analyze.js';

const LANDING = 'http://promo.example/deals';
const capture = (events: NavEvent[]): Capture => captureOf(LANDING, events);

const framed = [
  doc(1, 'r1', LANDING),
  { type: 'settled', at: at(2), pageId: 'p1', url: LANDING, title: 'Deals', snapshot: 1 },
  { type: 'click', at: at(3), pageId: 'p1', text: 'Get my quote', target: 'http://t.example/c', frame: 'http://promo.example/offer' },
  // The top page's own scheduled navigation is no part of the frame's hops.
  { type: 'nav-scheduled', at: at(3), pageId: 'p1', reason: 'metaTagRefresh', url: 'http://promo.example/other', delay: 60 },
  {
    type: 'nav-requested',
    at: at(4),
    pageId: 'p1',
    reason: 'anchorClick',
    url: 'http://t.example/c',
    disposition: 'currentTab',
    frameId: 'F1',
  },
  doc(4, 'r2', 'http://t.example/c', { frameId: 'F1', topUrl: LANDING, hasUserGesture: true }),
  doc(5, 'r2', 'https://shop.example/offer', {
    frameId: 'F1',
    topUrl: LANDING,
    redirectStatus: 302,
    redirectLocation: 'https://shop.example/offer',
  }),
  {
    type: 'settled',
    at: at(6),
    pageId: 'p1',
    url: LANDING,
    title: 'Deals',
    snapshot: 2,
    frame: { url: 'https://shop.example/offer', title: 'Offer' },
  },
] satisfies NavEvent[];

test('a click that moved only a frame: its documents are hops shown in the page, labelled click and redirect', () => {
  const hops = buildHops(capture(framed));
  assert.deepEqual(
    hops.map((h) => [h.via, h.frame ?? null]),
    [
      ['start', null],
      ['click', LANDING],
      ['http-302', LANDING],
    ],
  );
  assert.equal(hops[1].evidence.clickText, 'Get my quote');
  assert.match(
    hops[1].evidence.detail,
    /^clicked "Get my quote" → http:\/\/t\.example\/c \(in a frame of http:\/\/promo\.example\/deals\)$/,
  );
  assert.match(hops[2].evidence.detail, /^HTTP 302, Location: https:\/\/shop\.example\/offer \(in a frame of /);
});

test("the chain's end is the frame's document, shown inside the page", () => {
  const report = analyzeCapture(capture(framed), null);
  assert.deepEqual(report.final, { url: 'https://shop.example/offer', status: null, title: 'Offer', frame: LANDING });
});

test('a frame that sends the top on: the top document is no frame hop', () => {
  const events: NavEvent[] = [
    ...framed.slice(0, 6),
    {
      type: 'nav-requested',
      at: at(6),
      pageId: 'p1',
      reason: 'scriptInitiated',
      url: 'https://shop.example/top',
      disposition: 'currentTab',
    },
    doc(7, 'r3', 'https://shop.example/top', {
      initiator: { type: 'script', url: 'http://t.example/c', line: 3, column: 1, fromChildFrame: true },
    }),
  ];
  const hops = buildHops(capture(events));
  assert.deepEqual(
    hops.map((h) => [h.via, h.frame ?? null]),
    [
      ['start', null],
      ['click', LANDING],
      ['frame-top', null],
    ],
  );
  assert.equal(analyzeCapture(capture(events), null).final?.frame, undefined);
});

test("a frame's document that failed: the error is said of the frame's document", () => {
  const events: NavEvent[] = [
    ...framed.slice(0, 6),
    {
      type: 'doc-failed',
      at: at(5),
      pageId: 'p1',
      requestId: 'r2',
      url: 'http://t.example/c',
      errorText: 'net::ERR_CONNECTION_CLOSED',
      frameId: 'F1',
    },
  ];
  const report = analyzeCapture(capture(events), null);
  assert.equal(report.error, `net::ERR_CONNECTION_CLOSED (in a frame of ${LANDING})`);
  assert.equal(report.hops.at(-1)?.frame, LANDING);
});

test("a resting page's frame document is in the report's pages beside the top's, with its own DOM file", () => {
  const c = capture(framed);
  c.pages.push({
    index: 2,
    at: at(6),
    pageId: 'p1',
    url: LANDING,
    title: 'Deals',
    screenshot: null,
    dom: { path: 'dom/02.html', html: '<html></html>' },
    frame: { url: 'https://shop.example/offer', title: 'Offer', dom: { path: 'dom/02-frame.html', html: '<html></html>' } },
  });
  assert.deepEqual(analyzeCapture(c, null).pages, [
    {
      index: 2,
      url: LANDING,
      title: 'Deals',
      screenshot: null,
      dom: 'dom/02.html',
      frame: { url: 'https://shop.example/offer', title: 'Offer', dom: 'dom/02-frame.html' },
    },
  ]);
});

test("window.open(url, '_self'): Chromium's reason is \"other\", the initiator a script, so the hop is javascript", () => {
  const page = 'http://track.broker-net.test/h/js-open-self';
  const events: NavEvent[] = [
    doc(1, 'r1', page),
    { type: 'nav-requested', at: at(2), pageId: 'p1', reason: 'other', url: LANDING, disposition: 'currentTab' },
    doc(2, 'r2', LANDING, { initiator: { type: 'script', url: page, line: 11, column: 1 } }),
  ];
  const hops = buildHops(captureOf(page, events));
  assert.deepEqual(
    hops.map((h) => h.via),
    ['start', 'javascript'],
  );
  assert.equal(hops[1].evidence.detail, `script navigation at ${page}:11`);
  assert.equal(hops[1].evidence.reason, 'other');
  // Without a script behind it, "other" stays other.
  const unexplained = buildHops(captureOf(page, [doc(1, 'r1', page), { ...events[1] }, doc(2, 'r2', LANDING)]));
  assert.equal(unexplained[1].via, 'other');
});

test('a prefetch or a fetch() of the next hop made before the browser went there is not the hop: the navigation is', () => {
  const url = 'https://shop.example/landing';
  const exchange = (id: string, n: number, headers: [string, string][]): Exchange => ({
    id,
    startedAt: at(n),
    endedAt: at(n),
    request: { method: 'GET', url, httpVersion: '1.1', headers: [['Host', 'shop.example'], ...headers], body: Buffer.alloc(0) },
    response: null,
    remoteAddress: null,
    remotePort: null,
    tls: null,
    error: null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
  });
  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  const prefetch = exchange('x0002', 1, [
    ['Sec-Purpose', 'prefetch'],
    ['Sec-Fetch-Dest', 'empty'],
    ['Accept', html],
  ]);
  const fetched = exchange('x0003', 2, [
    ['Sec-Fetch-Dest', 'empty'],
    ['Accept', '*/*'],
  ]);
  const navigation = exchange('x0004', 3, [
    ['Sec-Fetch-Dest', 'document'],
    ['Accept', html],
  ]);
  const docs = [doc(3, 'r2', `${url}#top`)] as Parameters<typeof matchExchanges>[0];
  assert.equal(matchExchanges(docs, [prefetch, fetched, navigation])[0]?.id, 'x0004');
  // Over http no Sec-Fetch-* is sent: an image's Accept names no HTML.
  const image = exchange('x0005', 1, [['Accept', 'image/avif,image/webp,*/*;q=0.8']]);
  const plain = exchange('x0006', 2, [['Accept', html]]);
  assert.equal(matchExchanges(docs, [image, plain])[0]?.id, 'x0006');
  // A navigation served from a speculation rules prefetch: the prefetch is the only request made.
  assert.equal(matchExchanges(docs, [prefetch])[0]?.id, 'x0002');
});

test("each hop's URL keeps the fragment the browser went there with: the link's, a Location's, inherited by a redirect, a script's", () => {
  const link = 'http://t.example/c#offer';
  const c = captureOf(link, [
    doc(1, 'r1', 'http://t.example/c'),
    doc(1, 'r1', 'https://shop.example/a', { redirectStatus: 302, redirectLocation: 'https://shop.example/a' }),
    doc(2, 'r1', 'https://shop.example/b', { redirectStatus: 302, redirectLocation: '/b#ref=mail' }),
    doc(3, 'r1', 'https://shop.example/c', { redirectStatus: 302, redirectLocation: 'https://shop.example/c' }),
    {
      type: 'nav-requested',
      at: at(4),
      pageId: 'p1',
      reason: 'scriptInitiated',
      url: 'https://shop.example/d#step=2',
      disposition: 'currentTab',
    },
    doc(4, 'r2', 'https://shop.example/d', { initiator: { type: 'script', url: 'https://shop.example/c', line: 3, column: 1 } }),
  ]);
  assert.deepEqual(
    buildHops(c).map((h) => h.url),
    [
      'http://t.example/c#offer',
      'https://shop.example/a#offer',
      'https://shop.example/b#ref=mail',
      'https://shop.example/c#ref=mail',
      'https://shop.example/d#step=2',
    ],
  );
});

test("a popup's first document keeps the fragment its opener asked for, and its redirect inherits it", () => {
  const c = captureOf('http://t.example/c', [
    doc(1, 'r1', 'http://t.example/c'),
    {
      type: 'nav-requested',
      at: at(2),
      pageId: 'p1',
      reason: 'windowOpen',
      url: 'https://jump.example/go#ref=mail',
      disposition: 'newWindow',
    },
    { type: 'page', at: at(2), pageId: 'p2', openerPageId: 'p1' },
    { ...doc(3, 'r2', 'https://jump.example/go'), pageId: 'p2' },
    { ...doc(3, 'r2', 'https://shop.example/a', { redirectStatus: 302, redirectLocation: 'https://shop.example/a' }), pageId: 'p2' },
  ]);
  assert.deepEqual(
    buildHops(c).map((h) => [h.via, h.url]),
    [
      ['start', 'http://t.example/c'],
      ['popup', 'https://jump.example/go#ref=mail'],
      ['http-302', 'https://shop.example/a#ref=mail'],
    ],
  );
});

test('a history navigation that makes the browser ask for an earlier page again is a history hop, not "other"', () => {
  const first = 'http://t.example/a';
  const c = captureOf(first, [
    doc(1, 'r1', first),
    { type: 'nav-requested', at: at(2), pageId: 'p1', reason: 'scriptInitiated', url: 'http://t.example/b', disposition: 'currentTab' },
    doc(2, 'r2', 'http://t.example/b', { initiator: { type: 'script', url: first, line: 3, column: 1 } }),
    { type: 'nav-requested', at: at(3), pageId: 'p1', reason: 'historyDifferentDocument', url: first, disposition: 'currentTab' },
    doc(3, 'r3', first),
  ]);
  const hops = buildHops(c);
  assert.deepEqual(
    hops.map((h) => h.via),
    ['start', 'javascript', 'history'],
  );
  assert.equal(hops[2].evidence.reason, 'historyDifferentDocument');
  assert.match(hops[2].evidence.detail, /^history navigation from http:\/\/t\.example\/b back or forward to an earlier page of the tab/);
});

test("the browser's own redirect (an HSTS upgrade) says so; the same header on a server's redirect is not believed", () => {
  const upgraded = captureOf('http://shop.example/a', [
    doc(1, 'r1', 'http://shop.example/a'),
    doc(1, 'r1', 'https://shop.example/a', { redirectStatus: 307, redirectLocation: 'https://shop.example/a', redirectByBrowser: 'HSTS' }),
  ]);
  const hop = buildHops(upgraded)[1];
  assert.equal(hop.via, 'http-307');
  assert.match(hop.evidence.detail, /^HTTP 307 made by the browser itself \(HSTS\), nothing sent for the URL before/);
  // Recorded on the wire: a server's 307 naming a reason of its own is the server's redirect.
  const served = captureOf('http://shop.example/a', [
    doc(1, 'r1', 'http://shop.example/a'),
    doc(1, 'r1', 'https://shop.example/a', { redirectStatus: 307, redirectLocation: 'https://shop.example/a', redirectByBrowser: 'HSTS' }),
  ]);
  served.exchanges.push({
    id: 'x0001',
    startedAt: at(1),
    endedAt: at(1),
    request: {
      method: 'GET',
      url: 'http://shop.example/a',
      httpVersion: '1.1',
      headers: [['Host', 'shop.example']],
      body: Buffer.alloc(0),
    },
    response: {
      status: 307,
      statusText: 'Temporary Redirect',
      httpVersion: '1.1',
      headers: [
        ['Location', 'https://shop.example/a'],
        ['Non-Authoritative-Reason', 'HSTS'],
      ],
      body: Buffer.alloc(0),
      bodyTruncated: false,
      bodyLength: 0,
    },
    remoteAddress: null,
    remotePort: null,
    tls: null,
    error: null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
  });
  assert.equal(buildHops(served)[1].evidence.detail, 'HTTP 307, Location: https://shop.example/a');
});
