import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hop, Via } from '../report.js';
import { compareTraces, type ProfileTrace } from './comparison.js';
import { parseProfile, signalsOf } from './profiles.js';
import { formatComparison } from './format-text.js';

let clock = 0;
function hop(url: string, status: number, via: Via): Hop {
  return {
    index: 0,
    url,
    method: 'GET',
    status,
    via,
    evidence: { text: '' },
    ip: null,
    tls: null,
    contentType: 'text/html',
    timing: { startedAt: new Date(Date.UTC(2026, 0, 1) + clock++ * 1000).toISOString(), ms: null },
    exchange: null,
    error: null,
  } as unknown as Hop;
}

function traced(profile: string, hops: Hop[], title = 'Page'): ProfileTrace {
  const last = hops.at(-1)!;
  return {
    profile,
    signals: signalsOf(parseProfile(profile)),
    case: `case-${profile}`,
    report: { hops, final: { url: last.url, status: last.status, title }, pages: [], error: null },
  };
}

const START = 'http://offer.test/lp/1';
const REAL = 'https://phish.example/verify';
const DECOY = 'http://offer.test/garden';

test('all alike: same', () => {
  const c = compareTraces(['desktop', 'mobile', 'scanner'].map((p) => traced(p, [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')])));
  assert.equal(c.verdict, 'same');
  assert.equal(c.groups.length, 1);
  assert.ok(c.pairs.every((p) => p.same && p.divergence === null));
});

test('a server-side split on headless names the user agent, a page-side one webdriver', () => {
  const server = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('headless', [hop(START, 302, 'start'), hop(DECOY, 200, 'http-302')]),
  ]);
  assert.equal(server.verdict, 'cloaked');
  assert.equal(server.signal, 'user-agent');
  const pair = server.pairs.find((p) => p.b === 'headless')!;
  assert.deepEqual(
    { hop: pair.divergence!.hop, kind: pair.divergence!.kind, by: pair.divergence!.decidedBy },
    { hop: 2, kind: 'next-url', by: 'server' },
  );
  const page = compareTraces([
    traced('desktop', [hop(START, 200, 'start'), hop(REAL, 200, 'javascript')]),
    traced('mobile', [hop(START, 200, 'start'), hop(REAL, 200, 'javascript')]),
    traced('headless', [hop(START, 200, 'start'), hop(DECOY, 200, 'javascript')]),
  ]);
  assert.equal(page.signal, 'webdriver');
});

test('the scanner alone stuck on the first page: javascript', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 200, 'start'), hop(REAL, 200, 'javascript')]),
    traced('scanner', [hop(START, 200, 'start')], 'Garden tips'),
    traced('webmail', [hop(START, 200, 'start'), hop(REAL, 200, 'javascript')]),
  ]);
  assert.equal(c.verdict, 'cloaked');
  assert.deepEqual(c.signals, ['javascript']);
  assert.equal(c.pairs.find((p) => p.b === 'scanner')!.divergence!.kind, 'ended');
});

test('a split only two signals together explain names both', () => {
  const to = (dest: string) => [hop(START, 302, 'start'), hop(dest, 200, 'http-302')];
  const c = compareTraces([
    traced('desktop', to(DECOY)),
    traced('mobile', to(DECOY)),
    traced('lang=de-DE', to(DECOY)),
    traced('mobile+lang=de-DE', to(REAL)),
  ]);
  assert.equal(c.verdict, 'cloaked');
  assert.deepEqual([...c.signals].sort(), ['device', 'language']);
});

test('the first visitor alone got through, the later ones 410: single-use', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 410, 'start')], '410 Gone'),
    traced('webmail', [hop(START, 410, 'start')], '410 Gone'),
    traced('scanner', [hop(START, 410, 'start')], '410 Gone'),
  ]);
  assert.equal(c.verdict, 'single-use');
  assert.equal(c.firstVisitor, 'desktop');
  const pair = c.pairs.find((p) => p.b === 'mobile')!;
  assert.deepEqual({ hop: pair.divergence!.hop, kind: pair.divergence!.kind }, { hop: 1, kind: 'response' });
  // Two profiles only: device would explain it, but the later visitor was told the link is gone.
  const two = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 410, 'start')], '410 Gone'),
  ]);
  assert.equal(two.verdict, 'single-use');
});

test('a profile that could not be traced is left out of the verdict, and said so', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    { profile: 'headless', signals: signalsOf(parseProfile('headless')), case: null, report: null, failure: 'browser crashed' },
  ]);
  assert.equal(c.verdict, 'same');
  assert.deepEqual(c.notTraced, ['headless']);
  assert.match(c.explanation, /Not traced.*headless/);
});

test('the terminal table shows captured text without control characters', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')], 'Evil\u001b[2Jtitle'),
    traced('headless', [hop(START, 302, 'start'), hop(DECOY, 200, 'http-302')]),
  ]);
  const text = formatComparison(c, 'cases/x-compare');
  assert.ok(!text.includes('\u001b'));
  assert.match(text, /Verdict: cloaked \(signal: user-agent\)/);
  assert.match(text, /hop 2: different next URL/);
});

test('the scanner stopped at a meta refresh the browsers followed: not a split, the chain is the same', () => {
  const five = [
    hop(START, 302, 'start'),
    hop('http://b.test/t', 200, 'http-302'),
    hop('http://c.test/j', 200, 'meta-refresh'),
    hop(REAL, 200, 'javascript'),
  ];
  const c = compareTraces([traced('desktop', five), traced('mobile', five), traced('scanner', five.slice(0, 2), 'Redirecting')]);
  assert.equal(c.verdict, 'same', c.explanation);
  assert.deepEqual(c.cutShort, [{ profile: 'scanner', hop: 3, via: 'meta-refresh' }]);
  assert.equal(c.profiles.length, 3, 'still shown');
  assert.match(c.explanation, /scanner stopped before hop 3 \(meta-refresh/);
});
