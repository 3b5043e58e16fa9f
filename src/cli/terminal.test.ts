import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clean } from './terminal.js';

test('clean escapes control characters, DEL, C1 and bidi overrides', () => {
  assert.equal(clean('a\x1b[31mred\x07\r\nb\x7f\x9b\u202e'), 'a\\x1b[31mred\\x07\\x0d\\x0ab\\x7f\\x9b\\u202e');
  assert.equal(clean('plain <b>text</b> ünïcode'), 'plain <b>text</b> ünïcode');
  assert.equal(clean(null), '');
});
