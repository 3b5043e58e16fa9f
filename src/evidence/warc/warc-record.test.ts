import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import { gzipMember, windowBitsFor } from './warc-record.js';

test('a record is deflated in a window that holds all of it, to the bytes of the default window', () => {
  assert.equal(windowBitsFor(0), 9);
  assert.equal(windowBitsFor(250), 9);
  assert.equal(windowBitsFor(251), 10);
  assert.equal(windowBitsFor(32 * 1024), 15);
  assert.equal(windowBitsFor(10 * 1024 * 1024), 15);
  // Text that repeats near and far, and bytes that do not repeat, at every window size.
  const words = ['Set-Cookie', 'sid=', 'https://track.example.test/c?u=', '"headers":', 'Content-Type'];
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (const length of [0, 1, 200, 300, 700, 1500, 3000, 6000, 12_000, 20_000, 40_000, 300_000]) {
    const parts: string[] = [];
    let size = 0;
    while (size < length) {
      const part = next() % 3 === 0 ? createHash('sha256').update(String(next())).digest('base64') : words[next() % words.length];
      parts.push(part);
      size += part.length;
    }
    const record = Buffer.from(parts.join(' ').slice(0, length));
    const member = gzipMember(record, false);
    const level = record.length > 256 * 1024 ? 1 : -1;
    assert.ok(member.equals(gzipSync(record, { level })), `${length} bytes`);
    assert.ok(gunzipSync(member).equals(record));
  }
});
