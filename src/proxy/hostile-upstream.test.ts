// The proxy against raw TCP servers that misbehave as hostile ones do: it must be at least as
// lenient as Chromium, pass on what Chromium would get, and record precisely what was wrong.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Exchange } from '../model.js';
import { createCertificateAuthority } from '../tls/certs.js';
import { RecordingProxy } from './recording-proxy.js';
import { Resolver } from './resolver.js';
import { parseConnectToRule } from './target-rules.js';

const PAGE = Buffer.from(`<!doctype html><title>Truncated offer</title><p>${'x'.repeat(20_000)}</p>`);
const GZIPPED = gzipSync(PAGE);
const CORRUPT_GZIP = Buffer.concat([GZIPPED.subarray(0, 40), Buffer.alloc(200, 0xff), GZIPPED.subarray(240)]);

/** Each path answers with raw bytes; `then` says how the connection ends after them. */
const answers: Record<string, { bytes: Buffer; then: 'keep' | 'end' | 'reset' | 'reset-at-once' }> = {
  '/big-head': { bytes: head(200, [['X-Pad', 'p'.repeat(40_000)], ...padding(30), ['Content-Length', '2']], 'ok'), then: 'keep' },
  '/huge-head': {
    bytes: head(
      200,
      [
        ['X-Pad', 'p'.repeat(300_000)],
        ['Content-Length', '2'],
      ],
      'ok',
    ),
    then: 'keep',
  },
  '/short': {
    bytes: head(
      200,
      [
        ['Content-Type', 'text/html'],
        ['Content-Length', String(PAGE.length)],
      ],
      PAGE.subarray(0, 6000),
    ),
    then: 'end',
  },
  '/short-chunked': { bytes: head(200, [['Transfer-Encoding', 'chunked']], Buffer.from('5\r\nhello\r\n')), then: 'end' },
  '/reset': {
    bytes: head(
      200,
      [
        ['Content-Type', 'text/html'],
        ['Content-Length', '100000'],
      ],
      PAGE.subarray(0, 12_345),
    ),
    then: 'reset',
  },
  // The reset follows the bytes at once: both are in the proxy's socket before it reads them,
  // which libuv reports as an end of stream, not a reset.
  '/reset-at-once': {
    bytes: head(
      200,
      [
        ['Content-Type', 'text/html'],
        ['Content-Length', '100000'],
      ],
      PAGE.subarray(0, 12_345),
    ),
    then: 'reset-at-once',
  },
  // A page posing as the proxy, so that the trace would take it for a server that could not be reached.
  '/posing-as-proxy': {
    bytes: head(
      502,
      [
        ['Content-Type', 'text/plain'],
        ['X-Clicktrace-Error', 'connection%20refused'],
        ['Content-Length', '2'],
      ],
      'no',
    ),
    then: 'keep',
  },
  '/corrupt-gzip': {
    bytes: head(
      200,
      [
        ['Content-Type', 'text/html'],
        ['Content-Encoding', 'gzip'],
        ['Content-Length', String(CORRUPT_GZIP.length)],
      ],
      CORRUPT_GZIP,
    ),
    then: 'keep',
  },
};

function head(status: number, headers: [string, string][], body: string | Buffer): Buffer {
  const text = `HTTP/1.1 ${status} OK\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from(body)]);
}

function padding(n: number): [string, string][] {
  return Array.from({ length: n }, (_, i): [string, string] => [`X-Pad-${i}`, 'q'.repeat(500)]);
}

const received: string[] = [];
/** Every connection the proxy opened: how many requests it carried, and whether the proxy ended it. */
const connections: { requests: number; endedByProxy: boolean }[] = [];
const server = net.createServer((socket) => {
  let buffered = '';
  const connection = { requests: 0, endedByProxy: false };
  connections.push(connection);
  socket.on('end', () => (connection.endedByProxy = true));
  socket.on('error', () => undefined);
  socket.on('data', (data) => {
    buffered += data.toString('latin1');
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const request = buffered.slice(0, end + 4);
    buffered = buffered.slice(end + 4);
    received.push(request);
    connection.requests++;
    const answer = answers[request.split(' ')[1]];
    if (!answer) return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    socket.write(answer.bytes, () => {
      if (answer.then === 'end') socket.end();
      if (answer.then === 'reset') setTimeout(() => socket.resetAndDestroy(), 50);
      if (answer.then === 'reset-at-once') socket.resetAndDestroy();
    });
  });
});

const IDLE_MS = 300;
let proxy: RecordingProxy;
const exchanges: Exchange[] = [];
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  proxy = new RecordingProxy({
    ca: createCertificateAuthority('hostile test CA'),
    resolver: new Resolver({ connectTo: [parseConnectToRule(`:80:127.0.0.1:${port}`)] }),
    onExchange: (x) => exchanges.push(x),
    upstreamIdleMs: IDLE_MS,
  });
  await proxy.listen();
  process.on('warning', onWarning);
});
after(async () => {
  process.off('warning', onWarning);
  await proxy.close();
  server.close();
});

/** A request through the proxy as a browser makes it: what came back, and how it ended. */
function get(path: string): Promise<{ status: number | null; body: Buffer; complete: boolean; error: string | null; headers: string[] }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const req = http.request({ host: '127.0.0.1', port: proxy.port, path: `http://hostile.test${path}`, maxHeaderSize: 256 * 1024 });
    req.on('error', (err) => resolve({ status: null, body: Buffer.concat(chunks), complete: false, error: err.message, headers: [] }));
    req.on('response', (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? null,
          body: Buffer.concat(chunks),
          complete: res.complete,
          error: null,
          headers: res.rawHeaders,
        }),
      );
    });
    req.end();
  });
}

async function exchangeFor(path: string): Promise<Exchange> {
  for (let i = 0; i < 100; i++) {
    const x = exchanges.find((e) => e.request.url === `http://hostile.test${path}`);
    if (x) return x;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no exchange for ${path}`);
}

test("a response head over Node's 16 KB (Chromium takes 256 KB) is passed on and recorded", async () => {
  const got = await get('/big-head');
  assert.equal(got.status, 200);
  assert.equal(got.body.toString(), 'ok');
  const x = await exchangeFor('/big-head');
  assert.equal(x.error, null);
  assert.equal(x.response?.headers.find(([n]) => n === 'X-Pad')?.[1].length, 40_000);
  assert.equal(x.response?.faults, undefined);
});

test('a response head over 256 KB fails, as in Chromium, with a precise reason', async () => {
  const got = await get('/huge-head');
  assert.equal(got.status, 502);
  const x = await exchangeFor('/huge-head');
  assert.match(x.error ?? '', /^response head from hostile\.test \(127\.0\.0\.1:\d+\) is larger than 256 KB, the most Chromium accepts$/);
});

test("a server's own X-Clicktrace-Error is recorded but never passed on: only the proxy tells the browser it could not reach a server", async () => {
  const got = await get('/posing-as-proxy');
  assert.equal(got.status, 502);
  assert.equal(got.body.toString(), 'no');
  assert.ok(!got.headers.some((h) => h.toLowerCase() === 'x-clicktrace-error'), got.headers.join(' '));
  const x = await exchangeFor('/posing-as-proxy');
  assert.equal(x.error, null);
  assert.deepEqual(
    x.response?.headers.find(([n]) => n === 'X-Clicktrace-Error'),
    ['X-Clicktrace-Error', 'connection%20refused'],
  );
});

test('a body shorter than its Content-Length is passed on as far as it came, and recorded as such', async () => {
  const got = await get('/short');
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, PAGE.subarray(0, 6000));
  assert.equal(got.complete, false, 'the client sees the connection close before the announced length');
  const x = await exchangeFor('/short');
  assert.equal(x.error, `connection closed after 6,000 of ${PAGE.length.toLocaleString('en-US')} bytes (Content-Length)`);
  assert.deepEqual(x.response?.faults, [{ kind: 'short-body', message: x.error, receivedBytes: 6000, expectedBytes: PAGE.length }]);
  assert.deepEqual(x.response?.body, PAGE.subarray(0, 6000));
  assert.equal(x.response?.bodyTruncated, true);

  const chunked = await get('/short-chunked');
  assert.equal(chunked.body.toString(), 'hello');
  assert.equal(chunked.complete, false);
  assert.equal((await exchangeFor('/short-chunked')).error, 'connection closed after 5 bytes, before the last chunk');
});

test('a connection reset in the middle of a body is recorded with the bytes received', async () => {
  const got = await get('/reset');
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, PAGE.subarray(0, 12_345));
  const x = await exchangeFor('/reset');
  assert.equal(x.error, 'connection reset after 12,345 bytes');
  assert.deepEqual(x.response?.faults, [{ kind: 'reset', message: x.error, receivedBytes: 12_345, expectedBytes: 100_000 }]);
});

test('a reset that comes with the last bytes, before they are read, is still a reset (not a close)', async () => {
  for (let i = 0; i < 10; i++) {
    exchanges.length = 0;
    await get('/reset-at-once');
    const x = await exchangeFor('/reset-at-once');
    assert.equal(x.error?.replace(/[\d,]+ bytes/, 'N bytes'), 'connection reset after N bytes', `try ${i + 1}: ${x.error}`);
  }
});

test('an idle upstream connection is reused at once, and closed by the proxy before the server may close it', async () => {
  const first = connections.length;
  await get('/big-head');
  await get('/big-head');
  assert.equal(connections.length, first + 1, "the second request went on the first one's connection");
  assert.equal(connections[first].requests, 2);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
  assert.equal(connections[first].endedByProxy, true, 'the idle connection was closed by the proxy');
  await get('/big-head');
  assert.equal(connections.length, first + 2, 'a later request opens a new connection');
});

test('a corrupt gzip body is passed on as received (Chromium decides) and the fault recorded', async () => {
  const got = await get('/corrupt-gzip');
  assert.deepEqual(got.body, CORRUPT_GZIP);
  assert.equal(got.complete, true);
  const x = await exchangeFor('/corrupt-gzip');
  assert.equal(x.error, null);
  assert.deepEqual(x.response?.body, CORRUPT_GZIP);
  assert.equal(x.response?.faults?.length, 1);
  assert.equal(x.response.faults[0].kind, 'content-encoding');
  assert.match(x.response.faults[0].message, /^content-encoding gzip: corrupt data \(.+\)$/);
});

test("the request goes upstream with the client's header lines in order, repeats and case, as recorded", async () => {
  received.length = 0;
  // A raw client: Node's own would add a Connection header of its own at the end.
  await new Promise<void>((resolve, reject) => {
    const client = net.connect(proxy.port, '127.0.0.1', () =>
      client.write(
        'GET http://hostile.test/big-head HTTP/1.1\r\nHost: hostile.test\r\nProxy-Connection: keep-alive\r\n' +
          'X-Dup: one\r\naccept: */*\r\nx-dup: two\r\nCookie: a=1\r\n\r\n',
      ),
    );
    let answer = '';
    client.on('error', reject);
    client.on('data', (data) => {
      answer += data.toString('latin1');
      if (answer.endsWith('\r\n\r\nok')) client.end(resolve);
    });
  });
  const sent =
    'GET /big-head HTTP/1.1\r\nHost: hostile.test\r\nConnection: keep-alive\r\nX-Dup: one\r\naccept: */*\r\nx-dup: two\r\nCookie: a=1\r\n\r\n';
  assert.deepEqual(received, [sent]);
  const recorded = exchanges.filter((e) => e.request.url === 'http://hostile.test/big-head').at(-1)!;
  assert.equal(`GET /big-head HTTP/1.1\r\n${recorded.request.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, sent);
});

test('a large body through a slow client: backpressure leaves no listener behind', async () => {
  const size = 24 * 1024 * 1024;
  const big = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': size, 'Content-Type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
  const slowProxy = new RecordingProxy({
    ca: createCertificateAuthority('slow test CA'),
    resolver: new Resolver({ connectTo: [parseConnectToRule(`:80:127.0.0.1:${(big.address() as net.AddressInfo).port}`)] }),
    onExchange: (x) => exchanges.push(x),
  });
  await slowProxy.listen();
  try {
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: slowProxy.port, path: 'http://big.test/file' });
      req.on('error', reject);
      req.on('response', (res) => {
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          res.pause();
          setImmediate(() => res.resume());
        });
        res.on('end', resolve);
      });
      req.end();
    });
    assert.equal(bytes, size);
    const x = exchanges.find((e) => e.request.url === 'http://big.test/file');
    assert.equal(x?.response?.bodyLength, size);
    assert.deepEqual(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  } finally {
    await slowProxy.close();
    big.close();
  }
});
