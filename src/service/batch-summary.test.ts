import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchTally, batchSummary } from './batch-summary.js';
import { CaseStore } from '../store/index.js';
import { aggregateCases } from '../feed/index.js';
import type { Report } from '../report.js';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function report(error: string | null = null): Report {
  return {
    tool: { name: 'clicktrace', version: 'test' },
    url: 'http://a.test/',
    mode: 'trace',
    startedAt: '2026-12-01T00:00:00.000Z',
    endedAt: '2026-12-01T00:00:01.000Z',
    elapsedMs: 1000,
    identity: null,
    hops: [],
    final: null,
    pages: [],
    events: [],
    case: null,
    error,
    partial: false,
  };
}

test('the summary counts every kind of result; its aggregate is the feed aggregate of the batch cases', () => {
  const tally = new BatchTally();
  for (let i = 0; i < 5; i++) {
    const caseId = `20261201T00000${i}Z-aaaaa${i}`;
    tally.add({
      kind: 'trace',
      line: i + 1,
      url: `http://a.test/${i}`,
      caseId,
      caseDir: `/cases/${caseId}`,
      report: report(i === 2 ? 'timeout' : null),
      timestamp: null,
    });
  }
  tally.add({ kind: 'duplicate', line: 6, url: 'http://a.test/0', of: 1, caseId: '20261201T000000Z-aaaaa0' });
  tally.add({ kind: 'already-traced', line: 7, url: 'http://a.test/old', caseId: '20261101T000000Z-bbbbbb', inProgress: false });
  tally.add({ kind: 'invalid', line: 8, text: 'junk', error: 'not a URL: "junk"' });
  tally.add({ kind: 'failed', line: 9, url: 'http://a.test/f', caseId: null, error: 'no browser' });
  tally.add({ kind: 'skipped', line: 10, url: 'http://a.test/s', reason: 'interrupted' });
  tally.addMessage({ source: 'a.mbox#1', messageId: '<a@x>', caseId: '20261201T000000Z-cccccc-mail', errors: [], warnings: [] });

  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-summary-'));
  roots.push(dir);
  const store = CaseStore.open(dir);
  let asked: string[] = [];
  try {
    const summary = batchSummary(tally, {
      concurrency: 4,
      interrupted: 'interrupted by SIGINT',
      endedAt: new Date(tally.startedAt.getTime() + 2000),
      aggregate: (caseIds) => {
        asked = caseIds;
        return aggregateCases(store, { caseIds });
      },
    });
    assert.equal(summary.kind, 'summary');
    assert.deepEqual(summary.counts, {
      inputs: 10,
      traced: 5,
      chainErrors: 1,
      failed: 1,
      duplicates: 1,
      alreadyTraced: 1,
      invalid: 1,
      notStarted: 1,
      messages: 1,
    });
    assert.equal(summary.tracesPerSecond, 2.5);
    assert.equal(summary.interrupted, 'interrupted by SIGINT');
    assert.deepEqual(
      summary.failures.map((f) => [f.line, f.error]),
      [
        [3, 'timeout'],
        [8, 'not a URL: "junk"'],
        [9, 'no browser'],
      ],
    );
    assert.deepEqual(
      [...asked].sort(),
      [
        '20261101T000000Z-bbbbbb',
        '20261201T000000Z-aaaaa0',
        '20261201T000000Z-cccccc-mail',
        '20261201T000001Z-aaaaa1',
        '20261201T000002Z-aaaaa2',
        '20261201T000003Z-aaaaa3',
        '20261201T000004Z-aaaaa4',
      ],
      'the traces of this batch, the earlier ones it met again and its message cases',
    );
    assert.equal(summary.aggregate?.cases, 0, 'none of them is in this empty index');
    assert.equal(batchSummary(tally, { concurrency: 0, interrupted: null }).aggregate, null);
  } finally {
    store.close();
  }
});

test("a failure of a mailbox's link names its message, which has no line", () => {
  const tally = new BatchTally();
  tally.add({ kind: 'failed', line: null, url: 'http://a.test/m', caseId: null, error: 'no browser', source: 'feed.mbox#12' });
  tally.add({ kind: 'failed', line: 3, url: 'http://a.test/l', caseId: null, error: 'no browser' });
  assert.deepEqual(
    batchSummary(tally, { concurrency: 1, interrupted: null }).failures.map((f) => [f.line, f.source ?? null]),
    [
      [null, 'feed.mbox#12'],
      [3, null],
    ],
  );
});
