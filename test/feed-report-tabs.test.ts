// The feed report over tab-unders: two tab-under scenarios (the first tab sent on to an ad, once to
// a page that is gone) and an ordinary chain traced with the built CLI into one cases folder; then
// `clicktrace report` in its four formats and the web UI's /report page name the advertiser each
// case's own summary names, list the first tab's hops apart, and count their networks among every
// hop's. The same answer from a cases folder indexed before the index kept the mark (schema 6).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from './helpers.js';
import { cli } from './support/cli.js';
import { startLab, type Lab } from '../src/lab/index.js';
import { startServe } from '../src/cli/serve-command.js';
import { DIMENSION_TITLES, type FeedAggregate, type FeedRow } from '../src/feed/aggregate.js';
import { SCHEMA_VERSION } from '../src/store/schema.js';

let lab: Lab;
let cases: string;
const traced: Record<string, { case: string; summary: string; hops: { url: string; otherTab?: true }[] }> = {};

async function traceJson(name: string, extra: string[] = []): Promise<void> {
  const { code, stdout, stderr } = await cli(['trace', lab.scenarios[name].url, '--json', '--out', cases, ...lab.traceArgs, ...extra]);
  assert.equal(code, 0, `${name}: exit ${code}: ${stderr}`);
  const report = JSON.parse(stdout);
  traced[name] = { case: report.case, summary: report.summary.text, hops: report.hops };
}

before(async () => {
  lab = await startLab();
  cases = tempDir('feed-tabs-');
  await Promise.all([traceJson('click-tab-under-gone', ['--click', 'Continue']), traceJson('click-tab-under', ['--click', 'Continue'])]);
  await traceJson('http-302');
});

after(async () => {
  await lab?.close();
  if (cases) rmSync(cases, { recursive: true, force: true });
});

const TAB_UNDERS = ['click-tab-under-gone', 'click-tab-under'];

/** The lines a case is an example of (every case here is among the first three of its lines). */
function linesOf(rows: FeedRow[], caseId: string): string[] {
  return rows.filter((r) => r.examples.includes(caseId)).map((r) => `${r.dimension}:${r.key}`);
}

function checkAggregate(agg: FeedAggregate): void {
  assert.deepEqual([agg.cases, agg.traces, agg.failed], [3, 3, 0]);
  const gone = traced['click-tab-under-gone'].case;
  const tabUnder = traced['click-tab-under'].case;
  const plain = traced['http-302'].case;
  // Each case's summary names the advertiser; so does the report, for all three, and no final domain stands apart.
  for (const { summary } of Object.values(traced)) assert.match(summary, /-> advertiser www\.advertiser\.example$/);
  const advertiser = agg.rows.filter((r) => r.dimension === 'advertiser');
  assert.deepEqual(
    advertiser.map((r) => [r.key, r.traces, r.detail, [...r.examples].sort()]),
    [['advertiser.example', 3, 'advertiser party', [gone, tabUnder, plain].sort()]],
  );
  assert.deepEqual(
    agg.rows.filter((r) => r.dimension === 'final-domain'),
    [],
  );
  // The chain's own hops: the broker page before the popup; the first tab's relay and gone page are no hops on its way.
  assert.deepEqual(linesOf(agg.rows, gone).sort(), [
    'advertiser:advertiser.example',
    'intermediary:broker-net.test',
    'network:loopback',
    'other-tab:adnet-alpha.test',
    'other-tab:tds-router.test',
  ]);
  assert.deepEqual(linesOf(agg.rows, tabUnder).sort(), [
    'advertiser:advertiser.example',
    'intermediary:broker-net.test',
    'network:loopback',
    'other-tab:advertiser.example',
    'other-tab:broker-net.test',
  ]);
  assert.deepEqual(linesOf(agg.rows, plain).sort(), ['advertiser:advertiser.example', 'intermediary:mailer-esp.test', 'network:loopback']);
  // Every hop's network, the other tabs' too, said so: in how many of the row's cases.
  const loopback = agg.rows.find((r) => r.dimension === 'network' && r.key === 'loopback');
  assert.deepEqual([loopback?.traces, loopback?.detail], [3, "special-purpose address, another tab's hop (2 of 3 cases)"]);
  for (const name of TAB_UNDERS)
    assert.ok(
      traced[name].hops.some((h) => h.otherTab),
      name,
    );
}

/** RFC 4180 records (no quoted line breaks in this report). */
function csvRecords(text: string): string[][] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"')));
}

test("a tab-under's report: the advertiser its summary names, in JSON, CSV, text, HTML and the web UI; the first tab's hops apart", async () => {
  const json = await cli(['report', '--cases', cases, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const agg = JSON.parse(json.stdout) as FeedAggregate;
  checkAggregate(agg);

  const csv = await cli(['report', '--cases', cases, '--csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const records = csvRecords(csv.stdout).slice(2);
  assert.deepEqual(
    records.filter((r) => r[0] !== 'cloaking').map((r) => [r[0], r[1], r[3], r[5], r[8]]),
    agg.rows.map((r) => [r.dimension, r.key, r.detail ?? '', String(r.traces), r.examples.join(' ')]),
  );

  const text = await cli(['report', '--cases', cases]);
  assert.equal(text.code, 0, text.stderr);
  const section = (title: string) => text.stdout.split(`${title}:\n`)[1].split('\n\n')[0];
  assert.match(section(DIMENSION_TITLES.advertiser), /\n {2}advertiser\.example\s+advertiser party\s+0\s+3\s/);
  assert.equal(section(DIMENSION_TITLES['final-domain']), '  (none)');
  assert.match(section(DIMENSION_TITLES['other-tab']), /\n {2}adnet-alpha\.test\s+unattributed\s+0\s+1\s/);
  assert.doesNotMatch(section(DIMENSION_TITLES.intermediary), /adnet-alpha|tds-router/);

  const file = join(tempDir('feed-tabs-html-'), 'report.html');
  const html = await cli(['report', '--cases', cases, '--html', file]);
  assert.equal(html.code, 0, html.stderr);
  const rowsOf = (page: string) =>
    [...page.matchAll(/<tr class="feed-row" data-dimension="([^"]+)" data-key="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
  const expected = agg.rows.map((r) => `${r.dimension}:${r.key}`);
  assert.deepEqual(rowsOf(readFileSync(file, 'utf8')), expected);

  const serve = (await startServe(['--port', '0', '--cases', cases], () => undefined))!;
  try {
    assert.deepEqual(await (await fetch(`${serve.server.url}/api/report`)).json(), agg);
    assert.deepEqual(rowsOf(await (await fetch(`${serve.server.url}/report`)).text()), expected);
  } finally {
    await serve.close();
  }
});

test('a cases folder indexed before the index kept the other-tab mark: rebuilt from the case folders, the same report', async () => {
  const before = await cli(['report', '--cases', cases, '--json']);
  // The index as schema 6 left it: no other_tab column, its advertiser and ending read from every hop.
  const db = new Database(join(cases, 'clicktrace.db'));
  db.exec('ALTER TABLE hops DROP COLUMN other_tab');
  db.exec(`UPDATE cases SET ended_on_page = 0, advertiser = NULL WHERE id = '${traced['click-tab-under-gone'].case}'`);
  db.pragma('user_version = 6');
  const requested = (db.prepare('SELECT COUNT(*) AS n FROM requested_urls').get() as { n: number }).n;
  db.close();
  const after = await cli(['report', '--cases', cases, '--json']);
  assert.equal(after.code, 0, after.stderr);
  checkAggregate(JSON.parse(after.stdout));
  assert.deepEqual(JSON.parse(after.stdout), JSON.parse(before.stdout));
  const reopened = new Database(join(cases, 'clicktrace.db'), { readonly: true });
  try {
    assert.equal(reopened.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    // The ledger of requested URLs is no derived table: kept across the rebuild.
    assert.equal((reopened.prepare('SELECT COUNT(*) AS n FROM requested_urls').get() as { n: number }).n, requested);
  } finally {
    reopened.close();
  }
});
