import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hop, Via } from '../report.js';
import { compareTraces, destinationKey, perVisitToken, visitKey, type ProfileTrace } from './comparison.js';
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
  // A 403 refuses who asks (a bot blocked), not the link: with one later visitor, either may be.
  const forbidden = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('headless', [hop(START, 403, 'start')], '403 Forbidden'),
  ]);
  assert.equal(forbidden.verdict, 'cloaked');
  assert.equal(forbidden.signal, 'user-agent');
  assert.match(forbidden.explanation, /may also be a link served once/);
});

test('a profile that could not be traced is left out of the verdict, and said so', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    { profile: 'headless', signals: signalsOf(parseProfile('headless')), case: null, report: null, failure: 'browser crashed' },
  ]);
  assert.equal(c.verdict, 'same');
  assert.deepEqual(c.notTraced, ['headless']);
  assert.match(c.explanation, /Not traced.*headless \(browser crashed\)/);
});

test('a profile whose browser requested nothing (a report without a hop) is not traced, not a split', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    {
      profile: 'webmail',
      signals: signalsOf(parseProfile('webmail')),
      case: 'case-webmail',
      report: { hops: [], final: null, pages: [], error: 'the browser did not request the link: x' },
    },
  ]);
  assert.equal(c.verdict, 'same', c.explanation);
  assert.deepEqual(c.notTraced, ['webmail']);
  assert.match(c.explanation, /Not traced, so not compared: webmail \(the browser did not request the link: x\)/);
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

test('per-visit tokens: UUIDs, long hex and numbers, mixed-case base64, JWTs; not words, slugs or short ids', () => {
  for (const token of [
    '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
    '9f86d081884c7d659a2feaa0',
    '1796463508752',
    'aZ3kP9qLm2XcV7bN',
    'eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSMeKKF2QT4',
  ])
    assert.ok(perVisitToken(token), token);
  for (const word of ['welcome', 'spring-offer-2026-landing-page', '12345', 'account', 'verify', 'index.html', 'Tulip', 'abcdefabcdef'])
    assert.ok(!perVisitToken(word), word);
  assert.equal(destinationKey('offer.test/o/9f86d081884c7d659a2feaa0/welcome'), 'offer.test/o/*/welcome');
  assert.equal(destinationKey('k3x9q7m2za.offer-cdn.test/lp'), '*.offer-cdn.test/lp', 'a subdomain made for the visit');
  for (const host of ['www.offer.test/lp', 'secure-login.phish.example/lp', 'cdn2.offer.test/lp', 'k3x9q7m2za.test/lp'])
    assert.equal(destinationKey(host), host);
  assert.equal(
    visitKey('https://offer.test/lp?sid=9f86d081884c7d659a2feaa0&ts=1796463508752&src=mail'),
    'https://offer.test/lp?sid=*&ts=*&src=mail',
  );
  assert.notEqual(visitKey('https://offer.test/lp?r=bot'), visitKey('https://offer.test/lp?r=human'));
});

test('every visitor sent to a path or query of its own, the same page: same, and no pair parts', () => {
  const c = compareTraces(
    ['desktop', 'mobile', 'headless', 'scanner'].map((p, i) =>
      traced(p, [
        hop(START, 302, 'start'),
        hop(
          `http://offer.test/o/${(i + 1).toString(16).repeat(32)}/welcome?sid=${'ab12'.repeat(6)}${i}&ts=${1796463508752 + i}`,
          302,
          'http-302',
        ),
        hop(`http://offer.test/c/3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6${i}`, 200, 'http-302'),
      ]),
    ),
  );
  assert.equal(c.verdict, 'same', c.explanation);
  assert.equal(c.groups.length, 1);
  assert.ok(c.pairs.every((p) => p.same && p.divergence === null));
});

test('bots sent to an encyclopedia: cloaked, and the explanation points at the hop that proves it', () => {
  const wiki = 'https://en.encyclopedia.test/wiki/Tulip?why=bot-word';
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('headless', [hop(START, 302, 'start'), hop(wiki, 200, 'http-302')], 'Tulip - Encyclopedia'),
    traced('scanner', [hop(START, 302, 'start'), hop(wiki, 200, 'http-302')], 'Tulip - Encyclopedia'),
  ]);
  assert.equal(c.verdict, 'cloaked');
  assert.deepEqual(c.signals, ['user-agent', 'javascript']);
  assert.match(
    c.explanation,
    /desktop and headless part at hop 2 \(desktop went on to https:\/\/phish\.example\/verify, headless to https:\/\/en\.encyclopedia\.test\/wiki\/Tulip\?why=bot-word; decided by the server\)/,
  );
});

test('served once per visitor address with no error page: single-use with several later visitors, cloaked-or-once said with one', () => {
  const wiki = 'https://en.encyclopedia.test/wiki/Tulip';
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    ...['mobile', 'headless', 'webmail'].map((p) =>
      traced(p, [hop(START, 302, 'start'), hop(wiki, 200, 'http-302')], 'Tulip - Encyclopedia'),
    ),
  ]);
  assert.equal(c.verdict, 'single-use', c.explanation);
  const two = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    traced('mobile', [hop(START, 302, 'start'), hop(wiki, 200, 'http-302')], 'Tulip - Encyclopedia'),
  ]);
  // One later visitor cannot tell a device cloaker from a link served once: the verdict says which it may be.
  assert.equal(two.verdict, 'cloaked');
  assert.match(two.explanation, /may also be a link served once .*--as all/);
  // The headless visitor first, alone through: one signal explains it, and so does a link served once.
  const headlessFirst = compareTraces([
    traced('headless', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    ...['desktop', 'mobile'].map((p) => traced(p, [hop(START, 302, 'start'), hop(wiki, 200, 'http-302')], 'Tulip - Encyclopedia')),
  ]);
  assert.equal(headlessFirst.verdict, 'cloaked');
  assert.match(headlessFirst.explanation, /may also be a link served once \(the first visitor, headless, alone saw/);
});

test('the same URL served as another page or status: cloaked, by the server when the HTML differs, by the page when its script rewrote it', () => {
  const at = (status: number) => [hop(START, status, 'start')];
  const served = (profile: string, status: number, title: string, servedTitle: string | null) => ({
    ...traced(profile, at(status), title),
    servedTitle,
  });
  const server = compareTraces([
    served('desktop', 200, 'Account verification', 'Account verification'),
    served('mobile', 200, 'Account verification', 'Account verification'),
    served('headless', 200, 'Garden tips blog', 'Garden tips blog'),
    traced('scanner', at(200), 'Account verification'),
  ]);
  assert.equal(server.verdict, 'cloaked', server.explanation);
  assert.equal(server.signal, 'user-agent');
  const pair = server.pairs.find((p) => p.a === 'desktop' && p.b === 'headless')!;
  assert.deepEqual(
    { hop: pair.divergence!.hop, kind: pair.divergence!.kind, by: pair.divergence!.decidedBy },
    { hop: 1, kind: 'content', by: 'server' },
  );
  assert.match(server.explanation, /headless -> offer\.test\/lp\/1 \(200 "Garden tips blog"\)/);
  assert.match(
    formatComparison(server, 'x'),
    /hop 1: same URL, a different page \("Account verification" \/ "Garden tips blog"; the server decided\)/,
  );
  // The same HTML, rewritten by the page's script for the visitors it wants (the scanner sees what was sent).
  const page = compareTraces([
    served('desktop', 200, 'Account verification', 'Loading'),
    served('mobile', 200, 'Account verification', 'Loading'),
    served('headless', 200, 'Loading', 'Loading'),
    traced('scanner', at(200), 'Loading'),
  ]);
  assert.deepEqual(page.signals, ['webdriver', 'javascript']);
  assert.equal(page.pairs.find((p) => p.b === 'headless')!.divergence!.decidedBy, 'page');
  const status = compareTraces([
    served('desktop', 200, 'Account verification', null),
    served('mobile', 200, 'Account verification', null),
    served('headless', 404, 'Not Found', null),
  ]);
  assert.equal(status.verdict, 'cloaked');
  assert.equal(status.signal, 'user-agent');
  assert.equal(status.pairs.find((p) => p.b === 'headless')!.divergence!.kind, 'response');
  // An honest page titled by its script: the scanner read the title it was served with.
  const titledByScript = compareTraces([
    served('desktop', 200, 'Spring offer', 'Loading…'),
    served('mobile', 200, 'Spring offer', 'Loading…'),
    traced('scanner', at(200), 'Loading…'),
  ]);
  assert.equal(titledByScript.verdict, 'same', titledByScript.explanation);
  assert.ok(titledByScript.pairs.every((p) => p.same && p.divergence === null));
  // A title not read (the snapshot timed out on a loaded machine): the one served stands for it.
  const unread = compareTraces([
    served('desktop', 200, '', 'Account verification'),
    served('mobile', 200, 'Account verification', 'Account verification'),
    traced('scanner', at(200), 'Account verification'),
  ]);
  assert.equal(unread.verdict, 'same', unread.explanation);
  // What is not another page: entities as the HTML writes them, spacing, case, numbers.
  const alike = compareTraces([
    traced('desktop', at(200), 'Tom & Jerry  -  order 4411 of 06/12/2026'),
    traced('scanner', at(200), 'Tom &amp; Jerry - Order 4412 of 07/12/2026'),
  ]);
  assert.equal(alike.verdict, 'same', alike.explanation);
});

test('a script that checks a signal and a scanner stuck at it: the checked signal first, javascript last', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 200, 'start'), hop(DECOY, 200, 'javascript')]),
    traced('mobile', [hop(START, 200, 'start'), hop(REAL, 200, 'javascript')]),
    traced('webmail', [hop(START, 200, 'start'), hop(DECOY, 200, 'javascript')]),
    traced('scanner', [hop(START, 200, 'start')], 'Loading'),
  ]);
  assert.deepEqual(c.signals, ['device', 'javascript']);
  assert.equal(c.signal, 'device');
  assert.equal(c.mayBeChance, false);
});

test('a split only chance explains as well (anyone who differs in anything) is said to be possibly chance; a rule of one group is not', () => {
  const to = (dest: string) => [hop(START, 302, 'start'), hop(dest, 200, 'http-302')];
  const random = compareTraces([
    traced('desktop', to(REAL)),
    traced('mobile', to(DECOY)),
    traced('headless', to(DECOY)),
    traced('scanner', to(REAL)),
    traced('webmail', to(REAL)),
    traced('lang=de-DE', to(DECOY)),
  ]);
  assert.equal(random.verdict, 'cloaked');
  assert.equal(random.mayBeChance, true);
  assert.match(random.explanation, /may also be chance: each profile was requested once.*--again/);
  // Mobile and German together (targeting), bots by their tells (hiding): rules a cloaker has.
  const several = compareTraces([
    traced('desktop', to(DECOY)),
    traced('mobile', to(DECOY)),
    traced('lang=de-DE', to(DECOY)),
    traced('mobile+lang=de-DE', to(REAL)),
  ]);
  assert.equal(several.mayBeChance, false);
  const fromWebmailNotBot = compareTraces([
    traced('desktop', to(DECOY)),
    traced('webmail', to(REAL)),
    traced('headless', to(DECOY)),
    traced('headless+webmail', to(DECOY)),
  ]);
  assert.deepEqual(fromWebmailNotBot.signals, ['referrer', 'user-agent']);
  assert.equal(fromWebmailNotBot.mayBeChance, false);
  assert.doesNotMatch(several.explanation, /chance/);
  const bots = compareTraces([
    traced('desktop', to(REAL)),
    traced('mobile', to(REAL)),
    traced('headless', to(DECOY)),
    traced('scanner', to(DECOY)),
  ]);
  assert.equal(bots.mayBeChance, false);
  assert.match(bots.explanation, /The server told the client without a browser apart by what it sends or keeps/);
});

test('a control (a profile given again) that parts from its twin: no signal, the link answers at random or per visit', () => {
  const to = (dest: string) => [hop(START, 302, 'start'), hop(dest, 200, 'http-302')];
  const [desktop, mobile] = [traced('desktop', to(REAL)), traced('mobile', to(REAL))];
  const c = compareTraces([desktop, mobile, { ...traced('desktop', to(DECOY)), profile: 'desktop#2' }]);
  assert.equal(c.verdict, 'cloaked');
  assert.deepEqual(c.signals, []);
  assert.equal(c.mayBeChance, true);
  assert.match(c.explanation, /desktop and desktop#2, identical visitors, parted: the link answers at random or per visit/);
  // The whole note: no empty signal list, no advice to add the control it has.
  assert.match(c.explanation, /It may be chance, or a link that answers each visit anew: compare it again \(--again\)/);
  assert.doesNotMatch(c.explanation, /in \)|a control \(a profile given again/);
});

test('fewer than two profiles requested the link: no verdict (not-compared), each untraced one said with why', () => {
  const c = compareTraces([
    traced('desktop', [hop(START, 302, 'start'), hop(REAL, 200, 'http-302')]),
    {
      profile: 'mobile',
      signals: signalsOf(parseProfile('mobile')),
      case: 'case-mobile',
      report: { hops: [], final: null, pages: [], error: 'the browser did not request the link: x' },
    },
  ]);
  assert.equal(c.verdict, 'not-compared');
  assert.deepEqual(c.notTraced, ['mobile']);
  assert.match(
    c.explanation,
    /^Fewer than two profiles were compared \(1\): no verdict\. Not traced, so not compared: mobile \(the browser did not request the link: x\)\./,
  );
});

test('another page at one URL, the title as served recorded for one side only: the server is assumed, and said so', () => {
  const a = { ...traced('desktop', [hop(START, 200, 'start')], 'Account verification'), servedTitle: 'Account verification' };
  const b = traced('headless', [hop(START, 200, 'start')], 'Garden tips blog');
  const c = compareTraces([a, b]);
  const d = c.pairs[0].divergence!;
  assert.deepEqual({ kind: d.kind, by: d.decidedBy, assumed: d.decidedByAssumed }, { kind: 'content', by: 'server', assumed: true });
  assert.match(c.explanation, /decided by the server, it seems: the page as served is not recorded for both\)/);
  assert.match(formatComparison(c, 'x'), /the server decided, it seems: the page as served is not recorded for both\)/);
});

test('a page whose title was not read in time (a loaded machine) is grouped and named by the title it was served with', () => {
  const unread = { ...traced('desktop', [hop(START, 200, 'start')], ''), servedTitle: 'Account verification' };
  unread.report!.final!.title = null;
  const read = { ...traced('mobile', [hop(START, 200, 'start')], 'Account verification'), servedTitle: 'Account verification' };
  const other = { ...traced('headless', [hop(START, 200, 'start')], 'Garden tips blog'), servedTitle: 'Garden tips blog' };
  const c = compareTraces([unread, read, other]);
  assert.deepEqual(
    c.groups.map((g) => [g.profiles, g.title]),
    [
      [['desktop', 'mobile'], 'Account verification'],
      [['headless'], 'Garden tips blog'],
    ],
  );
  const alone = compareTraces([unread, other]);
  assert.equal(alone.groups.find((g) => g.profiles.includes('desktop'))!.title, 'Account verification');
  assert.match(alone.explanation, /^Cloaked by user-agent: desktop -> \S+ \(200 "Account verification"\); headless/);
});

test('a profile whose final page still had a timer pending: the comparison says it may have moved on', () => {
  const waiting = traced('desktop', [hop(START, 200, 'start')], 'Loading');
  // The case's reading of its final page (final-page-pending.ts): the timer event after its last hop; an earlier settle's is not it.
  waiting.report!.events = [
    { at: '2025-12-31T00:00:00.000Z', kind: 'timer', detail: '', url: START, timerDueInMs: 900, timerSettleMs: 1000 },
    { at: '2099-01-01T00:00:00.000Z', kind: 'timer', detail: '', url: START, timerDueInMs: 6400, timerSettleMs: 7912 },
  ];
  const c = compareTraces([waiting, traced('headless', [hop(START, 200, 'start'), hop(DECOY, 200, 'javascript')])]);
  assert.equal(c.signal, 'webdriver');
  assert.match(
    c.explanation,
    /Not waited for: desktop ended on a page with a timer still pending \(due in up to 6\.4 s; --settle 8000 would wait for it\)/,
  );
  assert.equal(c.profiles[0].pendingTimer?.dueInMs, 6400);
});
