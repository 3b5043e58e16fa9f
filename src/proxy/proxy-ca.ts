import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCertificateAuthority, loadOrCreateLeafKey, type CaMaterial } from '../tls/certs.js';

/** clicktrace's own state folder: $CLICKTRACE_HOME, else ~/.clicktrace. */
export function clicktraceHome(): string {
  return process.env.CLICKTRACE_HOME ?? join(homedir(), '.clicktrace');
}

let cached: (CaMaterial & { leafKeyPem: string }) | null = null;

/** The MITM proxy's CA (and the key of the certificates it issues), made once per machine in the clicktrace home. */
export function proxyCertificateAuthority(): CaMaterial & { leafKeyPem: string } {
  const dir = join(clicktraceHome(), 'ca');
  cached ??= { ...loadOrCreateCertificateAuthority(dir, 'clicktrace recording proxy CA'), leafKeyPem: loadOrCreateLeafKey(dir) };
  return cached;
}
