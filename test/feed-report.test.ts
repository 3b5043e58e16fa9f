// The feed report end to end: a mixed set of lab scenarios traced with the built CLI into one cases
// folder (seed with its click, the five-hop broker chain, a loop, a download) plus a message traced
// with `mail --trace main`; then `clicktrace report` in all four formats, and the /report page
// of the web UI in Chromium, hostile party names included. The lab resolves every host to
// 127.0.0.1, so every hop's network is "loopback" here (public answers: src/hosting/*.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { tempDir, UI_CHROMIUM } from './helpers.js';
import { CHROMIUM_PATH } from '../src/capture/chromium-process.js';
import { cli } from './support/cli.js';
import type { FeedRow as Row } from '../src/feed/aggregate.js';
import { startLab, type Lab } from '../src/lab/index.js';
import { startServe, type ServeHandle } from '../src/cli/serve-command.js';
import { clean, truncate } from '../src/terminal-text.js';
import { DIMENSION_TITLES, FEED_DIMENSIONS, type FeedAggregate } from '../src/feed/aggregate.js';
import { alsoWritten } from '../src/feed/format-text.js';

const SEED_EML = fileURLToPath(new URL('../../test/fixtures/mail/seed.eml', import.meta.url));

let lab: Lab;
let cases: string;
const traced: Record<string, { case: string; report: any }> = {};
let messageCase: string;
let mailTrace: string;
let fiveHopText: string;
let htmlFile: string;

async function traceJson(name: string, extra: string[] = []): Promise<void> {
  const { code, stdout, stderr } = await cli(['trace', lab.scenarios[name].url, '--json', '--out', cases, ...lab.traceArgs, ...extra]);
  assert.ok(code === 0 || code === 1, `${name}: exit ${code}: ${stderr}`);
  const report = JSON.parse(stdout);
  traced[name] = { case: report.case, report };
}

/** The five-hop chain in the terminal's own format. */
async function traceFiveHop(): Promise<void> {
  const five = await cli(['trace', lab.scenarios['five-hop'].url, '--out', cases, ...lab.traceArgs]);
  assert.equal(five.code, 0, five.stderr);
  fiveHopText = five.stdout;
  const caseId = /^Case: .*\/([^/\s]+)$/m.exec(five.stdout)?.[1];
  assert.ok(caseId, five.stdout);
  traced['five-hop'] = { case: caseId, report: JSON.parse(readFileSync(join(cases, caseId, 'report.json'), 'utf8')) };
}

before(async () => {
  lab = await startLab();
  cases = tempDir('feed-cases-');
  // Two commands at a time into the one cases folder (each its own process): the file's wall time, not a requirement.
  await Promise.all([traceJson('seed', ['--click', 'Find out more']), traceJson('loop-http')]);
  await Promise.all([traceJson('download'), traceFiveHop()]);
  // The seed link was traced above: --again traces it anew for the message (else it points at that case).
  const mail = await cli([
    'mail',
    SEED_EML,
    '--trace',
    'main',
    '--click',
    'Find out more',
    '--again',
    '--json',
    '--out',
    cases,
    ...lab.traceArgs,
  ]);
  assert.equal(mail.code, 0, mail.stderr);
  const [message] = JSON.parse(mail.stdout).messages;
  messageCase = message.case;
  mailTrace = message.traces[0].case;
});

after(async () => {
  await lab?.close();
  if (cases) rmSync(cases, { recursive: true, force: true });
});

test('every hop of a lab trace is labelled loopback, in the JSON report and the terminal; analyze gives the same answer', async () => {
  for (const [name, { report }] of Object.entries(traced)) {
    const withIp = report.hops.filter((h: { ip: string | null }) => h.ip);
    assert.ok(withIp.length > 0, name);
    for (const hop of withIp) assert.deepEqual(hop.network, { special: 'loopback' }, `${name} hop ${hop.index}`);
    assert.equal(report.networkData.asn.package, '@ip-location-db/asn', name);
    assert.match(report.networkData.asn.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(report.networkData.country.package, '@ip-location-db/geo-whois-asn-country-mmdb');
  }
  const hopLines = fiveHopText.split('\n').filter((l) => /^\s+\d+\s+\d{3}\s/.test(l));
  assert.equal(hopLines.length, 5);
  for (const line of hopLines) assert.match(line, /127\.0\.0\.1 \(loopback\)/);
  const check = await cli(['analyze', join(cases, traced['five-hop'].case), '--check']);
  assert.equal(check.code, 0, check.stderr);
});

function find(rows: Row[], dimension: string, key: string): Row {
  const row = rows.find((r) => r.dimension === dimension && r.key === key);
  assert.ok(row, `${dimension} ${key} in ${rows.map((r) => `${r.dimension}:${r.key}`).join(', ')}`);
  return row;
}

/** RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field + record.join(''), '', 'the file ends with CRLF');
  return records;
}

test('clicktrace report: counts, first and last seen and example cases, in JSON, CSV, text and HTML', async () => {
  const json = await cli(['report', '--cases', cases, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const agg = JSON.parse(json.stdout) as {
    cases: number;
    messages: number;
    traces: number;
    firstSeen: string;
    lastSeen: string;
    rows: Row[];
  };
  const folders = readdirSync(cases).filter((n) => /^\d{8}T\d{6}Z-/.test(n));
  assert.equal(folders.length, 6);
  assert.deepEqual([agg.cases, agg.messages, agg.traces], [6, 1, 5]);
  const starts = folders.map((id) => {
    const file = join(cases, id, 'report.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { startedAt: string }).startedAt : null;
  });
  const traceStarts = starts.filter((s): s is string => s !== null).sort();
  assert.equal(agg.lastSeen, traceStarts.at(-1));

  const selligent = find(agg.rows, 'tracker', 'Selligent');
  assert.deepEqual([selligent.traces, selligent.messages], [2, 1]);
  assert.deepEqual(new Set(selligent.examples), new Set([traced.seed.case, mailTrace]));
  const platform = find(agg.rows, 'platform', 'Selligent');
  assert.deepEqual([platform.messages, platform.traces, platform.detail], [1, 1, 'esp']);
  assert.deepEqual(platform.examples, [messageCase], 'the message case shows the headers');

  const advertiser = find(agg.rows, 'advertiser', 'advertiser.example');
  assert.deepEqual([advertiser.traces, advertiser.examples], [1, [traced['five-hop'].case]]);
  const seedAdvertiser = agg.rows.find((r) => r.dimension === 'advertiser' && r.examples.includes(traced.seed.case));
  assert.ok(seedAdvertiser && seedAdvertiser.traces === 2 && seedAdvertiser.examples.includes(mailTrace), JSON.stringify(seedAdvertiser));
  // The loop and the download never rested on a page: their final domain is listed apart.
  const notPage = agg.rows.filter((r) => r.dimension === 'final-domain');
  assert.deepEqual(new Set(notPage.flatMap((r) => r.examples)), new Set([traced['loop-http'].case, traced.download.case]));
  // One final domain, two endings: the line says how each of its chains ended.
  assert.deepEqual(
    notPage.map((r) => r.detail),
    ['did not end on a page: file download (1 of 2 cases), redirect loop (1 of 2 cases)'],
  );
  assert.ok(!agg.rows.some((r) => r.dimension === 'advertiser' && r.examples.includes(traced['loop-http'].case)));
  assert.ok(find(agg.rows, 'intermediary', 'broker-net.test').examples.includes(traced['five-hop'].case));

  const loopback = find(agg.rows, 'network', 'loopback');
  assert.deepEqual([loopback.traces, loopback.messages, loopback.detail], [5, 1, 'special-purpose address']);
  assert.equal(loopback.firstSeen, traceStarts[0]);
  assert.equal(loopback.lastSeen, traceStarts.at(-1));
  for (const row of agg.rows) {
    assert.ok(row.examples.length >= 1 && row.examples.length <= 3, `${row.dimension} ${row.key}`);
    for (const id of row.examples) assert.ok(existsSync(join(cases, id)), `example ${id} is a case folder`);
    assert.ok(row.firstSeen && row.lastSeen && row.firstSeen <= row.lastSeen);
  }

  const csv = await cli(['report', '--cases', cases, '--csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const [header, ...records] = parseCsv(csv.stdout);
  assert.deepEqual(header, [
    'dimension',
    'key',
    'label',
    'detail',
    'messages',
    'traces',
    'first_seen',
    'last_seen',
    'examples',
    'source',
    'imported',
    'compared',
    'cloaked',
    'single_use',
    'signals',
    'spellings',
  ]);
  // The totals first, then the lines (no link compared here: no cloaking rows).
  assert.deepEqual(records[0].slice(0, 8), [
    'total',
    'all',
    'all cases',
    '6 cases, 2 stopped with an error',
    '1',
    '5',
    agg.firstSeen,
    agg.lastSeen,
  ]);
  assert.equal(records.length, agg.rows.length + 1);
  assert.deepEqual(
    records.slice(1).map((r) => [r[0], r[1], Number(r[4]), Number(r[5]), r[6], r[7], r[8]]),
    agg.rows.map((r) => [r.dimension, r.key, r.messages, r.traces, r.firstSeen, r.lastSeen, r.examples.join(' ')]),
  );

  const text = await cli(['report', '--cases', cases]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^6 case\(s\): 1 message\(s\), 5 trace\(s\)/);
  assert.match(text.stdout, /Click trackers \/ ESPs:\n\s+name.*\n\s+Selligent\s+esp-tracker\s+1\s+2\s/);
  assert.match(text.stdout, /loopback\s+special-purpose address\s+1\s+5\s/);
  assert.ok(text.stdout.includes(traced['five-hop'].case));

  htmlFile = join(tempDir('feed-html-'), 'report.html');
  const html = await cli(['report', '--cases', cases, '--html', htmlFile]);
  assert.equal(html.code, 0, html.stderr);
  const page = readFileSync(htmlFile, 'utf8');
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'/);
  assert.ok(!/<script/i.test(page));
  assert.equal((page.match(/<tr class="feed-row"/g) ?? []).length, agg.rows.length);
  for (const id of loopback.examples) assert.ok(page.includes(`<a class="case-link case-id" href="${join(cases, id)}/">${id}</a>`), id);
  // "-" is stdout, not a file named "-".
  const piped = await cli(['report', '--cases', cases, '--html', '-']);
  assert.equal(piped.code, 0, piped.stderr);
  const undated = (doc: string) => doc.replace(/<p class="generated">.*?<\/p>/s, '');
  assert.equal(undated(piped.stdout), undated(page));
  assert.ok(!existsSync('-'), 'no file named "-"');

  const later = await cli(['report', '--cases', cases, '--since', '2999-01-01', '--json']);
  assert.deepEqual(JSON.parse(later.stdout).rows, []);
  const bad = await cli(['report', '--cases', cases, '--json', '--csv']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^clicktrace: report: choose one of/);
  const missing = await cli(['report', '--cases', join(cases, 'no-such-folder')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such cases folder/);
  assert.ok(!existsSync(join(cases, 'no-such-folder')), 'a mistyped folder is not created');
  const file = await cli(['report', '--cases', join(cases, traced.seed.case, 'report.json')]);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /^clicktrace: report: .*report\.json: not a folder/);
  const badDay = await cli(['report', '--cases', cases, '--since', '2026-02-30']);
  assert.deepEqual([badDay.code, badDay.stderr.split('\n').length], [2, 2]);
  assert.match(badDay.stderr, /--since: expected a date/);
  // A trace cut off before its report.json (kill -9): not counted, and said so on stderr.
  const cutOff = join(cases, '20261205T080000Z-c0ffee');
  mkdirSync(cutOff);
  writeFileSync(join(cutOff, 'PARTIAL'), '');
  try {
    const withCutOff = await cli(['report', '--cases', cases, '--json']);
    assert.equal(withCutOff.code, 0, withCutOff.stderr);
    assert.equal(JSON.parse(withCutOff.stdout).cases, 6);
    assert.match(withCutOff.stderr, /^clicktrace: report: 1 case folder\(s\) not counted: 20261205T080000Z-c0ffee \(capture in progress/);
  } finally {
    rmSync(cutOff, { recursive: true });
  }
});

/** A case folder as the index reads it (report.json), with party and network names built to break a page. */
function writeHostileCase(dir: string): string {
  const id = '20200101T000000Z-0bad00';
  const at = '2020-01-01T00:00:00.000Z';
  const evil = '<img src=x onerror="window.__pwned=1">';
  const party = { role: 'esp-tracker', name: `${evil}"'><script>window.__pwned=2</script>`, rule: null, registrableDomain: 'evil.example' };
  const hop = {
    index: 1,
    url: 'http://evil.example/c',
    method: 'GET',
    status: 200,
    via: 'start',
    evidence: { detail: 'start' },
    ip: '8.8.8.8',
    tls: null,
    contentType: 'text/html',
    timing: { startedAt: at, ms: 1 },
    exchange: null,
    error: null,
    party,
    network: {
      asn: 15169,
      name: '</td><script>window.__pwned=3</script>',
      country: 'US',
      source: '@ip-location-db/asn@x',
      sourceDate: '2026-06-17',
    },
  };
  const report = {
    tool: { name: 'clicktrace', version: '0.1.0' },
    url: hop.url,
    mode: 'trace',
    startedAt: at,
    endedAt: at,
    elapsedMs: 1,
    identity: null,
    hops: [hop],
    final: { url: hop.url, status: 200, title: 't' },
    pages: [{ index: 1, url: hop.url, title: 't', screenshot: null, dom: null }],
    events: [],
    case: id,
    error: null,
    partial: false,
    parties: [party, { role: 'advertiser', name: `${evil}adv`, rule: null, registrableDomain: 'evil.example' }],
  };
  mkdirSync(join(dir, id));
  writeFileSync(join(dir, id, 'report.json'), JSON.stringify(report));
  return id;
}

test('the /report page: the aggregate with links to the cases, hostile names shown as text, the data credited; /api/report', async () => {
  const hostileId = writeHostileCase(cases);
  let serve: ServeHandle | null = null;
  let browser: Browser | null = null;
  try {
    [serve, browser] = await Promise.all([
      startServe(['--port', '0', '--cases', cases], () => undefined).then((h) => h!),
      // Full Chromium: the standalone file's example links open case folders, whose listing the headless shell does not show.
      chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] }),
    ]);
    const base = serve.server.url;
    const api = (await (await fetch(`${base}/api/report`)).json()) as { cases: number; rows: Row[] };
    assert.equal(api.cases, 7);
    assert.ok(find(api.rows, 'network', 'AS15169').examples.includes(hostileId));
    const badSince = await fetch(`${base}/api/report?since=yesterday`);
    assert.equal(badSince.status, 400);

    const page = await browser.newPage();
    const dialogs: string[] = [];
    const consoleProblems: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy|Failed to load/i.test(m.text())) consoleProblems.push(m.text());
    });
    const response = await page.goto(`${base}/report`);
    assert.equal(response!.status(), 200);
    assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.mouse.move(300, 300);
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null), null);
    assert.equal(await page.locator('main img, main [onerror], main script').count(), 0);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('<img src=x onerror="window.__pwned=1">"\'><script>window.__pwned=2</script>'), 'the party name, as text');
    assert.ok(main.includes('AS15169 </td><script>window.__pwned=3</script>'), 'the AS name, as text');
    assert.ok(main.includes('data: ip-location-db asn 2026-06-17, approximate'));
    assert.equal(await page.locator('a[href="https://db-ip.com"]').count(), 1, 'DB-IP credited where its data is shown');
    // Each example is a link to its case page; the loopback row's first example opens it.
    const loopbackRow = page.locator('tr.feed-row[data-dimension="network"]', { hasText: 'loopback' });
    const link = loopbackRow.locator('a.case-link').first();
    const id = await link.innerText();
    assert.equal(await link.getAttribute('href'), `/cases/${id}`);
    await link.click();
    await page.waitForURL(`**/cases/${id}`);
    assert.ok((await page.locator('li.hop').first().innerText()).includes('loopback'));
    // ?since narrows the page too.
    await page.goto(`${base}/report?since=2021-01-01`);
    assert.ok(!(await page.locator('main').innerText()).includes('__pwned'));
    // A time (not a day) stays in the form's field, so "Show" keeps the filter.
    const sinceTime = '2021-01-01T08:00:00Z';
    await page.goto(`${base}/report?since=${encodeURIComponent(sinceTime)}`);
    assert.equal(await page.locator('input[name="since"]').inputValue(), sinceTime);
    await page.locator('form.filters button[type="submit"]').click();
    await page.waitForURL(`**/report?since=*`);
    assert.equal(new URL(page.url()).searchParams.get('since'), sinceTime);
    assert.ok((await page.locator('main').innerText()).includes('(since 2021-01-01 08:00:00Z)'));
    assert.deepEqual(consoleProblems, []);
    // The standalone file of `report --html`: its example cases open their folders.
    await page.goto(pathToFileURL(htmlFile).href);
    const fileLink = page.locator('tr.feed-row[data-dimension="network"] a.case-link').first();
    const folder = await fileLink.innerText();
    await fileLink.click();
    await page.waitForURL(`**/${folder}/`);
    assert.ok((await page.locator('body').innerText()).includes('report.json'), 'the case folder is listed');
    await page.close();
  } finally {
    await browser?.close();
    await serve?.close();
  }
});

/** `clicktrace compare` of a lab scenario as a desktop and a headless visitor, into `out`. */
async function compareAsTwo(scenario: string, out: string): Promise<void> {
  const compare = await cli(['compare', lab.scenarios[scenario].url, '--as', 'desktop,headless', '--yes', '--out', out, ...lab.traceArgs]);
  assert.ok(compare.code === 0 || compare.code === 1, compare.stderr);
}

test('clicktrace report counts the visitors of a compare run apart (one link, one trace per profile)', async () => {
  const dir = tempDir('feed-compare-');
  try {
    await compareAsTwo('split-honest', dir);
    const report = await cli(['report', '--cases', dir, '--json']);
    assert.equal(report.code, 0, report.stderr);
    const agg = JSON.parse(report.stdout) as { traces: number; compared: number; rows: Row[]; cloaking: unknown[] };
    assert.deepEqual([agg.traces, agg.compared, agg.cloaking.length > 0], [2, 2, true]);
    for (const row of agg.rows) assert.equal(row.compared, row.traces, `${row.dimension} ${row.key}`);
    const text = await cli(['report', '--cases', dir]);
    assert.match(text.stdout, /^2 case\(s\): 0 message\(s\), 2 trace\(s\) \(2 visitors of clicktrace compare\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One line of any format, as every format can state it: all strings, times as given. */
interface LineFacts {
  dimension: string;
  label: string;
  detail: string;
  messages: string;
  traces: string;
  firstSeen: string;
  lastSeen: string;
  examples: string;
  /** The terminal's AS data column (a table with AS lines). */
  data?: string;
}

/** "2026-12-05 09:24Z": the terminal's time (to the minute). */
const minute = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z') : '-');

/** "3 (1 imported, 2 compared)" */
function tracesNote(r: { traces: number; imported: number; compared: number }): string {
  const note = [r.imported ? `${r.imported} imported` : null, r.compared ? `${r.compared} compared` : null].filter(Boolean).join(', ');
  return `${r.traces}${note ? ` (${note})` : ''}`;
}

/** The cells of a terminal table, by the header's columns: left-aligned ones start at their title, right-aligned ones end at it. */
function textCells(header: string, line: string, titles: string[], right: Set<string>): string[] {
  const starts = titles.map((t) => header.indexOf(t));
  const ends = titles.map((t, i) => starts[i] + t.length);
  const cells: string[] = [];
  for (let i = 0; i < titles.length; i++) {
    const next = titles[i + 1];
    if (right.has(titles[i])) {
      if (cells.length === i) cells.push(line.slice(ends[i - 1], ends[i]).trim());
    } else if (next === undefined) cells.push(line.slice(starts[i]).trim());
    else if (!right.has(next)) cells.push(line.slice(starts[i], starts[i + 1]).trim());
    else {
      // A left-aligned cell then a right-aligned number: two spaces at least between them.
      const m = /^(.*?)\s*(\d+)$/.exec(line.slice(starts[i], ends[i + 1]).trim());
      assert.ok(m, line);
      cells.push(m[1], m[2]);
    }
  }
  return cells;
}

/** The terminal's tables: title (without its colon) -> header and cell rows. */
function textTables(text: string): Map<string, { header: string; lines: string[] }> {
  const tables = new Map<string, { header: string; lines: string[] }>();
  const blocks = text.split('\n\n').slice(1);
  for (const block of blocks) {
    const [title, header, ...lines] = block.split('\n');
    tables.set(title.replace(/:$/, ''), { header: header ?? '', lines: header === '  (none)' ? [] : lines });
  }
  return tables;
}

test('the four formats carry the same facts over a mixed set, compared and cloaked links included', async () => {
  // A cloaker compared as two visitors, into the folder of the scenarios above (and the hostile case of the /report test),
  // and a tab-under (the first tab's hops a table of their own, their network said so).
  await Promise.all([compareAsTwo('split-user-agent', cases), traceJson('click-tab-under-gone', ['--click', 'Continue'])]);
  const [json, csv, text] = await Promise.all([
    cli(['report', '--cases', cases, '--json']),
    cli(['report', '--cases', cases, '--csv']),
    cli(['report', '--cases', cases]),
  ]);
  const file = join(tempDir('feed-agree-'), 'report.html');
  const html = await cli(['report', '--cases', cases, '--html', file]);
  for (const run of [json, csv, text, html]) assert.equal(run.code, 0, run.stderr);
  const agg = JSON.parse(json.stdout) as FeedAggregate & { cloaking: NonNullable<FeedAggregate['cloaking']> };
  assert.ok(agg.compared >= 2 && agg.messages >= 1 && agg.imported === 0, JSON.stringify(agg).slice(0, 300));
  assert.ok(
    agg.cloaking.some((c) => c.cloaked >= 1),
    JSON.stringify(agg.cloaking),
  );
  assert.ok(agg.rows.some((r) => r.compared > 0) && agg.rows.some((r) => r.messages > 0));
  assert.ok(agg.rows.some((r) => r.dimension === 'other-tab' && r.examples.includes(traced['click-tab-under-gone'].case)));

  // CSV: every fact at full precision.
  const [, totalRecord, ...records] = parseCsv(csv.stdout);
  assert.deepEqual(totalRecord, [
    'total',
    'all',
    'all cases',
    [`${agg.cases} cases`, agg.failed ? `${agg.failed} stopped with an error` : null].filter(Boolean).join(', '),
    String(agg.messages),
    String(agg.traces),
    agg.firstSeen,
    agg.lastSeen,
    '',
    '',
    String(agg.imported),
    String(agg.compared),
    '',
    '',
    '',
    '',
  ]);
  assert.deepEqual(
    records.filter((r) => r[0] !== 'cloaking'),
    agg.rows.map((r) => [
      r.dimension,
      r.key,
      r.label,
      r.detail ?? '',
      String(r.messages),
      String(r.traces),
      r.firstSeen ?? '',
      r.lastSeen ?? '',
      r.examples.join(' '),
      r.source ?? '',
      String(r.imported),
      String(r.compared),
      '',
      '',
      '',
      r.spellings.join(' | '),
    ]),
  );
  assert.deepEqual(
    records.filter((r) => r[0] === 'cloaking'),
    agg.cloaking.map((c) => [
      'cloaking',
      c.party,
      c.party,
      '',
      '',
      '',
      c.firstSeen,
      c.lastSeen,
      c.examples.join(' '),
      '',
      '',
      String(c.compared),
      String(c.cloaked),
      String(c.singleUse),
      c.signals.join(', '),
      '',
    ]),
  );

  // The terminal: the same lines in the same order, times to the minute, long names cut.
  const totalsNote = [
    agg.compared ? `${agg.compared} visitors of clicktrace compare` : null,
    agg.failed ? `${agg.failed} stopped with an error` : null,
  ]
    .filter(Boolean)
    .join(', ');
  assert.equal(
    text.stdout.split('\n')[0],
    `${agg.cases} case(s): ${agg.messages} message(s), ${agg.traces} trace(s) (${totalsNote}), ${minute(agg.firstSeen)} to ${minute(agg.lastSeen)}`,
  );
  const tables = textTables(text.stdout.trimEnd());
  const feedTitles = ['name', 'detail', 'msgs', 'traces', 'first seen', 'last seen', 'examples'];
  const textLines: LineFacts[] = [];
  for (const dimension of FEED_DIMENSIONS) {
    const table = tables.get(DIMENSION_TITLES[dimension]);
    assert.ok(table, dimension);
    // A table with AS lines ends on their data and its date, in full.
    const withData = agg.rows.some((r) => r.dimension === dimension && r.source);
    for (const line of table.lines) {
      const [label, detail, messages, traces, firstSeen, lastSeen, examples, data] = textCells(
        table.header,
        line,
        withData ? [...feedTitles, 'data'] : feedTitles,
        new Set(['msgs', 'traces']),
      );
      textLines.push({ dimension, label, detail, messages, traces, firstSeen, lastSeen, examples, ...(withData ? { data } : {}) });
    }
  }
  assert.deepEqual(
    textLines,
    agg.rows.map((r) => ({
      dimension: r.dimension,
      label: clean(truncate(r.label, 48)),
      detail: clean(truncate([r.detail, alsoWritten(r)].filter(Boolean).join('; '), 72)),
      messages: String(r.messages),
      traces: tracesNote(r),
      firstSeen: minute(r.firstSeen),
      lastSeen: minute(r.lastSeen),
      examples: r.examples.join(' '),
      ...(agg.rows.some((o) => o.dimension === r.dimension && o.source) ? { data: clean(r.source ?? '-') } : {}),
    })),
  );
  const cloakingTable = tables.get('Cloaking (links compared as several visitors with clicktrace compare)');
  assert.ok(cloakingTable);
  assert.deepEqual(
    cloakingTable.lines.map((line) =>
      textCells(
        cloakingTable.header,
        line,
        ['party', 'compared', 'cloaked', 'single-use', 'signals', 'first seen', 'last seen', 'examples'],
        new Set(['compared', 'cloaked', 'single-use']),
      ),
    ),
    agg.cloaking.map((c) => [
      clean(truncate(c.party, 48)),
      String(c.compared),
      String(c.cloaked),
      String(c.singleUse),
      c.signals.join(', ') || '-',
      minute(c.firstSeen),
      minute(c.lastSeen),
      c.examples.join(' '),
    ]),
  );

  // The --html file, read as a person sees it (Chromium): the same lines, exact times in <time datetime>.
  const browser = await chromium.launch({ executablePath: UI_CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const totals = await page.locator('p.feed-totals').evaluate((p) => ({
      text: (p as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
      times: [...p.querySelectorAll('time')].map((t) => t.getAttribute('datetime')),
    }));
    assert.match(totals.text, new RegExp(`^${agg.cases} cases: ${agg.messages} messages?, ${agg.traces} traces? \\(${totalsNote}\\),`));
    assert.deepEqual(totals.times, [agg.firstSeen, agg.lastSeen]);
    // The line of links to the tables: one per table, the cloaking table's too, separated, none dangling.
    const contents = (await page.locator('#feed-contents').innerText()).replace(/\s+/g, ' ').trim();
    assert.match(contents, /^Given-out addresses reached \(\d+\) · .* · Cloaking \(\d+\)$/);
    assert.equal(await page.locator('#feed-contents a[href="#feed-cloaking"]').count(), 1);
    const htmlLines = await page.$$eval('tr.feed-row', (rows) =>
      rows.map((tr) => {
        const td = [...tr.querySelectorAll('td')].map((c) => (c as HTMLElement).innerText.trim());
        const times = [...tr.querySelectorAll('time')].map((t) => t.getAttribute('datetime') ?? '');
        return {
          dimension: tr.getAttribute('data-dimension') ?? '',
          key: tr.getAttribute('data-key') ?? '',
          label: td[0],
          detail: td[1],
          messages: td[2],
          traces: td[3],
          firstSeen: times[0] ?? '',
          lastSeen: times[1] ?? '',
          examples: td[6],
        };
      }),
    );
    assert.deepEqual(
      htmlLines,
      agg.rows.map((r) => ({
        dimension: r.dimension,
        key: r.key,
        label: [r.label, alsoWritten(r)].filter(Boolean).join('\n'),
        detail: [r.detail, r.source ? `data: ${r.source}, approximate` : null].filter(Boolean).join('; '),
        messages: String(r.messages),
        traces: tracesNote(r),
        firstSeen: r.firstSeen ?? '',
        lastSeen: r.lastSeen ?? '',
        examples: r.examples.join(' '),
      })),
    );
    const htmlCloaking = await page.$$eval('tr.cloaking-row', (rows) =>
      rows.map((tr) => [
        ...[...tr.querySelectorAll('td')].slice(0, 5).map((c) => (c as HTMLElement).innerText.trim()),
        ...[...tr.querySelectorAll('time')].map((t) => t.getAttribute('datetime') ?? ''),
        [...tr.querySelectorAll('td.feed-examples a')].map((a) => `${a.textContent} -> ${a.getAttribute('href')}`).join(' '),
      ]),
    );
    assert.deepEqual(
      htmlCloaking,
      agg.cloaking.map((c) => [
        c.party,
        String(c.compared),
        String(c.cloaked),
        String(c.singleUse),
        c.signals.join(', '),
        c.firstSeen,
        c.lastSeen,
        c.examples.map((id) => `${id} -> ${join(cases, id)}/`).join(' '),
      ]),
    );
    await page.close();
  } finally {
    await browser.close();
  }
  // The web UI's /api/report is the --json object.
  const serve = (await startServe(['--port', '0', '--cases', cases], () => undefined))!;
  try {
    const api = (await (await fetch(`${serve.server.url}/api/report`)).json()) as FeedAggregate;
    assert.deepEqual(api, agg);
    // Its /report page: the same lines, and the cloaking table whose examples open the comparisons.
    const page = await (await fetch(`${serve.server.url}/report`)).text();
    assert.equal((page.match(/<tr class="feed-row"/g) ?? []).length, agg.rows.length);
    assert.equal((page.match(/<tr class="cloaking-row"/g) ?? []).length, agg.cloaking.length);
    for (const id of agg.cloaking.flatMap((c) => c.examples))
      assert.ok(page.includes(`<a class="case-link" href="/compare/${id}">${id}</a>`), id);
  } finally {
    await serve.close();
  }
});
