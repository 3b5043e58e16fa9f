import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProfileDir, sweepStaleProfiles } from './profiles.js';

test('profiles left by a clicktrace process that is gone are removed; live and foreign ones stay', () => {
  const parent = mkdtempSync(join(tmpdir(), 'clicktrace-profiles-'));
  const ours = createProfileDir(parent);
  // A pid that has certainly exited: a child that ran and was reaped.
  const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const make = (name: string, owner: string | null) => {
    const dir = join(parent, `clicktrace-chromium-${name}`);
    mkdirSync(dir);
    if (owner !== null) writeFileSync(join(dir, 'clicktrace-owner'), owner);
    return dir;
  };
  const dead = make('dead', `${hostname()} ${deadPid}\n`);
  const otherHost = make('other-host', `some-other-container ${deadPid}\n`);
  const oldUnowned = make('old-unowned', null);
  const newUnowned = make('new-unowned', null);
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  utimesSync(oldUnowned, twoHoursAgo, twoHoursAgo);
  const unrelated = join(parent, 'something-else');
  mkdirSync(unrelated);

  const removed = sweepStaleProfiles(parent);
  assert.deepEqual(removed.sort(), [dead, oldUnowned].sort());
  for (const kept of [ours, otherHost, newUnowned, unrelated]) assert.ok(existsSync(kept), kept);
});
