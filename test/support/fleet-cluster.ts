// A fleet of the test's own: `clicktrace serve --queue` and `clicktrace worker` processes (the
// built CLI) on a test Redis, and HTTP to the server with its token (test/fleet*.test.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startCli, type CliRun } from './cli-process.js';
import type { TestRedis } from './redis-server.js';
import { verifyCase } from '../../src/verify/verify.js';
import { startLab, SINGLE_USE_PREFIX, type Lab } from '../../src/lab/index.js';

export const TOKEN = 'fleet-test-token-0123456789';

/** `n` distinct single-use tokens: prefix-00, prefix-01... */
export const tokens = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

export interface JobView {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  url: string | null;
  caseId: string | null;
  partial?: boolean;
  cancelledAt?: string;
  messageCaseId: string | null;
  error: string | null;
  events?: { kind: string; detail: string }[];
  fleet?: { worker: { name: string } | null; dispatches: number; caseId?: string | null } | null;
}

export interface QueueView {
  jobs: Record<string, number>;
  workers: {
    id: string;
    name: string;
    alive: boolean;
    running: string[];
    chromium: string;
    stopping: boolean;
    state: 'alive' | 'stopping' | 'stopped' | 'silent';
    held: { id: string; url: string | null; state: string | null }[];
  }[];
  redis: Record<string, number> | { error: string };
}

/** A running `clicktrace serve --queue`, and HTTP to it with the token. */
export class Server {
  private constructor(
    readonly run: CliRun,
    readonly url: string,
    readonly casesDir: string,
  ) {}

  /** `traceArgs`: the lab's (lab.traceArgs). */
  static async start(traceArgs: string[], redis: TestRedis, casesDir: string, extra: string[] = [], port = 0): Promise<Server> {
    const run = startCli([
      'serve',
      '--port',
      String(port),
      '--cases',
      casesDir,
      '--queue',
      redis.url,
      '--token',
      TOKEN,
      '--worker-timeout',
      '15',
      ...traceArgs,
      ...extra,
    ]);
    const url = await until(
      () => /clicktrace serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(run.stderr())?.[1],
      // With --local-workers the line comes once its Chromium started: slow on a loaded machine.
      120_000,
      () => `serve: ${run.stderr()}`,
    );
    return new Server(run, url, casesDir);
  }

  async get<T>(path: string, headers: Record<string, string> = { 'X-Clicktrace-Token': TOKEN }): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as T };
  }

  async post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const isBuffer = Buffer.isBuffer(body);
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'X-Clicktrace-Token': TOKEN, 'Content-Type': isBuffer ? 'application/zip' : 'application/json', ...headers },
      body: isBuffer ? new Uint8Array(body) : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async jobs(): Promise<JobView[]> {
    return (await this.get<{ jobs: JobView[] }>('/api/jobs')).body.jobs;
  }

  async job(id: string): Promise<JobView> {
    return (await this.get<{ job: JobView }>(`/api/jobs/${id}`)).body.job;
  }

  async queue(): Promise<QueueView> {
    return (await this.get<QueueView>('/api/queue')).body;
  }

  async stop(): Promise<void> {
    this.run.child.kill('SIGTERM');
    await this.run.exited;
  }
}

/** `server`: a Server, or the URL the worker is to reach it at (a proxy in front of it); `env` as startCli's. */
export function startWorker(
  redis: TestRedis,
  server: Server | string,
  spool: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): CliRun {
  return startCli(
    [
      'worker',
      '--queue',
      redis.url,
      '--server',
      typeof server === 'string' ? server : server.url,
      '--token',
      TOKEN,
      '--concurrency',
      '2',
      '--spool',
      spool,
      '--name',
      spool.split('/').pop()!,
      ...extra,
    ],
    '',
    env,
  );
}

/**
 * Probes every 250 ms until `probe` gives a value. Most probes ask the server over HTTP, which cost
 * ~8 ms of CPU (test and server) per /api/queue and /api/jobs pair: every 100 ms, a waiting test
 * spent 8 % of a core on asking alone.
 */
export async function until<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: () => string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function workersAlive(server: Server, n: number): Promise<QueueView> {
  return until(
    async () => {
      const queue = await server.queue();
      return queue.workers.filter((w) => w.alive && w.chromium !== '(starting)').length >= n && queue;
    },
    90_000,
    () => `${n} workers`,
  );
}

export async function assertCasesVerify(server: Server, ids: string[]): Promise<void> {
  for (const id of ids) {
    const dir = join(server.casesDir, id);
    assert.ok(!existsSync(join(dir, 'PARTIAL')), `${id} is closed`);
    const verified = await verifyCase(dir);
    assert.ok(verified.ok, `${id}: ${verified.problems.join('; ')}`);
    const { status } = await server.get(`/api/cases/${id}`);
    assert.equal(status, 200, `${id} is indexed on the server`);
  }
}

/**
 * The lab of a fleet test file: started before its tests (unless `skip`: no Redis, nothing runs)
 * and closed after; `once(token)` is a single-use link of it, `hits(token)` how often it was requested.
 */
export function fleetLab(skip: string | null): { fixture: { lab: Lab }; once: (token: string) => string; hits: (token: string) => number } {
  const fixture = {} as { lab: Lab };
  before(async () => {
    if (!skip) fixture.lab = await startLab();
  });
  after(async () => {
    await fixture.lab?.close();
  });
  return {
    fixture,
    once: (token) => `${SINGLE_USE_PREFIX}${token}`,
    hits: (token) => fixture.lab.hits(`/once/${token}`),
  };
}
