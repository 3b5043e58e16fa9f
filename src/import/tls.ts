// Upstream chains of imported captures are checked here against this machine's trust store as
// of the capture time: the recorders do not say whether (or against what) they verified.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

let trustedRootsBySubject: Map<string, X509Certificate[]> | null = null;

function trustedRoots(): Map<string, X509Certificate[]> {
  if (!trustedRootsBySubject) {
    trustedRootsBySubject = new Map();
    for (const pem of rootCertificates) {
      const root = new X509Certificate(pem);
      const list = trustedRootsBySubject.get(root.subject) ?? [];
      list.push(root);
      trustedRootsBySubject.set(root.subject, list);
    }
  }
  return trustedRootsBySubject;
}

const signs = (issuer: X509Certificate, cert: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
// Not `signs(cert, cert)`: checkIssued also demands the keyCertSign usage, which self-signed leaves lack.
const isSelfSigned = (cert: X509Certificate) => cert.subject === cert.issuer && cert.verify(cert.publicKey);

/**
 * Verifies a recorded chain (leaf first) for `servername` as of `at`, with the error codes Node's
 * TLS uses (`socket.authorizationError`), so imported and recorded captures read alike.
 */
export function verifyChain(chain: X509Certificate[], servername: string, at: Date): { authorized: boolean; error: string | null } {
  const leaf = chain[0];
  if (!leaf) return { authorized: false, error: 'NO_CERTIFICATE_RECORDED' };
  const path: X509Certificate[] = [];
  let current: X509Certificate | undefined = leaf;
  while (current) {
    path.push(current);
    const cert: X509Certificate = current;
    const trusted = trustedRoots()
      .get(cert.issuer)
      ?.some((root) => root.raw.equals(cert.raw) || signs(root, cert));
    if (trusted) break;
    const next = chain.find((c) => !path.includes(c) && signs(c, cert));
    if (!next) {
      if (isSelfSigned(cert))
        return { authorized: false, error: cert === leaf ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN' };
      return { authorized: false, error: cert === leaf ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' };
    }
    current = next;
  }
  for (const cert of path) {
    if (at < new Date(cert.validFrom)) return { authorized: false, error: 'CERT_NOT_YET_VALID' };
    if (at > new Date(cert.validTo)) return { authorized: false, error: 'CERT_HAS_EXPIRED' };
  }
  const nameMatches = isIP(servername) ? leaf.checkIP(servername) !== undefined : leaf.checkHost(servername) !== undefined;
  if (!nameMatches) return { authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' };
  return { authorized: true, error: null };
}
