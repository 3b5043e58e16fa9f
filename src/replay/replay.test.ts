import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Capture, Exchange, HeaderLine } from '../model.js';
import { createCertificateAuthority } from '../tls/certs.js';
import { synthesizeDocumentChain } from '../import/chain.js';
import { startReplay, type ReplayServer } from './replay.js';

const REDIRECT_BODY = 'redirect body: <a href="/landing">moved</a>';
const LANDING_HTML =
  '<html><head><title>Landing</title></head><body><a href="https://other.test/x">out</a><img src="/logo.png"></body></html>';
const LANDING_GZ = gzipSync(LANDING_HTML);
const PNG = Buffer.from('89504e470d0a1a0a00', 'hex');

let n = 0;
function recorded(method: string, url: string, status: number | null, headers: HeaderLine[] = [], body: Buffer | string = ''): Exchange {
  n++;
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    id: `x${String(n).padStart(4, '0')}`,
    startedAt: new Date(Date.UTC(2026, 2, 2, 10, 0, n)).toISOString(),
    endedAt: new Date(Date.UTC(2026, 2, 2, 10, 0, n, 500)).toISOString(),
    request: { method, url, httpVersion: 'HTTP/1.1', headers: [], body: Buffer.alloc(0) },
    response:
      status === null
        ? null
        : {
            status,
            statusText: status === 302 ? 'Found' : status === 410 ? 'Gone For Good' : 'OK',
            httpVersion: 'HTTP/1.1',
            headers,
            body: b,
            bodyTruncated: false,
            bodyLength: b.length,
          },
    remoteAddress: '192.0.2.1',
    remotePort: 80,
    tls: null,
    error: status === null ? 'ECONNREFUSED' : null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
  };
}

const exchanges = [
  recorded(
    'GET',
    'http://shop.test/go',
    302,
    [
      ['Location', '/landing'],
      ['X-Custom', 'first'],
      ['Set-Cookie', 'tracker=abc; Path=/'],
      ['Connection', 'keep-alive, X-Hop'],
      ['X-Hop', 'dropped'],
      ['Transfer-Encoding', 'chunked'],
      ['Content-Length', '999'],
      ['Content-Security-Policy', "script-src 'self'; report-uri https://shop.test/csp"],
      ['Cache-Control', 'max-age=86400'],
      ['Date', 'Mon, 02 Mar 2026 10:00:01 GMT'],
    ],
    REDIRECT_BODY,
  ),
  recorded(
    'GET',
    'http://shop.test/landing',
    200,
    [
      ['Content-Type', 'text/html'],
      ['Content-Encoding', 'gzip'],
    ],
    LANDING_GZ,
  ),
  recorded('GET', 'http://shop.test/go', 410, [['Content-Type', 'text/plain']], 'gone'),
  recorded('GET', 'https://secure.test/page', 200, [['Content-Type', 'text/html; charset=utf-8']], '<title>secure</title>'),
  recorded('GET', 'http://shop.test/logo.png', 200, [['Content-Type', 'image/png']], PNG),
  recorded('GET', 'http://dead.test/', null),
];
const capture: Capture = {
  info: {
    tool: { name: 'clicktrace', version: 'test' },
    browser: null,
    identity: null,
    url: 'http://shop.test/go',
    mode: 'trace',
    commandLine: [],
    resolver: { overrides: [], dnsServer: null },
    clicks: [],
    startedAt: '2026-03-02T10:00:00.000Z',
    endedAt: null,
    error: null,
    partial: false,
  },
  exchanges,
  events: synthesizeDocumentChain(exchanges.slice(0, 2)),
  pages: [],
  dns: [],
};

interface Fetched {
  status: number;
  statusMessage: string;
  headers: HeaderLine[];
  body: Buffer;
}

interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  createConnection?: () => net.Socket;
}

function fetchVia(server: ReplayServer, path: string, opts: FetchOptions = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const { method = 'GET', headers, createConnection } = opts;
    // Node uses createConnection only without an agent.
    const connection: http.RequestOptions = createConnection ? { createConnection } : { agent: false };
    const options: http.RequestOptions = { host: '127.0.0.1', port: server.port, path, method, headers, ...connection };
    const req = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: HeaderLine[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode!, statusMessage: res.statusMessage!, headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
/** Proxy form: absolute URL in the request line, as a browser sends to its HTTP proxy. */
const viaProxy = (server: ReplayServer, url: string, method = 'GET') =>
  fetchVia(server, url, { method, headers: { Host: new URL(url).host } });
/** HTTPS through the proxy: CONNECT, then TLS checked against the replay's CA, then the request. */
function viaHttpsProxy(server: ReplayServer, url: string, caPem: string): Promise<Fetched> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const connect = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'CONNECT',
      path: `${target.hostname}:${target.port || 443}`,
      agent: false,
    });
    connect.on('connect', (res, socket) => {
      if (res.statusCode !== 200) return reject(new Error(`CONNECT answered ${res.statusCode}`));
      const secure = tls.connect({ socket, servername: target.hostname, ca: caPem });
      secure.on('error', reject);
      fetchVia(server, target.pathname + target.search, { headers: { Host: target.host }, createConnection: () => secure }).then(
        resolve,
        reject,
      );
    });
    connect.on('error', reject);
    connect.end();
  });
}
const header = (f: Fetched, name: string) => f.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

let replay: ReplayServer;
before(async () => {
  replay = await startReplay(capture, {});
});
after(() => replay.close());

test('listens on 127.0.0.1 and says where', () => {
  assert.equal(replay.url, `http://127.0.0.1:${replay.port}/`);
});

test('as a proxy: the recorded 302 with its raw headers and body, made safe', async () => {
  await fetchVia(replay, '/'); // the index page starts the order over
  const r = await viaProxy(replay, 'http://shop.test/go');
  assert.equal(r.status, 302);
  assert.equal(r.statusMessage, 'Found');
  assert.equal(r.body.toString(), REDIRECT_BODY);
  assert.deepEqual(r.headers.slice(0, 6), [
    ['Location', '/landing'],
    ['X-Custom', 'first'],
    ['X-Clicktrace-Recorded-Set-Cookie', 'tracker=abc; Path=/'],
    ['X-Clicktrace-Recorded-Content-Security-Policy', "script-src 'self'; report-uri https://shop.test/csp"],
    ['Cache-Control', 'max-age=86400'],
    ['Date', 'Mon, 02 Mar 2026 10:00:01 GMT'],
  ]);
  assert.deepEqual(header(r, 'content-length'), [String(Buffer.byteLength(REDIRECT_BODY))]);
  assert.deepEqual(header(r, 'set-cookie'), []);
  assert.deepEqual(header(r, 'x-hop'), []);
  assert.deepEqual(header(r, 'transfer-encoding'), []);
  assert.deepEqual(header(r, 'content-security-policy'), ['sandbox']);
  assert.deepEqual(header(r, 'cache-control'), ['max-age=86400', 'no-store']);
  assert.deepEqual(header(r, 'x-clicktrace-exchange'), ['x0001']);
});

test('as a proxy: the same URL again gets the next recording, then the last one repeats', async () => {
  await fetchVia(replay, '/');
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await viaProxy(replay, 'http://shop.test/go')).status);
  assert.deepEqual(statuses, [302, 410, 410]);
  const gone = await viaProxy(replay, 'http://shop.test/go');
  assert.equal(gone.statusMessage, 'Gone For Good');
  assert.equal(gone.body.toString(), 'gone');
});

test('as a proxy: bodies stay content-encoded with a Content-Length that fits them', async () => {
  const r = await viaProxy(replay, 'http://shop.test/landing');
  assert.equal(r.status, 200);
  assert.ok(r.body.equals(LANDING_GZ));
  assert.deepEqual(header(r, 'content-encoding'), ['gzip']);
  assert.deepEqual(header(r, 'content-length'), [String(LANDING_GZ.length)]);
  assert.equal(gunzipSync(r.body).toString(), LANDING_HTML, 'no rewriting through the proxy');
  const head = await viaProxy(replay, 'http://shop.test/logo.png', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.deepEqual(header(head, 'content-length'), [String(PNG.length)]);
});

test('unknown URLs are a 404 saying so; CONNECT is refused', async () => {
  const r = await viaProxy(replay, 'http://shop.test/nope');
  assert.equal(r.status, 404);
  assert.equal(r.body.toString(), 'not in this capture: GET http://shop.test/nope\n');
  assert.deepEqual(header(r, 'content-security-policy'), ['sandbox']);
  const post = await viaProxy(replay, 'http://shop.test/landing', 'POST');
  assert.equal(post.status, 404);
  const connect = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(replay.port, '127.0.0.1', () =>
      socket.write('CONNECT secure.test:443 HTTP/1.1\r\nHost: secure.test:443\r\n\r\n'),
    );
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  assert.match(connect, /^HTTP\/1\.1 403 Forbidden\r\n/);
});

test('a recorded failure is replayed as a 502 naming it', async () => {
  const r = await viaProxy(replay, 'http://dead.test/');
  assert.equal(r.status, 502);
  assert.equal(r.body.toString(), 'recorded failure: ECONNREFUSED\n');
  assert.deepEqual(header(r, 'x-clicktrace-exchange'), ['x0006']);
});

test('by prefixed path: Location and HTML URLs are rewritten to stay on the replay server', async () => {
  await fetchVia(replay, '/');
  const origin = `http://127.0.0.1:${replay.port}`;
  const hop = await fetchVia(replay, '/http://shop.test/go');
  assert.equal(hop.status, 302);
  assert.deepEqual(header(hop, 'location'), ['/http://shop.test/landing']);
  assert.equal(hop.body.toString(), REDIRECT_BODY);
  assert.deepEqual(header(hop, 'content-security-policy'), [
    `sandbox; default-src ${origin} data: blob: 'unsafe-inline'; form-action ${origin}`,
  ]);

  const landing = await fetchVia(replay, '/http://shop.test/landing');
  assert.equal(landing.status, 200);
  assert.deepEqual(header(landing, 'content-encoding'), [], 'decoded to be rewritten');
  assert.equal(
    landing.body.toString(),
    '<html><head><title>Landing</title></head><body><a href="/https://other.test/x">out</a><img src="/http://shop.test/logo.png"></body></html>',
  );
  assert.deepEqual(header(landing, 'content-length'), [String(landing.body.length)]);

  assert.equal((await fetchVia(replay, '/http://shop.test/go')).status, 410);
  const secure = await fetchVia(replay, '/https://secure.test/page');
  assert.equal(secure.body.toString(), '<title>secure</title>');
});

test('by prefixed path: a root-relative request is placed by its Referer, others are 404', async () => {
  const origin = `http://127.0.0.1:${replay.port}`;
  const r = await fetchVia(replay, '/logo.png', { headers: { Referer: `${origin}/http://shop.test/landing` } });
  assert.equal(r.status, 307);
  assert.deepEqual(header(r, 'location'), ['/http://shop.test/logo.png']);
  const lost = await fetchVia(replay, '/logo.png');
  assert.equal(lost.status, 404);
  assert.equal(lost.body.toString(), 'not in this capture: /logo.png\n');
  const png = await fetchVia(replay, '/http://shop.test/logo.png');
  assert.ok(png.body.equals(PNG));
});

test('the index page lists the entry URL and the chain, without scripts', async () => {
  const r = await fetchVia(replay, '/');
  assert.equal(r.status, 200);
  assert.deepEqual(header(r, 'content-security-policy'), ["default-src 'none'; style-src 'unsafe-inline'"]);
  const html = r.body.toString();
  assert.match(html, /Entry URL: <a href="\/http:\/\/shop\.test\/go">http:\/\/shop\.test\/go<\/a>/);
  assert.match(
    html,
    /<li>GET <a href="\/http:\/\/shop\.test\/landing">http:\/\/shop\.test\/landing<\/a> <small>\(after 302\)<\/small> → 200 text\/html<\/li>/,
  );
  assert.match(html, /<td>x0006<\/td><td>GET<\/td><td>ECONNREFUSED<\/td>/);
  assert.doesNotMatch(html, /<script/i);
});

test('allowScripts loosens the sandbox but keeps the origin opaque', async () => {
  const permissive = await startReplay(capture, { allowScripts: true });
  try {
    const r = await viaProxy(permissive, 'http://shop.test/landing');
    const csp = header(r, 'content-security-policy')[0];
    assert.equal(csp, 'sandbox allow-scripts allow-forms allow-popups allow-modals');
    assert.doesNotMatch(csp, /allow-same-origin/);
  } finally {
    await permissive.close();
  }
});

test('with a CA, HTTPS replays through the proxy too, under certificates of that CA', async () => {
  const ca = createCertificateAuthority('Replay Test CA');
  const withTls = await startReplay(capture, { httpsCa: ca });
  try {
    const r = await viaHttpsProxy(withTls, 'https://secure.test/page', ca.certPem);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), '<title>secure</title>');
    assert.deepEqual(header(r, 'content-security-policy'), ['sandbox']);
    const missing = await viaHttpsProxy(withTls, 'https://secure.test/other', ca.certPem);
    assert.equal(missing.body.toString(), 'not in this capture: GET https://secure.test/other\n');
  } finally {
    await withTls.close();
  }
});
