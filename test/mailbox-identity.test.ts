// A mailbox traced again, here and on a server, keeps one message case per message with or without
// a Message-ID (its bytes as the sender wrote them decide, not how the mailbox stores them); a
// `mail --trace --server` process killed mid-way has its mailbox batch closed once its lease runs
// out, the messages it sent traced once, the others said never sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { labOptions, tempDir } from './helpers.js';
import { jsonLines, runCli, startCli } from './support/cli-process.js';
import { HANG_URL, SINGLE_USE_PREFIX, startLab, type Lab } from '../src/lab/index.js';
import { DATABASE_FILE } from '../src/store/index.js';
import { TraceService, type BatchView } from '../src/service/trace-service.js';
import { startWebServer, type RunningServer } from '../src/web/server.js';

let lab: Lab;
let service: TraceService;
let web: RunningServer;
// Short, so that a test outlives it: a sender that is there renews it, one killed lets it run out.
// Shorter than the hanging link's trace (timeoutMs below), which only renewals outlast; not so short
// that the command's own start-up work after opening the mailbox (its first message analysed, about
// 0.15 s of CPU, seconds on a loaded machine, when its timers cannot run) outlasts it: it did at 2 s.
const LEASE_MS = 4000;

before(async () => {
  lab = await startLab();
  const { url: _url, outDir: _outDir, ...trace } = labOptions(lab, HANG_URL, { timeoutMs: 6000 });
  service = new TraceService({ casesDir: tempDir('identity-server-'), concurrency: 1, trace, mailboxLeaseMs: LEASE_MS });
  web = await startWebServer({ service, port: 0 });
});
after(async () => {
  await web?.close();
  await service?.close();
  await lab?.close();
});

const once = (token: string) => `${SINGLE_USE_PREFIX}${token}-${process.pid}`;
const hits = (url: string) => lab.hits(new URL(url).pathname);
const messageCases = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('-mail'));

/** A message as spam often comes: no Message-ID (or `messageId`, forged), one link, or none. */
function message(subject: string, link: string | null, messageId?: string): string {
  return (
    `From: Prize Desk <desk@prize.example>\nTo: reader@recipient.example\nSubject: ${subject}\n` +
    (messageId ? `Message-ID: ${messageId}\n` : '') +
    `MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n` +
    (link ? `<p><a href="${link}" style="font-size:20px;padding:12px">Claim now</a></p>\n` : '<p>Reply to claim.</p>\n')
  );
}
const mbox = (messages: string[]) => messages.map((m) => `From desk@prize.example Mon Mar  4 10:00:00 2024\n${m}`).join('\n');

interface Line {
  kind: string;
  case?: string | null;
  analysis?: { subject: string };
  counts?: Record<string, number>;
  interrupted?: string | null;
  reason?: string;
}

test('mail --trace main, run again: a message without a Message-ID keeps its message case, from an .eml with CRLF and after an index rebuild too', async () => {
  const out = tempDir('identity-local-');
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((t) => once(`identity-${t}`));
  const first = message('First prize', a);
  const box = join(out, 'spam.mbox');
  // A copy of the first; two messages that share one forged Message-ID; one without a link.
  writeFileSync(
    box,
    mbox([
      first,
      message('Second prize', b),
      first,
      message('Forged one', c, '<same@prize.example>'),
      message('Forged two', d, '<same@prize.example>'),
      message('No link', null),
    ]),
  );
  const args = ['mail', box, '--trace', 'main', '--no-explore', '--json', '--concurrency', '2', '--out', out, ...lab.traceArgs];
  const caseOf = (lines: Line[]) => Object.fromEntries(lines.filter((l) => l.kind === 'message').map((l) => [l.analysis!.subject, l.case]));
  const runs: Record<string, string | null | undefined>[] = [];
  for (const run of ['first', 'rerun']) {
    const { code, stdout, stderr } = await runCli(args);
    assert.equal(code, 0, `${run}: ${stderr}`);
    const lines = jsonLines<Line>(stdout);
    assert.equal(lines.at(-1)?.counts?.messages, 6, run);
    const cases = caseOf(lines);
    runs.push(cases);
    assert.equal(messageCases(out).length, 5, `${run}: one message case per message, the copy too: ${messageCases(out).join(' ')}`);
    assert.notEqual(cases['Forged one'], cases['Forged two'], 'a shared Message-ID does not make two messages one');
    const report = await runCli(['report', '--cases', out, '--json']);
    assert.equal(report.code, 0, report.stderr);
    assert.equal((JSON.parse(report.stdout) as { messages: number }).messages, 5, `${run}: the report counts each message once`);
  }
  assert.deepEqual(runs[1], runs[0], 'the rerun names the first run’s message cases');
  assert.deepEqual([a, b, c, d].map(hits), [1, 1, 1, 1], 'no link requested twice');

  // An index of the schema before (as an older clicktrace left it) is rebuilt from the case folders,
  // and the first message saved on its own with CRLF line endings is still the message recorded.
  const db = new Database(join(out, DATABASE_FILE));
  db.pragma('user_version = 7');
  db.close();
  const eml = join(tempDir('identity-eml-'), 'first.eml');
  writeFileSync(eml, first.replace(/\n/g, '\r\n'));
  const single = await runCli(['mail', eml, '--trace', 'main', '--no-explore', '--json', '--out', out, ...lab.traceArgs]);
  assert.equal(single.code, 0, single.stderr);
  const [record] = (JSON.parse(single.stdout) as { messages: Line[] }).messages;
  assert.equal(record.case, runs[0]['First prize']);
  assert.equal(messageCases(out).length, 5);
  assert.equal(hits(a), 1);
  const report = await runCli(['report', '--cases', out, '--json']);
  assert.equal((JSON.parse(report.stdout) as { messages: number }).messages, 5);
});

test('mail --trace main --server, run again: one message case per message without a Message-ID; the lease is renewed while the command runs', async () => {
  const [a, b] = ['a', 'b'].map((t) => once(`identity-server-${t}`));
  const slow = `${HANG_URL}/identity-${process.pid}`;
  const first = message('First prize', a);
  const box = join(tempDir('identity-server-box-'), 'spam.mbox');
  // The hanging link holds the run for its trace's timeout, longer than the lease: only renewals keep the mailbox open.
  writeFileSync(box, mbox([message('Slow prize', slow), first, message('Second prize', b), first]));
  const args = ['mail', box, '--trace', 'main', '--no-explore', '--json', '--concurrency', '2', '--server', web.url];
  const casesBefore = service.store.search({ kind: 'mail' }).total;
  const runs: string[][] = [];
  for (const run of ['first', 'rerun']) {
    const { stdout, stderr } = await runCli(args);
    const lines = jsonLines<Line>(stdout);
    assert.equal(lines.at(-1)?.counts?.messages, 4, `${run}: ${stderr}`);
    assert.equal(lines.at(-1)?.interrupted, null, run);
    runs.push(lines.filter((l) => l.kind === 'message').map((l) => `${l.analysis!.subject} ${l.case}`));
    const batch = service.listBatches().find((x) => x.mailbox)!;
    assert.deepEqual([batch.abandoned, batch.open, batch.counts.inputs], [undefined, undefined, 4], run);
    assert.equal(service.store.search({ kind: 'mail' }).total - casesBefore, 3, `${run}: one message case per message`);
  }
  assert.deepEqual(runs[1].sort(), runs[0].sort(), 'the rerun names the first run’s message cases');
  assert.deepEqual([a, b, slow].map(hits), [1, 1, 1], 'no link requested twice');
});

/**
 * `mail --trace --server` started on a 4-message mailbox, once two of its messages are on the server
 * (the first traced, its link never answering; the second waiting) and two not sent yet.
 */
async function mailboxMidway(tag: string, subject: string) {
  const links = [`${HANG_URL}/identity-${tag}-${process.pid}`, ...['2', '3', '4'].map((t) => once(`identity-${tag}-${t}`))];
  const box = join(tempDir(`identity-${tag}-`), 'inbox.mbox');
  writeFileSync(box, mbox(links.map((link, i) => message(`${subject} ${i + 1}`, link))));
  const known = new Set(service.listBatches().map((x) => x.id));
  const run = startCli(['mail', box, '--trace', 'main', '--no-explore', '--json', '--concurrency', '2', '--server', web.url]);
  const batchAt = () => service.listBatches().find((x) => x.mailbox && !known.has(x.id));
  for (const end = Date.now() + 30_000; !(batchAt()?.counts.running === 1 && batchAt()?.counts.queued === 1);) {
    if (Date.now() > end) throw new Error(`the mailbox's batch: ${JSON.stringify(batchAt())}; ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { links, box, run, id: batchAt()!.id };
}

test('mail --trace --server killed mid-way: once its lease runs out the batch is closed, the sent messages traced once, the rest never sent', async () => {
  const { links, box, run, id } = await mailboxMidway('killed', 'Offer');
  assert.equal(service.batchView(id)!.lease?.seconds, LEASE_MS / 1000);
  run.child.kill('SIGKILL');
  await run.exited;

  let view: BatchView;
  for (const end = Date.now() + 60_000; (view = service.batchView(id)!).state !== 'done';) {
    if (Date.now() > end) throw new Error(`the batch did not end: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(view.open, undefined);
  assert.deepEqual([view.abandoned?.sent, view.abandoned?.lastMessage], [2, 2]);
  assert.deepEqual(
    view.items.map((i) => [i.line, i.url, i.state]),
    [
      [1, links[0], 'done'],
      [2, links[1], 'done'],
    ],
    'the messages it sent are traced',
  );
  assert.deepEqual([view.counts.inputs, view.counts.traced], [2, 2]);
  assert.deepEqual(links.map(hits), [1, 1, 0, 0], 'the sent links requested once, the others never');

  const page = await (await fetch(`${web.url}/batches/${id}`)).text();
  assert.match(
    page,
    /id="mailbox-abandoned"[^>]*>closed at .* It sent 2\s+message\(s\), the last number 2; the messages of the mailbox it\s+did/s,
  );
  assert.ok(!page.includes('id="batch-close"'), 'nothing left to close');
  const late = await fetch(`${web.url}/api/submit?batch=${id}&message=3`, {
    method: 'POST',
    headers: { 'Content-Type': 'message/rfc822' },
    body: readFileSync(box),
  });
  assert.equal(late.status, 409);
  assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'batch-expired');
  assert.equal((await fetch(`${web.url}/api/batches/${id}/lease`, { method: 'POST' })).status, 409);
});

test('a mailbox closed from its page while mail --server runs: the messages sent are traced, the command reports the rest as not started', async () => {
  const { links, run, id } = await mailboxMidway('closed', 'Deal');
  const page = await (await fetch(`${web.url}/batches/${id}`)).text();
  assert.ok(page.includes(`action="/batches/${id}/close"`) && page.includes('id="mailbox-lease"'), 'the page offers Close');
  const closed = await fetch(`${web.url}/batches/${id}/close`, {
    method: 'POST',
    headers: { Origin: web.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  assert.equal(closed.status, 303);
  const view = service.batchView(id)!;
  assert.deepEqual([view.open, view.abandoned, view.items.length], [undefined, undefined, 2]);
  assert.ok(view.closedByAnalyst);

  const ended = await run.exited;
  assert.equal(ended.code, 1, ended.stderr);
  const lines = jsonLines<Line>(ended.stdout);
  const skipped = lines.filter((l) => l.kind === 'skipped');
  assert.equal(skipped.length, 2, ended.stdout);
  for (const s of skipped) assert.equal(s.reason, 'the mailbox was closed on the server');
  assert.equal(lines.at(-1)?.interrupted, 'the mailbox was closed on the server');
  assert.deepEqual(
    service.batchView(id)!.items.map((i) => [i.line, i.state]),
    [
      [1, 'done'],
      [2, 'done'],
    ],
  );
  assert.deepEqual(links.map(hits), [1, 1, 0, 0], 'the sent links requested once, the others never');
  const renewed = await fetch(`${web.url}/api/batches/${id}/lease`, { method: 'POST' });
  assert.equal(renewed.status, 409);
  assert.equal(((await renewed.json()) as { error: { code: string } }).error.code, 'batch-closed');
});
