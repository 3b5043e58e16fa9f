import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Hop, Report } from '../report.js';
import { CaseStore } from './case-store.js';
import { databasePath } from './paths.js';
import { SCHEMA_VERSION } from './schema.js';
import { feedCases } from './feed-cases.js';
import { aggregateCases } from '../feed/index.js';

const root = mkdtempSync(join(tmpdir(), 'clicktrace-feed-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

const GOOGLE = { asn: 15169, name: 'Google LLC', country: 'US', source: '@ip-location-db/asn@2.3.2026061719', sourceDate: '2026-06-17' };

function hop(index: number, url: string, ip: string, extra: Partial<Hop> = {}): Hop {
  return {
    index,
    url,
    method: 'GET',
    status: 200,
    via: index === 1 ? 'start' : 'http-302',
    evidence: { detail: '' },
    ip,
    tls: null,
    contentType: 'text/html',
    timing: { startedAt: '2026-11-26T10:00:00.000Z', ms: 1 },
    exchange: null,
    error: null,
    ...extra,
  };
}

function writeCase(dir: string, id: string, report: Partial<Report>): void {
  const full: Report = {
    tool: { name: 'clicktrace', version: '0' },
    url: report.hops?.[0]?.url ?? null,
    mode: 'trace',
    startedAt: '2026-11-26T10:00:00.000Z',
    endedAt: null,
    elapsedMs: null,
    identity: null,
    hops: [],
    final: null,
    pages: [],
    events: [],
    case: id,
    error: null,
    partial: false,
    ...report,
  };
  mkdirSync(join(dir, id));
  writeFileSync(join(dir, id, 'report.json'), JSON.stringify(full));
}

test('an index of schema 1 is rebuilt with hosting networks; old reports get their special blocks; since and caseIds select', () => {
  const dir = join(root, 'cases');
  mkdirSync(dir);
  const tracker = { role: 'esp-tracker' as const, name: 'Selligent', rule: null, registrableDomain: 'emsecure.test' };
  const landing = 'https://www.shop.example/offer';
  writeCase(dir, '20261126T100000Z-aaaaaa', {
    startedAt: '2026-11-26T10:00:00.000Z',
    hops: [
      hop(1, 'http://news.emsecure.test/c', '8.8.8.8', { party: tracker, network: GOOGLE }),
      // A report made before hops had networks: the index still labels loopback.
      hop(2, landing, '127.0.0.1'),
    ],
    final: { url: landing, status: 200, title: 'Offer' },
    pages: [{ index: 1, url: landing, title: 'Offer', screenshot: null, dom: null }],
    parties: [tracker, { role: 'advertiser', name: 'shop.example', rule: null, registrableDomain: 'shop.example' }],
  });
  writeCase(dir, '20261127T100000Z-bbbbbb', {
    startedAt: '2026-11-27T10:00:00.000Z',
    hops: [hop(1, 'http://loop-a.example/', '10.0.0.1'), hop(2, 'http://loop-b.example/', '10.0.0.2', { status: 302 })],
    final: { url: 'http://loop-b.example/', status: 302, title: null },
    error: 'redirect loop',
  });
  // The index as schema 1 left it: a table without the new columns.
  const old = new Database(databasePath(dir));
  old.exec('CREATE TABLE cases (id TEXT PRIMARY KEY, kind TEXT NOT NULL)');
  old.pragma('user_version = 1');
  old.close();

  const store = CaseStore.open(dir);
  try {
    assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(store.sync().indexed, 2);
    const [first, second] = feedCases(store);
    assert.equal(first.id, '20261126T100000Z-aaaaaa');
    assert.deepEqual(
      [first.endedOnPage, first.finalDomain, first.advertiser, first.messageCases, first.platforms],
      [true, 'shop.example', 'shop.example', [], []],
    );
    assert.deepEqual(first.hops[0], {
      idx: 1,
      domain: 'emsecure.test',
      partyName: 'Selligent',
      partyRole: 'esp-tracker',
      ip: '8.8.8.8',
      asn: 15169,
      asName: 'Google LLC',
      asCountry: 'US',
      special: null,
      source: 'ip-location-db asn 2026-06-17',
      via: 'start',
      error: null,
    });
    assert.deepEqual([first.hops[1].special, first.hops[1].asn], ['loopback', null]);
    assert.deepEqual(
      [second.endedOnPage, second.finalDomain, second.hops.map((h) => h.special)],
      [false, 'loop-b.example', ['private', 'private']],
    );

    assert.deepEqual(
      feedCases(store, { since: '2026-11-27T00:00:00.000Z' }).map((c) => c.id),
      ['20261127T100000Z-bbbbbb'],
    );
    assert.deepEqual(
      feedCases(store, { caseIds: ['20261126T100000Z-aaaaaa', 'nope'] }).map((c) => c.id),
      ['20261126T100000Z-aaaaaa'],
    );
    const agg = aggregateCases(store, { caseIds: ['20261127T100000Z-bbbbbb'] });
    assert.deepEqual(
      agg.rows.map((r) => `${r.dimension}:${r.key}:${r.traces}`),
      ['intermediary:loop-a.example:1', 'final-domain:loop-b.example:1', 'network:private:1'],
    );
  } finally {
    store.close();
  }
});

test('ended on a page as the analysis decides: an import and a page that never finished loading count; a download, an error, a partial case not', () => {
  const dir = join(root, 'endings');
  mkdirSync(dir);
  const landing = 'http://shop.example/offer';
  const advertiser = { role: 'advertiser' as const, name: 'shop.example', rule: 'final landing page', registrableDomain: 'shop.example' };
  const page = {
    hops: [hop(1, 'http://t.example/c', '8.8.8.8', { status: 302 }), hop(2, landing, '8.8.8.8')],
    final: { url: landing, status: 200, title: null },
  };
  const snapshot = [{ index: 2, url: landing, title: 'Offer', screenshot: null, dom: null }];
  // A HAR import: no rendered page recorded, but the analysis names the advertiser (its last response was a page).
  writeCase(dir, '20261126T100000Z-a00001', { ...page, mode: 'import', pages: [], parties: [advertiser] });
  writeCase(dir, '20261126T100001Z-a00002', {
    ...page,
    pages: snapshot,
    error: 'page did not finish loading: load event',
    parties: [advertiser],
  });
  writeCase(dir, '20261126T100002Z-a00003', {
    ...page,
    pages: [],
    events: [{ at: '', kind: 'download', detail: 'x.zip from http://shop.example/offer' }],
  });
  writeCase(dir, '20261126T100003Z-a00004', { ...page, pages: snapshot, error: 'connection reset by shop.example' });
  writeCase(dir, '20261126T100004Z-a00005', { ...page, pages: snapshot, partial: true });
  const store = CaseStore.open(dir);
  try {
    store.sync();
    const ended = Object.fromEntries(feedCases(store).map((c) => [c.id.slice(-1), [c.endedOnPage, c.advertiser]]));
    assert.deepEqual(ended, {
      1: [true, 'shop.example'], // imported
      2: [true, 'shop.example'], // did not finish loading
      3: [false, null], // download
      4: [false, null], // reset
      5: [false, null], // partial
    });
    const agg = aggregateCases(store);
    assert.deepEqual([agg.traces, agg.imported, agg.failed], [5, 1, 2]);
    const shop = agg.rows.find((r) => r.dimension === 'advertiser' && r.key === 'shop.example');
    assert.deepEqual([shop?.traces, shop?.imported], [2, 1]);
    // The chains that reached no landing page say how each ended, not only that it did not end on a page.
    const final = agg.rows.find((r) => r.dimension === 'final-domain' && r.key === 'shop.example');
    assert.equal(
      final?.detail,
      'did not end on a page: connection reset by shop.example (1 of 3 cases), cut off (1 of 3 cases), file download (1 of 3 cases)',
    );
  } finally {
    store.close();
  }
});

test("a chain's final domain says how it ended: a link taken down (HTTP 404) apart from one that hung, a loop, without the chain's URLs", () => {
  const dir = join(root, 'no-landing');
  mkdirSync(dir);
  const gone = 'http://go.short.example/Zx9';
  writeCase(dir, '20261126T110000Z-b00001', {
    hops: [hop(1, 'http://t.example/c', '8.8.8.8', { status: 302 }), hop(2, gone, '8.8.8.8', { status: 404 })],
    final: { url: gone, status: 404, title: 'Link not found' },
    pages: [{ index: 2, url: gone, title: 'Link not found', screenshot: null, dom: null }],
  });
  writeCase(dir, '20261126T110001Z-b00002', {
    hops: [
      hop(1, 'http://t.example/c', '8.8.8.8', { status: 302 }),
      hop(2, 'http://go.short.example/hang?u=secret', '8.8.8.8', { status: null }),
    ],
    final: { url: 'http://go.short.example/hang?u=secret', status: null, title: null },
    error: 'timeout: no response for http://go.short.example/hang?u=secret within 60 s',
  });
  const again = 'http://go.short.example/again';
  writeCase(dir, '20261126T110002Z-b00003', {
    hops: [1, 2, 3].map((i) => hop(i, again, '8.8.8.8', { status: 302 })),
    final: { url: again, status: 302, title: null },
    error: `redirect loop: ${again} requested 3 times`,
  });
  const store = CaseStore.open(dir);
  try {
    store.sync();
    const final = aggregateCases(store).rows.find((r) => r.dimension === 'final-domain' && r.key === 'short.example');
    assert.equal(final?.traces, 3);
    assert.equal(final?.detail, 'did not end on a page: HTTP 404 (1 of 3 cases), redirect loop (1 of 3 cases), timeout (1 of 3 cases)');
  } finally {
    store.close();
  }
});

test("a batch's cases are read by their ids: its summary does not read the other cases' hops of a large folder", () => {
  const dir = join(root, 'large');
  mkdirSync(dir);
  writeCase(dir, '20261128T100000Z-cccccc', {
    startedAt: '2026-11-28T10:00:00.000Z',
    hops: [hop(1, 'http://relay.example/', '10.0.0.1'), hop(2, 'http://end.example/', '10.0.0.2', { status: 404 })],
    final: { url: 'http://end.example/', status: 404, title: null },
  });
  const store = CaseStore.open(dir);
  try {
    store.sync();
    // Another case of 400,000 hops: the rest of a folder of tens of thousands of cases.
    const at = '2026-11-01T00:00:00.000Z';
    store.db.prepare("INSERT INTO cases (id, kind, started_at, indexed_at) VALUES ('20261101T000000Z-dddddd', 'trace', ?, ?)").run(at, at);
    store.db.exec(
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) ' +
        "INSERT INTO hops (case_id, idx, url, domain, ip) SELECT '20261101T000000Z-dddddd', i, 'http://other.example/', 'other.example', '8.8.8.8' FROM n",
    );
    const started = performance.now();
    const agg = aggregateCases(store, { caseIds: ['20261128T100000Z-cccccc'] });
    const ms = performance.now() - started;
    assert.deepEqual(
      agg.rows.map((r) => `${r.dimension}:${r.key}:${r.traces}`),
      ['intermediary:relay.example:1', 'final-domain:end.example:1', 'network:private:1'],
    );
    // Reading every hop of the folder took 2.3 s for one case on a folder of 60,000 cases (140,000 hops).
    assert.ok(ms < 150, `${ms.toFixed(0)} ms for one case`);
  } finally {
    store.close();
  }
});

test('a report.json with no mode (damaged, or made by another tool) is a folder not counted, said why; the others are counted', () => {
  const dir = join(root, 'damaged');
  mkdirSync(dir);
  writeCase(dir, '20261129T100000Z-eeeeee', { hops: [hop(1, 'http://shop.example/', '10.0.0.1')] });
  writeCase(dir, '20261129T100001Z-ffffff', { mode: undefined, hops: [hop(1, 'http://other.example/', '10.0.0.2')] });
  const store = CaseStore.open(dir);
  try {
    // Its case row was dropped (no kind), then its hops broke the index's foreign key: "internal error", exit 3, for every report.
    assert.deepEqual(store.sync().skipped, [{ id: '20261129T100001Z-ffffff', reason: 'report.json is not a report' }]);
    assert.deepEqual(
      feedCases(store).map((c) => c.id),
      ['20261129T100000Z-eeeeee'],
    );
  } finally {
    store.close();
  }
});
