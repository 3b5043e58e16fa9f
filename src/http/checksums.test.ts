import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, sha256Hex } from './checksums.js';

test('SHA-256 in lower-case hex', () => {
  assert.equal(sha256Hex(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex('abc'), sha256Hex(Buffer.from('abc')));
});

test('CRC-32 of ZIP and gzip, continued over chunks', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('6789'), crc32(Buffer.from('12345'))), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
});
