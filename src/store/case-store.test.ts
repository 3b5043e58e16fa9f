import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../report.js';
import type { MailAnalysis } from '../mail/parse.js';
import { UserError } from '../errors.js';
import { CaseStore } from './case-store.js';
import { caseRows } from './case-rows.js';
import { messageFacts } from './case-folder.js';
import { databasePath } from './paths.js';
import { feedCases } from './feed-cases.js';
import { aggregateCases } from '../feed/index.js';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function casesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-store-'));
  roots.push(dir);
  return dir;
}

const CERT = 'ab'.repeat(32);

function seedReport(id: string, over: Partial<Report> = {}): Report {
  const tracker = 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=abc';
  const landing = 'https://business.t-mobile.example/contact-a-rep.html?cmpid=DMA_EM_Q3';
  const selligent = { role: 'esp-tracker' as const, name: 'Selligent', rule: 'selligent:path', registrableDomain: 'emsecure.test' };
  const advertiser = {
    role: 'advertiser' as const,
    name: 't-mobile.example',
    rule: 'final landing page',
    registrableDomain: 't-mobile.example',
  };
  const hop = (
    index: number,
    url: string,
    status: number,
    via: Report['hops'][number]['via'],
    party: typeof selligent | typeof advertiser,
  ) => ({
    index,
    url,
    method: 'GET',
    status,
    via,
    evidence: { detail: '' },
    ip: '192.0.2.10',
    tls: url.startsWith('https:')
      ? {
          protocol: 'TLSv1.3',
          authorized: true,
          error: null,
          cert: { subject: 'CN=x', issuer: 'CN=lab', sans: [], validFrom: '', validTo: '2027-01-01', sha256: CERT },
        }
      : null,
    contentType: 'text/html',
    timing: { startedAt: '2026-11-26T10:00:00.000Z', ms: 10 },
    exchange: `x000${index}`,
    error: null,
    party,
  });
  return {
    tool: { name: 'clicktrace', version: '0' },
    url: tracker,
    mode: 'trace',
    startedAt: '2026-11-26T10:00:00.000Z',
    endedAt: '2026-11-26T10:00:05.000Z',
    elapsedMs: 5000,
    identity: null,
    hops: [hop(1, tracker, 302, 'start', selligent), hop(2, landing, 200, 'http-302', advertiser)],
    final: { url: landing, status: 200, title: 'Contact a Business Expert' },
    pages: [],
    events: [],
    case: id,
    error: null,
    partial: false,
    parties: [selligent, advertiser],
    tokens: [{ name: 'cmpid', value: 'DMA_EM_Q3', kind: 'campaign', hops: [2] }],
    summary: { text: 'Sent via Selligent -> advertiser business.t-mobile.example', claims: [] },
    ...over,
  };
}

function message(): MailAnalysis {
  return {
    source: 'seed.eml',
    size: 100,
    messageId: '<1@news.t-mobile.emsecure.test>',
    subject: 'Your business deserves 5G',
    date: '2026-11-25T09:00:00.000Z',
    from: { name: 'T-Mobile for Business', address: 't-mobile@news.t-mobile.emsecure.test' },
    replyTo: [],
    returnPath: null,
    to: ['someone@example.org'],
    recipients: [{ address: 'someone@example.org', where: ['To'] }],
    messageIdDomain: 'news.t-mobile.emsecure.test',
    dkim: [],
    authResults: [],
    listUnsubscribe: [],
    received: [
      {
        hop: 1,
        from: 'mta',
        fromIp: '198.51.100.7',
        by: 'mx',
        with: 'ESMTPS',
        id: null,
        for: null,
        tls: true,
        tlsVersion: null,
        date: null,
      } as MailAnalysis['received'][number],
    ],
    esp: [{ name: 'Selligent', kind: 'esp', evidence: [] }],
    links: [
      {
        url: 'http://news.t-mobile.emsecure.test/optiext/optiextension.dll?ID=abc',
        text: 'Find out more',
        kind: 'href',
        part: 'html',
        unsubscribe: false,
        mismatch: null,
        prominence: 75,
        occurrences: 1,
        attachment: null,
      },
    ],
    resources: [],
    recipientTokens: [],
    attachments: [],
    attachedMessages: [],
    errors: [],
    warnings: [],
  };
}

function writeCase(dir: string, id: string, files: Record<string, unknown>): string {
  const path = join(dir, id);
  mkdirSync(path, { recursive: true });
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(path, name), typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('rows: hosts with registrable domains, parties, IPs, certificates, tokens, once each', () => {
  const rows = caseRows({ id: '20261126T100000Z-aaaaaa', report: seedReport('20261126T100000Z-aaaaaa'), message: null, partial: false });
  assert.deepEqual(
    rows.hosts.map((h) => [h.host, h.domain]),
    [
      ['news.t-mobile.emsecure.test', 'emsecure.test'],
      ['business.t-mobile.example', 't-mobile.example'],
    ],
  );
  assert.deepEqual(
    rows.parties.map((p) => `${p.role}:${p.name}`),
    ['esp-tracker:Selligent', 'advertiser:t-mobile.example'],
  );
  assert.deepEqual(rows.ips, [{ case_id: '20261126T100000Z-aaaaaa', ip: '192.0.2.10' }]);
  assert.equal(rows.certs.length, 1);
  assert.equal(rows.case.advertiser, 't-mobile.example');
  assert.equal(rows.case.final_host, 'business.t-mobile.example');
  assert.equal(rows.hops[0].party_name, 'Selligent');
});

/** message.json as `clicktrace mail` and the web service write it. */
test("rows of a tab-under: each hop keeps its other-tab mark; the chain's own hops decide its ending and advertiser", () => {
  const id = '20261126T100000Z-cccccc';
  const seed = seedReport(id);
  // The first tab went on by itself to an ad server that answered 404, after the chain rested on the landing page.
  const unknown = { role: 'unknown' as const, name: null, rule: null, registrableDomain: 'ads.example' };
  const ad = { ...seed.hops[0], index: 3, url: 'https://ads.example/gone', status: 404, via: 'javascript' as const, party: unknown };
  const report = { ...seed, hops: [...seed.hops, { ...ad, otherTab: true as const }], parties: [...seed.parties!, unknown] };
  const rows = caseRows({ id, report, message: null, partial: false });
  assert.deepEqual(
    rows.hops.map((h) => [h.idx, h.other_tab]),
    [
      [1, 0],
      [2, 0],
      [3, 1],
    ],
  );
  assert.deepEqual([rows.case.ended_on_page, rows.case.advertiser, rows.case.final_domain], [1, 't-mobile.example', 't-mobile.example']);
  // An advertiser party of the other tab's (a catalogued brand it was sent to) is not the chain's.
  const brand = { role: 'advertiser' as const, name: 'Brand', rule: 'catalogue', registrableDomain: 'brand.example' };
  const noLanding = { ...report, hops: [seed.hops[0], { ...ad, status: 200, party: brand, otherTab: true as const }], parties: [brand] };
  const other = caseRows({
    id,
    report: { ...noLanding, final: { url: seed.hops[0].url, status: 302, title: null } },
    message: null,
    partial: false,
  });
  assert.equal(other.case.advertiser, null);
});

function messageRecord(traces: { link: number; case: string }[]) {
  const analysis = message();
  const links = analysis.links.map((l, i) => ({
    ...l,
    index: i + 1,
    main: i === 0,
    party: { role: 'esp-tracker', name: 'Selligent', rule: 'selligent:path', registrableDomain: 'emsecure.test' },
  }));
  return { kind: 'message', case: null, analysis, links, traces: traces.map((t) => ({ ...t, final: null, error: null })) };
}

test('a message folder: sender and link hosts, platforms and link parties, relay IPs', () => {
  const facts = messageFacts(messageRecord([{ link: 1, case: '20261126T100001Z-cccccc' }]))!;
  const rows = caseRows({ id: '20261126T100000Z-bbbbbb-mail', report: null, message: facts, partial: false });
  assert.equal(rows.case.kind, 'mail');
  assert.equal(rows.case.started_at, '2026-11-26T10:00:00.000Z');
  assert.equal(rows.message?.from_domain, 'news.t-mobile.emsecure.test');
  assert.deepEqual(
    rows.hosts.map((h) => h.source),
    ['sender', 'link'],
  );
  assert.deepEqual(
    rows.parties.map((p) => `${p.role}:${p.name}`),
    ['esp-tracker:Selligent', 'mail-esp:Selligent'],
  );
  assert.deepEqual(messageFacts(message())?.traces, [], 'a bare MailAnalysis reads too');
  assert.equal(messageFacts({ kind: 'message' }), null);
  assert.deepEqual(
    rows.ips.map((i) => i.ip),
    ['198.51.100.7'],
  );
  assert.equal(rows.tracedLinks[0].case_id, '20261126T100001Z-cccccc');
});

test('index, search, pivot; indexing twice changes nothing', () => {
  const dir = casesDir();
  const a = writeCase(dir, '20261126T100000Z-aaaaaa', { 'report.json': seedReport('20261126T100000Z-aaaaaa') });
  writeCase(dir, '20261127T100000Z-bbbbbb', {
    'report.json': seedReport('20261127T100000Z-bbbbbb', {
      startedAt: '2026-11-27T10:00:00.000Z',
      error: 'timeout: the page did not settle',
      final: { url: 'http://x.example/', status: 503, title: null },
      hops: [],
      parties: [],
      tokens: [],
    }),
  });
  const store = CaseStore.open(dir);
  try {
    assert.deepEqual(store.indexCase(a), { id: '20261126T100000Z-aaaaaa', indexed: true });
    assert.deepEqual(store.indexCase(a), { id: '20261126T100000Z-aaaaaa', indexed: true });
    assert.equal(store.indexCase(join(dir, '20261127T100000Z-bbbbbb')).indexed, true);
    const counts = () =>
      ['cases', 'hops', 'case_hosts', 'case_parties', 'case_ips', 'case_certs', 'case_tokens'].map(
        (t) => (store.db.prepare(`SELECT COUNT(*) n FROM ${t}`).get() as { n: number }).n,
      );
    const before = counts();
    store.indexCase(a);
    assert.deepEqual(counts(), before);

    const ids = (r: { cases: { id: string }[] }) => r.cases.map((c) => c.id);
    assert.deepEqual(ids(store.search()), ['20261127T100000Z-bbbbbb', '20261126T100000Z-aaaaaa'], 'newest first');
    assert.deepEqual(ids(store.search({ domain: 'emsecure.test' })), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.search({ domain: 'business.t-mobile.example' })), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.pivot('party', 'selligent')), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.pivot('ip', '192.0.2.10')), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.pivot('cert', CERT)), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.pivot('token', 'cmpid=DMA_EM_Q3')), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.search({ status: 'error' })), ['20261127T100000Z-bbbbbb']);
    assert.deepEqual(ids(store.search({ status: '5xx' })), ['20261127T100000Z-bbbbbb']);
    assert.deepEqual(ids(store.search({ from: '2026-11-27' })), ['20261127T100000Z-bbbbbb']);
    assert.deepEqual(ids(store.search({ to: '2026-11-26' })), ['20261126T100000Z-aaaaaa']);
    assert.deepEqual(ids(store.search({ q: 'contact-a-rep' })), ['20261126T100000Z-aaaaaa'], 'free text reaches hop URLs');
    const page = store.search({ limit: 1, offset: 1 });
    assert.equal(page.total, 2);
    assert.deepEqual(ids(page), ['20261126T100000Z-aaaaaa']);
    const summary = store.caseSummary('20261126T100000Z-aaaaaa')!;
    assert.deepEqual(
      summary.parties.map((p) => p.name),
      ['Selligent', 't-mobile.example'],
    );
    assert.equal(summary.finalStatus, 200);
  } finally {
    store.close();
  }
});

test('a message and its traced link find each other, from either folder', () => {
  const dir = casesDir();
  const msg = '20261126T090000Z-dddddd-mail';
  writeCase(dir, msg, { 'message.json': messageRecord([{ link: 1, case: '20261126T090001Z-eeeeee' }]) });
  writeCase(dir, '20261126T090001Z-eeeeee', { 'report.json': seedReport('20261126T090001Z-eeeeee') });
  writeCase(dir, '20261126T090002Z-ffffff', {
    'report.json': seedReport('20261126T090002Z-ffffff', {
      message: { case: msg, subject: 'Your business deserves 5G', from: 't-mobile@news.t-mobile.emsecure.test', link: 1 },
    }),
  });
  const store = CaseStore.open(dir);
  try {
    assert.equal(store.sync().indexed, 3);
    assert.deepEqual(
      store.relations(msg).traced.map((t) => t.case),
      ['20261126T090001Z-eeeeee', '20261126T090002Z-ffffff'],
    );
    assert.equal(store.relations('20261126T090001Z-eeeeee').message?.case, msg);
    assert.equal(store.relations('20261126T090002Z-ffffff').message?.subject, 'Your business deserves 5G');
    assert.deepEqual(
      store
        .pivot('message', msg)
        .cases.map((c) => c.id)
        .sort(),
      [msg, '20261126T090001Z-eeeeee', '20261126T090002Z-ffffff'],
    );
    assert.equal(store.pivot('party', 'Selligent').total, 3, 'the message (platform) and both traces');
    assert.equal(store.search({ kind: 'mail' }).cases[0].subject, 'Your business deserves 5G');
  } finally {
    store.close();
  }
});

test('reindex rebuilds from the folders; unreadable and unfinished folders are skipped with a reason', () => {
  const dir = casesDir();
  writeCase(dir, '20261126T100000Z-aaaaaa', { 'report.json': seedReport('20261126T100000Z-aaaaaa') });
  writeCase(dir, '20261126T100001Z-bbbbbb', { 'report.json': '{not json' });
  writeCase(dir, '20261126T100002Z-cccccc', { PARTIAL: 'in progress' });
  mkdirSync(join(dir, 'not-a-case'));
  let store = CaseStore.open(dir);
  const first = store.reindex();
  assert.equal(first.indexed, 1);
  assert.deepEqual(
    first.skipped.map((s) => s.id),
    ['20261126T100001Z-bbbbbb', '20261126T100002Z-cccccc'],
  );
  assert.match(first.skipped[0].reason, /not valid JSON/);
  assert.match(first.skipped[1].reason, /in progress/);
  assert.equal(store.indexCase('/elsewhere/20261126T100000Z-aaaaaa').indexed, false);
  store.close();

  // The database is disposable: delete it, reindex, same answers.
  rmSync(databasePath(dir));
  store = CaseStore.open(dir);
  assert.equal(store.search().total, 0);
  assert.equal(store.reindex().indexed, 1);
  assert.equal(store.search({ party: 'Selligent' }).total, 1);
  rmSync(join(dir, '20261126T100000Z-aaaaaa'), { recursive: true });
  assert.equal(store.sync().removed, 1);
  assert.equal(store.search().total, 0);
  store.close();
});

test('a report.json whose values are not of the types clicktrace writes: skipped with the reason, not a failed command', () => {
  const dir = casesDir();
  const good = '20261126T100000Z-aaaaaa';
  writeCase(dir, good, { 'report.json': seedReport(good) });
  const hop = seedReport(good).hops[0];
  const damaged: Record<string, unknown> = {
    '20261126T100001Z-000001': { hops: [{ ...hop, ip: { v4: '192.0.2.1' } }] },
    '20261126T100002Z-000002': { hops: [{ ...hop, network: 'AS15169' }] },
    '20261126T100003Z-000003': { hops: [null] },
    '20261126T100004Z-000004': { parties: [null] },
  };
  for (const [id, over] of Object.entries(damaged)) writeCase(dir, id, { 'report.json': { ...seedReport(id), ...(over as object) } });
  // A start that is no ISO time (a number, a formula) is not the case's time: its folder name's is.
  const odd = '20261126T100005Z-000005';
  writeCase(dir, odd, { 'report.json': { ...seedReport(odd), startedAt: '=1+1' } });
  const store = CaseStore.open(dir);
  try {
    for (const result of [store.sync(), store.reindex()]) {
      assert.equal(result.indexed, 2);
      assert.deepEqual(
        result.skipped.map((s) => s.id),
        Object.keys(damaged),
      );
      for (const s of result.skipped) assert.match(s.reason, /^report\.json cannot be indexed: /);
    }
    const agg = aggregateCases(store);
    assert.deepEqual([agg.cases, agg.traces, agg.firstSeen, agg.lastSeen], [2, 2, '2026-11-26T10:00:00.000Z', '2026-11-26T10:00:05.000Z']);
  } finally {
    store.close();
  }
});

test('an open case whose writer is gone is said to be cut off (reindex seals it), not a capture in progress', () => {
  const dir = casesDir();
  const [dead, running] = ['20261126T100000Z-dddddd', '20261126T100001Z-eeeeee'];
  // A PARTIAL note as the case writer writes it, naming a process of this host: one that is gone, and
  // this one (since it started: a note of this pid from before then is an earlier process's, cut off).
  const note = (pid: number, since = '2026-11-26T10:00:00.000Z') =>
    `capture in progress since ${since} by ${hostname()} ${pid}; removed when the case is closed\n`;
  writeCase(dir, dead, { PARTIAL: note(2 ** 22 + 1) });
  writeCase(dir, running, { PARTIAL: note(process.pid, new Date().toISOString()) });
  const store = CaseStore.open(dir);
  try {
    assert.deepEqual(store.sync().skipped, [
      { id: dead, reason: 'cut off: the process tracing it is gone (clicktrace reindex seals it, as partial)' },
      { id: running, reason: 'capture in progress (no report.json yet)' },
    ]);
  } finally {
    store.close();
  }
});

test("a trace of a message's open pixel ended on no landing page: its host is no advertiser of the feed", () => {
  const dir = casesDir();
  const [mail, pixel] = ['20261126T100000Z-aaaaaa-mail', '20261126T100001Z-bbbbbb'];
  const image = 'https://open.pixel-host.example/o.gif?u=1';
  // As the analysis wrote it before it knew better: the image's host named the advertiser.
  const owner = {
    role: 'advertiser' as const,
    name: 'pixel-host.example',
    rule: 'final landing page',
    registrableDomain: 'pixel-host.example',
  };
  const hop = { ...seedReport(pixel).hops[1], index: 1, url: image, via: 'start' as const, party: owner, contentType: 'image/gif' };
  writeCase(dir, mail, { 'message.json': messageRecord([]) });
  writeCase(dir, pixel, {
    'report.json': seedReport(pixel, {
      url: image,
      hops: [hop],
      final: { url: image, status: 200, title: 'o.gif (1×1)' },
      parties: [owner],
      message: { case: mail, subject: 's', from: 'a@b.example', link: null, resource: 1 },
    }),
  });
  const store = CaseStore.open(dir);
  try {
    store.sync();
    const agg = aggregateCases(store);
    assert.deepEqual(
      agg.rows.filter((r) => r.key === 'pixel-host.example').map((r) => [r.dimension, r.detail, r.messages, r.traces]),
      [['final-domain', "did not end on a page: an open pixel's image", 1, 1]],
    );
  } finally {
    store.close();
  }
});

test('indexCaseFolder indexes into the store of the folder it is in; reindex command rebuilds and reports', async () => {
  const { indexCaseFolder } = await import('./index-case-folder.js');
  const { run } = await import('../cli/reindex-command.js');
  const dir = casesDir();
  const folder = writeCase(dir, '20261126T100000Z-aaaaaa', { 'report.json': seedReport('20261126T100000Z-aaaaaa') });
  assert.deepEqual(indexCaseFolder(folder), { id: '20261126T100000Z-aaaaaa', indexed: true });
  writeCase(dir, '20261126T100001Z-bbbbbb', { PARTIAL: '' });
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string) => (out.push(chunk), true);
  try {
    assert.equal(await run(['--cases', dir, '--json']), 0);
  } finally {
    process.stdout.write = write;
  }
  const result = JSON.parse(out.join(''));
  assert.equal(result.indexed, 1);
  assert.equal(result.database, databasePath(dir));
  assert.equal(result.skipped[0].id, '20261126T100001Z-bbbbbb');
});

test('a message recorded before --since and traced after it: counted with its sending platform', () => {
  const dir = casesDir();
  const [message, traced] = ['20261126T110000Z-aaaaaa-mail', '20261127T090000Z-cccccc'];
  writeCase(dir, message, { 'message.json': messageRecord([{ link: 1, case: traced }]) });
  writeCase(dir, traced, {
    'report.json': seedReport(traced, {
      startedAt: '2026-11-27T09:00:00.000Z',
      message: { case: message, subject: 's', from: 'a@b.example', link: 1 },
    }),
  });
  const store = CaseStore.open(dir);
  try {
    store.sync();
    const since = aggregateCases(store, { since: '2026-11-27T00:00:00.000Z' });
    assert.deepEqual([since.cases, since.messages, since.traces], [1, 1, 1]);
    const platform = since.rows.find((r) => r.dimension === 'platform' && r.key === 'Selligent');
    // The message case shows the platform (its headers): the example, though recorded before the window.
    assert.deepEqual([platform?.messages, platform?.traces, platform?.examples], [1, 1, [message]]);
    // A batch counts the messages it holds: the trace alone is no message.
    const batch = aggregateCases(store, { caseIds: [traced] });
    assert.deepEqual([batch.cases, batch.messages, batch.traces], [1, 0, 1]);
    assert.deepEqual(aggregateCases(store, { caseIds: [message, traced] }).rows, aggregateCases(store).rows);
  } finally {
    store.close();
  }
});

test('the same link in two messages, traced once: the feed counts the trace for both messages', () => {
  const dir = casesDir();
  const [first, second, traced] = ['20261126T110000Z-aaaaaa-mail', '20261126T110001Z-bbbbbb-mail', '20261126T110002Z-cccccc'];
  writeCase(dir, first, { 'message.json': messageRecord([{ link: 1, case: traced }]) });
  writeCase(dir, second, { 'message.json': messageRecord([{ link: 1, case: traced }]) });
  writeCase(dir, traced, { 'report.json': seedReport(traced, { message: { case: first, subject: 's', from: 'a@b.example', link: 1 } }) });
  const store = CaseStore.open(dir);
  try {
    store.sync();
    const trace = feedCases(store).find((c) => c.id === traced)!;
    assert.deepEqual(trace.messageCases, [first, second]);
    const agg = aggregateCases(store);
    assert.deepEqual([agg.messages, agg.traces], [2, 1]);
    const tracker = agg.rows.find((r) => r.dimension === 'tracker' && r.key === 'Selligent')!;
    assert.deepEqual([tracker.messages, tracker.traces], [2, 1]);
  } finally {
    store.close();
  }
});

test("one case's folder is no cases folder: refused, and no index is written into its evidence", () => {
  const dir = casesDir();
  const one = writeCase(dir, '20261126T100000Z-aaaaaa', { 'report.json': seedReport('20261126T100000Z-aaaaaa') });
  assert.throws(
    () => CaseStore.open(one),
    (err: Error) => err instanceof UserError && /is the folder of one case, not a folder of cases \(its parent is\)$/.test(err.message),
  );
  assert.ok(!existsSync(databasePath(one)));
});

test('a cases folder that cannot be made is a one-line user error, not an internal one', () => {
  const file = join(casesDir(), 'a-file');
  writeFileSync(file, 'not a folder');
  assert.throws(
    () => CaseStore.open(join(file, 'cases')),
    (err: Error) =>
      err instanceof UserError &&
      /^cases folder .*a-file\/cases: cannot be created or written \(a file stands in its path\)$/.test(err.message),
  );
});
