import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSigningKey } from '../case/signing.js';
import { verifyCase } from '../verify/verify.js';
import { createMessageCase, messageCaseName, messageRecord, rewriteMessageRecord, writeMessageCase } from './message-case.js';
import { caseFolderName } from '../case/case-layout.js';
import { CaseStore } from '../store/index.js';
import { isCaseId, isMessageCaseId } from '../store/paths.js';
import { timeFromCaseId } from '../store/case-rows.js';
import { analyzeMessage } from './parse.js';
import { projectPath } from '../project-root.js';

const raw = readFileSync(projectPath('test', 'fixtures', 'mail', 'seed.eml'));

async function messageCase(keyDir: string | null): Promise<{ dir: string; record: ReturnType<typeof messageRecord> }> {
  const out = mkdtempSync(join(tmpdir(), 'clicktrace-message-case-'));
  const record = messageRecord(await analyzeMessage(raw, 'seed.eml'));
  const name = messageCaseName();
  record.case = name;
  return { dir: writeMessageCase(out, name, raw, record, { keyDir }), record };
}

test('a message case is sealed: verify checks message.eml and message.json against the signed manifest', async () => {
  const keyDir = join(mkdtempSync(join(tmpdir(), 'clicktrace-keys-')), 'keys');
  await initSigningKey(keyDir);
  const { dir, record } = await messageCase(keyDir);
  let result = await verifyCase(dir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.kind, 'message');
  assert.equal(result.checked.signature, 'valid');
  assert.equal(result.checked.files, 3);

  // A trace added later (the web UI does this) reseals the case.
  record.traces.push({ link: 1, case: '20261126T000000Z-abcdef', final: 'https://example.com/', error: null });
  rewriteMessageRecord(dir, record, { keyDir });
  result = await verifyCase(dir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checked.signature, 'valid');

  const eml = readFileSync(join(dir, 'message.eml'));
  eml[eml.length - 5] ^= 0x01;
  writeFileSync(join(dir, 'message.eml'), eml);
  writeFileSync(join(dir, 'message.json'), readFileSync(join(dir, 'message.json'), 'utf8').replace('"traces"', '"traces" '));
  result = await verifyCase(dir);
  assert.equal(result.ok, false);
  assert.ok(
    result.problems.some((p) => p.startsWith('message.eml: SHA-256 differs')),
    result.problems.join('\n'),
  );
  assert.ok(
    result.problems.some((p) => p.startsWith('message.json: ')),
    result.problems.join('\n'),
  );
});

test('an unsigned message case verifies with its signature absent; a missing manifest is a problem', async () => {
  const { dir } = await messageCase(null);
  const result = await verifyCase(dir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checked.signature, 'absent');
  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'manifest.json'));
  assert.ok((await verifyCase(dir)).problems.some((p) => p === 'manifest.json: missing'));
});

test('message cases of one second never collide and sort as they were made; older random names still read', async () => {
  // One millisecond, many names: each one above the one before.
  const at = new Date('2026-11-26T21:57:33.250Z');
  const names = Array.from({ length: 500 }, () => messageCaseName(at));
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual([...names].sort(), names);
  for (const name of names.slice(0, 3)) {
    assert.ok(isMessageCaseId(name), name);
    assert.equal(timeFromCaseId(name), '2026-11-26T21:57:33.000Z');
  }
  // Within a second the millisecond orders names; one made later never sorts before the one before.
  const first = caseFolderName(new Date('2026-11-26T21:57:34.100Z'));
  const second = caseFolderName(new Date('2026-11-26T21:57:34.900Z'));
  const third = caseFolderName(new Date('2026-11-26T21:57:34.050Z'));
  assert.ok(names.at(-1)! < first && first < second && second < third, [first, second, third].join(' '));
  assert.ok(parseInt(first.slice(-6), 16) >> 14 === 100 && parseInt(second.slice(-6), 16) >> 14 === 900);
  assert.ok(isCaseId('20261126T215733Z-f00d42') && isMessageCaseId('20261126T215733Z-f00d42-mail'), 'older names');

  // Messages of one mailbox made into cases back to back: the index lists them newest first, in order.
  const out = mkdtempSync(join(tmpdir(), 'clicktrace-message-order-'));
  const analysis = await analyzeMessage(raw, 'seed.eml');
  const made = Array.from({ length: 30 }, () => createMessageCase(out, raw, messageRecord(analysis)).id);
  assert.equal(new Set(made).size, made.length);
  assert.deepEqual([...made].sort(), made);
  const store = CaseStore.open(out);
  try {
    store.reindex();
    const listed = store.search({ limit: 100 }).cases.map((c) => c.id);
    assert.deepEqual(listed, [...made].reverse());
  } finally {
    store.close();
  }
});

test('analysing a mailbox keeps no message alive: the caches keyed by its links hold copies, not slices of its body', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Newsletters of ~600 KB, each with its own tracker link, pixel and tagged recipient.
  const message = (i: number) =>
    Buffer.from(
      `From: Shop <news@shop.example>\r\nTo: reader+shop${i}@recipient.example\r\nSubject: Offer ${i}\r\n` +
        `Message-ID: <big-${i}@shop.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n` +
        `<html><body><p>${'lorem ipsum dolor sit amet '.repeat(22_000)}</p>` +
        `<a href="https://click.tracker-${i}.example/c/${i}/offer-for-you?u=reader%2Bshop${i}%40recipient.example">Shop now</a>` +
        `<img src="https://px.tracker-${i}.example/open/${i}.gif" width="1" height="1"></body></html>\r\n`,
    );
  const analyse = async (i: number) => messageRecord(await analyzeMessage(message(i), `box#${i}`)).links.length;
  assert.equal(await analyse(-1), 1);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 40; i++) await analyse(i);
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // 40 bodies are 24 MB; what stays is the caches' entries, a few KB.
  assert.ok(grown < 8_000_000, `the heap grew by ${grown} bytes after 40 messages of 600 KB`);
});

test("a message case's time is kept to the millisecond, as a trace's, and indexed so; an older record's is its folder name's", async () => {
  const out = mkdtempSync(join(tmpdir(), 'clicktrace-message-time-'));
  const analysis = await analyzeMessage(raw, 'seed.eml');
  const before = Date.now();
  const record = messageRecord(analysis);
  const made = createMessageCase(out, raw, record);
  const written = JSON.parse(readFileSync(join(made.dir, 'message.json'), 'utf8')) as { recordedAt: string };
  assert.match(written.recordedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.ok(Date.parse(written.recordedAt) >= before && Date.parse(written.recordedAt) <= Date.now());
  // The folder name gives the same time, to the second.
  assert.equal(timeFromCaseId(made.id), written.recordedAt.replace(/\.\d{3}Z$/, '.000Z'));
  assert.deepEqual(Object.keys(written).slice(0, 3), ['kind', 'case', 'recordedAt']);
  // A trace added later rewrites the record: its time stays.
  record.traces.push({ link: 1, case: '20261126T090001Z-eeeeee', final: null, error: null });
  rewriteMessageRecord(made.dir, record, { keyDir: null });
  assert.equal((JSON.parse(readFileSync(join(made.dir, 'message.json'), 'utf8')) as { recordedAt: string }).recordedAt, written.recordedAt);
  // A record written before the time was kept: still read, at its folder name's time.
  const older = '20261126T215733Z-f00d42-mail';
  const olderRecord = messageRecord(analysis);
  olderRecord.case = older;
  writeMessageCase(out, older, raw, olderRecord, { keyDir: null });
  assert.ok(!('recordedAt' in JSON.parse(readFileSync(join(out, older, 'message.json'), 'utf8'))));
  const store = CaseStore.open(out);
  try {
    store.reindex();
    const times = new Map(store.search({ limit: 10 }).cases.map((c) => [c.id, c.startedAt]));
    assert.equal(times.get(made.id), written.recordedAt);
    assert.equal(times.get(older), '2026-11-26T21:57:33.000Z');
  } finally {
    store.close();
  }
});
