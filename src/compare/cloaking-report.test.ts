import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloakingByParty, type ComparedLink } from './cloaking-report.js';

const link = (id: string, verdict: ComparedLink['verdict'], parties: string[], signals: string[] = []): ComparedLink => ({
  id,
  startedAt: `2026-12-0${id.length}T00:00:00Z`,
  verdict,
  signals,
  parties,
});

test('cloaked links are counted per party on their chains, with the signals they split on', () => {
  const rows = cloakingByParty([
    link('a', 'cloaked', ['Mailer ESP', 'phish.example', 'Mailer ESP'], ['user-agent']),
    link('bb', 'cloaked', ['Mailer ESP', 'cloak-cdn.test'], ['referrer']),
    link('ccc', 'same', ['Mailer ESP', 'advertiser.example']),
    link('dddd', 'single-use', ['Mailer ESP']),
  ]);
  const esp = rows.find((r) => r.party === 'Mailer ESP')!;
  assert.deepEqual({ compared: esp.compared, cloaked: esp.cloaked, singleUse: esp.singleUse }, { compared: 4, cloaked: 2, singleUse: 1 });
  assert.deepEqual(esp.signals, ['referrer', 'user-agent']);
  assert.deepEqual(esp.examples, ['bb', 'a', 'dddd']);
  assert.deepEqual([esp.firstSeen, esp.lastSeen], ['2026-12-01T00:00:00Z', '2026-12-04T00:00:00Z']);
  assert.equal(rows[0].party, 'Mailer ESP');
  assert.equal(rows.find((r) => r.party === 'advertiser.example')!.cloaked, 0);
});
