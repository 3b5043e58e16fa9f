// A list of links submitted to the web UI as one batch, through the JSON API and through the
// form: read as `trace --input` reads a file (junk line reported with its number, a duplicate
// traced once, a defanged link refanged), each link requested exactly once across both, the
// second submission answered with the first one's cases, and the items' cases opening in the UI;
// and `trace --server URL --input FILE.csv` sending a CSV export (a description spanning lines) as one batch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { jsonLines, runCli, startCli } from './support/cli-process.js';
import { batchDone as doneOnServer } from './support/batches.js';
import { chromium, type Browser } from 'playwright-core';
import { tempDir, UI_CHROMIUM } from './helpers.js';
import { startLab, type Lab } from '../src/lab/index.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import type { BatchView } from '../src/service/trace-service.js';

let lab: Lab;
let serve: ServeHandle;
let browser: Browser;
let cases: string;

before(async () => {
  lab = await startLab();
  cases = tempDir('web-batch-cases-');
  [serve, browser] = await Promise.all([
    startServe(
      ['--port', '0', '--cases', cases, ...lab.traceArgs, '--settle', '500', '--timeout', '30', '--concurrency', '2'],
      () => undefined,
    ).then((h) => h!),
    chromium.launch({ executablePath: UI_CHROMIUM, args: ['--no-sandbox'] }),
  ]);
});

after(async () => {
  await browser?.close();
  await serve?.close();
  await lab?.close();
  rmSync(cases, { recursive: true, force: true });
});

const batchDone = (id: string) => doneOnServer(serve.server.url, id);

test('a 6-line list through the API and the form: junk reported by line, duplicate and defanged link traced once, cases open', async () => {
  const [a, b, c] = ['http-301', 'http-302', 'http-307'].map((name) => lab.scenarios[name].url);
  const defanged = b.replace('http://', 'hxxp://').replace('mailer-esp.test', 'mailer-esp[.]test');
  const list = [a, 'not a link', defanged, a, '# a comment', c].join('\n');
  const hitsBefore = [a, b, c].map((url) => lab.hits(url));

  const posted = await fetch(`${serve.server.url}/api/submit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ list, filename: 'desk.txt' }),
  });
  assert.equal(posted.status, 202);
  const { batch: submitted } = (await posted.json()) as { batch: BatchView };
  const first = await batchDone(submitted.id);
  assert.deepEqual(
    first.items.map((i) => [i.line, i.state]),
    [
      [1, 'done'],
      [2, 'invalid'],
      [3, 'done'],
      [4, 'duplicate'],
      [6, 'done'],
    ],
  );
  assert.match(first.items[1].error!, /not a URL/);
  assert.deepEqual(first.items[2], { ...first.items[2], url: b, given: defanged });
  assert.equal(first.items[3].of, 1);
  assert.equal(first.items[3].caseId, first.items[0].caseId);
  assert.deepEqual(
    { traced: first.counts.traced, duplicates: first.counts.duplicates, invalid: first.counts.invalid },
    { traced: 3, duplicates: 1, invalid: 1 },
  );
  assert.equal(first.aggregate?.traces, 3, 'who is responsible across the batch: its three cases');

  // The same list pasted into the form: nothing is requested again, each link answered with its case.
  const page = await browser.newPage();
  try {
    await page.goto(serve.server.url + '/');
    await page.fill('textarea[name=list]', list);
    await Promise.all([page.waitForURL(/\/batches\/b[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const second = await batchDone(id);
    assert.deepEqual(
      second.items.filter((i) => i.state === 'done').map((i) => [i.line, i.alreadyTraced, i.caseId]),
      first.items.filter((i) => i.state === 'done').map((i) => [i.line, true, i.caseId]),
    );
    assert.deepEqual(
      [a, b, c].map((url, i) => lab.hits(url) - hitsBefore[i]),
      [1, 1, 1],
      'each link requested exactly once across both submissions',
    );

    await page.reload();
    assert.equal(await page.textContent('#batch-state'), 'done');
    assert.match((await page.textContent('tr.batch-item[data-line="2"]'))!, /not a URL/);
    assert.match((await page.textContent('tr.batch-item[data-line="4"]'))!, /same link as line 1/);
    assert.ok(await page.isVisible('#batch-report'));
    // Each item's case opens from the batch page.
    const caseId = second.items[2].caseId!;
    await Promise.all([page.waitForURL(new RegExp(`/cases/${caseId}$`)), page.click(`tr.batch-item[data-line="3"] a.case-link`)]);
    assert.match(await page.title(), new RegExp(`Case ${caseId}`));
  } finally {
    await page.close();
  }
});

test('trace --server --input FILE.csv sends the export whole: one batch on the server, its lines read there, results and aggregate back', async () => {
  const url = lab.scenarios['meta-refresh'].url;
  const file = join(cases, '..', `web-batch-${process.pid}.csv`);
  // A quoted description spanning three lines, then a row whose URL field is junk: reported at its own line.
  writeFileSync(
    file,
    ['id,url,description', `1,${url},"a description`, 'on three lines,', 'with a comma"', '2,not a link,x', ''].join('\r\n'),
  );
  const before = lab.hits(url);
  try {
    const { code, stdout, stderr } = await runCli(['trace', '--input', file, '--json', '--server', serve.server.url]);
    const lines = jsonLines<{ kind: string; line?: number; error?: string; aggregate?: { traces: number } }>(stdout);
    const summary = lines.pop()!;
    assert.deepEqual(
      lines.map((l) => [l.kind, l.line]).sort(),
      [
        ['invalid', 5],
        ['trace', 2],
      ],
      stderr,
    );
    assert.equal(summary.kind, 'summary');
    assert.equal(summary.aggregate?.traces, 1, "the server's aggregate of the batch");
    assert.equal(code, 1, 'a junk line makes the exit status 1');
    assert.equal(lab.hits(url) - before, 1);
    const id = /batch (b[0-9a-f]+) on the server/.exec(stderr)?.[1];
    assert.ok(id, stderr);
    const batch = await batchDone(id);
    assert.equal(batch.filename, `web-batch-${process.pid}.csv`);
    assert.deepEqual(
      batch.items.map((i) => [i.line, i.state]),
      [
        [2, 'done'],
        [5, 'invalid'],
      ],
    );
  } finally {
    rmSync(file, { force: true });
  }
});

test('trace --server --input <(tail -f feed): Ctrl-C while the named pipe is still open stops reading it; nothing is sent', async (t) => {
  const fifo = join(cases, '..', `web-batch-${process.pid}.fifo`);
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('no mkfifo(1)');
  const url = `${lab.scenarios['http-302'].url}&fifo=1`;
  const run = startCli(['trace', '--input', fifo, '--json', '--server', serve.server.url]);
  // Its writer stays: the list never ends by itself (the process was blocked reading it, deaf to Ctrl-C).
  const writer = createWriteStream(fifo);
  try {
    await new Promise((resolve) => writer.once('open', resolve));
    await new Promise((resolve) => writer.write(`${url}\n`, resolve));
    await delay(500);
    run.child.kill('SIGINT');
    const ended = await Promise.race([run.exited, delay(10_000).then(() => null)]);
    assert.ok(ended, `the run ended while its list's writer was still there: ${run.stderr()}`);
    assert.equal(ended.code, 130, ended.stderr);
    assert.doesNotMatch(ended.stderr, /is batch b[0-9a-f]+ on the server/, 'a list cut short is not sent');
    assert.equal((jsonLines<{ kind: string }>(ended.stdout).pop() ?? { kind: null }).kind, 'summary');
    assert.equal(lab.hits(url), 0);
  } finally {
    writer.destroy();
    run.child.kill('SIGKILL');
    rmSync(fifo, { force: true });
  }
});

test('a list over the size limit or with no URL is refused in words, and nothing is queued', async () => {
  const submit = async (list: string) => {
    const res = await fetch(`${serve.server.url}/api/submit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ list }),
    });
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  };
  const jobsBefore = ((await (await fetch(`${serve.server.url}/api/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
  const tooMany = await submit(Array.from({ length: 1001 }, (_, i) => `http://a.test/${i}`).join('\n'));
  assert.equal(tooMany.status, 413);
  assert.equal(tooMany.body.error.code, 'list-too-large');
  assert.match(tooMany.body.error.message, /1001 URLs, more than the 1000 a batch may hold/);
  const empty = await submit('# nothing\n\n');
  assert.equal(empty.status, 400);
  assert.match(empty.body.error.message, /no URLs in it/);
  const jobsAfter = ((await (await fetch(`${serve.server.url}/api/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
  assert.equal(jobsAfter, jobsBefore);
});

test('trace --server: the summary names the server, not its submission window; a link traced before says what a local batch says of it', async () => {
  const gone = `${lab.scenarios['http-302'].url.split('?')[0]}?mid=server-missing`;
  const loop = lab.scenarios['loop-http'].url;
  const first = await runCli(['trace', gone, loop, '--server', serve.server.url]);
  assert.equal(first.code, 1, `the loop ends with an error: ${first.stderr}`);
  assert.match(first.stdout, new RegExp(`traces/s on ${serve.server.url.replace(/[.]/g, '\\.')}\\n`), first.stdout);
  assert.doesNotMatch(first.stdout, /at concurrency 200/);
  const caseOf = (url: string) => new RegExp(`${url.replace(/[.?]/g, '\\$&')}.*case (\\d{8}T\\d{6}Z-[0-9a-f]{6})`).exec(first.stdout)?.[1];
  const goneCase = caseOf(gone);
  assert.ok(goneCase && caseOf(loop), first.stdout);
  // The server's case of the first link is deleted (a folder lost, or a fleet case never delivered).
  rmSync(join(cases, goneCase), { recursive: true });
  const hits = [lab.hits(gone), lab.hits(loop)];

  const again = await runCli(['trace', gone, loop, '--json', '--server', serve.server.url]);
  const lines = jsonLines<{ kind: string; url?: string; caseMissing?: boolean; partial?: boolean; error?: string }>(again.stdout);
  const byUrl = new Map(lines.filter((l) => l.url).map((l) => [l.url, l]));
  assert.equal(byUrl.get(gone)?.kind, 'already-traced', again.stdout);
  assert.equal(byUrl.get(gone)?.caseMissing, true, 'its case is not on the server');
  assert.equal(byUrl.get(loop)?.kind, 'already-traced');
  assert.match(byUrl.get(loop)?.error ?? '', /redirect loop/, `how that trace ended: ${again.stdout}`);
  const text = await runCli(['trace', gone, loop, '--server', serve.server.url]);
  assert.match(text.stdout, /not in this cases folder: deleted, or never delivered/, text.stdout);
  assert.match(text.stdout, /\(it ended redirect loop/, text.stdout);
  assert.deepEqual([lab.hits(gone), lab.hits(loop)], hits, 'nothing requested again');
});

test('trace/mail --server with a wrong token: one line, exit status 2, nothing submitted', async () => {
  const guarded = tempDir('web-batch-token-');
  const withToken = (await startServe(['--port', '0', '--cases', guarded, '--token', 'right-token', ...lab.traceArgs], () => undefined))!;
  try {
    const url = `${lab.scenarios['http-302'].url.split('?')[0]}?mid=wrong-token`;
    for (const args of [
      ['trace', url, url.replace('wrong-token', 'wrong-token-2')],
      ['mail', '-', '--trace', 'main'],
    ]) {
      const run = await runCli([...args, '--server', withToken.server.url, '--token', 'wrong'], 'From: a@b.example\n\nhttp://x.example/\n');
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^clicktrace: --server http:\/\/127\.0\.0\.1:\d+: the server refused the token \(/);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
    assert.deepEqual(withToken.service.listJobs(), [], 'nothing submitted');
    assert.equal(lab.hits(url), 0);
  } finally {
    await withToken.close();
    rmSync(guarded, { recursive: true, force: true });
  }
});
