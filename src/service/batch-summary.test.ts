import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchTally, batchSummary } from './batch-summary.js';
import type { Report, PartyRef } from '../report.js';

const party = (role: PartyRef['role'], name: string | null, domain: string): PartyRef => ({
  role,
  name,
  rule: null,
  registrableDomain: domain,
});

function report(parties: PartyRef[], error: string | null = null): Report {
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
    parties,
  };
}

test('the summary counts every kind of result and aggregates the parties per role, most frequent first', () => {
  const tally = new BatchTally();
  const selligent = party('esp-tracker', 'Selligent', 'emsecure.test');
  const shop = party('advertiser', null, 'shop.example');
  for (let i = 0; i < 5; i++) {
    const caseId = `20261201T00000${i}Z-aaaaa${i}`;
    const parties = i < 4 ? [selligent, shop, selligent] : [party('shortener', 'bit.ly', 'bit.ly'), party('unknown', null, 'x.test')];
    tally.add({
      kind: 'trace',
      line: i + 1,
      url: `http://a.test/${i}`,
      caseId,
      caseDir: `/cases/${caseId}`,
      report: report(parties, i === 2 ? 'timeout' : null),
    });
  }
  tally.add({ kind: 'duplicate', line: 6, url: 'http://a.test/0', of: 1, caseId: '20261201T000000Z-aaaaa0' });
  tally.add({ kind: 'already-traced', line: 7, url: 'http://a.test/old', caseId: '20261101T000000Z-bbbbbb', inProgress: false });
  tally.add({ kind: 'invalid', line: 8, text: 'junk', error: 'not a URL: "junk"' });
  tally.add({ kind: 'failed', line: 9, url: 'http://a.test/f', caseId: null, error: 'no browser' });
  tally.add({ kind: 'skipped', line: 10, url: 'http://a.test/s', reason: 'interrupted' });
  tally.notStarted(3);
  tally.addMessage({ caseId: '20261201T000000Z-cccccc-mail', platforms: ['SendGrid', 'SendGrid'], error: null });

  const summary = batchSummary(tally, {
    concurrency: 4,
    interrupted: 'interrupted (SIGINT)',
    endedAt: new Date(tally.startedAt.getTime() + 2000),
  });
  assert.equal(summary.kind, 'summary');
  assert.deepEqual(summary.counts, {
    inputs: 13,
    traced: 5,
    chainErrors: 1,
    failed: 1,
    duplicates: 1,
    alreadyTraced: 1,
    invalid: 1,
    notStarted: 4,
    messages: 1,
  });
  assert.equal(summary.tracesPerSecond, 2.5);
  assert.equal(summary.interrupted, 'interrupted (SIGINT)');
  assert.deepEqual(
    summary.failures.map((f) => [f.line, f.error]),
    [
      [3, 'timeout'],
      [8, 'not a URL: "junk"'],
      [9, 'no browser'],
    ],
  );
  assert.deepEqual(
    summary.aggregate.roles.map((r) => [r.role, r.parties.map((p) => `${p.name} ${p.count}`)]),
    [
      ['sending-platform', ['SendGrid 1']],
      ['esp-tracker', ['Selligent 4']],
      ['shortener', ['bit.ly 1']],
      ['advertiser', ['shop.example 4']],
    ],
    'a party counts once per case; unknown ones are left out; named by their domain when they have no name',
  );
  assert.deepEqual(summary.aggregate.roles[1].parties[0].cases, [
    '20261201T000000Z-aaaaa0',
    '20261201T000001Z-aaaaa1',
    '20261201T000002Z-aaaaa2',
  ]);
  assert.equal(tally.caseIds.length, 5);
});
