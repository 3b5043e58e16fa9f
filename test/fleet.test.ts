// The fleet as an operator runs it: a real redis-server of the test's own, `clicktrace serve --queue`
// and `clicktrace worker` processes (the built CLI), the lab in this process counting every
// request. A job is traced exactly once across the fleet: worker killed (kill -9), Redis killed
// and restarted, a worker stopped with SIGTERM; every case comes back to the server verified and
// indexed; tampered bundles and wrong tokens are refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { jsonLines, startCli, type CliRun } from './support/cli-process.js';
import {
  assertCasesVerify,
  Server,
  startWorker,
  tokens,
  TOKEN,
  until,
  workersAlive,
  type JobView,
  fleetLab,
} from './support/fleet-cluster.js';
import { freePort, redisMissing, startRedis } from './support/redis-server.js';
import { writeSampleCase, START_URL } from './support/test-capture.js';
import {
  HANG_URL,
  HUMAN_DECOY_TITLE,
  humanGateUrl,
  labMailbox,
  landingUrl,
  SINGLE_USE_PREFIX,
  SINGLE_USE_SLOW_PREFIX,
} from '../src/lab/index.js';
import { verifyCase } from '../src/verify/verify.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { packCase } from '../src/case/case-bundle.js';
import { readZipDirectory, readZipEntry, StoredZipWriter } from '../src/evidence/wacz/zip.js';
import { WORKER_LOST } from '../src/fleet/protocol.js';
import { CUT_OFF_WARC } from '../src/case/case-layout.js';
import { startTestTsa } from './support/tsa-server.js';

const skip = redisMissing();

const { fixture, once, hits } = fleetLab(skip);

interface Line {
  kind: string;
  line: number | null;
  url?: string;
  case?: string | null;
  error?: string | null;
  final?: { url: string } | null;
}

/** The server's only job, once its trace recorded its first exchange (the worker is mid-trace). */
function firstExchange(server: Server, submitted: CliRun): Promise<JobView> {
  return until(
    async () => {
      const [listed] = await server.jobs();
      const detail = listed && (await server.job(listed.id));
      return detail && detail.events?.some((e) => e.kind === 'exchange') && detail;
    },
    120_000,
    () => `the trace's first exchange: ${submitted.stderr()}; the server: ${server.run.stderr().slice(-2000)}`,
  );
}

// Two tests at a time: each has its own redis-server, server and workers (the lab's single-use
// tokens differ by test), so the many-link run shares the file's time with the shorter ones.
// Enough links that the kill comes mid-run (after 10 traces, with 3 workers of 2 traces each, 20
// links are left, of which up to 6 running): every claim of the test holds with 30 as with 60.
const FLEET_LINKS = 30;
describe('a fleet on Redis', { skip: skip ?? false, concurrency: 2 }, () => {
  test(
    `${FLEET_LINKS} single-use links on one server and three workers: each traced exactly once, every case indexed and verify-clean; ` +
      'kill -9 of a worker fails its running jobs, never runs them again',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-');
      const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
      const spools = ['w1', 'w2', 'w3'].map((name) => join(root, name));
      const workers = spools.map((spool) => startWorker(redis, server, spool));
      try {
        await workersAlive(server, 3);
        const list = tokens('fleet', FLEET_LINKS);
        const batch = startCli(['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN], list.map(once).join('\n'));

        // Mid-run, the worker holding the most jobs is killed outright.
        const victim = await until(
          async () => {
            const done = jsonLines<Line>(batch.stdout()).filter((l) => l.kind === 'trace').length;
            if (done < 10) return null;
            const queue = await server.queue();
            const busy = queue.workers.filter((w) => w.running.length > 0).sort((a, b) => b.running.length - a.running.length)[0];
            return busy && { worker: busy, held: [...busy.running] };
          },
          120_000,
          () => `10 traces and a busy worker: ${batch.stderr()}`,
        );
        const index = spools.findIndex((s) => s.endsWith(victim.worker.name));
        workers[index].child.kill('SIGKILL');
        await workers[index].exited;

        const { code, stdout, stderr } = await batch.exited;
        if (process.env.CLICKTRACE_FLEET_DEBUG)
          for (const [i, w] of workers.entries()) writeFileSync(`/tmp/fleet-w${i + 1}.log`, w.stderr());
        if (process.env.CLICKTRACE_FLEET_DEBUG) writeFileSync('/tmp/fleet-serve.log', server.run.stderr());
        const lines = jsonLines<Line>(stdout);
        const summary = lines.pop() as unknown as { kind: string; counts: Record<string, number> };
        assert.equal(summary.kind, 'summary', stderr);
        assert.equal(lines.length, FLEET_LINKS, 'one line per link');
        assert.ok(
          list.every((t) => hits(t) <= 1),
          `no link requested twice: ${list.map(hits).join(' ')}`,
        );

        const jobs = await server.jobs();
        const lost = jobs.filter((j) => j.state === 'failed');
        const done = jobs.filter((j) => j.state === 'done');
        assert.equal(lost.length + done.length, FLEET_LINKS, 'every job ended');
        for (const job of lost) {
          assert.equal(job.error, WORKER_LOST, `${job.id}: ${job.error}`);
          assert.equal(job.fleet?.worker?.name, victim.worker.name, `${job.id} was claimed by the killed worker`);
          assert.equal(job.fleet?.dispatches, 1, 'never put on the queue again');
        }
        assert.ok(lost.length >= 1, 'the killed worker was tracing');
        assert.equal(code, 1, 'failed jobs make the exit status 1');
        // A job the killed worker held but had not claimed yet was put on the queue again and traced by another.
        for (const job of done.filter((j) => (j.fleet?.dispatches ?? 0) > 1))
          assert.notEqual(job.fleet?.worker?.name, victim.worker.name, `${job.id}`);
        for (const job of done) {
          const token = job.url!.slice(SINGLE_USE_PREFIX.length);
          assert.equal(hits(token), 1, `${job.url} requested exactly once`);
          assert.ok(job.caseId, `${job.id} has its case`);
        }
        const traced = lines.filter((l) => l.kind === 'trace');
        const unreported = done.filter((j) => !traced.some((l) => l.url === j.url));
        const story = await Promise.all(
          unreported.map(
            async (j) =>
              `${j.id}: ${(await server.job(j.id)).events?.map((e) => `${e.kind} ${e.detail.slice(0, 60)}`).join(' | ')} / ` +
              `line: ${JSON.stringify(lines.find((l) => l.url === j.url))}`,
          ),
        );
        assert.equal(traced.length, done.length, `the JSON Lines name every case:\n${story.join('\n')}`);
        for (const line of traced) {
          assert.equal(line.error, null, `${line.url}: ${line.error}`);
          assert.equal(line.final?.url, 'https://www.advertiser.example/landing/single-use');
        }
        assert.deepEqual(
          lines.filter((l) => l.kind === 'failed').map((l) => l.error),
          lost.map(() => WORKER_LOST),
        );
        await assertCasesVerify(
          server,
          done.map((j) => j.caseId!),
        );
        // The server is the only writer of its cases folder: nothing staged is left, every case came from a worker.
        assert.deepEqual(
          readdirSync(server.casesDir).filter((n) => n.startsWith('.')),
          [],
        );
        const capture = await readCapture(join(server.casesDir, done[0].caseId!));
        assert.match(capture.info.worker?.name ?? '', /^w[123]$/);
        assert.ok(capture.info.worker?.host && capture.info.browser?.version && capture.info.tool.version);
        // Progress events came back through the queue while it ran.
        const detail = await server.job(done[0].id);
        assert.ok(
          detail.events?.some((e) => e.kind === 'exchange') && detail.events.some((e) => e.kind === 'uploaded'),
          'live progress and the upload',
        );
        // The lost jobs are not run again, even later (BullMQ fails the stalled job; the server never re-queues a claimed one):
        // checked 3 s from now, the resubmission below (which requests nothing) meanwhile.
        const later = new Promise((resolve) => setTimeout(resolve, 3000));
        // Its spool never comes back: submitted again, the link is already traced, its case said not delivered.
        const resubmitted = await server.post<{ job: JobView }>('/api/submit', { url: lost[0].url });
        const answer = await until(
          async () => {
            const job = await server.job(resubmitted.body.job.id);
            return (job.state === 'done' || job.state === 'failed') && job;
          },
          60_000,
          () => 'the resubmitted lost link',
        );
        assert.deepEqual([answer.state, answer.caseId], ['done', (lost[0].fleet as { caseId?: string }).caseId]);
        assert.ok(
          answer.events?.some((e) => e.kind === 'already-traced' && /never delivered/.test(e.detail)),
          JSON.stringify(answer.events),
        );
        assert.ok(hits(lost[0].url!.slice(SINGLE_USE_PREFIX.length)) <= 1);
        await later;
        for (const job of lost) assert.ok(hits(job.url!.slice(SINGLE_USE_PREFIX.length)) <= 1);
        const queue = await server.queue();
        assert.equal(queue.workers.find((w) => w.name === victim.worker.name)?.alive, false, 'the killed worker shows as silent');
      } finally {
        for (const w of workers) w.child.kill('SIGKILL');
        await Promise.all(workers.map((w) => w.exited));
        await server.stop();
        await redis.stop();
      }
    },
  );

  test('Redis killed and restarted mid-run, a worker stopped with SIGTERM, e-mails submitted whole: no duplicate request, no lost case', async () => {
    const redis = await startRedis({ appendonly: true });
    const root = tempDir('fleet-restart-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--local-workers', '1']);
    const worker = startWorker(redis, server, join(root, 'w1'));
    try {
      await workersAlive(server, 2);
      // Redis is killed after 3 traces and the worker stopped after 7: 12 links leave some to trace after both.
      const RESTART_LINKS = 12;
      const list = tokens('restart', RESTART_LINKS);
      const mailLinks = tokens('mail', 3);
      const mailbox = join(root, 'offers.mbox');
      writeFileSync(mailbox, labMailbox(mailLinks.map(once)));
      const batch = startCli(['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN], list.map(once).join('\n'));
      const mail = startCli(['mail', mailbox, '--trace', 'main', '--json', '--server', server.url, '--token', TOKEN]);

      await until(
        () => jsonLines<Line>(batch.stdout()).filter((l) => l.kind === 'trace').length >= 3,
        120_000,
        () => batch.stderr(),
      );
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await redis.restart();

      // A worker told to stop finishes what it started (as cases), takes nothing new.
      await until(
        () => jsonLines<Line>(batch.stdout()).filter((l) => l.kind === 'trace').length >= 7,
        120_000,
        () => batch.stderr(),
      );
      const queue = await server.queue();
      // A worker also lists the one job it holds ahead, unclaimed: that one goes back to the queue on SIGTERM, rightly.
      const listed = queue.workers.find((w) => w.name === 'w1')?.running ?? [];
      const held: string[] = [];
      for (const id of listed) if ((await server.job(id)).state === 'running') held.push(id);
      worker.child.kill('SIGTERM');
      const stopped = await worker.exited;
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /stopping: no new jobs/);
      for (const id of held) {
        const job = await server.job(id);
        assert.notEqual(job.state, 'queued', `${id}, started before SIGTERM, is not back on the queue`);
      }

      const { stdout, stderr } = await batch.exited;
      const lines = jsonLines<Line>(stdout);
      const summary = lines.pop() as unknown as { kind: string; counts: Record<string, number> };
      assert.equal(summary.kind, 'summary', stderr);
      assert.equal(summary.counts.traced, RESTART_LINKS, `every link traced: ${JSON.stringify(summary.counts)} ${stderr}`);
      assert.deepEqual(
        list.map(hits),
        list.map(() => 1),
        'each link requested exactly once',
      );

      const mailed = await mail.exited;
      const records = jsonLines<{ kind: string; case?: string; traces?: { case: string; link: number }[] }>(mailed.stdout);
      const messages = records.filter((r) => r.kind === 'message');
      assert.equal(messages.length, 3, mailed.stderr);
      for (const message of messages) {
        assert.equal(message.traces?.length, 1, 'the message case on the server lists its trace');
        assert.ok(existsSync(join(server.casesDir, message.case!, 'message.eml')), 'the message case is on the server');
      }
      assert.deepEqual(mailLinks.map(hits), [1, 1, 1]);

      const jobs = await server.jobs();
      assert.ok(
        jobs.every((j) => j.state === 'done'),
        jobs.map((j) => `${j.id} ${j.state} ${j.error ?? ''}`).join('\n'),
      );
      for (const id of held) assert.equal((await server.job(id)).state, 'done', `${id} ended as a case after SIGTERM`);
      await assertCasesVerify(server, [...jobs.map((j) => j.caseId!), ...messages.map((m) => m.case!)]);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      await server.stop();
      await redis.stop();
    }
  });

  test(
    'the server killed (kill -9) and started again mid-run: the claimed jobs get their cases, the rest run after, none twice; ' +
      'then jobs cancelled, running on the worker and waiting',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-server-restart-');
      const port = await freePort();
      let server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), [], port);
      const worker = startWorker(redis, server, join(root, 'w1'));
      try {
        await workersAlive(server, 1);
        // Killed after 2 cases, with jobs claimed: 8 links leave jobs queued across the restart.
        const SERVER_RESTART_LINKS = 8;
        const list = tokens('server-restart', SERVER_RESTART_LINKS);
        const batch = startCli(['trace', '--input', '-', '--json', '--server', server.url, '--token', TOKEN], list.map(once).join('\n'));
        // Killed while jobs are claimed and their cases not yet taken in (being traced, or delivered).
        const held = await until(
          async () => {
            const jobs = await server.jobs();
            const running = jobs.filter((j) => j.state === 'running').map((j) => j.id);
            return jobs.filter((j) => j.state === 'done').length >= 2 && running.length > 0 && running;
          },
          120_000,
          () => `jobs done and held: ${batch.stderr()}`,
        );
        server.run.child.kill('SIGKILL');
        await server.run.exited;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), [], port);

        const { stdout, stderr } = await batch.exited;
        const lines = jsonLines<Line>(stdout);
        const summary = lines.pop() as unknown as { kind: string; counts: Record<string, number> };
        assert.equal(summary.kind, 'summary', stderr);
        const story = async (job: JobView) =>
          `${job.id} ${job.state}: ${(await server.job(job.id)).events?.map((e) => `${e.kind} ${e.detail.slice(0, 80)}`).join(' | ')}`;
        const unfinished = await Promise.all((await server.jobs()).filter((j) => j.state !== 'done').map(story));
        assert.equal(
          summary.counts.traced,
          SERVER_RESTART_LINKS,
          `every link traced: ${JSON.stringify(summary.counts)} ${stderr}\n${unfinished.join('\n')}`,
        );
        assert.deepEqual(
          list.map(hits),
          list.map(() => 1),
          'each link requested exactly once',
        );
        const jobs = await server.jobs();
        assert.ok(
          jobs.every((j) => j.state === 'done'),
          jobs.map((j) => `${j.id} ${j.state} ${j.error ?? ''}`).join('\n'),
        );
        const details = await Promise.all(held.map((id) => server.job(id)));
        for (const job of details) assert.equal(job.state, 'done', `${job.id}, claimed when the server died, ended with its case`);
        // Who claimed it, and into which case, is still said after the restart (the event was said after the job was saved).
        for (const job of details)
          assert.ok(
            job.events?.some((e) => e.kind === 'claimed' && e.detail.includes(`case ${job.caseId}`)),
            `${job.id}: ${JSON.stringify(job.events?.map((e) => e.kind))}`,
          );
        // A job was mid-trace when the server died: it waited for its case across the restart.
        assert.ok(
          details.some((job) => job.events?.some((e) => e.kind === 'resumed')),
          'a claimed job was resumed',
        );
        await assertCasesVerify(
          server,
          jobs.map((j) => j.caseId!),
        );

        // Cancel on the fleet: two traces of links that never answer run on the worker (its two
        // slots), a third waits in its hand unclaimed, a fourth on the queue.
        const slow = (tag: string) => `${HANG_URL}/fleet-cancel-${tag}-${process.pid}`;
        const path = (url: string) => new URL(url).pathname;
        const ids: string[] = [];
        for (const url of ['a', 'b', 'c', 'd'].map(slow))
          ids.push((await server.post<{ job: JobView }>('/api/submit', { url })).body.job.id);
        const [running, waiting] = await until(
          async () => {
            const all = await Promise.all(ids.map((id) => server.job(id)));
            const on = all.filter((j) => j.state === 'running' && fixture.lab.hits(path(j.url!)) === 1);
            return on.length === 2 && [on, all.filter((j) => j.state === 'queued')];
          },
          60_000,
          () => `two traces under way on the worker: ${server.run.stderr().slice(-2000)}`,
        );
        assert.equal(waiting.length, 2);
        for (const job of waiting) {
          const { status, body } = await server.post<{ job: JobView }>(`/api/jobs/${job.id}/cancel`, {});
          assert.deepEqual([status, body.job.state], [200, 'cancelled'], `${job.id} was queued: cancelled at once`);
        }
        for (const job of running) {
          const { status, body } = await server.post<{ job: JobView }>(`/api/jobs/${job.id}/cancel`, {});
          assert.deepEqual([status, body.job.state, !!body.job.cancelledAt], [200, 'running', true], `${job.id}: its worker is told`);
        }
        const stopped = await until(
          async () => {
            const all = await Promise.all(running.map((j) => server.job(j.id)));
            return all.every((j) => j.state === 'cancelled') && all;
          },
          30_000,
          () => `the worker stops the cancelled traces: ${worker.stderr().slice(-2000)}`,
        );
        for (const job of stopped) {
          assert.ok(job.caseId && job.partial, `${job.id}: its case, holding what it recorded, came from the worker: ${job.error}`);
          assert.ok(job.events?.some((e) => e.kind === 'cancel-heard'));
        }
        await assertCasesVerify(
          server,
          stopped.map((j) => j.caseId!),
        );
        // The one the worker held unclaimed is refused its claim once a slot frees; the other left the queue.
        await until(
          async () => !(await server.queue()).workers.some((w) => w.running.length > 0),
          30_000,
          () => 'the worker holds nothing',
        );
        const redisCounts = (await server.queue()).redis as Record<string, number>;
        assert.equal(redisCounts.waiting, 0, 'the cancelled job left the queue');
        assert.deepEqual(
          [...running, ...waiting].map((j) => fixture.lab.hits(path(j.url!))),
          [1, 1, 0, 0],
          'the stopped traces requested their links once, the cancelled waiting ones never',
        );
      } finally {
        worker.child.kill('SIGKILL');
        await worker.exited;
        await server.stop();
        await redis.stop();
      }
    },
  );

  test(
    'a worker killed (kill -9) mid-trace and started again on its spool: what it recorded comes to the server sealed, ' +
      'marked partial; its link is requested once',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-partial-');
      // The worker started again says it holds the job well within the timeout, even on a loaded machine.
      const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--worker-timeout', '60']);
      const spool = join(root, 'w1');
      let worker = startWorker(redis, server, spool);
      try {
        await workersAlive(server, 1);
        // Its first request is answered (a 302), the next never is: the trace is running when the worker dies.
        const url = `${SINGLE_USE_SLOW_PREFIX}partial`;
        const submitted = startCli(['trace', url, '--json', '--server', server.url, '--token', TOKEN]);
        const job = await firstExchange(server, submitted);
        // The worker says what it does, line by line; the server shows the job it holds.
        assert.match(worker.stderr(), new RegExp(`job ${job.id}: tracing ${url.replace(/[.]/g, '\\.')} into case \\d{8}T`));
        const held = await until(
          async () => (await server.queue()).workers.find((w) => w.name === 'w1' && w.held.length > 0)?.held,
          30_000,
          () => 'the job held by w1 in the queue panel',
        );
        assert.deepEqual(held, [{ id: job.id, url, state: 'running' }]);
        worker.child.kill('SIGKILL');
        await worker.exited;
        worker = startWorker(redis, server, spool);

        const first = await submitted.exited;
        const [line] = jsonLines<Line & { partial?: boolean }>(first.stdout);
        assert.equal(line.kind, 'trace', first.stdout + first.stderr);
        assert.equal(line.partial, true);
        assert.match(
          line.error ?? '',
          /^partial: the worker died mid-trace \(killed or crashed\) after [1-9]\d* exchange\(s\) were recorded/,
        );
        assert.match(worker.stderr(), /left unfinished by a worker that was killed: sealed as partial \([1-9]\d* exchange\(s\) recorded/);
        const ended = await server.job(job.id);
        assert.deepEqual([ended.state, ended.caseId, (ended as { partial?: boolean }).partial], ['done', line.case, true]);
        assert.ok(
          ended.events?.some((e) => e.kind === 'partial-case' && e.detail.includes('partial: the worker died mid-trace')),
          JSON.stringify(ended.events),
        );
        await assertCasesVerify(server, [line.case!]);
        const caseDir = join(server.casesDir, line.case!);
        assert.equal(JSON.parse(readFileSync(join(caseDir, 'manifest.json'), 'utf8')).partial, true);
        assert.ok(existsSync(join(caseDir, CUT_OFF_WARC)), 'the WARC as the killed worker left it');
        assert.equal((await readCapture(caseDir)).exchanges[0].request.url, url);
        assert.equal(fixture.lab.hits('/once-slow/partial'), 1);

        // Submitted again: already traced, pointing at the partial case; not requested again.
        const second = await startCli(['trace', url, '--json', '--server', server.url, '--token', TOKEN]).exited;
        const [repeat] = jsonLines<Line & { partial?: boolean }>(second.stdout);
        assert.deepEqual([repeat.kind, repeat.case], ['already-traced', line.case], second.stdout + second.stderr);
        assert.equal(repeat.partial, true, 'that case was cut off, as a local batch says');
        assert.equal(fixture.lab.hits('/once-slow/partial'), 1);
      } finally {
        worker.child.kill('SIGKILL');
        await worker.exited;
        await server.stop();
        await redis.stop();
      }
    },
  );

  test(
    'lost first, case later: a worker killed mid-trace is declared lost; started again on its spool (with --tsa) it seals what was ' +
      'recorded, time-stamps it and sends it: the server keeps the case and links it to the job; the link is requested once',
    async () => {
      const redis = await startRedis();
      const tsa = await startTestTsa();
      const root = tempDir('fleet-late-');
      // The TSA's CA comes from the home config (--tsa URL names only the TSA): a home of this test's own, set while its processes start.
      const home = join(root, 'home');
      cpSync(process.env.CLICKTRACE_HOME!, home, { recursive: true, verbatimSymlinks: true });
      writeFileSync(join(home, 'config.json'), JSON.stringify({ tsa: { url: tsa.url, ca: tsa.caFile } }));
      const withHome = <T>(start: () => T): T => {
        const own = process.env.CLICKTRACE_HOME;
        process.env.CLICKTRACE_HOME = home;
        try {
          return start();
        } finally {
          process.env.CLICKTRACE_HOME = own;
        }
      };
      const server = await withHome(() => Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--worker-timeout', '2']));
      const spool = join(root, 'w1');
      const startOwnWorker = () => withHome(() => startWorker(redis, server, spool, ['--tsa', tsa.url]));
      let worker = startOwnWorker();
      let submitted: CliRun | null = null;
      try {
        await workersAlive(server, 1);
        const url = `${SINGLE_USE_SLOW_PREFIX}late`;
        submitted = startCli(['trace', url, '--json', '--server', server.url, '--token', TOKEN]);
        const job = await firstExchange(server, submitted);
        worker.child.kill('SIGKILL');
        await worker.exited;
        const lost = await until(
          async () => {
            const seen = await server.job(job.id);
            return seen.state === 'failed' && seen.error === WORKER_LOST && seen;
          },
          60_000,
          () => `job ${job.id} failed as lost`,
        );
        const caseId = lost.caseId ?? (lost.fleet as { caseId?: string } | null | undefined)?.caseId;
        assert.ok(caseId, JSON.stringify(lost.fleet));
        await submitted.exited;

        worker = startOwnWorker();
        const late = await until(
          async () => {
            const seen = await server.job(job.id);
            return seen.state === 'done' && seen;
          },
          90_000,
          () => `job ${job.id} done after all: ${worker.stderr()}`,
        );
        assert.equal(late.caseId, caseId);
        assert.equal(late.error, null);
        const kinds = late.events?.map((e) => e.kind) ?? [];
        assert.ok(kinds.indexOf('worker-lost') < kinds.indexOf('late-case'), kinds.join(' '));
        assert.ok(kinds.includes('partial-case'), kinds.join(' '));
        assert.match(worker.stderr(), /left unfinished by a worker that was killed: sealed as partial \(.*\), time-stamped at \S+ by http/);
        const caseDir = join(server.casesDir, caseId);
        assert.equal(JSON.parse(readFileSync(join(caseDir, 'manifest.json'), 'utf8')).partial, true);
        const verified = await verifyCase(caseDir, { tsaCaFile: tsa.caFile });
        assert.ok(verified.ok, verified.problems.join('; '));
        assert.equal(verified.checked.timestamp, 'valid');
        assert.equal((await server.get(`/api/cases/${caseId}`)).status, 200, 'indexed on the server');
        assert.equal(fixture.lab.hits('/once-slow/late'), 1);

        // Submitted again: already traced, pointing at the case that came late.
        const again = await startCli(['trace', url, '--json', '--server', server.url, '--token', TOKEN]).exited;
        const [repeat] = jsonLines<Line>(again.stdout);
        assert.deepEqual([repeat.kind, repeat.case], ['already-traced', caseId], again.stdout + again.stderr);
        assert.equal(fixture.lab.hits('/once-slow/late'), 1);
      } finally {
        submitted?.child.kill('SIGKILL');
        worker.child.kill('SIGKILL');
        await worker.exited;
        await server.stop();
        await redis.stop();
        await tsa.close();
      }
    },
  );

  test(
    'a mailbox sent with mail --trace --server is one batch on the fleet too: cancelled mid-way, the traces on the worker ' +
      'are stopped and their cases come back sealed, the waiting message is never traced, the messages not sent yet are refused',
    async () => {
      const redis = await startRedis();
      const root = tempDir('fleet-mailbox-cancel-');
      const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'));
      const worker = startWorker(redis, server, join(root, 'w1'));
      try {
        await workersAlive(server, 1);
        const links = ['m1', 'm2', 'm3', 'm4', 'm5'].map((tag) => `${HANG_URL}/fleet-mailbox-${tag}-${process.pid}`);
        const path = (url: string) => new URL(url).pathname;
        const mbox = join(root, 'inbox.mbox');
        writeFileSync(mbox, labMailbox(links));
        // Three messages on the server at once: two traced on the worker's two slots, the third waiting.
        const run = startCli([
          'mail',
          mbox,
          '--trace',
          'main',
          '--no-explore',
          '--json',
          '--concurrency',
          '3',
          '--server',
          server.url,
          '--token',
          TOKEN,
        ]);
        interface Item {
          line: number;
          url?: string;
          state: string;
          jobId?: string;
        }
        const batch = await until(
          async () => {
            const { batches } = (await server.get<{ batches: { id: string; mailbox?: true }[] }>('/api/batches')).body;
            const id = batches.find((b) => b.mailbox)?.id;
            if (!id) return false;
            const { items } = (await server.get<{ batch: { items: Item[] } }>(`/api/batches/${id}`)).body.batch;
            const on = items.filter((i) => i.state === 'running' && fixture.lab.hits(path(i.url!)) === 1);
            return on.length === 2 && items.length === 3 && { id, items };
          },
          60_000,
          () => `two messages traced on the worker: ${run.stderr()} ${server.run.stderr().slice(-2000)}`,
        );
        const { status } = await server.post(`/api/batches/${batch.id}/cancel`, {});
        assert.equal(status, 200);
        const ended = await run.exited;
        assert.equal(ended.code, 1, ended.stderr);
        const jobs = await until(
          async () => {
            const all = await Promise.all(batch.items.map((i) => server.job(i.jobId!)));
            return all.every((j) => j.state === 'cancelled') && all;
          },
          30_000,
          () => `the worker stops the cancelled traces: ${worker.stderr().slice(-2000)}`,
        );
        const stopped = jobs.filter((j) => j.caseId);
        assert.equal(stopped.length, 2, jobs.map((j) => `${j.id} ${j.error}`).join('\n'));
        for (const job of stopped) assert.ok(job.partial, `${job.id}: its case holds what it recorded: ${job.error}`);
        await assertCasesVerify(
          server,
          stopped.map((j) => j.caseId!),
        );
        assert.deepEqual(
          links.map((l) => fixture.lab.hits(path(l))).sort(),
          [0, 0, 0, 1, 1],
          'the two traces on the worker requested their links once; the waiting message and the two not sent, never',
        );
        const skipped = jsonLines<{ kind?: string; reason?: string }>(ended.stdout).filter((l) => l.kind === 'skipped');
        assert.deepEqual(
          skipped.map((l) => l.reason),
          ['the mailbox was cancelled on the server', 'the mailbox was cancelled on the server'],
        );
        const { body } = await server.get<{ batch: { state: string; items: Item[]; counts: { cancelled?: number } } }>(
          `/api/batches/${batch.id}`,
        );
        assert.deepEqual([body.batch.state, body.batch.items.length, body.batch.counts.cancelled], ['done', 3, 3]);
      } finally {
        worker.child.kill('SIGKILL');
        await worker.exited;
        await server.stop();
        await redis.stop();
      }
    },
  );

  test("a job's nudge travels with it to the worker: on a --no-nudge server, nudge on passes a human check, the server's off holds", async () => {
    const redis = await startRedis();
    const root = tempDir('fleet-nudge-');
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--no-nudge']);
    const worker = startWorker(redis, server, join(root, 'w1'));
    try {
      await workersAlive(server, 1);
      const gate = (tag: string) => humanGateUrl('pointer', `fleet-${tag}-${process.pid}`);
      const on = await server.post<{ job: JobView }>('/api/submit', { url: gate('on'), nudge: true });
      const quiet = await server.post<{ job: JobView }>('/api/submit', { url: gate('default') });
      const ended = (id: string) =>
        until(
          async () => {
            const job = await server.job(id);
            return (job.state === 'done' || job.state === 'failed') && job;
          },
          120_000,
          () => `job ${id}: ${server.run.stderr().slice(-2000)}`,
        );
      const [nudged, held] = [await ended(on.body.job.id), await ended(quiet.body.job.id)];
      const pageOf = async (id: string) => (await fetch(`${server.url}/jobs/${id}`, { headers: { 'X-Clicktrace-Token': TOKEN } })).text();
      for (const [job, final, nudge, says] of [
        [nudged, landingUrl('human-pointer'), true, 'on (this submission)'],
        [held, gate('default'), false, 'off (the server&#39;s setting, --no-nudge)'],
      ] as const) {
        assert.equal(job.state, 'done', job.error ?? '');
        assert.equal(job.fleet?.worker?.name, 'w1');
        const capture = await readCapture(join(server.casesDir, job.caseId!));
        assert.deepEqual([capture.info.nudge, capture.events.some((e) => e.type === 'nudge')], [nudge, nudge], job.url!);
        const report = JSON.parse(readFileSync(join(server.casesDir, job.caseId!, 'report.json'), 'utf8')) as {
          final: { url: string; title: string } | null;
        };
        assert.equal(report.final?.url, final);
        if (!nudge) assert.equal(report.final?.title, HUMAN_DECOY_TITLE);
        assert.equal(/<dd id="job-nudge">\s*([^<]*?)\s*<\/dd>/.exec(await pageOf(job.id))?.[1], says, job.id);
      }
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
      await server.stop();
      await redis.stop();
    }
  });

  test('refused: a worker with a wrong token, worker calls without the token header, a tampered or foreign bundle; nothing of them is kept', async () => {
    const redis = await startRedis();
    const root = tempDir('fleet-refuse-');
    // This process stands in for the worker: its heartbeats share an event loop with writing, packing
    // and tampering a case (0.6-0.8 s of CPU, more than 15 s on a loaded machine). What is refused
    // here is not about silence: a worker timeout that writing a case never outlasts.
    const server = await Server.start(fixture.lab.traceArgs, redis, join(root, 'cases'), ['--worker-timeout', '60']);
    let beating: NodeJS.Timeout | undefined;
    try {
      const wrong = startCli([
        'worker',
        '--queue',
        redis.url,
        '--server',
        server.url,
        '--token',
        'not-the-token-0000000000',
        '--spool',
        join(root, 'w'),
      ]);
      const refused = await wrong.exited;
      assert.equal(refused.code, 1);
      // One line, saying the token it sent is wrong (it said the server requires one, as if none was sent).
      assert.match(refused.stderr, /^clicktrace: worker: http:\/\/\S+: the server refused the token \(wrong token: /);
      assert.equal(refused.stderr.split('\n').filter(Boolean).length, 1, refused.stderr);
      assert.equal((await server.queue()).workers.length, 0);

      // The test speaks the workers' protocol itself: heartbeat, claim, upload.
      const submitted = await server.post<{ job: JobView }>('/api/submit', { url: START_URL });
      assert.equal(submitted.status, 202);
      const { id } = submitted.body.job;
      const identity = { id: 'test', name: 'test', host: 'localhost', version: '0', chromium: 'none', concurrency: 1 };
      const beat = () => server.post<{ heartbeatMs: number }>('/api/fleet/heartbeat', { worker: identity, running: [id], stopping: false });
      const first = await beat();
      assert.equal(first.status, 200);
      // And on, as often as the server asks, while it holds the job, as a worker does: the steps below
      // take a loaded machine longer than the worker timeout, and a silent worker's job is failed as lost.
      beating = setInterval(() => void beat().catch(() => undefined), first.body.heartbeatMs);
      const jobsPage = await fetch(`${server.url}/jobs`, { headers: { 'X-Clicktrace-Token': TOKEN } });
      assert.match(await jobsPage.text(), /<td>test<\/td>\s*<td>localhost<\/td>/, 'the Jobs page lists the worker');
      const noHeader = await server.post(
        `/api/fleet/jobs/${id}/claim`,
        { worker: 'x', nonce: 'n', dispatch: `${id}.1` },
        { 'X-Clicktrace-Token': 'wrong' },
      );
      assert.equal(noHeader.status, 401);
      const cookieOnly = await fetch(`${server.url}/api/fleet/heartbeat`, {
        method: 'POST',
        headers: { Cookie: `clicktrace_token=${TOKEN}`, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' },
        body: '{}',
      });
      assert.equal(cookieOnly.status, 401, 'a browser cookie does not make a worker');
      const claim = await server.post<{ ok: boolean; caseId: string }>(`/api/fleet/jobs/${id}/claim`, {
        worker: 'test',
        nonce: 'n1',
        dispatch: `${id}.1`,
      });
      assert.equal(claim.status, 200);
      assert.equal(claim.body.ok, true);
      const second = await server.post<{ ok: boolean; code: string }>(`/api/fleet/jobs/${id}/claim`, {
        worker: 'other',
        nonce: 'n2',
        dispatch: `${id}.1`,
      });
      assert.equal(second.status, 409, 'a job is claimed once');
      assert.equal(second.body.code, 'claimed');
      const repeat = await server.post<{ ok: boolean; caseId: string }>(`/api/fleet/jobs/${id}/claim`, {
        worker: 'test',
        nonce: 'n1',
        dispatch: `${id}.1`,
      });
      assert.deepEqual(repeat.body, claim.body, 'the same claim again gets the same answer');

      // A sealed case under the claimed name, as a worker would have written it.
      const caseId = claim.body.caseId;
      const written = await writeSampleCase(join(root, 'worker-cases'), { name: caseId });
      const bundlePath = join(root, `${caseId}.case.zip`);
      packCase(written.dir, bundlePath);
      const bundle = readFileSync(bundlePath);
      const files = new Map(readZipDirectory(bundle).map((e) => [e.name, readZipEntry(bundle, e)]));
      const report = files.get('report.json')!;
      files.set('report.json', Buffer.concat([report.subarray(0, 10), Buffer.from(report[10] === 0x20 ? '\t' : ' '), report.subarray(11)]));
      const tamperedPath = join(root, 'tampered.zip');
      const zip = new StoredZipWriter(tamperedPath);
      for (const [name, data] of files) zip.addBuffer(name, data);
      zip.finish();

      await beat();
      const claimed = { 'X-Clicktrace-Claim': 'n1' };
      const tampered = await server.post<{ error: { message: string } }>(`/api/fleet/cases/${caseId}`, readFileSync(tamperedPath), claimed);
      assert.equal(tampered.status, 422);
      assert.match(tampered.body.error.message, /does not verify: report\.json: SHA-256 differs from manifest\.json/);
      assert.ok(!existsSync(join(server.casesDir, caseId)), 'nothing of a refused bundle is kept');
      assert.deepEqual(
        readdirSync(server.casesDir).filter((n) => n.startsWith('.')),
        [],
      );
      // Damaged on the way or tampered with: the worker, which can check its own copy, says which (it sends it again, or reports the job failed).
      const refusedOnce = await server.job(id);
      assert.equal(refusedOnce.state, 'running', 'the job waits for the worker to send its case again');
      assert.ok(
        refusedOnce.events?.some((e) => e.kind === 'upload-refused' && /the worker checks its own copy/.test(e.detail)),
        JSON.stringify(refusedOnce.events),
      );

      const foreign = await server.post<{ error: { message: string } }>('/api/fleet/cases/20990101T000000Z-abcdef', bundle);
      assert.equal(foreign.status, 404, 'a case the server did not assign');

      // The genuine bundle is taken (a finished case is never lost), once.
      const genuine = await server.post<{ outcome: string }>(`/api/fleet/cases/${caseId}`, bundle, claimed);
      clearInterval(beating);
      assert.equal(genuine.status, 200);
      assert.equal(genuine.body.outcome, 'ingested');
      const again = await server.post<{ outcome: string }>(`/api/fleet/cases/${caseId}`, bundle, claimed);
      assert.equal(again.body.outcome, 'already', 'uploading twice is harmless');
      assert.ok((await verifyCase(join(server.casesDir, caseId))).ok);
      assert.equal((await server.job(id)).state, 'done');

      // clicktrace import takes the same bundle (and refuses the tampered one).
      const importDir = join(root, 'imported');
      mkdirSync(importDir);
      const imported = await startCli(['import', bundlePath, '--out', importDir]).exited;
      assert.equal(imported.code, 0, imported.stderr);
      assert.ok(existsSync(join(importDir, caseId, 'manifest.json')));
      const refusedImport = await startCli(['import', tamperedPath, '--out', importDir]).exited;
      assert.equal(refusedImport.code, 2);
      assert.match(refusedImport.stderr, /does not verify/);
      rmSync(root, { recursive: true, force: true });
    } finally {
      clearInterval(beating);
      await server.stop();
      await redis.stop();
    }
  });
});
