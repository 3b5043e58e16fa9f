// Jobs of `clicktrace serve` outlive the server: saved in the case index at every change of state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceService, type BatchView, type Job } from '../src/service/trace-service.js';
import { HANG_URL } from '../src/lab/index.js';
import { verifyCase } from '../src/verify/verify.js';
import { aggregateCases } from '../src/feed/index.js';
import { projectPath } from '../src/project-root.js';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';
import { startTestTsa } from './support/tsa-server.js';
import { jsonLines, startCli } from './support/cli-process.js';
import { labMailbox } from '../src/lab/mailbox.js';
import { startWebServer } from '../src/web/server.js';
import { CUT_OFF_WARC } from '../src/case/case-layout.js';

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

test('a server killed mid-trace: after its restart the job that ran keeps its case, sealed as partial, and its link is not requested again', async () => {
  const { lab } = fixture;
  const casesDir = tempDir('serve-jobs-killed-');
  const url = lab.scenarios.hang.url;
  const hitsBefore = lab.hits(url);
  const { url: _url, outDir: _outDir, ...trace } = labOptions(lab, url);
  const first = startCli(['serve', '--port', '0', '--cases', casesDir, ...lab.traceArgs, '--timeout', '60']);
  let id: string;
  try {
    // It names its address on stderr once it listens.
    for (const end = Date.now() + 30_000; !/http:\/\/127\.0\.0\.1:\d+\//.test(first.stderr());) {
      if (Date.now() > end) throw new Error(`serve did not start: ${first.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(first.stderr())![0];
    const submitted = await fetch(`${base}/api/submit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url }),
    });
    id = ((await submitted.json()) as { job: Job }).job.id;
    // The link is requested (the lab never answers it): the trace is under way when the server dies.
    for (const end = Date.now() + 30_000; lab.hits(url) === hitsBefore;) {
      if (Date.now() > end) throw new Error('the link was never requested');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    first.child.kill('SIGKILL');
    await first.exited;
  }

  const second = new TraceService({ casesDir, concurrency: 1, trace, launch: () => Promise.resolve(fixture.browser) });
  try {
    await second.sweep;
    const [job] = await until(second, [id], (j) => j.state === 'failed');
    assert.match(job.error!, /stopped while this job ran; it is not run again/);
    assert.ok(job.caseId, 'the job names the case of its request');
    assert.equal(job.partial, true);
    for (const end = Date.now() + 30_000; !second.store.caseSummary(job.caseId)?.partial;) {
      if (Date.now() > end) throw new Error(`case ${job.caseId} not sealed as partial`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Sealed by the restarted server's sweep, not because the link came up again: its report says so.
    assert.match(
      second.store.caseSummary(job.caseId)!.error ?? '',
      /^partial: the process tracing it stopped .*; sealed from what it recorded by a later run/,
    );
    // The WARC as the killed server left it is evidence of the case (in its manifest): its page offers it, as a download.
    const web = await startWebServer({ service: second, port: 0 });
    try {
      const page = await (await fetch(`${web.url}/cases/${job.caseId}`)).text();
      const href = `/cases/${job.caseId}/files/${CUT_OFF_WARC}`;
      assert.ok(page.includes(`href="${href}"`), 'the case page links the cut-off WARC');
      const file = await fetch(web.url + href);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/gzip');
      assert.match(file.headers.get('content-disposition') ?? '', /^attachment; filename="[A-Za-z0-9._-]+"$/);
      assert.deepEqual(Buffer.from(await file.arrayBuffer()), readFileSync(join(casesDir, job.caseId, CUT_OFF_WARC)));
    } finally {
      await web.close();
    }
    const verdict = second.retryVerdict(job);
    assert.deepEqual([verdict.ok, !verdict.ok && verdict.caseId], [false, job.caseId], 'not retried: its link was requested');
    const again = await second.submitUrl({ url });
    const [answered] = await until(second, [again.id], (j) => j.state === 'done' || j.state === 'failed');
    assert.deepEqual([answered.caseId, answered.alreadyTraced, answered.partial], [job.caseId, true, true]);
    assert.equal(lab.hits(url) - hitsBefore, 1, 'requested once, by the killed server');
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

test(
  'cancel: a queued job is never traced, a running one stops as Ctrl-C stops it (its case sealed, verify-clean, requested once); ' +
    'a batch likewise; the POST needs the token and our origin',
  async () => {
    const { lab } = fixture;
    const casesDir = tempDir('serve-cancel-');
    // Links on the lab's server that never answers: a trace of one runs until it is stopped.
    const slow = (tag: string) => `${HANG_URL}/cancel-${tag}-${process.pid}`;
    const path = (url: string) => new URL(url).pathname;
    const { url: _url, outDir: _outDir, ...trace } = labOptions(lab, slow('x'));
    // Its own browser: the service closes the browsers it was given.
    const service = new TraceService({ casesDir, concurrency: 1, trace });
    const token = 'cancel-test-token-0123456789';
    const web = await startWebServer({ service, port: 0, token });
    const post = (to: string, headers: Record<string, string>) => fetch(`${web.url}${to}`, { method: 'POST', headers, redirect: 'manual' });
    const api = { 'X-Clicktrace-Token': token };
    // The form as our own page posts it: the login cookie, our origin.
    const form = { Cookie: `clicktrace_token=${token}`, Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' };
    try {
      const [runningUrl, queuedUrl] = [slow('running'), slow('queued')];
      const running = await service.submitUrl({ url: runningUrl });
      const queued = await service.submitUrl({ url: queuedUrl });
      await until(service, [running.id], (job) => job.state === 'running' && lab.hits(path(runningUrl)) === 1);
      assert.equal(service.job(queued.id)!.state, 'queued');

      // The job page offers the button: a plain form POST, no script needed.
      const page = await (await fetch(`${web.url}/jobs/${queued.id}`, { headers: api })).text();
      assert.ok(page.includes(`<form id="job-cancel" class="cancel" method="post" action="/jobs/${queued.id}/cancel">`), page);
      // Refused: without the token; with it (the cookie) from another site's page.
      assert.equal((await post(`/jobs/${queued.id}/cancel`, { Origin: web.url })).status, 401);
      assert.equal((await post(`/jobs/${queued.id}/cancel`, { ...form, Origin: 'http://evil.example' })).status, 403);
      assert.equal((await post(`/api/jobs/${queued.id}/cancel`, { Cookie: form.Cookie, 'Sec-Fetch-Site': 'cross-site' })).status, 403);
      assert.equal(service.job(queued.id)!.state, 'queued', 'a refused cancel changes nothing');

      const cancelled = await post(`/jobs/${queued.id}/cancel`, form);
      assert.equal(cancelled.status, 303);
      assert.equal(cancelled.headers.get('location'), `/jobs/${queued.id}`);
      const q = service.job(queued.id)!;
      assert.equal(q.state, 'cancelled', q.error ?? '');
      assert.match(q.error!, /^cancelled by the analyst at \S+: its link was not requested$/);
      assert.equal(q.caseId, null);

      const answer = await post(`/api/jobs/${running.id}/cancel`, api);
      assert.equal(answer.status, 200);
      const { job: stopping } = (await answer.json()) as { job: Job };
      assert.ok(stopping.cancelledAt, 'the cancel is recorded at once');
      const [r] = await until(service, [running.id], (job) => job.state !== 'running' && job.state !== 'queued');
      assert.equal(r.state, 'cancelled', r.error ?? '');
      assert.ok(r.caseId, 'the stopped trace keeps its case');
      assert.equal(r.partial, true);
      assert.match(r.error!, /^cancelled by the analyst at \S+: its trace was stopped; case \S+ holds what it recorded$/);
      const verified = await verifyCase(join(casesDir, r.caseId));
      assert.ok(verified.ok, verified.problems.join('; '));
      assert.equal(service.store.caseSummary(r.caseId)?.error, `interrupted: cancelled by the analyst at ${r.cancelledAt}`);
      const stillThere = (await (await fetch(`${web.url}/jobs/${running.id}`, { headers: api })).text()).includes('id="job-cancel"');
      assert.equal(stillThere, false, 'an ended job has no cancel button');

      // Cancelling again is harmless; a job that ended otherwise is refused in one line; an unknown one is 404.
      const twice = await post(`/api/jobs/${running.id}/cancel`, api);
      assert.equal(twice.status, 200);
      assert.equal(((await twice.json()) as { job: Job }).job.state, 'cancelled');
      const resubmitted = await service.submitUrl({ url: runningUrl });
      const [again] = await until(service, [resubmitted.id], (job) => job.state === 'done' || job.state === 'failed');
      assert.deepEqual([again.alreadyTraced, again.caseId], [true, r.caseId], 'the stopped link counts as requested');
      const ended = await post(`/api/jobs/${again.id}/cancel`, api);
      assert.equal(ended.status, 409);
      const refusal = (await ended.json()) as { error: { code: string; message: string } };
      assert.equal(refusal.error.code, 'not-cancelled');
      assert.match(refusal.error.message, /^job \S+ has ended \(done\): there is nothing to cancel$/);
      assert.equal((await post('/api/jobs/j000000000000/cancel', api)).status, 404);
      assert.equal(lab.hits(path(runningUrl)), 1, 'requested exactly once');
      assert.equal(lab.hits(path(queuedUrl)), 0, 'the cancelled queued job was never requested');
      assert.equal(service.store.ledger.lookup(queuedUrl), null, 'its link stays fresh: it may be submitted again without "again"');

      // A batch: its first line runs, the rest wait; cancelled, none of the rest is traced.
      const lines = ['b1', 'b2', 'b3'].map(slow);
      const submitted = await fetch(`${web.url}/api/submit`, {
        method: 'POST',
        headers: { ...api, 'Content-Type': 'application/json' },
        body: JSON.stringify({ urls: lines }),
      });
      const { batch } = (await submitted.json()) as { batch: BatchView };
      const firstJob = batch.items[0].jobId!;
      await until(service, [firstJob], (job) => job.state === 'running' && lab.hits(path(lines[0])) === 1);
      const batchPage = await (await fetch(`${web.url}/batches/${batch.id}`, { headers: api })).text();
      assert.ok(batchPage.includes(`action="/batches/${batch.id}/cancel"`), 'the batch page offers the button');
      assert.equal((await post(`/batches/${batch.id}/cancel`, { ...form, Origin: 'http://evil.example' })).status, 403);
      const batchCancel = await post(`/batches/${batch.id}/cancel`, form);
      assert.equal(batchCancel.status, 303);
      const ids = batch.items.map((i) => i.jobId!);
      const jobs = await until(service, ids, (job) => job.state === 'cancelled');
      assert.ok(jobs[0].caseId && jobs.slice(1).every((j) => j.caseId === null));
      const view = service.batchView(batch.id)!;
      assert.equal(view.state, 'done');
      assert.deepEqual([view.counts.cancelled, view.counts.finished], [3, 3]);
      assert.deepEqual(
        lines.map((l) => lab.hits(path(l))),
        [1, 0, 0],
        'the rest of the batch was never requested',
      );
      const batchAgain = await post(`/api/batches/${batch.id}/cancel`, api);
      assert.equal(batchAgain.status, 200, 'a cancelled batch cancelled again: harmless');
    } finally {
      await web.close();
      await service.close();
    }
  },
);

test(
  'cancel a mailbox sent with mail --trace --server: its messages are one batch; cancelled mid-way, the running trace is sealed ' +
    'and cancelled, the waiting message never traced, the messages not sent yet refused; the command says so',
  async () => {
    const { lab } = fixture;
    const casesDir = tempDir('serve-mailbox-cancel-');
    const links = ['m1', 'm2', 'm3', 'm4'].map((tag) => `${HANG_URL}/mailbox-${tag}-${process.pid}`);
    const path = (url: string) => new URL(url).pathname;
    const mbox = join(tempDir('serve-mailbox-'), 'inbox.mbox');
    writeFileSync(mbox, labMailbox(links));
    const { url: _url, outDir: _outDir, ...trace } = labOptions(lab, links[0]);
    const service = new TraceService({ casesDir, concurrency: 1, trace });
    const web = await startWebServer({ service, port: 0 });
    try {
      // Two messages wait on the server at once: the first traced (its link never answers), the second queued.
      const run = startCli(['mail', mbox, '--trace', 'main', '--no-explore', '--json', '--concurrency', '2', '--server', web.url]);
      const batchAt = () => service.listBatches().find((b) => b.mailbox);
      for (const end = Date.now() + 30_000; !(batchAt()?.counts.running === 1 && batchAt()?.counts.queued === 1);) {
        if (Date.now() > end) throw new Error(`the mailbox's batch: ${JSON.stringify(batchAt())}; ${run.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const id = batchAt()!.id;
      let view = service.batchView(id)!;
      assert.deepEqual(
        [view.filename, view.open, view.items.map((i) => [i.line, i.url, i.state])],
        [
          'inbox.mbox',
          true,
          [
            [1, links[0], 'running'],
            [2, links[1], 'queued'],
          ],
        ],
      );
      await until(service, [view.items[0].jobId!], (job) => job.state === 'running' && lab.hits(path(links[0])) === 1);
      assert.match(run.stderr(), new RegExp(`the mailbox is batch ${id} on the server: ${web.url}/batches/${id}`));
      const page = await (await fetch(`${web.url}/batches/${id}`)).text();
      assert.ok(page.includes(`action="/batches/${id}/cancel"`) && page.includes('<dt>Mailbox</dt>'), 'the batch page offers the button');

      // The batch page's button, as our page posts it.
      const cancelled = await fetch(`${web.url}/batches/${id}/cancel`, {
        method: 'POST',
        headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
      assert.equal(cancelled.status, 303);
      const ended = await run.exited;
      assert.equal(ended.code, 1, ended.stderr);
      const [first, second] = await until(service, [view.items[0].jobId!, view.items[1].jobId!], (job) => job.state === 'cancelled');
      assert.ok(first.caseId && first.partial, 'the running trace keeps its case, cut off');
      assert.match(first.error!, /^cancelled by the analyst at \S+: its trace was stopped; case \S+ holds what it recorded$/);
      const verified = await verifyCase(join(casesDir, first.caseId));
      assert.ok(verified.ok, verified.problems.join('; '));
      assert.equal(second.caseId, null);
      assert.deepEqual(
        links.map((l) => lab.hits(path(l))),
        [1, 0, 0, 0],
        'only the running message was requested',
      );
      for (const link of links.slice(1)) assert.equal(service.store.ledger.lookup(link), null, `${link} stays fresh`);
      view = service.batchView(id)!;
      assert.deepEqual([view.state, view.open, view.items.length, view.counts.cancelled], ['done', undefined, 2, 2]);
      assert.ok(view.cancelledAt);
      // Messages 3 and 4 were refused: no message case of theirs on the server.
      assert.equal(service.store.search({ kind: 'mail' }).total, 2);

      // The command: every message accounted for, the two never sent said so, the summary says why.
      const lines = jsonLines<{ kind?: string; source?: string; reason?: string; interrupted?: string | null }>(ended.stdout);
      const skipped = lines.filter((l) => l.kind === 'skipped');
      assert.equal(skipped.length, 2, ended.stdout);
      for (const s of skipped) assert.equal(s.reason, 'the mailbox was cancelled on the server');
      assert.equal(lines.find((l) => l.kind === 'summary')?.interrupted, 'the mailbox was cancelled on the server');

      // Refused from now on; cancelling again is harmless.
      const late = await fetch(`${web.url}/api/submit?batch=${id}&message=5`, {
        method: 'POST',
        headers: { 'Content-Type': 'message/rfc822' },
        body: readFileSync(mbox),
      });
      assert.equal(late.status, 409);
      assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'batch-cancelled');
      assert.equal((await fetch(`${web.url}/api/batches/${id}/cancel`, { method: 'POST' })).status, 200);
    } finally {
      await web.close();
      await service.close();
    }
  },
);
