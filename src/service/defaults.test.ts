import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConcurrency } from './defaults.js';

const GB = 1024 ** 3;

test('default concurrency: two traces per core, bounded by free memory and a ceiling', () => {
  assert.equal(defaultConcurrency(2, 20 * GB), 4);
  assert.equal(defaultConcurrency(1, 20 * GB), 2);
  assert.equal(defaultConcurrency(4, 0.5 * GB), 2, 'a small machine is bounded by its memory');
  assert.equal(defaultConcurrency(64, 256 * GB), 16);
  assert.equal(defaultConcurrency(2, 0), 1);
});
