// Early upstream connections (preconnect.ts) through the real proxy and a real TLS server: opened
// while the browser's handshake goes on, they carry the tunnel's request; nothing else goes
// upstream; one the server closed meanwhile is not used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import type { Exchange } from '../model.js';
import { CertificateIssuer, createCertificateAuthority } from '../tls/certs.js';
import { RecordingProxy } from './recording-proxy.js';
import { Resolver } from './resolver.js';
import { parseConnectToRule } from './target-rules.js';

const upstreamCa = createCertificateAuthority('upstream test CA');
const proxyCa = createCertificateAuthority('proxy test CA');
const leaf = new CertificateIssuer(upstreamCa).issue(['early.test', 'closing.test']);

interface Seen {
  connections: { at: number; servername: string | false | null; closedAt: number | null }[];
  requests: { at: number; url: string }[];
}
const seen: Seen = { connections: [], requests: [] };
const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
  seen.requests.push({ at: performance.now(), url: `${req.headers.host}${req.url}` });
  res.end('hello');
});
server.on('secureConnection', (socket: tls.TLSSocket) => {
  const record = { at: performance.now(), servername: socket.servername, closedAt: null as number | null };
  seen.connections.push(record);
  socket.on('close', () => (record.closedAt = performance.now()));
  // closing.test closes a connection that has carried no request after 50 ms (as some servers do).
  if (socket.servername === 'closing.test') {
    let used = false;
    socket.once('data', () => (used = true));
    setTimeout(() => !used && socket.end(), 50);
  }
});

const exchanges: Exchange[] = [];
let proxy: RecordingProxy;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  proxy = new RecordingProxy({
    ca: proxyCa,
    resolver: new Resolver({ connectTo: [parseConnectToRule(`:443:127.0.0.1:${port}`)] }),
    extraCaPems: [upstreamCa.certPem],
    onExchange: (x) => exchanges.push(x),
  });
  await proxy.listen();
});
after(async () => {
  await proxy.close();
  server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A browser's tunnel: CONNECT, then its own TLS handshake with the proxy. */
async function tunnel(host: string, through = proxy): Promise<tls.TLSSocket> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port: through.port, method: 'CONNECT', path: `${host}:443` })
      .on('connect', (_res, s) => resolve(s))
      .on('error', reject)
      .end();
  });
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername: host, ca: proxyCa.certPem }, () => resolve(secure));
    secure.on('error', reject);
  });
}

/** One request on the tunnel, its whole answer read. */
function get(socket: tls.TLSSocket, host: string, path: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

async function until<T>(what: () => T | undefined, ms = 3000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) {
    const value = what();
    if (value !== undefined) return value;
  }
  throw new Error('timed out');
}

test('the upstream connection opens before the request comes, and carries it', async () => {
  const before = seen.connections.length;
  const socket = await tunnel('early.test');
  await sleep(150);
  // Opened while the browser's handshake went on, not when its request came.
  const opened = seen.connections.slice(before);
  assert.equal(opened.length, 1);
  assert.equal(opened[0].servername, 'early.test');
  assert.equal(seen.requests.filter((r) => r.url === 'early.test/first').length, 0);
  const answer = await get(socket, 'early.test', '/first');
  assert.match(answer, /^HTTP\/1\.1 200/);
  assert.match(answer, /hello$/);
  // That connection carried the request: no other was opened, and the request went once.
  assert.equal(seen.connections.length, before + 1);
  assert.equal(seen.requests.filter((r) => r.url === 'early.test/first').length, 1);
  const exchange = await until(() => exchanges.find((x) => x.request.url === 'https://early.test/first'));
  assert.equal(exchange.response?.status, 200);
  assert.equal(exchange.tls?.servername, 'early.test');
  assert.equal(exchange.tls?.authorized, true);
  assert.ok(exchange.tls?.chain.length, 'certificate chain recorded');
  assert.ok(exchange.timing.connectMs !== null, 'connect time recorded');
});

test('a tunnel that sends no request sends nothing upstream, and its connection closes with it', async () => {
  const before = seen.connections.length;
  const requests = seen.requests.length;
  const socket = await tunnel('early.test');
  const opened = await until(() => seen.connections[before]);
  socket.destroy();
  await until(() => (opened.closedAt !== null ? true : undefined));
  assert.equal(seen.requests.length, requests);
});

test('an early connection the server closed is not used: the request gets a connection of its own', async () => {
  const before = seen.connections.length;
  const socket = await tunnel('closing.test');
  const early = await until(() => seen.connections[before]);
  await until(() => (early.closedAt !== null ? true : undefined));
  const answer = await get(socket, 'closing.test', '/late');
  assert.match(answer, /^HTTP\/1\.1 200/);
  assert.equal(seen.connections.length, before + 2);
  assert.equal(seen.requests.filter((r) => r.url === 'closing.test/late').length, 1);
  const exchange = await until(() => exchanges.find((x) => x.request.url === 'https://closing.test/late'));
  assert.equal(exchange.error, null);
});

test('a tunnel asked for after the chain was cut opens nothing upstream: the proxy catches up first', async () => {
  const port = (server.address() as AddressInfo).port;
  // As a trace does: when the proxy catches up, the trace has learnt of the cut and stops forwarding.
  const cut: RecordingProxy = new RecordingProxy({
    ca: proxyCa,
    resolver: new Resolver({ connectTo: [parseConnectToRule(`:443:127.0.0.1:${port}`)] }),
    extraCaPems: [upstreamCa.certPem],
    catchUp: () => Promise.resolve(cut.stopForwarding()),
    onExchange: () => undefined,
  });
  await cut.listen();
  try {
    const before = seen.connections.length;
    const secure = await tunnel('early.test', cut);
    const answer = await get(secure, 'early.test', '/after-cut');
    assert.match(answer, /^HTTP\/1\.1 502/);
    // An early connection would have been made while the browser's handshake went on: given time to show.
    await sleep(150);
    assert.equal(seen.connections.length, before, 'no connection opened upstream');
    assert.equal(seen.requests.filter((r) => r.url === 'early.test/after-cut').length, 0);
  } finally {
    await cut.close();
  }
});
