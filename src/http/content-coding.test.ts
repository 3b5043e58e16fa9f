import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { ContentDecoder, MAX_DECODED_BYTES, contentCodings, decodeContent } from './content-coding.js';

// Hex of random bytes: text that gzip cannot shrink to nothing, so a cut falls inside the data.
const TEXT = Buffer.from(`<html><title>Offer</title>${randomBytes(4000).toString('hex')}</html>\n`);

test('codings: listed order, lower case, identity and blanks dropped', () => {
  assert.deepEqual(contentCodings(' GZIP , identity,, br'), ['gzip', 'br']);
  assert.deepEqual(contentCodings(null), []);
});

test('decodeContent undoes gzip, x-gzip, zlib and raw deflate, br, and stacked codings', () => {
  for (const [coding, body] of [
    ['gzip', gzipSync(TEXT)],
    ['x-gzip', gzipSync(TEXT)],
    ['deflate', deflateSync(TEXT)],
    ['deflate', deflateRawSync(TEXT)],
    ['br', brotliCompressSync(TEXT)],
    ['gzip, br', brotliCompressSync(gzipSync(TEXT))],
    ['identity', TEXT],
  ] as const) {
    const decoded = decodeContent(body, coding);
    assert.ok(decoded.ok, coding);
    assert.deepEqual(decoded.bytes, TEXT, coding);
  }
  assert.deepEqual(decodeContent(Buffer.alloc(0), 'gzip'), { ok: true, bytes: Buffer.alloc(0) });
});

test('one way of failing: corrupt, unsupported, over the limit', () => {
  const corrupt = decodeContent(Buffer.concat([gzipSync(TEXT).subarray(0, 12), Buffer.from('garbage!')]), 'gzip');
  assert.equal(corrupt.ok, false);
  assert.match(!corrupt.ok ? corrupt.reason : '', /^content-encoding gzip: corrupt data \(.+\)$/);
  assert.deepEqual(decodeContent(TEXT, 'zstd'), { ok: false, reason: 'content-encoding zstd: not supported', overLimit: false });
  const bomb = decodeContent(gzipSync(Buffer.alloc(1 << 20)), 'gzip', { limit: 1000 });
  assert.deepEqual(bomb, { ok: false, reason: 'content-encoding gzip: decodes to more than 1,000 bytes', overLimit: true });
  assert.equal(MAX_DECODED_BYTES, 64 * 1024 * 1024);
});

test('a body cut short decodes as far as it goes when said to be truncated', () => {
  const cut = gzipSync(TEXT).subarray(0, 2000);
  assert.equal(decodeContent(cut, 'gzip').ok, false);
  const decoded = decodeContent(cut, 'gzip', { truncated: true });
  assert.ok(decoded.ok && decoded.bytes.length > 0 && TEXT.subarray(0, decoded.bytes.length).equals(decoded.bytes));
});

test('ContentDecoder streams: counts, keeps only the head, stops at the limit', async () => {
  const body = gzipSync(TEXT);
  const decoder = new ContentDecoder('gzip', { keep: 10 });
  for (let i = 0; i < body.length; i += 100) decoder.write(body.subarray(i, i + 100));
  const measured = await decoder.end();
  assert.deepEqual(measured, { size: TEXT.length, overLimit: false, head: TEXT.subarray(0, 10), error: null });

  const bomb = new ContentDecoder('gzip', { limit: 4 << 20 });
  bomb.write(gzipSync(Buffer.alloc(16 << 20)));
  assert.deepEqual(await bomb.end(), { size: 4 << 20, overLimit: true, head: Buffer.alloc(0), error: null });

  const identity = new ContentDecoder(null, { keep: 3 });
  identity.write(TEXT);
  assert.equal((await identity.end()).size, TEXT.length);

  const empty = new ContentDecoder('gzip');
  assert.deepEqual(await empty.end(), { size: 0, overLimit: false, head: Buffer.alloc(0), error: null });
});

test('ContentDecoder states corrupt data in the words of decodeContent', async () => {
  const decoder = new ContentDecoder('gzip');
  decoder.write(Buffer.concat([gzipSync(TEXT).subarray(0, 12), Buffer.from('garbage!')]));
  const measured = await decoder.end();
  assert.match(measured.error ?? '', /^content-encoding gzip: corrupt data \(.+\)$/);

  const stacked = new ContentDecoder('gzip, br');
  stacked.write(brotliCompressSync(gzipSync(TEXT)));
  assert.deepEqual(await stacked.end(), { size: TEXT.length, overLimit: false, head: Buffer.alloc(0), error: null });

  const unsupported = new ContentDecoder('zstd');
  unsupported.write(TEXT);
  assert.equal((await unsupported.end()).error, 'content-encoding zstd: not supported');

  const cut = new ContentDecoder('gzip', { truncated: true });
  cut.write(gzipSync(TEXT).subarray(0, 2000));
  const partial = await cut.end();
  assert.equal(partial.error, null);
  assert.ok(partial.size > 0 && partial.size < TEXT.length);
});
