import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, progressLine } from './progress-line.js';

test('progress line: done/total, failures, rate, ETA and what is in flight, on one clean line', () => {
  const line = progressLine(
    { done: 10, total: 40, failures: 2, startedAt: 0, inFlight: ['http://a.test/x\x1b[31m', 'https://b.test/y?z=1'] },
    5000,
    200,
  );
  assert.equal(line, '10/40  2 failed  2.0/s  ETA 15s  now: a.test/x%1B[31m, b.test/y');
  const hostile = progressLine({ done: 0, total: null, failures: 0, startedAt: 0, inFlight: ['not a url \x1b]0;x\x07'] }, 1000, 200);
  assert.doesNotMatch(hostile, /[\u0000-\u001f]/);
  assert.match(hostile, /^0 done/);
  assert.equal(
    progressLine({ done: 1, total: 2, failures: 0, startedAt: 0, inFlight: ['http://a.test/' + 'x'.repeat(300)] }, 1000, 60).length,
    59,
  );
});

test('durations read like a clock', () => {
  assert.equal(duration(9.4), '9s');
  assert.equal(duration(75), '1m15s');
  assert.equal(duration(3 * 3600 + 60 * 7), '3h07m');
  assert.equal(duration(Infinity), '?');
});
