import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { compressionOf, decompressed, gunzippedFile } from './compressed.js';

const bytes = (...b: number[]) => Buffer.from(b);

test('compressions told by their first bytes; text that starts alike is not one', () => {
  assert.equal(compressionOf(gzipSync('From a@b Mon Mar  4 10:00:00 2024\n')), 'gzip');
  assert.equal(compressionOf(Buffer.from('BZh91AY&SY\x00\x01', 'latin1')), 'bzip2');
  assert.equal(compressionOf(bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00)), 'xz');
  assert.equal(compressionOf(bytes(0x28, 0xb5, 0x2f, 0xfd, 0x00)), 'zstd');
  assert.equal(compressionOf(Buffer.from('BZh: a header line of its own\n')), null);
  assert.equal(compressionOf(Buffer.from('From a@b Mon Mar  4 10:00:00 2024\n')), null);
  assert.equal(compressionOf(Buffer.alloc(0)), null);
});

test('a gzip stream is read through whatever its chunks (a byte at a time too); plain bytes pass as they are', async () => {
  const text = 'From a@b Mon Mar  4 10:00:00 2024\nSubject: one\n\nbody\n'.repeat(50);
  const zipped = gzipSync(text);
  for (const chunks of [[zipped], [...zipped].map((b) => bytes(b))]) {
    const out = await decompressed(Readable.from(chunks));
    assert.equal(out.compression, 'gzip');
    assert.equal(Buffer.concat(await Readable.from(out.chunks).toArray()).toString(), text);
  }
  const plain = await decompressed(Readable.from([Buffer.from(text)]));
  assert.equal(plain.compression, null);
  assert.equal(Buffer.concat((await Readable.from(plain.chunks).toArray()) as Buffer[]).toString(), text);
});

test('a gzip file: gunzipped up to a limit; past it, or corrupt, an error in words', () => {
  const zipped = gzipSync(Buffer.alloc(4096, 'a'));
  assert.equal((gunzippedFile(zipped, 8192) as Buffer).length, 4096);
  assert.match((gunzippedFile(zipped, 1024) as Error).message, /larger than 1024 bytes once gunzipped/);
  assert.match((gunzippedFile(zipped.subarray(0, 20), 8192) as Error).message, /^gzip: /);
  assert.equal(gunzippedFile(Buffer.from('plain'), 10).toString(), 'plain');
});
