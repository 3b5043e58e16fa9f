// How a fleet worker's sealed case goes to the server, end to end (real Redis, lab, Chromium, the
// built CLI): a worker's trace slot takes its next job while the last case is still on its way (a
// worker with one slot traces job 2 while job 1's upload is held); a worker killed between seal and
// upload leaves the case to the next worker on its spool, which delivers it, the link requested
// once; a server's own worker hands its case folders over (hard-linked), or, with its spool on
// another file system than the cases, packs and uploads them as a remote worker does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { jsonLines, startCli } from './support/cli-process.js';
import { assertCasesVerify, Server, tokens, TOKEN, until, workersAlive, fleetLab } from './support/fleet-cluster.js';
import { redisMissing, startRedis, type TestRedis } from './support/redis-server.js';
import { FLEET_API } from '../src/fleet/protocol.js';

const skip = redisMissing();

const { fixture, once, hits } = fleetLab(skip);

/**
 * Between a worker and its server: passes every request on, except case uploads, which it holds
 * while `holding` (each answered once released, or dropped).
 */
class UploadGate {
  holding = true;
  readonly held: { path: string; release: () => void; drop: () => void }[] = [];
  answered = 0;

  private constructor(
    private readonly http: HttpServer,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<UploadGate> {
    let gate: UploadGate | null = null;
    const http = createServer((req, res) => void gate!.pass(target, req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as { port: number };
    gate = new UploadGate(http, `http://127.0.0.1:${port}`);
    return gate;
  }

  releaseAll(): void {
    this.holding = false;
    for (const h of this.held.splice(0)) h.release();
  }

  dropAll(): void {
    this.holding = false;
    for (const h of this.held.splice(0)) h.drop();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private async pass(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const forward = async () => {
      try {
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers: forwardedHeaders(req),
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
        });
        const body = Buffer.from(await answer.arrayBuffer());
        res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(body);
        if (upload) this.answered++;
      } catch {
        res.destroy();
      }
    };
    const upload = req.method === 'POST' && (req.url ?? '').startsWith(`${FLEET_API}/cases/`);
    if (upload && this.holding) this.held.push({ path: req.url ?? '', release: () => void forward(), drop: () => res.destroy() });
    else await forward();
  }
}

/** The worker's request headers (token, claim nonce, content type), less the connection's own. */
function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name))
      out[name] = value;
  return out;
}

/** A `clicktrace worker` with one trace slot, speaking to the server through `gate`. */
function oneSlotWorker(redis: TestRedis, serverUrl: string, spool: string) {
  return startCli(['worker', '--queue', redis.url, '--server', serverUrl, '--token', TOKEN, '--concurrency', '1', '--spool', spool]);
}

describe('a worker hands its cases over', { skip: skip ?? false, concurrency: 2 }, () => {
  test("a worker with one trace slot traces job 2 while job 1's upload is still on its way; both cases arrive, each link requested once", async () => {
    const redis = await startRedis();
    const root = tempDir('fleet-pipeline-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
    const gate = await UploadGate.start(server.url);
    const worker = oneSlotWorker(redis, gate.url, join(root, 'w1'));
    try {
      await workersAlive(server, 1);
      const [first, second] = tokens('pipeline', 2);
      const batch = startCli(
        ['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN],
        [once(first), once(second)].join('\n'),
      );
      // Job 2's link is requested while job 1's case, sealed and sent, has had no answer.
      await until(
        () => hits(second) >= 1,
        120_000,
        () => `job 2 traced while job 1's upload is held (held ${gate.held.length}): ${worker.stderr()}`,
      );
      assert.equal(hits(first), 1);
      assert.equal(gate.answered, 0, "no upload answered yet: job 1's is held");
      assert.ok(gate.held.length >= 1, "job 1's upload is held");
      gate.releaseAll();

      const { stdout, stderr } = await batch.exited;
      const lines = jsonLines<{ kind: string; case?: string | null; error?: string | null }>(stdout);
      const traced = lines.filter((l) => l.kind === 'trace');
      assert.equal(traced.length, 2, stderr);
      assert.deepEqual([hits(first), hits(second)], [1, 1], 'each link requested exactly once');
      const jobs = await server.jobs();
      assert.ok(
        jobs.every((j) => j.state === 'done' && j.caseId),
        jobs.map((j) => `${j.id} ${j.state} ${j.error ?? ''}`).join('\n'),
      );
      await assertCasesVerify(
        server,
        jobs.map((j) => j.caseId!),
      );
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      await gate.close();
      await server.stop();
      await redis.stop();
    }
  });

  test('a worker killed between its case sealed and its upload answered: the next worker on its spool delivers the case, exactly once', async () => {
    const redis = await startRedis();
    const root = tempDir('fleet-seal-crash-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
    const gate = await UploadGate.start(server.url);
    const spool = join(root, 'w1');
    const killed = oneSlotWorker(redis, gate.url, spool);
    let next: ReturnType<typeof oneSlotWorker> | null = null;
    try {
      await workersAlive(server, 1);
      const [token] = tokens('seal-crash', 1);
      const batch = startCli(['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN], once(token));
      await until(
        () => gate.held.length >= 1,
        120_000,
        () => `the case sealed and its upload sent: ${killed.stderr()}`,
      );
      killed.child.kill('SIGKILL');
      await killed.exited;
      gate.dropAll();
      const [claimed] = await server.jobs();
      assert.equal(claimed.state, 'running', 'claimed, its case not yet in');
      assert.ok(
        readdirSync(join(spool, 'outbox')).some((name) => name.endsWith('.case.zip')),
        'the sealed case is in the spool, packed',
      );

      next = oneSlotWorker(redis, server.url, spool);
      const { stdout, stderr } = await batch.exited;
      const lines = jsonLines<{ kind: string; case?: string | null }>(stdout);
      assert.equal(lines.filter((l) => l.kind === 'trace').length, 1, stderr);
      assert.equal(hits(token), 1, 'the link requested exactly once');
      const [job] = await server.jobs();
      assert.equal(job.state, 'done', `${job.error ?? ''}`);
      assert.ok(claimed.fleet?.caseId, 'the claim named its case');
      assert.equal(job.caseId, claimed.fleet?.caseId, 'the case the claim named');
      assert.equal(job.fleet?.dispatches, 1, 'never put on the queue again');
      await assertCasesVerify(server, [job.caseId]);
      await until(
        () => readdirSync(join(spool, 'outbox')).filter((name) => !name.startsWith('.')).length === 0,
        30_000,
        () => `the spool's outbox emptied: ${readdirSync(join(spool, 'outbox')).join(' ')}`,
      );
    } finally {
      killed.child.kill('SIGKILL');
      next?.child.kill('SIGKILL');
      await killed.exited;
      await next?.exited;
      await gate.close();
      await server.stop();
      await redis.stop();
    }
  });

  test("a server's own worker hands its case folders over, hard-linked; with its spool on another file system it packs and uploads them", async (t) => {
    const runOn = async (home: string, tag: string) => {
      const redis = await startRedis();
      const cases = join(tempDir(`fleet-handover-${tag}-`), 'cases');
      // The local worker's spool is under the server's CLICKTRACE_HOME (read when it is spawned).
      const previous = process.env.CLICKTRACE_HOME;
      process.env.CLICKTRACE_HOME = home;
      const starting = Server.start(fixture.lab.traceArgs, redis, cases, ['--local-workers', '1']);
      process.env.CLICKTRACE_HOME = previous;
      const server = await starting;
      try {
        await workersAlive(server, 1);
        const list = tokens(`handover-${tag}`, 2);
        const { stdout, stderr } = await startCli(
          ['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN],
          list.map(once).join('\n'),
        ).exited;
        assert.equal(jsonLines<{ kind: string }>(stdout).filter((l) => l.kind === 'trace').length, 2, stderr);
        assert.deepEqual(list.map(hits), [1, 1], 'each link requested exactly once');
        const jobs = await Promise.all((await server.jobs()).map((j) => server.job(j.id)));
        assert.ok(
          jobs.every((j) => j.state === 'done'),
          jobs.map((j) => `${j.id} ${j.state} ${j.error ?? ''}`).join('\n'),
        );
        await assertCasesVerify(
          server,
          jobs.map((j) => j.caseId!),
        );
        const spool = join(home, 'fleet-spool', 'worker-1');
        await until(
          () => readdirSync(join(spool, 'cases')).filter((n) => /^\d{8}T/.test(n)).length === 0,
          30_000,
          () => `the spool's case folders removed once taken: ${readdirSync(join(spool, 'cases')).join(' ')}`,
        );
        return jobs.map((j) => j.events?.find((e) => e.kind === 'uploaded')?.detail ?? '');
      } finally {
        await server.stop();
        await redis.stop();
      }
    };

    const sameFileSystem = await runOn(process.env.CLICKTRACE_HOME!, 'linked');
    for (const detail of sameFileSystem) assert.match(detail, /its folder, handed over by this server's own worker\) verified/);

    const shm = '/dev/shm';
    if (!existsSync(shm) || statSync(shm).dev === statSync(tempDir('fleet-dev-')).dev) return t.skip(`no second file system at ${shm}`);
    const home = mkdtempSync(join(shm, 'clicktrace-home-'));
    try {
      symlinkSync(join(process.env.CLICKTRACE_HOME!, 'ip-data'), join(home, 'ip-data'));
      const elsewhere = await runOn(home, 'packed');
      for (const detail of elsewhere) {
        assert.match(detail, /verified \(\d+ files/);
        assert.doesNotMatch(detail, /handed over/);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
