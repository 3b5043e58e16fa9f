import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatChain } from './format.js';
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
});
