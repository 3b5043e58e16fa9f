// `clicktrace analyze` on a case a trace left open: said to be partial (never a chain that ended
// where the writer stopped), and with --write sealed as reindex seals it once its writer is gone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseWriter } from '../src/case/case-writer.js';
import { PARTIAL_FILE, REPORT_FILE } from '../src/case/case-layout.js';
import { openCaseNote } from '../src/case/open-case.js';
import type { Report } from '../src/report.js';
import { sampleCapture } from './support/test-capture.js';
import { runCli } from './support/cli-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'clicktrace-analyze-open-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('analyze on an open case: partial with the reason; --write refused while its writer runs, then seals it once the writer is gone', async () => {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(
    join(tmp, 'cases'),
    { ...capture.info, partial: true, endedAt: null },
    { name: '20260314T120000Z-0badc0' },
  );
  for (const rec of capture.dns) writer.addDns(rec);
  // The first hop (a redirect) recorded, the trace killed before the next answer came.
  writer.addExchange(capture.exchanges[0]);
  truncateSync(writer.warcPath, writer.stats().warcBytes);
  const dir = writer.dir;
  assert.ok(/^3\d\d$/.test(String(capture.exchanges[0].response?.status)), 'the sample starts with a redirect');

  // Its writer (this process) still runs: partial, in progress; nothing written.
  let run = await runCli(['analyze', dir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  let report = JSON.parse(run.stdout) as Report;
  assert.equal(report.partial, true);
  assert.match(report.error ?? '', /^partial: the capture is still being written by process \d+ on /);
  run = await runCli(['analyze', dir, '--write']);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^clicktrace: analyze --write: .* is still being written by process \d+ on .*; it is sealed when its trace ends\n$/,
  );
  assert.ok(!existsSync(join(dir, REPORT_FILE)));

  // Its writer gone (killed): cut off, never "a redirect without a Location"; --write seals it.
  const exited = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(join(dir, PARTIAL_FILE), openCaseNote().replace(` ${process.pid};`, ` ${exited};`));
  assert.match(readFileSync(join(dir, PARTIAL_FILE), 'utf8'), new RegExp(`by ${hostname()} ${exited};`));
  const unsealed = JSON.parse((await runCli(['analyze', dir, '--json'])).stdout) as Report;
  run = await runCli(['analyze', dir]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^Error: partial: the process tracing it stopped \(killed, crashed or the machine restarted\) after 1 exchange\(s\) were recorded \(clicktrace analyze --write or reindex seals it\)$/m,
  );
  assert.doesNotMatch(run.stdout, /without a Location/);
  run = await runCli(['analyze', dir, '--write', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /sealed .*, left open by a process that is gone, as partial/);
  report = JSON.parse(run.stdout) as Report;
  assert.deepEqual(
    [report.partial, report.error],
    [
      true,
      unsealed.error!.replace(
        ' (clicktrace analyze --write or reindex seals it)',
        '; sealed from what it recorded by a later run on its cases folder',
      ),
    ],
  );
  assert.deepEqual(report.hops, unsealed.hops);
  assert.ok(!existsSync(join(dir, PARTIAL_FILE)));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, REPORT_FILE), 'utf8')), report);
  assert.equal((await runCli(['verify', dir])).code, 0);
  assert.equal((await runCli(['analyze', dir, '--check'])).code, 0);
});
