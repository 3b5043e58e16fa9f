// A message's links through the real tracer and ledger, with no browser: every URL here was
// requested before (the ledger says so), so nothing is requested and the record says what became of it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore } from '../store/index.js';
import { PARTIAL_FILE, MESSAGE_RECORD_FILE } from '../case/case-layout.js';
import { analyzeMessage } from '../mail/parse.js';
import { messageRecord } from '../mail/message-case.js';
import { Tracer } from './tracer.js';
import { Batch } from './batch.js';
import { createMessageCase, linkTarget, openMessageCase, traceMessage, untracedTargets } from './messages.js';

const root = mkdtempSync(join(tmpdir(), 'clicktrace-messages-'));
process.env.CLICKTRACE_HOME ??= join(root, 'home');
after(() => rmSync(root, { recursive: true, force: true }));

const INNER = 'http://click.mailer-esp.test/once/cut-off';
const WRAPPED = `https://nam12.safelinks.protection.outlook.com/?url=${encodeURIComponent(INNER)}&data=05%7C01%7Cvictim%40corp.example%7C0&sdata=x&reserved=0`;
const MESSAGE = `From: Shop <news@shop.example>
To: victim@corp.example
Subject: Wrapped
Message-ID: <wrapped@shop.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><a href="${WRAPPED.replace(/&/g, '&amp;')}" style="font-size:20px;padding:12px">Shop now</a></body></html>
`;

test('a gateway-wrapped link is traced from what it wraps; an earlier trace cut off by a crash is said so', async () => {
  const cases = join(root, 'cases');
  const store = CaseStore.open(cases);
  try {
    // The run that requested INNER was killed mid-trace: its case folder is still PARTIAL, in no index.
    const cutOff = '20261201T000000Z-abcdef';
    mkdirSync(join(cases, cutOff));
    writeFileSync(join(cases, cutOff, PARTIAL_FILE), 'capture in progress\n');
    store.ledger.record(INNER, cutOff, '2026-12-01T00:00:00.000Z');

    const raw = Buffer.from(MESSAGE);
    const record = messageRecord(await analyzeMessage(raw, 'wrapped.eml'));
    const [link] = record.links;
    assert.equal(link.url, WRAPPED);
    const target = linkTarget(link);
    assert.equal(target.url, INNER, 'the Safe Links wrapper is not what is requested');
    assert.match(target.label, /^link 1 \(its Microsoft Defender Safe Links wrapper peeled, not requested\)$/);

    const batch = new Batch(new Tracer({ store, concurrency: 1, browsers: null }));
    const message = createMessageCase(cases, raw, record);
    const traced = await traceMessage(store, { dir: message.dir, record, targets: [target] }, (request) => batch.trace(request));
    assert.deepEqual(
      traced.entries.map((e) => [e.kind, 'url' in e ? e.url : null, 'caseId' in e ? e.caseId : null]),
      [['already-traced', INNER, cutOff]],
    );
    const expected = {
      link: 1,
      requested: INNER,
      gateways: ['Microsoft Defender Safe Links'],
      case: cutOff,
      final: null,
      error: 'the earlier trace was cut off (its case was never closed)',
      earlier: true,
    };
    assert.deepEqual(record.traces, [expected]);
    assert.deepEqual(JSON.parse(readFileSync(join(message.dir, MESSAGE_RECORD_FILE), 'utf8')).traces, [expected], 'message.json says so');
  } finally {
    store.close();
  }
});

test('a message traced again in the same cases folder keeps its one message case, its traces listed once', async () => {
  const cases = join(root, 'cases-again');
  const store = CaseStore.open(cases);
  try {
    const earlierCase = '20261201T000000Z-123456';
    mkdirSync(join(cases, earlierCase));
    store.ledger.record(INNER, earlierCase, '2026-12-01T00:00:00.000Z');
    const raw = Buffer.from(MESSAGE);
    const batch = new Batch(new Tracer({ store, concurrency: 1, browsers: null }));
    const run = async (bytes: Buffer) => {
      const record = messageRecord(await analyzeMessage(bytes, 'wrapped.eml'));
      const message = openMessageCase(store, bytes, record);
      await traceMessage(store, { dir: message.dir, record, targets: [linkTarget(record.links[0])] }, (request) => batch.trace(request));
      return { ...message, traces: record.traces };
    };
    const first = await run(raw);
    const second = await run(raw);
    assert.deepEqual([first.earlier, second.earlier, second.id], [false, true, first.id], 'the same message case');
    assert.deepEqual(
      second.traces.map((t) => t.case),
      [earlierCase],
      'its trace listed once',
    );
    assert.deepEqual(
      JSON.parse(readFileSync(join(first.dir, MESSAGE_RECORD_FILE), 'utf8')).traces.map((t: { case: string }) => t.case),
      [earlierCase],
    );
    // Same Message-ID, other bytes (another delivery, another recipient): a message case of its own.
    const other = await run(Buffer.from(MESSAGE.replace('To: victim@corp.example', 'To: other@corp.example')));
    assert.equal(other.earlier, false);
    assert.equal(readdirSync(cases).filter((n) => n.endsWith('-mail')).length, 2);
  } finally {
    store.close();
  }
});

test('untracedTargets: the targets a run left without a case, with why (not started, failed before the request)', () => {
  const targets = [
    { url: 'http://a.example/1', link: 1, label: 'link 1' },
    { url: 'http://a.example/2', link: 2, label: 'link 2' },
    { url: 'http://a.example/3', link: 3, label: 'link 3' },
    { url: 'http://px.example/o.gif', link: null, resource: 4, label: 'pixel (resource 4)' },
    { url: 'http://a.example/5', link: 5, label: 'link 5' },
  ];
  const untraced = untracedTargets(targets, [
    { kind: 'already-traced', line: null, url: targets[0].url, caseId: '20261201T000000Z-abcdef' },
    { kind: 'skipped', line: null, url: targets[1].url, reason: 'interrupted by SIGINT' },
    { kind: 'failed', line: null, url: targets[2].url, caseId: null, error: 'the browser could not start' },
    { kind: 'skipped', line: null, url: targets[3].url, reason: 'interrupted by SIGTERM' },
    // Failed with a case: its trace is in the record's traces, not here.
    { kind: 'failed', line: null, url: targets[4].url, caseId: '20261201T000000Z-fedcba', error: 'timeout' },
  ] as Parameters<typeof untracedTargets>[1]);
  assert.deepEqual(untraced, [
    { link: 2, url: 'http://a.example/2', kind: 'skipped', reason: 'interrupted by SIGINT' },
    { link: 3, url: 'http://a.example/3', kind: 'failed', reason: 'the browser could not start' },
    { link: null, resource: 4, url: 'http://px.example/o.gif', kind: 'skipped', reason: 'interrupted by SIGTERM' },
  ]);
});
