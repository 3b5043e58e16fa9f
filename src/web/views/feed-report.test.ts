import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feedAggregate, type FeedCase } from '../../feed/aggregate.js';
import { feedReportBody, feedReportDocument } from './feed-report.js';

const EVIL = `<img src=x onerror="alert(1)">'\`&`;

test('the feed report page: hostile names and their other spellings are text, in the cells and in the attributes', () => {
  const at = '2026-12-01T00:00:00.000Z';
  const hop = (idx: number, domain: string, role: string, name: string | null) => ({
    idx,
    domain,
    partyName: name,
    partyRole: role,
    ip: '93.184.215.14',
    asn: 64500,
    asName: `${EVIL}AS`,
    asCountry: 'US',
    special: null,
    source: 'ip-location-db asn 2026-06-17',
  });
  const trace = (id: string, name: string): FeedCase => ({
    id,
    kind: 'trace',
    startedAt: at,
    messageCases: [],
    platforms: [],
    endedOnPage: true,
    finalDomain: 'shop.example',
    advertiser: `${EVIL}adv`,
    error: null,
    hops: [hop(1, 'evil.example', 'esp-tracker', name), hop(2, 'shop.example', 'advertiser', null)],
  });
  // Two spellings of one uncatalogued party: one shows, the other is "also written".
  const agg = feedAggregate([trace('20261201T000000Z-aaaaaa', `${EVIL}Tracker`), trace('20261201T000001Z-bbbbbb', `${EVIL}TRACKER`)]);
  const tracker = agg.rows.find((r) => r.dimension === 'tracker')!;
  assert.deepEqual(tracker.spellings.length, 2);
  for (const page of [feedReportBody(agg, { linkCases: true }).toString(), feedReportDocument(agg, at).toString()]) {
    assert.ok(!page.includes('<img'), 'no markup from a case');
    assert.ok(!/onerror="/.test(page));
    assert.ok(page.includes('also written: &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;'), page);
    assert.ok(
      page.includes(
        `data-key="${tracker.key.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/`/g, '&#96;')}"`,
      ),
    );
  }
});
