// What `clicktrace mail` prints of a message and of a mailbox run: header values are the sender's
// (hostile), so none reaches the terminal as a control character and tables keep their columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatMessage } from './mail-output.js';
import { formatSummary } from './batch-output.js';
import { displayWidth } from '../terminal-text.js';
import { analyzeMessage } from '../mail/parse.js';
import { messageRecord } from '../mail/message-case.js';
import { projectPath } from '../project-root.js';
import type { BatchSummary } from '../service/batch-summary.js';
import type { FeedRow } from '../feed/aggregate.js';

const fixture = (name: string) => readFileSync(projectPath('test', 'fixtures', 'mail', name));
/** What a terminal would act on: C0 (newline aside), DEL, C1, bidi embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

test('mail: a Subject and From of ESC sequences, C1 controls, U+202E and a very long line reach the terminal written out and cut', async () => {
  const raw = fixture('hostile-headers.eml');
  assert.ok(raw.includes('\x1b[2J') && raw.toString('latin1').split('\r\n')[2].length > 4000, 'raw ESC, a Subject line of 4000+ bytes');
  const mail = await analyzeMessage(raw, 'hostile-headers.eml');
  assert.match(mail.subject ?? '', /\u009b31m C1 \u0085 next \u202egnp\.exe\u202c ok/, 'the decoder keeps them: output must not');
  const text = formatMessage(messageRecord(mail));
  assert.doesNotMatch(text, CONTROL);
  const lines = text.split('\n');
  const subject = lines.find((l) => l.startsWith('Subject: '))!;
  assert.ok(
    subject.startsWith(
      'Subject: Invoice \\x1b[2J\\x1b[H\\x1b]0;owned\\x07 overdue \\x9b31m C1 \\x85 next \\u202egnp.exe\\u202c ok LONGLONG',
    ),
    subject,
  );
  assert.ok(subject.endsWith('…') && displayWidth(subject) < 400, `Subject line of ${subject.length} characters`);
  const from = lines.find((l) => l.startsWith('From: '))!;
  assert.match(from, /^From: Billing \\u202eecivres\\u202c 收款部门 \\x1b\[1m <billing@hostile-headers\.example> {3}Reply-To: -/);
  assert.match(text, /^ {3}1 {2}https:\/\/pay\.hostile-headers\.example\/invoice {2}"Pay the invoice" {2}\[MAIN\]$/m);
});

test('mail: a message read with a repaired boundary shows its warning under the links', async () => {
  const text = formatMessage(messageRecord(await analyzeMessage(fixture('no-boundary.eml'), 'no-boundary.eml')));
  assert.match(text, /\[MAIN\]/);
  assert.equal(
    text.split('\n').at(-1),
    'warning: multipart/mixed declares no boundary; parsed with "----=_Part_7731_20240312", the boundary the body uses',
  );
});

test("mailbox summary: a hostile message's values are written out, and the tables stay aligned with wide and long values cut", async () => {
  const mail = await analyzeMessage(fixture('hostile-headers.eml'), 'inbox.mbox#1');
  const row = (label: string, detail: string | null): FeedRow => ({
    dimension: 'recipient',
    key: label.toLowerCase(),
    label,
    spellings: [label],
    detail,
    messages: 1,
    traces: 0,
    imported: 0,
    compared: 0,
    firstSeen: '2024-03-12T09:30:00.000Z',
    lastSeen: '2024-03-12T09:30:00.000Z',
    examples: ['20240312T093000Z-abc123-mail'],
    source: null,
  });
  const summary: BatchSummary = {
    kind: 'summary',
    startedAt: '2024-03-12T09:30:00.000Z',
    endedAt: '2024-03-12T09:31:00.000Z',
    elapsedMs: 60_000,
    concurrency: 2,
    interrupted: null,
    counts: {
      inputs: 1,
      traced: 0,
      chainErrors: 0,
      failed: 0,
      duplicates: 0,
      alreadyTraced: 0,
      invalid: 0,
      notStarted: 0,
      messages: 2,
      messageErrors: 1,
    },
    tracesPerSecond: 0,
    failures: [{ line: null, source: `inbox.mbox#2 ${mail.subject}`, messageId: mail.messageId, error: `${mail.subject}`, case: null }],
    aggregate: {
      since: null,
      cases: 1,
      messages: 1,
      traces: 0,
      imported: 0,
      compared: 0,
      failed: 0,
      firstSeen: '2024-03-12T09:30:00.000Z',
      lastSeen: '2024-03-12T09:30:00.000Z',
      rows: [
        row(`${mail.from!.name} <${mail.from!.address}>`, mail.subject),
        row('victim@recipient.example', 'given out to shop.example'),
        row('收款部门收款部门收款部门收款部门收款部门收款部门收款部门收款部门@wide.example', null),
      ],
    },
  };
  const text = formatSummary(summary);
  assert.doesNotMatch(text, CONTROL);
  const lines = text.split('\n');
  const failure = lines[lines.indexOf('Failures:') + 1];
  assert.ok(failure.includes('message <\\x1b[31mred'), failure);
  const head = lines.findIndex((l) => /^ {2}name {2,}detail/.test(l));
  const table = lines.slice(head, head + 4);
  // Every row's last column (the examples) starts at the same terminal column as the title's.
  const lastColumn = (line: string) => displayWidth(line.slice(0, line.lastIndexOf('  ') + 2));
  assert.deepEqual(
    table.map(lastColumn),
    table.map(() => lastColumn(table[0])),
    table.join('\n'),
  );
  assert.ok(
    table.every((l) => displayWidth(l) < 48 + 72 + 8 + 36 + 20 + 20 + 40 + 20),
    'name and detail cut to their widths',
  );
});
