// `--explore` on landing pages written like real ones (src/lab/scenarios/explore-pages.ts): the
// control a person would click is chosen, or none when there is none; nothing else any page points
// at is requested; the marked box is where the control is; hostile text is cleaned and bounded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';
import { cli } from './support/cli.js';
import {
  EXPLORE_OFFLINE_HOST,
  EXPLORE_PAGES,
  EXPLORE_PAGES_REFUSED_PREFIXES,
  explorePageTarget,
} from '../src/lab/scenarios/explore-pages.js';
import { trace } from '../src/capture/trace.js';
import { formatChain } from '../src/cli/format.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { viaLabel, type Report } from '../src/report.js';
import { verifyCase } from '../src/verify/verify.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import { loadNetworkData } from '../src/hosting/network-data.js';
import type { TraceOptions } from '../src/capture/trace.js';
import { loadRecorded } from '../src/web/recorded-case.js';
import { credentialFormFlag } from '../src/verdict/flags.js';
import { secretFields, visibleText } from '../src/verdict/page-dom.js';
import { MANIFEST_FILE } from '../src/case/case-layout.js';

const fixture = labAndBrowser();

const refusedHits = () =>
  fixture.lab.requests.filter((r) => EXPLORE_PAGES_REFUSED_PREFIXES.some((p) => r.url.startsWith(p))).map((r) => r.url);

/** A loopback port nothing listens on: the pages' offline host is sent there, and its connections are refused. */
const closedPort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

/** The lab's options for a page, with the pages' offline host refusing its connections. */
function pageOptions(url: string, extra: Partial<TraceOptions>): TraceOptions {
  const options = labOptions(fixture.lab, url, extra);
  return { ...options, connectTo: [`${EXPLORE_OFFLINE_HOST}:80:127.0.0.1:${closedPort}`, ...(options.connectTo ?? [])] };
}

describe('explore on landing pages written like real ones', { concurrency: 2 }, () => {
  for (const [name, page] of Object.entries(EXPLORE_PAGES)) {
    if (name === 'hostile-text' || page.frameFailure) continue;
    test(`${name}: ${page.about}`, async () => {
      const outDir = tempDir('explore-pages-');
      const settle = page.settleMs ? { settleMs: page.settleMs } : {};
      const { report } = await trace(pageOptions(page.url, { exploreDepth: 1, outDir, ...settle }), fixture.browser);
      assert.ok(report.explore, `explored: ${report.error ?? 'no explore step'}`);
      // A cookie wall closed while nothing was to click, then clicks that led nowhere come first,
      // each on the same page and depth; then the step that chose the call-to-action.
      const closedFirst = page.noticeClosedFirst ? 1 : 0;
      if (page.noticeClosedFirst) {
        const first = report.explore[0];
        assert.deepEqual([first.depth, first.chosen, first.dismissed?.text], [1, null, page.noticeClosedFirst]);
        assert.match(
          formatChain(report, null),
          new RegExp(`^ +closed the cookie notice with "${page.noticeClosedFirst}" \\(not consenting\\) and read the page again$`, 'm'),
        );
      }
      // A click aimed at the call-to-action that a layer a person does not see took comes next.
      const layerFirst = page.layerFirst ? 1 : 0;
      if (page.layerFirst) {
        const first = report.explore[closedFirst];
        assert.deepEqual(
          [first.depth, first.chosen, first.unseenLayer?.control.text, first.unseenLayer?.layer],
          [1, null, page.layerFirst, '<div>'],
        );
        assert.match(formatChain(report, null), /^ +a layer a person does not see over it took the click \(<div>\)$/m);
      }
      const nowhere = page.ledNowhere ?? [];
      const before = closedFirst + layerFirst;
      assert.deepEqual(
        report.explore.slice(before, before + nowhere.length).map((s) => [s.depth, s.chosen?.text]),
        nowhere.map((text) => [1, text]),
      );
      const step = report.explore[before + nowhere.length];
      const runnersUp = JSON.stringify(step.runnersUp.map((c) => [c.text, c.score]));
      const seen = `chosen ${JSON.stringify(step.chosen?.text)}; scrolled ${JSON.stringify(step.scrolled)}; runners-up ${runnersUp}`;
      assert.equal(step.chosen?.text ?? null, page.cta, seen);
      assert.equal(step.chosen?.frame, page.frame, 'the frame the call-to-action is in');
      assert.equal(step.dismissed?.text ?? null, page.dismissed ?? null, 'the cookie notice control clicked first');
      if (page.dismissed)
        assert.match(formatChain(report, null), new RegExp(`first closed the cookie notice over it with "${page.dismissed}"`));
      assert.equal(step.closedPopup?.text ?? null, page.closedPopup ?? null, "the pop-up's close control clicked first");
      if (page.closedPopup)
        assert.match(formatChain(report, null), new RegExp(`first closed the pop-up over it with "${page.closedPopup}"`));
      assert.equal(!!step.scrolled, !!page.scrolled, `scrolled down first: ${JSON.stringify(step.scrolled)}`);
      if (page.scrolled) {
        assert.ok(step.scrolled!.turns >= 1 && step.scrolled!.to > 0, JSON.stringify(step.scrolled));
        assert.match(
          formatChain(report, null),
          /^ +found once the page was scrolled down \(the wheel turned (once|twice|\d+ times), to [\d,]+ px/m,
        );
      }
      assert.equal(step.consentBlocked?.text ?? null, page.consentBlocked ?? null, 'the call-to-action left under an accept-only notice');
      if (page.consentBlocked) {
        assert.equal(step.chosen, null);
        assert.match(step.consentBlocked!.refused ?? '', /^covered by a consent notice that offers only accept; not clicked$/);
        assert.match(
          formatChain(report, null),
          new RegExp(
            `^Explore 1: call-to-action "${page.consentBlocked}" \\(score \\d+\\) on .*: covered by a consent notice that offers only accept; not clicked$`,
            'm',
          ),
        );
        const event = report.events.find((e) => e.kind === 'explore');
        assert.match(event?.detail ?? '', /covered by a consent notice that offers only accept; not clicked/);
      }
      if (page.framesSkipped)
        assert.deepEqual(
          (step.frames ?? []).filter((f) => f.skipped).map((f) => f.skipped),
          page.framesSkipped,
        );
      if (page.frameAds) {
        assert.deepEqual(
          (step.frames ?? []).filter((f) => !f.skipped).map((f) => f.ad ?? null),
          page.frameAds,
          'the display-ad label of each frame read',
        );
        const ads = page.frameAds.filter((ad) => ad !== null);
        const line = formatChain(report, null)
          .split('\n')
          .find((l) => l.trim().startsWith('frames:'));
        if (ads.length === 0) assert.doesNotMatch(line ?? '', /display ad/);
        else assert.ok(line?.includes(`${ads.length === 1 ? 'a display ad' : `${ads.length} display ads`}: ${ads.join(', ')}`), line);
      }
      for (const { text, match, absent } of page.reasons ?? []) {
        const control = [step.chosen, ...step.runnersUp, ...step.refused].find((c) => c?.text === text);
        assert.ok(control, `${text} is in the report (${seen})`);
        const said = [...control.reasons, control.refused ?? ''].join(', ');
        assert.equal(match.test(said), !absent, `${text}: ${said}`);
      }
      assert.deepEqual(
        refusedHits().filter((u) => u.includes(`/${name}/`)),
        [],
        'a refused target was requested',
      );
      if (page.cta === null) {
        assert.equal(step.next, null);
        assert.deepEqual(
          report.hops.map((h) => h.via),
          ['start'],
        );
        return;
      }
      assert.equal(
        report.final?.url,
        page.final ?? explorePageTarget(name),
        `${seen}; error ${report.error}; hops ${report.hops.map((h) => `${h.via} ${h.url}`).join(' > ')}`,
      );
      // Exactly once: the page and the click's target were each requested once in this trace (a
      // submit that would have sent its form, or a pop-up and its opener, would show twice).
      const { exchanges, events } = await readCapture(join(outDir, report.case!));
      const explored = events.filter((e) => e.type === 'explore')[before + nowhere.length];
      assertMarked(report, outDir, step, explored?.type === 'explore' ? explored.scroll : undefined);
      for (const url of [page.url, report.final.url])
        assert.equal(exchanges.filter((x) => x.request.url === url).length, 1, `${url} requested once`);
      // A question's choice picked is a click of its own in the evidence, leading nowhere by itself, and told so in the report.
      const clicks = events.flatMap((e) => (e.type === 'click' && e.target === null ? [e.text] : []));
      // Those choices and no other: a list of another part of the page, a switcher or a question asking personal data is left alone.
      const picked = events.flatMap((e) => (e.type === 'click' && e.answer ? [e.text] : []));
      if (page.answered) assert.deepEqual(picked, page.answered, 'the choices picked');
      // A GET form sent once its lists were picked: its click records the address with the choices made.
      if (page.answered?.length && page.final) {
        const sent = events.flatMap((e) => (e.type === 'click' && !e.answer && e.target ? [e.target] : [])).at(-1);
        assert.equal(sent, page.final, 'the click records where the form was sent, with the choices made');
      }
      for (const text of page.answered ?? []) {
        assert.ok(clicks.includes(text), `the choice "${text}" picked: ${JSON.stringify(clicks)}`);
        assert.ok(
          report.events.some(
            (e) => e.kind === 'click' && e.detail.startsWith(`picked "${text}", the first choice of a question left unanswered`),
          ),
          `answering "${text}" is told`,
        );
      }
      if (page.vias) await assertFrameChain(report, page, outDir);
    });
  }
});

describe("a document the click loaded in a frame fails: the trace ends at once with the cause, said of the frame's document", () => {
  for (const [name, page] of Object.entries(EXPLORE_PAGES)) {
    if (!page.frameFailure) continue;
    test(`${name}: ${page.about}`, async () => {
      const outDir = tempDir('explore-pages-');
      // The page around the frame has a timer pending once the frame is clicked, due well within
      // this --settle: a trace that waited on after the failure would request what it requests.
      const { report } = await trace(pageOptions(page.url, { exploreDepth: 1, outDir, settleMs: 30_000 }), fixture.browser);
      const chain = report.hops.map((h) => `${viaLabel(h)} ${h.url}${h.error ? ` (${h.error})` : ''}`).join(' > ');
      assert.equal(report.explore?.[0].chosen?.text, page.cta, chain);
      assert.match(report.error ?? '', page.frameFailure!, chain);
      assert.ok(report.error!.endsWith(` (in a frame of ${page.url})`), report.error!);
      const caseDir = join(outDir, report.case!);
      const capture = await readCapture(caseDir);
      assert.equal(capture.info.error, report.error, 'the trace stopped on the failure, with its cause');
      assert.deepEqual(
        refusedHits().filter((u) => u.includes(`/${name}/`)),
        [],
        "nothing the page did after the frame's failure was waited for",
      );
      const last = report.hops.at(-1)!;
      assert.equal(last.frame, page.url, chain);
      assert.match(report.summary?.text ?? '', /: no landing page$/);
      for (const hop of report.hops) assert.ok(fixture.lab.hits(hop.url) <= 1, `${hop.url} requested at most once (${chain})`);
      assert.deepEqual((await verifyCase(caseDir)).problems, []);
      const saved = JSON.parse(readFileSync(join(caseDir, 'report.json'), 'utf8')) as Report;
      const rebuilt = JSON.parse(JSON.stringify(analyzeCapture(capture, caseDir, await loadNetworkData()))) as Report;
      assert.deepEqual(rebuilt, saved);
    });
  }
});

/**
 * The hops are reached as `vias` says, each URL requested once. Where the chain went on in a frame,
 * the final page is shown inside the landing page's frame (report, summary, terminal), its
 * document has a DOM snapshot of its own in the case (what the final page's checks read), the case
 * verifies and `analyze` of the saved case says the same.
 */
async function assertFrameChain(report: Report, page: (typeof EXPLORE_PAGES)[string], outDir: string): Promise<void> {
  const { vias = [], url: landing } = page;
  const chain = report.hops.map((h) => `${viaLabel(h)} ${h.url}`).join(' > ');
  assert.equal(report.error, null, chain);
  if (page.failingFrames) {
    // Frames that failed meanwhile, none of them followed: they changed nothing above.
    const { exchanges } = await readCapture(join(outDir, report.case!));
    for (const prefix of page.failingFrames)
      assert.ok(
        exchanges.some((x) => x.request.url.startsWith(prefix)),
        `${prefix} was requested (${exchanges.map((x) => x.request.url).join(' ')})`,
      );
  }
  assert.deepEqual(report.hops.map(viaLabel), vias, chain);
  for (const hop of report.hops) assert.equal(fixture.lab.hits(hop.url), 1, `${hop.url} requested once (${chain})`);
  const endsInFrame = vias.at(-1)!.endsWith('(in a frame)');
  const status = page.finalStatus ?? 200;
  assert.equal(report.final?.frame, endsInFrame ? landing : undefined);
  assert.equal(report.final?.status, status);
  // An error page shown in the frame is no landing page, as it is not in the window.
  const shownInside = /shown inside a frame of /.test(report.summary?.text ?? '');
  assert.equal(shownInside, endsInFrame && status < 400, report.summary?.text);
  // In a frame: "error in a frame of PAGE at HOST: HTTP 503: no landing page"; in the window: "error at HOST (HTTP 503): ...".
  if (status >= 400)
    assert.match(report.summary?.text ?? '', new RegExp(`${endsInFrame ? ': HTTP ' + status : `\\(HTTP ${status}\\)`}: no landing page$`));
  if (!vias.some((v) => v.includes('(in a frame)'))) return;
  report.hops.forEach((hop, i) => {
    const framed = vias[i].endsWith('(in a frame)');
    assert.equal(hop.frame, framed ? landing : undefined, `hop ${hop.index} in the landing page's frame or not`);
    assert.equal(/\(in a frame of /.test(hop.evidence.detail), framed, hop.evidence.detail);
  });
  const text = formatChain(report, null);
  assert.match(text, /click \(in a frame\)/);
  if (shownInside) {
    const claim = report.summary!.claims.find((c) => c.text.includes('is shown inside a frame of'));
    assert.equal(claim?.hop, 2, 'the claim points at the hop the click loaded in the frame');
    assert.match(text, /shown inside a frame of /);
  }
  const caseDir = join(outDir, report.case!);
  if (endsInFrame) await assertFrameSnapshot(report, page, caseDir);
  assert.deepEqual((await verifyCase(caseDir)).problems, []);
  const saved = JSON.parse(readFileSync(join(caseDir, 'report.json'), 'utf8')) as Report;
  const rebuilt = JSON.parse(JSON.stringify(analyzeCapture(await readCapture(caseDir), caseDir, await loadNetworkData()))) as Report;
  assert.deepEqual(rebuilt, saved);
  assert.equal(rebuilt.final?.url, report.final?.url);
}

/**
 * The final page shown in a frame has its own snapshot: the resting page names the frame's
 * document (URL, title) beside the top's, its DOM is a file of the case listed in the manifest and
 * a page of the WACZ, and it is what the final page's checks read (visible text, secret fields).
 */
async function assertFrameSnapshot(report: Report, page: (typeof EXPLORE_PAGES)[string], caseDir: string): Promise<void> {
  const rested = report.pages.at(-1)!;
  assert.equal(rested.url, page.url, "the resting page is the top's");
  assert.deepEqual(
    { url: rested.frame?.url, title: rested.frame?.title },
    { url: report.final!.url, title: report.final!.title },
    'the frame of the resting page is the final page',
  );
  assert.ok(rested.frame?.dom && rested.dom && rested.screenshot, JSON.stringify(rested));
  const frameDom = readFileSync(join(caseDir, rested.frame.dom), 'utf8');
  const topDom = readFileSync(join(caseDir, rested.dom), 'utf8');
  const title = `<title>${report.final!.title}</title>`;
  assert.ok(frameDom.includes(title), `${title} in the frame's DOM`);
  assert.ok(!topDom.includes(title), "the top's DOM is the top's own");
  const manifest = readFileSync(join(caseDir, MANIFEST_FILE), 'utf8');
  assert.ok(manifest.includes(JSON.stringify(rested.frame.dom)), `${rested.frame.dom} in the manifest`);
  const recorded = await loadRecorded(caseDir, report);
  assert.equal(recorded.finalDom, frameDom, "the final page's DOM is the frame's");
  if (!page.finalFrame) return;
  assert.match(visibleText(frameDom), page.finalFrame.text);
  assert.deepEqual(
    secretFields(frameDom).map((f) => f.name),
    page.finalFrame.secretFields,
  );
  assert.deepEqual(secretFields(topDom), [], 'the page around the frame asks for nothing');
  if (page.finalFrame.secretFields.length)
    assert.match(
      credentialFormFlag(report, recorded.finalDom)?.detail ?? '',
      new RegExp(page.finalFrame.secretFields.map((f) => `"${f}"`).join(', ')),
    );
}

/**
 * The marked copy of the screenshot has its frame just outside the chosen box (the part of it in
 * view, the page scrolled to `scroll`), in the screenshot's own pixels.
 */
function assertMarked(report: Report, outDir: string, step = report.explore![0], scroll = { x: 0, y: 0 }): void {
  if (!step.screenshot) return; // the chosen box was out of the screenshot's view
  const dir = join(outDir, report.case!);
  const original = PNG.sync.read(readFileSync(join(dir, report.pages.find((p) => p.index === step.page)!.screenshot!)));
  const marked = PNG.sync.read(readFileSync(join(dir, step.screenshot)));
  const { width: viewWidth, height: viewHeight } = report.identity!.viewport;
  const scale = original.width / viewWidth;
  // The box in the viewport the screenshot shows (a page scrolled down before it was read shows the part scrolled to).
  const box = { ...step.chosen!.box, x: step.chosen!.box.x - scroll.x, y: step.chosen!.box.y - scroll.y };
  const [x, y] = [Math.max(0, box.x), Math.max(0, box.y)];
  const [right, bottom] = [Math.min(viewWidth, box.x + box.width), Math.min(viewHeight, box.y + box.height)];
  const changed = (px: number, py: number) => {
    const i = (Math.round(py * scale) * original.width + Math.round(px * scale)) * 4;
    return original.data.subarray(i, i + 3).compare(marked.data.subarray(i, i + 3)) !== 0;
  };
  const [midX, midY] = [(x + right) / 2, (y + bottom) / 2];
  assert.ok(changed(x - 3, midY) && changed(right + 2, midY), `frame beside the box ${JSON.stringify(box)}`);
  assert.ok(changed(midX, y - 3), `frame above the box ${JSON.stringify(box)}`);
  if (bottom < viewHeight - 3) assert.ok(changed(midX, bottom + 2), `frame below the box ${JSON.stringify(box)}`);
  assert.ok(!changed(midX, midY), 'the control itself untouched');
}

test('on a mobile identity (2.625 device pixels per CSS pixel) the frame is still around the chosen box', async () => {
  const outDir = tempDir('explore-pages-');
  const page = EXPLORE_PAGES['it-image'];
  const { report } = await trace(labOptions(fixture.lab, page.url, { exploreDepth: 1, outDir, device: 'mobile' }), fixture.browser);
  assert.equal(report.explore![0].chosen?.text, page.cta);
  assert.ok(report.explore![0].screenshot, 'the box is in view');
  assertMarked(report, outDir);
});

test('on a phone, a page that shows nothing to click is flicked down, and the offer its end adds is clicked', async () => {
  const outDir = tempDir('explore-pages-');
  const page = EXPLORE_PAGES['lazy-sentinel'];
  const { report } = await trace(pageOptions(page.url, { exploreDepth: 1, outDir, device: 'mobile' }), fixture.browser);
  const step = report.explore![0];
  assert.equal(step.chosen?.text, page.cta, JSON.stringify(step.scrolled));
  assert.equal(step.scrolled?.by, 'touch');
  assert.match(formatChain(report, null), /^ +found once the page was scrolled down \(flicked (once|twice|\d+ times), to [\d,]+ px/m);
  assert.equal(report.final?.url, explorePageTarget('lazy-sentinel'));
});

test('hostile text in the chosen control is bounded in the report and cleaned in the terminal', async () => {
  const out = tempDir('explore-pages-');
  const { code, stdout } = await cli(['trace', EXPLORE_PAGES['hostile-text'].url, '--explore', '--out', out, ...fixture.lab.traceArgs]);
  assert.equal(code, 0, stdout);
  const line = stdout.split('\n').find((l) => l.startsWith('Explore 1:'))!;
  assert.match(line, /^Explore 1: clicked "Shop now \\x1b\[2J\\x1b\]0;owned\\x07 \\u202egnp\.exe/);
  assert.ok(line.length < 200, line);
  assert.doesNotMatch(stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  const caseDir = /^Case: (.*)$/m.exec(stdout)![1];
  const report = JSON.parse(readFileSync(join(caseDir, 'report.json'), 'utf8')) as Report;
  assert.ok(report.explore![0].chosen!.text.length <= 200, String(report.explore![0].chosen!.text.length));
  // What the evidence keeps of every control is bounded too (a 100,000-character type or role attribute).
  const event = (await readCapture(caseDir)).events.find((e) => e.type === 'explore');
  assert.ok(event && event.type === 'explore');
  const longest = Math.max(
    ...event.controls.flatMap((c) =>
      Object.values(c)
        .filter((v): v is string => typeof v === 'string')
        .map((v) => v.length),
    ),
  );
  assert.ok(longest <= 2000, String(longest));
  assert.equal(report.final?.url, explorePageTarget('hostile-text'));
});
