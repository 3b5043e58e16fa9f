import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonText, showControls } from './visible.js';

test('jsonText: a record stays one line for every line reader, and no control character reaches a terminal raw', () => {
  const record = {
    kind: 'trace',
    final: { title: 'Win\u2028{"kind":"summary"}\u2029now\u0085!\n\r\u001b[2J\u009b31m\u007f\u202eevil\u2066' },
  };
  const line = jsonText(record);
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  assert.equal(line.split(/\r\n|[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/).length, 1, "Python's splitlines sees one line");
  assert.deepEqual(JSON.parse(line), record);
  assert.equal(jsonText({ a: 'plain ünïcode' }), '{"a":"plain ünïcode"}');
});

test('jsonText indents like JSON.stringify and escapes the same way when indented', () => {
  const value = { a: ['\u009b', 1], b: null };
  const text = jsonText(value, 2);
  assert.equal(text, JSON.stringify(value, null, 2).replace('\u009b', '\\u009b'));
  assert.deepEqual(JSON.parse(text), value);
});

test('showControls writes controls out, keeping lines only when asked', () => {
  assert.equal(showControls('a\tb\nc\x1b'), 'a\\x09b\\x0ac\\x1b');
  assert.equal(showControls('a\tb\nc\x1b', { keepLines: true }), 'a\tb\nc\\x1b');
});

test('characters that show nothing are written out too; the joiners that scripts and emoji need stay', () => {
  assert.equal(showControls('pay\u200bpal\u200e.com\ufeff\u2060'), 'pay\\u200bpal\\u200e.com\\ufeff\\u2060');
  assert.equal(showControls('می\u200cخواهم 👨\u200d👩'), 'می\u200cخواهم 👨\u200d👩');
  const json = jsonText({ title: 'a\u200bb\u2028c' });
  assert.equal(json, '{"title":"a\\u200bb\\u2028c"}');
  assert.deepEqual(JSON.parse(json), { title: 'a\u200bb\u2028c' });
});
