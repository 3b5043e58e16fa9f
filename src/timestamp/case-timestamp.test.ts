// RFC 3161 timestamps of sealed cases against a real TSA: Debian's `openssl ts -reply` behind a
// loopback HTTP server, with a CA and TSA certificate openssl makes for the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_FILE, TIMESTAMP_FAILURE_FILE, TIMESTAMP_FILE } from '../case/case-layout.js';
import { writeSampleCase } from '../../test/support/test-capture.js';
import { deadTsaUrl, startTestTsa, tokenFor, type TestTsa } from '../../test/support/tsa-server.js';
import { verifyCase } from '../verify/verify.js';
import { messageRecord, rewriteMessageRecord, writeMessageCase } from '../mail/message-case.js';
import { analyzeMessage } from '../mail/parse.js';
import { projectPath } from '../project-root.js';
import { stampCase } from './case-timestamp.js';

let tmp: string;
let tsa: TestTsa;
let stamped: string;
let copies = 0;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-tsa-test-'));
  tsa = await startTestTsa();
  stamped = (await writeSampleCase(join(tmp, 'cases'), { keyDir: null })).dir;
  const outcome = await stampCase(stamped, { url: tsa.url, ca: tsa.caFile });
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
});

after(async () => {
  await tsa?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function copyCase(): string {
  const dir = join(tmp, `copy-${++copies}`);
  cpSync(stamped, dir, { recursive: true });
  return dir;
}

test('a timestamped case verifies and names the attested time and the TSA', async () => {
  const before = Date.now();
  const result = await verifyCase(stamped, { tsaCaFile: tsa.caFile });
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
  assert.equal(result.checked.timestamp, 'valid');
  const token = result.timestamp.token!;
  assert.ok(Math.abs(Date.parse(token.time) - before) < 5 * 60_000, `attested time ${token.time} is about now`);
  assert.match(token.signer ?? '', /CN=clicktrace test TSA/);
  assert.equal(token.imprint.algorithm, 'sha256');
  assert.equal(result.timestamp.trust, tsa.caFile);
});

test('openssl verifies the same token: manifest.tsr is a standard time-stamp response', () => {
  const out = execFileSync(
    'openssl',
    ['ts', '-verify', '-data', join(stamped, MANIFEST_FILE), '-in', join(stamped, TIMESTAMP_FILE), '-CAfile', tsa.caFile],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.match(out, /Verification: OK/);
});

test('a changed manifest fails verify: the token is over other data', async () => {
  const dir = copyCase();
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as { createdAt: string };
  manifest.createdAt = '2020-01-01T00:00:00.000Z';
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const result = await verifyCase(dir, { tsaCaFile: tsa.caFile });
  assert.equal(result.ok, false);
  assert.equal(result.checked.timestamp, 'invalid');
  assert.ok(
    result.problems.some((p) => /^manifest\.tsr: the token is over other data/.test(p)),
    result.problems.join('\n'),
  );
});

test('a token for another digest fails verify', async () => {
  const dir = copyCase();
  writeFileSync(join(dir, TIMESTAMP_FILE), await tokenFor(tsa, Buffer.from('some other manifest\n')));
  const result = await verifyCase(dir, { tsaCaFile: tsa.caFile });
  assert.equal(result.ok, false);
  assert.equal(result.checked.timestamp, 'invalid');
  assert.deepEqual(
    result.problems.filter((p) => p.startsWith('manifest.tsr')).map((p) => p.replace(/[0-9a-f]{64}/g, 'HEX')),
    ["manifest.tsr: the token is over other data: its imprint is sha256 HEX, the data's is HEX"],
  );
});

test('a token whose TSA does not chain to a trusted CA fails verify', async () => {
  const other = await startTestTsa({ name: 'another TSA' });
  try {
    // Trusting the system store only: the test CA is not in it.
    const untrusted = await verifyCase(stamped, {});
    assert.equal(untrusted.checked.timestamp, 'invalid');
    assert.ok(
      untrusted.problems.some((p) => /^manifest\.tsr: the TSA certificate is not trusted/.test(p)),
      untrusted.problems.join('\n'),
    );
    // A different CA file.
    const wrong = await verifyCase(stamped, { tsaCaFile: other.caFile });
    assert.equal(wrong.checked.timestamp, 'invalid');
  } finally {
    await other.close();
  }
});

test('a damaged token fails verify with one clear line', async () => {
  const dir = copyCase();
  const tsr = readFileSync(join(dir, TIMESTAMP_FILE));
  tsr[tsr.length - 40] ^= 0xff; // inside the signature
  writeFileSync(join(dir, TIMESTAMP_FILE), tsr);
  const result = await verifyCase(dir, { tsaCaFile: tsa.caFile });
  assert.equal(result.checked.timestamp, 'invalid');
  assert.ok(result.problems.some((p) => p.startsWith('manifest.tsr: ')));
});

test('a TSA that is down leaves a sealed case that verifies, with the failure stated', async () => {
  const dir = (await writeSampleCase(join(tmp, 'down'), { keyDir: null })).dir;
  const url = await deadTsaUrl();
  const outcome = await stampCase(dir, { url, ca: null, timeoutMs: 5000 });
  assert.equal(outcome.ok, false);
  assert.match(outcome.ok ? '' : outcome.error, /cannot reach http:\/\/127\.0\.0\.1:\d+\/tsr: ECONNREFUSED/);
  assert.ok(!existsSync(join(dir, TIMESTAMP_FILE)));
  const failure = JSON.parse(readFileSync(join(dir, TIMESTAMP_FAILURE_FILE), 'utf8')) as { tsa: string; error: string };
  assert.equal(failure.tsa, url);
  const result = await verifyCase(dir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checked.timestamp, 'absent');
  assert.match(result.timestamp.failure?.error ?? '', /ECONNREFUSED/);
});

test('a TSA that answers with something else is a failure, not a token', async () => {
  const dir = (await writeSampleCase(join(tmp, 'junk'), { keyDir: null })).dir;
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end('<html>not a TSA</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const outcome = await stampCase(dir, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, ca: null });
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.error, /not an RFC 3161 time-stamp response/);
    assert.ok(!existsSync(join(dir, TIMESTAMP_FILE)));
  } finally {
    server.close();
  }
});

test('resealing a message case drops the token of the old seal; stamping again gives a valid one', async () => {
  const raw = readFileSync(projectPath('test', 'fixtures', 'lab', 'seed-tmobile.eml'));
  const record = messageRecord(await analyzeMessage(raw, 'seed-tmobile.eml'));
  const dir = writeMessageCase(join(tmp, 'mail'), '20260915T140211Z-abcdef-mail', raw, record, { keyDir: null });
  assert.ok((await stampCase(dir, { url: tsa.url, ca: tsa.caFile })).ok);
  assert.equal((await verifyCase(dir, { tsaCaFile: tsa.caFile })).checked.timestamp, 'valid');
  record.traces.push({ link: 1, case: '20260915T140212Z-123456', final: null, error: null });
  rewriteMessageRecord(dir, record, { keyDir: null });
  assert.ok(!existsSync(join(dir, TIMESTAMP_FILE)), 'the old token is gone with the old manifest');
  assert.ok((await stampCase(dir, { url: tsa.url, ca: tsa.caFile })).ok);
  const result = await verifyCase(dir, { tsaCaFile: tsa.caFile });
  assert.deepEqual(result.problems, []);
  assert.equal(result.checked.timestamp, 'valid');
});
