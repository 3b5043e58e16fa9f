import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WARCParser } from 'warcio';
import { PARTIAL_FILE, WARC_FILE } from './case-layout.js';
import { readCapture } from '../evidence/warc/read-warc.js';
import { sampleCapture } from '../../test/support/test-capture.js';
import { readWarcBuffer } from '../evidence/warc/warc-parse.js';

const tmp = mkdtempSync(join(tmpdir(), 'clicktrace-crash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The child runs the same way as this file: TypeScript through tsx, or compiled JavaScript. */
function childCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  const ext = self.endsWith('.ts') ? '.ts' : '.js';
  const script = fileURLToPath(new URL(`../../test/support/kill-writer${ext}`, import.meta.url));
  const loaders: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    if (/^--(import|require|loader|experimental-loader)=/.test(arg)) loaders.push(arg);
    else if (/^--(import|require|loader|experimental-loader)$/.test(arg)) loaders.push(arg, process.execArgv[++i]);
  }
  return [...loaders, script];
}

/** Starts the writer, waits for `until` on its stdout, lets it write `extraMs` more, then SIGKILLs it. */
async function killWriterAfter(until: string, extraMs: number): Promise<string> {
  const child = spawn(process.execPath, [...childCommand(), join(tmp, `run-${until}-${extraMs}`)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  // Decoded as a stream: a chunk boundary may fall inside a multi-byte character.
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(`${until}\n`)) resolve();
    });
    child.on('exit', () => reject(new Error(`writer exited early: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, extraMs));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return /^case (.*)$/m.exec(out)![1];
}

test('a writer killed with SIGKILL mid-chain leaves a partial case that reads up to its last record', async () => {
  const dir = await killWriterAfter('exchange x0005', 0);
  assert.ok(existsSync(join(dir, PARTIAL_FILE)));
  const capture = await readCapture(dir);
  assert.equal(capture.info.partial, true);
  const original = sampleCapture();
  assert.ok(capture.exchanges.length >= 5, `${capture.exchanges.length} exchanges`);
  // The child made its own certificates: compare the chains' shape, everything else exactly.
  const comparable = (exs: typeof original.exchanges) =>
    exs.map((ex) => ({ ...ex, tls: ex.tls && { ...ex.tls, chain: ex.tls.chain.map((c) => c.subject) } }));
  assert.deepEqual(comparable(capture.exchanges.slice(0, 5)), comparable(original.exchanges.slice(0, 5)));
  assert.deepEqual(capture.dns, original.dns);
});

test('a writer killed while writing records back to back leaves a WARC warcio reads to the end', async () => {
  for (const extraMs of [5, 37, 120]) {
    const dir = await killWriterAfter('looping', extraMs);
    const warc = readFileSync(join(dir, WARC_FILE));
    const read = readWarcBuffer(warc);
    assert.notEqual(read.stop?.kind, 'corrupt');
    const complete = read.stop ? read.stop.offset : warc.length;
    let count = 0;
    for await (const record of new WARCParser(createReadStream(join(dir, WARC_FILE), { end: complete - 1 }))) {
      await record.readFully(false);
      count++;
    }
    assert.equal(count, read.records.length);
    const capture = await readCapture(dir);
    assert.equal(capture.info.partial, true);
    assert.equal(capture.exchanges.length, 9);
    assert.equal(capture.pages.length, 1);
    assert.ok(capture.events.length > 0);
  }
});
