import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedAggregate, FeedRow } from '../../feed/aggregate.js';
import { feedReportBody, feedReportDocument } from './feed-report.js';

const EVIL = `<img src=x onerror="alert(1)">'\`&`;

test('the feed report page: hostile names and their other spellings are text, in the cells and in the attributes', () => {
  const at = '2026-12-01T00:00:00.000Z';
  // One uncatalogued party seen in two spellings: one shows, the other is "also written".
  const tracker: FeedRow = {
    dimension: 'tracker',
    key: `${EVIL}tracker`.toLowerCase(),
    label: `${EVIL}Tracker`,
    spellings: [`${EVIL}TRACKER`, `${EVIL}Tracker`],
    detail: 'esp-tracker',
    messages: 0,
    traces: 2,
    imported: 0,
    compared: 0,
    firstSeen: at,
    lastSeen: at,
    examples: ['20261201T000001Z-bbbbbb', '20261201T000000Z-aaaaaa'],
    source: null,
  };
  const agg: FeedAggregate = {
    since: null,
    cases: 2,
    messages: 0,
    traces: 2,
    imported: 0,
    compared: 0,
    failed: 0,
    firstSeen: at,
    lastSeen: at,
    rows: [tracker],
  };
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
