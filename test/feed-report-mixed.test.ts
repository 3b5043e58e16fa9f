// The feed report over a mixed cases folder, checked line by line against what its cases prove:
// a mailbox traced with `mail --trace all --fetch-pixels` (a message with two links traced, the
// same message delivered twice, a message with no link, a download, an open pixel), plain links
// traced with `trace --input` (one met again: already traced), a trace killed mid-way (cut off,
// then sealed by `reindex`) and a damaged report.json; then `clicktrace report`, `--since` at the
// edges of its date forms, and the web UI's /report and /api/report. One lab, one set of traces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { CLI, cli } from './support/cli.js';
import { startLab, type Lab } from '../src/lab/index.js';
import { startServe } from '../src/cli/serve-command.js';
import { CaseStore } from '../src/store/index.js';
import type { FeedAggregate, FeedRow } from '../src/feed/aggregate.js';
import type { Report } from '../src/report.js';

let lab: Lab;
let cases: string;
/** The message cases by message, and the trace case of each link or pixel. */
const mail: Record<string, { case: string; traces: { link: number | null; resource?: number; case: string }[] }> = {};
let cutOff: string;
const DAMAGED = '20200101T000000Z-0d0d0d';

function mboxMessage(id: string, headers: string, body: string): string {
  return `From sender@example.com Mon Nov 30 10:00:00 2026
From: Shop <news@shop.example>
To: reader@recipient.example
Subject: ${id}
Date: Mon, 30 Nov 2026 10:00:00 +0000
Message-ID: <${id}@shop.example>
${headers}MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><h1>${id}</h1>${body}</body></html>
`;
}

const link = (url: string, text: string) => `<p><a href="${url}" style="font-size:20px;padding:12px">${text}</a></p>`;

/** A trace of the lab's never-answering host, killed (the whole process group) once its first exchange is on disk. */
async function traceKilledMidway(): Promise<string> {
  const before = new Set(readdirSync(cases));
  const child = spawn(process.execPath, [CLI, 'trace', lab.scenarios.hang.url, '--out', cases, '--timeout', '60', ...lab.traceArgs], {
    detached: true,
    stdio: 'ignore',
  });
  try {
    let folder: string | undefined;
    let size = 0;
    let answered = 0;
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => setTimeout(r, 100));
      folder ??= readdirSync(cases).find((n) => !before.has(n) && /^\d{8}T\d{6}Z-[0-9a-f]{6}$/.test(n));
      const warc = folder ? join(cases, folder, 'capture.warc.gz') : null;
      if (!warc || !existsSync(warc) || lab.hits('/c/hang') === 0) continue;
      // The tracker's 302 is answered: its exchange is on disk once the WARC grows (or soon after, if it already had).
      if (answered === 0) [answered, size] = [Date.now(), statSync(warc).size];
      else if (statSync(warc).size > size || Date.now() - answered > 1500) break;
    }
    assert.ok(folder, 'the trace made its case folder');
    return folder;
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
  }
}

before(async () => {
  lab = await startLab();
  cases = tempDir('feed-mixed-');
  const s = (name: string) => lab.scenarios[name].url;
  const box = join(cases, '..', `${cases.split('/').at(-1)}.mbox`);
  const twoLinks = mboxMessage(
    'two-links',
    'X-SG-EID: abc123\n',
    link(s('esp-sendgrid-ses'), 'Shop now') + link(s('http-302'), 'See the catalogue'),
  );
  writeFileSync(
    box,
    [
      twoLinks,
      mboxMessage('no-link', 'Feedback-ID: 1.us-east-1.abc:AmazonSES\nX-SES-Outgoing: 2026.11.30\n', '<p>Call us.</p>'),
      twoLinks, // delivered twice: one message
      mboxMessage(
        'download-and-pixel',
        'X-Mailgun-Sid: WyJhYmMiXQ==\n',
        link(s('download'), 'Your invoice') + '<img src="https://www.advertiser.example/landing/open-pixel" width="1" height="1" alt="">',
      ),
    ].join('\n'),
  );
  const run = await cli(['mail', box, '--trace', 'all', '--fetch-pixels', '--no-explore', '--json', '--out', cases, ...lab.traceArgs]);
  rmSync(box);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  for (const line of run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l)))
    if (line.kind === 'message') mail[line.analysis.subject] = { case: line.case, traces: line.traces };
  const list = join(cases, '..', `${cases.split('/').at(-1)}.txt`);
  writeFileSync(list, [s('cname-esp'), s('lookalike'), s('reset'), s('http-302')].join('\n') + '\n');
  const batch = await cli(['trace', '--input', list, '--json', '--out', cases, ...lab.traceArgs]);
  rmSync(list);
  assert.ok(batch.code === 0 || batch.code === 1, batch.stderr);
  // The message's http-302 link was traced: met again, not requested again.
  const kinds = batch.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).kind);
  assert.deepEqual(kinds.sort(), ['already-traced', 'summary', 'trace', 'trace', 'trace']);
  cutOff = await traceKilledMidway();
  // A report.json damaged on disk: a hop that is no object.
  mkdirSync(join(cases, DAMAGED));
  writeFileSync(join(cases, DAMAGED, 'report.json'), JSON.stringify({ mode: 'trace', url: 'http://x.example/', hops: [null] }));
});

after(async () => {
  await lab?.close();
  if (cases) rmSync(cases, { recursive: true, force: true });
});

async function report(...args: string[]): Promise<{ agg: FeedAggregate; stderr: string }> {
  const run = await cli(['report', '--cases', cases, '--json', ...args]);
  assert.equal(run.code, 0, run.stderr);
  return { agg: JSON.parse(run.stdout) as FeedAggregate, stderr: run.stderr };
}

function row(agg: FeedAggregate, dimension: string, key: string): FeedRow {
  const found = agg.rows.find((r) => r.dimension === dimension && r.key === key);
  assert.ok(found, `${dimension} ${key} in ${agg.rows.map((r) => `${r.dimension}:${r.key}`).join(', ')}`);
  return found;
}

test('each line counts what its cases prove: messages once, traces each, the pixel no advertiser, the cut-off case said so', async () => {
  const twoLinks = mail['two-links'];
  const pixelTrace = mail['download-and-pixel'].traces.find((t) => t.resource === 1)!.case;
  assert.equal(twoLinks.traces.length, 2);
  assert.ok(pixelTrace);
  const { agg, stderr } = await report();
  // The damaged folder and the killed trace are named, not counted; the one killed is "cut off", not in progress.
  assert.match(stderr, /^clicktrace: report: 2 case folder\(s\) not counted: /);
  assert.ok(stderr.includes(`${DAMAGED} (report.json cannot be indexed: `), stderr);
  assert.ok(stderr.includes(`${cutOff} (cut off: the process tracing it is gone (clicktrace reindex seals it, as partial))`), stderr);
  assert.match(stderr, /\); clicktrace reindex seals those cut off, as partial\n$/);
  // Messages: three message cases (the one delivered twice is one). Traces: the messages' two links, download and
  // pixel, and three plain links (the fourth was met again).
  assert.deepEqual([agg.messages, agg.traces], [3, 7]);

  const sendgrid = row(agg, 'platform', 'Twilio SendGrid');
  assert.deepEqual([sendgrid.messages, sendgrid.traces, sendgrid.examples], [1, 2, [twoLinks.case]]);
  const ses = row(agg, 'platform', 'Amazon SES');
  assert.deepEqual([ses.messages, ses.traces, ses.examples], [1, 0, [mail['no-link'].case]]);
  // The message's SendGrid link and the plain cname-esp link: two traces, one message.
  const tracker = row(agg, 'tracker', 'Twilio SendGrid');
  assert.deepEqual([tracker.messages, tracker.traces], [1, 2]);

  // The open pixel rested on a page of advertiser.example: no landing page the message sent anyone to.
  const advertiser = row(agg, 'advertiser', 'advertiser.example');
  assert.ok(!advertiser.examples.includes(pixelTrace));
  const pixelDomain = row(agg, 'final-domain', 'advertiser.example');
  assert.deepEqual(
    [pixelDomain.detail, pixelDomain.traces, pixelDomain.examples],
    ["did not end on a page: an open pixel's image", 1, [pixelTrace]],
  );
  // As the case's own summary says it, and analyze from the WARC alone.
  const pixelReport = JSON.parse(readFileSync(join(cases, pixelTrace, 'report.json'), 'utf8')) as Report;
  assert.match(pixelReport.summary!.text, /no landing page reached \(ended at www\.advertiser\.example\)$/);
  assert.ok(!(pixelReport.parties ?? []).some((p) => p.role === 'advertiser'));
  const analyze = await cli(['analyze', join(cases, pixelTrace), '--check']);
  assert.equal(analyze.code, 0, analyze.stdout + analyze.stderr);

  // One case's folder given for --cases: refused, its evidence left as it was.
  const oneCase = await cli(['report', '--cases', join(cases, pixelTrace)]);
  assert.deepEqual([oneCase.code, oneCase.stdout], [2, '']);
  assert.match(oneCase.stderr, /^clicktrace: cases folder .*: is the folder of one case, not a folder of cases \(its parent is\)\n$/);
  assert.equal((await cli(['verify', join(cases, pixelTrace)])).code, 0);

  // Sealed by reindex, the cut-off trace counts, as a trace stopped with an error; its downloaded-file index is kept.
  const reindex = await cli(['reindex', '--cases', cases]);
  assert.equal(reindex.code, 0, reindex.stderr);
  assert.match(reindex.stdout, /^sealed 1 case\(s\) left open by a process that is gone, as partial$/m);
  const sealed = await report();
  assert.deepEqual([sealed.agg.traces, sealed.agg.failed], [agg.traces + 1, agg.failed + 1]);
  assert.ok(row(sealed.agg, 'final-domain', 'mailer-esp.test').examples.includes(cutOff));
  const store = CaseStore.open(cases);
  try {
    const download = mail['download-and-pixel'].traces.find((t) => t.link === 1)!.case;
    const sha = (store.db.prepare('SELECT sha256 FROM case_files WHERE case_id = ?').get(download) as { sha256: string } | undefined)
      ?.sha256;
    assert.ok(sha, 'reindex indexed the downloaded file');
  } finally {
    store.close();
  }
});

test('--since past year 9999 counts nothing; the web UI reads a zone typed unencoded, names the folders not counted; every example opens', async () => {
  const { agg: late } = await report('--since', '9999-12-31T23:59:59-12:00');
  assert.deepEqual([late.since, late.cases, late.rows], ['9999-12-31T23:59:59.999Z', 0, []]);
  const serve = (await startServe(['--port', '0', '--cases', cases], () => undefined))!;
  try {
    const base = serve.server.url;
    const all = (await (await fetch(`${base}/api/report`)).json()) as FeedAggregate;
    const first = all.firstSeen!;
    // "+01:00" typed in the address: the query string reads its "+" as a space.
    const local = new Date(Date.parse(first) + 3_600_000).toISOString().slice(0, 19) + '+01:00';
    const typed = await fetch(`${base}/api/report?since=${local}`);
    assert.equal(typed.status, 200, await typed.clone().text());
    assert.equal(((await typed.json()) as FeedAggregate).since, first.slice(0, 19) + '.000Z');
    const page = await fetch(`${base}/report?since=${local}`);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes(`value="${local}"`), 'the form keeps the time as typed, its "+" back');
    // The damaged folder is named on the page, as `report` names it on stderr.
    const html = await (await fetch(`${base}/report`)).text();
    assert.match(html, new RegExp(`1 case folder not counted:\\s*<code>${DAMAGED}</code> \\(report\\.json cannot be indexed: `));
    const tooLate = (await (await fetch(`${base}/api/report?since=9999-12-31T23:59:59-12:00`)).json()) as FeedAggregate;
    assert.equal(tooLate.cases, 0);
    // Every example of every line is a case page of the UI.
    const examples = new Set(all.rows.flatMap((r) => r.examples));
    for (const id of examples) assert.equal((await fetch(`${base}/cases/${id}`)).status, 200, id);
  } finally {
    await serve.close();
  }
});
