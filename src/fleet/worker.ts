// A fleet worker (`clicktrace worker`, and `serve --local-workers`): takes jobs from the BullMQ
// queue, claims each from the server before anything is requested (a refused claim drops the job),
// traces it on its own browser pool with the job's options into the case folder the server named,
// and hands the sealed case to its outbox, which uploads it until the server took it. Progress
// events go to the server through BullMQ's job progress. A heartbeat tells the server which jobs it
// holds; a worker that stops sending them has its claimed jobs failed, never run again.
//
// BullMQ runs with maxStalledCount 0 and attempts 1: a job whose worker died is failed in Redis, not
// run again (the server puts it on the queue again only if it was never claimed).
// BullMQ hands a worker one job more than it traces at once. That job waits, not yet claimed, for
// the next free slot, which it takes without a round trip to Redis: without it, at 3 traces at
// once on 2 cores, the slots stood idle 5% of the time between one job and the next.
// Stopping (SIGTERM): no new job is taken; started jobs end as cases (or failures) and are
// delivered; nothing goes back to the queue.
// A job the analyst cancelled on the server is named in the answer to a heartbeat: its trace is
// stopped as Ctrl-C stops one (its case sealed with what it recorded) and delivered as any case.
// A worker the server stops trusting while it runs (serve restarted with other --trust-key keys:
// its heartbeat or a claim is answered untrusted-key) takes no job from the queue until a
// heartbeat is accepted again: it would only take jobs it may not claim. Said once each way.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { basename } from 'node:path';
import { Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import type { Browser } from '../capture/browser.js';
import { TOOL } from '../version.js';
import { defaultKeyDir, loadSigningKey } from '../case/signing.js';
import { CaseStore } from '../store/index.js';
import { BrowserPool } from '../service/browser-pool.js';
import { cutOffAction } from '../service/cut-off-sweep.js';
import { Tracer, type TraceDefaults } from '../service/tracer.js';
import { JobQueue } from '../service/job-queue.js';
import { connectionOptions, describeRedis, type RedisTarget } from './redis-url.js';
import { QUEUE_NAME, workerTraceOptions, type FleetJobData, type HeartbeatResponse, type WorkerIdentity } from './protocol.js';
import { ServerClient, ServerError, type FleetServerLink } from './server-client.js';
import { Spool } from './spool.js';
import { Outbox } from './outbox.js';
import { checkOwnBundle, removeLeftChecks } from './own-bundle.js';
import { ProgressSender } from './progress-sender.js';
import { QueueHealth } from './queue-health.js';
import { deadline, pause } from './timing.js';
import { clean, truncate } from '../terminal-text.js';

export interface FleetWorkerOptions {
  redis: RedisTarget;
  /** The server's base URL and token. */
  server: string;
  token: string;
  /** The server's own worker (`serve --local-workers`): its dispatcher, called directly rather than over HTTP (local-link.ts). */
  link?: FleetServerLink;
  /** Traces at once. */
  concurrency: number;
  /** The spool folder (default: the first free worker-N of the clicktrace home). */
  spool?: string;
  /** Shown by the server (default: the spool's name). */
  name?: string;
  /** This worker's trace options: its network settings (resolve, connect-to, cacert, DNS, browser, TSA) win over the job's. */
  trace?: Partial<TraceDefaults>;
  log?: (line: string) => void;
  launch?: () => Promise<Browser>;
  /** How long a claim is retried while the server cannot be reached (default 60 s). */
  claimPatienceMs?: number;
  /** How long the worker waits at start for a server that cannot be reached yet (default 60 s). */
  serverPatienceMs?: number;
  /** How long the worker waits at start for Redis, once the server answered (default 60 s). */
  redisPatienceMs?: number;
}

export interface JobResult {
  case?: string;
  dropped?: string;
  failed?: string;
}

export class FleetWorker {
  readonly identity: WorkerIdentity;
  private readonly client: FleetServerLink;
  private readonly outbox: Outbox;
  private readonly tracer: Tracer;
  /** Traces at once: a job is claimed only when it has one. */
  private readonly slots: JobQueue;
  private bull: Worker<FleetJobData, JobResult> | null = null;
  /** Server jobs being claimed or traced, with how many dispatches of each this worker has in hand (a job may reach it twice). */
  private readonly holding = new Map<string, number>();
  /** The running traces of claimed jobs, by server job id: aborted when the server says the job was cancelled. */
  private readonly traces = new Map<string, AbortController>();
  /** Jobs whose cancel this worker heard (their traces stopped): said in each heartbeat while it holds them. */
  private readonly cancelHeard = new Map<string, string>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatMs = 1000;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private closed = false;
  private lastHeartbeatError = '';
  /** Why the server refuses this worker (its signing key is not trusted): no job is taken meanwhile. */
  private untrusted: string | null = null;
  private readonly health: QueueHealth;
  private watcher: Redis | null = null;
  private lastBeatAt = Date.now();
  private readonly loopDelay = (() => {
    const h = monitorEventLoopDelay({ resolution: 20 });
    h.enable();
    return h;
  })();
  readonly log: (line: string) => void;

  private constructor(
    private readonly options: FleetWorkerOptions,
    private readonly spool: Spool,
    private readonly store: CaseStore,
    private readonly browsers: BrowserPool,
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`clicktrace worker: ${line}\n`));
    this.health = new QueueHealth(this.log, describeRedis(options.redis));
    const host = hostname();
    const name = options.name ?? spool.name;
    this.identity = {
      id: `${host}:${process.pid}:${randomBytes(3).toString('hex')}`,
      name,
      host,
      version: TOOL.version,
      chromium: '(starting)',
      concurrency: options.concurrency,
      signingKey: signingPublicKey(),
    };
    this.client = options.link ?? new ServerClient(options.server, options.token);
    this.outbox = new Outbox(
      spool.outboxDir,
      spool.casesDir,
      spool.refusedDir,
      spool.sealingDir,
      this.client,
      () => this.identity.id,
      this.log,
      options.trace?.tsa ?? null,
      (caseId) => {
        const todo = cutOffAction(store, caseId);
        if (todo.action !== 'remove') return false;
        if (todo.claim !== null) store.ledger.release(todo.claim);
        return true;
      },
      (caseId, path) =>
        checkOwnBundle(caseId, path, spool.sealingDir, {
          signingKey: this.identity.signingKey,
          tsaCaFile: options.trace?.tsa?.ca ?? null,
        }),
    );
    this.slots = new JobQueue(options.concurrency);
    this.tracer = new Tracer({
      store,
      // Its cases leave the spool once packed; the spool's store keeps the ledger, not an index.
      index: false,
      concurrency: options.concurrency,
      browsers,
      trace: { ...options.trace, worker: { name, host } },
    });
  }

  /**
   * Opens the spool, starts Chromium (its version is part of the worker's identity), introduces the
   * worker to the server (a wrong token ends here, with ServerError 401), reaches Redis, and starts
   * taking jobs. Bundles a previous worker left in the spool are sent first.
   */
  static async start(options: FleetWorkerOptions): Promise<FleetWorker> {
    const spool = Spool.open(options.spool);
    removeLeftChecks(spool.sealingDir);
    const store = CaseStore.open(spool.casesDir);
    const browsers = new BrowserPool({
      ...(options.launch ? { launch: options.launch } : {}),
      ...(options.trace?.browser ? { kind: options.trace.browser } : {}),
    });
    const worker = new FleetWorker(options, spool, store, browsers);
    try {
      // The server first: a wrong token or server ends here, before Chromium starts.
      await worker.introduce(options.serverPatienceMs ?? 60_000);
      // What a killed worker left on this spool goes to the server now, whether Redis answers yet or not.
      worker.outbox.start();
      // Chromium starts while the trace code warms up: the first job then stalls nothing.
      const warming = import('../capture/trace.js').then((m) => m.warmUpTrace());
      const lease = await browsers.acquire();
      worker.identity.chromium = `${lease.browser.displayName} ${lease.browser.version()}`;
      lease.release();
      await warming;
      await worker.connect();
      void worker.beat(false);
      return worker;
    } catch (err) {
      worker.closed = true;
      if (worker.heartbeatTimer) clearTimeout(worker.heartbeatTimer);
      await worker.outbox.stop();
      await browsers.close();
      store.close();
      spool.release();
      throw err;
    }
  }

  get spoolDir(): string {
    return this.spool.dir;
  }

  /** Jobs this worker holds: being traced, or traced and not yet delivered. */
  holds(): string[] {
    return [...new Set([...this.holding.keys(), ...this.outbox.jobs()])];
  }

  /**
   * Takes no new job; started ones end as cases or failures; then delivers the outbox for up to
   * `deliverMs` (what is left stays in the spool for the next worker). With `abortRunning` the
   * running traces are stopped at once, their cases closed as interrupted and delivered.
   */
  stop({ abortRunning = false, deliverMs = 60_000 }: { abortRunning?: boolean; deliverMs?: number } = {}): Promise<void> {
    if (abortRunning) void this.tracer.stop('interrupted: the worker was stopped', { abortRunning: true });
    this.stopped ??= (async () => {
      this.stopping = true;
      void this.beat(false);
      // A job waiting in hand for a slot is not claimed: it is dropped, and the server puts it on the queue again.
      this.log(`stopping: no new jobs; ${this.slots.running} running trace(s) end as cases (or failures) and are delivered`);
      await this.bull?.close();
      this.watcher?.disconnect();
      const delivered = await this.outbox.drain(deliverMs);
      if (!delivered)
        this.log(
          `${this.outbox.size} item(s) not yet delivered stay in ${this.spool.dir} (outbox/, and sealed cases not yet ` +
            'packed in cases/) for the next worker on this spool',
        );
      await this.outbox.stop();
      this.closed = true;
      if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
      await this.client
        .heartbeat({ worker: this.identity, running: this.holds(), stopping: true, sentAt: new Date().toISOString() })
        .catch(() => undefined);
      await this.browsers.close();
      this.store.close();
      this.spool.release();
    })();
    return this.stopped;
  }

  private async connect(): Promise<void> {
    const connection = connectionOptions(this.options.redis, () => this.stopping);
    const bull = new Worker<FleetJobData, JobResult>(QUEUE_NAME, (job) => this.process(job), {
      connection,
      // Stored on each job it takes: the server finds the holder of a job not yet claimed.
      name: this.identity.id,
      // One job in hand, unclaimed, for the next free slot.
      concurrency: this.options.concurrency + 1,
      // A stalled job (its worker died, or its lock lapsed) is failed, never run again.
      maxStalledCount: 0,
      autorun: false,
    });
    // A connection of its own says when Redis is lost and when it answers again (BullMQ's say neither).
    const watcher = new Redis(connection);
    this.health.watch(watcher, () => this.stopping);
    watcher.on('error', (err: Error) => this.health.error(err));
    this.watcher = watcher;
    bull.on('error', (err) => this.health.error(err));
    // A worker may start before Redis (a host booting): it waits, saying so once.
    const patienceMs = this.options.redisPatienceMs ?? 60_000;
    const waiting = setTimeout(() => this.log(`waiting for the queue ${describeRedis(this.options.redis)}`), 2000);
    try {
      await deadline(
        bull.waitUntilReady(),
        patienceMs,
        `no answer from ${describeRedis(this.options.redis)} within ${patienceMs / 1000} s`,
      );
    } catch (err) {
      clearTimeout(waiting);
      await bull.close(true).catch(() => undefined);
      watcher.disconnect();
      throw err;
    }
    clearTimeout(waiting);
    this.bull = bull;
    if (this.untrusted !== null) void bull.pause(true).catch(() => undefined);
    void bull.run().catch((err: Error) => this.log(`the queue stopped: ${err.message}`));
  }

  private async process(job: BullJob<FleetJobData, JobResult>): Promise<JobResult> {
    const data = job.data;
    if (typeof data?.job !== 'string' || typeof data.url !== 'string') return { dropped: 'not a clicktrace job' };
    if (this.stopping) return { dropped: 'the worker is stopping' };
    this.holding.set(data.job, (this.holding.get(data.job) ?? 0) + 1);
    try {
      return await this.slots.run(() => this.claimAndTrace(job, data));
    } finally {
      const left = (this.holding.get(data.job) ?? 1) - 1;
      if (left > 0) this.holding.set(data.job, left);
      else this.holding.delete(data.job);
    }
  }

  private async claimAndTrace(job: BullJob<FleetJobData, JobResult>, data: FleetJobData): Promise<JobResult> {
    // It may have waited for its slot while the worker began to stop: not claimed, it goes back to the queue.
    if (this.stopping) return { dropped: 'the worker is stopping' };
    const nonce = randomBytes(12).toString('hex');
    const request = { worker: this.identity.id, nonce, dispatch: job.id ?? '' };
    let claim = await this.claim(data.job, request);
    // A server started again since the last heartbeat, which trusts only workers it heard from: introduced, the claim is made again.
    if (claim && !claim.ok && claim.code === 'unknown-worker') {
      await this.beat(false);
      claim = await this.claim(data.job, request);
    }
    if (!claim) return { dropped: 'the server could not be reached to claim it' };
    if (!claim.ok) {
      if (claim.code === 'untrusted-key') this.refused(claim.reason);
      this.log(`job ${clean(data.job)}: not traced here: ${clean(claim.reason)}`);
      return { dropped: claim.reason };
    }
    this.log(`job ${clean(data.job)}: tracing ${clean(truncate(claim.url, 160))} into case ${clean(claim.caseId)}`);
    this.outbox.claimed(data.job, nonce, claim.caseId);
    const dispatch = job.id ?? '';
    const link = this.client;
    const progress = new ProgressSender((data) => (link.progress ? link.progress(dispatch, data) : job.updateProgress(data)));
    const cancel = new AbortController();
    this.traces.set(data.job, cancel);
    const heard = this.cancelHeard.get(data.job);
    if (heard !== undefined) cancel.abort(heard);
    const outcome = await this.tracer.trace({
      signal: cancel.signal,
      url: claim.url,
      // The server's claim decided; this worker's own ledger must not refuse a resubmitted link.
      again: true,
      clicks: data.clicks,
      ...(data.analysis ? { analysis: data.analysis } : {}),
      commandLine: ['clicktrace', 'worker', `(job ${data.job} of ${this.options.server})`],
      caseName: claim.caseId,
      options: workerTraceOptions(data.options ?? {}, this.options.trace ?? {}),
      onProgress: (e) => progress.add({ kind: e.kind, detail: e.kind === 'done' ? basename(e.detail) : e.detail }),
    });
    this.traces.delete(data.job);
    await progress.flush();
    if (outcome.kind === 'traced') {
      // Packed and sent by the outbox once this slot has taken its next job.
      this.outbox.addCase(data.job, nonce, outcome.caseDir);
      const { error, final } = outcome.report;
      const ended = error
        ? `ended with an error: ${truncate(error, 160)}`
        : `ended at ${truncate(final?.url ?? '?', 120)} (${final?.status ?? 'no status'})`;
      this.log(`job ${clean(data.job)}: case ${clean(outcome.caseId)} ${clean(ended)}; ${outcome.report.hops.length} hop(s)`);
      return { case: outcome.caseId };
    }
    const error =
      outcome.kind === 'failed'
        ? `${outcome.error}${outcome.caseId ? ` (the case begun stays on the worker in ${this.spool.casesDir}/${outcome.caseId})` : ''}`
        : outcome.kind === 'skipped'
          ? this.cancelHeard.has(data.job)
            ? `cancelled before the trace requested its link; nothing was requested (${outcome.reason})`
            : `the worker stopped before the trace began; nothing was requested (${outcome.reason})`
          : 'the worker was tracing this link for another job at the same time; not requested twice';
    this.outbox.unclaimed(claim.caseId);
    this.outbox.addFailure(data.job, nonce, error);
    this.log(`job ${clean(data.job)}: failed: ${clean(truncate(error, 200))}`);
    return { failed: error };
  }

  /** The claim's answer, retried while the server cannot be reached; null when it never answered. */
  private async claim(jobId: string, request: { worker: string; nonce: string; dispatch: string }) {
    const until = Date.now() + (this.options.claimPatienceMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
      try {
        // The outbox waits meanwhile: the claim is not queued behind the last case's bundle.
        return await this.outbox.holding(() => this.client.claim(jobId, request));
      } catch (err) {
        if (!(err instanceof ServerError) || !err.transient || Date.now() > until) {
          this.log(`job ${jobId}: no claim (${(err as Error).message}); dropped, the server puts it on the queue again`);
          return null;
        }
        await pause(Math.min(5000, 200 * 2 ** attempt));
      }
    }
  }

  /** The first heartbeat: waits for a server that is not up yet; a refusal (a wrong token) ends it at once. */
  private async introduce(patienceMs: number): Promise<void> {
    const until = Date.now() + patienceMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.beat(true);
      } catch (err) {
        if (!(err instanceof ServerError) || !err.transient || Date.now() > until) throw err;
        if (attempt === 0) this.log(`waiting for the server (${err.message})`);
        await pause(Math.min(2000, 250 * 2 ** attempt));
      }
    }
  }

  /** Sends a heartbeat; the first one throws what went wrong (a wrong token, no server) instead of logging it. */
  private async beat(first: boolean): Promise<void> {
    if (process.env.CLICKTRACE_FLEET_DEBUG) {
      const now = Date.now();
      this.log(
        `debug: heartbeat ${now - this.lastBeatAt} ms after the last; event loop max delay ${Math.round(this.loopDelay.max / 1e6)} ms`,
      );
      this.loopDelay.reset();
      this.lastBeatAt = now;
    }
    try {
      const running = this.holds();
      for (const id of this.cancelHeard.keys()) if (!running.includes(id)) this.cancelHeard.delete(id);
      const cancelled = [...this.cancelHeard.keys()];
      const send = () =>
        this.client.heartbeat({
          worker: this.identity,
          running,
          stopping: this.stopping,
          sentAt: new Date().toISOString(),
          ...(cancelled.length ? { cancelled } : {}),
        });
      // Once more at once on a network error: a kept-alive socket the server had just closed.
      const answer = await send().catch((err: unknown) =>
        err instanceof ServerError && err.status === null ? send() : Promise.reject(err as Error),
      );
      this.heartbeatMs = answer.heartbeatMs;
      if (this.lastHeartbeatError) this.log('the server answers again');
      this.lastHeartbeatError = '';
      this.trusted();
      // Said at once, not a heartbeat later: the server waits for it before it judges the worker deaf.
      if (this.heard(answer.cancel)) return void this.beat(false);
    } catch (err) {
      if (first) throw err;
      if (err instanceof ServerError && err.code === 'untrusted-key') this.refused(err.message);
      const message = (err as Error).message;
      if (message !== this.lastHeartbeatError) this.log(`heartbeat: ${message}`);
      this.lastHeartbeatError = message;
    }
    this.scheduleBeat();
  }

  /**
   * The server's cancels of jobs this worker holds: each one's trace is stopped as Ctrl-C stops it
   * (its case sealed with what it recorded, the cancel its error) and its case is sent as any case
   * is; one already traced is on its way. Whether any was new.
   */
  private heard(cancel: HeartbeatResponse['cancel']): boolean {
    let news = false;
    const held = this.holds();
    for (const item of Array.isArray(cancel) ? cancel : []) {
      if (typeof item?.job !== 'string' || typeof item.reason !== 'string' || this.cancelHeard.has(item.job)) continue;
      if (!held.includes(item.job)) continue;
      const reason = item.reason.startsWith('interrupted') ? item.reason.slice(0, 300) : 'interrupted: cancelled';
      this.cancelHeard.set(item.job, reason);
      news = true;
      const trace = this.traces.get(item.job);
      this.log(`job ${clean(item.job)}: cancelled on the server; ${trace ? 'stopping its trace' : 'its case is on its way'}`);
      trace?.abort(reason);
    }
    return news;
  }

  /** The server refuses this worker: it takes no job from the queue (one in hand goes back unclaimed) until a heartbeat is accepted. */
  private refused(reason: string): void {
    if (this.untrusted !== null) return;
    this.untrusted = reason;
    this.log(`the server refuses this worker (${clean(truncate(reason, 300))}): taking no jobs until it accepts a heartbeat again`);
    void this.bull?.pause(true).catch(() => undefined);
  }

  /** A heartbeat was accepted: a worker the server refused takes jobs again. */
  private trusted(): void {
    if (this.untrusted === null) return;
    this.untrusted = null;
    this.log('the server accepts this worker again: taking jobs');
    if (!this.stopping) void this.bull?.resume();
  }

  /** Heartbeats go on while the worker stops (it still holds jobs), until it is closed. */
  private scheduleBeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.closed) return;
    this.heartbeatTimer = setTimeout(() => void this.beat(false), this.heartbeatMs);
  }
}

/** The public key this worker's cases are signed with (its clicktrace home's key), null when none; unsaid when it cannot be read (each trace says why). */
function signingPublicKey(): string | null | undefined {
  try {
    return loadSigningKey(defaultKeyDir())?.publicKeyPem ?? null;
  } catch {
    return undefined;
  }
}
