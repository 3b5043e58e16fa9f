import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clean, displayWidth, padWidth, truncateMiddle, truncateWidth } from './terminal-text.js';

test('clean escapes control characters, DEL, C1 and bidi overrides', () => {
  assert.equal(clean('a\x1b[31mred\x07\r\nb\x7f\x9b\u202e'), 'a\\x1b[31mred\\x07\\x0d\\x0ab\\x7f\\x9b\\u202e');
  assert.equal(clean('plain <b>text</b> ünïcode'), 'plain <b>text</b> ünïcode');
  assert.equal(clean(null), '');
});

test('truncateMiddle keeps both ends of a long URL, so URLs differing at the end stay apart', () => {
  const a = `t.example/c/${'x'.repeat(150)}AAAA`;
  const b = `t.example/c/${'x'.repeat(150)}BBBB`;
  assert.equal(truncateMiddle('short', 10), 'short');
  assert.equal(truncateMiddle(a, 100).length, 100);
  assert.ok(truncateMiddle(a, 100).startsWith('t.example/c/') && truncateMiddle(a, 100).endsWith('AAAA'));
  assert.notEqual(truncateMiddle(a, 100), truncateMiddle(b, 100));
});

test('displayWidth counts terminal columns: wide characters two, combining marks none; truncateWidth and padWidth use them', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('收款部门'), 8);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth('📦'), 2);
  assert.equal(truncateWidth('收款部门收款部门', 7), '收款部…');
  assert.equal(displayWidth(truncateWidth('收款部门收款部门', 7)), 7);
  assert.equal(truncateWidth('short', 10), 'short');
  assert.equal(padWidth('收款', 6), '收款  ');
  assert.equal(padWidth('7', 3, true), '  7');
});
