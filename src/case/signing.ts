// Ed25519 signing of case manifests. The key pair lives in `$CLICKTRACE_HOME/keys` (default
// `~/.clicktrace/keys`); a case carries the public key it was signed with.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvidenceError, errorMessage } from '../evidence/errors.js';
import { clicktraceHome } from '../home.js';

export const PRIVATE_KEY_NAME = 'signing-key.pem';
export const PUBLIC_KEY_NAME = 'signing-key.pub.pem';

export function defaultKeyDir(): string {
  return join(clicktraceHome(), 'keys');
}

export interface SigningKeyFiles {
  dir: string;
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  /** False when a key already existed and was kept. */
  created: boolean;
}

/** Creates the Ed25519 key pair (private key mode 0600); keeps an existing one unless `force`. */
export async function initSigningKey(dir = defaultKeyDir(), opts: { force?: boolean } = {}): Promise<SigningKeyFiles> {
  const privateKeyPath = join(dir, PRIVATE_KEY_NAME);
  const publicKeyPath = join(dir, PUBLIC_KEY_NAME);
  if (!opts.force && existsSync(privateKeyPath)) {
    const key = loadSigningKey(dir);
    if (!key) throw new EvidenceError(privateKeyPath, 'unreadable signing key');
    await writeFile(publicKeyPath, key.publicKeyPem);
    return { dir, privateKeyPath, publicKeyPath, publicKeyPem: key.publicKeyPem, created: false };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await writeFile(privateKeyPath, privatePem, { mode: 0o600 });
  await chmod(privateKeyPath, 0o600); // an existing file keeps its mode on overwrite
  await writeFile(publicKeyPath, publicKeyPem);
  return { dir, privateKeyPath, publicKeyPath, publicKeyPem, created: true };
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** The key pair in `dir`, or null when there is none; throws EvidenceError when it is unusable. */
export function loadSigningKey(dir = defaultKeyDir()): SigningKey | null {
  const path = join(dir, PRIVATE_KEY_NAME);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EvidenceError(path, `cannot read signing key (${errorMessage(err)})`);
  }
  try {
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${privateKey.asymmetricKeyType} key, expected ed25519`);
    const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    return { privateKey, publicKeyPem };
  } catch (err) {
    throw new EvidenceError(path, `not a usable Ed25519 private key (${errorMessage(err)})`);
  }
}

/** The signature file's content: base64 of the 64-byte signature, one line. */
export function signManifest(manifest: Buffer, key: SigningKey): string {
  return `${sign(null, manifest, key.privateKey).toString('base64')}\n`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function checkManifestSignature(manifest: Buffer, signatureFile: string, publicKeyPem: string): SignatureCheck {
  if (!/^[A-Za-z0-9+/]{86}==\n?$/.test(signatureFile)) return { ok: false, reason: 'not a base64 Ed25519 signature' };
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (err) {
    return { ok: false, reason: `unusable public key (${errorMessage(err)})` };
  }
  if (key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: `public key is ${key.asymmetricKeyType}, not ed25519` };
  const valid = verify(null, manifest, key, Buffer.from(signatureFile.trim(), 'base64'));
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match manifest.json' };
}

/** A public key's short name: the first 16 hex digits of the SHA-256 of its DER form; null when it is not a key. */
export function keyFingerprint(pem: string): string | null {
  try {
    const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(der).digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

/** Whether two PEM public keys are the same key. */
export function samePublicKey(a: string, b: string): boolean {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return der(a).equals(der(b));
  } catch {
    return false;
  }
}
