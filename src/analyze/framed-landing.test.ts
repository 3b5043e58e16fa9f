import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange } from '../model.js';
import { framedLandingHops, onlyFrameSrc } from './framed-landing.js';
import { buildHops } from './chain.js';
import { analyzeCapture } from './analyze.js';
import { at, captureOf, doc } from './test-capture.js';

const BROKER = 'http://track.broker.example/h/1';
const LANDING = 'https://shop.example/landing';

const fullWindow = (src: string, extra = '') =>
  `<html><head><title>Best Deals</title><style>iframe{width:100%;height:100%}</style></head>` +
  `<body>${extra}<iframe src="${src}" frameborder="0"></iframe>\n</body></html>`;

describe('onlyFrameSrc: a page that is nothing but one frame', () => {
  test('one iframe filling the page, with no text of its own', () => {
    assert.equal(onlyFrameSrc(fullWindow('https://shop.example/a?x=1&amp;y=2')), 'https://shop.example/a?x=1&y=2');
  });

  test("a registrar's masked redirect: a frameset with one frame (its <noframes> text is not the page's)", () => {
    const html =
      '<html><head><title>shop</title></head><frameset rows="100%,*" border="0">' +
      '<frame src="https://shop.example/" frameborder="0"><noframes>Your browser does not support frames: go to shop.example</noframes></frameset></html>';
    assert.equal(onlyFrameSrc(html), 'https://shop.example/');
  });

  test('a page with content beside its frame is not a framed landing (an ad iframe among text)', () => {
    assert.equal(onlyFrameSrc(fullWindow(LANDING, '<main><h1>Our spring offers</h1></main>')), null);
  });

  test('an ad slot: a frame given a fixed size', () => {
    assert.equal(onlyFrameSrc(`<body><iframe src="${LANDING}" width="300" height="250"></iframe></body>`), null);
    assert.equal(onlyFrameSrc(`<body><iframe src="${LANDING}" style="width:300px;height:250px;border:0"></iframe></body>`), null);
    assert.equal(onlyFrameSrc(`<body><iframe src="${LANDING}" style="width:100%;height:100%;border:0"></iframe></body>`), LANDING);
  });

  test('two frames, an image of its own, a <base>, or a frame without src', () => {
    assert.equal(onlyFrameSrc(fullWindow(LANDING, `<iframe src="${LANDING}/2"></iframe>`)), null);
    assert.equal(onlyFrameSrc(fullWindow(LANDING, '<img src="/banner.png">')), null);
    assert.equal(onlyFrameSrc(`<head><base href="https://x.example/"></head>${fullWindow('/a')}`), null);
    assert.equal(onlyFrameSrc('<body><iframe srcdoc="<p>hi</p>"></iframe></body>'), null);
  });

  test('scripts, styles and comments are not text a person sees', () => {
    assert.equal(onlyFrameSrc(fullWindow(LANDING, '<!-- broker --><script>var t = "text";</script>&nbsp;')), LANDING);
  });
});

function exchange(
  id: string,
  n: number,
  url: string,
  status: number,
  headers: [string, string][],
  reqHeaders: [string, string][],
): Exchange {
  return {
    id,
    startedAt: at(n),
    endedAt: at(n),
    request: { method: 'GET', url, httpVersion: '1.1', headers: reqHeaders, body: Buffer.alloc(0) },
    response: {
      status,
      statusText: '',
      httpVersion: '1.1',
      headers,
      body: Buffer.from(status === 200 ? '<html><head><title>Shop | Spring</title></head><body>Offer</body></html>' : ''),
      bodyTruncated: false,
      bodyLength: 0,
    },
    remoteAddress: '127.0.0.1',
    remotePort: 443,
    tls: null,
    error: null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: 5 },
  };
}

function brokerCase(html: string, dest = 'iframe') {
  const c = captureOf(BROKER, [doc(1, 'r1', BROKER)]);
  const html200: [string, string] = ['Content-Type', 'text/html'];
  c.exchanges.push(
    exchange('x0001', 1, BROKER, 200, [html200], []),
    exchange('x0002', 2, 'https://go.example/t', 302, [['Location', LANDING]], [['Sec-Fetch-Dest', dest]]),
    exchange('x0003', 3, LANDING, 200, [html200], [['Sec-Fetch-Dest', dest]]),
  );
  c.pages.push({ index: 1, at: at(4), pageId: 'p1', url: BROKER, title: 'Best Deals', screenshot: null, dom: { path: 'dom.html', html } });
  return c;
}

describe('framedLandingHops: the recorded frame document ends the chain', () => {
  test("the frame's request and its redirect, each shown inside a frame of the broker's page", () => {
    const c = brokerCase(fullWindow('https://go.example/t'));
    const hops = framedLandingHops(c, buildHops(c));
    assert.deepEqual(
      hops.map((h) => [h.index, h.via, h.url, h.frame, h.exchange]),
      [
        [2, 'frame-src', 'https://go.example/t', BROKER, 'x0002'],
        [3, 'http-302', LANDING, BROKER, 'x0003'],
      ],
    );
    assert.match(
      hops[0].evidence.detail,
      /^the page is only a frame of it: <iframe src="https:\/\/go\.example\/t">.*\(in a frame of http:/,
    );
    assert.equal(hops[1].evidence.location, LANDING);
  });

  test('the report ends at the framed page, its advertiser, shown inside a frame of the broker', () => {
    const report = analyzeCapture(brokerCase(fullWindow('https://go.example/t')), null);
    assert.deepEqual(report.final, { url: LANDING, status: 200, title: 'Shop | Spring', frame: BROKER });
    assert.match(report.summary?.text ?? '', /-> advertiser shop\.example \(shown inside a frame of track\.broker\.example\)$/);
    const claim = report.summary?.claims.find((c) => c.text.includes('only a frame'));
    assert.equal(claim?.hop, 2);
  });

  test("a tracker page in the frame that refreshed the frame on (meta tag or Refresh header): the frame's next document is the hop", () => {
    const refreshing = (headers: [string, string][], body: string) => {
      const c = brokerCase(fullWindow('https://go.example/t'));
      const tracker = exchange(
        'x0002',
        2,
        'https://go.example/t',
        200,
        [['Content-Type', 'text/html'], ...headers],
        [['Sec-Fetch-Dest', 'iframe']],
      );
      tracker.response!.body = Buffer.from(body);
      c.exchanges[1] = tracker;
      return c;
    };
    const meta = refreshing(
      [],
      `<html><head><title>Loading…</title><meta http-equiv="refresh" content="0;URL='${LANDING}'"></head></html>`,
    );
    const hops = framedLandingHops(meta, buildHops(meta));
    assert.deepEqual(
      hops.map((h) => [h.via, h.url, h.exchange]),
      [
        ['frame-src', 'https://go.example/t', 'x0002'],
        ['meta-refresh', LANDING, 'x0003'],
      ],
    );
    assert.match(
      hops[1].evidence.detail,
      /^<meta http-equiv="refresh" content="0;URL='https:\/\/shop\.example\/landing'"> \(delay 0 s\) \(in a frame of /,
    );
    const header = refreshing([['Refresh', `1; url=${LANDING}`]], '<html><head><title>Loading…</title></head></html>');
    assert.deepEqual(
      framedLandingHops(header, buildHops(header)).map((h) => [h.via, h.url, h.evidence.refresh]),
      [
        ['frame-src', 'https://go.example/t', undefined],
        ['refresh-header', LANDING, `1; url=${LANDING}`],
      ],
    );
    // A refresh to an address the frame never requested is no hop: the chain ends on the tracker's page.
    const elsewhere = refreshing([['Refresh', '1; url=/other']], '<html><head><title>Loading…</title></head></html>');
    assert.deepEqual(
      framedLandingHops(elsewhere, buildHops(elsewhere)).map((h) => h.via),
      ['frame-src'],
    );
    assert.equal(analyzeCapture(meta, null).final?.url, LANDING);
  });

  test("a tracker page in the frame whose script moved the frame on: the frame's next document is a javascript hop", () => {
    const c = brokerCase(fullWindow('https://go.example/t'));
    const tracker = exchange('x0002', 2, 'https://go.example/t', 200, [['Content-Type', 'text/html']], [['Sec-Fetch-Dest', 'iframe']]);
    tracker.response!.body = Buffer.from(
      `<html><head><title>Loading…</title></head><script>location.replace('${LANDING}')</script></html>`,
    );
    c.exchanges[1] = tracker;
    const noted = (n: number, url: string, reason: string | null, script: string | null) =>
      ({
        type: 'frame-document',
        at: at(n),
        pageId: 'p1',
        frameId: 'F1',
        url,
        reason,
        initiator: { type: script ? 'script' : 'parser', url: script ?? BROKER, line: script ? 1 : 3 },
      }) as const;
    c.events.push(noted(2, 'https://go.example/t', null, null), noted(3, LANDING, 'scriptInitiated', 'https://go.example/t'));
    const hops = framedLandingHops(c, buildHops(c));
    assert.deepEqual(
      hops.map((h) => [h.via, h.url, h.exchange, h.frame]),
      [
        ['frame-src', 'https://go.example/t', 'x0002', BROKER],
        ['javascript', LANDING, 'x0003', BROKER],
      ],
    );
    assert.equal(hops[1].evidence.scriptUrl, 'https://go.example/t');
    assert.match(hops[1].evidence.detail, /^script navigation at https:\/\/go\.example\/t:1 \(in a frame of /);
    assert.deepEqual(analyzeCapture(c, null).final, { url: LANDING, status: 200, title: 'Shop | Spring', frame: BROKER });
    // Another frame's script navigation (an ad frame) is not this frame's.
    const other = brokerCase(fullWindow('https://go.example/t'));
    other.exchanges[1] = tracker;
    other.events.push(noted(2, 'https://go.example/t', null, null), {
      ...noted(3, LANDING, 'scriptInitiated', 'https://ad.example/'),
      frameId: 'F2',
    });
    assert.deepEqual(
      framedLandingHops(other, buildHops(other)).map((h) => h.via),
      ['frame-src'],
    );
  });

  test("a tracker page in the frame that submitted a form or had its script add a meta refresh: labelled by the browser's reason", () => {
    const moved = (reason: string, method: 'GET' | 'POST') => {
      const c = brokerCase(fullWindow('https://go.example/t'));
      const tracker = exchange('x0002', 2, 'https://go.example/t', 200, [['Content-Type', 'text/html']], [['Sec-Fetch-Dest', 'iframe']]);
      tracker.response!.body = Buffer.from('<html><head><title>Loading…</title></head><body><form></form></body></html>');
      c.exchanges[1] = tracker;
      c.exchanges[2].request.method = method;
      const noted = (n: number, url: string, why: string) =>
        ({
          type: 'frame-document',
          at: at(n),
          pageId: 'p1',
          frameId: 'F1',
          url,
          reason: why,
          initiator: { type: 'other', url: null, line: null },
        }) as const;
      c.events.push(noted(2, 'https://go.example/t', 'initialFrameNavigation'), noted(3, LANDING, reason));
      return framedLandingHops(c, buildHops(c));
    };
    const posted = moved('formSubmissionPost', 'POST');
    assert.deepEqual(
      posted.map((h) => [h.via, h.method]),
      [
        ['frame-src', 'GET'],
        ['form-post', 'POST'],
      ],
    );
    assert.match(posted[1].evidence.detail, /^form submitted \(POST\) \(in a frame of /);
    const refreshed = moved('metaTagRefresh', 'GET');
    assert.equal(refreshed[1].via, 'meta-refresh');
    assert.match(refreshed[1].evidence.detail, /not in the page as served: its script added it/);
    // A navigation Chromium gives no script or form for ("other", no script initiator) is not claimed.
    assert.deepEqual(
      moved('other', 'GET').map((h) => h.via),
      ['frame-src'],
    );
  });

  test('nothing when the page has content of its own, or the frame document was not recorded as one', () => {
    const content = brokerCase(fullWindow('https://go.example/t', '<h1>Deals</h1>'));
    assert.deepEqual(framedLandingHops(content, buildHops(content)), []);
    const image = brokerCase(fullWindow('https://go.example/t'), 'image');
    assert.deepEqual(framedLandingHops(image, buildHops(image)), []);
  });
});
