// Every command into a reader that goes away before it writes (`clicktrace ... | head`): the built
// command line as a real child process whose stdout pipe is closed at once. It ends quietly with
// SIGPIPE's status (141), nothing on stderr, and what it did before writing (a case) is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';
import { cli, CLI } from './support/cli.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const HAR = join(FIXTURES, 'import', 'chrome-redirect.har');
const MAIL = join(FIXTURES, 'mail');
const COMMANDS = ['trace', 'compare', 'mail', 'unwrap', 'demo', 'lab', 'proxy', 'analyze', 'verify', 'replay', 'import'];
const MORE_COMMANDS = ['key', 'serve', 'worker', 'reindex', 'export', 'abuse', 'report'];

const caseFolders = (dir: string) => readdirSync(dir).filter((n) => /^\d{8}T\d{6}Z-/.test(n));

/** Runs the CLI with its stdout's reader gone before it starts; its status and stderr. */
async function intoClosedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.destroy();
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

async function assertQuiet(args: string[]): Promise<void> {
  const { code, stderr } = await intoClosedReader(args);
  assert.deepEqual({ args: args.join(' '), code, stderr }, { args: args.join(' '), code: 141, stderr: '' });
}

test("--help, --version and every command's --help into a closed reader: exit 141, nothing on stderr", async () => {
  await assertQuiet(['--help']);
  await assertQuiet(['--version']);
  for (const command of [...COMMANDS, ...MORE_COMMANDS]) await assertQuiet([command, '--help']);
});

test('commands that read a case (export, analyze, verify, abuse) and the list commands (report, reindex) into a closed reader: exit 141, quiet', async () => {
  const cases = tempDir('output-closed-');
  const imported = await cli(['import', HAR, '--out', cases]);
  assert.equal(imported.code, 0, imported.stderr);
  const [id] = caseFolders(cases);
  const dir = join(cases, id);
  for (const format of ['misp', 'stix', 'csv']) await assertQuiet(['export', dir, '--format', format]);
  await assertQuiet(['analyze', dir]);
  await assertQuiet(['analyze', dir, '--json']);
  await assertQuiet(['verify', dir]);
  await assertQuiet(['verify', dir, '--json']);
  await assertQuiet(['abuse', dir, '--out', tempDir('output-closed-abuse-')]);
  await assertQuiet(['report', '--cases', cases]);
  await assertQuiet(['reindex', '--cases', cases]);
  await assertQuiet(['unwrap', 'https://nam02.safelinks.protection.outlook.com/?url=http%3A%2F%2Fshop.example%2F']);
});

test('import into a closed reader: exit 141, quiet, and its case is written whole all the same', async () => {
  const cases = tempDir('output-closed-import-');
  await assertQuiet(['import', HAR, '--out', cases]);
  const folders = caseFolders(cases);
  assert.equal(folders.length, 1);
  const verified = await cli(['verify', join(cases, folders[0])]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
});

test('mail (a mailbox, a message, --json) and trace of several lines into a closed reader: exit 141, quiet', async () => {
  await assertQuiet(['mail', '--no-visit', join(MAIL, 'three.mbox')]);
  await assertQuiet(['mail', '--no-visit', '--json', join(MAIL, 'three.mbox')]);
  // A single message's answer is written after the run stopped listening for signals: it was lost with status 0.
  await assertQuiet(['mail', '--no-visit', join(MAIL, 'seed.eml')]);
  await assertQuiet(['mail', '--no-visit', '--json', join(MAIL, 'seed.eml')]);
  // Lines that are no URLs trace nothing: the lost answer ended with status 2, as if it was read.
  await assertQuiet(['trace', '--json', '--out', tempDir('output-closed-trace-'), 'not-a-url', 'neither-this']);
});

test('proxy into a closed reader: it stops as on Ctrl-C, its case closed and verify-clean, exit 141, quiet', async () => {
  const cases = tempDir('output-closed-proxy-');
  await assertQuiet(['proxy', '--port', '0', '--out', cases]);
  const folders = caseFolders(cases);
  assert.equal(folders.length, 1);
  const verified = await cli(['verify', join(cases, folders[0])]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.doesNotMatch(verified.stdout, /partial/);
});
