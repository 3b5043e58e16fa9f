import { createHash, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { loadOrCreateCertificateAuthority, loadOrCreateLeafKey, type CaMaterial } from '../tls/certs.js';
import { clicktraceHome } from '../home.js';

let cached: (CaMaterial & { leafKeyPem: string }) | null = null;

/** The MITM proxy's CA (and the key of the certificates it issues), made once per machine in the clicktrace home. */
export function proxyCertificateAuthority(): CaMaterial & { leafKeyPem: string } {
  const dir = join(clicktraceHome(), 'ca');
  cached ??= { ...loadOrCreateCertificateAuthority(dir, 'clicktrace recording proxy CA'), leafKeyPem: loadOrCreateLeafKey(dir) };
  return cached;
}

/**
 * The SHA-256 of the public key of every certificate the proxy issues (base64, as Chromium's
 * --ignore-certificate-errors-spki-list takes it): the browser trusts those certificates as valid.
 */
export function proxyLeafKeyHash(): string {
  const spki = createPublicKey(proxyCertificateAuthority().leafKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
