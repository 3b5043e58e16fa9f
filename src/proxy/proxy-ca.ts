import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCertificateAuthority, type CaMaterial } from '../tls/certs.js';

/** clicktrace's own state folder: $CLICKTRACE_HOME, else ~/.clicktrace. */
export function clicktraceHome(): string {
  return process.env.CLICKTRACE_HOME ?? join(homedir(), '.clicktrace');
}

let cached: CaMaterial | null = null;

/** The MITM proxy's CA, made once per machine and kept in the clicktrace home folder. */
export function proxyCertificateAuthority(): CaMaterial {
  cached ??= loadOrCreateCertificateAuthority(join(clicktraceHome(), 'ca'), 'clicktrace recording proxy CA');
  return cached;
}
