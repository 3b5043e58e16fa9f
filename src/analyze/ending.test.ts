import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chainEnding } from './ending.js';

const landing = [
  { index: 1, url: 'http://click.mailer.test/c/1', status: 302 },
  { index: 2, url: 'https://www.shop.example/', status: 200 },
];

test('a chain that rested on a page that rendered ended on a page', () => {
  assert.deepEqual(chainEnding({ hops: landing }), { kind: 'page' });
  assert.deepEqual(chainEnding({ hops: landing, error: null }), { kind: 'page' });
});

test('a page whose load event never came, or where a --click found nothing, was still rested on', () => {
  assert.deepEqual(chainEnding({ hops: landing, error: 'page did not finish loading: 1 request(s) still pending after 2 s' }), {
    kind: 'page',
  });
  assert.deepEqual(chainEnding({ hops: landing, error: 'click: no visible element with the text "Go"' }), { kind: 'page' });
});

test('a page the trace stopped on for any other reason was not rested on', () => {
  for (const error of ['too many hops: stopped after 25 documents (see --max-hops)', 'timeout: the page did not settle within 30 s']) {
    assert.deepEqual(chainEnding({ hops: landing, error }), { kind: 'error', reason: error, hop: 2 });
  }
});

test('no response, a network error or an HTTP error status is an error', () => {
  assert.deepEqual(chainEnding({ hops: [{ index: 1, url: 'http://a.test/', status: null }] }), {
    kind: 'error',
    reason: 'no response',
    hop: 1,
  });
  assert.deepEqual(chainEnding({ hops: [{ index: 1, url: 'http://a.test/', status: 410 }] }), {
    kind: 'error',
    reason: 'HTTP 410',
    hop: 1,
  });
  assert.deepEqual(chainEnding({ hops: [{ index: 1, url: 'http://a.test/', status: 302, error: 'net::ERR_TOO_MANY_REDIRECTS' }] }), {
    kind: 'error',
    reason: 'net::ERR_TOO_MANY_REDIRECTS',
    hop: 1,
  });
  assert.deepEqual(chainEnding({ hops: [{ index: 1, url: 'http://a.test/', status: null }], error: 'connection reset by a.test' }), {
    kind: 'error',
    reason: 'connection reset by a.test',
    hop: 1,
  });
});

test('a URL that comes round a third time is a loop, whatever the statuses', () => {
  const hops = ['a', 'b', 'a', 'b', 'a'].map((h, i) => ({ index: i + 1, url: `http://loop-${h}.test/x`, status: 200 }));
  assert.deepEqual(chainEnding({ hops }), {
    kind: 'loop',
    url: 'http://loop-a.test/x',
    times: 3,
    hop: 5,
    hosts: ['loop-a.test', 'loop-b.test'],
  });
});

test('a download, even one answered with 200', () => {
  assert.deepEqual(chainEnding({ hops: landing, download: { url: 'https://www.shop.example/', filename: 'setup.exe' } }), {
    kind: 'download',
    url: 'https://www.shop.example/',
    filename: 'setup.exe',
    hop: 2,
  });
});

test('no hops, no ending', () => {
  assert.equal(chainEnding({ hops: [] }), null);
});

test('204 No Content and 205 Reset Content load nothing: no page, whatever else the trace said', () => {
  for (const status of [204, 205]) {
    const hops = [landing[0], { index: 2, url: 'https://t.broker.test/c', status }];
    const reason = `HTTP ${status}: no content, nothing replaced the page`;
    assert.deepEqual(chainEnding({ hops }), { kind: 'error', reason, hop: 2 });
    assert.deepEqual(chainEnding({ hops, error: 'page did not finish loading: 0 request(s) still pending after 6 s' }), {
      kind: 'error',
      reason,
      hop: 2,
    });
  }
});

test('a 304 to an address the chain had not requested before: no copy to show, nothing replaced the page', () => {
  const hops = [
    { index: 1, url: 'http://click.mailer.test/c/1', status: 302 },
    { index: 2, url: 'http://track.broker.test/t/1', status: 304 },
  ];
  assert.deepEqual(chainEnding({ hops }), {
    kind: 'error',
    reason: 'HTTP 304: not modified, but the browser had no copy to show; nothing replaced the page',
    hop: 2,
  });
  // The reason stands on a case whose trace stopped saying the page had not finished loading.
  assert.equal(
    (chainEnding({ hops, error: 'page did not finish loading: 0 request(s) still pending after 6.1 s' }) as { reason: string }).reason,
    'HTTP 304: not modified, but the browser had no copy to show; nothing replaced the page',
  );
  // Requested before in the chain, the browser may have held a copy: only the status is said...
  const again = [...hops, { index: 3, url: 'http://track.broker.test/t/1', status: 304 }];
  assert.deepEqual(chainEnding({ hops: again }), { kind: 'error', reason: 'HTTP 304', hop: 3 });
  // ...unless a snapshot of that address shows the copy it revalidated (Chromium asks with
  // If-None-Match and shows its cached page): the chain rested on it.
  const shown = { url: 'http://track.broker.test/t/1', title: 'Offer' };
  assert.deepEqual(chainEnding({ hops: again, final: shown }), { kind: 'page' });
  assert.deepEqual(chainEnding({ hops: again, final: { ...shown, title: null } }), { kind: 'error', reason: 'HTTP 304', hop: 3 });
  assert.deepEqual(chainEnding({ hops: again, final: { ...shown, url: 'http://click.mailer.test/c/1' } }), {
    kind: 'error',
    reason: 'HTTP 304',
    hop: 3,
  });
  // A snapshot does not make a first 304 a page: the tab showed what it showed before.
  assert.equal(chainEnding({ hops, final: { url: hops[1].url, title: 'Offer' } })?.kind, 'error');
});

test('a 3xx the chain ended on (no Location to follow, or a 300, which no browser follows) says so', () => {
  assert.deepEqual(chainEnding({ hops: [{ index: 1, url: 'http://a.test/', status: 302 }] }), {
    kind: 'error',
    reason: 'HTTP 302 without a Location to follow: the browser showed its body',
    hop: 1,
  });
  assert.deepEqual(chainEnding({ hops: [{ index: 1, url: 'http://a.test/', status: 300 }] }), {
    kind: 'error',
    reason: 'HTTP 300 Multiple Choices: a browser does not follow it, it showed its body',
    hop: 1,
  });
});

test('a page that sent the tab to about:blank (no request) leaves an empty page: no landing page', () => {
  assert.deepEqual(chainEnding({ hops: landing, final: { url: 'about:blank', title: '' } }), {
    kind: 'error',
    reason: 'its page sent the tab to about:blank, an empty page',
    hop: 2,
  });
  // No page asked for it: the page went back in history (history.back()) to the tab's empty start.
  assert.deepEqual(chainEnding({ hops: landing, final: { url: 'about:blank', title: '' }, blankRequested: false }), {
    kind: 'error',
    reason: "its page went back in history, to the tab's empty start page (about:blank)",
    hop: 2,
  });
});
