// The lab's TLS side: one lab CA, and a certificate per requested SNI name issued lazily by it.
// Three hosts get a deliberately bad certificate (expired, self-signed, issued for another name).
import { createSecureContext, type SecureContext } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CertificateIssuer,
  createCertificateAuthority,
  loadOrCreateCertificateAuthority,
  type CaMaterial,
  type IssueOptions,
} from '../tls/certs.js';
import { HOSTS, WRONG_HOST_CERT_NAME } from './hosts.js';

export const LAB_CA_NAME = 'clicktrace lab CA';
const DAY = 24 * 3600 * 1000;

export type BadCertKind = 'expired' | 'self-signed' | 'wrong-host';

export const BAD_CERT_HOSTS: Readonly<Record<string, BadCertKind>> = {
  [HOSTS.badExpired]: 'expired',
  [HOSTS.badSelfSigned]: 'self-signed',
  [HOSTS.badWrongHost]: 'wrong-host',
};

/** What certificate a host gets: the names it is issued for and its issue options. */
export function certificatePlanFor(host: string, now = Date.now()): { names: string[]; options: IssueOptions } {
  switch (BAD_CERT_HOSTS[host]) {
    case 'expired':
      return { names: [host], options: { notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - 30 * DAY) } };
    case 'self-signed':
      return { names: [host], options: { selfSigned: true, organization: 'Self-Signed Ltd' } };
    case 'wrong-host':
      return { names: [WRONG_HOST_CERT_NAME], options: {} };
    default:
      return { names: [host], options: {} };
  }
}

// Host names as they may appear in SNI: letters, digits, hyphens, dots; bounded length.
const SNI_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

// Key generation and forge signatures cost tens to hundreds of milliseconds each, so every lab
// in one process shares its CA, issuer (and so the issuer's per-host certificate cache).
const issuers = new Map<string, CertificateIssuer>();
let freshCa: CaMaterial | null = null;
/** Fixed once per process so the bad certificates' validity windows (and the cache) stay stable. */
const VALIDITY_EPOCH = Date.now();

function issuerFor(ca: CaMaterial): CertificateIssuer {
  let issuer = issuers.get(ca.certPem);
  if (!issuer) issuers.set(ca.certPem, (issuer = new CertificateIssuer(ca)));
  return issuer;
}

export class LabTls {
  readonly caCertPath: string;
  private readonly issuer: CertificateIssuer;
  private readonly contexts = new Map<string, SecureContext>();

  /**
   * With `persistDir` the CA is kept there (ca.pem, ca-key.pem) and reused across runs; otherwise
   * the process's lab CA (created on first use) is written to `workDir`/lab-ca.pem.
   */
  constructor(workDir: string, persistDir?: string) {
    let ca: CaMaterial;
    if (persistDir) {
      ca = loadOrCreateCertificateAuthority(persistDir, LAB_CA_NAME);
      this.caCertPath = join(persistDir, 'ca.pem');
    } else {
      ca = freshCa ??= createCertificateAuthority(LAB_CA_NAME);
      this.caCertPath = join(workDir, 'lab-ca.pem');
      writeFileSync(this.caCertPath, ca.certPem);
    }
    this.issuer = issuerFor(ca);
  }

  get caCertPem(): string {
    return this.issuer.ca.certPem;
  }

  /** Certificate and key (PEM) served for `host`. */
  certificateFor(host: string): { certPem: string; keyPem: string } {
    const plan = certificatePlanFor(host, VALIDITY_EPOCH);
    return this.issuer.issue(plan.names, plan.options);
  }

  /** TLS context for an SNI name, created on first use. Unusable names get the default context. */
  contextFor(servername: string | undefined): SecureContext {
    const name = (servername ?? '').toLowerCase();
    const host = SNI_NAME.test(name) ? name : 'localhost';
    let context = this.contexts.get(host);
    if (!context) {
      const { certPem, keyPem } = this.certificateFor(host);
      context = createSecureContext({ cert: certPem, key: keyPem });
      this.contexts.set(host, context);
    }
    return context;
  }

  /** Options for https.createServer: SNI picks (or makes) the certificate. */
  serverOptions(): {
    cert: string;
    key: string;
    SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
  } {
    const fallback = this.issuer.issue(['localhost', '127.0.0.1']);
    return {
      cert: fallback.certPem,
      key: fallback.keyPem,
      SNICallback: (name, cb) => {
        try {
          cb(null, this.contextFor(name));
        } catch (err) {
          cb(err as Error);
        }
      },
    };
  }
}
