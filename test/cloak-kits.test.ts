// clicktrace compare against cloakers built the way real kits decide (src/lab/scenarios/cloak-kits.ts):
// a phishing kit's antibot judging the request headers, a JavaScript fingerprint gate, a link served
// once per address, a "returning visitor" kit, and honest links whose answers differ at every visit
// by tokens. The desktop visitor must pass every check a kit makes of a real Chrome; the careless
// profiles must be caught and the comparison must say so, pointing at the hop; differences that are
// not cloaking must not be called cloaking.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labWithCasesDirs, twoAtATime } from './helpers.js';
import { runCli } from './support/cli-process.js';
import { compareHere } from './support/compare-here.js';
import { antibotTells, BENIGN_URL, kitUrl, type KitName } from '../src/lab/index.js';
import type { ComparisonRecord } from '../src/compare/comparison-case.js';
import type { Report } from '../src/report.js';
import { BrowserPool } from '../src/service/browser-pool.js';

const fixture = labWithCasesDirs('cloak-kits-');
const casesDir = fixture.casesDir;
// The comparisons whose command line is not the point run in this process, on one browser pool.
const browsers = new BrowserPool();
after(() => browsers.close());

/** `settle`: the gate's checks take a second or two on a loaded machine, and a page that has not navigated by then has settled. */
async function compare(kit: KitName, path: string, profiles: string, extra: string[] = [], settle = '1500') {
  const args = ['compare', kitUrl(kit, path), '--as', profiles, '--yes', '--json', '--out', casesDir(), '--settle', settle];
  const run = await runCli([...args, ...extra, ...fixture.lab.traceArgs]);
  assert.equal(run.code, 0, `${kit}: ${run.stderr}`);
  const record = JSON.parse(run.stdout) as ComparisonRecord;
  const finalOf = (profile: string) => record.comparison.profiles.find((p) => p.profile === profile)!.final?.url ?? '';
  return { record, comparison: record.comparison, finalOf };
}

/** compare() in this process, on the file's browser pool, as `clicktrace compare` runs it. */
const compareKit = (kit: KitName, path: string, profiles: string) =>
  compareHere(fixture.lab, browsers, kitUrl(kit, path), profiles, casesDir());

/** What a kit that sent a visitor away found (its `?why=`), or null when it let the visitor through. */
function tellsIn(finalUrl: string): string | null {
  if (!finalUrl.startsWith(BENIGN_URL)) return null;
  return new URL(finalUrl).searchParams.get('why') ?? '';
}

const PHISH = 'https://secure-login.phish.example/account/verify';

function headerOf(rawHeaders: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
}

// The four tests are independent (each its own kit URLs, cases folders and Chromium or pool traces;
// the antibot count filters on its own URL): two at a time, the shortest last, so the lanes end together.
describe('cloak kits', { concurrency: 2 }, () => {
  test('antibot kit: desktop, mobile, webmail and lang=de-DE pass as Chrome by their headers; headless and the scanner are caught, at hop 2', async () => {
    const { comparison: c, finalOf } = await compare('antibot', 'all', 'all');
    for (const profile of ['desktop', 'mobile', 'webmail', 'lang=de-DE'])
      assert.equal(finalOf(profile), PHISH, `${profile} was taken for a bot: ${tellsIn(finalOf(profile))}`);
    assert.match(tellsIn(finalOf('headless'))!, /bot-word/);
    assert.match(tellsIn(finalOf('scanner'))!, /no-client-hints/);
    assert.equal(c.verdict, 'cloaked', c.explanation);
    assert.deepEqual(c.signals, ['user-agent', 'javascript']);
    const pair = c.pairs.find((p) => p.a === 'desktop' && p.b === 'headless')!;
    assert.deepEqual(
      { hop: pair.divergence!.hop, kind: pair.divergence!.kind, by: pair.divergence!.decidedBy },
      { hop: 2, kind: 'next-url', by: 'server' },
    );
    assert.match(c.explanation, /desktop and headless part at hop 2 \(desktop went on to https:\/\/secure-login/);
    // The same rules over the headers the lab received from each visitor's first request.
    const firsts = fixture.lab.requests.filter((r) => r.url === kitUrl('antibot', 'all'));
    assert.equal(firsts.length, 6);
    const human = firsts.filter((r) => antibotTells(r.rawHeaders, true).length === 0);
    assert.equal(human.length, 4, 'four visitors sent what Chrome sends');
  });

  test('fingerprint gate: every Chrome-like visitor passes every check (both builds, a phone too, history.length 1); headless is caught', async () => {
    const { comparison: c, finalOf } = await compare('gate', 'shell', 'desktop,mobile,headless,lang=de-DE', [], '6000');
    for (const profile of ['desktop', 'mobile', 'lang=de-DE'])
      assert.equal(finalOf(profile), PHISH, `${profile} failed the gate: ${tellsIn(finalOf(profile))}`);
    const caught = tellsIn(finalOf('headless'))!.split(',');
    for (const tell of ['webdriver', 'plugins', 'user-agent-data']) assert.ok(caught.includes(tell), `headless: ${caught.join(',')}`);
    assert.equal(c.verdict, 'cloaked', c.explanation);
    assert.equal(c.signal, 'webdriver');

    // One trace of each build on a browser of its own (the command line's), a desktop and a phone,
    // and the full build serving many traces as the shell did above (its pages opened differently:
    // session.ts initialSession, openSession); `history-length` is checked on each.
    const traceOnce = (kind: 'shell' | 'full', path: string, extra: string[]) =>
      runCli([
        'trace',
        kitUrl('gate', path),
        '--browser',
        kind,
        '--json',
        '--out',
        casesDir(),
        '--settle',
        '6000',
        ...extra,
        ...fixture.lab.traceArgs,
      ]);
    for (const kind of ['full', 'shell'] as const) {
      const runs = await Promise.all([
        traceOnce(kind, `${kind}-alone`, []),
        traceOnce(kind, `${kind}-alone-phone`, ['--device', 'mobile']),
      ]);
      for (const [i, run] of runs.entries()) {
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as Report;
        assert.equal(
          report.final?.url,
          PHISH,
          `${kind} build (${i ? 'phone' : 'desktop'}, a browser of its own) failed the gate: ${tellsIn(report.final?.url ?? '')}`,
        );
      }
    }
    // Each link requested once, as a link opened from a mail client is: started by the browser
    // (Sec-Fetch-Site none, Sec-Fetch-User ?1), with no Referer.
    for (const path of ['full-alone', 'full-alone-phone', 'shell-alone', 'shell-alone-phone']) {
      const requests = fixture.lab.requests.filter((r) => r.url === kitUrl('gate', path));
      assert.equal(requests.length, 1, path);
      const headers = Object.fromEntries(
        ['sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-user', 'sec-fetch-dest', 'referer'].map((h) => [
          h,
          headerOf(requests[0].rawHeaders, h),
        ]),
      );
      assert.deepEqual(
        headers,
        {
          'sec-fetch-site': 'none',
          'sec-fetch-mode': 'navigate',
          'sec-fetch-user': '?1',
          'sec-fetch-dest': 'document',
          referer: undefined,
        },
        path,
      );
    }
    const full = await compare('gate', 'full-shared', 'desktop,mobile', ['--browser', 'full'], '6000');
    for (const profile of ['desktop', 'mobile'])
      assert.equal(full.finalOf(profile), PHISH, `full build (${profile}, shared) failed the gate: ${tellsIn(full.finalOf(profile))}`);
    // What the server got of the Device-Memory client hints the gate asked for: a phone's 8 GB, never the host's.
    const hinted = fixture.lab.requests.filter((r) => r.url.endsWith('/kit/hints/memory'));
    const phones = hinted.filter((r) => /Android/.test(headerOf(r.rawHeaders, 'user-agent') ?? ''));
    assert.ok(phones.length >= 2, 'the phone of each build sent the hints');
    for (const r of phones) {
      assert.equal(headerOf(r.rawHeaders, 'sec-ch-device-memory'), '8');
      assert.equal(headerOf(r.rawHeaders, 'device-memory'), '8');
    }
  });

  test('not cloaking: per-visit tokens are the same; a returning-visitor kit sees every visitor fresh; a link served once is single-use', async () => {
    const runs = await twoAtATime(
      [
        ['nonce', 'desktop,mobile,scanner'],
        ['nonce-path', 'desktop,mobile,scanner'],
        ['returning', 'desktop,mobile,webmail'],
        ['once', 'desktop,mobile,headless'],
        ['nonce-host', 'desktop,mobile,scanner'],
      ] as [KitName, string][],
      ([kit, profiles]) => compareKit(kit, 'v', profiles),
    );
    const [nonce, noncePath, returning, once, nonceHost] = runs.map((r) => r.comparison);
    assert.equal(nonce.verdict, 'same', nonce.explanation);
    assert.ok(
      nonce.pairs.every((p) => p.same),
      'no pair parts over a session id or a timestamp',
    );
    assert.equal(noncePath.verdict, 'same', noncePath.explanation);
    assert.equal(noncePath.groups.length, 1);
    assert.equal(returning.verdict, 'same', returning.explanation);
    assert.equal(runs[2].finalOf('webmail'), PHISH);
    assert.equal(once.verdict, 'single-use', once.explanation);
    assert.equal(once.firstVisitor, 'desktop');
    assert.equal(runs[3].finalOf('desktop'), PHISH);
    assert.equal(nonceHost.verdict, 'same', nonceHost.explanation);
    assert.equal(new Set(nonceHost.profiles.map((p) => new URL(p.final!.url).host)).size, 3, 'each visitor on a host of its own');
  });

  test('a kit that computes in one script for 1.5 s before it redirects is followed: a page that does not answer is not at rest', async () => {
    const run = await runCli([
      'trace',
      kitUrl('busy', 'one'),
      '--json',
      '--out',
      fixture.casesDir(),
      '--settle',
      '5000',
      ...fixture.lab.traceArgs,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as Report).final?.url, PHISH);
  });
});
