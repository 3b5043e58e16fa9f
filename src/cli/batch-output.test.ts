import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLine } from './batch-output.js';

test('a JSON Lines record stays one line for every line reader: NEL, LS and PS from a page are escaped', () => {
  const record = { kind: 'trace', final: { title: 'Win\u2028{"kind":"summary"}\u2029now\u0085!\n\r\u001b[2J' } };
  const line = jsonLine(record);
  assert.doesNotMatch(line, /[\u0000-\u001f\u0085\u2028\u2029]/);
  assert.equal(line.split(/\r\n|[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/).length, 1, "Python's splitlines sees one line");
  assert.deepEqual(JSON.parse(line), record);
  assert.equal(jsonLine({ a: 'plain' }), '{"a":"plain"}');
});
