// Certificate authority for the recording proxy (MITM) and the lab's HTTPS servers.
// Keys come from node:crypto (native, fast); node-forge only assembles and signs X.509, which
// node:crypto cannot do. One leaf key serves every host: issuing a certificate is then a single
// signature (~ms), not a key generation. The recording proxy's leaf key is ECDSA P-256: every
// browser-to-proxy handshake is a signature with it, ~10 times cheaper than an RSA-2048 one (the
// browser alone sees that key; the CA stays RSA-2048 for whoever has imported it).
import { generateKeyPairSync, X509Certificate, createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

export interface LeafMaterial {
  certPem: string;
  keyPem: string;
}

function rsaKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** A new ECDSA P-256 private key, PKCS#8 PEM. */
function ecPrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return privateKey;
}

/** Where the SubjectPublicKeyInfo is in a TBSCertificate (forge always writes the version). */
const TBS_SPKI_INDEX = 6;

/**
 * Signs with node:crypto (native, ~ms) instead of forge's JavaScript RSA (~60-100 ms): forge
 * only serialises the to-be-signed part. `spkiDer` replaces the public key forge wrote (forge
 * knows RSA keys only): how an EC key gets into a certificate.
 */
function signCertificate(cert: forge.pki.Certificate, key: KeyObject, spkiDer?: Buffer): void {
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`cannot sign a certificate with a ${key.asymmetricKeyType} key`);
  const oid = forge.pki.oids['sha256WithRSAEncryption'];
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // getTBSCertificate exists in node-forge but is missing from its type definitions.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  if (spkiDer) (tbs.value as forge.asn1.Asn1[])[TBS_SPKI_INDEX] = forge.asn1.fromDer(spkiDer.toString('binary'));
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, key).toString('binary');
}

/**
 * The ECDSA P-256 leaf key kept beside the CA in `dir`, created on first use. (Homes made before
 * it have an RSA `leaf-key.pem` there, no longer read.)
 */
export function loadOrCreateLeafKey(dir: string): string {
  const path = join(dir, 'leaf-key-p256.pem');
  if (existsSync(path)) return readFileSync(path, 'utf8');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPem = ecPrivateKeyPem();
  writeFileSync(path, privateKeyPem, { mode: 0o600 });
  return privateKeyPem;
}

function randomSerial(): string {
  // Positive 16-byte serial: clear the top bit.
  const bytes = forge.random.getBytesSync(16);
  const hex = forge.util.bytesToHex(bytes);
  return (parseInt(hex[0], 16) & 0x7).toString(16) + hex.slice(1);
}

export function createCertificateAuthority(commonName: string, organization = 'clicktrace'): CaMaterial {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + 10 * 365 * 24 * 3600 * 1000);
  const name = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: organization },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, createPrivateKey(keys.privateKeyPem));
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

/** Loads the CA kept in `dir` (ca.pem, ca-key.pem), creating it on first use. */
export function loadOrCreateCertificateAuthority(dir: string, commonName: string): CaMaterial {
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = createCertificateAuthority(commonName);
  writeFileSync(keyPath, ca.keyPem, { mode: 0o600 });
  writeFileSync(certPath, ca.certPem);
  return ca;
}

export interface IssueOptions {
  /** Validity window; defaults to one day back to one year ahead. */
  notBefore?: Date;
  notAfter?: Date;
  /** Sign with this key instead of the CA's (makes a certificate that does not verify). */
  selfSigned?: boolean;
  organization?: string;
}

/** Issues leaf certificates for host names, signed by one CA, cached per host set. */
export class CertificateIssuer {
  private readonly caCert: forge.pki.Certificate;
  private readonly caKey: KeyObject;
  private readonly leafKey: KeyObject;
  private readonly leafKeyPem: string;
  /** The leaf key's SubjectPublicKeyInfo (DER), put into each certificate in place of forge's. */
  private readonly leafSpki: Buffer;
  private readonly cache = new Map<string, LeafMaterial>();

  /**
   * `leafKeyPem`: reuse a kept leaf key, RSA or EC (saves a key generation per process); without
   * it, a new RSA-2048 key.
   */
  constructor(
    readonly ca: CaMaterial,
    leafKeyPem?: string,
  ) {
    this.caCert = forge.pki.certificateFromPem(ca.certPem);
    this.caKey = createPrivateKey(ca.keyPem);
    this.leafKeyPem = leafKeyPem ?? rsaKeyPair().privateKeyPem;
    this.leafKey = createPrivateKey(this.leafKeyPem);
    this.leafSpki = createPublicKey(this.leafKey).export({ type: 'spki', format: 'der' });
  }

  issue(hosts: string[], options: IssueOptions = {}): LeafMaterial {
    const key = JSON.stringify([hosts, options.notBefore?.getTime(), options.notAfter?.getTime(), options.selfSigned]);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const cert = forge.pki.createCertificate();
    // A stand-in for forge, which writes only RSA keys: signCertificate puts the leaf's in its place.
    cert.publicKey = this.caCert.publicKey;
    cert.serialNumber = randomSerial();
    const now = Date.now();
    cert.validity.notBefore = options.notBefore ?? new Date(now - 24 * 3600 * 1000);
    cert.validity.notAfter = options.notAfter ?? new Date(now + 365 * 24 * 3600 * 1000);
    const subject = [
      { name: 'commonName', value: hosts[0].slice(0, 64) },
      { name: 'organizationName', value: options.organization ?? 'clicktrace' },
    ];
    cert.setSubject(subject);
    cert.setIssuer(options.selfSigned ? subject : this.caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      // An EC key signs only (RFC 5480 forbids keyEncipherment); an RSA key may also encrypt (TLS 1.2's RSA key exchange).
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: this.leafKey.asymmetricKeyType === 'rsa', critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
      },
    ]);
    // A self-signed certificate (the lab's bad TLS) needs an RSA leaf key: signCertificate says so.
    signCertificate(cert, options.selfSigned ? this.leafKey : this.caKey, this.leafSpki);
    const material = { certPem: forge.pki.certificateToPem(cert), keyPem: this.leafKeyPem };
    this.cache.set(key, material);
    return material;
  }
}

/** Base64 SHA-256 of the SubjectPublicKeyInfo, the form Chromium's --ignore-certificate-errors-spki-list takes. */
export function spkiFingerprint(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
