import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from './make-dirs.js';

test('makeDirs makes every missing level, accepts an existing folder, and refuses a file in the way', () => {
  const root = mkdtempSync(join(tmpdir(), 'make-dirs-'));
  makeDirs(join(root, 'a', 'b', 'c'));
  assert.ok(statSync(join(root, 'a', 'b', 'c')).isDirectory());
  makeDirs(join(root, 'a', 'b'));
  writeFileSync(join(root, 'file'), '');
  assert.throws(() => makeDirs(join(root, 'file')), { code: 'EEXIST' });
  assert.throws(() => makeDirs(join(root, 'file', 'x')), { code: 'ENOTDIR' });
});

test('makeDirs fails at once under /proc, where node 20 recursive mkdir never returns', { skip: process.platform !== 'linux' }, () => {
  assert.throws(() => makeDirs('/proc/clicktrace-no-such/x'), { code: 'ENOENT' });
});
