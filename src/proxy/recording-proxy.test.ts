// The recording proxy against real local servers, driven by curl: what is recorded is what was
// on the wire, nothing is retried, upstream TLS is described, failures are answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Exchange } from '../model.js';
import { curlThrough, listenOnLoopback, recordedExchange } from '../../test/support/proxy-client.js';
import { CertificateIssuer, createCertificateAuthority } from '../tls/certs.js';
import { RecordingProxy } from './recording-proxy.js';
import { Resolver } from './resolver.js';
import { parseConnectToRule } from './target-rules.js';

const run = promisify(execFile);
const upstreamCa = createCertificateAuthority('upstream test CA');
const proxyCa = createCertificateAuthority('proxy test CA');
const dir = mkdtempSync(join(tmpdir(), 'clicktrace-proxy-'));
const proxyCaFile = join(dir, 'proxy-ca.pem');
writeFileSync(proxyCaFile, proxyCa.certPem);
let hits = 0;
const seenTargets: string[] = [];
const plain = http.createServer((req, res) => {
  hits++;
  seenTargets.push(req.url ?? '');
  if (req.url === '/gz') {
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' });
    res.end(gzipSync('<p>compressed</p>'));
    return;
  }
  res.writeHead(
    302,
    [
      ['Location', 'https://secure.test/next'],
      ['X-Odd-Case', 'a'],
      ['set-cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ].flat(),
  );
  res.end('moved here');
});
const leaf = new CertificateIssuer(upstreamCa).issue(['secure.test']);
const secure = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('secret page'));
let proxy: RecordingProxy;
const exchanges: Exchange[] = [];

before(async () => {
  const [plainPort, securePort] = await listenOnLoopback(plain, secure);
  // The first matching rule wins, as in curl.
  const connectTo = [`refused.test:80:127.0.0.1:1`, `:80:127.0.0.1:${plainPort}`, `:443:127.0.0.1:${securePort}`];
  proxy = new RecordingProxy({
    ca: proxyCa,
    resolver: new Resolver({ connectTo: connectTo.map(parseConnectToRule) }),
    extraCaPems: [upstreamCa.certPem],
    onExchange: (x) => exchanges.push(x),
  });
  await proxy.listen();
});
after(async () => {
  await proxy.close();
  plain.close();
  secure.close();
});

const recorded = (url: string) => recordedExchange(exchanges, url);
const curl = (...args: string[]) => curlThrough(proxy.port, proxyCaFile, ...args);

test('records raw header lines in order and case, and the 3xx body, requesting once', async () => {
  hits = 0;
  const { stdout } = await curl('-H', 'X-Client: One', 'http://tracker.test/click?id=1');
  assert.equal(stdout, 'moved here');
  assert.equal(hits, 1);
  const x = await recorded('http://tracker.test/click?id=1');
  assert.equal(x.response?.status, 302);
  assert.equal(x.response?.body.toString(), 'moved here');
  assert.deepEqual(
    x.response?.headers.filter(([k]) => /cookie|odd/i.test(k)),
    [
      ['X-Odd-Case', 'a'],
      ['set-cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ],
  );
  assert.ok(x.request.headers.some(([k, v]) => k === 'X-Client' && v === 'One'));
  assert.ok(!x.request.headers.some(([k]) => /^proxy-/i.test(k)));
  assert.equal(x.remoteAddress, '127.0.0.1');
  assert.equal(x.tls, null);
});

test('HTTPS through CONNECT: upstream certificate chain, protocol and verification recorded', async () => {
  const { stdout } = await curl('https://secure.test/next');
  assert.equal(stdout, 'secret page');
  const x = await recorded('https://secure.test/next');
  assert.equal(x.tls?.authorized, true);
  assert.match(x.tls?.protocol ?? '', /^TLSv1\.[23]$/);
  assert.deepEqual(x.tls?.chain[0]?.sans, ['secure.test']);
  assert.match(x.tls?.chain[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
});

test('bodies are kept content-encoded, as received', async () => {
  await curl('http://tracker.test/gz');
  const x = await recorded('http://tracker.test/gz');
  assert.equal(x.response?.body[0], 0x1f, 'gzip magic: still encoded');
});

test('an unreachable upstream is recorded as an error, and the proxy answers in its own marked name', async () => {
  const { stdout } = await curl('-D', '-', 'http://refused.test/');
  assert.match(stdout, /^HTTP\/1\.1 502/);
  assert.match(stdout, /X-Clicktrace-Error: connection%20refused/i);
  const x = await recorded('http://refused.test/');
  assert.match(x.error ?? '', /connection refused/);
  assert.equal(x.response, null);
});

test('the request target is forwarded exactly as the client sent it', async () => {
  seenTargets.length = 0;
  await curl('--path-as-is', "http://tracker.test/a/../b?x='y'&z=%2F");
  assert.deepEqual(seenTargets, ["/a/../b?x='y'&z=%2F"]);
  assert.ok(exchanges.some((e) => e.request.url === "http://tracker.test/a/../b?x='y'&z=%2F"));
});

test('with catchUp, each request waits for it: a stop made meanwhile refuses all but the one allowed, nothing else goes upstream', async () => {
  let release = () => undefined as void;
  let waiting = 0;
  const held = new RecordingProxy({
    ca: proxyCa,
    resolver: new Resolver({ connectTo: [parseConnectToRule(`:80:127.0.0.1:${(plain.address() as AddressInfo).port}`)] }),
    catchUp: () => {
      waiting++;
      return new Promise<void>((resolve) => (release = resolve));
    },
    onExchange: () => undefined,
  });
  await held.listen();
  try {
    seenTargets.length = 0;
    const get = (path: string) =>
      run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-x', `http://127.0.0.1:${held.port}`, `http://tracker.test${path}`]);
    const cut = get('/cut');
    while (waiting < 1) await new Promise((r) => setTimeout(r, 5));
    const first = release;
    const next = get('/after-cut');
    while (waiting < 2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seenTargets, [], 'nothing forwarded before the catch-up');
    held.stopForwarding('http://tracker.test/cut');
    assert.ok(held.expects('http://tracker.test/cut'));
    first();
    release();
    assert.deepEqual([(await cut).stdout, (await next).stdout], ['302', '502']);
    assert.deepEqual(seenTargets, ['/cut']);
    assert.ok(!held.expects('http://tracker.test/cut'));
  } finally {
    await held.close();
  }
});

test('a request head as long as a URL Chromium sends (1 MiB) reaches its server, whose own answer is recorded', async () => {
  const url = `http://tracker.test/long?x=${'a'.repeat(1024 * 1024)}`;
  // As a browser asks a proxy (too long a command line for curl).
  const status = await new Promise<number | undefined>((resolve, reject) =>
    http
      .get({ host: '127.0.0.1', port: proxy.port, path: url, headers: { Host: 'tracker.test' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on('error', reject),
  );
  // The test server keeps Node's 16 KB limit: its 431, not a reset by the proxy.
  assert.equal(status, 431);
  const x = await recorded(url);
  assert.equal(x.error, null);
  assert.equal(x.response?.status, 431);
});

test('a tunnel the browser opened and sent nothing through yet is a request on its way (tunnelOpenFor), for its host and port, until closed', async () => {
  const url = 'https://tunnel-probe.test:8443/cut';
  assert.equal(proxy.tunnelOpenFor(url), false);
  const socket = net.connect(proxy.port, '127.0.0.1');
  socket.write('CONNECT tunnel-probe.test:8443 HTTP/1.1\r\nHost: tunnel-probe.test:8443\r\n\r\n');
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  // The tunnel is handed on once its first byte comes: the TLS ClientHello's.
  socket.write(Buffer.from([0x16, 0x03, 0x01]));
  for (let i = 0; i < 100 && !proxy.tunnelOpenFor(url); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(proxy.tunnelOpenFor(url), true);
  assert.equal(proxy.tunnelOpenFor('https://tunnel-probe.test/cut'), false, 'another port');
  assert.equal(proxy.tunnelOpenFor('https://other.test:8443/cut'), false, 'another host');
  socket.destroy();
  for (let i = 0; i < 100 && proxy.tunnelOpenFor(url); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(proxy.tunnelOpenFor(url), false);
});
