// HTTP calls to a clicktrace server, with its token: what fleet workers say (heartbeat, claim,
// fail, case upload, see protocol.ts) and what a batch submitted to a server needs (submit, job
// states, case reports). Node's own fetch; every call has a time limit.
import type { Report } from '../report.js';
import type { FeedAggregate } from '../feed/index.js';
import type { BatchView, JobSummary } from '../service/trace-service.js';
import { choiceFields, type TraceChoices } from '../service/submission-options.js';
import { BUNDLE_CONTENT_TYPE } from '../case/case-bundle.js';
import type {
  ClaimRequest,
  ClaimResponse,
  FailRequest,
  HeartbeatRequest,
  HeartbeatResponse,
  IngestResponse,
  ProgressData,
} from './protocol.js';
import { CASE_REFUSED, CLAIM_HEADER, FLEET_API } from './protocol.js';

/** A call that failed: `status` null when the server could not be reached (worth retrying). */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string,
  ) {
    super(message);
  }

  /** Worth trying again later: unreachable, a server error, or a server shutting down. */
  get transient(): boolean {
    return this.status === null || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

const CALL_TIMEOUT_MS = 30_000;

/** Why fetch made no connection (the cause's code, or undici's message): the request never left. */
const NOT_CONNECTED: Record<string, string> = {
  ECONNREFUSED: 'connection refused, nothing listens there',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'its name could not be resolved',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the network',
  EADDRNOTAVAIL: 'no such local address',
  UND_ERR_CONNECT_TIMEOUT: 'no answer to the connection',
  'bad port': 'a port fetch refuses to use',
};
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

export type UploadOutcome =
  | { kind: 'taken'; response: IngestResponse }
  /** final: the bundle arrived whole and its case is refused (CASE_REFUSED); sending it again changes nothing. */
  | { kind: 'refused'; status: number; message: string; final: boolean };

/** Checks a --server value: an http(s) URL without path, query or credentials. */
export function serverBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServerError(`--server: expected http://HOST:PORT, got "${text}"`, 0, 'bad-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ServerError(`--server: expected an http(s) URL, got "${text}"`, 0, 'bad-url');
  if (url.username || url.password || url.search || url.hash)
    throw new ServerError('--server: give the token with --token, not in the URL', 0, 'bad-url');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * What a fleet worker says to its server (protocol.ts): over HTTP (ServerClient), or, for the
 * server's own workers (`serve --local-workers`), to its dispatcher directly (local-link.ts). Both
 * read the server's answers with the functions below, so they mean the same either way.
 */
export interface FleetServerLink {
  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse>;
  /** The claim's answer; a refusal (409, 404) is an answer too. Throws ServerError when there is none. */
  claim(jobId: string, request: ClaimRequest): Promise<ClaimResponse>;
  /** Reports a claimed job that ended without a case; "not yours" (409) ends it too. */
  fail(jobId: string, request: FailRequest): Promise<void>;
  /** Uploads a case bundle under the claim (nonce) that named it: taken (now or before), refused for good (422, 404, 409, 413), or ServerError to retry. */
  uploadCase(caseId: string, bundle: Buffer, nonce: string | null): Promise<UploadOutcome>;
  /**
   * Hands over a sealed case folder as it is, when the link reaches a server on the same file
   * system (the server's own workers: it is hard-linked into the server's cases, verified and
   * indexed as an upload is; the folder stays until the worker removes it). Answered as
   * uploadCase; null when the folder cannot be linked there (the worker packs and uploads it).
   */
  handOverCase?(caseId: string, folder: string, nonce: string | null): Promise<UploadOutcome | null>;
  /**
   * The progress of a job the worker traces (BullMQ's job id: its dispatch), when the link carries
   * it; otherwise it goes through the queue (job.updateProgress, read by the server's QueueEvents).
   */
  progress?(dispatch: string, data: ProgressData): Promise<void>;
}

/** The server's answer to a heartbeat. */
export function heartbeatAnswer(answer: { status: number; body: unknown }): HeartbeatResponse {
  return ok(answer as { status: number; body: HeartbeatResponse });
}

/** The server's answer to a claim: the claim's answer, a refusal included; ServerError for anything else. */
export function claimAnswer(answer: { status: number; body: unknown }): ClaimResponse {
  if (answer.status === 200 || answer.status === 409 || answer.status === 404) return answer.body as ClaimResponse;
  throw errorOf(answer);
}

/** The server's answer to a failure report. */
export function failAnswer(answer: { status: number; body: unknown }): void {
  if (answer.status !== 200 && answer.status !== 409 && answer.status !== 404) throw errorOf(answer);
}

/** The server's answer to a case upload. */
export function uploadAnswer(answer: { status: number; body: unknown }): UploadOutcome {
  if (answer.status === 200) return { kind: 'taken', response: answer.body as IngestResponse };
  if (answer.status === 422 || answer.status === 404 || answer.status === 409 || answer.status === 400 || answer.status === 413)
    return {
      kind: 'refused',
      status: answer.status,
      message: messageOf(answer.body) ?? `HTTP ${answer.status}`,
      final: codeOf(answer.body) === CASE_REFUSED,
    };
  throw errorOf(answer);
}

export class ServerClient implements FleetServerLink {
  constructor(
    readonly base: string,
    private readonly token: string | null,
  ) {}

  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.call<HeartbeatResponse>('POST', `${FLEET_API}/heartbeat`, { json: request }).then(heartbeatAnswer);
  }

  async claim(jobId: string, request: ClaimRequest): Promise<ClaimResponse> {
    return claimAnswer(await this.call<ClaimResponse>('POST', `${FLEET_API}/jobs/${encodeURIComponent(jobId)}/claim`, { json: request }));
  }

  async fail(jobId: string, request: FailRequest): Promise<void> {
    failAnswer(await this.call<unknown>('POST', `${FLEET_API}/jobs/${encodeURIComponent(jobId)}/fail`, { json: request }));
  }

  async uploadCase(caseId: string, bundle: Buffer, nonce: string | null): Promise<UploadOutcome> {
    let answer;
    try {
      answer = await this.call<IngestResponse>('POST', `${FLEET_API}/cases/${encodeURIComponent(caseId)}`, {
        body: bundle,
        contentType: BUNDLE_CONTENT_TYPE,
        timeoutMs: UPLOAD_TIMEOUT_MS,
        ...(nonce ? { headers: { [CLAIM_HEADER]: nonce } } : {}),
      });
    } catch (err) {
      // A proxy before the server with a smaller body limit answers 413 in its own words: sent again, it would be refused again.
      if (err instanceof ServerError && err.status === 413)
        return {
          kind: 'refused',
          status: 413,
          message: `the bundle (${bundle.length} bytes) is too large for ${this.base} (HTTP 413)`,
          final: true,
        };
      throw err;
    }
    return uploadAnswer(answer);
  }

  /** POST /api/submit of a URL (with its trace options); the job, or a ServerError saying why it was refused. */
  submitUrl(input: { url: string; again?: boolean; clicks?: string[]; options?: TraceChoices }): Promise<JobSummary> {
    const { options, ...rest } = input;
    return this.call<{ job: JobSummary }>('POST', '/api/submit', { json: { ...rest, ...choiceFields(options ?? {}) } }).then(
      (a) => ok(a).job,
    );
  }

  /** POST /api/submit of an e-mail (its main link, or link number `link`, is traced). */
  submitMessage(
    raw: Buffer,
    options: {
      again?: boolean;
      link?: number | null;
      clicks?: string[];
      options?: TraceChoices;
      mailbox?: { batch: string; message: number } | null;
    },
  ): Promise<JobSummary> {
    const query = new URLSearchParams(choiceFields(options.options ?? {}));
    for (const click of options.clicks ?? []) query.append('click', click);
    if (options.again) query.set('again', '1');
    if (options.link) query.set('link', String(options.link));
    if (options.mailbox) {
      query.set('batch', options.mailbox.batch);
      query.set('message', String(options.mailbox.message));
    }
    const q = query.size ? `?${query}` : '';
    return this.call<{ job: JobSummary }>('POST', `/api/submit${q}`, { body: raw, contentType: 'message/rfc822' }).then((a) => ok(a).job);
  }

  /** POST /api/submit of a list file as one batch (the server reads it as `trace --input` does); the batch, or a ServerError. */
  submitList(
    raw: Buffer,
    options: { filename: string | null; again?: boolean; clicks?: string[]; options?: TraceChoices },
  ): Promise<BatchView> {
    const query = new URLSearchParams(choiceFields(options.options ?? {}));
    if (options.filename) query.set('filename', options.filename);
    if (options.again) query.set('again', '1');
    for (const click of options.clicks ?? []) query.append('click', click);
    const q = query.size ? `?${query}` : '';
    return this.call<{ batch: BatchView }>('POST', `/api/submit${q}`, { body: raw, contentType: 'text/plain' }).then((a) => ok(a).batch);
  }

  /** POST /api/batches: a mailbox to be sent message by message, as one batch of the server (cancelled as one). */
  openMailbox(input: { mailbox: string; again?: boolean; clicks?: string[]; options?: TraceChoices }): Promise<BatchView> {
    const { options, ...rest } = input;
    return this.call<{ batch: BatchView }>('POST', '/api/batches', { json: { ...rest, ...choiceFields(options ?? {}) } }).then(
      (a) => ok(a).batch,
    );
  }

  /** POST /api/batches/:id/close: every message of the mailbox was sent. */
  closeMailbox(id: string): Promise<BatchView> {
    return this.call<{ batch: BatchView }>('POST', `/api/batches/${encodeURIComponent(id)}/close`).then((a) => ok(a).batch);
  }

  /** POST /api/batches/:id/lease: the mailbox's sender is still there (its lease starts again). */
  renewMailbox(id: string): Promise<{ lease?: { seconds: number } }> {
    return this.call<{ batch: { lease?: { seconds: number } } }>('POST', `/api/batches/${encodeURIComponent(id)}/lease`).then(
      (a) => ok(a).batch,
    );
  }

  /** Who is responsible across these cases of the server (POST /api/aggregate): the aggregate a batch's summary ends with. */
  aggregate(caseIds: string[]): Promise<FeedAggregate> {
    return this.call<{ aggregate: FeedAggregate }>('POST', '/api/aggregate', { json: { cases: caseIds } }).then((a) => ok(a).aggregate);
  }

  /** Whether the server takes the token: resolves when it does; a refusal throws (ServerError 401). */
  async checkToken(): Promise<void> {
    const answer = await this.call<unknown>('GET', '/api/jobs?ids=');
    if (answer.status === 401) throw errorOf(answer);
  }

  jobs(ids: string[]): Promise<JobSummary[]> {
    return this.call<{ jobs: JobSummary[] }>('GET', `/api/jobs?ids=${ids.map(encodeURIComponent).join(',')}`).then((a) => ok(a).jobs);
  }

  /**
   * The case's report.json, as the case folder holds it; null when it has none (a message case).
   * Not /api/cases/<id>: that one also verifies the case and reads its WARC for the analyst's view,
   * about 10 ms of the server's main thread per case, which a batch reading its results back needs not.
   */
  async caseReport(caseId: string): Promise<Report | null> {
    try {
      return await this.caseJson<Report>(caseId, 'report.json');
    } catch (err) {
      if (err instanceof ServerError && err.status === 404) return null;
      throw err;
    }
  }

  /** A JSON file of a case (e.g. a message case's message.json). */
  caseJson<T>(caseId: string, path: string): Promise<T> {
    return this.call<T>('GET', `/cases/${encodeURIComponent(caseId)}/files/${path}`).then(ok);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { json?: unknown; body?: Buffer; contentType?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token) headers['X-Clicktrace-Token'] = this.token;
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['Content-Type'] = 'application/json';
    } else if (options.body) {
      // A Buffer is a Uint8Array, which fetch sends as is (the DOM typings want one over a plain ArrayBuffer).
      body = options.body as unknown as BodyInit;
      headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? CALL_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      // No connection was made: the request never reached the server. Otherwise it may have, and only its answer was lost.
      const notSent = NOT_CONNECTED[why];
      if (notSent) throw new ServerError(`cannot reach ${this.base}: ${notSent} (${why})`, null, 'not-sent');
      throw new ServerError(`cannot reach ${this.base}: ${why}`, null, 'unreachable');
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new ServerError(`${this.base}${path}: the answer was cut off (${(err as Error).message})`, null, 'unreachable');
    }
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw new ServerError(`${this.base}${path}: HTTP ${response.status} without a JSON answer`, response.status, 'not-json');
    }
  }
}

function messageOf(body: unknown): string | null {
  const error = (body as { error?: { message?: unknown } })?.error;
  return typeof error?.message === 'string' ? error.message : null;
}

function codeOf(body: unknown): string | null {
  const code = (body as { error?: { code?: unknown } })?.error?.code;
  return typeof code === 'string' ? code : null;
}

function errorOf(answer: { status: number; body: unknown }): ServerError {
  if (answer.status === 401)
    return new ServerError(`the server refused the token (${messageOf(answer.body) ?? 'HTTP 401'})`, 401, 'unauthorized');
  return new ServerError(messageOf(answer.body) ?? `HTTP ${answer.status}`, answer.status, codeOf(answer.body) ?? 'http');
}

function ok<T>(answer: { status: number; body: T }): T {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  throw errorOf(answer);
}
