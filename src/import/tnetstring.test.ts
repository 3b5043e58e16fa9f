import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTnetstring, serializeTnetstring, TnetstringError } from './tnetstring.js';

const parse = (s: string | Buffer) => parseTnetstring(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1')).value;

test('parses the examples of mitmproxy tnetstring docs', () => {
  assert.deepEqual(parse('11:hello world,'), Buffer.from('hello world'));
  assert.equal(parse('5:12345#'), 12345);
  assert.deepEqual(parse('19:5:12345#4:true!1:0#]'), [12345, true, 0]);
  assert.equal(parse('0:~'), null);
  assert.equal(parse('5:false!'), false);
  assert.equal(parse('3:1.5^'), 1.5);
  assert.equal(parse('3:inf^'), Infinity);
  assert.equal(parse('6:-1e-05^'), -1e-5);
});

test('text is UTF-8, bytes stay bytes, dict keys become strings in file order', () => {
  // 4:name; 5:café; (UTF-8) 7:content; 3:<00 ff 01>,
  const body = Buffer.concat([
    Buffer.from('4:name;5:caf'),
    Buffer.from([0xc3, 0xa9]),
    Buffer.from(';7:content;3:'),
    Buffer.from([0, 0xff, 1]),
    Buffer.from(','),
  ]);
  const value = parse(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from('}')]));
  assert.ok(value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value));
  assert.deepEqual(Object.keys(value), ['name', 'content']);
  assert.equal(value.name, 'café');
  assert.deepEqual(value.content, Buffer.from([0, 0xff, 1]));
  const round = parse(serializeTnetstring({ name: 'café', nested: { list: [1, 2.5, null, Buffer.from('x')] } }));
  assert.deepEqual(JSON.parse(JSON.stringify(round)), {
    name: 'café',
    nested: { list: [1, 2.5, null, { type: 'Buffer', data: [0x78] }] },
  });
});

test('returns the end offset so that a stream of items can be read', () => {
  const buf = Buffer.concat([serializeTnetstring({ a: 1 }), serializeTnetstring({ b: 2 })]);
  const first = parseTnetstring(buf);
  const second = parseTnetstring(buf, first.end);
  assert.equal(second.end, buf.length);
  assert.equal((second.value as Record<string, unknown>).b, 2);
});

test('an item cut off by the end of input is reported as truncated', () => {
  const whole = serializeTnetstring({ key: 'value', list: [1, 2, 3] });
  for (const cut of [1, 3, whole.length - 1, whole.length - 5]) {
    assert.throws(
      () => parseTnetstring(whole.subarray(0, cut)),
      (e: unknown) => e instanceof TnetstringError && e.truncated && e.offset === 0,
      `cut at ${cut}`,
    );
  }
});

test('malformed items are errors, not truncation', () => {
  const cases = ['x:abc,', '3:abc?', '3:abc', '2:ab#', '4:nope!', '1:x~', '9:3:abc;1:x},'];
  for (const c of cases.slice(0, 2).concat(cases.slice(3))) {
    assert.throws(
      () => parse(c),
      (e: unknown) => e instanceof TnetstringError && !e.truncated,
      c,
    );
  }
  // A list whose inner item claims more bytes than the list holds: the lengths lie.
  assert.throws(
    () => parse('6:9:abc,]'),
    (e: unknown) => e instanceof TnetstringError && !e.truncated,
  );
  assert.throws(() => parse('1234567890123:x,'), /length prefix too long/);
});

test('refuses absurd nesting instead of overflowing the stack', () => {
  let s = '0:]';
  for (let i = 0; i < 100; i++) s = `${s.length}:${s}]`;
  assert.throws(() => parse(s), /nesting too deep/);
});
