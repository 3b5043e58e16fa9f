import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProfileDir, processAliveSince, sweepStaleProfiles } from './profiles.js';

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
  // Owned by this process's pid, but written before it started: an earlier life of a restarted container.
  const earlierLife = make('earlier-life', `${hostname()} ${process.pid}\n`);
  const beforeStart = new Date(performance.timeOrigin - 3600_000);
  utimesSync(join(earlierLife, 'clicktrace-owner'), beforeStart, beforeStart);

  const removed = sweepStaleProfiles(parent);
  assert.deepEqual(removed.sort(), [dead, oldUnowned, earlierLife].sort());
  for (const kept of [ours, otherHost, newUnowned, unrelated]) assert.ok(existsSync(kept), kept);
});

test('a pid alive now is the process that was running at a time only if it had started by then', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => child.once('spawn', resolve));
    assert.equal(processAliveSince(child.pid!, Date.now()), true);
    assert.equal(processAliveSince(child.pid!, Date.now() - 3600_000), false, 'started after that time: the pid was another process then');
    assert.equal(processAliveSince(process.pid, Date.now()), true);
    assert.equal(processAliveSince(process.pid, performance.timeOrigin - 60_000), false, 'before this process started');
    assert.equal(processAliveSince(child.pid!, Number.NaN), true, 'no time known: the pid alone decides');
  } finally {
    child.kill();
  }
  const exited = spawnSync(process.execPath, ['-e', '0']).pid;
  assert.equal(processAliveSince(exited, Date.now()), false);
});
