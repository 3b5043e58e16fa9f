// The analyst's side of a batch on the server: a refused form comes back with what was pasted
// (escaped: a hostile line neither runs nor breaks the page), a running batch page refreshes
// itself and stops once done, a long batch is listed a page at a time with its problems one
// click away, and `trace --server` / `mail --server --trace` send their per-trace options
// (--click, --device, --explore, --no-explore, --no-nudge...) with the list, which the server
// applies to every item; what a server cannot take per submission is refused in one line. A
// submission's nudge off (API, form, --no-nudge) leaves a human check at its decoy. A single job's
// page reloads itself too where script does not run, until the job ends; a case page shows what
// explore did about a cookie notice (closed it without consenting, or stopped under one that
// offers only accept).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli } from './support/cli-process.js';
import { batchDone as doneOnServer } from './support/batches.js';
import { chromium, type Browser } from 'playwright-core';
import { tempDir, UI_CHROMIUM } from './helpers.js';
import { HUMAN_DECOY_TITLE, humanGateUrl, landingUrl, SEED_CONTACT_URL, SEED_URL, startLab, type Lab } from '../src/lab/index.js';
import { labMailbox } from '../src/lab/mailbox.js';
import { EXPLORE_PAGES } from '../src/lab/scenarios/explore-pages.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import type { BatchView, Job } from '../src/service/trace-service.js';
import type { Report } from '../src/report.js';

let lab: Lab;
let serve: ServeHandle;
let browser: Browser;
let root: string;

before(async () => {
  lab = await startLab();
  root = tempDir('web-batch-ux-');
  [serve, browser] = await Promise.all([
    startServe(
      ['--port', '0', '--cases', join(root, 'cases'), ...lab.traceArgs, '--settle', '500', '--timeout', '30', '--concurrency', '2'],
      () => undefined,
    ).then((h) => h!),
    chromium.launch({ executablePath: UI_CHROMIUM, args: ['--no-sandbox'] }),
  ]);
});

after(async () => {
  await browser?.close();
  await serve?.close();
  await lab?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A seed link of its own (the tracker serves its landing page for any other query): traced once per test. */
const seed = (tag: string) => `${SEED_URL}&t=${tag}-${process.pid}`;

const batchDone = (id: string) => doneOnServer(serve.server.url, id);

async function caseReport(caseId: string): Promise<Report> {
  return (await (await fetch(`${serve.server.url}/cases/${caseId}/files/report.json`)).json()) as Report;
}

const HOSTILE = `</textarea><script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'"\``;

test('a refused form comes back filled with what was sent, escaped: nothing runs, nothing is queued', async () => {
  const jobsBefore = ((await (await fetch(`${serve.server.url}/api/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  try {
    // Too many URLs (413), with a hostile junk line, a first blank line, a click text and options.
    const list = ['', HOSTILE, ...Array.from({ length: 1001 }, (_, i) => `http://a.test/${i}`)].join('\n');
    await page.goto(serve.server.url + '/');
    // Set, not typed: page.fill types a thousand lines slowly; the form sends the value either way.
    await page.$eval('textarea[name=list]', (area, value) => ((area as HTMLTextAreaElement).value = value), list);
    await page.fill('textarea[name=click]', `Find out more\n${HOSTILE}`);
    await page.click('#trace-options-form summary');
    await page.selectOption('select[name=device]', 'mobile');
    await page.fill('input[name=user_agent]', 'Hostile "UA" <b>');
    await page.fill('input[name=explore_depth]', '2');
    await page.check('input[name=again]');
    await page.uncheck('input[type=checkbox][name=nudge]');
    const [response] = await Promise.all([page.waitForNavigation(), page.click('form.submit button[type=submit]')]);
    assert.equal(response?.status(), 413);
    assert.match((await page.textContent('#submit-error'))!, /1001 URLs, more than the 1000 a batch may hold/);
    assert.equal(await page.inputValue('textarea[name=list]'), list, 'the pasted list, to the character');
    assert.equal(await page.inputValue('textarea[name=click]'), `Find out more\n${HOSTILE}`);
    assert.equal(await page.inputValue('select[name=device]'), 'mobile');
    assert.equal(await page.inputValue('input[name=user_agent]'), 'Hostile "UA" <b>');
    assert.equal(await page.inputValue('input[name=explore_depth]'), '2');
    assert.equal(await page.isChecked('input[name=again]'), true);
    assert.equal(await page.isChecked('input[type=checkbox][name=nudge]'), false, 'the nudge box as it was sent');
    assert.equal(await page.isVisible('input[name=explore_depth]'), true, 'the options given are shown open');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('script').count(), 1, 'only the app script');
    assert.equal(await page.locator('main img').count(), 0);

    // A link that is not one (400): the field keeps it as typed; an uploaded file is named, to be chosen again.
    const bad = `javascript:"><svg onload=alert(1)>`;
    await page.fill('textarea[name=list]', '');
    await page.fill('input[name=url]', bad);
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('form.submit button[type=submit]')]);
    assert.equal(refused?.status(), 400);
    assert.equal(await page.inputValue('input[name=url]'), bad);
    assert.equal(await page.inputValue('textarea[name=list]'), '');

    await page.fill('input[name=url]', '');
    await page.setInputFiles('input[type=file][name=list]', {
      name: 'empty.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('# nothing\n'),
    });
    const [empty] = await Promise.all([page.waitForNavigation(), page.click('form.submit button[type=submit]')]);
    assert.equal(empty?.status(), 400);
    assert.match((await page.textContent('#submit-error'))!, /no URLs in it/);
    assert.match((await page.textContent('#submit-files'))!, /Choose the file again: empty\.txt/);
    assert.deepEqual(dialogs, []);
  } finally {
    await page.close();
  }
  const jobsAfter = ((await (await fetch(`${serve.server.url}/api/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
  assert.equal(jobsAfter, jobsBefore);
});

test('trace --server --input FILE sends --click and --user-agent with the list: every item clicks, the batch page says so', async () => {
  const links = [seed('click-a'), seed('click-b')];
  const file = join(root, 'clicks.txt');
  writeFileSync(file, links.join('\n') + '\n');
  const { code, stdout, stderr } = await runCli([
    'trace',
    '--input',
    file,
    '--json',
    '--server',
    serve.server.url,
    '--click',
    'Find out more',
    '--user-agent',
    'Analyst/1.0 (batch)',
  ]);
  type Line = { kind: string; line: number; identity?: { userAgent: string }; events?: { kind: string; detail: string }[] };
  const traces = jsonLines<Line>(stdout).filter((l) => l.kind === 'trace');
  // Each item clicked (the click event of its report) with the user agent given. Where the click
  // then lands is the capture's business (two clicks at once can end a chain early under load,
  // see the branch report), so it is not asserted here: a lone click is followed in web.test.
  assert.deepEqual(
    traces
      .map((t) => [t.line, t.identity?.userAgent, t.events?.some((e) => e.kind === 'click' && /^clicked "Find out more"/.test(e.detail))])
      .sort(),
    [
      [1, 'Analyst/1.0 (batch)', true],
      [2, 'Analyst/1.0 (batch)', true],
    ],
    stderr + stdout,
  );
  assert.ok(code === 0 || code === 1, stderr);
  const id = /batch (b[0-9a-f]+) on the server/.exec(stderr)![1];
  const batch = await batchDone(id);
  assert.deepEqual(batch.clicks, ['Find out more']);
  assert.deepEqual(batch.options, { userAgent: 'Analyst/1.0 (batch)' });
  const html = await (await fetch(`${serve.server.url}/batches/${id}`)).text();
  assert.match(html, /id="batch-clicks"><q>Find out more<\/q>/);
  assert.match(html, /id="batch-options"><code>--user-agent Analyst\/1.0 \(batch\)<\/code>/);
  assert.match(html, /id="batch-nudge">on \(the server&#39;s setting\)</, 'the command said nothing of the nudge');
  assert.doesNotMatch(html, /http-equiv="refresh"/, 'a batch that ended does not reload');
});

test('a running batch page reloads itself, lists a page of lines at a time with counts by kind, and stops reloading when done', async () => {
  // Junk lines and repeats around three links: the page's kinds have something each.
  const links = [seed('page-a'), seed('page-b'), seed('page-c')];
  const list = [...links, ...Array.from({ length: 150 }, (_, i) => `junk line ${i}`), ...Array.from({ length: 60 }, () => links[0])];
  const posted = await fetch(`${serve.server.url}/api/submit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ list: list.join('\n'), explore: 'off' }),
  });
  assert.equal(posted.status, 202);
  const { batch: submitted } = (await posted.json()) as { batch: BatchView };
  assert.equal(submitted.state, 'running');
  // Three traces of at least the 500 ms settle each, two at a time: the page is read while they run.
  const running = await (await fetch(`${serve.server.url}/batches/${submitted.id}`)).text();
  assert.match(running, /<meta http-equiv="refresh" content="3" \/>/);
  assert.match(running, /data-state="running"/);
  await batchDone(submitted.id);

  const page = await browser.newPage();
  try {
    await page.goto(`${serve.server.url}/batches/${submitted.id}`);
    assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 0);
    const counts = Object.fromEntries(
      await page.$$eval('.batch-show', (els) => els.map((e) => [e.getAttribute('data-show'), Number(e.getAttribute('data-count'))])),
    );
    assert.deepEqual(counts, { all: 213, problems: 150, waiting: 0, traced: 3, duplicates: 60 });
    assert.equal(await page.locator('tr.batch-item').count(), 100, 'a page of 100 lines');
    assert.match((await page.textContent('.batch-pager'))!, /lines 1–100 of 213 \(page 1 of 3\)/);
    await Promise.all([page.waitForURL(/page=2$/), page.click('.batch-pager a[rel=next] >> nth=0')]);
    assert.equal(await page.locator('tr.batch-item').first().getAttribute('data-line'), '101');
    // The problems, one click away: only the lines that were not traced.
    await Promise.all([page.waitForURL(/show=problems$/), page.click('a.batch-show[data-show=problems]')]);
    const states = await page.$$eval('tr.batch-item', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-state')))]);
    assert.deepEqual(states, ['invalid']);
    await page.goto(`${serve.server.url}/batches/${submitted.id}?show=traced`);
    assert.equal(await page.locator('tr.batch-item a.case-link').count(), 3, 'each traced line links its case');
    assert.ok(await page.isVisible('#batch-report'));
    assert.equal((await page.locator('#feed-contents a').count()) > 0, true, 'who is responsible: links to each table');
  } finally {
    await page.close();
  }
  // explore: 'off' reached every item: none explored.
  const batch = await batchDone(submitted.id);
  for (const item of batch.items.filter((i) => i.state === 'done'))
    assert.equal((await caseReport(item.caseId!)).explore?.length ?? 0, 0, `line ${item.line} was not explored`);
});

test('trace --server URL --explore and mail --server --trace --no-explore --no-nudge: the options reach the server and each trace', async () => {
  const explored = await runCli(['trace', seed('explore'), '--explore', '--json', '--server', serve.server.url]);
  assert.equal(explored.code, 0, explored.stderr);
  const [trace] = jsonLines<{ kind: string; final?: { url: string }; explore?: unknown[] }>(explored.stdout).filter(
    (l) => l.kind === 'trace',
  );
  assert.equal(trace.final?.url, SEED_CONTACT_URL, 'explored from the landing page to the advertiser');
  assert.ok(trace.explore?.length);

  // The server explores an e-mail's main link by default: --no-explore is sent and kept.
  const mailbox = join(root, 'one.mbox');
  writeFileSync(mailbox, labMailbox([seed('mail')]));
  const mailed = await runCli([
    'mail',
    mailbox,
    '--trace',
    'main',
    '--no-explore',
    '--device',
    'mobile',
    '--no-nudge',
    '--json',
    '--server',
    serve.server.url,
  ]);
  assert.equal(mailed.code, 0, mailed.stderr);
  const [message] = jsonLines<{ kind: string; traces?: { case: string; final: string | null }[] }>(mailed.stdout).filter(
    (l) => l.kind === 'message',
  );
  assert.equal(message.traces?.length, 1, mailed.stdout);
  const report = await caseReport((message.traces ?? [])[0].case);
  assert.equal(report.explore?.length ?? 0, 0, 'not explored');
  assert.equal(report.final?.url, seed('mail'), 'it stayed on the landing page');
  assert.equal(report.identity?.device, 'mobile');
  const { jobs } = (await (await fetch(`${serve.server.url}/api/jobs`)).json()) as { jobs: Job[] };
  assert.deepEqual(jobs.find((j) => j.caseId === (message.traces ?? [])[0].case)?.options, {
    device: 'mobile',
    exploreDepth: 0,
    nudge: false,
  });
});

async function submitOne(url: string, explore: 'on' | 'off'): Promise<Job> {
  const res = await fetch(`${serve.server.url}/api/submit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, explore }),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { job: Job }).job;
}

async function jobDone(id: string, timeoutMs = 90_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { job } = (await (await fetch(`${serve.server.url}/api/jobs/${id}`)).json()) as { job: Job };
    if (job.state === 'done' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test(
  "a submission's nudge: off (the API's false, the form's unticked box, trace --server --no-nudge) leaves a human check at its " +
    'decoy, on passes it; the job and case pages say which; a link traced before stays traced before whatever its nudge',
  async () => {
    const base = serve.server.url;
    const gate = (tag: string) => humanGateUrl('pointer', `${tag}-${process.pid}`);
    const submit = async (body: object): Promise<Job> => {
      const res = await fetch(`${base}/api/submit`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 202);
      return ((await res.json()) as { job: Job }).job;
    };
    const nudged = (report: Report) => report.events.some((e) => e.kind === 'nudge');
    const page = await browser.newPage();
    try {
      // The API, nudge false: the gate's decoy is the final page, and nothing was nudged.
      const apiOff = await jobDone((await submit({ url: gate('api'), nudge: false })).id);
      assert.equal(apiOff.state, 'done', apiOff.error ?? '');
      assert.deepEqual(apiOff.options, { nudge: false });
      const offReport = await caseReport(apiOff.caseId!);
      assert.deepEqual([offReport.final?.url, offReport.final?.title, nudged(offReport)], [gate('api'), HUMAN_DECOY_TITLE, false]);
      await page.goto(`${base}/jobs/${apiOff.id}`);
      assert.match((await page.textContent('#job-nudge'))!, /^\s*off \(this submission\)/);
      await page.goto(`${base}/cases/${apiOff.caseId}`);
      assert.match(await page.locator('#trace-options').innerText(), /, no nudge/);

      // The same link with the nudge on (the server's default) is the link traced before: not requested again.
      const again = await jobDone((await submit({ url: gate('api'), nudge: true })).id);
      assert.deepEqual([again.state, again.alreadyTraced, again.caseId], ['done', true, apiOff.caseId]);
      assert.equal(lab.hits(gate('api')), 1);
      await page.goto(`${base}/jobs/${again.id}`);
      assert.match(
        (await page.textContent('#job-nudge'))!,
        /^\s*on \(this submission\) \(this job traced nothing: its case is the earlier trace/,
      );

      // The form: its box is ticked as this server nudges; unticked, it sends off.
      await page.goto(`${base}/`);
      await page.fill('input[name=url]', gate('form-off'));
      await page.click('#trace-options-form summary');
      assert.equal(await page.isChecked('input[type=checkbox][name=nudge]'), true, "this server's default");
      await page.uncheck('input[type=checkbox][name=nudge]');
      await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
      const formOff = await jobDone(page.url().split('/').pop()!);
      assert.deepEqual(formOff.options, { nudge: false });
      assert.equal((await caseReport(formOff.caseId!)).final?.url, gate('form-off'));
      // Ticked (as it comes), it sends on: the gate is passed.
      await page.goto(`${base}/`);
      await page.fill('input[name=url]', gate('form-on'));
      await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
      const formOn = await jobDone(page.url().split('/').pop()!);
      assert.deepEqual(formOn.options, { nudge: true });
      const onReport = await caseReport(formOn.caseId!);
      assert.deepEqual([onReport.final?.url, nudged(onReport)], [landingUrl('human-pointer'), true]);
      await page.goto(`${base}/cases/${formOn.caseId}`);
      assert.match(await page.locator('#trace-options').innerText(), /, nudge on/);
    } finally {
      await page.close();
    }

    // trace --server --no-nudge: sent with the link (no longer refused), the server's job records it.
    const cli = await runCli(['trace', gate('cli'), '--no-nudge', '--json', '--server', base]);
    assert.equal(cli.code, 0, cli.stderr);
    const [line] = jsonLines<{ kind: string; case?: string; final?: { url: string } }>(cli.stdout).filter((l) => l.kind === 'trace');
    assert.equal(line.final?.url, gate('cli'), cli.stdout);
    const { jobs } = (await (await fetch(`${base}/api/jobs`)).json()) as { jobs: Job[] };
    assert.deepEqual(jobs.find((j) => j.url === gate('cli'))?.options, { nudge: false });
  },
);

test('a running job page reloads itself where script does not run, and stops reloading when done', async () => {
  // A "please wait 8 seconds" page explored: the job runs long enough to be seen running.
  const job = await submitOne(EXPLORE_PAGES.countdown.url, 'on');
  const running = await (await fetch(`${serve.server.url}/jobs/${job.id}`)).text();
  assert.match(running, /<noscript><meta http-equiv="refresh" content="3" \/><\/noscript>/);
  assert.match(running, /data-state="(queued|running)"/);
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${serve.server.url}/jobs/${job.id}`);
    assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 1, 'reloads while the job runs');
    assert.match((await page.getAttribute('#job-state', 'data-state'))!, /^(queued|running)$/);
    // Without script nothing but the reload can show the job done.
    await page.waitForSelector('#job-state[data-state=done]', { timeout: 60_000 });
    assert.ok(loads >= 2, `the page reloaded itself (${loads} loads)`);
    assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 0, 'a job that ended does not reload');
    assert.equal(await page.locator('#job-case-link').count(), 1);
  } finally {
    await context.close();
  }
  const done = await (await fetch(`${serve.server.url}/jobs/${job.id}`)).text();
  assert.doesNotMatch(done, /http-equiv="refresh"/);
});

test('the case page shows the cookie notice explore closed first, and a call-to-action left under an accept-only notice', async () => {
  const [closed, blocked] = await Promise.all(
    [EXPLORE_PAGES['cookie-modal'].url, EXPLORE_PAGES['consent-agree-modal'].url].map(async (url) =>
      jobDone((await submitOne(url, 'on')).id),
    ),
  );
  for (const job of [closed, blocked]) assert.ok(job.state === 'done' && job.caseId, JSON.stringify(job));
  const page = await browser.newPage();
  try {
    await page.goto(`${serve.server.url}/cases/${closed.caseId}`);
    const closedLine = (await page.textContent('#events li:has(.event-kind:text-is("explore"))'))!;
    assert.match(
      closedLine,
      /call-to-action "Shop now" \(score \d+\) among \d+ links and buttons; first closed the cookie notice over it with "Reject all" \(not consenting\)/,
    );
    // Through the page's escaping, as every text of the evidence.
    const served = await (await fetch(`${serve.server.url}/cases/${closed.caseId}`)).text();
    assert.match(served, /with &quot;Reject all&quot; \(not consenting\)/);
    await page.goto(`${serve.server.url}/cases/${blocked.caseId}`);
    const blockedLine = (await page.textContent('#events li:has(.event-kind:text-is("explore"))'))!;
    assert.match(
      blockedLine,
      /call-to-action "Get the deal" \(score \d+\) among \d+ links and buttons: covered by a consent notice that offers only accept; not clicked/,
    );
  } finally {
    await page.close();
  }
  assert.equal((await caseReport(closed.caseId!)).explore?.[0]?.dismissed?.text, 'Reject all');
  assert.equal((await caseReport(blocked.caseId!)).final?.url, EXPLORE_PAGES['consent-agree-modal'].url, 'nothing was clicked');
});

test('with --server, an option the server cannot take per link is refused in one line, as is one past its limits', async () => {
  const cases: [string[], RegExp][] = [
    [['trace', '--input', '-', '--settle', '100'], /^clicktrace: --settle does not apply with --server: .*--click, --again, --explore/],
    [['trace', 'http://a.test/', '--max-hops', '3'], /^clicktrace: --max-hops does not apply with --server/],
    [
      ['trace', 'http://a.test/', '--timeout', '700'],
      /^clicktrace: --timeout: expected a number from 1 to 600, got "700" \(with --server\)/,
    ],
    [['mail', join(root, 'none.mbox'), '--trace', 'main', '--no-explore', '--explore'], /--no-explore and --explore exclude each other/],
  ];
  writeFileSync(join(root, 'none.mbox'), labMailbox(['http://a.test/']));
  for (const [args, message] of cases) {
    const { code, stderr } = await runCli([...args, '--server', serve.server.url], 'http://a.test/\n');
    assert.equal(code, 2, stderr);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});
