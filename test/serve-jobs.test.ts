// Jobs of `clicktrace serve` outlive the server: saved in the case index at every change of state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceService, type Job } from '../src/service/trace-service.js';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';

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
