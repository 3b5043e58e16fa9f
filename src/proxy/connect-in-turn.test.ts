// A name's addresses tried in turn through the recording proxy, against real servers on the two
// loopback addresses: the next address only when the one before took no connection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exchange } from '../model.js';
import { curlThrough, recordedExchange } from '../../test/support/proxy-client.js';
import { CertificateIssuer, createCertificateAuthority } from '../tls/certs.js';
import { connectInTurn, type ConnectError } from './connect-in-turn.js';
import { RecordingProxy } from './recording-proxy.js';
import { Resolver } from './resolver.js';

const upstreamCa = createCertificateAuthority('in-turn upstream CA');
const proxyCa = createCertificateAuthority('in-turn proxy CA');
const dir = mkdtempSync(join(tmpdir(), 'clicktrace-in-turn-'));
const proxyCaFile = join(dir, 'proxy-ca.pem');
writeFileSync(proxyCaFile, proxyCa.certPem);

let v6Hits = 0;
const v6Plain = http.createServer((_req, res) => {
  v6Hits++;
  res.end('on ::1');
});
const leaf = new CertificateIssuer(upstreamCa).issue(['localhost']);
const v6Secure = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => {
  v6Hits++;
  res.end('secure on ::1');
});
// 127.0.0.1 takes the connection and drops it: the request may have reached a server, so ::1 (on the same port) must not be tried.
let v6Connections = 0;
const v4Dropping = net.createServer((socket) => socket.destroy());
const v6Counting = net.createServer((socket) => {
  v6Connections++;
  socket.destroy();
});
const exchanges: Exchange[] = [];
let proxy: RecordingProxy;

const listen = (server: net.Server, host: string, port = 0) => new Promise<void>((r) => server.listen(port, host, r));
const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

before(async () => {
  await Promise.all([listen(v6Plain, '::1'), listen(v6Secure, '::1'), listen(v4Dropping, '127.0.0.1')]);
  await listen(v6Counting, '::1', portOf(v4Dropping));
  proxy = new RecordingProxy({
    ca: proxyCa,
    resolver: new Resolver({ allowPrivate: true }),
    extraCaPems: [upstreamCa.certPem],
    onExchange: (x) => exchanges.push(x),
  });
  await proxy.listen();
});
after(async () => {
  await proxy.close();
  for (const server of [v6Plain, v6Secure, v4Dropping, v6Counting]) server.close();
  rmSync(dir, { recursive: true, force: true });
});

const recorded = (url: string) => recordedExchange(exchanges, url);
const curl = (...args: string[]) => curlThrough(proxy.port, proxyCaFile, ...args);

test('localhost is both loopback addresses, as a browser takes it: 127.0.0.1, then ::1 when 127.0.0.1 refuses', async () => {
  const resolver = new Resolver({ allowPrivate: true });
  assert.deepEqual(await resolver.target('localhost', 80), { address: '127.0.0.1', port: 80, alternatives: ['::1'] });
  assert.deepEqual(await resolver.target('app.localhost', 80), { address: '127.0.0.1', port: 80, alternatives: ['::1'] });
  await resolver.settled();
  assert.deepEqual(
    resolver.records.map((r) => [r.host, r.source, r.addresses]),
    [
      ['localhost', 'localhost', ['127.0.0.1', '::1']],
      ['app.localhost', 'localhost', ['127.0.0.1', '::1']],
    ],
  );
  await assert.rejects(new Resolver().target('localhost', 80), /blocked: localhost resolves to private address 127\.0\.0\.1/);

  v6Hits = 0;
  const plainUrl = `http://localhost:${portOf(v6Plain)}/only-v6`;
  assert.equal((await curl(plainUrl)).stdout, 'on ::1');
  assert.equal((await recorded(plainUrl)).remoteAddress, '::1');
  const secureUrl = `https://localhost:${portOf(v6Secure)}/only-v6`;
  assert.equal((await curl(secureUrl)).stdout, 'secure on ::1');
  const x = await recorded(secureUrl);
  assert.equal(x.remoteAddress, '::1');
  assert.equal(x.tls?.authorized, true);
  assert.equal(v6Hits, 2, 'each requested once');
});

test('a connection made to the first address is the one: never another address after it, even when it fails', async () => {
  v6Connections = 0;
  const url = `http://localhost:${portOf(v4Dropping)}/dropped`;
  const { stdout } = await curl('-D', '-', url);
  assert.match(stdout, /^HTTP\/1\.1 502/);
  const x = await recorded(url);
  assert.match(x.error ?? '', /\(127\.0\.0\.1:\d+\)$/);
  assert.equal(v6Connections, 0, '::1 was not tried after 127.0.0.1 took the connection');
});

test('connectInTurn: the error of the last address when none takes the connection, naming every address tried', async () => {
  const closed = net.createServer();
  await listen(closed, '127.0.0.1');
  const port = portOf(closed);
  await new Promise((r) => closed.close(r));
  const err = await new Promise<ConnectError | null>((resolve) =>
    connectInTurn(['127.0.0.1', '::1'], { port }, 5000, (e, socket) => {
      socket?.destroy();
      resolve(e);
    }),
  );
  assert.equal(err?.code, 'ECONNREFUSED');
  assert.deepEqual(err?.tried, ['127.0.0.1', '::1']);
});

test('connectInTurn: a request given up meanwhile tries no further address', async () => {
  const closed = net.createServer();
  await listen(closed, '127.0.0.1');
  const port = portOf(closed);
  await new Promise((r) => closed.close(r));
  const err = await new Promise<ConnectError | null>((resolve) =>
    connectInTurn(
      ['127.0.0.1', '::1'],
      { port },
      5000,
      (e, socket) => {
        socket?.destroy();
        resolve(e);
      },
      () => false,
    ),
  );
  assert.equal(err?.code, 'ECONNREFUSED');
  assert.deepEqual(err?.tried, ['127.0.0.1']);
});

/**
 * A loopback port that never answers a connection attempt, as a dead server's address does: a
 * listener in another process that never accepts (its main thread blocked, without spending CPU),
 * its one-place backlog filled, so the kernel drops every further SYN.
 */
async function silentPort(): Promise<{ port: number; close: () => void }> {
  const script =
    "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{" +
    "process.stdout.write(s.address().port+'\\n');setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0),20)})";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 100));
  const fillers = [0, 1, 2].map(() => net.connect({ port, host: '127.0.0.1' }).on('error', () => undefined));
  await new Promise((r) => setTimeout(r, 200));
  return {
    port,
    close: () => {
      child.kill('SIGKILL');
      for (const socket of fillers) socket.destroy();
    },
  };
}

test('connectInTurn: an address that never answers is raced by the next one after a while, and the first connection made is the one', async () => {
  const silent = await silentPort();
  const v6 = net.createServer((socket) => socket.end());
  try {
    await listen(v6, '::1', silent.port);
    const started = performance.now();
    const { err, socket } = await new Promise<{ err: ConnectError | null; socket?: net.Socket }>((resolve) =>
      connectInTurn(
        ['127.0.0.1', '::1'],
        { port: silent.port },
        20_000,
        (e, s) => resolve({ err: e, socket: s }),
        () => true,
        200,
      ),
    );
    assert.equal(err, null);
    assert.equal(socket?.remoteAddress, '::1');
    socket?.destroy();
    assert.ok(performance.now() - started < 10_000, 'not the upstream timeout');

    const alone = await new Promise<ConnectError | null>((resolve) =>
      connectInTurn(['127.0.0.1'], { port: silent.port }, 300, (e, s) => {
        s?.destroy();
        resolve(e);
      }),
    );
    assert.equal(alone?.code, 'ETIMEDOUT');
    assert.deepEqual(alone?.tried, ['127.0.0.1']);
  } finally {
    v6.close();
    silent.close();
  }
});

test('a host whose first address never answers is served by its next one, requested once (not after the upstream timeout)', async () => {
  const silent = await silentPort();
  let hits = 0;
  const v6 = http.createServer((_req, res) => {
    hits++;
    res.end('on ::1 after a silent 127.0.0.1');
  });
  try {
    await listen(v6, '::1', silent.port);
    const url = `http://localhost:${silent.port}/silent-first`;
    const started = performance.now();
    assert.equal((await curl(url)).stdout, 'on ::1 after a silent 127.0.0.1');
    assert.ok(performance.now() - started < 15_000);
    const x = await recorded(url);
    assert.equal(x.remoteAddress, '::1');
    assert.equal(hits, 1);
  } finally {
    v6.close();
    silent.close();
  }
});
