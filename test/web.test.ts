// The web UI and API end to end: the real lab, `serve` started in-process with the lab's trace
// options, and Chromium driving the pages. One lab, one server, one driving browser for the file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { tempDir, UI_CHROMIUM } from './helpers.js';
import { projectPath, projectRoot } from '../src/project-root.js';
import { startLab, type Lab } from '../src/lab/index.js';
import { CONTROL_LOCATION, LONG_TITLE } from '../src/lab/scenarios/hostile.js';
import { clean } from '../src/terminal-text.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import { UserError } from '../src/errors.js';
import { assertSafeBind, UnsafeBindError } from '../src/web/security.js';
import type { Job } from '../src/service/trace-service.js';

let lab: Lab;
let serve: ServeHandle;
let browser: Browser;
let context: BrowserContext;
let base: string;
const cspViolations: string[] = [];
const dirs: string[] = [];

before(async () => {
  lab = await startLab();
  const cases = tempDir('web-cases-');
  dirs.push(cases);
  [serve, browser] = await Promise.all([
    startServe(
      ['--port', '0', '--cases', cases, ...lab.traceArgs, '--settle', '1500', '--timeout', '30', '--concurrency', '2'],
      () => undefined,
    ).then((h) => h!),
    chromium.launch({ executablePath: UI_CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  base = serve.server.url;
  context = await browser.newContext({ acceptDownloads: true });
  context.on('console', (m) => {
    if (/Content Security Policy|Failed to load/i.test(m.text())) cspViolations.push(`${m.page()?.url()}: ${m.text()}`);
  });
});

after(async () => {
  await context?.close();
  await browser?.close();
  await serve?.close();
  await lab?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function api<T = any>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, init);
  return { status: res.status, body: (await res.json()) as T };
}

function submitJson(body: unknown) {
  return api<{ job: Job; error?: { code: string; message: string } }>('/api/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * Polls the job until it ended. Every 200 ms: the server answers in this process, and a test that
 * waits for 20 jobs at once would otherwise spend its CPU on 400 requests a second.
 */
async function waitForJob(id: string, timeoutMs = 45_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<{ job: Job }>(`/api/jobs/${id}`);
    if (body.job.state === 'done' || body.job.state === 'failed') return body.job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.job.state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Raw HTTP, for the headers fetch() will not let us set (Host). */
function rawRequest(path: string, headers: Record<string, string>, method = 'GET', body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

let seedCase = '';
let page: Page;

test('the seed through the form: live progress, the chain with Selligent and the advertiser, a screenshot', async () => {
  page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${base}/`);
  await page.fill('input[name=url]', lab.scenarios.seed.url);
  await page.fill('textarea[name=click]', 'Find out more');
  await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);

  // Progress arrives over the event stream while the trace runs; then the case is linked.
  await page.waitForSelector('#job-state[data-state="done"]', { timeout: 45_000 });
  const kinds = await page.$$eval('#job-events li .event-kind', (els) => els.map((e) => e.textContent));
  const details = await page.$$eval('#job-events li', (els) => els.map((e) => e.textContent));
  for (const kind of ['queued', 'started', 'hop', 'click', 'done', 'indexed', 'finished'])
    assert.ok(kinds.includes(kind), `progress shows "${kind}": ${details.join(' | ')}`);
  // A hop and the exchange that carried it are one line: each hop once, with its status.
  const hops = await page.$$eval('#job-events li', (els) =>
    els
      .filter((e) => e.querySelector('.event-kind')?.textContent === 'hop')
      .map((e) => e.querySelector('.event-detail')?.textContent ?? ''),
  );
  assert.equal(hops.length, 3, hops.join(' | '));
  assert.deepEqual(
    hops.map((h) => h.split(' ')[0]),
    ['200', '302', '200'],
  );
  assert.equal(kinds.filter((k) => k === 'exchange').length, 0, 'no exchange repeats a hop');
  await Promise.all([page.waitForURL(/\/cases\/\d{8}T\d{6}Z-[0-9a-f]{6}$/), page.click('#job-case-link')]);
  seedCase = page.url().split('/').pop()!;

  assert.equal(await page.locator('li.hop').count(), 3);
  assert.deepEqual(await page.$$eval('li.hop .via', (els) => els.map((e) => e.textContent)), ['start', 'click', 'http-302']);
  const tracker = page.locator('li.hop').first().locator('a.party.role-esp-tracker');
  assert.match(await tracker.innerText(), /Selligent\s+ESP tracker/);
  const last = page.locator('li.hop').last();
  assert.equal(await last.locator('a.host').innerText(), 'business.t-mobile.example');
  assert.match(await last.locator('a.party.role-advertiser').innerText(), /advertiser/);
  assert.match(await page.locator('#summary .summary-text').innerText(), /Selligent.*business\.t-mobile\.example/);
  assert.ok((await page.locator('details.exchange').count()) >= 3, 'the raw exchanges are listed');
  assert.match(
    (await page.locator('details.exchange').first().locator('pre.head').first().textContent()) ?? '',
    /^GET \/optiext\/optiextension\.dll\?ID=/,
  );

  // The final screenshot first, large, beside the verdict; every resting page in the strip.
  const hero = page.locator('#result .hero img#final-screenshot');
  await hero.evaluate((img: HTMLImageElement) => img.decode());
  const heroBox = (await hero.boundingBox())!;
  const verdictBox = (await page.locator('#result .verdict').boundingBox())!;
  assert.ok(heroBox.width > 500, `the final screenshot is large (${heroBox.width} px)`);
  assert.ok(heroBox.x > verdictBox.x + verdictBox.width - 1 && heroBox.y < verdictBox.y + 50, 'beside the verdict');
  assert.equal(await page.locator('ol.shot-strip li.strip-item').count(), 2);
  assert.equal(await page.locator('.lightbox:visible').count(), 0);
  await page.locator('ol.shot-strip a.strip-link').first().click();
  assert.equal(await page.locator('#shot-1.lightbox').isVisible(), true, 'a strip screenshot opens large');
  await page.locator('#shot-1 a.lightbox-close').click();
  assert.equal(await page.locator('.lightbox:visible').count(), 0);
  await hero.click();
  assert.equal(await page.locator('.lightbox:visible').count(), 1, 'the final screenshot opens large');
  await page.goto(`${base}/cases/${seedCase}`);

  // The redirect tree and the waterfall: server-side SVG shown as images, linked through image maps.
  for (const id of ['#tree-image', '#waterfall-image']) {
    await page.locator(id).evaluate((img: HTMLImageElement) => img.decode());
    assert.ok(await page.locator(id).evaluate((img: HTMLImageElement) => img.naturalWidth > 100), `${id} is drawn`);
  }
  const treeLinks = await page.$$eval('map#tree-map area', (areas) => areas.map((a) => a.getAttribute('href')));
  assert.deepEqual(
    treeLinks.filter((h) => h?.startsWith('#hop-')),
    ['#hop-1', '#hop-2', '#hop-3'],
  );
  const wfLinks = await page.$$eval('map#waterfall-map area', (areas) => areas.map((a) => a.getAttribute('href')));
  assert.ok(wfLinks.length >= 3 && wfLinks.every((h) => /^#exchange-/.test(h ?? '')), wfLinks.join(' '));
  const tree = await fetch(`${base}/cases/${seedCase}/tree.svg`);
  assert.equal(tree.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
  const treeSvg = await tree.text();
  for (const text of ['news.t-mobile.emsecure.test', 'business.t-mobile.example', 'click “Find out more”', '302'])
    assert.ok(treeSvg.includes(text), `the tree shows ${text}`);
  // The integrity line: recomputed when the page is opened.
  assert.equal(await page.locator('#integrity').getAttribute('data-state'), 'verified');
  assert.match(await page.locator('#integrity').innerText(), /Integrity verified .*: \d+ files, \d+ WARC records\).*not signed/s);

  const shots = page.locator('a.screenshot-link');
  assert.equal(await shots.count(), 2, 'one screenshot per resting page');
  const [shot] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('.png') && r.request().isNavigationRequest()),
    shots.first().click(),
  ]);
  assert.equal(shot.headers()['content-type'], 'image/png');
  assert.match(shot.headers()['content-security-policy'] ?? '', /default-src 'none'/);
  assert.equal((await shot.body()).subarray(1, 4).toString(), 'PNG');
  await page.waitForFunction(() => document.images[0]?.complete);
  assert.ok(await page.evaluate(() => document.images[0].naturalWidth > 0), 'the screenshot is displayed');
  await page.goBack();
  assert.deepEqual(dialogs, []);
});

test('an uploaded .eml: message case with headers and links, its main link traced; pivot on the tracker domain reaches both traces', async () => {
  await page.goto(`${base}/`);
  await page.setInputFiles('input[name=message]', projectPath('test', 'fixtures', 'lab', 'seed-tmobile.eml'));
  // Its main link is the seed link the test above traced: without "again" the job would point at that case.
  await page.check('input[name=again]');
  await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
  const jobId = page.url().split('/').pop()!;
  assert.notEqual(await page.locator('#job-state').getAttribute('data-state'), 'done', 'the job page opened while the job ran');
  const job = await waitForJob(jobId);
  assert.equal(job.state, 'done', job.error ?? '');
  assert.ok(job.messageCaseId?.endsWith('-mail'));
  assert.ok(job.caseId);
  // Watched live (no reload), the finished job links both its cases, as the page served after it does.
  await page.waitForSelector('#job-events[data-finished="yes"]', { timeout: 45_000 });
  const linked = async () => page.$$eval('#job-result a.case-link', (links) => links.map((a) => [a.id, a.textContent]));
  const expectedLinks = [
    ['job-case-link', job.caseId],
    ['job-message-link', job.messageCaseId],
  ];
  assert.deepEqual(await linked(), expectedLinks);
  await page.reload();
  assert.deepEqual(await linked(), expectedLinks);
  assert.equal(job.url, lab.scenarios.seed.url, 'the main call-to-action was traced');

  const message = await api<any>(`/api/cases/${job.messageCaseId}`);
  assert.equal(message.body.message.analysis.from.address, 't-mobile@news.t-mobile.emsecure.test');
  assert.deepEqual(message.body.relations.traced, [{ case: job.caseId, link: job.link }]);
  assert.equal(message.body.message.traces[0].case, job.caseId, 'message.json lists the trace, as `clicktrace mail` writes it');
  const traced = await api<any>(`/api/cases/${job.caseId}`);
  assert.equal(traced.body.report.message.case, job.messageCaseId, 'the traced report points back to its message');
  assert.equal(traced.body.relations.message.case, job.messageCaseId);
  assert.equal(traced.body.report.explore?.[0]?.chosen?.text, 'Find out more', 'its landing page explored, as `mail --trace` does');

  await page.goto(`${base}/cases/${job.messageCaseId}`);
  assert.match(await page.locator('#message .subject').innerText(), /Your business deserves 5G/);
  assert.ok((await page.locator('tr.mail-link').count()) >= 2, 'extracted links are listed');
  const main = page.locator('tr.main-link');
  assert.match(await main.innerText(), /Find out more/);
  assert.match(await main.locator('a.party').innerText(), /Selligent/);
  assert.equal(await main.locator('a.case-link').innerText(), job.caseId);
  await page.goto(`${base}/cases/${job.caseId}`);
  assert.match(await page.locator('.from-message').innerText(), /Traced from link \d+ of the message “Your business deserves 5G/);

  // Pivot from the seed case on the tracker's registrable domain.
  await page.goto(`${base}/cases/${seedCase}`);
  await Promise.all([
    page.waitForURL(/\/cases\?domain=emsecure\.test$/),
    page.locator('li.hop').first().locator('a.pivot-domain', { hasText: 'emsecure.test' }).click(),
  ]);
  assert.match(await page.locator('.pivot-heading').innerText(), /sharing domain or host emsecure\.test/);
  const listed = await page.$$eval('tr.case-row', (rows) => rows.map((r) => r.getAttribute('data-case')));
  for (const id of [seedCase, job.caseId, job.messageCaseId!]) assert.ok(listed.includes(id), `${id} is listed`);

  // Party pivot through the API gives the same traces.
  const pivot = await api<any>('/api/pivot/party/Selligent');
  for (const id of [seedCase, job.caseId]) assert.ok(pivot.body.cases.some((c: { id: string }) => c.id === id));

  // The same file uploaded again: its message case is reused (not a second one), its link not requested again.
  const again = await api<{ job: Job }>('/api/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822' },
    body: readFileSync(projectPath('test', 'fixtures', 'lab', 'seed-tmobile.eml')),
  });
  const repeat = await waitForJob(again.body.job.id);
  assert.deepEqual(
    [repeat.state, repeat.messageCaseId, repeat.caseId, repeat.alreadyTraced],
    ['done', job.messageCaseId, job.caseId, true],
  );
});

test('uploads that are not messages, or too large, are refused', async () => {
  const garbage = await api<any>('/api/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822' },
    body: readFileSync(projectPath('test', 'fixtures', 'mail', 'garbage.bin')),
  });
  assert.equal(garbage.status, 400);
  assert.match(garbage.body.error.message, /not an e-mail message/);
  const huge = await api<any>('/api/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822' },
    body: Buffer.alloc(11 * 1024 * 1024, 'a'),
  });
  assert.equal(huge.status, 413);
  const notUrl = await submitJson({ url: 'javascript:alert(1)' });
  assert.equal(notUrl.status, 400);
  assert.match(notUrl.body.error!.message, /only http and https/);
});

test('an uploaded mailbox: several messages are refused (not read as one whose body holds the others), one is that message', async () => {
  const before = (await api<{ total: number }>('/api/search')).body.total;
  const jobsBefore = (await api<{ jobs: Job[] }>('/api/jobs')).body.jobs.length;
  const mailbox = await api<any>('/api/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822' },
    body: readFileSync(projectPath('test', 'fixtures', 'mail', 'three.mbox')),
  });
  assert.equal(mailbox.status, 400);
  assert.match(mailbox.body.error.message, /^a mailbox of 3 messages: upload one message .* --server URL"$/);
  // The form says the same, and keeps nothing of it either.
  await page.goto(`${base}/`);
  await page.setInputFiles('input[name=message]', projectPath('test', 'fixtures', 'mail', 'three.mbox'));
  await page.click('form.submit button[type=submit]');
  assert.match(await page.locator('#submit-error').innerText(), /a mailbox of 3 messages/);
  // The refusal is a 400 page, which Chromium logs as a resource that failed to load: no CSP matter.
  const refusal = cspViolations.findIndex((v) => /\/submit: Failed to load resource: .* 400 /.test(v));
  if (refusal >= 0) cspViolations.splice(refusal, 1);
  assert.equal((await api<{ total: number }>('/api/search')).body.total, before, 'no message case');
  assert.equal((await api<{ jobs: Job[] }>('/api/jobs')).body.jobs.length, jobsBefore, 'no job');

  // A mailbox of one message (the seed e-mail as an mbox writer saves it) is that message: the
  // same bytes as the .eml, so the same message case, and its link answered with the seed's case.
  const eml = readFileSync(projectPath('test', 'fixtures', 'lab', 'seed-tmobile.eml'));
  const first = await api<{ job: Job }>('/api/submit', { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: eml });
  const one = await api<{ job: Job }>('/api/submit', {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822' },
    body: Buffer.concat([Buffer.from('From t-mobile@news.t-mobile.emsecure.test Mon Mar  4 10:00:00 2024\n'), eml, Buffer.from('\n')]),
  });
  assert.equal(one.status, 202, JSON.stringify(one.body));
  const [a, b] = [await waitForJob(first.body.job.id), await waitForJob(one.body.job.id)];
  assert.equal(b.messageCaseId, a.messageCaseId);
  assert.deepEqual([b.state, b.caseId, b.alreadyTraced], ['done', a.caseId, true]);
});

test('the WARC downloads as gzip', async () => {
  await page.goto(`${base}/cases/${seedCase}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.download[data-file="capture.warc.gz"]')]);
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b]);
  assert.match(download.suggestedFilename(), /capture\.warc\.gz$/);
});

test('a hostile page captured: its case page fires no dialog and runs no injected script', async () => {
  const { body } = await submitJson({ url: lab.scenarios.xss.url });
  const job = await waitForJob(body.job.id);
  assert.equal(job.state, 'done', job.error ?? '');
  const hostile = await context.newPage();
  const dialogs: string[] = [];
  hostile.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const response = await hostile.goto(`${base}/cases/${job.caseId}`);
  assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
  assert.equal(response!.headers()['x-content-type-options'], 'nosniff');
  // Open every collapsed exchange (raw headers and bodies) and hover everything, then wait a moment.
  await hostile.$$eval('details', (els) => els.forEach((d) => (d.open = true)));
  await hostile.mouse.move(200, 200);
  await hostile.waitForTimeout(500);
  assert.deepEqual(dialogs, []);
  const scripts = await hostile.$$eval('script', (els) => els.map((e) => e.getAttribute('src')));
  assert.deepEqual(scripts, ['/static/app.js'], 'the only script element is the app file');
  assert.equal(await hostile.locator('img[src="x"], svg, [onerror], [onload], [onmouseover]').count(), 0);
  // The payloads are there, as text.
  const text = await hostile.locator('main').innerText();
  assert.ok(text.includes('<script>alert("title")</script>'), 'the title is shown as text');
  assert.ok(text.includes('X-Campaign: <script>alert("header")</script>'), 'the header is shown as text');
  assert.ok(text.includes('\\x1b[31m'), 'escape characters are made visible');
  // The DOM snapshot never renders in the app origin.
  const dom = await hostile.locator('a.dom-link').first().getAttribute('href');
  const snapshot = await context.request.get(base + dom);
  assert.match(snapshot.headers()['content-type'] ?? '', /^text\/plain/);
  assert.match(snapshot.headers()['content-security-policy'] ?? '', /^sandbox/);
  assert.match(snapshot.headers()['content-disposition'] ?? '', /^attachment/);
  await hostile.close();
  assert.deepEqual(cspViolations, [], 'our own pages never trip the CSP nor miss a resource');
});

test('a 2,000-character title and a 3,000-character URL wrap inside the page; the columns beside them keep their width', async () => {
  const { body } = await submitJson({ url: lab.scenarios['long-strings'].url });
  const job = await waitForJob(body.job.id);
  assert.equal(job.state, 'done', job.error ?? '');
  const viewer = await context.newPage();
  for (const path of ['/', '/cases', `/cases/${job.caseId}`, `/jobs/${job.id}`, '/jobs', '/report']) {
    await viewer.goto(base + path);
    const [scrollWidth, innerWidth] = await viewer.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scrollWidth <= innerWidth, `${path}: the page is ${scrollWidth}px wide in a ${innerWidth}px window`);
  }
  await viewer.goto(`${base}/cases`);
  const row = viewer.locator(`tr.case-row[data-case="${job.caseId}"]`);
  assert.ok((await row.locator('.title').innerText()).includes(LONG_TITLE.slice(0, 40)), 'the title is there, whole');
  // The capture time stays on one line, the case id too: their column is not squeezed to a letter.
  for (const selector of ['time', 'a.case-link']) {
    const box = (await row.locator(selector).first().boundingBox())!;
    const lineHeight = await row
      .locator(selector)
      .first()
      .evaluate((e) => parseFloat(getComputedStyle(e).lineHeight) || 20);
    assert.ok(box.height < 2 * lineHeight, `${selector} is on one line (${box.width}x${box.height})`);
  }
  await viewer.close();
});

test('the hostile case: its tree and waterfall SVG hold the payloads as inert text; opened on their own nothing runs', async () => {
  const { body } = await api<{ total: number; cases: { id: string }[] }>(`/api/search?q=${encodeURIComponent(lab.scenarios.xss.url)}`);
  const id = body.cases[0].id;
  const viewer = await context.newPage();
  const dialogs: string[] = [];
  viewer.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  for (const which of ['tree', 'waterfall']) {
    const response = await viewer.goto(`${base}/cases/${id}/${which}.svg`);
    assert.equal(response!.headers()['content-type'], 'image/svg+xml; charset=utf-8');
    assert.match(response!.headers()['content-security-policy'] ?? '', /^sandbox; default-src 'none'/);
    const svg = await response!.text();
    assert.doesNotMatch(svg, /<script|<foreignObject|<style|\son[a-z]+=|href=|xlink/i, `${which}: no active content`);
    // Well-formed: the browser parsed it as SVG, not as an error document.
    assert.equal(await viewer.evaluate(() => document.documentElement.nodeName), 'svg');
    assert.equal(await viewer.locator('parsererror').count(), 0);
    await viewer.mouse.move(50, 50);
  }
  await viewer.goto(`${base}/cases/${id}`);
  await viewer.$$eval('map area', (areas) => areas.forEach((a) => a.dispatchEvent(new MouseEvent('mouseover'))));
  await viewer.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(
    await viewer.$$eval('area', (areas) => areas.filter((a) => !/^(#|\/cases\?)/.test(a.getAttribute('href') ?? '')).length),
    0,
    'map links go to hops, exchanges or pivots only',
  );
  await viewer.close();
});

test('verdict flags, downloads with their SHA-256 pivot, and the case list as people scan it', async () => {
  const names = [
    'download',
    'bad-tls-expired',
    'bad-tls-self-signed',
    'bad-tls-wrong-host',
    'single-use',
    'time-limited-expired',
    'reset',
  ] as const;
  const submitted = await Promise.all(names.map((n) => submitJson({ url: lab.scenarios[n].url })));
  const jobs = await Promise.all(submitted.map((s) => waitForJob(s.body.job.id, 90_000)));
  const caseOf = Object.fromEntries(names.map((n, i) => [n, jobs[i].caseId!]));
  const flagsOf = async (id: string) => {
    await page.goto(`${base}/cases/${id}`);
    return page.$$eval('#flags li.verdict-flag', (els) => els.map((e) => e.getAttribute('data-flag')));
  };
  assert.ok((await flagsOf(caseOf.download)).includes('download'));
  const file = page.locator('#downloaded-files tr.downloaded-file');
  assert.equal(await file.count(), 1);
  assert.equal(await file.locator('.file-name').innerText(), 'invoice.zip');
  assert.match(await file.locator('.file-type').innerText(), /zip/i);
  const sha = await file.locator('a.pivot-file').innerText();
  assert.match(sha, /^[0-9a-f]{64}$/);
  assert.equal(await file.locator('button.copy').getAttribute('data-copy'), sha);
  await Promise.all([page.waitForURL(/\/cases\?file=[0-9a-f]{64}$/), file.locator('a.pivot-file').click()]);
  assert.deepEqual(
    await page.$$eval('tr.case-row', (rows) => rows.map((r) => r.getAttribute('data-case'))),
    [caseOf.download],
    'the file pivot finds the case that downloaded it',
  );

  assert.deepEqual(await flagsOf(caseOf['bad-tls-expired']), ['tls']);
  assert.match(await page.locator('li.flag-tls').innerText(), /expired\.badssl\.test/);
  for (const name of ['bad-tls-self-signed', 'bad-tls-wrong-host'] as const) assert.deepEqual(await flagsOf(caseOf[name]), ['tls'], name);
  assert.deepEqual(await flagsOf(caseOf['time-limited-expired']), ['single-use']);
  assert.match(await page.locator('li.flag-single-use').innerText(), /Spent link.*410 Gone/s);
  assert.deepEqual(await flagsOf(caseOf['single-use']), [], 'one visit that worked shows nothing');
  // The same link again: spent now, and the two visits together show a single-use link.
  const again = await waitForJob((await submitJson({ url: lab.scenarios['single-use'].url, again: true })).body.job.id);
  assert.equal(again.state, 'done', again.error ?? '');
  assert.deepEqual(await flagsOf(again.caseId!), ['single-use']);
  assert.match(await page.locator('li.flag-single-use').innerText(), /Single-use link.*410 Gone/s);

  // The case list leads with the link, the final host and title; an error shows its reason.
  await page.goto(`${base}/cases`);
  const row = (id: string) => page.locator(`tr.case-row[data-case="${id}"]`);
  assert.equal(await row(caseOf.download).locator('a.case-primary').innerText(), lab.scenarios.download.url);
  assert.equal(
    await row(caseOf['bad-tls-expired']).locator('.final-host').innerText(),
    new URL(lab.scenarios['bad-tls-expired'].finalUrl!).hostname,
  );
  assert.match(await row(caseOf.reset).locator('.error-reason').innerText(), /reset/i);
  assert.equal(await page.locator('table.cases th').first().innerText(), 'Link → where it ended');
});

test('a phishing e-mail: look-alike domain, credential form and shown ≠ real link are flagged on its trace', async () => {
  await page.goto(`${base}/`);
  await page.setInputFiles('input[name=message]', projectPath('test', 'fixtures', 'lab', 'lookalike-phish.eml'));
  await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
  const job = await waitForJob(page.url().split('/').pop()!, 90_000);
  assert.equal(job.state, 'done', job.error ?? '');
  await page.goto(`${base}/cases/${job.caseId}`);
  const flags = await page.$$eval('#flags li.verdict-flag', (els) => els.map((e) => e.getAttribute('data-flag')));
  assert.deepEqual(flags.sort(), ['credential-form', 'link-mismatch', 'lookalike']);
  assert.match(await page.locator('li.flag-lookalike').innerText(), /t-rnobile\.example looks like "t-mobile"/i);
  assert.match(await page.locator('li.flag-credential-form').innerText(), /password/);
  assert.match(await page.locator('li.flag-link-mismatch').innerText(), /t-mobile\.example.*t-rnobile\.example/s);
});

test('per-submission options from the form are used and recorded; bad options are refused', async () => {
  const url = `${lab.scenarios['http-302'].url}&options=1`;
  await page.goto(`${base}/`);
  await page.fill('input[name=url]', url);
  await page.locator('#trace-options-form summary').click();
  await page.selectOption('select[name=device]', 'mobile');
  await page.fill('input[name=user_agent]', 'Mozilla/5.0 (Linux; Android 14) clicktrace-option-test');
  await page.selectOption('select[name=explore]', 'off');
  await page.fill('input[name=timeout]', '25');
  await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
  const job = await waitForJob(page.url().split('/').pop()!);
  assert.equal(job.state, 'done', job.error ?? '');
  assert.deepEqual(job.options, {
    device: 'mobile',
    userAgent: 'Mozilla/5.0 (Linux; Android 14) clicktrace-option-test',
    exploreDepth: 0,
    timeoutMs: 25_000,
    // The form's Nudge box always says (ticked, as this server nudges).
    nudge: true,
  });
  const { body } = await api<any>(`/api/cases/${job.caseId}`);
  assert.equal(body.report.identity.device, 'mobile');
  assert.equal(body.report.identity.userAgent, 'Mozilla/5.0 (Linux; Android 14) clicktrace-option-test');
  await page.goto(`${base}/cases/${job.caseId}`);
  const line = await page.locator('#trace-options').innerText();
  assert.match(line, /Traced as mobile/);
  assert.match(line, /clicktrace-option-test/);
  assert.match(line, /no explore/);
  assert.match(line, /timeout 25 s, nudge on/);

  for (const [options, message] of [
    [{ device: 'tablet' }, /device: expected desktop or mobile/],
    [{ timeout: 0 }, /timeout: expected a number from 1 to 600/],
    [{ userAgent: 'a\r\nX-Injected: 1' }, /userAgent: only printable ASCII/],
    [{ exploreDepth: 2.5 }, /exploreDepth: expected a whole number/],
  ] as const) {
    const refused = await submitJson({ url: `${url}&bad=1`, ...options });
    assert.equal(refused.status, 400, JSON.stringify(options));
    assert.match(refused.body.error!.message, message);
  }
});

test('a queued job shows its place in the queue until it starts', async () => {
  const url = lab.scenarios['meta-refresh-delayed'].url;
  const submitted = [];
  for (const n of [1, 2, 3]) submitted.push(await submitJson({ url: `${url}${url.includes('?') ? '&' : '?'}queue=${n}` }));
  const third = submitted[2].body.job.id;
  const { body } = await api<{ job: Job; queue: { place: number; ahead: number; running: number } | null }>(`/api/jobs/${third}`);
  assert.equal(body.job.state, 'queued', 'two traces run at once: the third waits');
  assert.deepEqual(body.queue, { place: 1, ahead: 0, running: 2 });
  await page.goto(`${base}/jobs/${third}`);
  // Read at once (the job may start, and the line go, at any moment): a handle keeps the text of a removed node.
  const place = await page.$('#queue-place');
  if (place) {
    assert.match((await place.textContent()) ?? '', /place 1 in the queue \(0 waiting before it, 2 running\)/);
    await page.waitForSelector('#queue-place', { state: 'detached', timeout: 60_000 });
  }
  await Promise.all(submitted.map((s) => waitForJob(s.body.job.id, 90_000)));
});

test('a tampered case shows as tampered when its page is opened again', async () => {
  const { body } = await submitJson({ url: `${lab.scenarios['http-301'].url}&tamper=1` });
  const job = await waitForJob(body.job.id);
  assert.equal(job.state, 'done', job.error ?? '');
  await page.goto(`${base}/cases/${job.caseId}`);
  assert.equal(await page.locator('#integrity').getAttribute('data-state'), 'verified');
  const { body: found } = await api<any>(`/api/cases/${job.caseId}`);
  const shot = found.report.pages[0].screenshot as string;
  const dir = serve.service.store.caseDir(job.caseId!)!;
  appendFileSync(join(dir, shot), Buffer.from('tampered'));
  await page.reload();
  assert.equal(await page.locator('#integrity').getAttribute('data-state'), 'tampered');
  assert.match(await page.locator('#integrity').innerText(), /TAMPERED/);
  assert.match(await page.locator('#integrity .integrity-problems').innerText(), new RegExp(shot.split('/').pop()!.replace('.', '\\.')));
  assert.deepEqual(cspViolations, [], 'the new parts of the page never trip the CSP nor miss a resource');
});

test('control characters look the same in an evidence line, the raw exchange and the terminal', async () => {
  const { body } = await submitJson({ url: lab.scenarios['control-location'].url });
  const job = await waitForJob(body.job.id);
  assert.equal(job.state, 'done', job.error ?? '');
  await page.goto(`${base}/cases/${job.caseId}`);
  const shown = clean(CONTROL_LOCATION);
  assert.equal(shown, '/page?q=\\x1b[2J\\x1b]0;pwned\\x07');
  const evidence = await page.locator('li.hop').last().locator('.evidence').innerText();
  assert.equal(evidence, `HTTP 302, Location: ${shown}`);
  await page.$$eval('details.exchange', (els) => els.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  const heads = await page.$$eval('pre.head', (els) => els.map((e) => e.textContent ?? ''));
  assert.ok(
    heads.some((h) => h.split('\n').includes(`Location: ${shown}`)),
    heads.join('\n--\n'),
  );
});

test('a private target is refused with a clear message, in the API and in the form', async () => {
  const { status, body } = await submitJson({ url: 'http://127.0.0.1/' });
  assert.equal(status, 403);
  assert.equal(body.error?.code, 'private-address');
  assert.match(body.error.message, /127\.0\.0\.1 .*private, loopback or link-local.*--allow-private/);

  await page.goto(`${base}/`);
  await page.fill('input[name=url]', 'http://127.0.0.1/');
  await page.click('form.submit button[type=submit]');
  assert.match(await page.locator('#submit-error').innerText(), /refused: 127\.0\.0\.1 .*--allow-private/);
});

test('requests from other origins or host names are refused; case files cannot escape their folder', async () => {
  const host = new URL(base).host;
  const json = JSON.stringify({ url: lab.scenarios['http-302'].url });
  assert.equal(
    await rawRequest('/api/submit', { Host: host, Origin: 'http://evil.example', 'Content-Type': 'application/json' }, 'POST', json),
    403,
  );
  assert.equal(await rawRequest('/', { Host: 'rebound.evil.example' }), 421, 'DNS rebinding: foreign Host refused');
  for (const path of [
    `/cases/${seedCase}/files/..%2F..%2Fetc%2Fpasswd`,
    `/cases/${seedCase}/files/../report.json`,
    `/cases/..%2F${seedCase}/files/report.json`,
    `/cases/${seedCase}/files/dom%2F..%2F..%2Fclicktrace.db`,
    `/cases/${seedCase}/files/PARTIAL`,
  ]) {
    assert.equal(await rawRequest(path, { Host: host }), 404, path);
  }
});

test('listening beyond loopback without a token refuses to start', async () => {
  assert.throws(() => assertSafeBind('0.0.0.0', undefined), /refusing to listen on 0\.0\.0\.0 without --token/);
  assert.doesNotThrow(() => assertSafeBind('127.0.0.1', undefined));
  assert.doesNotThrow(() => assertSafeBind('0.0.0.0', 'a-long-enough-secret-token'));
  await assert.rejects(
    startServe(['--host', '0.0.0.0', '--port', '0'], () => undefined),
    (err) => err instanceof UnsafeBindError && err instanceof UserError && /without --token/.test(err.message),
  );
  // The CLI as users run it: compiled when the tests are, else through tsx.
  const compiled = import.meta.url.endsWith('.js');
  const cliArgs = compiled ? [projectPath('dist', 'clicktrace.mjs')] : ['--import', 'tsx', projectPath('src', 'cli', 'main.ts')];
  const cli = spawnSync(process.execPath, [...cliArgs, 'serve', '--host', '0.0.0.0'], {
    cwd: projectRoot(),
    encoding: 'utf8',
    env: { ...process.env, CLICKTRACE_TOKEN: '' },
    timeout: 20_000,
  });
  assert.equal(cli.status, 2);
  assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  assert.match(cli.stderr, /^clicktrace: refusing to listen on 0\.0\.0\.0 without --token/);
});

test('with a token: nothing without it, a ?token= login sets the cookie', async () => {
  const token = 'test-token-0123456789abcdef';
  const cases = tempDir('web-token-');
  dirs.push(cases);
  const guarded = (await startServe(['--port', '0', '--cases', cases, '--token', token], () => undefined))!;
  try {
    const url = guarded.server.url;
    assert.equal((await fetch(`${url}/api/search`)).status, 401);
    assert.equal((await fetch(`${url}/api/search`, { headers: { 'X-Clicktrace-Token': 'wrong' } })).status, 401);
    assert.equal((await fetch(`${url}/api/search`, { headers: { 'X-Clicktrace-Token': token } })).status, 200);
    const login = await fetch(`${url}/cases?token=${token}`, { redirect: 'manual' });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/cases');
    const cookie = login.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly; SameSite=Strict/);
    assert.equal((await fetch(`${url}/cases`, { headers: { Cookie: cookie.split(';')[0] } })).status, 200);
  } finally {
    await guarded.close();
  }
});

// Five times the limit of two traces at once (--concurrency 2): most of them wait in the queue.
const SUBMISSIONS = 10;
test(`${SUBMISSIONS} submissions at once are queued and all complete within the concurrency limit, none lost`, async () => {
  const url = lab.scenarios['http-302'].url;
  const urls = Array.from({ length: SUBMISSIONS }, (_, i) => `${url}&n=${i}`);
  const hits = () => urls.map((u) => lab.hits(u));
  const submitted = await Promise.all(urls.map((u) => submitJson({ url: u })));
  assert.ok(submitted.every((s) => s.status === 202));
  const ids = submitted.map((s) => s.body.job.id);
  assert.equal(new Set(ids).size, SUBMISSIONS);
  const jobs = await Promise.all(ids.map((id) => waitForJob(id, 120_000)));
  assert.deepEqual(
    jobs.map((j) => j.state),
    Array(SUBMISSIONS).fill('done'),
  );
  const cases = jobs.map((j) => j.caseId!);
  assert.equal(new Set(cases).size, SUBMISSIONS, 'one case per job');
  assert.deepEqual(hits(), Array(SUBMISSIONS).fill(1), 'each link requested exactly once');
  // A link traced before is not requested again: the job points at its case.
  const again = await submitJson({ url: urls[7] });
  const repeat = await waitForJob(again.body.job.id);
  assert.equal(repeat.state, 'done');
  assert.equal(repeat.alreadyTraced, true);
  assert.equal(repeat.caseId, cases[7]);
  assert.deepEqual(hits(), Array(SUBMISSIONS).fill(1), 'not requested a second time');
  // No moment had more than two traces running.
  const edges = jobs.flatMap((j) => [
    { at: Date.parse(j.startedAt!), d: 1 },
    { at: Date.parse(j.endedAt!), d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let running = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (running += e.d));
  assert.ok(peak <= 2, `at most 2 at once (saw ${peak})`);
  assert.ok(serve.service.peakRunning <= 2 && serve.service.peakRunning >= 1);
  const indexed = await api<{ total: number; cases: { id: string }[] }>(`/api/search?q=${encodeURIComponent('/c/http-302')}&limit=100`);
  for (const id of cases)
    assert.ok(
      indexed.body.cases.some((c) => c.id === id),
      `${id} is indexed`,
    );
});

test('a defanged link is traced refanged, from the API and the form; its plain spelling is the same link; an ambiguous one is refused', async () => {
  const url = `${lab.scenarios['http-302'].url}&defanged=%2Fx`;
  const defanged = url.replace(/^http/, 'hxxp').replace(/^([^/]*\/\/[^/]*)/, (authority) => authority.replaceAll('.', '[.]'));
  assert.notEqual(defanged, url);
  const submitted = await submitJson({ url: defanged });
  assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
  const job = await waitForJob(submitted.body.job.id);
  assert.equal(job.state, 'done', job.error ?? '');
  assert.equal(job.url, url, 'the refanged link is what is traced');
  assert.equal(job.given, defanged, 'the job keeps the text as written');
  assert.equal(lab.hits(url), 1);
  const recorded = await api<{ report: { given?: string } }>(`/api/cases/${job.caseId}`);
  assert.equal(recorded.body.report.given, defanged, 'the case keeps the text as written');
  // The form takes it too (a text field: a browser's type=url check would refuse it), and knows it as traced.
  await page.goto(`${base}/`);
  await page.fill('input[name=url]', defanged.replace('%2F', '%2f'));
  await Promise.all([page.waitForURL(/\/jobs\/j[0-9a-f]+$/), page.click('form.submit button[type=submit]')]);
  const fromForm = await waitForJob(page.url().split('/').pop()!);
  assert.deepEqual([fromForm.alreadyTraced, fromForm.caseId], [true, job.caseId]);
  assert.equal(lab.hits(url), 1, 'not requested a second time');
  // What cannot be told for sure is refused, saying why.
  const bare = await submitJson({ url: defanged.replace(/^hxxp:\/\//, '') });
  assert.equal(bare.status, 400);
  assert.equal(bare.body.error!.code, 'bad-url');
  assert.match(bare.body.error!.message, /no http:\/\/ or https:\/\//);
});
