// RFC 3161 time-stamp requests and responses (the ASN.1 and CMS work is pkijs's and asn1js's):
// the request clicktrace sends for a digest, and the check of a response (a `.tsr`, as
// `openssl ts -reply` writes it) against the data it should cover: status, message imprint,
// nonce, the CMS signature, the signing-certificate binding (ESSCertID), the TSA certificate's
// critical timeStamping extended key usage, and, given trust anchors, its certificate chain at
// the attested time.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  [OID_SHA256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const STATUS_WORDS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];

/** A DER TimeStampReq for a SHA-256 digest, asking for the TSA's certificate, with a fresh nonce. */
export function timeStampRequest(sha256: Buffer, nonce = newNonce()): { der: Buffer; nonce: Buffer } {
  if (sha256.length !== 32) throw new Error(`expected a SHA-256 digest, got ${sha256.length} bytes`);
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(sha256) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return { der: Buffer.from(request.toSchema().toBER(false)), nonce };
}

/** 8 random bytes as a positive INTEGER in its minimal DER form: first byte 0x01..0x7f. */
function newNonce(): Buffer {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] & 0x7f) | 0x01;
  return nonce;
}

export interface TimestampToken {
  /** The attested time (TSTInfo genTime), ISO 8601 UTC. */
  time: string;
  /** The TSA's serial number of the token, hex. */
  serial: string;
  policy: string;
  /** Hash algorithm and value of the message imprint. */
  imprint: { algorithm: string; hex: string };
  nonce: string | null;
  /** Subject of the certificate that signed the token, when the token carries it. */
  signer: string | null;
}

export type TimestampCheck =
  { ok: true; token: TimestampToken; chain: 'trusted' | 'unchecked' } | { ok: false; token: TimestampToken | null; problems: string[] };

export interface CheckOptions {
  /** Trust anchors (DER) for the TSA's certificate chain; null: do not check the chain (signature only). */
  roots: Buffer[] | null;
  /** The nonce the request carried (a reply to our own request). */
  nonce?: Buffer;
}

/** Checks a DER TimeStampResp against the data it should cover. Never throws for bad input. */
export async function checkTimestampResponse(tsr: Buffer, data: Buffer, options: CheckOptions): Promise<TimestampCheck> {
  const problems: string[] = [];
  let signedData: pkijs.SignedData;
  let tstInfo: pkijs.TSTInfo;
  try {
    const response = pkijs.TimeStampResp.fromBER(toArrayBuffer(tsr));
    const status = response.status.status as number;
    if (status !== 0 && status !== 1) {
      const text = (response.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
      return {
        ok: false,
        token: null,
        problems: [`the TSA refused: ${STATUS_WORDS[status] ?? `status ${status}`}${text ? ` (${text})` : ''}`],
      };
    }
    if (!response.timeStampToken) return { ok: false, token: null, problems: ['the response holds no time-stamp token'] };
    if (response.timeStampToken.contentType !== OID_SIGNED_DATA)
      return { ok: false, token: null, problems: ['the token is not CMS SignedData'] };
    signedData = new pkijs.SignedData({ schema: response.timeStampToken.content });
    if (signedData.encapContentInfo.eContentType !== OID_TST_INFO || !signedData.encapContentInfo.eContent) {
      return { ok: false, token: null, problems: ['the token does not hold a TSTInfo'] };
    }
    tstInfo = pkijs.TSTInfo.fromBER(signedData.encapContentInfo.eContent.getValue());
  } catch (err) {
    return { ok: false, token: null, problems: [`not an RFC 3161 time-stamp response (${(err as Error).message})`] };
  }

  const token = describeToken(tstInfo, signedData);
  const hash = HASHES[tstInfo.messageImprint.hashAlgorithm.algorithmId];
  if (!hash || hash === 'sha1') {
    problems.push(`the message imprint uses ${hash ?? tstInfo.messageImprint.hashAlgorithm.algorithmId}, not a SHA-2 hash`);
  } else {
    const expected = createHash(hash).update(data).digest('hex');
    if (expected !== token.imprint.hex) {
      problems.push(`the token is over other data: its imprint is ${hash} ${token.imprint.hex}, the data's is ${expected}`);
      return { ok: false, token, problems };
    }
  }
  if (options.nonce && token.nonce !== options.nonce.toString('hex')) problems.push('the nonce differs from the request');

  let signer: pkijs.Certificate | null;
  try {
    const result = await signedData.verify({
      signer: 0,
      data: toArrayBuffer(data),
      trustedCerts: options.roots ? anchorsFor(signedData, options.roots) : [],
      checkChain: options.roots !== null,
      extendedMode: true,
    });
    signer = result.signerCertificate ?? null;
    if (!result.signatureVerified) problems.push('the CMS signature does not verify');
  } catch (err) {
    const failure = err as pkijs.SignedDataVerifyError;
    signer = failure.signerCertificate ?? null;
    problems.push(verifyFailure(failure));
  }
  if (signer) {
    problems.push(...timeStampingUsageProblems(signer));
    const binding = signingCertificateProblem(signedData, signer);
    if (binding) problems.push(binding);
  }
  if (problems.length > 0) return { ok: false, token, problems };
  return { ok: true, token, chain: options.roots === null ? 'unchecked' : 'trusted' };
}

/**
 * The roots that can anchor the token's chain: those named as issuer by one of its certificates.
 * Node parses a whole system store in milliseconds; pkijs then only needs the few that matter.
 */
function anchorsFor(signedData: pkijs.SignedData, roots: Buffer[]): pkijs.Certificate[] {
  const issuers = new Set<string>();
  for (const cert of signedData.certificates ?? []) {
    if (!(cert instanceof pkijs.Certificate)) continue;
    try {
      issuers.add(new X509Certificate(Buffer.from(cert.toSchema().toBER(false))).issuer);
    } catch {
      // an unreadable certificate anchors nothing
    }
  }
  const anchors: pkijs.Certificate[] = [];
  for (const der of roots) {
    try {
      if (issuers.has(new X509Certificate(der).subject)) anchors.push(pkijs.Certificate.fromBER(toArrayBuffer(der)));
    } catch {
      // one unreadable root does not void the store
    }
  }
  return anchors;
}

function verifyFailure(err: pkijs.SignedDataVerifyError): string {
  const message = (err?.message ?? String(err)).replace(/^Error during verification: /, '');
  if (err?.code === 5)
    return `the TSA certificate is not trusted: ${message.replace(/^Validation of signer's certificate failed( with error)?: ?/, '')}`;
  if (err?.code === 3) return 'the token does not carry the certificate that signed it';
  return `the CMS signature does not verify: ${message}`;
}

/** RFC 3161 2.3: the TSA certificate has one extended key usage, timeStamping, marked critical. */
export function timeStampingUsageProblems(cert: pkijs.Certificate): string[] {
  const eku = cert.extensions?.find((e) => e.extnID === OID_EXT_KEY_USAGE);
  if (!eku) return ['the TSA certificate has no extended key usage (timeStamping required)'];
  const purposes = (eku.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  const problems: string[] = [];
  if (purposes.length !== 1 || purposes[0] !== OID_KP_TIME_STAMPING) problems.push('the TSA certificate is not for timeStamping only');
  if (!eku.critical) problems.push("the TSA certificate's extended key usage is not critical");
  return problems;
}

/**
 * The signed signing-certificate attribute (ESSCertID or ESSCertIDv2) must name the certificate
 * that signed the token, so a certificate cannot be swapped for another with the same key.
 */
function signingCertificateProblem(signedData: pkijs.SignedData, signer: pkijs.Certificate): string | null {
  const attributes = signedData.signerInfos[0]?.signedAttrs?.attributes ?? [];
  const attribute = attributes.find((a) => a.type === OID_SIGNING_CERTIFICATE_V2 || a.type === OID_SIGNING_CERTIFICATE);
  if (!attribute) return 'the token has no signing-certificate attribute';
  try {
    const certs = (attribute.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let algorithm = attribute.type === OID_SIGNING_CERTIFICATE ? 'sha1' : 'sha256';
    let index = 0;
    if (parts[0] instanceof asn1js.Sequence) {
      algorithm = HASHES[new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId] ?? '';
      index = 1;
    }
    const listed = Buffer.from((parts[index] as asn1js.OctetString).valueBlock.valueHexView).toString('hex');
    if (!algorithm) return 'the signing-certificate attribute uses an unknown hash';
    const actual = createHash(algorithm)
      .update(Buffer.from(signer.toSchema().toBER(false)))
      .digest('hex');
    return listed === actual ? null : 'the signing-certificate attribute names another certificate than the one that signed';
  } catch {
    return 'the signing-certificate attribute is malformed';
  }
}

function describeToken(tstInfo: pkijs.TSTInfo, signedData: pkijs.SignedData): TimestampToken {
  const sid: unknown = signedData.signerInfos[0]?.sid;
  let signer: string | null = null;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const cert = (signedData.certificates ?? []).find(
      (c): c is pkijs.Certificate =>
        c instanceof pkijs.Certificate && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber),
    );
    if (cert) signer = certificateSubject(cert);
  }
  return {
    time: tstInfo.genTime.toISOString(),
    serial: Buffer.from(tstInfo.serialNumber.valueBlock.valueHexView).toString('hex'),
    policy: tstInfo.policy,
    imprint: {
      algorithm: HASHES[tstInfo.messageImprint.hashAlgorithm.algorithmId] ?? tstInfo.messageImprint.hashAlgorithm.algorithmId,
      hex: Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex'),
    },
    nonce: tstInfo.nonce ? Buffer.from(tstInfo.nonce.valueBlock.valueHexView).toString('hex') : null,
    signer,
  };
}

/** "CN=..., O=..." of a certificate (node:crypto formats the distinguished name). */
export function certificateSubject(cert: pkijs.Certificate): string {
  try {
    return new X509Certificate(Buffer.from(cert.toSchema().toBER(false))).subject.split('\n').join(', ');
  } catch {
    return '(unreadable subject)';
  }
}

/** The DER of every certificate block of a PEM bundle. */
export function pemCertificates(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1].replace(/\s+/g, ''), 'base64'),
  );
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
