// Jobs of `clicktrace serve` outlive the server: saved in the case index at every change of state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TraceService, type Job } from '../src/service/trace-service.js';
import { aggregateCases } from '../src/feed/index.js';
import { projectPath } from '../src/project-root.js';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';
import { startTestTsa } from './support/tsa-server.js';

const fixture = labAndBrowser();

async function until(service: TraceService, ids: string[], done: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const jobs = ids.map((id) => service.job(id)!);
    if (jobs.every(done)) return jobs;
    if (Date.now() > end) throw new Error(`jobs not done: ${jobs.map((j) => `${j.id} ${j.state}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('after a crash, waiting jobs run and the job that was running is failed, never run twice', async () => {
  const { lab } = fixture;
  const casesDir = tempDir('serve-jobs-');
  const { url: _url, outDir: _outDir, ...trace } = labOptions(lab, lab.scenarios['http-302'].url);
  const urls = ['single-use', 'http-301', 'http-307'].map((name) => lab.scenarios[name].url);
  const hitsBefore = urls.map((url) => lab.hits(url));

  // A server whose browser never comes up: the first job is running, the other two wait.
  const first = new TraceService({ casesDir, concurrency: 1, trace, launch: () => new Promise(() => undefined) });
  const submitted = [];
  for (const url of urls) submitted.push(await first.submitUrl({ url }));
  const ids = submitted.map((job) => job.id);
  await until(first, ids.slice(0, 1), (job) => job.state === 'running');
  assert.deepEqual(
    ids.map((id) => first.job(id)!.state),
    ['running', 'queued', 'queued'],
  );
  // The process dies: no close(), the index is simply left.
  first.store.close();

  const second = new TraceService({ casesDir, concurrency: 1, trace, launch: () => Promise.resolve(fixture.browser) });
  try {
    const jobs = await until(second, ids, (job) => job.state === 'done' || job.state === 'failed');
    assert.equal(jobs[0].state, 'failed');
    assert.match(jobs[0].error!, /stopped while this job ran; it is not run again/);
    assert.deepEqual(
      jobs.slice(1).map((job) => job.state),
      ['done', 'done'],
    );
    for (const job of jobs.slice(1)) {
      assert.ok(job.caseId && second.store.caseSummary(job.caseId), `${job.id}: case indexed`);
      assert.ok(job.events.some((e) => e.kind === 'resumed'));
    }
    assert.deepEqual(
      urls.map((url, i) => lab.hits(url) - hitsBefore[i]),
      [0, 1, 1],
      'the running job never reached its link; the others once each',
    );
    assert.deepEqual(
      second.listJobs().map((job) => job.id),
      [...ids].reverse(),
    );
  } finally {
    await second.close();
  }
});

test('the same .eml uploaded twice: one message case, its seal and timestamp untouched, counted once by the report', async () => {
  const { lab } = fixture;
  const casesDir = tempDir('serve-same-eml-');
  const tsa = await startTestTsa();
  const { url: _url, outDir: _outDir, ...trace } = labOptions(lab, lab.scenarios.seed.url);
  // Its own browser: the service closes the browsers it was given.
  const service = new TraceService({ casesDir, concurrency: 1, trace: { ...trace, tsa: { url: tsa.url, ca: tsa.caFile } } });
  try {
    const raw = readFileSync(projectPath('test', 'fixtures', 'lab', 'seed-tmobile.eml'));
    const hitsBefore = lab.hits(lab.scenarios.seed.url);
    const first = await service.submitMessage({ raw, filename: 'seed.eml' });
    const [done] = await until(service, [first.id], (job) => job.state === 'done' || job.state === 'failed', 60_000);
    assert.equal(done.state, 'done', done.error ?? '');
    assert.ok(done.caseId && done.messageCaseId);
    const messageDir = join(casesDir, done.messageCaseId);
    const sealed = ['manifest.json', 'manifest.tsr', 'message.json'].map((f) => readFileSync(join(messageDir, f)));
    const stamps = tsa.requests;

    const again = await service.submitMessage({ raw, filename: 'seed.eml' });
    const [second] = await until(service, [again.id], (job) => job.state === 'done' || job.state === 'failed', 60_000);
    assert.equal(second.state, 'done', second.error ?? '');
    assert.deepEqual([second.messageCaseId, second.caseId, second.alreadyTraced], [done.messageCaseId, done.caseId, true]);
    assert.ok(second.events.some((e) => e.kind === 'message' && e.detail.includes('(this message, recorded before)')));
    assert.equal(lab.hits(lab.scenarios.seed.url) - hitsBefore, 1, 'the link was requested once');
    assert.deepEqual(
      ['manifest.json', 'manifest.tsr', 'message.json'].map((f) => readFileSync(join(messageDir, f))),
      sealed,
      'the sealed message case and its token are as they were',
    );
    assert.equal(tsa.requests, stamps, 'no new timestamp asked for');
    assert.equal(readdirSync(casesDir).filter((n) => n.endsWith('-mail')).length, 1);
    const report = aggregateCases(service.store);
    assert.deepEqual([report.messages, report.traces], [1, 1]);
    const platform = report.rows.find((r) => r.dimension === 'platform');
    assert.equal(platform?.messages, 1);
  } finally {
    await service.close();
    await tsa.close();
  }
});
