import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type ConnectionOptions, type TLSSocket, type DetailedPeerCertificate } from 'node:tls';
import type { CertInfo } from '../model.js';

/** Parses one DER certificate into the model's CertInfo. */
export function certInfoFromDer(der: Buffer): CertInfo {
  const cert = new X509Certificate(der);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    sans: (cert.subjectAltName ?? '')
      .split(/,\s*/)
      .map((s) => s.replace(/^(DNS|IP Address):/, ''))
      .filter(Boolean),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    serialNumber: cert.serialNumber.toLowerCase(),
    sha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    der: der.toString('base64'),
  };
}

// The same certificates come back hop after hop, trace after trace (a tracker's, its CA's):
// parsing one costs ~1 ms, a lookup by its DER bytes next to nothing. Bounded, oldest dropped.
const parsed = new Map<string, CertInfo>();
const MAX_PARSED = 1000;

function cachedCertInfo(der: Buffer): CertInfo {
  const key = der.toString('base64');
  let info = parsed.get(key);
  if (!info) {
    info = certInfoFromDer(der);
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, info);
  }
  return { ...info, sans: [...info.sans] };
}

// Node reads a verified server's chain to check its name: getPeerCertificate(true), ~0.3 ms with
// the system's roots (it looks the last issuer up in the trust store). The chain recorded is that
// reading, kept here, not a second one of the same socket.
const checkedChains = new WeakMap<TLSSocket, DetailedPeerCertificate>();

/**
 * `options` whose server name check keeps the chain it was given, for `socket()` (the socket
 * these options open: it exists by the time the handshake ends).
 */
export function keepingCheckedChain<T extends ConnectionOptions>(options: T, socket: () => TLSSocket | undefined): T {
  const check = options.checkServerIdentity ?? checkServerIdentity;
  return {
    ...options,
    checkServerIdentity: (host: string, cert: DetailedPeerCertificate) => {
      const opened = socket();
      if (opened) checkedChains.set(opened, cert);
      return check(host, cert);
    },
  };
}

/**
 * The upstream chain as the server sent it, leaf first, stopping where the issuer repeats (and
 * the trust store's root, when the server left it out: Node's reading adds it).
 */
export function peerCertificateChain(socket: TLSSocket): CertInfo[] {
  const chain: CertInfo[] = [];
  let cert: DetailedPeerCertificate | undefined = checkedChains.get(socket) ?? socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    try {
      chain.push(cachedCertInfo(cert.raw));
    } catch {
      break;
    }
    cert = cert.issuerCertificate;
  }
  return chain;
}
