// Refusals that are not the job's fault. A worker the server stops trusting while it runs (serve
// started again with other --trust-key keys) stops taking jobs, and takes them again once trusted:
// the job waits for a trusted worker, which traces it once. A bundle damaged on the way (a proxy
// between worker and server changes a byte of the first upload) is refused by the server; the
// worker finds its own copy intact and sends it again: the job is done, its case in once. A case
// that arrived whole but is not the job's (its worker traced another link) is refused for good:
// not sent again, the job failed at once saying why. A refused worker older than the pause (it
// takes job after job it may not claim) cannot spin a job through the queue: each dispatch it took
// is put back later than the one before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server as HttpServer } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { Server, startWorker, until, fleetLab, workersAlive, assertCasesVerify, type JobView } from './support/fleet-cluster.js';
import { freePort, redisMissing, startRedis, type TestRedis } from './support/redis-server.js';
import { defaultKeyDir, initSigningKey } from '../src/case/signing.js';
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { QUEUE_NAME, type ClaimResponse, type FleetJobData } from '../src/fleet/protocol.js';
import { connectionOptions, parseRedisUrl } from '../src/fleet/redis-url.js';

const skip = redisMissing();

const { fixture, once, hits } = fleetLab(skip);
let redis: TestRedis;
before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

async function ended(server: Server, id: string, what: () => string): Promise<JobView> {
  return until(
    async () => {
      const job = await server.job(id);
      return (job.state === 'done' || job.state === 'failed') && job;
    },
    180_000,
    what,
  );
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

/** A real HTTP hop between worker and server, which may change what goes either way (`request`, `answer`: the whole body, and the request's path). */
async function hop(
  server: Server,
  change: { request?: (path: string, body: Buffer) => Buffer; answer?: (path: string, body: Buffer) => Buffer },
): Promise<{ url: string; close: () => Promise<void> }> {
  const target = new URL(server.url);
  const proxy: HttpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = change.request ? change.request(path, Buffer.concat(chunks)) : Buffer.concat(chunks);
      const upstream = request(
        { host: target.hostname, port: target.port, path, method: req.method, headers: { ...req.headers, 'content-length': body.length } },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const sent = change.answer ? change.answer(path, Buffer.concat(parts)) : Buffer.concat(parts);
            res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': sent.length });
            res.end(sent);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

describe('refusals that are not the job’s fault', { skip: skip ?? false }, () => {
  test('a worker the server stops trusting while it runs takes no job until trusted again; a trusted worker traces it once', async () => {
    const root = tempDir('fleet-refusals-trust-');
    const trusted = await initSigningKey(defaultKeyDir());
    const otherHome = join(root, 'other-home');
    const other = await initSigningKey(join(otherHome, 'keys'));
    const port = await freePort();
    const cases = join(root, 'cases');
    const both = ['--trust-key', trusted.publicKeyPath, '--trust-key', other.publicKeyPath];
    let server = await Server.start(fixture.lab.traceArgs, redis, cases, both, port);
    const distrusted = startWorker(redis, server, join(root, 'spool-other'), [], { CLICKTRACE_HOME: otherHome });
    let trustedWorker: ReturnType<typeof startWorker> | null = null;
    try {
      await workersAlive(server, 1);
      // Started again trusting only the test home's key: the running worker's heartbeats and claims are refused.
      await server.stop();
      server = await Server.start(fixture.lab.traceArgs, redis, cases, ['--trust-key', trusted.publicKeyPath], port);
      // Submitted at once: the refused worker may still take it from the queue before it hears, and is refused its claim.
      const submitted = await server.post<{ job: JobView }>('/api/submit', { url: once('refusals-trust') });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const jobId = submitted.body.job.id;
      await until(
        () => /the server refuses this worker/.test(distrusted.stderr()),
        60_000,
        () => `the refusal: ${distrusted.stderr()}`,
      );
      assert.equal(hits('refusals-trust'), 0, 'the refused worker requested nothing');

      trustedWorker = startWorker(redis, server, join(root, 'spool-trusted'));
      const done = await ended(server, jobId, () => `job ${jobId}: ${trustedWorker?.stderr()} / ${distrusted.stderr()}`);
      assert.equal(done.state, 'done', `${done.error}: ${distrusted.stderr()}`);
      assert.equal(done.fleet?.worker?.name, 'spool-trusted');
      assert.equal(hits('refusals-trust'), 1, 'traced once');
      await assertCasesVerify(server, [done.caseId!]);
      assert.equal(count(distrusted.stderr(), /the server refuses this worker/), 1, distrusted.stderr());
      assert.match(distrusted.stderr(), /which this server does not trust/);

      // Trusted again: it says so and takes jobs again.
      await server.stop();
      server = await Server.start(fixture.lab.traceArgs, redis, cases, both, port);
      await until(
        () => /the server accepts this worker again: taking jobs/.test(distrusted.stderr()),
        60_000,
        () => `taking jobs again: ${distrusted.stderr()}`,
      );
      assert.equal(count(distrusted.stderr(), /the server refuses this worker/), 1, 'said once');
    } finally {
      for (const run of [trustedWorker, distrusted]) {
        run?.child.kill('SIGTERM');
        await run?.exited;
      }
      await server.stop();
    }
  });

  test('a refused worker older than the pause cannot spin a job through the queue: each dispatch it took waits longer; a trusted one traces it', async () => {
    const root = tempDir('fleet-refusals-older-');
    const trusted = await initSigningKey(defaultKeyDir());
    const other = await initSigningKey(join(root, 'other-keys'));
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--trust-key', trusted.publicKeyPath]);
    // As a worker of the version before the pause speaks the protocol: its heartbeat refused (it
    // only logs that), it goes on taking jobs from the queue, claims each, and drops it when refused.
    const id = `older-${randomBytes(4).toString('hex')}`;
    const identity = {
      id,
      name: 'older',
      host: 'localhost',
      version: '0.0.9',
      chromium: 'none',
      concurrency: 1,
      signingKey: other.publicKeyPem,
    };
    const beat = await server.post('/api/fleet/heartbeat', { worker: identity, running: [], stopping: false });
    assert.equal(beat.status, 403);
    const refusedClaims: string[] = [];
    const older = new Worker<FleetJobData>(
      QUEUE_NAME,
      async (job) => {
        const claim = await server.post<ClaimResponse>(`/api/fleet/jobs/${job.data.job}/claim`, {
          worker: id,
          nonce: randomBytes(8).toString('hex'),
          dispatch: job.id,
        });
        if (claim.body.ok) throw new Error('a refused worker was granted a claim');
        refusedClaims.push(`${job.id} ${claim.body.code}`);
        return { dropped: claim.body.reason };
      },
      { connection: connectionOptions(parseRedisUrl(redis.url)), name: id, concurrency: 1, maxStalledCount: 0 },
    );
    let worker: ReturnType<typeof startWorker> | null = null;
    try {
      const submitted = await server.post<{ job: JobView }>('/api/submit', { url: once('refusals-older') });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const jobId = submitted.body.job.id;
      await until(
        () => refusedClaims.length >= 3,
        120_000,
        () => `refused claims: ${refusedClaims.join(', ')}`,
      );
      await older.close();
      const job = await server.job(jobId);
      assert.equal(job.state, 'queued', 'the job waits for a worker the server trusts');
      assert.ok(
        refusedClaims.every((c) => c.endsWith(' untrusted-key')),
        refusedClaims.join(', '),
      );
      // Every dispatch after one the refused worker took waits, longer each time.
      const dispatched = (job.events ?? []).filter((e) => e.kind === 'dispatched').map((e) => e.detail);
      assert.ok(dispatched.length >= 3, JSON.stringify(dispatched));
      assert.doesNotMatch(dispatched[0], /to be taken in/);
      assert.deepEqual(
        dispatched.slice(1, 3).map((d) => /to be taken in (\d+) s: its last dispatch went to a worker this server refuses$/.exec(d)?.[1]),
        ['1', '2'],
        JSON.stringify(dispatched),
      );

      worker = startWorker(redis, server, join(root, 'spool-trusted'));
      const done = await ended(server, jobId, () => `job ${jobId}: ${worker?.stderr()}`);
      assert.equal(done.state, 'done', `${done.error}: ${worker.stderr()}`);
      assert.equal(hits('refusals-older'), 1, 'traced once');
    } finally {
      await older.close();
      worker?.child.kill('SIGTERM');
      await worker?.exited;
      await server.stop();
    }
  });

  test('a bundle damaged on the way is sent again from the intact copy the worker checked: the job is done, its case in once', async () => {
    const root = tempDir('fleet-refusals-transit-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
    // Changes one byte of the first case upload.
    const uploads: { path: string; damaged: boolean }[] = [];
    const proxy = await hop(server, {
      request: (path, body) => {
        if (path.startsWith('/api/fleet/cases/')) {
          const damaged = uploads.length === 0;
          if (damaged) body[Math.floor(body.length / 2)] ^= 0x20;
          uploads.push({ path, damaged });
        }
        return body;
      },
    });
    const spool = join(root, 'spool');
    const worker = startWorker(redis, proxy.url, spool);
    try {
      const submitted = await server.post<{ job: JobView }>('/api/submit', { url: once('refusals-transit') });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const jobId = submitted.body.job.id;
      const done = await ended(server, jobId, () => `job ${jobId}: ${worker.stderr()}`);
      assert.equal(done.state, 'done', `${done.error}: ${worker.stderr()}`);
      assert.equal(hits('refusals-transit'), 1, 'traced once');
      assert.deepEqual(
        uploads.map((u) => u.damaged),
        [true, false],
        'the damaged upload, then the intact one',
      );
      const events = done.events ?? [];
      assert.ok(
        events.some((e) => e.kind === 'upload-refused'),
        JSON.stringify(events),
      );
      assert.equal(events.filter((e) => e.kind === 'uploaded').length, 1, JSON.stringify(events));
      assert.ok(!events.some((e) => e.kind === 'late-case'), 'the job did not fail meanwhile');
      assert.match(worker.stderr(), /its bundle here verifies, so it was damaged on the way: sent again \(1 of 2\)/);
      await assertCasesVerify(server, [done.caseId!]);
      assert.deepEqual(
        readdirSync(server.casesDir).filter((n) => !n.startsWith('.') && n !== done.caseId && /^\d{8}T/.test(n)),
        [],
        'one case in the cases folder',
      );
      assert.deepEqual(readdirSync(join(spool, 'refused')), [], 'nothing refused on the worker');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await proxy.close();
      await server.stop();
    }
  });

  test('a case that arrived whole but is not the job’s link is refused for good: not sent again, the job failed at once saying why', async () => {
    const root = tempDir('fleet-refusals-mismatch-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
    const [asked, traced] = [once('refusals-mismatch-job'), once('refusals-mismatch-other')];
    // The claim's answer names another link (a bug, a meddling hop): the worker traces that one, and its case is not the job's.
    const uploads: string[] = [];
    const proxy = await hop(server, {
      request: (path, body) => {
        if (path.startsWith('/api/fleet/cases/')) uploads.push(path);
        return body;
      },
      answer: (path, body) =>
        /^\/api\/fleet\/jobs\/[^/]+\/claim$/.test(path)
          ? Buffer.from(body.toString('utf8').split(JSON.stringify(asked)).join(JSON.stringify(traced)))
          : body,
    });
    const spool = join(root, 'spool');
    const worker = startWorker(redis, proxy.url, spool);
    try {
      const submitted = await server.post<{ job: JobView }>('/api/submit', { url: asked });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const jobId = submitted.body.job.id;
      const failed = await ended(server, jobId, () => `job ${jobId}: ${worker.stderr()}`);
      assert.equal(failed.state, 'failed', worker.stderr());
      assert.match(failed.error ?? '', /its case was refused by the server: .*not the job's/);
      // The worker has moved it to refused/ and reported the job: all it will ever send of it.
      await until(
        () => readdirSync(join(spool, 'refused')).some((n) => n.endsWith('.case.zip')) && /the server refused case/.test(worker.stderr()),
        60_000,
        () => `the refusal on the worker: ${worker.stderr()}`,
      );
      assert.equal(uploads.length, 1, `sent once: ${worker.stderr()}`);
      assert.doesNotMatch(worker.stderr(), /sent again/);
      assert.deepEqual([hits('refusals-mismatch-job'), hits('refusals-mismatch-other')], [0, 1]);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await proxy.close();
      await server.stop();
    }
  });
});
