// `--explore` against the lab: the landing page's call-to-action is found and clicked without
// being named, refused targets are never requested, every choice is in the evidence and
// `analyze` rebuilds it, the chosen box is marked on a copy of the screenshot.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';
import { cli } from './support/cli.js';
import { SEED_CONTACT_URL, SEED_URL, landingUrl } from '../src/lab/index.js';
import { EXPLORE_LANGUAGES, EXPLORE_REFUSED_TARGETS, EXPLORE_URLS, exploreTrackerUrl } from '../src/lab/scenarios/explore.js';
import { trace } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import type { ExploreStep, Report } from '../src/report.js';

const fixture = labAndBrowser();
const SEED_MESSAGE = fileURLToPath(new URL('../../test/fixtures/lab/seed-tmobile.eml', import.meta.url));

async function traceJson(url: string, ...options: string[]): Promise<{ report: Report; out: string; code: number | null }> {
  const out = tempDir('explore-');
  const { code, stdout, stderr } = await cli(['trace', url, '--json', '--out', out, ...options, ...fixture.lab.traceArgs]);
  assert.ok(stdout.startsWith('{'), `${code} ${stderr}`);
  return { report: JSON.parse(stdout) as Report, out, code };
}

/** The same, in this process on the shared browser (faster where the command line itself is not the point). */
async function traced(url: string, depth = 1): Promise<Report> {
  return (await trace(labOptions(fixture.lab, url, { exploreDepth: depth }), fixture.browser)).report;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('mail --trace main explores the seed to the advertiser, with no other option', async () => {
  const out = tempDir('explore-mail-');
  const { code, stdout } = await cli(['mail', SEED_MESSAGE, '--trace', 'main', '--json', '--out', out, ...fixture.lab.traceArgs]);
  assert.equal(code, 0, stdout.slice(0, 500));
  const [message] = JSON.parse(stdout).messages;
  assert.equal(message.traces.length, 1);
  assert.equal(message.traces[0].final, SEED_CONTACT_URL);
  const report = JSON.parse(readFileSync(join(out, message.traces[0].case, 'report.json'), 'utf8')) as Report;
  assert.deepEqual(
    report.hops.map((h) => h.via),
    ['start', 'click', 'http-302'],
  );
  assert.equal(report.explore?.length, 1);
  assert.equal(report.explore[0].chosen?.text, 'Find out more');
  assert.equal(report.explore[0].next, SEED_CONTACT_URL);
  assert.ok(report.explore[0].refused.some((c) => c.text === 'Unsubscribe' && /unsubscribe/.test(c.refused ?? '')));
  assert.equal(fixture.lab.hits(SEED_URL), 1, 'the link was requested once');
});

test('mail --trace --no-explore stays on the landing page; --no-explore with --explore is refused', async () => {
  const out = tempDir('explore-mail-');
  const args = ['mail', SEED_MESSAGE, '--trace', 'main', '--json', '--out', out, ...fixture.lab.traceArgs];
  const before = fixture.lab.requests.length;
  const bad = await cli([...args, '--no-explore', '--explore']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--no-explore and --explore exclude each other/);
  assert.equal(fixture.lab.requests.length, before, 'nothing was visited');
  const { stdout } = await cli([...args, '--no-explore']);
  const [message] = JSON.parse(stdout).messages;
  const report = JSON.parse(readFileSync(join(out, message.traces[0].case, 'report.json'), 'utf8')) as Report;
  assert.equal(report.explore, undefined);
  assert.deepEqual(
    report.hops.map((h) => h.via),
    ['start'],
  );
});

describe('trace --explore', () => {
  let obvious: { report: Report; out: string };

  test('one obvious call-to-action among navigation and footer links: chosen, clicked, followed', async () => {
    const { report, out, code } = await traceJson(EXPLORE_URLS.obvious, '--explore');
    obvious = { report, out };
    assert.equal(code, 0);
    assert.equal(report.error, null);
    assert.deepEqual(
      report.hops.map((h) => h.via),
      ['start', 'click', 'http-302'],
    );
    assert.equal(report.final?.url, landingUrl('explore-obvious'));
    const [step] = report.explore!;
    assert.equal(step.depth, 1);
    assert.equal(step.url, EXPLORE_URLS.obvious);
    assert.equal(step.chosen?.text, 'Shop now');
    assert.equal(step.chosen?.href, exploreTrackerUrl('explore-obvious'));
    assert.ok(step.chosen.box.width > 50 && step.chosen.box.height > 20 && step.chosen.box.y < 720, JSON.stringify(step.chosen.box));
    assert.ok(step.chosen.reasons.some((r) => r.includes('call-to-action wording "shop now"')));
    assert.ok(step.chosen.reasons.some((r) => r.includes('known tracker (Twilio SendGrid)')));
    assert.equal(step.chosen.score, sumOf(step.chosen.reasons));
    assert.ok(step.runnersUp.length > 0 && step.runnersUp.length <= 5);
    assert.ok(step.runnersUp.every((c) => c.score <= step.chosen!.score && !c.refused));
    assert.deepEqual(step.refused.map((c) => c.text).sort(), ['Accept', 'Privacy policy', 'Terms of use', 'Unsubscribe']);
    assert.equal(step.refused.find((c) => c.text === 'Accept')?.refused, 'cookie banner');
    assert.equal(step.next, landingUrl('explore-obvious'));
    const hop = report.hops[1];
    assert.equal(hop.evidence.clickText, 'Shop now');
  });

  test('the chosen box is drawn on a copy of the screenshot; the screenshot stays as taken', async () => {
    const { report, out } = obvious;
    const dir = join(out, report.case!);
    const step = report.explore![0];
    const original = report.pages.find((p) => p.index === step.page)!.screenshot!;
    assert.equal(step.screenshot, original.replace(/\.png$/, '-explore.png'));
    const shot = readFileSync(join(dir, original));
    const marked = readFileSync(join(dir, step.screenshot));
    // The original is the one in the WARC (evidence); the copy differs only around the box.
    const capture = await readCapture(dir);
    assert.equal(sha256(capture.pages.find((p) => p.index === step.page)!.screenshot!.png), sha256(shot));
    const a = PNG.sync.read(shot);
    const b = PNG.sync.read(marked);
    assert.deepEqual([b.width, b.height], [a.width, a.height]);
    const scale = a.width / report.identity!.viewport.width;
    const { x, y, width, height } = step.chosen!.box;
    const differs = (px: number, py: number) => {
      const i = (Math.round(py * scale) * a.width + Math.round(px * scale)) * 4;
      return a.data.subarray(i, i + 3).compare(b.data.subarray(i, i + 3)) !== 0;
    };
    assert.ok(differs(x - 3, y + height / 2), 'a frame left of the box');
    assert.ok(!differs(x + width / 2, y + height / 2), 'the control itself untouched');
    assert.ok(!differs(5, a.height / scale - 5), 'the rest untouched');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    assert.ok(manifest.files.some((f) => f.path === step.screenshot));
    const verify = await cli(['verify', dir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  test('analyze on the saved case rebuilds the same explore step from the WARC, and prints it', async () => {
    const { report, out } = obvious;
    const dir = join(out, report.case!);
    // The three runs only read the case: at once, for the file's wall time.
    const [check, json, text] = await Promise.all([
      cli(['analyze', dir, '--check']),
      cli(['analyze', dir, '--json']),
      cli(['analyze', dir]),
    ]);
    assert.equal(check.code, 0, check.stderr);
    const rebuilt = JSON.parse(json.stdout) as Report;
    assert.deepEqual(rebuilt.explore, report.explore);
    const capture = await readCapture(dir);
    const event = capture.events.find((e) => e.type === 'explore');
    assert.ok(event && event.type === 'explore');
    assert.equal(event.controls[event.chosen!].text, 'Shop now');
    assert.ok(event.controls.length >= 10, 'every link and button read is in the evidence');
    assert.match(text.stdout, /^Explore 1: clicked "Shop now" \(score \d+\) on promo\.broker-net\.test\/explore\/obvious$/m);
    assert.match(text.stdout, /^ +runners-up: "/m);
  });

  test('a styled <button> that opens a tracker link from script', async () => {
    const report = await traced(EXPLORE_URLS.button);
    const [step] = report.explore!;
    assert.equal(step.chosen?.text, 'Get your discount');
    assert.equal(step.chosen?.tag, 'button');
    assert.equal(step.chosen?.href, null);
    assert.deepEqual(
      report.hops.map((h) => h.via),
      ['start', 'click', 'http-302'],
    );
    assert.equal(report.hops[1].url, exploreTrackerUrl('explore-button'));
    assert.equal(report.final?.url, landingUrl('explore-button'));
  });

  test('depth 2: the page the click led to is explored in turn', async () => {
    const before = fixture.lab.requests.length;
    const { report } = await traceJson(EXPLORE_URLS.obvious, '--explore-depth', '2');
    assert.deepEqual(
      report.explore!.map((s) => [s.depth, s.chosen?.text]),
      [
        [1, 'Shop now'],
        [2, 'Sign up now'],
      ],
    );
    assert.equal(report.explore![1].url, landingUrl('explore-obvious'));
    assert.equal(report.final?.url, 'https://www.advertiser.example/signup?src=explore-obvious');
    assert.deepEqual(
      report.hops.map((h) => h.via),
      ['start', 'click', 'http-302', 'click'],
    );
    assert.deepEqual(
      fixture.lab.requests.slice(before).map((r) => r.url),
      report.hops.map((h) => h.url),
      'each link of the chain requested once',
    );
  });

  test('hidden decoys with call-to-action wording are never chosen or requested', async () => {
    const report = await traced(EXPLORE_URLS.decoy);
    const [step] = report.explore!;
    assert.equal(step.chosen?.text, 'continue to the offer');
    assert.equal(report.final?.url, landingUrl('explore-decoy'));
    const hidden = step.refused.filter((c) => c.text === 'Claim your prize now').map((c) => c.refused);
    for (const why of ['display:none', 'off-screen', 'clipped to nothing', 'opacity:0', 'visibility:hidden'])
      assert.ok(hidden.includes(`hidden (${why})`), `${why}: ${hidden.join(', ')}`);
    for (const url of EXPLORE_REFUSED_TARGETS.decoy) assert.equal(fixture.lab.hits(url), 0, url);
  });
});

// Two tests at a time in these two groups (traces of their own pages, none submits a form): the file's wall time.
describe('explore refuses what must not be followed, and says so', { concurrency: 2 }, () => {
  // Through the command line where the issue asks for it (for one page its terminal output, the report
  // read from the case), in this process for the rest.
  const cases: [name: keyof typeof EXPLORE_URLS, refused: RegExp[], targets: string[], via: 'terminal' | 'cli' | 'library'][] = [
    ['unsubscribe', [/^unsubscribe/, /^unsubscribe/, /^privacy/], EXPLORE_REFUSED_TARGETS.unsubscribe, 'terminal'],
    ['download', [/^download link \(\.pdf\)$/, /^download link \(download attribute\)$/], EXPLORE_REFUSED_TARGETS.download, 'cli'],
    ['mailto', [/^javascript: link$/, /^mailto: link$/, /^tel: link$/, /^sms: link$/], [], 'cli'],
    ['anchor', [/^same-page anchor$/], [], 'library'],
    ['form', [/^submits a form that needs typing$/, /^privacy/], EXPLORE_REFUSED_TARGETS.form, 'library'],
  ];
  for (const [name, refused, targets, via] of cases) {
    const terminal = via === 'terminal' ? '; the terminal says "no call-to-action" and lists the refused' : '';
    test(`${name}: no call-to-action; the refused are listed and never requested${terminal}`, async () => {
      const url = EXPLORE_URLS[name];
      let report: Report;
      if (via === 'terminal') {
        const out = tempDir('explore-');
        const { code, stdout } = await cli(['trace', url, '--explore', '--out', out, ...fixture.lab.traceArgs]);
        assert.equal(code, 0, 'a page without a call-to-action is an answer, not an error');
        assert.match(stdout, /^Explore 1: no call-to-action on promo\.broker-net\.test\/explore\/unsubscribe \(3 links and buttons\)$/m);
        assert.match(stdout, /^ +refused: "Unsubscribe from all mailings" \(unsubscribe[^)]*\), "Manage preferences" \(unsubscribe/m);
        const caseDir = /^Case: (.*)$/m.exec(stdout)![1];
        report = JSON.parse(readFileSync(join(caseDir, 'report.json'), 'utf8')) as Report;
      } else if (via === 'cli') {
        const run = await traceJson(url, '--explore');
        assert.equal(run.code, 0, 'a page without a call-to-action is an answer, not an error');
        report = run.report;
      } else report = await traced(url);
      assert.equal(report.error, null);
      assert.equal(report.final?.url, url);
      assert.deepEqual(
        report.hops.map((h) => h.via),
        ['start'],
      );
      const step: ExploreStep = report.explore![0];
      assert.equal(step.chosen, null);
      assert.equal(step.next, null);
      assert.equal(step.screenshot, null);
      assert.equal(step.refused.length, refused.length, JSON.stringify(step.refused.map((c) => [c.text, c.refused])));
      for (const [i, reason] of refused.entries()) assert.match(step.refused[i].refused ?? '', reason, step.refused[i].text);
      for (const target of targets) assert.equal(fixture.lab.hits(target), 0, target);
      assert.equal(fixture.lab.requests.filter((r) => r.method === 'POST').length, 0, 'no form was submitted');
    });
  }

  test('bad --explore-depth is a one-line error', async () => {
    const { code, stderr } = await cli(['trace', EXPLORE_URLS.obvious, '--explore-depth', '0']);
    assert.equal(code, 2);
    assert.match(stderr, /--explore-depth: expected a whole number from 1 to 10, got "0"/);
  });
});

describe('calls-to-action in other languages', { concurrency: 2 }, () => {
  for (const [code, page] of Object.entries(EXPLORE_LANGUAGES)) {
    test(`${code}: "${page.cta}"`, async () => {
      const { report } = await trace(labOptions(fixture.lab, page.url, { exploreDepth: 1 }), fixture.browser);
      const [step] = report.explore!;
      assert.equal(step.chosen?.text, page.cta);
      assert.ok(
        step.chosen.reasons.some((r) => r.includes(`(${code})`)),
        step.chosen.reasons.join('; '),
      );
      assert.equal(report.final?.url, landingUrl(`explore-lang-${code}`));
      const footer = step.refused.map((c) => c.text);
      for (const text of page.footer) assert.ok(footer.includes(text), `${text} refused: ${footer.join(', ')}`);
    });
  }
});

function sumOf(reasons: string[]): number {
  return reasons.reduce((sum, r) => sum + Number(/^([+-]\d+) /.exec(r)![1]), 0);
}
