// Case bundles (src/case/case-bundle.ts) taken in by src/import/case-bundle.ts: a sealed sample
// case packs, verifies and lands whole; a changed byte, a missing file, a path outside the case,
// a symlink, a duplicate name or an untrusted signature is refused and leaves nothing behind. A case
// folder on the same file system (a server's own worker) is taken in hard-linked, with the same checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleCase } from '../../test/support/test-capture.js';
import { initSigningKey } from '../case/signing.js';
import {
  BUNDLE_HEADER_FILE,
  BundleError,
  entryProblem,
  isBundlePath,
  isCaseBundle,
  MAX_BUNDLE_BYTES,
  packCase,
  readBundleDirectory,
} from '../case/case-bundle.js';
import { ingestBundle, ingestFolder } from './case-bundle.js';
import { VerifyThread } from './verify-thread.js';
import type { StagedBundle, StagedFolder } from './unpack-verify.js';
import { readZipDirectory, readZipEntry, StoredZipWriter } from '../evidence/wacz/zip.js';
import { detectImportKind } from './detect.js';

let tmp: string;
let caseDir: string;
let caseId: string;
let bundle: Buffer;
let publicKeyPem: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-bundle-'));
  const keys = await initSigningKey(join(tmp, 'keys'));
  publicKeyPem = keys.publicKeyPem;
  const written = await writeSampleCase(join(tmp, 'worker'), { keyDir: join(tmp, 'keys') });
  caseDir = written.dir;
  caseId = written.writer.name;
  const path = join(tmp, `${caseId}.case.zip`);
  packCase(caseDir, path);
  bundle = readFileSync(path);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

const casesDir = () => mkdtempSync(join(tmp, 'cases-'));

/** The bundle's files as a map, to change and pack again with valid CRCs (a tamperer's bundle). */
function entries(buf: Buffer): Map<string, Buffer> {
  return new Map(readZipDirectory(buf).map((e) => [e.name, readZipEntry(buf, e)]));
}

function repack(files: Map<string, Buffer>): Buffer {
  const path = join(tmp, `repacked-${Math.random().toString(16).slice(2)}.zip`);
  const zip = new StoredZipWriter(path);
  for (const [name, data] of files) zip.addBuffer(name, data);
  zip.finish();
  return readFileSync(path);
}

function withHeaderCount(files: Map<string, Buffer>): Map<string, Buffer> {
  const header = JSON.parse(files.get(BUNDLE_HEADER_FILE)!.toString('utf8')) as { files: number };
  header.files = files.size - 1;
  files.set(BUNDLE_HEADER_FILE, Buffer.from(JSON.stringify(header)));
  return files;
}

/** The bundle with one entry's central directory record saying: made on Unix, this file mode (as Info-ZIP writes a symlink). */
function withUnixMode(buf: Buffer, name: string, mode: number): Buffer {
  const out = Buffer.from(buf);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  for (let at = out.readUInt32LE(eocd + 16); at < eocd;) {
    const nameLength = out.readUInt16LE(at + 28);
    if (out.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      out.writeUInt8(3, at + 5);
      out.writeUInt32LE((mode << 16) >>> 0, at + 38);
      return out;
    }
    at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  throw new Error(`${name} not in the bundle`);
}

async function assertRefused(buf: Buffer, pattern: RegExp, options = {}): Promise<void> {
  const dir = casesDir();
  await assert.rejects(ingestBundle(buf, dir, options), (err: Error) => {
    assert.ok(err instanceof BundleError, `a BundleError, got ${err.message}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
  assert.deepEqual(readdirSync(dir), [], 'nothing of a refused bundle is kept (no case, no staging folder)');
}

test('a sealed case packs into a bundle that import detects, and is taken in whole, verify-clean and idempotent', async () => {
  assert.ok(isCaseBundle(bundle));
  assert.equal(detectImportKind(bundle), 'case-bundle');
  const { header, entries: files } = readBundleDirectory(bundle);
  assert.equal(header.case, caseId);
  assert.ok(files.some((e) => e.name === 'manifest.json') && files.some((e) => e.name === 'manifest.sig'));
  assert.ok(files.some((e) => e.name.startsWith('screenshots/')));

  const dir = casesDir();
  const first = await ingestBundle(bundle, dir, { trustedKeys: [publicKeyPem], expectCase: caseId });
  assert.equal(first.kind, 'ingested');
  assert.equal(first.kind === 'ingested' && first.verify.checked.signature, 'valid');
  assert.deepEqual(readdirSync(dir), [caseId], 'only the case folder, no staging left');
  for (const name of ['capture.warc.gz', 'manifest.json', 'report.json', 'case.wacz'])
    assert.ok(readFileSync(join(dir, caseId, name)).equals(readFileSync(join(caseDir, name))), name);
  const again = await ingestBundle(bundle, dir);
  assert.equal(again.kind, 'already', 'the same case again changes nothing');
});

test('a changed byte is refused: by the CRC in the ZIP, or by the digests when the tamperer fixed the CRC', async () => {
  const flipped = Buffer.from(bundle);
  const warc = readZipDirectory(bundle).find((e) => e.name === 'capture.warc.gz')!;
  flipped[warc.localHeaderOffset + 30 + warc.name.length + 100] ^= 0x01;
  await assertRefused(flipped, /damaged entry capture\.warc\.gz: CRC-32 mismatch/);

  const files = entries(bundle);
  const report = files.get('report.json')!;
  files.set('report.json', Buffer.concat([report.subarray(0, 20), Buffer.from(report[20] === 0x20 ? '\t' : ' '), report.subarray(21)]));
  await assertRefused(repack(files), new RegExp(`case ${caseId} does not verify: report\\.json: SHA-256 differs from manifest\\.json`));
});

test('a missing file, an extra file and an unexpected case id are refused', async () => {
  const missing = entries(bundle);
  missing.delete('capture.har');
  await assertRefused(repack(withHeaderCount(missing)), /capture\.har: missing/);

  const extra = entries(bundle);
  extra.set('notes.txt', Buffer.from('added later'));
  await assertRefused(repack(withHeaderCount(extra)), /notes\.txt: not listed in manifest\.json/);

  const announced = entries(bundle);
  announced.delete('capture.har');
  await assertRefused(repack(announced), /announces \d+ files, the bundle holds/);

  await assertRefused(bundle, /holds case .* not 20990101T000000Z-abcdef/, { expectCase: '20990101T000000Z-abcdef' });
});

test('paths outside the case, symlinks, directories, duplicates and PARTIAL are refused before anything is written', async () => {
  for (const name of ['../escape.txt', '/etc/passwd', 'dom/../../x', 'a\\b', 'C:/x', 'dom//x', './report.json', 'screenshots/']) {
    const files = entries(bundle);
    files.set(name, Buffer.from('x'));
    await assertRefused(repack(withHeaderCount(files)), /a path outside the case/);
  }
  assert.equal(isBundlePath('screenshots/01-landing.test.png'), true);

  // A symlink entry as Info-ZIP writes one: made by Unix (3), mode S_IFLNK in the external attributes.
  assert.equal(entryProblem({ name: 'dom/01.html', flags: 0, madeBy: 3, externalAttributes: (0o120777 << 16) >>> 0 }), 'a symlink');
  assert.equal(entryProblem({ name: 'dom/01.html', flags: 0, madeBy: 3, externalAttributes: (0o100644 << 16) >>> 0 }), null);
  assert.equal(entryProblem({ name: 'dom/01.html', flags: 1, madeBy: 0, externalAttributes: 0 }), 'an encrypted entry');
  const symlinked = withUnixMode(bundle, readZipDirectory(bundle).find((e) => e.name.startsWith('dom/'))!.name, 0o120777);
  await assertRefused(symlinked, /a symlink/);

  const twice = entries(bundle);
  twice.set('REPORT.json', twice.get('report.json')!);
  await assertRefused(repack(withHeaderCount(twice)), /is in the bundle twice/);

  const partial = entries(bundle);
  partial.set('PARTIAL', Buffer.from('open'));
  await assertRefused(repack(withHeaderCount(partial)), /PARTIAL: the case was never closed/);

  await assertRefused(Buffer.from('PK\x03\x04 not really a zip'), /not a case bundle/);
});

test('with trusted keys, a case signed by another key, or unsigned, is refused', async () => {
  const other = await initSigningKey(join(tmp, 'other-keys'));
  await assertRefused(bundle, /signing-key\.pub\.pem: is not the public key given/, { trustedKeys: [other.publicKeyPem] });
  const unsigned = await writeSampleCase(join(tmp, 'unsigned'), { keyDir: null });
  const path = join(tmp, 'unsigned.case.zip');
  packCase(unsigned.dir, path);
  await assertRefused(readFileSync(path), /manifest\.sig: missing: the case is not signed/, { trustedKeys: [publicKeyPem] });
});

test('packing refuses an open case and a symlink inside the folder', () => {
  const open = join(tmp, 'open', '20260101T000000Z-aaaaaa');
  mkdirSync(open, { recursive: true });
  writeFileSync(join(open, 'PARTIAL'), 'x');
  writeFileSync(join(open, 'manifest.json'), '{}');
  assert.throws(() => packCase(open, join(tmp, 'open.zip')), /still open/);
  const linked = join(tmp, 'linked', '20260101T000000Z-bbbbbb');
  mkdirSync(linked, { recursive: true });
  writeFileSync(join(linked, 'manifest.json'), '{}');
  symlinkSync('/etc/passwd', join(linked, 'report.json'));
  assert.throws(() => packCase(linked, join(tmp, 'linked.zip')), /report\.json is a symlink/);
  assert.ok(!existsSync(join(tmp, 'linked.zip')));
});

test('packing refuses a case larger than a bundle may hold before writing it (a worker sent it again and again, refused with 413)', () => {
  const big = join(tmp, 'big', caseId);
  cpSync(caseDir, big, { recursive: true });
  // Sparse: nothing of it is written to disk, and nothing is read before the refusal.
  writeFileSync(join(big, 'screenshots-big.bin'), '');
  truncateSync(join(big, 'screenshots-big.bin'), MAX_BUNDLE_BYTES);
  const out = join(tmp, 'big.case.zip');
  assert.throws(
    () => packCase(big, out),
    (err: Error) => err instanceof BundleError && /more than the \d+ a bundle may hold/.test(err.message),
  );
  assert.deepEqual(
    readdirSync(tmp).filter((n) => n.includes('big.case.zip')),
    [],
    'nothing written',
  );
});

test("a server's verification thread takes in the same case, and refuses a tampered one with the same one-line error", async () => {
  const thread = new VerifyThread();
  try {
    const check = (staged: StagedBundle) => thread.run(staged);
    const dir = casesDir();
    const taken = await ingestBundle(bundle, dir, { trustedKeys: [publicKeyPem], expectCase: caseId, check });
    assert.equal(taken.kind, 'ingested');
    assert.equal(taken.kind === 'ingested' && taken.verify.checked.signature, 'valid');
    assert.deepEqual(readdirSync(dir), [caseId]);

    const files = entries(bundle);
    const report = files.get('report.json')!;
    files.set('report.json', Buffer.concat([report.subarray(0, 20), Buffer.from(report[20] === 0x20 ? '\t' : ' '), report.subarray(21)]));
    await assertRefused(repack(files), /does not verify: report\.json: SHA-256 differs from manifest\.json/, { check });
    const flipped = Buffer.from(bundle);
    const warc = readZipDirectory(bundle).find((e) => e.name === 'capture.warc.gz')!;
    flipped[warc.localHeaderOffset + 30 + warc.name.length + 100] ^= 0x01;
    await assertRefused(flipped, /damaged entry capture\.warc\.gz: CRC-32 mismatch/, { check });
  } finally {
    await thread.close();
  }
});

/** The nice value of each thread of this process (Linux: /proc/self/task/N/stat, field 19). */
function threadNiceValues(): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/** A copy of the sealed sample case (its own files, to change or to link). */
function folderCopy(): string {
  const dir = join(mkdtempSync(join(tmp, 'spool-')), caseId);
  cpSync(caseDir, dir, { recursive: true });
  return dir;
}

test('a case folder on the same file system is taken in hard-linked (no byte copied), verified in the thread, idempotent; the folder stays', async () => {
  const thread = new VerifyThread();
  try {
    const check = (staged: StagedFolder) => thread.run(staged);
    const niceBefore = threadNiceValues();
    const folder = folderCopy();
    const dir = casesDir();
    const taken = await ingestFolder(folder, dir, { trustedKeys: [publicKeyPem], expectCase: caseId, check });
    assert.equal(taken?.kind, 'ingested');
    assert.equal(taken?.kind === 'ingested' && taken.verify.checked.signature, 'valid');
    assert.deepEqual(readdirSync(dir), [caseId], 'only the case folder, no staging left');
    for (const name of ['capture.warc.gz', 'manifest.json', 'report.json', 'case.wacz']) {
      assert.equal(statSync(join(dir, caseId, name)).ino, statSync(join(folder, name)).ino, `${name} is the same file, linked`);
      assert.ok(readFileSync(join(dir, caseId, name)).equals(readFileSync(join(caseDir, name))), name);
    }
    assert.ok(existsSync(join(folder, 'manifest.json')), "the sender's folder is left for the sender to remove");
    if (process.platform === 'linux')
      assert.equal(
        threadNiceValues().filter((n) => n === 10).length,
        niceBefore.filter((n) => n === 10).length + 1,
        'the verification thread runs at nice 10, below the traces',
      );
    rmSync(folder, { recursive: true });
    assert.equal((await ingestBundle(bundle, dir)).kind, 'already', 'the same case again, as a bundle');
    const copy = folderCopy();
    assert.equal((await ingestFolder(copy, dir, { check }))?.kind, 'already', 'the same case again, as a folder');
  } finally {
    await thread.close();
  }
});

test('a case folder is refused, nothing kept, as its bundle would be: a changed byte, an extra file, PARTIAL, a symlink, another case id', async () => {
  const refusedFolder = async (folder: string, pattern: RegExp, options = {}) => {
    const dir = casesDir();
    await assert.rejects(ingestFolder(folder, dir, options), (err: Error) => {
      assert.ok(err instanceof BundleError, `a BundleError, got ${err.message}`);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
    assert.deepEqual(readdirSync(dir), [], 'nothing of a refused case is kept (no case, no staging folder)');
  };
  const changed = folderCopy();
  const report = readFileSync(join(changed, 'report.json'));
  report[20] = report[20] === 0x20 ? 0x09 : 0x20;
  writeFileSync(join(changed, 'report.json'), report);
  await refusedFolder(changed, new RegExp(`case ${caseId} does not verify: report\\.json: SHA-256 differs from manifest\\.json`));

  const extra = folderCopy();
  writeFileSync(join(extra, 'notes.txt'), 'added later');
  await refusedFolder(extra, /notes\.txt: not listed in manifest\.json/);

  const open = folderCopy();
  writeFileSync(join(open, 'PARTIAL'), 'open');
  await refusedFolder(open, /still open/);

  const linked = folderCopy();
  rmSync(join(linked, 'capture.har'));
  symlinkSync('/etc/passwd', join(linked, 'capture.har'));
  await refusedFolder(linked, /capture\.har is a symlink/);

  await refusedFolder(folderCopy(), /holds case .* not 20990101T000000Z-abcdef/, { expectCase: '20990101T000000Z-abcdef' });
  const other = await initSigningKey(join(tmp, 'other-folder-keys'));
  await refusedFolder(folderCopy(), /signing-key\.pub\.pem: is not the public key given/, { trustedKeys: [other.publicKeyPem] });
});

test('a case folder on another file system than the cases folder is not taken in (null, nothing kept): it goes as a bundle', async (t) => {
  const shm = '/dev/shm';
  if (!existsSync(shm) || statSync(shm).dev === statSync(tmp).dev) return t.skip(`no second file system at ${shm}`);
  const elsewhere = mkdtempSync(join(shm, 'clicktrace-spool-'));
  try {
    const folder = join(elsewhere, caseId);
    cpSync(caseDir, folder, { recursive: true });
    const dir = casesDir();
    assert.equal(await ingestFolder(folder, dir), null);
    assert.deepEqual(readdirSync(dir), [], 'no case, no staging folder');
    assert.ok(existsSync(join(folder, 'manifest.json')));
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
