import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INTERRUPT_MODULE = fileURLToPath(new URL('./interrupt.js', import.meta.url));

// A run on a terminal that keeps redrawing its progress line on stderr, its event loop busy: the
// terminal's hang-up makes the next write fail (EIO), often before the SIGHUP is handled.
const RUN = `
import { appendFileSync } from 'node:fs';
import { endRun, onInterrupt } from ${JSON.stringify(INTERRUPT_MODULE)};
const log = (line) => appendFileSync(process.env.LOG, line + '\\n');
onInterrupt((reason) => {
  log('stop: ' + reason);
  setTimeout(() => { log('summary'); endRun(130); }, 300);
});
setInterval(() => process.stderr.write('\\r12/40 done'), 1);
setInterval(() => { const start = Date.now(); while (Date.now() - start < 40); }, 45);
log('started');
`;

/** A folder with `source` as a script and an empty log; removed after the test. */
function runFiles(t: { after: (fn: () => void) => void }, source: string): { script: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'interrupt-tty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'run.mjs');
  const log = join(dir, 'log');
  writeFileSync(script, source);
  writeFileSync(log, '');
  return { script, log };
}

/** Runs `script` on a terminal of its own (script(1); `-e`: its exit status passed on). */
function onTerminal(script: string, log: string, flags = '-qfc') {
  return spawn('script', [flags, `exec '${process.execPath}' '${script}'`, '/dev/null'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, LOG: log },
  });
}

test('its terminal hung up while it writes to it: stopped once, as by SIGHUP, and ends after its summary (no crash on EIO)', async (t) => {
  if (spawnSync('script', ['--version']).error) return t.skip('no script(1) to give the run a terminal');
  const { script, log } = runFiles(t, RUN);
  for (let round = 0; round < 3; round++) {
    writeFileSync(log, '');
    const terminal = onTerminal(script, log);
    await waitFor(
      () => readFileSync(log, 'utf8').includes('started'),
      () => 'the run to start',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    terminal.kill('SIGKILL');
    await waitFor(
      () => readFileSync(log, 'utf8').includes('summary'),
      () => `the summary (log: ${JSON.stringify(readFileSync(log, 'utf8'))})`,
    );
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(lines, ['started', 'stop: interrupted by SIGHUP', 'summary']);
  }
});

async function waitFor(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// On a terminal, after the run stopped listening (its last words still to come), a SIGHUP that
// arrives only now (a hang-up's signal is handled up to 100+ ms after its first failed write).
const LATE = `
import { appendFileSync } from 'node:fs';
import { endRun, onInterrupt } from ${JSON.stringify(INTERRUPT_MODULE)};
const log = (line) => appendFileSync(process.env.LOG, line + '\\n');
const stopListening = onInterrupt(() => log('stopped'));
stopListening();
process.kill(process.pid, 'SIGHUP');
setTimeout(() => { log('summary'); endRun(0); }, 200);
process.on('exit', () => log('exit without a signal'));
`;

test('a SIGHUP handled after the run stopped listening: its summary still written, then it ends by SIGHUP', async (t) => {
  if (spawnSync('script', ['--version']).error) return t.skip('no script(1) to give the run a terminal');
  const { script, log } = runFiles(t, LATE);
  const terminal = onTerminal(script, log, '-qfec');
  const status = await new Promise<number | null>((resolve) => terminal.on('close', resolve));
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['summary']);
  // script -e passes on the child's status: 128 + SIGHUP (1).
  assert.equal(status, 129);
});
