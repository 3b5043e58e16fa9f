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
