// Human checks (src/lab/scenarios/human-gates.ts): pages that hold their redirect until the visitor
// moves the mouse, scrolls, has focus or touches the screen, traced for real. The trace behaves like
// a person arriving on a resting page that listens for one (src/capture/nudge.ts): each gate is
// followed to its destination with the mechanism it used and the nudge as evidence, an honest page
// with the same listeners stays the final page, --no-nudge stops at the decoy, and a case read back
// from its WARC says the same.
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';
import { humanGateUrl, HUMAN_DECOY_TITLE, landingUrl, type HumanGateName } from '../src/lab/index.js';
import { trace, type TraceOptions } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import { formatChain } from '../src/cli/format.js';
import { humanCheckFlag } from '../src/verdict/flags.js';
import { runCli } from './support/cli-process.js';
import { compareHere } from './support/compare-here.js';
import { BrowserPool } from '../src/service/browser-pool.js';

const fixture = labAndBrowser();

async function traceGate(name: HumanGateName, path: string, extra: Partial<TraceOptions> = {}) {
  return trace(labOptions(fixture.lab, humanGateUrl(name, path), extra), fixture.browser);
}

const nudges = (events: { type: string }[]) => events.filter((e) => e.type === 'nudge') as { type: 'nudge'; actions: string[] }[];

test('desktop gates are followed to the landing page, each hop saying it came only after the nudge', async () => {
  const cases: [HumanGateName, string[], RegExp][] = [
    ['pointer', ['start', 'javascript'], /mouse movement/],
    ['mouse-form', ['start', 'form-post'], /mouse movement/],
    // Judged as a kit judges mouse events (screen coordinates below the toolbars, movement, a mouse pointer).
    ['moves', ['start', 'form-post'], /mouse movement/],
    ['scroll', ['start', 'javascript', 'http-302'], /wheel scroll/],
  ];
  for (const [name, vias, what] of cases) {
    const { report, capture, caseDir } = await traceGate(name, 'desk');
    assert.equal(report.error, null, name);
    assert.equal(report.final?.url, landingUrl(`human-${name}`), `${name}: ${formatChain(report, null)}`);
    assert.deepEqual(
      report.hops.map((h) => h.via),
      vias,
      name,
    );
    const gated = report.hops[1];
    assert.match(gated.evidence.afterNudge ?? '', what, name);
    assert.match(gated.evidence.detail, /only after simulated .* \(a human check\)/, name);
    // The hop after the gated one is explained by its own mechanism alone.
    for (const hop of report.hops.slice(2)) assert.equal(hop.evidence.afterNudge, undefined, name);
    assert.equal(humanCheckFlag(report)?.hop, 2, name);
    assert.match(formatChain(report, null), /^Note: hop 2 came only after simulated /m, name);
    // Never a click: the nudge's actions are focus, mouse and wheel only.
    for (const e of nudges(capture.events)) for (const a of e.actions) assert.ok(['focus', 'mouse', 'wheel'].includes(a), a);
    // The decoy rested and was photographed before the nudge; the landing page after it.
    assert.deepEqual(
      report.pages.map((p) => p.title),
      [HUMAN_DECOY_TITLE, report.final.title],
    );
    if (name === 'scroll') {
      // The same answer from the evidence alone, in process and by `clicktrace analyze --check`.
      const again = analyzeCapture(await readCapture(caseDir), caseDir);
      assert.deepEqual(again.hops, report.hops);
      assert.deepEqual(again.events, report.events);
      const check = await runCli(['analyze', caseDir, '--check']);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /matches/);
    }
  }
});

test("a reader's nudge passes the gates that want more than a glance: a long mouse path, several wheel notches, a long page past half", async () => {
  // What the nudge was before (a few moves within a tenth of a second, one wheel notch down and
  // back, a phone's small scroll and back) kept each of these at its decoy.
  const told = (r: Awaited<ReturnType<typeof traceGate>>) =>
    JSON.stringify([r.report.error, r.report.final?.url, r.report.hops.map((h) => [h.via, h.evidence.afterNudge]), r.report.events]);
  const cases: [HumanGateName, 'desktop' | 'mobile', RegExp][] = [
    // At least 5 moves over 300 ms or more, at a speed that changes, judged as a kit judges mouse events.
    ['path', 'desktop', /mouse movement/],
    ['wheels', 'desktop', /wheel scroll/],
    ['depth', 'desktop', /wheel scroll/],
    ['depth', 'mobile', /touch/],
  ];
  for (const [name, device, what] of cases) {
    const gated = await traceGate(name, `reader-${device}`, { device });
    assert.equal(gated.report.final?.url, landingUrl(`human-${name}`), `${name} ${device}: ${told(gated)}`);
    assert.match(gated.report.hops[1].evidence.afterNudge ?? '', what, told(gated));
    assert.equal(humanCheckFlag(gated.report)?.hop, 2, told(gated));
    const allowed = device === 'desktop' ? ['focus', 'mouse', 'wheel'] : ['focus', 'touch', 'scroll'];
    for (const a of nudges(gated.capture.events).flatMap((e) => e.actions)) assert.ok(allowed.includes(a), `${a}: ${told(gated)}`);
  }
});

test("the desktop nudge reads as a person's: its moves spread over 300 ms and more at a changing speed, then wheel notches as Chrome's", async () => {
  const { report, capture } = await traceGate('events', 'reader', { clicks: ['Save recipe'] });
  const lines = eventsListed(capture, 'events');
  const told = () => JSON.stringify([report.error, lines]);
  // What the nudge gave, before the click (whose press is the first pointerdown): the mouse's path,
  // then, once it stopped (the hand goes to the wheel), the wheel's notches.
  const nudged = lines.slice(
    0,
    lines.findIndex((l) => l.startsWith('pointerdown')),
  );
  assert.ok(!nudged.some((l) => /^(click|mousedown|mouseup|pointerdown|key)/.test(l)), told());
  const firstWheel = nudged.findIndex((l) => l.startsWith('wheel trusted'));
  assert.ok(firstWheel > 0, told());
  const moves = nudged
    .slice(0, firstWheel)
    .filter((l) => l.startsWith('mousemove trusted'))
    .map((l) => {
      const [x, y] = (/ (-?[\d.]+),(-?[\d.]+) screen /.exec(l) ?? []).slice(1).map(Number);
      return { x, y, t: Number(/ at ([\d.]+) /.exec(l)?.[1]) };
    });
  assert.ok(moves.length >= 5, told());
  assert.ok(moves[moves.length - 1].t - moves[0].t >= 300, told());
  const speeds = moves.slice(1).map((m, i) => Math.hypot(m.x - moves[i].x, m.y - moves[i].y) / Math.max(1, m.t - moves[i].t));
  assert.ok(Math.max(...speeds) > 3 * Math.min(...speeds.filter((v) => v > 0)), told());
  // Several notches down, each as Chrome on Linux reports a mouse wheel's, at uneven times.
  const wheels = nudged.filter((l) => l.startsWith('wheel trusted'));
  assert.ok(wheels.length >= 3, told());
  for (const w of wheels) assert.match(w, / delta 0,120 mode 0 wheelDelta 0,-120 /, w);
  const at = wheels.map((w) => Number(/ (\d+)ms /.exec(w)?.[1]));
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.ok(Math.max(...gaps) - Math.min(...gaps) >= 5, gaps.join());
});

test('the nudge stops as soon as the page navigates: a gate that moves on at the first mousemove gets no wheel', async () => {
  const { report, capture } = await traceGate('mouse-form', 'stops');
  assert.equal(report.final?.url, landingUrl('human-mouse-form'), formatChain(report, null));
  const actions = nudges(capture.events).flatMap((e) => e.actions);
  assert.ok(actions.includes('mouse') && !actions.includes('wheel'), actions.join());
});

test('an honest page with the same listeners stays the final page; --no-nudge stops at the decoy', async () => {
  const honest = await traceGate('honest', 'stay');
  assert.equal(honest.report.error, null);
  assert.equal(honest.report.final?.url, humanGateUrl('honest', 'stay'));
  assert.deepEqual(
    honest.report.hops.map((h) => h.via),
    ['start'],
  );
  assert.equal(honest.report.final?.title, HUMAN_DECOY_TITLE);
  // It was nudged once (it listens), and nothing was invented from that.
  assert.ok(nudges(honest.capture.events).length > 0);
  assert.equal(humanCheckFlag(honest.report), null);
  assert.doesNotMatch(formatChain(honest.report, null), /human check/);
  assert.equal(honest.report.pages.length, 1);

  const off = await traceGate('pointer', 'off', { nudge: false });
  assert.equal(off.report.error, null);
  assert.equal(off.report.final?.url, humanGateUrl('pointer', 'off'));
  assert.equal(off.report.final?.title, HUMAN_DECOY_TITLE);
  assert.equal(nudges(off.capture.events).length, 0);
  assert.equal(fixture.lab.hits(landingUrl('human-pointer')), 1, 'only the first trace reached the landing page');
});

test('a countdown on a page that listens for the mouse is never called a human check, nudged or not', async () => {
  // --settle shorter than the countdown: its next tick is past the limit, the page rests and may be
  // nudged; if it then moves on, its timer was due by then, and the hop says it may be its own doing.
  const short = await traceGate('countdown', 'short', { settleMs: 1000 });
  const told = (r: typeof short) => JSON.stringify([r.report.error, r.report.hops.map((h) => [h.via, h.evidence]), r.report.events]);
  assert.ok(
    short.report.hops.every((h) => h.evidence.afterNudge === undefined),
    told(short),
  );
  assert.equal(humanCheckFlag(short.report), null);
  assert.doesNotMatch(formatChain(short.report, null), /human check/);
  assert.ok(short.report.hops.length <= 2, told(short));
  if (short.report.hops.length === 2) assert.match(short.report.hops[1].evidence.detail, /it may have moved on by itself$/, told(short));
  // Waited for (the default --settle): followed by its own mechanism, nothing said of a person.
  const full = await traceGate('countdown', 'full');
  assert.equal(full.report.final?.url, landingUrl('human-countdown'), told(full));
  assert.deepEqual(
    full.report.hops.map((h) => [h.via, h.evidence.afterNudge]),
    [
      ['start', undefined],
      ['javascript', undefined],
    ],
  );
});

test('a phone is nudged by a touch (no mouse); a focused page passes a focus check at once; a page that listens for nothing is not nudged', async () => {
  const touch = await traceGate('touch', 'phone', { device: 'mobile' });
  // A gate that takes the nudge for a bot's says what gave it away: the encyclopedia page's ?why= (EVENT_TELLS in human-gates.ts).
  const told = (r: typeof touch) =>
    JSON.stringify([r.report.error, r.report.final?.url, r.report.hops.map((h) => h.evidence), r.report.events]);
  assert.equal(touch.report.error, null);
  assert.equal(touch.report.final?.url, landingUrl('human-touch'), told(touch));
  assert.match(touch.report.hops[1].evidence.afterNudge ?? '', /touch/, told(touch));
  const actions = nudges(touch.capture.events).flatMap((e) => e.actions);
  assert.ok(!actions.includes('mouse') && !actions.includes('wheel'), actions.join());

  // A real visitor's page has focus from the start: the check passes without a nudge.
  const focus = await traceGate('focus', 'desk');
  assert.equal(focus.report.final?.url, landingUrl('human-focus'), told(focus));
  assert.equal(focus.report.hops[1].evidence.afterNudge, undefined, told(focus));

  // The lab's five-hop chain: same hops as ever, and its landing page, listening for nothing, is left alone.
  const five = await trace(labOptions(fixture.lab, fixture.lab.scenarios['five-hop'].url), fixture.browser);
  assert.deepEqual(
    five.report.hops.map((h) => h.via),
    fixture.lab.scenarios['five-hop'].expectedVias,
    told(five),
  );
  assert.equal(nudges(five.capture.events).length, 0, told(five));
});

test("a desktop's mouse passes a kit that reads its samples: a secure page's pointermoves hold several now and then", async () => {
  // A mouse polled faster than frames: Chromium gives a pointermove per frame holding the samples
  // of that frame (getCoalescedEvents, a secure context's only). One per event was the nudge's tell.
  // Not in every trace: Chromium routes each move by a hit test of its own, and on an idle machine
  // a frame's moves at times reach the page one by one (README, "What a kit sees"). A kit that
  // judges one visit then sends it to its decoy; of three visits, one passes.
  const seen: string[] = [];
  for (let visit = 1; visit <= 3; visit++) {
    const url = humanGateUrl('moves', `secure-${visit}`).replace(/^http:/, 'https:');
    const { report } = await trace(labOptions(fixture.lab, url), fixture.browser);
    if (report.final?.url === landingUrl('human-moves')) return;
    seen.push(formatChain(report, null));
  }
  assert.fail(seen.join('\n'));
});

/** What the lab's events page (the trace's last page) wrote down in its list `id`: the events page's own, or its button's. */
function eventsListed(capture: { pages: { dom: { html: string } | null }[] }, id: 'events' | 'button-events'): string[] {
  const dom = capture.pages.at(-1)?.dom?.html ?? '';
  const list = new RegExp(`<ol id="${id}">(.*?)</ol>`, 's').exec(dom);
  assert.ok(list, `no list ${id}`);
  return [...list[1].matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
}

/** What the lab's events page wrote down of mouse input: mouse events, and pointer events of a mouse. */
function mouseEventsSeen(capture: { pages: { dom: { html: string } | null }[] }): string[] {
  return eventsListed(capture, 'events').filter((line) => /^(mouse|click|wheel)|^pointer\S* \S+ mouse /.test(line));
}

test('a phone moves no mouse: no mouse event before any input, and a mouse gate passes by a touch or not at all', async () => {
  // Left alone, a phone's page gets no mouse event, nor does a window the page opened: none from
  // the window system's cursor either (identity.ts OFF_CURSOR_TOP).
  const idle = await traceGate('events', 'phone', { device: 'mobile', nudge: false });
  assert.equal(idle.report.error, null);
  assert.deepEqual(mouseEventsSeen(idle.capture), []);
  const popup = await trace(
    labOptions(fixture.lab, fixture.lab.scenarios['human-events-popup'].url, { device: 'mobile', nudge: false }),
    fixture.browser,
  );
  assert.deepEqual(
    popup.report.hops.map((h) => h.via),
    ['start', 'popup'],
  );
  assert.deepEqual(mouseEventsSeen(popup.capture), []);

  // A mousemove gate: a touch moved and cancelled fires no mouse event (only a tap does), so the page stays.
  const mouse = await traceGate('mouse-form', 'phone', { device: 'mobile' });
  const told = (r: typeof mouse) => JSON.stringify([r.report.error, r.report.hops.map((h) => h.evidence), r.report.events]);
  assert.equal(mouse.report.final?.url, humanGateUrl('mouse-form', 'phone'), told(mouse));
  assert.equal(mouse.report.final?.title, HUMAN_DECOY_TITLE);
  assert.deepEqual(
    nudges(mouse.capture.events).flatMap((e) => e.actions),
    ['touch', 'scroll'],
  );
  // A pointermove gate passes by the touch's own pointermove, after the nudge, and the hop says so.
  const pointer = await traceGate('pointer', 'phone', { device: 'mobile' });
  assert.equal(pointer.report.final?.url, landingUrl('human-pointer'), told(pointer));
  assert.match(pointer.report.hops[1].evidence.afterNudge ?? '', /touch/, told(pointer));
});

test('compare: visitors nudged alike (a desktop by the mouse, a phone by a touch) are the same, not cloaked', async () => {
  // On the file's own browser (both visitors speak en-US): the pool launches none.
  const browsers = new BrowserPool({ launch: () => Promise.resolve(fixture.browser) });
  const compared = await compareHere(fixture.lab, browsers, humanGateUrl('touch', 'compare'), 'desktop,mobile', tempDir('cases-'));
  assert.equal(compared.comparison.verdict, 'same', compared.comparison.explanation);
  for (const profile of ['desktop', 'mobile']) assert.equal(compared.finalOf(profile), landingUrl('human-touch'), profile);
});

test("a desktop clicks as a hand does: near the button's centre, not on it to the pixel, the button held for tens of ms", async () => {
  const { report, capture } = await traceGate('events', 'click', { clicks: ['Save recipe'] });
  const button = eventsListed(capture, 'button-events');
  assert.equal(report.error, null, JSON.stringify([report.error, button]));
  const line = (type: string) => button.find((l) => l.startsWith(`${type} trusted `));
  const [down, up, click] = [line('mousedown'), line('mouseup'), line('click')];
  assert.ok(down && up && click, button.join('\n'));
  const at = (l: string) => Number(/ (\d+)ms /.exec(l)?.[1]);
  // What the code waits between press and release (at least 60 ms): a script's click holds it 1-2 ms.
  assert.ok(at(up) - at(down) >= 50, button.join('\n'));
  const [dx, dy] = (/ off-centre (-?[\d.]+),(-?[\d.]+) /.exec(click) ?? []).slice(1).map(Number);
  assert.ok(Number.isFinite(dx) && Number.isFinite(dy), click);
  assert.ok(Math.abs(dx) > 0.01 || Math.abs(dy) > 0.01, `clicked dead on the centre: ${click}`);
});

test('a phone taps: its click is a touch (touch pointer events, touchstart/touchend, then the mouse events and the click); its nudge flicks', async () => {
  // The nudge's finger flicks the page: the page gets touchmove and touchend, as from a finger that scrolls, and no click.
  const { report, capture } = await traceGate('events', 'tap', { device: 'mobile', clicks: ['Save recipe'] });
  const told = () => JSON.stringify([report.error, report.events, eventsListed(capture, 'events')]);
  assert.equal(report.error, null, told());
  assert.equal(report.final?.url, humanGateUrl('events', 'tap'));
  assert.deepEqual(
    nudges(capture.events).flatMap((e) => e.actions),
    ['touch', 'scroll'],
  );
  // What the button got, in order (type, trusted, pointerType, where, when, source): a tap, as a phone's.
  const button = eventsListed(capture, 'button-events');
  const types = button.map((line) => line.split(' ')[0]);
  assert.ok(button.length > 0 && button.every((line) => line.split(' ')[1] === 'trusted'), told());
  for (const line of button.filter((l) => l.startsWith('pointer'))) assert.equal(line.split(' ')[2], 'touch', line);
  for (const line of button.filter((l) => /^(mouse|click)/.test(l))) assert.match(line, / touch-source$/, line);
  const at = (type: string) => types.indexOf(type);
  for (const type of ['pointerdown', 'touchstart', 'pointerup', 'touchend', 'mousedown', 'mouseup', 'click'])
    assert.ok(at(type) >= 0, `${type}: ${told()}`);
  assert.ok(
    at('pointerdown') < at('touchstart') && at('touchstart') < at('touchend') && at('touchend') < at('mousedown'),
    button.join('\n'),
  );
  assert.ok(at('mousedown') < at('mouseup') && at('mouseup') < at('click'), button.join('\n'));
  assert.equal(types.filter((t) => t === 'click').length, 1, button.join('\n'));
  assert.match(button[at('click')], /^click trusted touch /);
  assert.ok(!types.includes('touchmove') && !types.includes('touchcancel'), button.join('\n'));
  // The page's own list: the nudge's finger flicked the page (touchmove, its pointer cancelled as
  // the page scrolled with it, as on a phone) and lifted while moving (touchend), the page flinging
  // on (scroll events after the lift); only the tap fired mouse events.
  const page = eventsListed(capture, 'events').map((line) => line.split(' ')[0]);
  const tapped = page.lastIndexOf('touchstart');
  const nudged = page.slice(0, tapped);
  for (const type of ['touchstart', 'touchmove', 'pointercancel', 'touchend']) assert.ok(nudged.includes(type), `${type}: ${page.join()}`);
  assert.ok(nudged.indexOf('touchmove') < nudged.indexOf('touchend'), page.join());
  assert.ok(nudged.slice(nudged.indexOf('touchend')).includes('scroll'), page.join());
  assert.ok(!nudged.some((t) => t === 'touchcancel' || t === 'click' || /^mouse/.test(t)), page.join());
  assert.ok(page.slice(tapped).includes('click'), page.join());
});

test('a phone in the full build touches where its finger is: the touch gate lets it through, a tap clicks its button', async () => {
  // That build placed a touch of a page it navigated to at the point divided by the device scale
  // factor in the page's coordinates, its screen coordinates where the finger was (touch.ts
  // syncTouchScale): the gate caught it (touch-screen-offset), and a tap landed beside its button.
  const traceFull = (url: string, out: string, extra: string[] = []) =>
    runCli(['trace', url, '--browser', 'full', '--device', 'mobile', '--json', '--out', out, ...extra, ...fixture.lab.traceArgs]);
  const tapCases = tempDir('cases-');
  const [gate, tapped] = await Promise.all([
    traceFull(humanGateUrl('touch', 'full-phone'), tempDir('cases-')),
    traceFull(humanGateUrl('events', 'full-phone'), tapCases, ['--click', 'Save recipe']),
  ]);
  assert.equal(gate.code, 0, gate.stderr);
  const report = JSON.parse(gate.stdout) as { final: { url: string } | null };
  assert.equal(report.final?.url, landingUrl('human-touch'), gate.stdout.slice(0, 2000));
  assert.equal(tapped.code, 0, tapped.stderr);
  // The button says so once its click came (the DOM kept after the click).
  const doms = readdirSync(tapCases, { recursive: true, encoding: 'utf8' }).filter((f) => /dom\/\d+\.html$/.test(f));
  assert.ok(
    doms.some((f) => readFileSync(join(tapCases, f), 'utf8').includes('<button type="button">Saved</button>')),
    doms.join(),
  );
});
