import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatChain } from './format.js';
import { timerEvent } from '../analyze/final-page-pending.js';
import { sampleCapture, sampleReport } from '../../test/support/test-capture.js';

test('files the case could not write are named, with the reason, cleaned for the terminal', () => {
  const report = sampleReport(sampleCapture(), 'case-1');
  report.failedFiles = [{ path: 'capture.har', error: "EISDIR: illegal operation on a directory, open 'capture.har'\u001b[31m" }];
  const text = formatChain(report, '/cases/case-1');
  assert.match(text, /^Not written: capture\.har \(EISDIR: illegal operation on a directory, open 'capture\.har'\\x1b\[31m\)$/m);
  assert.doesNotMatch(formatChain(sampleReport(sampleCapture(), 'case-1'), null), /Not written/);
});

test('a hop out of the web keeps its scheme in the hop line (an intent: link is not a host "claim")', () => {
  const report = sampleReport(sampleCapture(), 'case-1');
  const last = report.hops.at(-1)!;
  const hopLine = (url: string) => {
    report.hops[report.hops.length - 1] = { ...last, url, status: null };
    return formatChain(report, null).split('\n')[report.hops.length];
  };
  assert.match(hopLine('intent://claim/#Intent;scheme=prize;end'), / {2}intent:\/\/claim\/#Intent;scheme=prize;end {2}/);
  assert.match(
    hopLine('mailto:claims@prize.advertiser.example?subject=Claim'),
    / {2}mailto:claims@prize\.advertiser\.example\?subject=Claim {2}/,
  );
  assert.match(hopLine('ftp://files.broker-net.test/offer.zip'), / {2}ftp:\/\/files\.broker-net\.test\/offer\.zip {2}/);
  assert.match(hopLine('https://www.advertiser.example/landing?x=1'), / {2}www\.advertiser\.example\/landing\?x=1 {2}/);
  // User info before the host is how such a URL deceives: the hop line keeps it (lab location-userinfo).
  assert.match(
    hopLine('https://business.t-mobile.example@secure-login.phish.example/h/location-userinfo'),
    / {2}business\.t-mobile\.example@secure-login\.phish\.example\/h\/location-userinfo {2}/,
  );
});

test('a navigation the final page scheduled and the trace did not wait for is said, not hidden behind "Final"', () => {
  const report = sampleReport(sampleCapture(), 'case-1');
  const last = report.hops.at(-1)!;
  const after = new Date(Date.parse(last.timing.startedAt) + 500).toISOString();
  const before = new Date(Date.parse(last.timing.startedAt) - 500).toISOString();
  const notes = () =>
    formatChain(report, null)
      .split('\n')
      .filter((l) => l.startsWith('Note: not followed'));
  assert.deepEqual(notes(), []);
  report.events.push({ at: after, kind: 'scheduled', detail: 'metaTagRefresh in 10 s to https://late.example/next\u001b[2J' });
  assert.deepEqual(notes(), [
    'Note: not followed: meta refresh in 10 s to https://late.example/next\\x1b[2J (scheduled on the final page; the trace did not wait for it)',
  ]);
  // One to a data: (or javascript:, mailto:…) URL was not left for later: a browser refuses it.
  report.events.splice(-1, 1, { at: after, kind: 'scheduled', detail: 'metaTagRefresh in 0 s to data:text/html;base64,PHA+' });
  assert.deepEqual(notes(), [
    'Note: not followed: meta refresh in 0 s to data:text/html;base64,PHA+ ' +
      "(scheduled on the final page; not an http(s) address: a browser blocks a page's move of the whole tab to a data: address)",
  ]);
  report.events.splice(-1, 1, { at: after, kind: 'scheduled', detail: 'metaTagRefresh in 0 s to mailto:win@prize.example' });
  assert.match(
    notes()[0],
    /mailto:win@prize\.example \(scheduled on the final page; not an http\(s\) address: a browser hands mailto: addresses to another program/,
  );
  // One scheduled on an earlier page, or the navigation that led to the last hop (reported late), is not pending.
  report.events.splice(-1, 1, { at: before, kind: 'scheduled', detail: 'httpHeaderRefresh in 9 s to https://late.example/next' });
  report.events.push({ at: after, kind: 'scheduled', detail: `scriptInitiated in 0 s to ${last.url}#x` });
  assert.deepEqual(notes(), []);
});

test("a final address no hop requested (history.pushState) is said to be the page script's, with the hop that answered", () => {
  const report = sampleReport(sampleCapture(), 'case-1');
  const last = report.hops.at(-1)!;
  const marker = "(not requested: the page's script set this address";
  assert.doesNotMatch(formatChain(report, null), /not requested: the page's script/);
  report.final = { url: `${last.url}#section`, status: last.status, title: 'Welcome' };
  assert.doesNotMatch(formatChain(report, null), /not requested: the page's script/, 'a fragment is the same address');
  report.final = { url: 'https://landing.example/thank-you?step=2', status: last.status, title: 'Welcome' };
  const lines = formatChain(report, null).split('\n');
  const at = lines.findIndex((l) => l.startsWith('Final: https://landing.example/thank-you?step=2'));
  assert.ok(lines[at + 1].trim().startsWith(marker), lines.join('\n'));
  assert.ok(lines[at + 1].includes(`the answer is hop ${last.index}'s`));
});

test("a timer still pending on the final page is said, without a target; an earlier page's is not", () => {
  const report = sampleReport(sampleCapture(), 'case-1');
  const last = report.hops.at(-1)!;
  report.final = { url: last.url, status: last.status, title: 'Welcome' };
  const after = new Date(Date.parse(last.timing.startedAt) + 500).toISOString();
  const notes = () =>
    formatChain(report, null)
      .split('\n')
      .filter((l) => l.startsWith('Note: not waited for'));
  assert.deepEqual(notes(), []);
  report.events.push(timerEvent(after, last.url, 8765, 9012)!);
  assert.deepEqual(notes(), [
    'Note: not waited for: a timer was still pending on the final page, due in 8.8 s when the trace ended; ' +
      'it may move the page, or not (--settle 9100 or more would wait for it)',
  ]);
  // Another page's timer (one the chain left) says nothing of the final page.
  report.events.splice(-1, 1, timerEvent(after, 'https://earlier.example/', 3000, 4000)!);
  assert.deepEqual(notes(), []);
});
