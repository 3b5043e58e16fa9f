import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseWriter } from './case-writer.js';
import { CUT_OFF_WARC, MANIFEST_FILE, PARTIAL_FILE, REPORT_FILE, WARC_FILE } from './case-layout.js';
import { cutOffHereReason, SEALING_DIR, sealCutOffCase, sealCutOffCases } from './seal-cut-off.js';
import { parseManifest } from './manifest.js';
import { verifyCase } from '../verify/verify.js';
import { readCapture } from '../evidence/warc/read-warc.js';
import type { Report } from '../report.js';
import { sampleCapture } from '../../test/support/test-capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'clicktrace-seal-cut-off-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An open case as a killed trace leaves it: the first exchanges written, the WARC cut inside its last record. */
async function openCase(name: string, exchanges: number): Promise<string> {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(join(tmp, 'cases'), { ...capture.info, partial: true, endedAt: null }, { name });
  for (const rec of capture.dns) writer.addDns(rec);
  for (const ex of capture.exchanges.slice(0, exchanges)) writer.addExchange(ex);
  if (exchanges > 0) writer.addPage(capture.pages[0]);
  truncateSync(writer.warcPath, writer.stats().warcBytes - 7);
  return writer.dir;
}

test('a case cut off mid-trace is sealed from its whole records, marked partial with the reason; the WARC as left is kept', async () => {
  const dir = await openCase('20260314T120000Z-c0ffee', 3);
  const left = readFileSync(join(dir, WARC_FILE));
  const reason = 'partial: the worker died mid-trace';
  const sealed = await sealCutOffCase(dir, join(tmp, 'staging'), reason);
  assert.ok(sealed);
  assert.equal(sealed.dir, join(tmp, 'staging', '20260314T120000Z-c0ffee'));
  // The page record was the last one written and is cut: the three exchanges are whole.
  assert.equal(sealed.exchanges, 3);
  const verified = await verifyCase(sealed.dir);
  assert.ok(verified.ok, verified.problems.join('; '));
  assert.ok(!existsSync(join(sealed.dir, PARTIAL_FILE)));
  const manifest = parseManifest(readFileSync(join(sealed.dir, MANIFEST_FILE)), MANIFEST_FILE);
  assert.equal(manifest.partial, true);
  const report = JSON.parse(readFileSync(join(sealed.dir, REPORT_FILE), 'utf8')) as Report;
  assert.deepEqual([report.partial, report.error, report.endedAt], [true, reason, sealed.recordedUntil]);
  const capture = await readCapture(sealed.dir);
  assert.equal(capture.info.partial, true);
  assert.equal(capture.exchanges.length, 3);
  assert.deepEqual(readFileSync(join(sealed.dir, CUT_OFF_WARC)), left, 'the WARC as the killed process left it');
  assert.ok(existsSync(join(dir, PARTIAL_FILE)), 'the open case is left as it was');
});

test('an open case whose WARC holds no whole record was cut off before anything was requested: nothing to seal', async () => {
  const empty = join(tmp, 'cases', '20260314T120000Z-000000');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, PARTIAL_FILE), 'capture in progress\n');
  assert.equal(await sealCutOffCase(empty, join(tmp, 'staging'), 'x'), null);
  writeFileSync(join(empty, WARC_FILE), Buffer.alloc(0));
  assert.equal(await sealCutOffCase(empty, join(tmp, 'staging'), 'x'), null);
  // Its first record (warcinfo) whole, no exchange: sealed, with no hop.
  const started = await openCase('20260314T120000Z-0000aa', 0);
  const sealed = await sealCutOffCase(started, join(tmp, 'staging'), 'x');
  assert.equal(sealed?.exchanges, 0);
  assert.ok((await verifyCase(sealed.dir)).ok);
});

test('cases whose writer is gone are sealed where they are; one still being written is left open', async () => {
  const gone = await openCase('20260314T130000Z-dead01', 2);
  const live = await openCase('20260314T130000Z-a11ce1', 2);
  const exited = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(
    join(gone, PARTIAL_FILE),
    `capture in progress since ${new Date().toISOString()} by ${hostname()} ${exited}; removed when the case is closed\n`,
  );
  const casesDir = join(tmp, 'cases');
  assert.equal(await sealCutOffCases(casesDir, ['20260314T130000Z-dead01', '20260314T130000Z-a11ce1'], cutOffHereReason), 1);
  assert.ok(!existsSync(join(gone, PARTIAL_FILE)));
  assert.ok(existsSync(join(gone, CUT_OFF_WARC)));
  const verified = await verifyCase(gone);
  assert.ok(verified.ok, verified.problems.join('; '));
  const report = JSON.parse(readFileSync(join(gone, REPORT_FILE), 'utf8')) as Report;
  assert.equal(report.partial, true);
  assert.match(report.error ?? '', /^partial: the process tracing it stopped .* after 2 exchange\(s\) were recorded/);
  assert.ok(existsSync(join(live, PARTIAL_FILE)), 'this process still writes it');
  assert.deepEqual(readdirSync(join(casesDir, SEALING_DIR)), []);
});

test('a case a process was swapping in when it died is put back and sealed', async () => {
  const casesDir = join(tmp, 'cases');
  const name = '20260314T140000Z-5a0a11';
  const dir = await openCase(name, 1);
  const exited = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(
    join(dir, PARTIAL_FILE),
    `capture in progress since ${new Date().toISOString()} by ${hostname()} ${exited}; removed when the case is closed\n`,
  );
  mkdirSync(join(casesDir, SEALING_DIR), { recursive: true });
  renameSync(dir, join(casesDir, SEALING_DIR, `${name}.open`));
  assert.equal(await sealCutOffCases(casesDir, [], cutOffHereReason), 1);
  const verified = await verifyCase(dir);
  assert.ok(verified.ok, verified.problems.join('; '));
  assert.ok(!existsSync(join(casesDir, SEALING_DIR, `${name}.open`)));
});

test('one process seals a case at a time: a seal lock held by a live process is respected, one left by a dead process is taken over', async () => {
  const casesDir = join(tmp, 'cases');
  const name = '20260314T150000Z-10c0ed';
  const dir = await openCase(name, 1);
  const exited = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(
    join(dir, PARTIAL_FILE),
    `capture in progress since ${new Date().toISOString()} by ${hostname()} ${exited}; removed when the case is closed\n`,
  );
  const lock = join(casesDir, SEALING_DIR, `${name}.lock`);
  mkdirSync(join(casesDir, SEALING_DIR), { recursive: true });
  // The parent of this test process stands for another live process sealing it.
  writeFileSync(lock, `${hostname()} ${process.ppid}\n`);
  assert.equal(await sealCutOffCases(casesDir, [name], cutOffHereReason), 0);
  assert.ok(existsSync(join(dir, PARTIAL_FILE)), 'left to the process sealing it');
  writeFileSync(lock, `${hostname()} ${exited}\n`);
  assert.equal(await sealCutOffCases(casesDir, [name], cutOffHereReason), 1);
  assert.ok(!existsSync(join(dir, PARTIAL_FILE)));
  assert.ok(!existsSync(lock), 'released');
});
