// clicktrace compare as users run it (the built CLI against the lab, real Chromium): every lab
// cloaker exposed with the right signal, the honest link the same for all, a single-use link
// recognised, every case sealed and verify-clean, the ledger honest about each request, the --yes
// rule, and the web UI's compare page with the screenshots side by side.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { labWithCasesDirs, twoAtATime, UI_CHROMIUM } from './helpers.js';
import { runCli } from './support/cli-process.js';
import { compareHere } from './support/compare-here.js';
import { cloakerUrl, probeUrl, SINGLE_USE_PREFIX, type CloakerName, type ProbeName } from '../src/lab/index.js';
import { verifyCase } from '../src/verify/verify.js';
import { startServe } from '../src/cli/serve-command.js';
import { ALL_PROFILES } from '../src/compare/profiles.js';
import type { ComparisonRecord } from '../src/compare/comparison-case.js';
import { BrowserPool } from '../src/service/browser-pool.js';

const fixture = labWithCasesDirs('compare-');
const casesDir = fixture.casesDir;
// The comparisons whose command line is not the point run in this process, on one browser pool (closed with the describe).
const browsers = new BrowserPool();

async function compare(url: string, profiles: string, out: string, extra: string[] = []) {
  const run = await runCli([
    'compare',
    url,
    '--as',
    profiles,
    '--json',
    '--out',
    out,
    '--settle',
    '1500',
    ...extra,
    ...fixture.lab.traceArgs,
  ]);
  return { ...run, out, record: run.stdout.trim().startsWith('{') ? (JSON.parse(run.stdout) as ComparisonRecord) : null };
}

/** The comparison case and every profile case it names: closed, and verify-clean. */
async function assertSealed(out: string, record: ComparisonRecord): Promise<void> {
  const ids = [record.case, ...record.comparison.profiles.map((p) => p.case!)];
  assert.equal(ids.length, record.profiles.length + 1, 'one case per profile, and the comparison');
  for (const id of ids) {
    assert.ok(!existsSync(join(out, id, 'PARTIAL')), `${id} is closed`);
    const verified = await verifyCase(join(out, id));
    assert.ok(verified.ok, `${id}: ${verified.problems.join('; ')}`);
  }
}

function ledgerRows(out: string, url: string): number {
  const db = new Database(join(out, 'clicktrace.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM requested_urls WHERE url = ? AND case_id IS NOT NULL').get(url) as { n: number }).n;
  } finally {
    db.close();
  }
}

const EXPECTED: [CloakerName, string][] = [
  ['user-agent', 'user-agent'],
  ['webdriver', 'webdriver'],
  ['javascript', 'javascript'],
  ['device', 'device'],
  ['language', 'language'],
  ['referrer', 'referrer'],
];

// Each test compares its own links into its own cases folders: the six cloakers (two compares at a time)
// alongside the other tests in turn, for the file's wall time.
describe('compare', { concurrency: 2 }, () => {
  after(() => browsers.close());
  test('every single-signal cloaker is cloaked with its signal named; each profile a sealed case recorded in the ledger', async () => {
    // Two compares at a time, each into its own cases folder: the first cloaker's with the built CLI
    // (its --json record and exit status), the others' in this process on one browser pool (the same
    // comparison, without a process and two Chromium launches each).
    const runs = await twoAtATime(EXPECTED, async ([cloaker], i) => {
      const url = cloakerUrl(cloaker, 'all-1');
      if (i === 0) {
        const { code, stderr, record, out } = await compare(url, 'all', casesDir(), ['--yes']);
        assert.equal(code, 0, `${cloaker}: ${stderr}`);
        return { record, out };
      }
      const out = casesDir();
      const { record, allTraced } = await compareHere(fixture.lab, browsers, url, 'all', out);
      assert.ok(allTraced, `${cloaker}: every profile traced`);
      return { record, out };
    });
    for (const [i, [cloaker, signal]] of EXPECTED.entries()) {
      const url = cloakerUrl(cloaker, 'all-1');
      const { record, out } = runs[i];
      assert.ok(record, cloaker);
      const c = record.comparison;
      assert.equal(c.verdict, 'cloaked', `${cloaker}: ${c.explanation}`);
      assert.equal(c.signal, signal, `${cloaker}: ${c.explanation}`);
      assert.deepEqual(record.profiles, [...ALL_PROFILES]);
      // The profile that sees something else parts from desktop at a named hop.
      assert.ok(
        c.pairs.some((p) => p.a === 'desktop' && p.divergence !== null),
        cloaker,
      );
      assert.equal(ledgerRows(out, url), ALL_PROFILES.length, `${cloaker}: one ledger row per request`);
      assert.equal(fixture.lab.hits(new URL(url).pathname), ALL_PROFILES.length, `${cloaker}: the link was requested once per profile`);
      await assertSealed(out, record);
      // Each case says which visitor it was.
      const scanner = c.profiles.find((p) => p.profile === 'scanner')!;
      const report = (await import('node:fs')).readFileSync(join(out, scanner.case!, 'report.json'), 'utf8');
      assert.equal((JSON.parse(report) as { identity: { profile: string } }).identity.profile, 'scanner');
    }
  });

  test('a cloaker that needs two signals at once is named by both; the honest link is the same for all', async () => {
    // In this process, on the file's browser pool (the CLI's compare is the first cloaker's above, and the tests below).
    const out = casesDir();
    const several = await compareHere(
      fixture.lab,
      browsers,
      cloakerUrl('several', 'x'),
      'desktop,mobile,lang=de-DE,mobile+lang=de-DE',
      out,
    );
    assert.ok(several.allTraced);
    assert.equal(several.comparison.verdict, 'cloaked');
    assert.deepEqual([...several.comparison.signals].sort(), ['device', 'language']);
    const mobileGerman = several.comparison.groups.find((g) => g.profiles.includes('mobile+lang=de-DE'))!;
    assert.deepEqual(mobileGerman.profiles, ['mobile+lang=de-DE']);

    const honest = await compareHere(fixture.lab, browsers, cloakerUrl('honest', 'x'), 'all', out);
    assert.ok(honest.allTraced);
    assert.equal(honest.comparison.verdict, 'same', honest.comparison.explanation);
    // "same" says what it cannot rule out: cloakers keyed on what no profile varied, or on signals together.
    assert.match(honest.comparison.explanation, /on signals only together .* would not show here\.$/);
    assert.equal(honest.comparison.groups.length, 1);
    await assertSealed(out, honest.record);
  });

  test('cloakers keyed otherwise: another page at the same URL, an expired page, a touch check, answers by turns, a cookie hop', async () => {
    const probes: [ProbeName, string][] = [
      ['content', 'desktop,headless,scanner'],
      ['expired', 'desktop,mobile,webmail'],
      ['touch', 'desktop,mobile,scanner'],
      ['rotating', 'desktop,mobile,headless,lang=de-DE'],
      ['cookie-hop', 'desktop,mobile,scanner'],
    ];
    // In this process, on the file's browser pool.
    const runs = await twoAtATime(probes, ([probe, profiles]) =>
      compareHere(fixture.lab, browsers, probeUrl(probe, 'p'), profiles, casesDir()),
    );
    const [content, expired, touch, rotating, cookieHop] = runs.map((r, i) => {
      assert.ok(r.allTraced, `${probes[i][0]}: every profile traced`);
      return r.comparison;
    });
    // No redirect tells them apart: the same URL served headless another page.
    assert.equal(content.verdict, 'cloaked', content.explanation);
    assert.equal(content.signal, 'user-agent');
    const pair = content.pairs.find((p) => p.a === 'desktop' && p.b === 'headless')!;
    assert.deepEqual(
      { hop: pair.divergence!.hop, kind: pair.divergence!.kind, by: pair.divergence!.decidedBy },
      { hop: 1, kind: 'content', by: 'server' },
    );
    assert.deepEqual(content.groups.find((g) => g.profiles.includes('headless'))!.profiles, ['headless']);
    assert.match(
      content.explanation,
      /^Cloaked by user-agent: desktop, scanner -> \S+ \(200 "Account verification"\); headless -> \S+ \(200 "Garden tips blog"\)/,
    );
    // Later visits got a 200 "expired" page at the same URL.
    assert.equal(expired.verdict, 'single-use', expired.explanation);
    // A script checks touch; the scanner stops at any script.
    assert.deepEqual(touch.signals, ['device', 'javascript'], touch.explanation);
    // Answers by turns, whoever asks: a profile signal is named, and so is chance.
    assert.equal(rotating.verdict, 'cloaked', rotating.explanation);
    assert.equal(rotating.mayBeChance, true, rotating.explanation);
    assert.match(rotating.explanation, /may also be chance/);
    // A cookie the first hop set, required on the next: the client without a browser kept none.
    assert.deepEqual(cookieHop.signals, ['javascript'], cookieHop.explanation);
    assert.equal(cookieHop.pairs.find((p) => p.b === 'scanner' && p.a === 'desktop')!.divergence!.hop, 3);
    assert.match(cookieHop.explanation, /no cookie from an earlier hop/);
  });

  test('a single-use link: the first visitor consumes it, the comparison says single-use', async () => {
    const out = casesDir();
    const url = `${SINGLE_USE_PREFIX}compare-once`;
    const { code, stderr, record } = await compare(url, 'all', out, ['--yes']);
    assert.equal(code, 0, stderr);
    const c = record!.comparison;
    assert.equal(c.verdict, 'single-use', c.explanation);
    assert.equal(c.firstVisitor, 'desktop');
    const later = c.pairs.find((p) => p.a === 'desktop' && p.b === 'mobile')!;
    assert.deepEqual({ hop: later.divergence!.hop, kind: later.divergence!.kind }, { hop: 1, kind: 'response' });
    assert.equal(fixture.lab.hits('/once/compare-once'), ALL_PROFILES.length);
    await assertSealed(out, record!);
    assert.match(stderr, /requests .* 6 times, once per profile/);
  });

  test('--yes is required when stdin is not a terminal; a link compared before is not requested again without --again', async () => {
    const out = casesDir();
    const url = cloakerUrl('honest', 'yes-rule');
    const refused = await compare(url, 'desktop,mobile', out);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /requests .* 2 times/);
    assert.match(refused.stderr, /stdin is not a terminal: pass --yes/);
    assert.equal(fixture.lab.hits('/split/honest/yes-rule'), 0, 'nothing requested');
    assert.ok(!existsSync(out) || readdirSync(out).every((n) => !n.endsWith('-compare')));

    const first = await compare(url, 'desktop,mobile', out, ['--yes']);
    assert.equal(first.code, 0, first.stderr);
    const again = await compare(url, 'desktop,mobile', out, ['--yes']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already traced .*--again/);
    assert.equal(fixture.lab.hits('/split/honest/yes-rule'), 2, 'the second compare requested nothing');
    const anew = await compare(url, 'desktop,mobile', out, ['--yes', '--again']);
    assert.equal(anew.code, 0, anew.stderr);
    assert.equal(ledgerRows(out, url), 4);

    const bad = await compare(url, 'desktop,tablet', out, ['--yes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown profile "tablet"/);
  });
});

// After the others, alone: next to two compares (a third Chromium, the UI's) its "every screenshot loads" failed twice on the
// loaded shared machine, and passed alone.
test('the web UI compare page shows the screenshots side by side, the parting profile marked', async () => {
  const out = casesDir();
  const { record } = await compare(cloakerUrl('referrer', 'ui'), 'desktop,mobile,webmail', out, ['--yes']);
  assert.equal(record!.comparison.signal, 'referrer');
  const [serve, browser] = await Promise.all([
    startServe(['--port', '0', '--cases', out], () => undefined).then((h) => h!),
    chromium.launch({ executablePath: UI_CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${serve.server.url}/compare`);
    await page.click(`a[href="/compare/${record!.case}"]`);
    await page.waitForSelector('.compare-shots figure');
    // Loaded or failed (complete either way), then judged: on a loaded machine the images come after their figures.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.compare-shots figure img')].every((img) => (img as HTMLImageElement).complete),
    );
    assert.match((await page.textContent('.verdict'))!, /Verdict: cloaked.*signal: referrer/);
    const figures = await page.$$eval('.compare-shots figure', (els) =>
      els.map((el) => {
        const box = el.getBoundingClientRect();
        const img = el.querySelector('img');
        return {
          profile: el.getAttribute('data-profile'),
          diverges: el.classList.contains('diverges'),
          top: Math.round(box.top),
          left: box.left,
          loaded: img ? img.complete && img.naturalWidth > 0 : false,
        };
      }),
    );
    assert.deepEqual(
      figures.map((f) => f.profile),
      ['desktop', 'mobile', 'webmail'],
    );
    assert.ok(
      figures.every((f) => f.top === figures[0].top),
      'in one row',
    );
    assert.ok(figures[0].left < figures[1].left && figures[1].left < figures[2].left, 'side by side');
    assert.ok(
      figures.every((f) => f.loaded),
      'every screenshot loads',
    );
    assert.deepEqual(
      figures.filter((f) => f.diverges).map((f) => f.profile),
      ['webmail'],
    );
    const report = await (await fetch(`${serve.server.url}/api/report`)).json();
    const phish = (report as { cloaking: { party: string; cloaked: number }[] }).cloaking.find((r) => r.party === 'phish.example');
    assert.equal(phish?.cloaked, 1);
    // Each visitor's own case page carries the "cloaked" flag, naming a visitor who ended elsewhere.
    const webmail = record!.comparison.profiles.find((p) => p.profile === 'webmail')!;
    await page.goto(`${serve.server.url}/cases/${webmail.case}`);
    assert.match((await page.textContent('li[data-flag="cloaked"]'))!, /Served differently to another visitor: .*the desktop visitor/);
  } finally {
    await browser.close();
    await serve.close();
  }
});
