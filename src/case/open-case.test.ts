import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTIAL_FILE } from './case-layout.js';
import { openCaseNote, openCaseWriterGone } from './open-case.js';

test('an open case names its writer; it is gone only when that process on this host is gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-open-case-'));
  const note = (text: string) => writeFileSync(join(dir, PARTIAL_FILE), text);
  assert.equal(openCaseWriterGone(dir), false, 'no PARTIAL file: not an open case');
  note(openCaseNote());
  assert.equal(openCaseWriterGone(dir), false, 'this process writes it');
  const exited = spawnSync(process.execPath, ['-e', '0']).pid;
  note(`capture in progress since ${new Date().toISOString()} by ${hostname()} ${exited}; removed when the case is closed\n`);
  assert.equal(openCaseWriterGone(dir), true, 'its process exited');
  note(`capture in progress since ${new Date().toISOString()} by another-host.example ${exited}; removed when the case is closed\n`);
  assert.equal(openCaseWriterGone(dir), false, 'a writer on another host cannot be checked');
  // Written before the file named its writer: gone once older than any trace runs.
  note(`capture in progress since ${new Date(Date.now() - 2 * 3600_000).toISOString()}; removed when the case is closed\n`);
  assert.equal(openCaseWriterGone(dir), true);
  note(`capture in progress since ${new Date().toISOString()}; removed when the case is closed\n`);
  assert.equal(openCaseWriterGone(dir), false);
  // Opened by an earlier process under this one's pid (a restarted container): not this process's case.
  note(
    `capture in progress since ${new Date(performance.timeOrigin - 60_000).toISOString()} by ${hostname()} ${process.pid}; removed when the case is closed\n`,
  );
  assert.equal(openCaseWriterGone(dir), true, 'its writer was an earlier process with this pid');
  rmSync(dir, { recursive: true, force: true });
});
