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
