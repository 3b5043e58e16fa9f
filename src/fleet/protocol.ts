// What the server and its fleet workers say to each other. Two channels:
//   Redis (BullMQ): the server puts each job on the queue QUEUE_NAME as FleetJobData; a worker takes
//     it and reports progress events with job.updateProgress({ events: [{ kind, detail }...] }), a
//     few at a time (ProgressData), which the server reads back through QueueEvents.
//   HTTP to the server (token in the X-Clicktrace-Token header), the authority on every job:
//     POST /api/fleet/heartbeat         HeartbeatRequest → HeartbeatResponse; the answer names the worker's
//                                       jobs the analyst cancelled (it stops their traces and says so in the next)
//     POST /api/fleet/jobs/:id/claim    ClaimRequest → ClaimResponse: succeeds once per job, ever
//     POST /api/fleet/jobs/:id/fail     FailRequest: the claimed job ended without a case
//     POST /api/fleet/cases/:case       body: the case bundle (src/case/case-bundle.ts) → IngestResponse;
//                                       with the claim's nonce in CLAIM_HEADER: only the claimant uploads a job's case;
//                                       422 with code `refused`: it does not verify (damaged on the way, or tampered
//                                       with: the worker checks its own copy), with CASE_REFUSED: it verifies and its
//                                       case is not one the server takes (not the job's link...): final
// A worker requests a job's link only after its claim succeeded; the claim is recorded in the
// server's SQLite (jobs table and ledger of requested URLs) before the answer is sent, so no job
// is traced twice whatever Redis does (BullMQ runs a stalled job again unless told not to, and
// loses its state when Redis restarts without persistence).
import { cutOffRecorded } from '../case/open-case.js';
import type { TraceDefaults } from '../service/tracer.js';
import type { TraceRequest } from '../service/tracer.js';

export const QUEUE_NAME = 'clicktrace-trace';
export const FLEET_API = '/api/fleet';
/**
 * The nonce of the claim that was answered with the case id. Every worker holds the server's token
 * and the case ids are on the jobs pages, so the token alone would let any worker (a stale spool,
 * a bug) put its bundle in place of another worker's case.
 */
export const CLAIM_HEADER = 'X-Clicktrace-Claim';

/** The code of an upload's refusal (422) that sending the bundle again cannot change: it arrived whole, and its case is not the job's. */
export const CASE_REFUSED = 'case-refused';

export interface ProgressEvent {
  kind: string;
  detail: string;
}

/**
 * A job's progress as a worker sends it: the events since its last send. Each send is a Redis
 * script on both sides (measured: ~10 ms of the server's CPU per job when every event went
 * alone, a tenth of a trace), so a worker sends the first event at once and later ones together.
 * The server's own workers (`serve --local-workers`) hand it to the dispatcher directly (local-link.ts).
 */
export interface ProgressData {
  events: ProgressEvent[];
}

/** The events of a progress update: any that are well-formed (kind cut to 40 characters); a lone event is what earlier workers sent. */
export function progressEvents(data: unknown): ProgressEvent[] {
  const events = (data as Partial<ProgressData> | null)?.events;
  const list = (Array.isArray(events) ? events : [data]) as (Partial<ProgressEvent> | null)[];
  return list.flatMap((e) =>
    typeof e?.kind === 'string' && typeof e.detail === 'string' ? [{ kind: e.kind.slice(0, 40), detail: e.detail }] : [],
  );
}

/**
 * Said of a claimed job whose worker stopped sending heartbeats: it may have died before its trace
 * requested anything, or mid-trace, so whether the link was requested is not known. Its case, if
 * any, stays on that worker's spool and comes (sealed as partial) when a worker starts on it again.
 */
export const WORKER_LOST =
  'worker lost (no heartbeat): whether it requested the link is not known; its case comes if a worker starts again on its spool; ' +
  'not requested again (submit it with "again" to trace it anew)';

/** Said by the next worker on a killed worker's spool of a claim whose trace had not begun (its case folder is made before any request). */
export const CLAIMED_NOT_BEGUN =
  'the worker died after claiming this job, before its trace began: the link was not requested; ' +
  'not requested again automatically (submit it with "again" to trace it)';

/** The error of a case a killed worker left open, sealed by the next worker on its spool (its report's error, the case marked partial). */
export function cutOffReason(exchanges: number): string {
  return (
    `partial: the worker died mid-trace (killed or crashed) ${cutOffRecorded(exchanges)}; ` +
    'sealed from what it recorded when a worker started again on its spool'
  );
}

/** The server's trace settings that travel with each job (JSON: file paths such as --cacert must exist on the worker's host). */
export type FleetTraceOptions = Pick<
  TraceDefaults,
  | 'resolve'
  | 'connectTo'
  | 'cacert'
  | 'dnsServer'
  | 'allowPrivate'
  | 'strictTls'
  | 'userAgent'
  | 'device'
  | 'browser'
  | 'timeoutMs'
  | 'settleMs'
  | 'maxHops'
  | 'clicks'
  | 'exploreDepth'
  | 'nudge'
  | 'tsa'
>;

const TRAVELLING: (keyof FleetTraceOptions)[] = [
  'resolve',
  'connectTo',
  'cacert',
  'dnsServer',
  'allowPrivate',
  'strictTls',
  'userAgent',
  'device',
  'browser',
  'timeoutMs',
  'settleMs',
  'maxHops',
  'clicks',
  'exploreDepth',
  'nudge',
  'tsa',
];

/** How the worker's host reaches the network: the worker's own command line wins over the job's for these. */
const HOST_OPTIONS: (keyof FleetTraceOptions)[] = ['resolve', 'connectTo', 'cacert', 'dnsServer', 'browser', 'tsa'];

export function fleetTraceOptions(defaults: Partial<TraceDefaults> | undefined): FleetTraceOptions {
  const out: Record<string, unknown> = {};
  for (const key of TRAVELLING) if (defaults?.[key] !== undefined) out[key] = defaults[key];
  return out;
}

/** The job's settings, with the worker's own host settings (non-empty ones) in place of the server's. */
export function workerTraceOptions(job: FleetTraceOptions, own: Partial<TraceDefaults>): Partial<TraceDefaults> {
  const out: Record<string, unknown> = { ...job };
  for (const key of HOST_OPTIONS) {
    const value = own[key];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out;
}

/** A job on the queue. `job` is the server's job id; the BullMQ job id is `<job>.<dispatch number>`. */
export interface FleetJobData {
  job: string;
  url: string;
  again: boolean;
  clicks: string[];
  analysis?: TraceRequest['analysis'];
  options: FleetTraceOptions;
}

export function dispatchId(jobId: string, dispatch: number): string {
  return `${jobId}.${dispatch}`;
}

/** The server's job id of a BullMQ job id. */
export function jobOfDispatch(bullJobId: string | undefined): string | null {
  const match = /^(j[0-9a-f]{12})\.\d+$/.exec(bullJobId ?? '');
  return match ? match[1] : null;
}

export interface WorkerIdentity {
  /** Unique per worker process: `<host>:<pid>:<random>`. */
  id: string;
  /** Its name (the spool slot, or --name). */
  name: string;
  host: string;
  version: string;
  chromium: string;
  concurrency: number;
  /**
   * The public key (PEM) its cases are signed with; null: it signs none. A server that trusts only
   * some keys (serve --trust-key) refuses a worker with another one before it traces anything: its
   * cases would be refused after their single-use links were spent. Absent: an older worker, whose
   * cases are checked when they come.
   */
  signingKey?: string | null;
}

export interface HeartbeatRequest {
  worker: WorkerIdentity;
  /** Server job ids this worker holds: claimed and tracing, or traced and waiting for the server to take the case. */
  running: string[];
  /** Shutting down: takes no new job. */
  stopping: boolean;
  /** The worker's clock when it sent this (ISO 8601): the server shows how far it is from its own, as a case's times are the worker's. */
  sentAt?: string;
  /** Of `running`, the jobs whose cancel (HeartbeatResponse.cancel) it heard: their traces are stopped, their cases come. */
  cancelled?: string[];
}

export interface HeartbeatResponse {
  /** How often the server wants a heartbeat. */
  heartbeatMs: number;
  /** After this long without a heartbeat, the worker's claimed jobs are failed as lost. */
  workerTimeoutMs: number;
  /**
   * Jobs of this worker the analyst cancelled: it stops each one's trace as Ctrl-C does (`reason`,
   * starting "interrupted", is its case's error), sends the case as it sends any, and lists the job
   * in `cancelled`. Said in every answer until the job has ended on the server.
   */
  cancel?: { job: string; reason: string }[];
}

export interface ClaimRequest {
  worker: string;
  /** The worker's random token for this claim: a repeated claim with it (a lost answer) gets the same answer. */
  nonce: string;
  /** The BullMQ job id the worker took. */
  dispatch: string;
}

export type ClaimResponse =
  /** Trace `url` into a case folder named `caseId`; nothing else may request it. */
  | { ok: true; caseId: string; url: string }
  | { ok: false; code: 'claimed' | 'finished' | 'already-traced' | 'unknown' | 'untrusted-key' | 'unknown-worker'; reason: string };

export interface FailRequest {
  worker: string;
  nonce: string;
  error: string;
}

export interface IngestResponse {
  case: string;
  /** ingested: verified and indexed now; already: this case was taken in before (same manifest). */
  outcome: 'ingested' | 'already';
}

export function isClaimRequest(value: unknown): value is ClaimRequest {
  const v = value as ClaimRequest;
  return typeof v?.worker === 'string' && typeof v.nonce === 'string' && typeof v.dispatch === 'string' && v.nonce.length <= 200;
}

export function isFailRequest(value: unknown): value is FailRequest {
  const v = value as FailRequest;
  return typeof v?.worker === 'string' && typeof v.nonce === 'string' && typeof v.error === 'string';
}

export function isHeartbeatRequest(value: unknown): value is HeartbeatRequest {
  const v = value as HeartbeatRequest;
  const w = v?.worker;
  return (
    typeof w?.id === 'string' &&
    typeof w.name === 'string' &&
    typeof w.host === 'string' &&
    typeof w.version === 'string' &&
    typeof w.chromium === 'string' &&
    typeof w.concurrency === 'number' &&
    (w.signingKey === undefined || w.signingKey === null || (typeof w.signingKey === 'string' && w.signingKey.length <= 4000)) &&
    Array.isArray(v.running) &&
    v.running.every((id) => typeof id === 'string') &&
    typeof v.stopping === 'boolean' &&
    (v.sentAt === undefined || typeof v.sentAt === 'string') &&
    (v.cancelled === undefined || (Array.isArray(v.cancelled) && v.cancelled.every((id) => typeof id === 'string')))
  );
}
