import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange, HeaderLine } from '../model.js';
import { crashReason, documentFailureReason, unsupportedScheme } from './stop-reasons.js';

function exchange(url: string, status: number, headers: HeaderLine[], error: string | null = null, bodyLength = 0): Exchange {
  return {
    id: 'x0001',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:01.000Z',
    request: { method: 'GET', url, httpVersion: '1.1', headers: [], body: Buffer.alloc(0) },
    response: { status, statusText: '', httpVersion: '1.1', headers, body: Buffer.alloc(0), bodyTruncated: error !== null, bodyLength },
    remoteAddress: '127.0.0.1',
    remotePort: 80,
    tls: null,
    error,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
  };
}

describe('stop reasons', () => {
  it('knows the schemes a browser does not load as a page', () => {
    assert.equal(unsupportedScheme('mailto:a@b.example'), 'mailto:');
    assert.equal(unsupportedScheme('intent://x/#Intent;end'), 'intent:');
    assert.equal(unsupportedScheme('HTTPS://a.example/'), null);
    assert.equal(unsupportedScheme('/relative', 'http://a.example/'), null);
    assert.equal(unsupportedScheme('not a url'), null);
  });

  it('a document request to another scheme, or a 3xx pointing at one, is a redirect to an unsupported scheme', () => {
    assert.equal(
      documentFailureReason({ url: 'ftp://files.example/x.zip', errorText: 'net::ERR_ABORTED' }, null),
      'redirect to unsupported scheme ftp:',
    );
    const to = (location: string) => exchange('http://a.example/c', 302, [['Location', location]]);
    assert.equal(
      documentFailureReason({ url: 'http://a.example/c', errorText: 'net::ERR_ABORTED' }, to(' javascript:alert(1)')),
      'redirect to unsupported scheme javascript:',
    );
    // A navigation that replaced this one is not a failure of the chain.
    assert.equal(documentFailureReason({ url: 'http://a.example/c', errorText: 'net::ERR_ABORTED' }, to('/next')), null);
  });

  it('a body cut or undecodable says how, and after how many bytes', () => {
    const failure = { url: 'http://a.example/p', errorText: 'net::ERR_CONTENT_LENGTH_MISMATCH' };
    const cut = (error: string) => exchange(failure.url, 200, [['Content-Length', '100000']], error, 12_345);
    assert.equal(
      documentFailureReason(failure, cut('connection reset by a.example (127.0.0.1:80)')),
      'connection reset after 12,345 bytes',
    );
    assert.equal(
      documentFailureReason(failure, cut('response body cut: upstream closed the connection')),
      'connection closed after 12,345 bytes',
    );
    assert.equal(
      documentFailureReason(
        { url: failure.url, errorText: 'net::ERR_CONTENT_DECODING_FAILED' },
        exchange(failure.url, 200, [['Content-Encoding', 'gzip']]),
      ),
      'content-encoding gzip: corrupt data',
    );
    // Chromium's own error page already says it all.
    assert.equal(documentFailureReason({ url: failure.url, errorText: 'net::ERR_NAME_NOT_RESOLVED' }, null), null);
  });

  it("a server the proxy could not reach (its own answer, for a frame's document): the proxy's record says why", () => {
    const url = 'http://offline.example/claim';
    const failed: Exchange = { ...exchange(url, 200, []), response: null, error: 'connection refused by offline.example (127.0.0.1:9)' };
    const failure = { url, errorText: 'proxy error', proxyError: 'connection refused (from the header)' };
    assert.equal(documentFailureReason(failure, failed), 'connection refused by offline.example (127.0.0.1:9)');
    // Not recorded yet: the proxy's header says it.
    assert.equal(documentFailureReason(failure, null), 'connection refused (from the header)');
    // Recorded as the server's answer (a server writing the proxy's header itself): nothing failed.
    assert.equal(documentFailureReason(failure, exchange(url, 200, [['X-Clicktrace-Error', 'fake']])), null);
  });

  it('a dead renderer: out of memory, killed, or crashed with its signal', () => {
    assert.equal(
      crashReason({ status: 'crashed', errorCode: 5 }, 'V8: reached heap limit'),
      'renderer crashed: out of memory (V8: reached heap limit)',
    );
    assert.equal(crashReason({ status: 'oom', errorCode: 0 }, null), 'renderer crashed: out of memory');
    assert.equal(crashReason({ status: 'killed', errorCode: 9 }, null), 'renderer killed');
    assert.equal(crashReason({ status: 'crashed', errorCode: 11 }, null), 'renderer crashed (signal 11, SIGSEGV)');
    assert.match(crashReason({ status: 'crashed', errorCode: 5 }, null), /^renderer crashed \(signal 5: stopped by Chromium itself/);
    assert.equal(crashReason(null, null), 'renderer crashed');
  });
});
