// The fleet against what operations do to it (beside test/fleet.test.ts, which runs the fleet
// whole): two servers started on one queue, the same link submitted twice at once, bundles
// uploaded by a worker that was not given the job or cut short on the way, a worker started while
// Redis is down on the spool a killed worker left, and a batch of 200 links stopped with Ctrl-C.
// Most of it speaks the workers' protocol from the test itself: no Chromium, so it stays fast.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { jsonLines, startCli, type CliRun } from './support/cli-process.js';
import { Server, startWorker, TOKEN, tokens, until, type JobView, type QueueView, fleetLab } from './support/fleet-cluster.js';
import { freePort, redisMissing, startRedis } from './support/redis-server.js';
import { writeSampleCase, START_URL } from './support/test-capture.js';
import { MAX_BUNDLE_BYTES, packCase } from '../src/case/case-bundle.js';
import { CLAIMED_NOT_BEGUN } from '../src/fleet/protocol.js';

const skip = redisMissing();

const { fixture, once, hits } = fleetLab(skip);

/** The test as a worker: its heartbeat and claims. */
function fakeWorker(server: Server, id: string, clockAheadMs = 0) {
  const identity = { id, name: id, host: 'localhost', version: '0', chromium: 'none', concurrency: 1 };
  return {
    beat: (running: string[], stopping = false, cancelled?: string[]) =>
      server.post<{ cancel?: { job: string; reason: string }[] }>('/api/fleet/heartbeat', {
        worker: identity,
        running,
        stopping,
        sentAt: new Date(Date.now() + clockAheadMs).toISOString(),
        ...(cancelled ? { cancelled } : {}),
      }),
    claim: (job: string, nonce: string) =>
      server.post<{ ok: boolean; caseId: string; code?: string; reason?: string }>(`/api/fleet/jobs/${job}/claim`, {
        worker: id,
        nonce,
        dispatch: `${job}.1`,
      }),
  };
}

async function submit(server: Server, url: string, again = false): Promise<JobView> {
  const answer = await server.post<{ job: JobView }>('/api/submit', { url, again });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body.job;
}

async function ended(server: Server, id: string, timeoutMs = 60_000): Promise<JobView> {
  return until(
    async () => {
      const job = await server.job(id);
      return (job.state === 'done' || job.state === 'failed') && job;
    },
    timeoutMs,
    () => `job ${id} to end`,
  );
}

describe('the fleet under operations', { skip: skip ?? false, concurrency: 2 }, () => {
  test(
    'one server per queue; the same link submitted twice at once is requested once; a bundle from a worker not given the job, ' +
      'or cut short, is refused saying why and the link still counts as requested',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-ops-');
      const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
      try {
        // A second server on the same queue would drop the first one's jobs as unknown: refused at start.
        const secondRun = startCli(['serve', '--port', '0', '--cases', join(root, 'other'), '--queue', redis.url, '--token', TOKEN]);
        const started = await until(
          () => (secondRun.child.exitCode !== null || /clicktrace serve: http/.test(secondRun.stderr())) && 'answered',
          60_000,
          () => secondRun.stderr(),
        ).then(() => /clicktrace serve: http/.test(secondRun.stderr()));
        if (started) secondRun.child.kill('SIGKILL');
        const second = await secondRun.exited;
        assert.equal(second.code, 1, second.stderr);
        assert.match(second.stderr, /is the queue of another clicktrace server \(process \d+ on .*one server per queue/);
        assert.equal(second.stderr.split('\n').filter(Boolean).length, 1, `one line: ${second.stderr}`);

        // Its clock an hour ahead, and another version of clicktrace: a case says neither, the job does.
        const worker = fakeWorker(server, 'test', 3600_000);
        const url = once('ops-twice');
        const [first, twin] = await Promise.all([submit(server, url, true), submit(server, url, true)]);
        await worker.beat([first.id, twin.id]);
        const claimed = await worker.claim(first.id, 'n1');
        assert.equal(claimed.status, 200);
        // What the worker is doing: each job it holds, with its link and state.
        await worker.beat([first.id]);
        const doing = (await server.queue()).workers.find((w) => w.name === 'test');
        assert.equal(doing?.state, 'alive');
        assert.deepEqual(doing?.held, [{ id: first.id, url, state: 'running' }]);
        const events = (await server.job(first.id)).events ?? [];
        assert.ok(
          events.some((e) => e.kind === 'worker-clock' && /its clock is 3\d{3}\.\d s ahead of the server's/.test(e.detail)),
          JSON.stringify(events),
        );
        assert.ok(events.some((e) => e.kind === 'worker-version' && /test runs clicktrace 0, this server \d/.test(e.detail)));
        const seen = (await server.queue()).workers.find((w) => w.name === 'test') as { clockSkewMs?: number } | undefined;
        assert.ok((seen?.clockSkewMs ?? 0) > 3500_000, JSON.stringify(seen));
        assert.match(server.run.stderr(), /worker test on localhost: its clock is 3\d{3}\.\d s ahead of the server's/);
        // Both with "again" (a form sent twice): the second is refused while the first is traced.
        const refused = await worker.claim(twin.id, 'n2');
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, 'already-traced');
        const twinEnd = await ended(server, twin.id);
        assert.equal(twinEnd.state, 'failed');
        assert.match(twinEnd.error ?? '', /being traced right now .*not requested twice/);
        // Without "again", while the first is traced: it waits for the first job's case (it used to end at
        // once, its case said "deleted, or never delivered" while it was on its way).
        const third = await submit(server, url);
        assert.equal((await worker.claim(third.id, 'n3')).body.code, 'already-traced');
        const waiting = await server.job(third.id);
        assert.equal(waiting.state, 'queued', 'it waits for the case of the job tracing its link');
        assert.ok(
          waiting.events?.some((e) => e.kind === 'same-link' && e.detail.includes(`for job ${first.id} (case ${claimed.body.caseId})`)),
          JSON.stringify(waiting.events),
        );

        // A sealed case under the claimed name, uploaded by someone without the claim.
        const caseId = claimed.body.caseId;
        const written = await writeSampleCase(join(root, 'worker-cases'), { name: caseId });
        const bundlePath = join(root, 'case.zip');
        packCase(written.dir, bundlePath);
        const bundle = readFileSync(bundlePath);
        const path = `/api/fleet/cases/${caseId}`;
        const anonymous = await server.post<{ error: { code: string; message: string } }>(path, bundle);
        assert.equal(anonymous.status, 409);
        assert.equal(anonymous.body.error.code, 'not-claimed');
        const foreign = await server.post<{ error: { message: string } }>(path, bundle, { 'X-Clicktrace-Claim': 'n2' });
        assert.equal(foreign.status, 409, 'the nonce of another claim');
        assert.match(foreign.body.error.message, new RegExp(`belongs to job ${first.id}, which was not claimed with this upload's claim`));
        assert.equal((await server.job(first.id)).state, 'running', "a stranger's upload does not end the job");
        assert.ok(!existsSync(join(server.casesDir, caseId)), 'nothing of it is kept');

        // Cut short on the way: refused, said why, nothing kept; the job waits for its worker, which
        // sends its copy again or, when its copy does not verify either, reports the job failed.
        const cut = await server.post<{ error: { message: string } }>(path, bundle.subarray(0, Math.floor(bundle.length / 2)), {
          'X-Clicktrace-Claim': 'n1',
        });
        assert.equal(cut.status, 422);
        assert.match(cut.body.error.message, /damaged bundle/);
        assert.equal((await server.job(first.id)).state, 'running');
        const report = await server.post(`/api/fleet/jobs/${first.id}/fail`, {
          worker: 'test',
          nonce: 'n1',
          error: `its case was refused by the server: ${cut.body.error.message}`,
        });
        assert.equal(report.status, 200);
        const failed = await ended(server, first.id);
        assert.equal(failed.state, 'failed');
        assert.match(failed.error ?? '', /its case was refused by the server: damaged bundle/);
        // The job that waited ends with it: already traced, its case never delivered.
        const thirdEnd = await ended(server, third.id);
        assert.deepEqual(
          [thirdEnd.state, thirdEnd.caseId, (thirdEnd as { caseMissing?: boolean }).caseMissing],
          ['done', claimed.body.caseId, true],
        );
        assert.ok(!existsSync(join(server.casesDir, caseId)));
        assert.deepEqual(
          readdirSync(server.casesDir).filter((n) => n.startsWith('.')),
          [],
        );
        // Its link was claimed, so it counts as requested: a new submission is not traced.
        const fourth = await submit(server, url);
        assert.equal((await worker.claim(fourth.id, 'n4')).body.code, 'already-traced');
        assert.equal((await ended(server, fourth.id)).state, 'done');
        assert.equal(hits('ops-twice'), 0, 'no worker of this test requests anything');

        // A worker stopped with SIGTERM (its last heartbeat: stopping, holding nothing) is "stopped" once silent, not "silent".
        const leaver = fakeWorker(server, 'leaver');
        await leaver.beat([], true);
        const state = () => server.queue().then((q) => q.workers.find((w) => w.name === 'leaver')?.state);
        assert.equal(await state(), 'stopping');
        assert.equal(
          await until(
            async () => (await state()) === 'stopped' && 'stopped',
            60_000,
            () => 'the stopped worker',
          ),
          'stopped',
        );
      } finally {
        await server.stop();
        await redis.stop();
      }
    },
  );

  test(
    'a worker started while Redis is down, on the spool of a killed worker: its sealed case is sent, a claim whose trace never began is said not requested; ' +
      'a job submitted while Redis was down is traced once when it is back',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-ops-late-');
      const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--worker-timeout', '5']);
      const spool = join(root, 'w1');
      let worker: CliRun | undefined;
      try {
        // What a worker killed with kill -9 leaves in its spool: a claim whose case it had sealed
        // but not packed yet, and a claim whose trace had not begun (no case folder yet). A case it
        // was still writing is sealed as partial (test/fleet.test.ts kills a real worker mid-trace).
        const gone = fakeWorker(server, 'gone');
        const sealedJob = await submit(server, START_URL);
        const partialJob = await submit(server, once('ops-partial'));
        // And a sealed case too large for any bundle (a sparse file: nothing of it is on disk).
        const hugeJob = await submit(server, once('ops-huge'));
        await gone.beat([sealedJob.id, partialJob.id, hugeJob.id]);
        const sealedClaim = await gone.claim(sealedJob.id, 'ns');
        const partialClaim = await gone.claim(partialJob.id, 'np');
        const hugeClaim = await gone.claim(hugeJob.id, 'nh');
        const huge = await writeSampleCase(join(spool, 'cases'), { name: hugeClaim.body.caseId });
        writeFileSync(join(huge.dir, 'big.bin'), '');
        truncateSync(join(huge.dir, 'big.bin'), MAX_BUNDLE_BYTES);
        // The same link submitted again while its case is on the way: it waits for that case.
        const twin = await submit(server, START_URL);
        assert.equal((await gone.claim(twin.id, 'nt')).body.code, 'already-traced');
        await writeSampleCase(join(spool, 'cases'), { name: sealedClaim.body.caseId });
        mkdirSync(join(spool, 'outbox'));
        writeFileSync(join(spool, 'outbox', `${sealedClaim.body.caseId}.json`), JSON.stringify({ job: sealedJob.id, nonce: 'ns' }));
        writeFileSync(join(spool, 'outbox', `${partialClaim.body.caseId}.json`), JSON.stringify({ job: partialJob.id, nonce: 'np' }));
        writeFileSync(join(spool, 'outbox', `${hugeClaim.body.caseId}.json`), JSON.stringify({ job: hugeJob.id, nonce: 'nh' }));

        await redis.kill();
        const late = await submit(server, once('ops-late'));
        worker = startWorker(redis, server, spool);
        // The spool is sent before Redis answers (the job may have been failed as lost first: its case is taken all the same).
        const delivered = await until(
          async () => {
            const job = await server.job(sealedJob.id);
            return job.state === 'done' && job;
          },
          90_000,
          () => `the killed worker's sealed case: ${worker!.stderr()}`,
        );
        assert.ok(delivered.events?.some((e) => e.kind === 'uploaded'));
        // The twin ended with it: its case in (unless the job was judged lost before its case came: then never delivered, as said then).
        const lostFirst = delivered.events?.some((e) => e.kind === 'worker-lost') ?? false;
        const twinEnd = await ended(server, twin.id);
        assert.deepEqual(
          [twinEnd.state, twinEnd.caseId, (twinEnd as { caseMissing?: boolean }).caseMissing ?? false],
          ['done', sealedClaim.body.caseId, lostFirst],
          JSON.stringify(twinEnd.events),
        );
        assert.ok(existsSync(join(server.casesDir, sealedClaim.body.caseId, 'manifest.json')));
        await until(
          () => /waiting for the queue redis:\/\//.test(worker!.stderr()),
          60_000,
          () => worker!.stderr(),
        );
        assert.match(
          worker.stderr(),
          new RegExp(`case ${sealedClaim.body.caseId} .*sealed by a worker stopped before it could send it: sent now`),
        );
        assert.match(
          worker.stderr(),
          new RegExp(`job ${partialJob.id} was claimed by a worker killed before its trace began: nothing was requested`),
        );
        assert.equal((await server.job(late.id)).state, 'queued');
        // The case too large to send: its job failed saying so and where the case is kept (it was sent, refused, again and again).
        const tooLarge = await until(
          async () => {
            const job = await server.job(hugeJob.id);
            return job.state === 'failed' && job.error?.startsWith('its case could not be packed') && job;
          },
          60_000,
          () => `job ${hugeJob.id} failed as too large: ${worker!.stderr()}`,
        );
        assert.match(
          tooLarge.error ?? '',
          /more than the \d+ a bundle may hold .*; the case stays on the worker in \S+ \(on worker gone on localhost\)$/,
        );
        assert.ok(existsSync(join(huge.dir, 'manifest.json')), 'the case is kept on the worker');

        await redis.restart();
        const traced = await ended(server, late.id, 120_000);
        assert.equal(traced.state, 'done', traced.error ?? '');
        assert.equal(hits('ops-late'), 1);
        // Redis away for a while: one line when it is lost, one when it answers again (the server's
        // reconnects and reconciles printed a line each, in turn; the worker never said it was back).
        const queueLines = (text: string) => text.split('\n').filter((l) => /: queue redis:\/\/\S+: /.test(l));
        const said = await until(
          () => queueLines(server.run.stderr()).length >= 2 && queueLines(server.run.stderr()),
          30_000,
          () => server.run.stderr(),
        );
        assert.equal(said.length, 2, said.join('\n'));
        assert.match(said[0], /^clicktrace serve: queue redis:\/\/\S+: .*; waiting for it to answer again$/);
        assert.match(said[1], /^clicktrace serve: queue redis:\/\/\S+: answers again$/);
        assert.match(worker.stderr(), /clicktrace worker: queue redis:\/\/\S+: answers again/);
        // The killed worker's job not begun: failed, saying its link was not requested (whether the
        // server judged the worker lost first or not), never run again.
        const lost = await until(
          async () => {
            const job = await server.job(partialJob.id);
            return job.state === 'failed' && job.error?.startsWith(CLAIMED_NOT_BEGUN) && job;
          },
          60_000,
          () => `job ${partialJob.id} failed as not begun: ${worker!.stderr()}`,
        );
        assert.match(lost.error ?? '', / \(on worker gone on localhost\)$/);
        assert.equal(hits('ops-partial'), 0);
        assert.equal(lost.fleet?.dispatches, 1);

        // Redis gone again: the worker and the server still stop when told.
        await redis.kill();
        const stopped = (run: { child: { exitCode: number | null; signalCode: string | null } }) =>
          run.child.exitCode !== null || run.child.signalCode !== null;
        worker.child.kill('SIGTERM');
        await until(
          () => stopped(worker!),
          60_000,
          () => `the worker to stop without Redis: ${worker!.stderr()}`,
        );
        assert.equal(worker.child.exitCode, 0, worker.stderr());
        server.run.child.kill('SIGTERM');
        await until(
          () => stopped(server.run),
          60_000,
          () => `the server to stop without Redis: ${server.run.stderr()}`,
        );
        assert.equal(server.run.child.exitCode, 0, server.run.stderr());
      } finally {
        worker?.child.kill('SIGKILL');
        await worker?.exited;
        server.run.child.kill('SIGKILL');
        await server.stop();
        await redis.stop();
      }
    },
  );

  test(
    'a job cancelled while its worker traces it: the heartbeat says so; ' +
      'a worker that never says it stopped (an older one) has it ended after the worker timeout',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-ops-cancel-');
      const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--worker-timeout', '2']);
      try {
        const worker = fakeWorker(server, 'tracer');
        const deaf = await submit(server, once('ops-cancel-deaf'));
        const heard = await submit(server, once('ops-cancel-heard'));
        const held = [deaf.id, heard.id];
        await worker.beat(held);
        assert.equal((await worker.claim(deaf.id, 'nd')).status, 200);
        assert.equal((await worker.claim(heard.id, 'nh')).status, 200);
        for (const id of held) {
          const { status, body } = await server.post<{ job: JobView }>(`/api/jobs/${id}/cancel`, {});
          assert.deepEqual([status, body.job.state, !!body.job.cancelledAt], [200, 'running', true]);
        }
        const told = (await worker.beat(held)).body.cancel ?? [];
        assert.deepEqual(told.map((c) => c.job).sort(), [...held].sort(), 'the answer names the cancelled jobs it holds');
        assert.ok(told.every((c) => /^interrupted: cancelled by the analyst at \S+$/.test(c.reason)));
        // Alive all along: it says it stopped one trace, never the other.
        const ended = await until(
          async () => {
            await worker.beat(held, false, [heard.id]);
            const job = await server.job(deaf.id);
            return job.state !== 'running' && job;
          },
          30_000,
          () => `the unanswered cancel to end its job: ${server.run.stderr().slice(-2000)}`,
        );
        assert.equal(ended.state, 'cancelled');
        assert.match(
          ended.error ?? '',
          /^cancelled by the analyst at \S+: it has no case \(tracer on localhost did not say it stopped the trace within 2 s of the cancel; its case is taken in should it come\)$/,
        );
        const waiting = await server.job(heard.id);
        assert.equal(waiting.state, 'running', 'a worker that said it stopped the trace is waited for, as for any case');
        assert.ok(waiting.events?.some((e) => e.kind === 'cancel-heard'));
        // Its trace was stopped before its request: the worker says so, and the job ends cancelled.
        const failed = await server.post(`/api/fleet/jobs/${heard.id}/fail`, {
          worker: 'tracer',
          nonce: 'nh',
          error: 'cancelled before the trace requested its link; nothing was requested',
        });
        assert.equal(failed.status, 200);
        const stopped = await server.job(heard.id);
        assert.equal(stopped.state, 'cancelled', stopped.error ?? '');
        assert.equal((await server.post(`/api/jobs/${heard.id}/cancel`, {})).status, 200, 'cancelled again: harmless');
      } finally {
        await server.stop();
        await redis.stop();
      }
    },
  );

  test('200 links submitted to a fleet with no free worker: the server keeps them queued, says so; Ctrl-C of the batch leaves them there', async () => {
    const redis = await startRedis();
    const root = tempDir('fleet-ops-200-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
    try {
      const list = tokens('ops200', 200);
      const batch = startCli(['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN], list.map(once).join('\n'));
      const queue = await until(
        async () => {
          const q = await server.queue();
          return q.jobs.queued === 200 && 'waiting' in q.redis && q.redis.waiting === 200 && q;
        },
        60_000,
        () => `200 queued: ${batch.stderr()}`,
      );
      assert.deepEqual(queue.jobs, { queued: 200, running: 0, done: 0, failed: 0 });
      // One claimed by a worker: the counts follow.
      const worker = fakeWorker(server, 'test');
      const jobs = await server.jobs();
      await worker.beat([jobs[0].id]);
      assert.equal((await worker.claim(jobs[0].id, 'n1')).status, 200);
      const claimedQueue: QueueView = await server.queue();
      assert.equal(claimedQueue.jobs.running, 1);
      assert.equal(claimedQueue.jobs.queued, 199);

      batch.child.kill('SIGINT');
      const { code, stdout, stderr } = await batch.exited;
      assert.equal(code, 130, stderr);
      assert.match(stderr, /Ctrl-C: stopping; running traces go on on the server/);
      const lines = jsonLines<{ kind: string; error?: string | null }>(stdout);
      const summary = lines.pop();
      assert.equal(summary?.kind, 'summary', stderr);
      assert.equal(lines.length, 200, 'a line for every link');
      assert.ok(
        lines.every((l) => l.kind === 'failed' && /interrupted by SIGINT; job j[0-9a-f]+ goes on on the server/.test(l.error ?? '')),
        JSON.stringify(lines.slice(0, 3)),
      );
      // Nothing was lost or requested: the jobs wait on the server for a worker.
      const after = await server.queue();
      assert.deepEqual(after.jobs, { queued: 199, running: 1, done: 0, failed: 0 });
      assert.ok(list.every((t) => hits(t) === 0));
    } finally {
      await server.stop();
      await redis.stop();
    }
  });
});

test('a server started on a queue nobody answers on says so in one line and exits (it used to hang after the error)', async () => {
  const port = await freePort();
  const run = startCli([
    'serve',
    '--port',
    String(await freePort()),
    '--queue',
    `redis://127.0.0.1:${port}`,
    '--token',
    TOKEN,
    '--cases',
    tempDir('no-redis-'),
  ]);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  const ended = await run.exited.finally(() => clearTimeout(timer));
  assert.equal(ended.signal, null, `still running after 60 s: ${ended.stderr}`);
  assert.equal(ended.code, 1);
  assert.match(ended.stderr, new RegExp(`^clicktrace: --queue: cannot reach redis://127\\.0\\.0\\.1:${port}/0: .*$`, 'm'));
});
