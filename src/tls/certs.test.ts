import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { CertificateIssuer, createCertificateAuthority, loadOrCreateLeafKey, spkiFingerprint } from './certs.js';

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

/** The keyUsage bits' first byte (0x80 digitalSignature, 0x20 keyEncipherment); node:crypto does not read them. */
function keyUsageByte(der: Buffer): number {
  const tbs = (forge.asn1.fromDer(der.toString('binary')).value as forge.asn1.Asn1[])[0];
  const extensions = (tbs.value as forge.asn1.Asn1[]).at(-1)!; // [3] EXPLICIT, last
  for (const ext of (extensions.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[]) {
    const [oid, ...rest] = ext.value as forge.asn1.Asn1[];
    if (forge.asn1.derToOid(oid.value as string) !== '2.5.29.15') continue;
    const bits = forge.asn1.fromDer(rest[rest.length - 1].value as string);
    return (bits.value as string).charCodeAt(1);
  }
  throw new Error('no keyUsage');
}

test('a kept EC leaf key goes into certificates the CA signs, for signing only', () => {
  const ca = createCertificateAuthority('test CA');
  const dir = mkdtempSync(join(tmpdir(), 'leaf-key-'));
  const keyPem = loadOrCreateLeafKey(dir);
  assert.equal(loadOrCreateLeafKey(dir), keyPem, 'kept between processes');
  const leaf = new CertificateIssuer(ca, keyPem).issue(['shop.example.test']);
  assert.equal(leaf.keyPem, keyPem);
  const cert = new X509Certificate(leaf.certPem);
  assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.ok(cert.checkPrivateKey(createPrivateKey(keyPem)));
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.equal(keyUsageByte(cert.raw), 0x80);
  const rsaLeaf = new X509Certificate(new CertificateIssuer(ca).issue(['shop.example.test']).certPem);
  assert.equal(keyUsageByte(rsaLeaf.raw), 0x80 | 0x20);
  assert.throws(() => new CertificateIssuer(ca, keyPem).issue(['x.test'], { selfSigned: true }), /cannot sign a certificate with a ec key/);
});
