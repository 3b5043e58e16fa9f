// Asking a time-stamping authority for a token (RFC 3161 over HTTP, section 3.4: POST of an
// application/timestamp-query, answered with an application/timestamp-reply). The reply is
// checked before it is kept: granted, over our digest, our nonce, a signature that verifies.
import { createHash } from 'node:crypto';
import { checkTimestampResponse, timeStampRequest, type TimestampToken } from './rfc3161.js';

export interface TsaSettings {
  url: string;
  /** PEM file of the CA(s) that `verify` trusts for this TSA (default: the system store). */
  ca: string | null;
  /** Limit for the whole request (default 15 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_REPLY_BYTES = 1024 * 1024;

export class TsaError extends Error {
  override readonly name = 'TsaError';
}

/** The DER TimeStampResp for `data`'s SHA-256, checked; throws TsaError saying what went wrong. */
export async function requestTimestamp(data: Buffer, settings: TsaSettings): Promise<{ tsr: Buffer; token: TimestampToken }> {
  const digest = createHash('sha256').update(data).digest();
  const { der, nonce } = timeStampRequest(digest);
  let reply: Response;
  try {
    reply = await fetch(settings.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
      body: new Uint8Array(der),
      redirect: 'error',
      signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new TsaError(`cannot reach ${settings.url}: ${networkReason(err)}`);
  }
  if (reply.status !== 200) throw new TsaError(`${settings.url} answered HTTP ${reply.status}`);
  const body = Buffer.from(await reply.arrayBuffer());
  if (body.length === 0 || body.length > MAX_REPLY_BYTES) throw new TsaError(`${settings.url} sent a reply of ${body.length} bytes`);
  const check = await checkTimestampResponse(body, data, { roots: null, nonce });
  if (!check.ok) throw new TsaError(`${settings.url}: ${check.problems.join('; ')}`);
  return { tsr: body, token: check.token };
}

function networkReason(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error?.name === 'TimeoutError') return 'no answer in time';
  return error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(err);
}
