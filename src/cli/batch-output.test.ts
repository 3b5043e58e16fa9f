import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEntry } from './batch-output.js';

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
