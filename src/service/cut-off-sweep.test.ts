import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ingestFolder } from '../import/case-bundle.js';
import { CaseWriter } from '../case/case-writer.js';
import { PARTIAL_FILE } from '../case/case-layout.js';
import { CaseStore } from '../store/index.js';
import { verifyCase } from '../verify/verify.js';
import { cutOffAction, sweepCutOffCases, sweepNote } from './cut-off-sweep.js';
import { alreadyTraced } from './tracer.js';
import { sampleCapture, START_URL } from '../../test/support/test-capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'clicktrace-cut-off-sweep-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;

/** A trace's open case as a process killed mid-way leaves it: `exchanges` written, the WARC cut inside its last record, its PARTIAL naming `writer`. */
async function openCase(
  casesDir: string,
  name: string,
  exchanges: number,
  url = START_URL,
  writer = `${hostname()} ${deadPid}`,
): Promise<string> {
  const capture = sampleCapture();
  const caseWriter = await CaseWriter.create(casesDir, { ...capture.info, url, partial: true, endedAt: null }, { name });
  for (const rec of capture.dns.slice(0, exchanges ? undefined : 0)) caseWriter.addDns(rec);
  for (const ex of capture.exchanges.slice(0, exchanges)) caseWriter.addExchange(ex);
  if (exchanges > 0) {
    caseWriter.addPage(capture.pages[0]);
    truncateSync(caseWriter.warcPath, caseWriter.stats().warcBytes - 7);
  }
  writeFileSync(
    join(caseWriter.dir, PARTIAL_FILE),
    `capture in progress since ${new Date().toISOString()} by ${writer}; removed when the case is closed\n`,
  );
  return caseWriter.dir;
}

/** The ledger's claim on `url` as the dead process `deadPid` made it (claim() records this process as claimant). */
function deadClaim(store: CaseStore, url: string): number {
  const claim = store.ledger.claim(url);
  assert.ok(claim.ok);
  store.db.prepare('UPDATE requested_urls SET claimant = ? WHERE id = ?').run(`${hostname()} ${deadPid}`, claim.id);
  return claim.id;
}

test('a trace killed between making its case folder and attaching it: the folder goes, its claim is released, the link stays fresh', async () => {
  const casesDir = join(tmp, 'window');
  const store = CaseStore.open(casesDir);
  try {
    const url = 'http://window.test/once';
    deadClaim(store, url);
    // CaseWriter.create has run (PARTIAL, the WARC's warcinfo and info records): the browser session was opening.
    const dir = await openCase(casesDir, '20260314T120000Z-00aa01', 0, url);
    assert.deepEqual(cutOffAction(store, '20260314T120000Z-00aa01'), { action: 'remove', claim: 1 });
    const swept = await sweepCutOffCases(store);
    assert.deepEqual(swept, { sealed: [], removed: ['20260314T120000Z-00aa01'], indexed: [], staging: [] });
    assert.ok(!existsSync(dir));
    assert.equal(store.ledger.lookup(url), null, 'never requested');
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM requested_urls').get() as { n: number }).n, 0, 'the claim is released');
    assert.equal(store.ledger.claim(url).ok, true, 'a rerun requests it');
    // `reindex` afterwards finds nothing that says it was requested.
    assert.equal(store.reindex().indexed, 0);
  } finally {
    store.close();
  }
});

test('a folder killed before its WARC held a whole record, or left empty, holds nothing: removed (an empty one only once old)', async () => {
  const casesDir = join(tmp, 'empty');
  const store = CaseStore.open(casesDir);
  try {
    const partialOnly = join(casesDir, '20260314T120000Z-00bb01');
    mkdirSync(partialOnly);
    writeFileSync(
      join(partialOnly, PARTIAL_FILE),
      `capture in progress since ${new Date().toISOString()} by ${hostname()} ${deadPid}; x\n`,
    );
    const oldEmpty = join(casesDir, '20260314T120000Z-00bb02');
    const youngEmpty = join(casesDir, '20260314T120000Z-00bb03');
    mkdirSync(oldEmpty);
    mkdirSync(youngEmpty);
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    utimesSync(oldEmpty, hourAgo, hourAgo);
    const swept = await sweepCutOffCases(store);
    assert.deepEqual(swept.removed.sort(), ['20260314T120000Z-00bb01', '20260314T120000Z-00bb02']);
    assert.ok(existsSync(youngEmpty), 'a live process may have just made it');
  } finally {
    store.close();
  }
});

test('cut off after its link was requested: sealed as partial and indexed; a live writer, or one on another host, is left alone', async () => {
  const casesDir = join(tmp, 'attached');
  const store = CaseStore.open(casesDir);
  try {
    const claim = store.ledger.claim(START_URL);
    assert.ok(claim.ok);
    store.ledger.attach(claim.id, '20260314T120000Z-00cc01');
    const cut = await openCase(casesDir, '20260314T120000Z-00cc01', 2);
    const live = await openCase(casesDir, '20260314T120000Z-00cc02', 2, 'http://live.test/', `${hostname()} ${process.pid}`);
    const remote = await openCase(casesDir, '20260314T120000Z-00cc03', 2, 'http://remote.test/', `elsewhere.example ${deadPid}`);
    const swept = await sweepCutOffCases(store);
    assert.deepEqual(swept, { sealed: ['20260314T120000Z-00cc01'], removed: [], indexed: [], staging: [] });
    assert.match(sweepNote(swept) ?? '', /^sealed 1 case\(s\) cut off by an earlier run/);
    const verified = await verifyCase(cut);
    assert.ok(verified.ok, verified.problems.join('; '));
    const summary = store.caseSummary('20260314T120000Z-00cc01');
    assert.equal(summary?.partial, true);
    assert.match(summary?.error ?? '', /^partial: the process tracing it stopped .* after 2 exchange\(s\) were recorded/);
    // Met again, the link is answered with that case and how it ended, not as a plain success.
    const again = alreadyTraced(store, START_URL, { caseId: '20260314T120000Z-00cc01', inProgress: false });
    assert.deepEqual(again.kind === 'already-traced' && again.earlier, { partial: true, error: summary?.error });
    assert.ok(existsSync(join(live, PARTIAL_FILE)), 'its writer is alive');
    assert.ok(existsSync(join(remote, PARTIAL_FILE)), 'whether its writer lives is known only on its host');
    assert.equal(sweepNote(await sweepCutOffCases(store)), null, 'nothing left to do');
  } finally {
    store.close();
  }
});

test('not in the ledger and no claim of its writer left (the ledger was rebuilt): sealed, counted as requested, never removed', async () => {
  const casesDir = join(tmp, 'unknown');
  const store = CaseStore.open(casesDir);
  try {
    const url = 'http://unknown.test/maybe';
    await openCase(casesDir, '20260314T120000Z-00dd01', 0, url);
    const withExchanges = await openCase(casesDir, '20260314T120000Z-00dd02', 1, 'http://unknown.test/requested');
    const swept = await sweepCutOffCases(store);
    assert.deepEqual(swept.sealed, ['20260314T120000Z-00dd01', '20260314T120000Z-00dd02']);
    assert.equal(store.ledger.lookup(url)?.caseId, '20260314T120000Z-00dd01');
    assert.match(store.caseSummary('20260314T120000Z-00dd01')?.error ?? '', /whether its link was requested is not known/);
    assert.ok((await verifyCase(withExchanges)).ok);
  } finally {
    store.close();
  }
});

test("a case upload's staging folder left by a killed process is removed; a live process's, another host's, are left", async () => {
  const casesDir = join(tmp, 'staging');
  const store = CaseStore.open(casesDir);
  try {
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    const dead = join(casesDir, `.incoming-${deadPid}@${host}-Ab12Cd`);
    const live = join(casesDir, `.incoming-${process.pid}@${host}-Ef34Gh`);
    const remote = join(casesDir, `.incoming-${deadPid}@elsewhere.example-Ij56Kl`);
    for (const dir of [dead, live, remote]) {
      mkdirSync(join(dir, '20260314T120000Z-00ee01'), { recursive: true });
      writeFileSync(join(dir, '20260314T120000Z-00ee01', 'data.warc'), 'half a case');
    }
    const swept = await sweepCutOffCases(store);
    assert.deepEqual(swept.staging, [`.incoming-${deadPid}@${host}-Ab12Cd`]);
    assert.match(sweepNote(swept) ?? '', /removed 1 staging folder\(s\) of case uploads an earlier run was killed while taking in/);
    assert.ok(!existsSync(dead));
    assert.ok(existsSync(live) && existsSync(remote));
    // What the sweep removes is what taking a case in stages under.
    const sent = join(tmp, 'staging-source', '20260314T120000Z-00ee02');
    mkdirSync(sent, { recursive: true });
    writeFileSync(join(sent, 'manifest.json'), '{}');
    let staged = '';
    await assert.rejects(
      ingestFolder(sent, casesDir, {
        check: (job) => {
          staged = basename(dirname(job.dir));
          throw new Error('stop here');
        },
      }),
      /stop here/,
    );
    assert.match(staged, new RegExp(`^\\.incoming-${process.pid}@${host.replace(/\./g, '\\.')}-`));
  } finally {
    store.close();
  }
});
