// Trusted time for a sealed case: a time-stamping authority's token over manifest.json, kept as
// manifest.tsr beside it, and its check by `clicktrace verify`. The token is asked for after the
// case is sealed, so a TSA that is down or refuses never costs the case: it stays sealed (and
// signed) without a token, and manifest.tsr-failure.json says what happened.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { MANIFEST_FILE, TIMESTAMP_FAILURE_FILE, TIMESTAMP_FILE } from '../case/case-layout.js';
import { errorMessage } from '../evidence/errors.js';
import { checkTimestampResponse, pemCertificates, type TimestampToken } from './rfc3161.js';
import { requestTimestamp, type TsaSettings } from './tsa-client.js';
import { readTimestampFailure, writeAtomically, type TimestampFailure } from './timestamp-files.js';

export type { TsaSettings } from './tsa-client.js';
export { clearTimestamp, readTimestampFailure, type TimestampFailure } from './timestamp-files.js';

export type TimestampOutcome = { ok: true; tsa: string; token: TimestampToken } | { ok: false; tsa: string; error: string };

/** Asks the TSA for a token over the case's manifest.json and keeps it; never throws. */
export async function stampCase(dir: string, settings: TsaSettings): Promise<TimestampOutcome> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let outcome: TimestampOutcome;
  try {
    const manifest = readFileSync(manifestPath);
    const { tsr, token } = await requestTimestamp(manifest, settings);
    // A message case resealed while the TSA answered: this token is over a manifest that is gone.
    if (!readFileSync(manifestPath).equals(manifest)) {
      return { ok: false, tsa: settings.url, error: 'manifest.json was resealed while the TSA answered; the token was dropped' };
    }
    writeAtomically(join(dir, TIMESTAMP_FILE), tsr);
    rmSync(join(dir, TIMESTAMP_FAILURE_FILE), { force: true });
    return { ok: true, tsa: settings.url, token };
  } catch (err) {
    outcome = { ok: false, tsa: settings.url, error: errorMessage(err) };
  }
  try {
    const failure: TimestampFailure = { at: new Date().toISOString(), tsa: outcome.tsa, error: outcome.error };
    writeAtomically(join(dir, TIMESTAMP_FAILURE_FILE), Buffer.from(`${JSON.stringify(failure, null, 2)}\n`));
  } catch {
    // The case folder is gone or read-only: the caller still states the failure.
  }
  return outcome;
}

export interface CaseTimestampCheck {
  state: 'valid' | 'invalid' | 'absent';
  token: TimestampToken | null;
  /** What the chain was checked against: a CA file, or the system store. */
  trust: string;
  problems: string[];
  /** When absent: why sealing got no token, if the case recorded it. */
  failure: TimestampFailure | null;
}

/** Checks manifest.tsr against manifest.json and the TSA's chain against `caFile` (default: the system store). */
export async function checkCaseTimestamp(dir: string, manifest: Buffer | null, caFile: string | null): Promise<CaseTimestampCheck> {
  const trust = caFile ?? 'the system trust store';
  if (!existsSync(join(dir, TIMESTAMP_FILE)))
    return { state: 'absent', token: null, trust, problems: [], failure: readTimestampFailure(dir) };
  if (!manifest)
    return { state: 'invalid', token: null, trust, problems: [`nothing to check it against (${MANIFEST_FILE} missing)`], failure: null };
  const roots = trustRoots(caFile);
  if (!Array.isArray(roots)) return { state: 'invalid', token: null, trust, problems: [roots.error], failure: null };
  const check = await checkTimestampResponse(readFileSync(join(dir, TIMESTAMP_FILE)), manifest, { roots });
  if (check.ok) return { state: 'valid', token: check.token, trust, problems: [], failure: null };
  return { state: 'invalid', token: check.token, trust, problems: check.problems, failure: null };
}

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The CA file's certificates (DER), or Node's root store plus the system bundle. */
export function trustRoots(caFile: string | null): Buffer[] | { error: string } {
  if (caFile) {
    let pem: string;
    try {
      pem = readFileSync(caFile, 'utf8');
    } catch (err) {
      return { error: `cannot read the TSA CA file ${caFile} (${errorMessage(err)})` };
    }
    const certs = pemCertificates(pem);
    return certs.length > 0 ? certs : { error: `${caFile} holds no PEM certificate` };
  }
  const pems = [...rootCertificates];
  if (existsSync(SYSTEM_BUNDLE)) pems.push(readFileSync(SYSTEM_BUNDLE, 'utf8'));
  return pems.flatMap(pemCertificates);
}
