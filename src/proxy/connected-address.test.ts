// The address an exchange was connected to is recorded once the connection is made, not only when
// an answer comes: the hop of a server that resets the connection, never answers or fails its TLS
// handshake still has its IP, and so its hosting network (the very server an abuse desk asks about).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exchange } from '../model.js';
import { curlThrough, listenOnLoopback, recordedExchange } from '../../test/support/proxy-client.js';
import { CertificateIssuer, createCertificateAuthority } from '../tls/certs.js';
import { RecordingProxy } from './recording-proxy.js';
import { Resolver } from './resolver.js';
import { parseConnectToRule } from './target-rules.js';

const proxyCa = createCertificateAuthority('proxy test CA');
const proxyCaFile = join(mkdtempSync(join(tmpdir(), 'clicktrace-connected-')), 'proxy-ca.pem');
writeFileSync(proxyCaFile, proxyCa.certPem);
// Takes the request, then resets the connection without a byte of answer.
const resetting = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.once('data', () => socket.resetAndDestroy());
});
// A certificate no one trusts: with strictTls the handshake fails after the TCP connection is made.
const untrusted = new CertificateIssuer(createCertificateAuthority('unknown CA')).issue(['untrusted.test']);
const selfSigned = tls.createServer({ cert: untrusted.certPem, key: untrusted.keyPem }, (socket) => socket.end());
selfSigned.on('tlsClientError', () => undefined);
let proxy: RecordingProxy;
const exchanges: Exchange[] = [];

before(async () => {
  const [resettingPort, selfSignedPort] = await listenOnLoopback(resetting, selfSigned);
  const connectTo = ['refused.test:80:127.0.0.1:1', `:80:127.0.0.1:${resettingPort}`, `:443:127.0.0.1:${selfSignedPort}`];
  proxy = new RecordingProxy({
    ca: proxyCa,
    resolver: new Resolver({ connectTo: connectTo.map(parseConnectToRule) }),
    strictTls: true,
    onExchange: (x) => exchanges.push(x),
  });
  await proxy.listen();
});
after(async () => {
  await proxy.close();
  resetting.close();
  selfSigned.close();
});

const curl = (url: string) => curlThrough(proxy.port, proxyCaFile, url).catch(() => undefined);

test('a server that took the connection and reset it: the exchange has its address', async () => {
  await curl('http://reset.test/offer');
  const x = await recordedExchange(exchanges, 'http://reset.test/offer');
  assert.match(x.error ?? '', /connection reset/);
  assert.equal(x.response, null);
  assert.deepEqual([x.remoteAddress, typeof x.remotePort], ['127.0.0.1', 'number']);
});

test('a TLS handshake refused after the connection was made (strict TLS): the exchange has its address', async () => {
  await curl('https://untrusted.test/login');
  const x = await recordedExchange(exchanges, 'https://untrusted.test/login');
  assert.match(x.error ?? '', /certificate/);
  assert.equal(x.remoteAddress, '127.0.0.1');
});

test('a connection refused: no address was connected to, none is recorded', async () => {
  await curl('http://refused.test/');
  const x = await recordedExchange(exchanges, 'http://refused.test/');
  assert.match(x.error ?? '', /refused/);
  assert.equal(x.remoteAddress, null);
});
