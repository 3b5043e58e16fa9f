import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { createCertificateAuthority, CertificateIssuer } from '../tls/certs.js';
import { verifyChain } from './tls.js';

const ca = createCertificateAuthority('Import Test CA');
const issuer = new CertificateIssuer(ca);
const x509 = (pem: string) => new X509Certificate(pem);

test('verifyChain names why a chain does not verify', () => {
  const now = new Date();
  const leaf = x509(issuer.issue(['a.example']).certPem);
  const root = x509(ca.certPem);
  assert.deepEqual(verifyChain([], 'a.example', now), { authorized: false, error: 'NO_CERTIFICATE_RECORDED' });
  assert.deepEqual(verifyChain([leaf], 'a.example', now), { authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  assert.deepEqual(verifyChain([leaf, root], 'a.example', now), { authorized: false, error: 'SELF_SIGNED_CERT_IN_CHAIN' });
  const selfSigned = x509(issuer.issue(['b.example'], { selfSigned: true }).certPem);
  assert.deepEqual(verifyChain([selfSigned], 'b.example', now), { authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
});

test('verifyChain accepts a trust-store root and then checks validity and name', () => {
  const now = new Date();
  const root = rootCertificates.map(x509).find((c) => new Date(c.validFrom) < now && now < new Date(c.validTo));
  assert.ok(root, 'the trust store has a currently valid root');
  assert.deepEqual(verifyChain([root], 'not-the-root.invalid', now), { authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  assert.deepEqual(verifyChain([root], 'x', new Date(Date.parse(root.validTo) + 86_400_000)), {
    authorized: false,
    error: 'CERT_HAS_EXPIRED',
  });
});
