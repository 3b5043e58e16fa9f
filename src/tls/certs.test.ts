import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CertificateIssuer, createCertificateAuthority, spkiFingerprint } from './certs.js';

test('issued certificates verify against their CA and carry the host names', () => {
  const ca = createCertificateAuthority('test CA');
  const issuer = new CertificateIssuer(ca);
  const caCert = new X509Certificate(ca.certPem);
  assert.ok(caCert.ca);
  assert.ok(caCert.verify(caCert.publicKey), 'the CA is self-signed');
  const leaf = issuer.issue(['news.example.test', '127.0.0.1']);
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(cert.verify(caCert.publicKey));
  assert.ok(cert.checkIssued(caCert));
  assert.match(cert.subjectAltName ?? '', /DNS:news\.example\.test/);
  assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.equal(issuer.issue(['news.example.test', '127.0.0.1']), leaf, 'cached per host set');
  const self = new X509Certificate(issuer.issue(['x.test'], { selfSigned: true }).certPem);
  assert.ok(!self.verify(caCert.publicKey));
  assert.equal(spkiFingerprint(leaf.certPem).length, 44);
});
