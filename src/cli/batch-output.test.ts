import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEntry, formatSummary } from './batch-output.js';
import { BatchTally, batchSummary } from '../service/batch-summary.js';
import { parseInputLine } from '../service/url-list.js';

test('a link traced before whose case was cut off says how it ended once, not "partial: partial:"', () => {
  const cutOff = 'partial: the process tracing it stopped (killed, crashed or the machine restarted) after 1 exchange(s) were recorded';
  const line = formatEntry({
    kind: 'already-traced',
    line: 3,
    url: 'http://a.test/x',
    caseId: '20261207T191823Z-630c22',
    inProgress: false,
    earlier: { partial: true, error: cutOff },
  });
  assert.match(line, /case 20261207T191823Z-630c22 \(it ended partial: the process tracing it stopped/);
  assert.doesNotMatch(line, /partial: partial/);
  // An interrupted case's error does not say it: "partial" is added.
  const interrupted = formatEntry({
    kind: 'already-traced',
    line: 4,
    url: 'http://a.test/y',
    caseId: '20261207T191823Z-630c23',
    inProgress: false,
    earlier: { partial: true, error: 'interrupted by SIGINT' },
  });
  assert.match(interrupted, /\(it ended partial: interrupted by SIGINT\)/);
});

test('a line that is no URL is listed among the failures once, not as "not a url: not a URL ... \\"not a url\\""', () => {
  const tally = new BatchTally();
  const item = parseInputLine('not a url', 14)!;
  assert.ok('error' in item);
  tally.add({ kind: 'invalid', ...item });
  const text = formatSummary(batchSummary(tally, { concurrency: 1, interrupted: null }));
  const listed = text.split('\n').filter((l) => l.startsWith('  line 14'));
  assert.equal(listed.length, 1, text);
  assert.match(listed[0], /^ {2}line 14 {2}not a URL \(.*\): "not a url"$/);
});
