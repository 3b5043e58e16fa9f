import { X509Certificate } from 'node:crypto';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
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

/** The upstream chain as the server sent it, leaf first, stopping where the issuer repeats. */
export function peerCertificateChain(socket: TLSSocket): CertInfo[] {
  const chain: CertInfo[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    try {
      chain.push(certInfoFromDer(cert.raw));
    } catch {
      break;
    }
    cert = cert.issuerCertificate;
  }
  return chain;
}
