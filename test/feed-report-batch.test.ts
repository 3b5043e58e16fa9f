// The feed aggregate that ends a batch and `clicktrace report` over the same cases folder, with
// the built CLI against the lab: they agree; a later batch that meets a link again (already
// traced) dates the chain's lines by when its trace was recorded and the message's lines by the
// message; `--since` counts what its rule says; the header platform "SendGrid" is one line with
// the catalogue's "Twilio SendGrid". Lean: two single-use links, three messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { jsonLines, runCli } from './support/cli-process.js';
import { startLab, SINGLE_USE_PREFIX, type Lab } from '../src/lab/index.js';
import type { FeedAggregate, FeedRow } from '../src/feed/aggregate.js';

let lab: Lab;
let out: string;
before(async () => {
  lab = await startLab();
  out = tempDir('feed-batch-');
});
after(async () => {
  await lab?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** An mbox message with a single-use lab link; `headers` name its sending platform. */
function message(n: number, link: string, headers: string): string {
  return `From news@shop.example Mon Mar  4 10:00:00 2024
From: Shop News <news@shop.example>
To: reader@recipient.example
Subject: Offer ${n}
Message-ID: <feed-batch-${n}@shop.example>
${headers}
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p><a href="${link}">Shop now</a></p></body></html>
`;
}

async function batch(
  messages: string[],
  name: string,
): Promise<{ summary: { startedAt: string; aggregate: FeedAggregate }; lines: any[] }> {
  const box = join(out, `${name}.mbox`);
  writeFileSync(box, messages.join('\n'));
  const run = await runCli([
    'mail',
    box,
    '--trace',
    'main',
    '--no-explore',
    '--json',
    '--concurrency',
    '2',
    '--out',
    out,
    ...lab.traceArgs,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const lines = jsonLines<any>(run.stdout);
  const summary = lines.pop();
  assert.equal(summary.kind, 'summary');
  return { summary, lines };
}

async function report(extra: string[] = []): Promise<FeedAggregate> {
  const run = await runCli(['report', '--cases', out, '--json', ...extra]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as FeedAggregate;
}

const rowsOf = (agg: FeedAggregate, dimension: string) => agg.rows.filter((r) => r.dimension === dimension);
const startOf = (caseId: string) => (JSON.parse(readFileSync(join(out, caseId, 'report.json'), 'utf8')) as { startedAt: string }).startedAt;

test("a batch's closing aggregate and clicktrace report agree; a later batch that reuses a trace dates each line by its evidence", async () => {
  const [a, b] = ['feed-batch-a', 'feed-batch-b'].map((t) => `${SINGLE_USE_PREFIX}${t}`);
  const first = await batch([message(1, a, 'X-SG-EID: abc'), message(2, b, 'X-Mailgun-Sid: xyz')], 'first');
  const whole = await report();
  const { cloaking, ...withoutCloaking } = whole;
  assert.deepEqual(cloaking, []);
  assert.deepEqual(first.summary.aggregate, withoutCloaking, 'the batch is the whole folder: the same answer');
  assert.deepEqual([whole.messages, whole.traces], [2, 2]);

  // The header's "SendGrid" is the catalogue's Twilio SendGrid, shown by its message case.
  const [sendgrid] = rowsOf(whole, 'platform').filter((r) => r.key === 'Twilio SendGrid');
  assert.ok(sendgrid, JSON.stringify(rowsOf(whole, 'platform')));
  assert.deepEqual([sendgrid.label, sendgrid.spellings, sendgrid.messages, sendgrid.traces], ['Twilio SendGrid', ['SendGrid'], 1, 1]);
  assert.equal(sendgrid.examples.length, 1);
  assert.match(sendgrid.examples[0], /-mail$/, 'the example is the message case whose headers name it');

  // A day later, another message with link a (already traced: not requested again).
  const firstTraces = first.lines.flatMap((l) => l.traces as { case: string }[]).map((t) => t.case);
  const second = await batch([message(3, a, 'X-Mailgun-Sid: later')], 'second');
  assert.equal(lab.hits('/once/feed-batch-a'), 1, 'the link was requested once');
  const agg = second.summary.aggregate;
  assert.deepEqual([agg.messages, agg.traces], [1, 1]);
  const reused = second.lines[0].traces[0].case as string;
  assert.ok(firstTraces.includes(reused));
  for (const dimension of ['advertiser', 'network']) {
    for (const row of rowsOf(agg, dimension)) {
      assert.deepEqual(
        [row.firstSeen, row.lastSeen, row.examples],
        [startOf(reused), startOf(reused), [reused]],
        `${dimension} ${row.key}`,
      );
    }
  }
  const mailgun: FeedRow = rowsOf(agg, 'platform')[0];
  const messageCase = second.lines[0].case as string;
  assert.deepEqual([mailgun.key, mailgun.messages, mailgun.traces, mailgun.examples], ['Mailgun', 1, 1, [messageCase]]);
  // A message case's time is the second in its folder name.
  const secondStart = second.summary.startedAt.replace(/\.\d+Z$/, '.000Z');
  assert.ok(mailgun.firstSeen! >= secondStart, `the message came with this batch: ${mailgun.firstSeen}`);
  assert.ok(startOf(reused) < second.summary.startedAt, 'the reused trace is older than the batch');

  // --since the second batch: its message counts; the trace it reused is older than the window.
  const windowed = await report(['--since', secondStart]);
  assert.deepEqual([windowed.cases, windowed.messages, windowed.traces], [1, 1, 0]);
  assert.deepEqual(
    windowed.rows.map((r) => `${r.dimension}:${r.key}:${r.examples.join(' ')}`),
    [`platform:Mailgun:${messageCase}`],
  );
  // The whole folder: Mailgun seen in two messages, link a's chain counted for both of its messages.
  const all = await report();
  assert.deepEqual([all.messages, all.traces], [3, 2]);
  const mailgunAll = rowsOf(all, 'platform').find((r) => r.key === 'Mailgun')!;
  assert.deepEqual([mailgunAll.messages, mailgunAll.traces], [2, 2]);
});
