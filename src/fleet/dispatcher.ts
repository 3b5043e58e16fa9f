// The server's side of the fleet (`serve --queue`): puts jobs on the BullMQ queue, answers the
// workers (heartbeats, claims, failures, case uploads) and turns all of it into the outcome of each
// job's trace, as the in-process Tracer would.
//
// The server's SQLite is the authority, not Redis:
// - A job is traced only by the worker whose claim succeeded. The claim (jobs table, and the ledger
//   of requested URLs with the case id the server assigns) is committed before it is answered.
// - A job never claimed may be put on the queue again: when Redis lost it (restart without
//   persistence), when its worker died before claiming (BullMQ fails a stalled job: workers run with
//   maxStalledCount 0), when a worker gave it up. Reconciled every few seconds.
// - A claimed job ends with its case (uploaded, verified, indexed), with the worker's failure, or,
//   when its worker stops sending heartbeats (or no longer lists it) and no other live worker lists
//   it (the next worker on a killed worker's spool does), as failed: WORKER_LOST. It is never put on
//   the queue again. A case uploaded after that (a killed worker's case, sealed as partial by the
//   next worker on its spool) is still taken in (nothing recorded is lost) and the job is done after all.
import { hostname } from 'node:os';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { processAlive } from '../capture/profiles.js';
import { TOOL } from '../version.js';
import { clean } from '../terminal-text.js';
import type { Job } from '../service/trace-service.js';
import { jobCounts, type JobCounts } from '../service/job-state.js';
import { alreadyTraced, cancelReason, type TraceDefaults, type TraceOutcome, type TraceRequest } from '../service/tracer.js';
import type { CaseStore } from '../store/index.js';
import type { Report } from '../report.js';
import { caseFolderName } from '../case/case-layout.js';
import { requestKey } from '../capture/trace-input.js';
import { readCaseFolder, type CaseFolderRead } from '../store/case-folder.js';
import { keyFingerprint, samePublicKey } from '../case/signing.js';
import {
  BundleError,
  CaseRefused,
  ingestBundle,
  ingestFolder,
  type FolderIngestOptions,
  type IngestOptions,
  type IngestOutcome,
} from '../import/case-bundle.js';
import type { StagedBundle, StagedFolder } from '../import/unpack-verify.js';
import { VerifyThread } from '../import/verify-thread.js';
import { connectionOptions, describeRedis, type RedisTarget } from './redis-url.js';
import { deadline } from './timing.js';
import { QueueHealth } from './queue-health.js';
import {
  CASE_REFUSED,
  dispatchId,
  fleetTraceOptions,
  jobOfDispatch,
  progressEvents,
  QUEUE_NAME,
  WORKER_LOST,
  type ClaimRequest,
  type ClaimResponse,
  type FailRequest,
  type FleetJobData,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type IngestResponse,
  type WorkerIdentity,
} from './protocol.js';

/** What the server keeps of a job's life on the fleet (saved with the job). */
export interface FleetJobState {
  /** Times it was put on the queue; the current BullMQ job id. */
  dispatches: number;
  /** Dispatches a worker the server does not trust took (its claim refused): not the job's fault, not counted against MAX_DISPATCHES. */
  excused?: number;
  excusedDispatch?: string | null;
  /** Why the server refused its last bundle: its worker checks its own copy, sends it again if it is intact, else reports the job failed. */
  refused?: string | null;
  dispatch: string | null;
  /** Set by the claim: the case folder's name, the claimant and its nonce. */
  caseId: string | null;
  worker: { id: string; name: string; host: string } | null;
  nonce: string | null;
  claimedAt: string | null;
}

/** What the dispatcher needs of the service's jobs. */
export interface FleetJobHost {
  store: CaseStore;
  job(id: string): Job | null;
  jobByCase(caseId: string): Job | null;
  jobs(): Iterable<Job>;
  save(job: Job): void;
  record(job: Job, kind: string, detail: string): void;
  /** A job already ended (e.g. failed as lost) whose case arrived after all. */
  late(job: Job, outcome: TraceOutcome): void;
}

export interface FleetOptions {
  redis: RedisTarget;
  /** A claimed job whose worker sent no heartbeat for this long is failed as lost (default 30 s). */
  workerTimeoutMs?: number;
  /** Ed25519 public keys (PEM) every uploaded case must be signed by; none: any valid signature or none. */
  trustedKeys?: string[];
  /** Reconcile the queue with the jobs this often (default: a third of the worker timeout, 1 to 10 s). */
  reconcileMs?: number;
  log?: (line: string) => void;
}

export interface WorkerSeen extends WorkerIdentity {
  firstSeen: string;
  lastSeen: string;
  running: string[];
  stopping: boolean;
  /** How far the worker's clock is ahead of the server's (negative: behind), from its last heartbeat; null when it did not say. */
  clockSkewMs?: number | null;
  clockSamples?: number[];
  clockSaid?: boolean;
}

export interface QueueStatus {
  queue: string;
  /** The server's jobs by state (the authority). */
  jobs: JobCounts;
  /** BullMQ's own counts, or why Redis did not answer. */
  redis: { waiting: number; active: number; completed: number; failed: number; delayed: number } | { error: string };
  workers: (WorkerSeen & { ageMs: number; alive: boolean; state: WorkerState; held: HeldJob[] })[];
  workerTimeoutMs: number;
}

/**
 * alive; stopping (SIGTERM: it takes no new job); stopped (its last heartbeat said it stopped
 * holding nothing); silent (no heartbeat for the worker timeout: killed, crashed, cut off).
 */
export type WorkerState = 'alive' | 'stopping' | 'stopped' | 'silent';

/** A job a worker named in its last heartbeat, as the server has it now (a silent worker's may have ended since). */
export interface HeldJob {
  id: string;
  url: string | null;
  state: Job['state'] | null;
}

/** A reply the HTTP layer sends as is. */
export interface FleetReply<T> {
  status: number;
  body: T | { error: { code: string; message: string } };
}

interface Waiter {
  job: Job;
  request: TraceRequest;
  resolve: (outcome: TraceOutcome) => void;
}

const MAX_DISPATCHES = 5;
/**
 * A dispatch a worker the server refuses took (its claim refused: excused) is put back after a
 * pause, doubled with each such dispatch of the job, up to EXCUSED_MAX_DELAY_MS. A worker of this
 * version pauses its queue once refused; an older one does not, and takes job after job it may not
 * claim: without the pause it would spin the job between the queue and itself as fast as Redis and
 * the server answer (a dispatch and two events each time), the job never failing (excused dispatches
 * are not counted), a trusted worker rarely getting it first.
 */
const EXCUSED_DELAY_MS = 1000;
const EXCUSED_MAX_DELAY_MS = 30_000;
/**
 * One server per queue: the key names the server that holds the queue, for SERVER_LEASE_MS, renewed
 * a third of it. A second server on the same queue would take the first one's jobs from workers
 * that claim them from the wrong server (refused as unknown, put on the queue again, given up after
 * MAX_DISPATCHES), so it is refused at start. A holder of this host that is no longer running (a
 * server killed and started again) is replaced at once; one elsewhere lapses within the lease.
 */
const SERVER_KEY = `clicktrace:${QUEUE_NAME}:server`;
const SERVER_LEASE_MS = 15_000;
// Renews the lease only if this server still holds it; takes it again if it is gone (Redis restarted without persistence).
const RENEW_LEASE = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;
// Replaces a holder only if it is still the one judged gone.
const REPLACE_HOLDER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;

/** Another server holds the queue. */
export class QueueTakenError extends Error {}
const WORKERS_SHOWN_MS = 24 * 3600 * 1000;
/** Jobs of a worker shown with their link and state (its heartbeat names all of them in `running`). */
const HELD_SHOWN = 50;
/** A worker's clock further off than this is said (the heartbeat's own transit is well below it). */
const CLOCK_TOLERANCE_MS = 5000;
const CLOCK_SAMPLES = 8;

export class FleetDispatcher {
  readonly queueUrl: string;
  readonly workerTimeoutMs: number;
  readonly heartbeatMs: number;
  private readonly queue: Queue<FleetJobData>;
  private readonly events: QueueEvents;
  private readonly waiters = new Map<string, Waiter>();
  private readonly workers = new Map<string, WorkerSeen>();
  private readonly ingesting = new Map<string, Promise<FleetReply<IngestResponse> | null>>();
  /** Bundles are unpacked and verified off the event loop, which answers claims, heartbeats and the web UI meanwhile. */
  private readonly verifier = new VerifyThread();
  private readonly startedAt = Date.now();
  /** How this server names itself in SERVER_KEY, and its connection for it (BullMQ's client is not public). */
  private readonly serverName: string;
  private readonly lease: Redis;
  private readonly timers: NodeJS.Timeout[] = [];
  private reconciling: Promise<void> | null = null;
  /** Cancelled jobs whose worker said it stopped their trace: their case comes as any case does. */
  private readonly cancelHeard = new Set<string>();
  /** Workers whose heartbeat was refused (their signing key is not trusted), with why: their claims are refused too. */
  private readonly refusedWorkers = new Map<string, string>();
  /** Claimed jobs of a silent worker that another worker (on its spool) said it holds: said once. */
  private readonly heldForLost = new Set<string>();
  /**
   * Jobs of a link another job of this server is tracing right now (claimed, its case not in yet),
   * by the job they wait for: each ends with that job's case when it ends (already traced), never
   * put on the queue meanwhile. Answered at once, they said the case "deleted, or never delivered".
   */
  private readonly following = new Map<string, { first: string; caseId: string }>();
  private lastSweep = Date.now();
  private closed = false;
  private readonly health: QueueHealth;

  constructor(
    private readonly host: FleetJobHost,
    private readonly traceDefaults: TraceDefaults | undefined,
    private readonly options: FleetOptions,
  ) {
    this.queueUrl = describeRedis(options.redis);
    this.serverName = JSON.stringify({ host: hostname(), pid: process.pid, cases: host.store.casesDir, since: new Date().toISOString() });
    this.workerTimeoutMs = options.workerTimeoutMs ?? 30_000;
    this.heartbeatMs = Math.max(250, Math.min(5000, Math.round(this.workerTimeoutMs / 5)));
    const connection = connectionOptions(options.redis, () => this.closed);
    this.queue = new Queue<FleetJobData>(QUEUE_NAME, { connection });
    this.events = new QueueEvents(QUEUE_NAME, { connection });
    this.lease = new Redis(connection);
    this.health = new QueueHealth((line) => this.options.log?.(`clicktrace serve: ${line}`), this.queueUrl);
    this.health.watch(this.lease, () => this.closed);
    this.lease.on('error', (err: Error) => this.redisError(err));
    this.queue.on('error', (err: Error) => this.redisError(err));
    this.events.on('error', (err: Error) => this.redisError(err));
    this.events.on('progress', ({ jobId, data }) => this.progress(jobId, data));
    this.events.on('failed', ({ jobId }) => this.queueLost(jobId));
    this.events.on('completed', ({ jobId }) => this.queueLost(jobId));
    const reconcileMs = options.reconcileMs ?? Math.max(1000, Math.min(10_000, Math.round(this.workerTimeoutMs / 3)));
    this.timers.push(setInterval(() => void this.reconcile(), reconcileMs).unref());
    this.timers.push(setInterval(() => this.sweep(), this.heartbeatMs).unref());
  }

  /** Answers within `timeoutMs` whether Redis is reachable (for a clear error at start), and takes the queue (QueueTakenError when another server has it). */
  async ready(timeoutMs: number): Promise<void> {
    const message = `no answer from ${this.queueUrl} within ${timeoutMs / 1000} s`;
    await deadline(this.queue.waitUntilReady(), timeoutMs, message);
    await deadline(this.queue.getJobCounts('waiting'), timeoutMs, message);
    await deadline(this.takeQueue(), timeoutMs, message);
    this.timers.push(setInterval(() => void this.keepQueue(), SERVER_LEASE_MS / 3).unref());
  }

  private async takeQueue(): Promise<void> {
    const redis = this.lease;
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await redis.set(SERVER_KEY, this.serverName, 'PX', SERVER_LEASE_MS, 'NX')) === 'OK') return;
      const held = await redis.get(SERVER_KEY);
      if (held === null) continue;
      let holder: { host?: string; pid?: number; cases?: string; since?: string } = {};
      try {
        holder = JSON.parse(held) as typeof holder;
      } catch {
        // not ours to read: refused below
      }
      // On this host: a holder with this process's pid is an earlier life of it (a container's fixed pid), else gone if not running.
      const gone =
        holder.host === hostname() && typeof holder.pid === 'number' && (holder.pid === process.pid || !processAlive(holder.pid));
      if (gone) {
        if ((await redis.eval(REPLACE_HOLDER, 1, SERVER_KEY, held, this.serverName, SERVER_LEASE_MS)) === 1) return;
        continue;
      }
      throw new QueueTakenError(
        `${this.queueUrl} is the queue of another clicktrace server (process ${holder.pid ?? '?'} on ${holder.host ?? '?'}, ` +
          `cases ${holder.cases ?? '?'}, since ${holder.since ?? '?'}); one server per queue ` +
          `(if that server is gone, its hold lapses within ${SERVER_LEASE_MS / 1000} s)`,
      );
    }
    throw new QueueTakenError(`${this.queueUrl}: the queue's server could not be settled; try again`);
  }

  private async keepQueue(): Promise<void> {
    if (this.closed) return;
    try {
      const redis = this.lease;
      const kept = await redis.eval(RENEW_LEASE, 1, SERVER_KEY, this.serverName, SERVER_LEASE_MS);
      if (kept === 0) this.redisError(new Error(`another clicktrace server has taken this queue (${String(await redis.get(SERVER_KEY))})`));
    } catch (err) {
      this.redisError(err as Error);
    }
  }

  /** The job's trace on the fleet: resolves when its case is in, or it failed. Puts it on the queue unless it is there or claimed. */
  trace(job: Job, request: TraceRequest): Promise<TraceOutcome> {
    if (job.cancelledAt && job.state === 'queued')
      return Promise.resolve({ kind: 'skipped', url: job.url!, reason: cancelReason(job.cancelledAt) });
    return new Promise((resolve) => {
      this.waiters.set(job.id, { job, request, resolve });
      if (job.state === 'queued' && !job.fleet?.dispatch) void this.dispatch(job);
    });
  }

  /** Jobs on the queue and not yet claimed. */
  get waiting(): number {
    let n = 0;
    for (const { job } of this.waiters.values()) if (job.state === 'queued') n++;
    return n;
  }

  heartbeat(request: HeartbeatRequest): FleetReply<HeartbeatResponse> {
    const untrusted = this.untrustedKey(request.worker);
    if (untrusted) {
      if (!this.refusedWorkers.has(request.worker.id))
        this.options.log?.(`clicktrace serve: worker ${clean(request.worker.name)} on ${clean(request.worker.host)} refused: ${untrusted}`);
      this.refusedWorkers.set(request.worker.id, untrusted);
      return refusal(403, 'untrusted-key', untrusted);
    }
    this.refusedWorkers.delete(request.worker.id);
    const now = new Date().toISOString();
    const seen = this.workers.get(request.worker.id);
    if (process.env.CLICKTRACE_FLEET_DEBUG && seen)
      this.options.log?.(`debug: heartbeat of ${request.worker.name} ${Date.now() - Date.parse(seen.lastSeen)} ms after its last`);
    // Each sample is the skew less the heartbeat's transit (its time in queues of a loaded server
    // included): the largest of the last few is the closest to the truth.
    const sentAt = request.sentAt ? Date.parse(request.sentAt) : NaN;
    const samples = Number.isFinite(sentAt) ? [...(seen?.clockSamples ?? []), sentAt - Date.now()].slice(-CLOCK_SAMPLES) : [];
    const clockSkewMs = samples.length ? Math.max(...samples) : null;
    const judged = samples.length >= Math.min(3, CLOCK_SAMPLES) || (clockSkewMs ?? 0) > CLOCK_TOLERANCE_MS;
    if (judged && clockSkewMs !== null && Math.abs(clockSkewMs) > CLOCK_TOLERANCE_MS && !seen?.clockSaid)
      this.options.log?.(
        `clicktrace serve: worker ${clean(request.worker.name)} on ${clean(request.worker.host)}: ${clockNote(clockSkewMs)}`,
      );
    this.workers.set(request.worker.id, {
      ...request.worker,
      firstSeen: seen?.firstSeen ?? now,
      lastSeen: now,
      running: request.running.slice(0, 1000),
      stopping: request.stopping,
      clockSkewMs: judged ? clockSkewMs : null,
      clockSamples: samples,
      clockSaid: seen?.clockSaid || (judged && clockSkewMs !== null && Math.abs(clockSkewMs) > CLOCK_TOLERANCE_MS),
    });
    for (const id of request.cancelled ?? []) {
      const job = this.host.job(id);
      if (!job?.cancelledAt || job.state !== 'running' || this.cancelHeard.has(id)) continue;
      this.cancelHeard.add(id);
      this.host.record(
        job,
        'cancel-heard',
        `${request.worker.name} on ${request.worker.host} stopped the trace; its case comes as any case does`,
      );
    }
    // Its claimed jobs that were cancelled: it stops their traces (each case then comes as any case does).
    const cancel = request.running.flatMap((id) => {
      const job = this.host.job(id);
      return job?.state === 'running' && job.cancelledAt && job.fleet?.worker?.id === request.worker.id
        ? [{ job: id, reason: cancelReason(job.cancelledAt) }]
        : [];
    });
    return {
      status: 200,
      body: { heartbeatMs: this.heartbeatMs, workerTimeoutMs: this.workerTimeoutMs, ...(cancel.length ? { cancel } : {}) },
    };
  }

  /**
   * Why this worker's cases would be refused whatever it traced (serve --trust-key names keys, and
   * it signs with none of them), said before it requests anything; null when they may be taken. A
   * worker that does not say its key (an older one) has its cases checked when they come.
   */
  private untrustedKey(worker: WorkerIdentity): string | null {
    const trusted = this.options.trustedKeys ?? [];
    if (trusted.length === 0 || worker.signingKey === undefined) return null;
    const fix = 'start the worker with a key the server trusts, or give it to serve with --trust-key';
    if (worker.signingKey === null)
      return (
        'its cases are not signed (no key in its clicktrace home: clicktrace key init) and this server takes only ' +
        `cases signed by a key it trusts; ${fix}`
      );
    if (trusted.some((key) => samePublicKey(key, worker.signingKey!))) return null;
    const name = keyFingerprint(worker.signingKey);
    return (
      `it signs its cases with ${name ? `key ${name}` : 'an unreadable key'}, which this server does not trust (--trust-key); ` +
      `its cases would be refused after their links were spent; ${fix}`
    );
  }

  /**
   * A job the analyst cancelled (TraceService.cancel). Not claimed yet: it ends now, nothing
   * requested, and leaves the queue (a worker holding it unclaimed is refused its claim). Claimed:
   * its worker is told in the answer to its next heartbeat, stops the trace and sends its case; a
   * worker that does not say it did within the worker timeout has the job ended without it.
   */
  cancel(job: Job, reason: string): void {
    if (job.state !== 'queued') return;
    const dispatch = job.fleet?.dispatch;
    this.settle(job.id, { kind: 'skipped', url: job.url!, reason });
    if (dispatch)
      // Removed unless a worker holds it (locked): then its claim is refused.
      void this.queue.remove(dispatch).catch((err: Error) => this.redisError(err));
  }

  /** Succeeds once per job, ever: committed to the jobs table and the ledger before it is answered. */
  claim(jobId: string, request: ClaimRequest): FleetReply<ClaimResponse> {
    const job = this.host.job(jobId);
    if (!job) return { status: 404, body: { ok: false, code: 'unknown', reason: `no job ${jobId} on this server` } };
    const fleet = job.fleet;
    // The same claim again (its answer was lost on the way): the same answer.
    if (job.state === 'running' && fleet?.nonce === request.nonce && fleet.caseId)
      return { status: 200, body: { ok: true, caseId: fleet.caseId, url: job.url! } };
    if (job.cancelledAt) return { status: 409, body: { ok: false, code: 'finished', reason: `job ${jobId} was cancelled by the analyst` } };
    // Its heartbeat was refused: what it traced would be refused too. The job waits for another worker.
    const refused = this.refusedWorkers.get(request.worker);
    if (refused) {
      this.excuse(job, request.dispatch);
      return { status: 409, body: { ok: false, code: 'untrusted-key', reason: `this worker is refused: ${refused}` } };
    }
    // Whether a worker is trusted is known from its heartbeat: one this server has not heard yet
    // (the server was started again meanwhile) is asked to introduce itself first.
    if (this.options.trustedKeys?.length && !this.workers.has(request.worker)) {
      this.excuse(job, request.dispatch);
      return {
        status: 409,
        body: {
          ok: false,
          code: 'unknown-worker',
          reason: 'this server has had no heartbeat of this worker yet; send one, then claim again',
        },
      };
    }
    const waiter = this.waiters.get(jobId);
    if (job.state !== 'queued' || !waiter) {
      const code = job.state === 'running' ? 'claimed' : 'finished';
      return {
        status: 409,
        body: { ok: false, code, reason: `job ${jobId} is ${job.state === 'running' ? 'claimed by another worker' : job.state}` },
      };
    }
    // "again" passes the ledger (the earlier request has its case named at once, on the fleet); a
    // second "again" of a link being traced right now (a form sent twice) must not request it twice.
    if (job.again && this.tracingNow(job)) {
      this.settle(job.id, { kind: 'already-traced', url: job.url!, caseId: null, inProgress: true });
      return { status: 409, body: { ok: false, code: 'already-traced', reason: 'its link is being traced right now for another job' } };
    }
    const worker = this.workers.get(request.worker);
    const { store } = this.host;
    type Claimed = { ok: true; caseId: string } | { ok: false; caseId: string | null; inProgress: boolean };
    const claimed = store.db.transaction((): Claimed => {
      const claim = store.ledger.claim(job.url!, { again: job.again ?? false });
      if (!claim.ok) return claim;
      const caseId = caseFolderName(new Date());
      store.ledger.attach(claim.id, caseId);
      job.fleet = {
        ...(fleet ?? emptyFleetState()),
        // The dispatch that claimed it (its progress is the job's): a job put on the queue again may be claimed through an earlier one.
        ...(jobOfDispatch(request.dispatch) === jobId ? { dispatch: request.dispatch } : {}),
        caseId,
        nonce: request.nonce,
        claimedAt: new Date().toISOString(),
        worker: { id: request.worker, name: worker?.name ?? '?', host: worker?.host ?? '?' },
      };
      waiter.request.onStart?.(); // the job is running: saved in the same transaction
      return { ok: true, caseId };
    })();
    if (!claimed.ok) {
      const first = claimed.caseId ? this.host.jobByCase(claimed.caseId) : null;
      if (first && first !== job && first.state === 'running' && this.waiters.has(first.id)) {
        // Its case is still on the way: this job ends with it, as already traced, when that job ends.
        this.following.set(job.id, { first: first.id, caseId: claimed.caseId! });
        this.host.record(
          job,
          'same-link',
          `its link is being traced right now for job ${first.id} (case ${claimed.caseId}); this job ends with that case, ` +
            'not requested again',
        );
        this.host.save(job);
        return {
          status: 409,
          body: { ok: false, code: 'already-traced', reason: `its link is being traced right now for job ${first.id}` },
        };
      }
      // A case not (yet) on this server: its worker was lost, or its case is still on the way.
      this.settle(job.id, alreadyTraced(store, job.url!, claimed));
      const reason = claimed.inProgress
        ? 'its link is being traced right now by another process'
        : `its link was requested before (case ${claimed.caseId ?? '?'})`;
      return { status: 409, body: { ok: false, code: 'already-traced', reason } };
    }
    const outcome = { ok: true as const, caseId: claimed.caseId, url: job.url! };
    this.host.record(job, 'claimed', `by ${worker ? `${worker.name} on ${worker.host}` : request.worker}; case ${outcome.caseId}`);
    // The case is verified by its digests and signature, which say nothing of the worker's clock or version: the job says them.
    if (worker?.clockSkewMs && Math.abs(worker.clockSkewMs) > CLOCK_TOLERANCE_MS)
      this.host.record(job, 'worker-clock', `${clockNote(worker.clockSkewMs)}; the times in its case are the worker's`);
    if (worker && worker.version !== TOOL.version)
      this.host.record(job, 'worker-version', `${worker.name} runs clicktrace ${worker.version}, this server ${TOOL.version}`);
    // With its events: a server started again shows who claimed it and which case it waits for (it was saved before they were said).
    this.host.save(job);
    return { status: 200, body: outcome };
  }

  /** The job's current dispatch was taken by a worker whose claim is refused for who it is: it does not count against MAX_DISPATCHES. */
  private excuse(job: Job, dispatch: string): void {
    const fleet = job.fleet;
    if (job.state !== 'queued' || !fleet || fleet.dispatch !== dispatch || fleet.excusedDispatch === dispatch) return;
    job.fleet = { ...fleet, excused: (fleet.excused ?? 0) + 1, excusedDispatch: dispatch };
    this.host.save(job);
  }

  /** Another job of the same link is claimed and not yet ended. */
  private tracingNow(job: Job): boolean {
    const key = requestKey(job.url!);
    for (const { job: other } of this.waiters.values())
      if (other !== job && other.state === 'running' && other.fleet?.caseId && requestKey(other.url!) === key) return true;
    return false;
  }

  /** The claimed job ended without a case on its worker. */
  fail(jobId: string, request: FailRequest): FleetReply<{ ok: true }> {
    const job = this.host.job(jobId);
    if (!job || job.fleet?.nonce !== request.nonce) return notYours(jobId);
    const worker = job.fleet.worker;
    const error = `${request.error.split('\n')[0].slice(0, 1000)} (on worker ${worker?.name ?? '?'} on ${worker?.host ?? '?'})`;
    if (this.waiters.has(jobId)) this.settle(jobId, { kind: 'failed', url: job.url!, caseId: null, error });
    else if (job.state === 'failed' && job.error === WORKER_LOST) {
      // Failed as lost, then a worker started again on the lost one's spool and knows what happened.
      job.error = error;
      this.host.record(job, 'worker-report', error);
      this.host.save(job);
    }
    return { status: 200, body: { ok: true } };
  }

  /** A worker's case: verified, moved into the cases folder, indexed; the job's outcome. Only from its claimant (the nonce). Idempotent by case id. */
  async ingest(caseId: string, bundle: Buffer, nonce: string | null): Promise<FleetReply<IngestResponse>> {
    const reply = await this.takeInOnce(caseId, nonce, 'bundle', (job, options) => ingestBundle(bundle, this.host.store.casesDir, options));
    // A bundle is taken in or refused, never left for another way in.
    return reply!;
  }

  /**
   * A case folder of the server's own worker (local-link.ts), on the cases folder's file system:
   * taken in as `ingest` takes in a bundle (the same claim, checks and verification), hard-linked
   * rather than packed and unpacked. The folder is left where it is. Null when it cannot be linked
   * into the cases folder (another file system): the worker sends it as a bundle.
   */
  ingestFolder(caseId: string, folder: string, nonce: string | null): Promise<FleetReply<IngestResponse> | null> {
    return this.takeInOnce(caseId, nonce, 'folder', (job, options) => ingestFolder(folder, this.host.store.casesDir, options));
  }

  private takeInOnce(
    caseId: string,
    nonce: string | null,
    how: 'bundle' | 'folder',
    take: (job: Job, options: IngestOptions & FolderIngestOptions) => Promise<IngestOutcome | null>,
  ): Promise<FleetReply<IngestResponse> | null> {
    const job = this.host.jobByCase(caseId);
    if (!job) return Promise.resolve(refusal(404, 'unknown-case', `case ${caseId} was not assigned to a job of this server`));
    if (!nonce || job.fleet?.nonce !== nonce) {
      this.host.record(job, 'upload-refused', `a bundle for case ${caseId} came without the claim that named it; refused, the job goes on`);
      return Promise.resolve(
        refusal(409, 'not-claimed', `case ${caseId} belongs to job ${job.id}, which was not claimed with this upload's claim; refused`),
      );
    }
    const running = this.ingesting.get(caseId);
    if (running) return running;
    const work = this.takeIn(job, caseId, how, take).finally(() => this.ingesting.delete(caseId));
    this.ingesting.set(caseId, work);
    return work;
  }

  async status(): Promise<QueueStatus> {
    const jobs = jobCounts(this.host.jobs());
    let redis: QueueStatus['redis'];
    try {
      const counts = await deadline(this.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed'), 2000, 'no answer');
      redis = {
        waiting: counts.waiting,
        active: counts.active,
        completed: counts.completed,
        failed: counts.failed,
        delayed: counts.delayed,
      };
    } catch (err) {
      redis = { error: `${this.queueUrl}: ${(err as Error).message.split('\n')[0]}` };
    }
    const now = Date.now();
    const workers = [...this.workers.values()]
      .map(({ clockSamples: _samples, clockSaid: _said, ...w }) => {
        const alive = now - Date.parse(w.lastSeen) <= this.workerTimeoutMs;
        const state: WorkerState = alive
          ? w.stopping
            ? 'stopping'
            : 'alive'
          : w.stopping && w.running.length === 0
            ? 'stopped'
            : 'silent';
        const held = w.running.slice(0, HELD_SHOWN).map((id): HeldJob => {
          const job = this.host.job(id);
          return { id, url: job?.url ?? null, state: job?.state ?? null };
        });
        return { ...w, ageMs: now - Date.parse(w.lastSeen), alive, state, held };
      })
      .filter((w) => w.ageMs <= WORKERS_SHOWN_MS)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { queue: this.queueUrl, jobs, redis, workers, workerTimeoutMs: this.workerTimeoutMs };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.ingesting.values()]);
    // The next server on this queue need not wait for the lease to lapse.
    await deadline(
      this.lease.eval(
        `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
        1,
        SERVER_KEY,
        this.serverName,
      ),
      2000,
      'no answer',
    ).catch(() => undefined);
    this.lease.disconnect();
    // BullMQ's close waits for Redis to answer: a server stopped while Redis is down would never exit.
    const queue = Promise.allSettled([this.events.close(), this.queue.close()]);
    await deadline(queue, 5000, 'no answer').catch(() => Promise.allSettled([this.events.disconnect(), this.queue.disconnect()]));
    await this.verifier.close();
  }

  private async takeIn(
    job: Job,
    caseId: string,
    how: 'bundle' | 'folder',
    take: (job: Job, options: IngestOptions & FolderIngestOptions) => Promise<IngestOutcome | null>,
  ): Promise<FleetReply<IngestResponse> | null> {
    const { store } = this.host;
    // The verified case as read for the check of its link: the same files once renamed into place, indexed from this reading.
    let staged = null as CaseFolderRead | null;
    let taken;
    try {
      taken = await take(job, {
        expectCase: caseId,
        trustedKeys: this.options.trustedKeys ?? [],
        tsaCaFile: this.traceDefaults?.tsa?.ca ?? null,
        check: (staged: StagedBundle | StagedFolder) => this.verifier.run(staged),
        accept: (dir) => {
          staged = readCaseFolder(dir);
          const url = reportOf(staged)?.url;
          return url === job.url ? null : `it traced ${JSON.stringify(url ?? null)}, not the job's ${job.url}`;
        },
      });
    } catch (err) {
      if (!(err instanceof BundleError)) throw err;
      const waiting = this.waiters.has(job.id) && job.state === 'running';
      // Whole, and refused for what its case is (not the job's link...): sent again it would be refused again.
      const final = err instanceof CaseRefused;
      if (waiting && how === 'bundle' && !final) {
        // Damaged on the way or tampered with: only the worker can tell, by checking its own copy.
        // It sends it again if it is intact, else reports the job failed (a worker that does
        // neither has it failed with this refusal once it no longer holds it: sweep).
        job.fleet = { ...job.fleet!, refused: err.message };
        this.host.save(job);
        this.host.record(job, 'upload-refused', `${err.message}; the worker checks its own copy: sent again if intact, else the job fails`);
      } else if (waiting) this.settle(job.id, { kind: 'failed', url: job.url!, caseId: null, error: refusedError(err.message) });
      else this.host.record(job, 'upload-refused', err.message);
      return refusal(422, final ? CASE_REFUSED : 'refused', err.message);
    }
    // Not linked (another file system): nothing was taken in, the worker sends a bundle.
    if (taken === null) return null;
    // A case that was there already (the same manifest) is read where it is.
    const read = taken.kind === 'ingested' && staged !== null ? staged : readCaseFolder(taken.dir);
    try {
      store.indexCase(taken.dir, read);
    } catch {
      // `clicktrace reindex` rebuilds the index from the folders; the case is in.
    }
    const report = reportOf(read)!;
    const outcome: TraceOutcome = { kind: 'traced', url: job.url!, caseId, caseDir: taken.dir, report, timestamp: null };
    if (taken.kind === 'ingested') {
      const checked = taken.verify.checked;
      this.host.record(
        job,
        'uploaded',
        `case ${caseId}${how === 'folder' ? " (its folder, handed over by this server's own worker)" : ''} verified ` +
          `(${checked.files} files, ${checked.warcRecords} WARC records, signature ${checked.signature}) and taken in`,
      );
      if (report.partial) this.host.record(job, 'partial-case', `case ${caseId} is partial: ${report.error ?? 'its trace was cut off'}`);
    }
    if (this.waiters.has(job.id)) this.settle(job.id, outcome);
    else if (job.state !== 'done') this.host.late(job, outcome);
    return { status: 200, body: { case: caseId, outcome: taken.kind } };
  }

  private settle(jobId: string, outcome: TraceOutcome): void {
    const waiter = this.waiters.get(jobId);
    if (!waiter) return;
    this.waiters.delete(jobId);
    this.cancelHeard.delete(jobId);
    this.following.delete(jobId);
    waiter.resolve(outcome);
    // Jobs of the same link that waited for this one: already traced, with its case (in now, or never delivered).
    for (const [follower, { first, caseId }] of [...this.following])
      if (first === jobId) {
        const waiting = this.waiters.get(follower);
        this.following.delete(follower);
        if (waiting) this.settle(follower, alreadyTraced(this.host.store, waiting.job.url!, { caseId, inProgress: false }));
      }
  }

  private async dispatch(job: Job): Promise<void> {
    const waiter = this.waiters.get(job.id);
    if (!waiter || job.state !== 'queued' || this.closed || this.following.has(job.id)) return;
    const fleet = job.fleet ?? emptyFleetState();
    const counted = fleet.dispatches - (fleet.excused ?? 0);
    if (counted >= MAX_DISPATCHES) {
      this.settle(job.id, {
        kind: 'failed',
        url: job.url!,
        caseId: null,
        error: `put on the queue ${counted} times and never claimed by a worker; nothing was requested`,
      });
      return;
    }
    const id = dispatchId(job.id, fleet.dispatches + 1);
    const excusedLast = fleet.dispatch !== null && fleet.excusedDispatch === fleet.dispatch;
    const delayMs = excusedLast ? Math.min(EXCUSED_MAX_DELAY_MS, EXCUSED_DELAY_MS * 2 ** Math.min(10, (fleet.excused ?? 1) - 1)) : 0;
    job.fleet = { ...fleet, dispatches: fleet.dispatches + 1, dispatch: id };
    this.host.save(job);
    const { request } = waiter;
    const data: FleetJobData = {
      job: job.id,
      url: job.url!,
      again: job.again ?? false,
      clicks: request.clicks ?? [],
      ...(request.analysis ? { analysis: request.analysis } : {}),
      // The server's settings, and this trace's own over them (a message's link explores its landing page).
      options: { ...fleetTraceOptions(this.traceDefaults), ...fleetTraceOptions(request.options) },
    };
    try {
      await this.queue.add('trace', data, {
        jobId: id,
        attempts: 1,
        ...(delayMs > 0 ? { delay: delayMs } : {}),
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      });
      this.host.record(
        job,
        'dispatched',
        `on the queue as ${id}` +
          (delayMs > 0 ? `, to be taken in ${delayMs / 1000} s: its last dispatch went to a worker this server refuses` : ''),
      );
    } catch (err) {
      this.host.record(
        job,
        'queue-unreachable',
        `${this.queueUrl}: ${(err as Error).message.split('\n')[0]}; put on the queue when it answers`,
      );
    }
  }

  /** Jobs not claimed yet whose BullMQ job is gone (Redis lost it), failed (its worker died first) or finished without a claim: back on the queue. */
  private reconcile(): Promise<void> {
    // Assigned before it can end: a pass with nothing to await would otherwise end (and clear
    // `reconciling`) before the assignment, leaving a settled promise that blocks every later pass.
    this.reconciling ??= this.reconcilePass().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  private async reconcilePass(): Promise<void> {
    try {
      for (const { job } of [...this.waiters.values()]) {
        if (this.closed) return;
        if (job.state !== 'queued' || this.following.has(job.id)) continue;
        const dispatch = job.fleet?.dispatch;
        if (!dispatch) {
          await this.dispatch(job);
          continue;
        }
        const state = await deadline(this.queue.getJobState(dispatch), 5000, 'no answer');
        if (job.state !== 'queued' || !this.waiters.has(job.id)) continue; // claimed meanwhile
        if (state === 'unknown' || state === 'failed' || state === 'completed') {
          this.host.record(
            job,
            'requeued',
            `${dispatch} is ${state === 'unknown' ? 'gone from the queue' : state} and was never claimed; put on the queue again`,
          );
          await this.dispatch(job);
          continue;
        }
        // A worker holds one job ahead, unclaimed (worker.ts): if it went silent, the job goes to
        // another at once rather than when BullMQ finds its lock lapsed. Should the silent one come
        // back and claim it after all, the first claim wins and the other dispatch is refused.
        const holder = state === 'active' ? await this.lostHolder(dispatch) : null;
        if (holder) {
          this.host.record(job, 'requeued', `${dispatch} was held, not yet claimed, by ${holder}; put on the queue again`);
          await this.dispatch(job);
        }
      }
    } catch (err) {
      this.redisError(err as Error);
    }
  }

  /** The worker BullMQ gave this dispatch to (workers name themselves by their id), when it has been silent too long. */
  private async lostHolder(dispatch: string): Promise<string | null> {
    const holder = (await deadline(this.queue.getJob(dispatch), 5000, 'no answer'))?.processedBy;
    const seen = holder ? this.workers.get(holder) : undefined;
    if (!seen) return null;
    const silentMs = Date.now() - Date.parse(seen.lastSeen);
    return silentMs > this.workerTimeoutMs ? `${seen.name} on ${seen.host}, silent for ${Math.round(silentMs / 1000)} s` : null;
  }

  /** Claimed jobs whose worker went silent, or is alive but no longer holds them: failed, never run again. */
  private sweep(): void {
    const now = Date.now();
    // This process was stalled itself (its timers ran late): heartbeats that arrived meanwhile are
    // still waiting to be read. Judge no worker until they have been.
    const stalled = now - this.lastSweep > 2 * this.heartbeatMs;
    this.lastSweep = now;
    if (stalled) return;
    // A job a live worker lists is held: by its claimant, or by the next worker on a killed one's spool, delivering its case.
    const held = new Map<string, WorkerSeen>();
    for (const seen of this.workers.values())
      if (now - Date.parse(seen.lastSeen) <= this.workerTimeoutMs) for (const id of seen.running) held.set(id, seen);
    for (const { job } of [...this.waiters.values()]) {
      if (job.state !== 'running' || !job.fleet?.worker) continue;
      const worker = `${job.fleet.worker.name} on ${job.fleet.worker.host}`;
      if (job.cancelledAt && !this.cancelHeard.has(job.id) && now - Date.parse(job.cancelledAt) > this.workerTimeoutMs) {
        const error =
          `${worker} did not say it stopped the trace within ${Math.round(this.workerTimeoutMs / 1000)} s of the cancel; ` +
          'its case is taken in should it come';
        this.host.record(job, 'cancel-unanswered', error);
        this.settle(job.id, { kind: 'failed', url: job.url!, caseId: null, error });
        continue;
      }
      const seen = this.workers.get(job.fleet.worker.id);
      const lastSeen = Math.max(seen ? Date.parse(seen.lastSeen) : 0, this.startedAt);
      const claimedAt = Date.parse(job.fleet.claimedAt ?? '') || this.startedAt;
      const silent = now - lastSeen > this.workerTimeoutMs;
      const dropped = seen && Date.parse(seen.lastSeen) - claimedAt > this.workerTimeoutMs && !seen.running.includes(job.id);
      if (!silent && !dropped) continue;
      const holder = held.get(job.id);
      if (holder) {
        if (!this.heldForLost.has(job.id))
          this.host.record(
            job,
            'worker-restarted',
            `${worker} went silent; ${holder.name} on ${holder.host}, started on its spool, holds the job and delivers what it left`,
          );
        this.heldForLost.add(job.id);
        continue;
      }
      const refused = job.fleet.refused;
      this.host.record(
        job,
        'worker-lost',
        silent ? `${worker} sent no heartbeat for ${Math.round((now - lastSeen) / 1000)} s` : `${worker} no longer holds this job`,
      );
      this.settle(job.id, { kind: 'failed', url: job.url!, caseId: null, error: refused ? refusedError(refused) : WORKER_LOST });
    }
  }

  /** A worker's progress update of a dispatch (from the queue's events, or the server's own worker): the job's events while it runs that dispatch. */
  progress(bullJobId: string, data: unknown): void {
    const jobId = jobOfDispatch(bullJobId);
    const waiter = jobId ? this.waiters.get(jobId) : undefined;
    if (!waiter || waiter.job.state !== 'running' || waiter.job.fleet?.dispatch !== bullJobId) return;
    for (const event of progressEvents(data)) waiter.request.onProgress?.(event);
  }

  /** A BullMQ job ended: if its job was never claimed, reconcile now rather than at the next tick. */
  private queueLost(bullJobId: string): void {
    const jobId = jobOfDispatch(bullJobId);
    const job = jobId ? this.host.job(jobId) : null;
    if (job?.state === 'queued' && job.fleet?.dispatch === bullJobId) void this.reconcile();
  }

  private redisError(err: Error): void {
    this.health.error(err);
  }
}

/** How far off a worker's clock is, in words. */
function clockNote(skewMs: number): string {
  return `its clock is ${(Math.abs(skewMs) / 1000).toFixed(1)} s ${skewMs > 0 ? 'ahead of' : 'behind'} the server's`;
}

/** The report of a case folder as read, when it is a capture that has one. */
function reportOf(read: CaseFolderRead): Report | null {
  return read.ok ? read.folder.report : null;
}

export function emptyFleetState(): FleetJobState {
  return { dispatches: 0, dispatch: null, caseId: null, worker: null, nonce: null, claimedAt: null };
}

function refusedError(message: string): string {
  return `its case was refused by the server: ${message}`;
}

function notYours(jobId: string): FleetReply<never> {
  return refusal(409, 'not-claimed', `job ${jobId} is not claimed by this worker`);
}

function refusal(status: number, code: string, message: string): FleetReply<never> {
  return { status, body: { error: { code, message } } };
}
