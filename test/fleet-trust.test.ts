// A fleet worker whose cases the server would refuse whatever it traced (serve --trust-key, and
// the worker signs with another key or none) is refused before it requests anything: at its first
// heartbeat, and any claim of it; the job waits for a worker the server trusts, which traces it once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { startCli } from './support/cli-process.js';
import { Server, startWorker, TOKEN, until, fleetLab, type JobView, assertCasesVerify } from './support/fleet-cluster.js';
import { redisMissing, startRedis } from './support/redis-server.js';
import { defaultKeyDir, initSigningKey, keyFingerprint } from '../src/case/signing.js';
import { verifyCase } from '../src/verify/verify.js';

const skip = redisMissing();

const { fixture, once, hits } = fleetLab(skip);

describe('a worker whose cases the server would refuse', { skip: skip ?? false }, () => {
  test('is refused before it requests anything, saying why; the job waits for a trusted worker, which traces it once', async () => {
    const redis = await startRedis();
    const root = tempDir('fleet-trust-');
    // The server trusts the key of this test's clicktrace home; another home has a key of its own.
    const trusted = await initSigningKey(defaultKeyDir());
    const otherHome = join(root, 'other-home');
    const other = await initSigningKey(join(otherHome, 'keys'));
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--trust-key', trusted.publicKeyPath]);
    let worker: ReturnType<typeof startWorker> | null = null;
    try {
      const url = once('trust-1');
      const submitted = await server.post<{ job: JobView }>('/api/submit', { url });
      assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
      const jobId = submitted.body.job.id;

      // A real worker with the other key: one line, exit 1, before it takes any job.
      const refusedRun = startCli(
        ['worker', '--queue', redis.url, '--server', server.url, '--token', TOKEN, '--spool', join(root, 'spool-other')],
        '',
        { CLICKTRACE_HOME: otherHome },
      );
      const refused = await Promise.race([refusedRun.exited, new Promise<null>((resolve) => setTimeout(resolve, 60_000, null))]);
      if (!refused) {
        refusedRun.child.kill('SIGKILL');
        await refusedRun.exited;
        assert.fail(`a worker with a key the server does not trust was not refused: ${refusedRun.stderr()}`);
      }
      assert.equal(refused.code, 1, refused.stderr);
      const lines = refused.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, refused.stderr);
      assert.match(
        lines[0],
        new RegExp(`signs its cases with key ${keyFingerprint(other.publicKeyPem)}, which this server does not trust`),
      );
      assert.match(lines[0], /--trust-key/);

      // Speaking the protocol: no key, or the other key; its heartbeat and its claim are refused.
      const identity = { name: 'fake', host: 'localhost', version: '0', chromium: 'none', concurrency: 1 };
      for (const [id, signingKey] of [
        ['unsigned', null],
        ['other', other.publicKeyPem],
      ] as const) {
        const beat = await server.post<{ error: { code: string; message: string } }>('/api/fleet/heartbeat', {
          worker: { ...identity, id, signingKey },
          running: [],
          stopping: false,
        });
        assert.equal(beat.status, 403, JSON.stringify(beat.body));
        assert.equal(beat.body.error.code, 'untrusted-key');
        if (signingKey === null) assert.match(beat.body.error.message, /its cases are not signed/);
        const claim = await server.post<{ ok: boolean; code: string; reason: string }>(`/api/fleet/jobs/${jobId}/claim`, {
          worker: id,
          nonce: `n-${id}`,
          dispatch: `${jobId}.1`,
        });
        assert.equal(claim.status, 409);
        assert.equal(claim.body.code, 'untrusted-key');
      }
      assert.equal(hits('trust-1'), 0, 'the link was not requested');
      assert.equal((await server.job(jobId)).state, 'queued', 'the job waits for a worker the server trusts');
      assert.match(server.run.stderr(), /worker fake on localhost refused: it signs its cases with key/);

      // The worker of the trusted key takes it: traced once, its case signed, verified and indexed.
      worker = startWorker(redis, server, join(root, 'spool-trusted'));
      const done = await until(
        async () => {
          const job = await server.job(jobId);
          return (job.state === 'done' || job.state === 'failed') && job;
        },
        120_000,
        () => `job ${jobId}: ${worker?.stderr()}`,
      );
      assert.equal(done.state, 'done', done.error ?? '');
      assert.equal(hits('trust-1'), 1);
      await assertCasesVerify(server, [done.caseId!]);
      assert.equal((await verifyCase(join(server.casesDir, done.caseId!))).checked.signature, 'valid');
    } finally {
      worker?.child.kill('SIGTERM');
      await worker?.exited;
      await server.stop();
      await redis.stop();
    }
  });
});
