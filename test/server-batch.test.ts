// The server path as complete as the local one: a batch run with --server (`mail --trace`,
// `trace` with many URLs) ends with the same "who is responsible" aggregate as a local run and
// calls an in-batch repeat a duplicate, as a local run does; an unreachable server fails at once
// (a slow one is waited for); the Jobs page lists failed jobs and offers a retry only for one whose
// link was never requested; `clicktrace lab` writes a sample mailbox its printed command traces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli, startCli } from './support/cli-process.js';
import { tempDir } from './helpers.js';
import { SEED_URL, startLab, runLabCommand, type Lab } from '../src/lab/index.js';
import { labMailbox } from '../src/lab/mailbox.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import { TraceService, type Job } from '../src/service/trace-service.js';
import { startWebServer } from '../src/web/server.js';
import { launchBrowser } from '../src/capture/browser.js';
import { APP_CSP } from '../src/web/security.js';
import type { BatchSummary } from '../src/service/batch-summary.js';

let lab: Lab;
let serve: ServeHandle;
let root: string;

before(async () => {
  lab = await startLab();
  root = tempDir('server-batch-');
  serve = (await startServe(
    ['--port', '0', '--cases', join(root, 'cases'), ...lab.traceArgs, '--settle', '500', '--timeout', '30', '--concurrency', '2'],
    () => undefined,
  ))!;
});

after(async () => {
  await serve?.close();
  await lab?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A seed link of its own (the tracker serves its landing page for any query). */
const seed = (tag: string) => `${SEED_URL}&t=${tag}-${process.pid}`;

type Summary = BatchSummary & { kind: 'summary' };
const summaryOf = (stdout: string) => jsonLines<Summary>(stdout).find((l) => l.kind === 'summary')!;
/** What an aggregate says, without its times and case ids (those differ between two runs of the same links). */
const shape = (s: Summary) => ({
  cases: s.aggregate?.cases,
  messages: s.aggregate?.messages,
  traces: s.aggregate?.traces,
  rows: s.aggregate?.rows.map((r) => `${r.dimension} ${r.key} ${r.messages}/${r.traces}`).sort(),
});

test('mail --trace --server: the counts and aggregate of a local run; a repeat is a duplicate, a link of an earlier run already traced', async () => {
  const [a, b, c, d] = ['srv-a', 'srv-b', 'loc-a', 'loc-b'].map(seed);
  const onServer = join(root, 'server.mbox');
  const local = join(root, 'local.mbox');
  // And a message without a link (a reply-to scam through SendGrid): a message case on either side, its platform counted.
  const linkless = (id: string) =>
    `From scam@prize.example Mon Mar  4 11:00:00 2024\nFrom: Prize Desk <scam@prize.example>\nSubject: You won\n` +
    `Message-ID: <${id}@prize.example>\nX-SG-EID: 4bQ2xYzA\nContent-Type: text/plain\n\nReply with your bank details.\n`;
  writeFileSync(onServer, [labMailbox([a, b, a]), linkless('srv')].join('\n'));
  writeFileSync(local, [labMailbox([c, d, c]), linkless('loc')].join('\n'));
  const [served, here] = await Promise.all([
    runCli(['mail', onServer, '--trace', 'main', '--no-explore', '--json', '--server', serve.server.url]),
    runCli(['mail', local, '--trace', 'main', '--no-explore', '--json', '--out', join(root, 'local-cases'), ...lab.traceArgs]),
  ]);
  assert.equal(served.code, 0, served.stderr);
  assert.equal(here.code, 0, here.stderr);
  const [s, l] = [summaryOf(served.stdout), summaryOf(here.stdout)];
  const counts = (x: Summary) => ({ ...x.counts });
  assert.deepEqual(counts(s), counts(l), 'the same counts: 2 traced, 1 duplicate');
  assert.deepEqual([s.counts.traced, s.counts.duplicates, s.counts.alreadyTraced], [2, 1, 0]);
  assert.ok(s.aggregate, 'the summary line has the aggregate');
  assert.deepEqual(shape(s), shape(l), 'who is responsible, as a local run sums it up');
  assert.deepEqual([s.aggregate.messages, s.aggregate.traces], [4, 2]);
  assert.deepEqual(
    s.aggregate.rows.filter((r) => r.dimension === 'platform').map((r) => [r.label, r.messages]),
    [['Twilio SendGrid', 1]],
    'the message without a link counts for its sending platform',
  );
  assert.deepEqual(
    [a, b].map((u) => lab.hits(u)),
    [1, 1],
    'each link requested once',
  );

  // Again, on a terminal's text: the links the first run requested are already traced; the repeat is still a duplicate.
  const again = await runCli(['mail', onServer, '--trace', 'main', '--no-explore', '--server', serve.server.url]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/: already traced {2}/g)?.length, 2, again.stdout);
  const duplicate = /duplicate {2}(\S+): same URL as an earlier one, case (\S+)/.exec(again.stdout);
  assert.ok(duplicate, again.stdout);
  assert.match(again.stdout, /Summary: 0 traced, 1 duplicate\(s\), 2 already traced \(not requested again\), 4 message\(s\)/);
  assert.match(
    again.stdout,
    /Who is responsible \(the cases of this batch, as clicktrace report sums them up\):\n6 case\(s\): 4 message\(s\), 2 trace\(s\)/,
  );
  assert.deepEqual(
    [a, b].map((u) => lab.hits(u)),
    [1, 1],
    'nothing requested again',
  );
});

test('trace URL... --server, link by link and as a list: the summary ends with the aggregate, in text and JSON', async () => {
  const [a, b] = ['links-a', 'links-b'].map(seed);
  const linkByLink = await runCli(['trace', a, b, a, '--json', '--server', serve.server.url]);
  assert.equal(linkByLink.code, 0, linkByLink.stderr);
  const s = summaryOf(linkByLink.stdout);
  assert.deepEqual([s.counts.traced, s.counts.duplicates], [2, 1]);
  assert.equal(s.aggregate?.traces, 2, JSON.stringify(s));
  const list = join(root, 'links.txt');
  writeFileSync(list, [a, seed('links-c')].join('\n'));
  const listed = await runCli(['trace', '--input', list, '--server', serve.server.url]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /1 already traced/);
  assert.match(
    listed.stdout,
    /Who is responsible \(the cases of this batch, as clicktrace report sums them up\):\n2 case\(s\): 0 message\(s\), 2 trace\(s\)/,
  );
});

test('an unreachable --server fails at once with one line (exit status 2); a slow one is waited for', async () => {
  const closed = await freePort();
  for (const args of [
    ['trace', seed('nowhere'), '--server', `http://127.0.0.1:${closed}`],
    ['mail', join(root, 'server.mbox'), '--trace', 'main', '--server', `http://127.0.0.1:${closed}`],
  ]) {
    // At once, not after retries: the one line of the set-up check says so ("nothing was sent");
    // retries would go on for minutes (SERVER_PATIENCE_MS), the kill is only a guard against that.
    const run = startCli(args);
    const killer = setTimeout(() => run.child.kill('SIGKILL'), 120_000);
    const ended = await run.exited;
    clearTimeout(killer);
    assert.equal(ended.code, 2, `${args[0]}: ${ended.signal ? 'still retrying after 120 s' : ended.stderr}`);
    assert.match(ended.stderr, new RegExp(`^clicktrace: cannot reach http://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED.*nothing was sent`));
    assert.equal(ended.stderr.trim().split('\n').length, 1, ended.stderr);
    assert.equal(ended.stdout, '');
  }
  // A server that takes the connection and answers after 3 s is waited on (here: it refuses the token).
  const slow = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'wrong token' } }));
    }, 3000);
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  try {
    const started = Date.now();
    const ended = await runCli(['trace', seed('slow'), '--server', `http://127.0.0.1:${portOf(slow)}`, '--token', 'x']);
    assert.equal(ended.code, 2, ended.stderr);
    assert.match(ended.stderr, /the server refused the token/);
    assert.ok(Date.now() - started >= 3000, 'its answer was waited for');
  } finally {
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  }
  assert.equal(lab.hits(seed('nowhere')) + lab.hits(seed('slow')), 0);
});

test('Jobs page: failed jobs filtered; retry only for a job whose link was never requested, never for one whose link was', async () => {
  const casesDir = join(root, 'retry-cases');
  const hang = lab.scenarios.hang.url;
  const fresh = seed('retry');
  // A server killed (kill -9) while its job's request hangs: the link was requested.
  const first = startCli(['serve', '--port', '0', '--cases', casesDir, ...lab.traceArgs, '--timeout', '60']);
  const url = await waitFor(() => /clicktrace serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(first.stderr())?.[1], 60_000);
  const submitted = await fetch(`${url}/api/submit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: hang }),
  });
  const requestedJob = ((await submitted.json()) as { job: Job }).job;
  await waitFor(() => lab.hits(hang) >= 1, 60_000);
  first.child.kill('SIGKILL');
  await first.exited;

  // The next server: its browser cannot start at first, so a new job fails before its request.
  let browserUp = false;
  const service = new TraceService({
    casesDir,
    concurrency: 1,
    trace: { connectTo: connectTo(lab), cacert: cacert(lab) },
    launch: () => (browserUp ? launchBrowser() : Promise.reject(new Error('the browser could not start (test)'))),
  });
  const web = await startWebServer({ service, port: 0 });
  try {
    const api = async <T>(path: string, init?: RequestInit) => {
      const res = await fetch(`${web.url}${path}`, init);
      return { status: res.status, body: (await res.json()) as T };
    };
    const jobDone = (id: string) =>
      waitFor(async () => {
        const { job } = (await api<{ job: Job }>(`/api/jobs/${id}`)).body;
        return (job.state === 'done' || job.state === 'failed') && job;
      }, 60_000);
    const stopped = await jobDone(requestedJob.id);
    assert.equal(stopped.state, 'failed');
    const neverRequested = (await api<{ job: Job }>('/api/submit', post({ url: fresh }))).body.job;
    const failed = await jobDone(neverRequested.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /the browser could not start/);
    // An uploaded e-mail whose trace failed the same way: its message case is kept for the retry.
    const mailed = seed('retry-mail');
    const mail = labMailbox([mailed]).replace(/^From .*\n/, '');
    const upload = await api<{ job: Job }>('/api/submit', { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: mail });
    assert.equal(upload.status, 202);
    const failedMessage = await jobDone(upload.body.job.id);
    assert.equal(failedMessage.state, 'failed');
    assert.equal(failedMessage.kind, 'message');
    assert.ok(failedMessage.messageCaseId, 'the message case was written before the trace failed');

    // The verdicts, as the API says them.
    type Verdict = { ok: boolean; reason?: string; caseId?: string | null };
    const verdict = async (id: string) => (await api<{ retry: Verdict }>(`/api/jobs/${id}`)).body.retry;
    const refused = await verdict(stopped.id);
    assert.equal(refused.ok, false);
    assert.ok(refused.caseId, 'the case that holds the request');
    assert.match(refused.reason!, /its link was requested \(case \S+\)/);
    assert.deepEqual(await verdict(failed.id), { ok: true });
    assert.deepEqual(await verdict(failedMessage.id), { ok: true });
    assert.deepEqual(
      (await api<{ jobs: Job[] }>('/api/jobs?state=failed')).body.jobs.map((j) => j.id).sort(),
      [stopped.id, failed.id, failedMessage.id].sort(),
    );

    // The page: only failed jobs, a Retry form for one, the reason and its case for the other.
    const page = await fetch(`${web.url}/jobs?state=failed`);
    assert.equal(page.headers.get('content-security-policy'), APP_CSP);
    const text = await page.text();
    assert.match(text, /<h1>Failed jobs<\/h1>/);
    assert.ok(!/<script>|\son\w+=/i.test(text), 'no inline script, no handler');
    assert.ok(text.includes(`action="/jobs/${failed.id}/retry"`), 'a retry form for the job that never requested its link');
    assert.ok(!text.includes(`action="/jobs/${stopped.id}/retry"`), 'none for the job whose link was requested');
    assert.ok(text.includes(`href="/cases/${refused.caseId}"`), 'the page points at the case of the request');
    assert.match(text, /no retry: its link was requested/);
    const jobPage = await (await fetch(`${web.url}/jobs/${stopped.id}`)).text();
    assert.match(jobPage, /id="job-retry"[^]*no retry: its link was requested/);

    // Refused through the API and the form alike: the link is never requested twice.
    const apiRefusal = await api<{ error: { code: string; message: string } }>(`/api/jobs/${stopped.id}/retry`, post({}));
    assert.equal(apiRefusal.status, 409);
    assert.equal(apiRefusal.body.error.code, 'not-retried');
    const formRefusal = await fetch(`${web.url}/jobs/${stopped.id}/retry`, {
      method: 'POST',
      redirect: 'manual',
      headers: sameOrigin(web.url),
    });
    assert.equal(formRefusal.status, 409);
    assert.equal(lab.hits(hang), 1, 'the hanging link was requested once');

    // The Retry button (a form post from the page): a new job that traces the link once.
    browserUp = true;
    const retried = await fetch(`${web.url}/jobs/${failed.id}/retry`, { method: 'POST', redirect: 'manual', headers: sameOrigin(web.url) });
    assert.equal(retried.status, 303);
    const newId = /\/jobs\/([^/]+)$/.exec(retried.headers.get('location') ?? '')?.[1];
    assert.ok(newId && newId !== failed.id);
    const done = await jobDone(newId);
    assert.equal(done.state, 'done', done.error ?? '');
    assert.equal(done.retryOf, failed.id);
    assert.equal(lab.hits(fresh), 1);
    const again = await api<{ error: { message: string } }>(`/api/jobs/${failed.id}/retry`, post({}));
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, new RegExp(`retried already, as job ${newId}`));
    assert.equal(lab.hits(fresh), 1, 'a second retry requests nothing');

    // The e-mail's job retried through the API: its message, its link, and the same message case,
    // which now lists the trace.
    const mailRetry = await api<{ job: Job }>(`/api/jobs/${failedMessage.id}/retry`, post({}));
    assert.equal(mailRetry.status, 202);
    const mailDone = await jobDone(mailRetry.body.job.id);
    assert.equal(mailDone.state, 'done', mailDone.error ?? '');
    assert.equal(mailDone.kind, 'message');
    assert.equal(mailDone.retryOf, failedMessage.id);
    assert.equal(mailDone.messageCaseId, failedMessage.messageCaseId);
    assert.equal(mailDone.url, mailed);
    assert.equal(lab.hits(mailed), 1);
    const messageCase = await api<{ relations: { traced: { case: string }[] } }>(`/api/cases/${failedMessage.messageCaseId}`);
    assert.deepEqual(
      messageCase.body.relations.traced.map((t) => t.case),
      [mailDone.caseId],
    );
    const traceCase = await api<{ relations: { message: { case: string } | null } }>(`/api/cases/${mailDone.caseId}`);
    assert.equal(traceCase.body.relations.message?.case, failedMessage.messageCaseId);
  } finally {
    await web.close();
    await service.close();
  }
});

test('clicktrace lab writes a sample mailbox into --dir and prints the command that traces it', async () => {
  const dir = join(root, 'lab-dir');
  const abort = new AbortController();
  let out = '';
  const stdout = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream;
  let ready: (value: Lab) => void = () => undefined;
  const up = new Promise<Lab>((resolve) => (ready = resolve));
  const running = runLabCommand(['--dir', dir], { stdout, signal: abort.signal, onReady: ready });
  try {
    const ownLab = await up;
    const mailbox = join(dir, 'lab-sample.mbox');
    assert.ok(existsSync(mailbox));
    assert.equal(readFileSync(mailbox, 'utf8').match(/^From /gm)?.length, 6);
    const line = out.split('\n').find((l) => l.trim().startsWith('clicktrace mail --trace main'));
    assert.ok(line, out);
    const args = line.trim().split(/\s+/).slice(1);
    assert.ok(args.includes(mailbox) && args.includes(ownLab.caCertPath), line);
    const traced = await runCli([...args, '--json', '--out', join(root, 'lab-sample-cases')]);
    assert.equal(traced.code, 0, traced.stderr);
    const summary = summaryOf(traced.stdout);
    assert.deepEqual([summary.counts.messages, summary.counts.traced, summary.counts.duplicates, summary.counts.failed], [6, 5, 1, 0]);
    assert.ok((summary.aggregate?.traces ?? 0) >= 5);
  } finally {
    abort.abort();
    await running;
  }
});

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** The headers a browser sends with a form posted from one of the server's own pages. */
function sameOrigin(base: string): Record<string, string> {
  return { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' };
}

function connectTo(l: Lab): string[] {
  return l.traceArgs.filter((_, i) => l.traceArgs[i - 1] === '--connect-to');
}

function cacert(l: Lab): string[] {
  return l.traceArgs.filter((_, i) => l.traceArgs[i - 1] === '--cacert');
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = portOf(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
