import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { once } from 'node:events';
import { createCertificateAuthority, CertificateIssuer } from '../tls/certs.js';
import { keepingCheckedChain, peerCertificateChain } from './peer-certificates.js';

test('the chain read for the name check is the one recorded, and the name is still checked', async () => {
  const ca = createCertificateAuthority('peer test CA');
  const leaf = new CertificateIssuer(ca).issue(['peer.test']);
  const server = tls.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const trust = tls.createSecureContext({ ca: ca.certPem });
  const connect = async (options: tls.ConnectionOptions, keep: boolean) => {
    const opened: tls.TLSSocket = tls.connect(keep ? keepingCheckedChain(options, () => opened) : options);
    const error = await new Promise<Error | null>((resolve) => {
      opened.once('secureConnect', () => resolve(null)).once('error', resolve);
    });
    return { socket: opened, error };
  };
  const base = { host: '127.0.0.1', port, servername: 'peer.test', secureContext: trust };
  const kept = await connect(base, true);
  const read = await connect(base, false);
  assert.equal(kept.socket.authorized, true);
  const chain = peerCertificateChain(kept.socket);
  assert.deepEqual(chain, peerCertificateChain(read.socket));
  assert.deepEqual(
    chain.map((c) => c.subject),
    ['CN=peer.test, O=clicktrace', 'CN=peer test CA, O=clicktrace'],
  );
  const wrongName = await connect({ ...base, servername: 'other.test' }, true);
  assert.match(String(wrongName.error), /Hostname\/IP does not match/);
  const recorded = await connect({ ...base, servername: 'other.test', rejectUnauthorized: false }, true);
  assert.equal(recorded.socket.authorized, false);
  assert.equal(peerCertificateChain(recorded.socket).length, 2);
  for (const s of [kept, read, wrongName, recorded]) s.socket.destroy();
  server.close();
});
