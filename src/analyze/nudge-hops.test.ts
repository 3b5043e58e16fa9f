// A hop that came only after the trace nudged the resting page (capture/nudge.ts), from the
// recorded events alone: its mechanism stays what it was, its evidence says after what; a click
// made after the nudge is what a later navigation answers; the verdict flag and the terminal Note.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Capture, NavEvent } from '../model.js';
import { at, captureOf, doc } from './test-capture.js';
import { buildHops } from './chain.js';
import { analyzeCapture } from './analyze.js';
import { humanCheckFlag } from '../verdict/flags.js';
import { formatChain } from '../cli/format.js';

const GATE = 'http://gate.example/check';
const capture = (events: NavEvent[]): Capture => captureOf(GATE, events);

const script = { type: 'script', url: GATE, line: 12, column: 3 };
const rested: NavEvent = { type: 'settled', at: at(2), pageId: 'p1', url: GATE, title: 'Recipes', snapshot: 1 };
const nudge = (n: number, action: string): NavEvent => ({
  type: 'nudge',
  at: at(n),
  pageId: 'p1',
  actions: [action],
  listeners: ['mousemove', 'wheel'],
});
const scripted = (n: number, url: string): NavEvent[] => [
  { type: 'nav-requested', at: at(n), pageId: 'p1', reason: 'scriptInitiated', url, disposition: 'currentTab' },
  doc(n, `r${n}`, url, { initiator: script }),
];

test('a script navigation after the nudge keeps its mechanism and says it came only after the simulated visitor', () => {
  const c = capture([doc(1, 'r1', GATE), rested, nudge(3, 'mouse'), nudge(3, 'wheel'), ...scripted(4, 'http://land.example/')]);
  const hops = buildHops(c);
  assert.equal(hops[1].via, 'javascript');
  assert.equal(hops[1].evidence.afterNudge, 'mouse movement, wheel scroll');
  assert.match(
    hops[1].evidence.detail,
    /^script navigation at http:\/\/gate\.example\/check:12; only after simulated mouse movement, wheel scroll \(a human check\)$/,
  );
  const report = analyzeCapture(c, null);
  assert.equal(humanCheckFlag(report)?.hop, 2);
  assert.match(formatChain(report, null), /^Note: hop 2 came only after simulated mouse movement, wheel scroll: /m);
  // The case's events tell the nudge once, with what the page listened for.
  const told = report.events.filter((e) => e.kind === 'nudge');
  assert.equal(told.length, 1);
  assert.match(told[0].detail, /simulated mouse movement, wheel scroll on page p1, which listened for mousemove, wheel/);
});

test('a page with a timer due by the time it moved on may have moved by itself: said so, no human check', () => {
  const timed = (due: number): NavEvent => ({ ...nudge(3, 'mouse'), timerDueInMs: due }) as NavEvent;
  // A countdown tick due 1 s after the nudge; the page moved at second 4: its own doing, perhaps.
  const own = capture([doc(1, 'r1', GATE), rested, timed(1000), ...scripted(4, 'http://land.example/')]);
  const hops = buildHops(own);
  assert.equal(hops[1].via, 'javascript');
  assert.equal(hops[1].evidence.afterNudge, undefined);
  assert.match(
    hops[1].evidence.detail,
    /; after simulated mouse movement, but a timer the page had set was due by then: it may have moved on by itself$/,
  );
  const report = analyzeCapture(own, null);
  assert.equal(humanCheckFlag(report), null);
  assert.doesNotMatch(formatChain(report, null), /human check/);
  // A timer due only later than the move does not explain it.
  const later = buildHops(capture([doc(1, 'r1', GATE), rested, timed(60_000), ...scripted(4, 'http://land.example/')]));
  assert.equal(later[1].evidence.afterNudge, 'mouse movement');
});

test('a click after the nudge answers the navigation; a page that never moved is no human check', () => {
  const clicked = capture([
    doc(1, 'r1', GATE),
    rested,
    nudge(3, 'mouse'),
    { type: 'click', at: at(5), pageId: 'p1', text: 'Go', target: null },
    ...scripted(6, 'http://land.example/'),
  ]);
  const hops = buildHops(clicked);
  assert.equal(hops[1].via, 'javascript');
  assert.equal(hops[1].evidence.afterNudge, undefined);
  assert.doesNotMatch(hops[1].evidence.detail, /human check/);

  const honest = analyzeCapture(capture([doc(1, 'r1', GATE), rested, nudge(3, 'mouse')]), null);
  assert.equal(honest.hops.length, 1);
  assert.equal(humanCheckFlag(honest), null);
  assert.doesNotMatch(formatChain(honest, null), /human check/);
});
