import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  HAR_FILE,
  MANIFEST_FILE,
  PARTIAL_FILE,
  PUBLIC_KEY_FILE,
  REPORT_FILE,
  SIGNATURE_FILE,
  WACZ_FILE,
  WARC_FILE,
} from '../case/case-layout.js';
import { CaseWriter } from '../case/case-writer.js';
import { defaultKeyDir, initSigningKey, PRIVATE_KEY_NAME } from '../case/signing.js';
import { REDIRECT_BODY, sampleCapture, sampleReport, writeSampleCase } from '../../test/support/test-capture.js';
import { readWarcBuffer } from '../evidence/warc/warc-parse.js';
import { WACZ_INDEX_PATH } from '../evidence/wacz/wacz.js';
import { readZipDirectory, readZipEntry, StoredZipWriter } from '../evidence/wacz/zip.js';
import { verifyCase } from './verify.js';

let tmp: string;
let keyDir: string;
let publicKeyPem: string;
let signed: Awaited<ReturnType<typeof writeSampleCase>>;
let copies = 0;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-verify-'));
  keyDir = join(tmp, 'home', 'keys');
  publicKeyPem = (await initSigningKey(keyDir)).publicKeyPem;
  signed = await writeSampleCase(join(tmp, 'cases'), { keyDir });
});

after(() => rmSync(tmp, { recursive: true, force: true }));

function copyCase(): string {
  const dir = join(tmp, `copy-${++copies}`);
  cpSync(signed.dir, dir, { recursive: true });
  return dir;
}

function flipByte(path: string, at: number): void {
  const data = readFileSync(path);
  data[at] ^= 0x01;
  writeFileSync(path, data);
}

test('initSigningKey makes an Ed25519 key pair with a private key only the owner can read', async () => {
  const stat = statSync(join(keyDir, PRIVATE_KEY_NAME));
  assert.equal(stat.mode & 0o777, 0o600);
  const again = await initSigningKey(keyDir);
  assert.equal(again.created, false);
  assert.equal(again.publicKeyPem, publicKeyPem);
  assert.match(publicKeyPem, /BEGIN PUBLIC KEY/);
});

test('a closed, signed case verifies: every file, record and WACZ entry, and the signature', async () => {
  const result = await verifyCase(signed.dir, { publicKeyPem });
  assert.deepEqual(result.problems, []);
  assert.equal(result.ok, true);
  assert.equal(result.checked.signature, 'valid');
  assert.equal(result.checked.files, 7); // WARC, HAR, report, WACZ, PNG, DOM, public key
  assert.ok(result.checked.warcRecords >= 40, String(result.checked.warcRecords));
  assert.equal(result.checked.waczFiles, 5);
  assert.equal(readFileSync(join(signed.dir, PUBLIC_KEY_FILE), 'utf8'), publicKeyPem);
});

test('one flipped byte in any kind of file is caught and the file named', async () => {
  const page = signed.capture.pages[0];
  const kinds = [
    WARC_FILE,
    HAR_FILE,
    REPORT_FILE,
    MANIFEST_FILE,
    page.screenshot!.path,
    page.dom!.path,
    WACZ_FILE,
    SIGNATURE_FILE,
    PUBLIC_KEY_FILE,
  ];
  for (const file of kinds) {
    const size = statSync(join(signed.dir, file)).size;
    for (const fraction of [0.1, 0.5, 0.9]) {
      const dir = copyCase();
      const at = Math.floor(size * fraction);
      flipByte(join(dir, file), at);
      const result = await verifyCase(dir);
      assert.equal(result.ok, false, `${file} @${at}`);
      // A changed manifest is named by the signature check, or by a hash its witnesses contradict.
      const named = (p: string) =>
        p.startsWith(`${file}: `) || (file === MANIFEST_FILE && p === 'manifest.sig: signature does not match manifest.json');
      assert.ok(result.problems.some(named), `${file} @${at} named in: ${result.problems.join(' | ')}`);
      for (const p of result.problems) assert.doesNotMatch(p, /\n/);
    }
  }
});

test('a flipped WARC byte is also traced to its record, and a WACZ byte to its entry', async () => {
  const dir = copyCase();
  flipByte(join(dir, WARC_FILE), Math.floor(statSync(join(dir, WARC_FILE)).size / 2));
  const warc = await verifyCase(dir);
  assert.ok(
    warc.problems.some((p) => /^capture\.warc\.gz: record \d+: corrupt: .*offset \d+/.test(p)),
    warc.problems.join(' | '),
  );

  const dir2 = copyCase();
  const zip = readFileSync(join(dir2, WACZ_FILE));
  const at = zip.indexOf(Buffer.from('"json-pages-1.0"'));
  flipByte(join(dir2, WACZ_FILE), at + 3);
  const wacz = await verifyCase(dir2);
  assert.ok(
    wacz.problems.some((p) => p.startsWith('case.wacz: pages/pages.jsonl')),
    wacz.problems.join(' | '),
  );
});

test("a WACZ index line pointing at another record, or inside one, is caught though the WACZ's WARC is the case's", async () => {
  const dir = copyCase();
  const path = join(dir, WACZ_FILE);
  const zip = readFileSync(path);
  const entries = readZipDirectory(zip);
  const lines = readZipEntry(
    zip,
    entries.find((e) => e.name === WACZ_INDEX_PATH)!,
  )
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ', line.indexOf(' ') + 1);
      return { key: line.slice(0, space), entry: JSON.parse(line.slice(space + 1)) as { url: string; offset: string; length: string } };
    });
  assert.ok(lines.length >= 2);
  const [first, second] = lines;
  // The first line names the second's record (a whole record, of another URL); the second points 1 byte into its record.
  first.entry = { ...first.entry, offset: second.entry.offset, length: second.entry.length };
  second.entry = { ...second.entry, offset: String(Number(second.entry.offset) + 1) };
  const writer = new StoredZipWriter(path, new Date());
  for (const entry of entries) {
    const data = readZipEntry(zip, entry);
    writer.addBuffer(
      entry.name,
      entry.name === WACZ_INDEX_PATH ? Buffer.from(lines.map((l) => `${l.key} ${JSON.stringify(l.entry)}\n`).join(''), 'utf8') : data,
    );
  }
  writer.finish();
  const result = await verifyCase(dir);
  assert.ok(
    result.problems.includes(`case.wacz: ${WACZ_INDEX_PATH}: line 1 does not point at the record of ${first.entry.url}`),
    result.problems.join(' | '),
  );
  assert.ok(
    result.problems.includes(`case.wacz: ${WACZ_INDEX_PATH}: line 2 does not point at the record of ${second.entry.url}`),
    result.problems.join(' | '),
  );
  assert.ok(!result.problems.some((p) => /line [3-9]/.test(p)), result.problems.join(' | '));
});

test('a record edited and re-compressed is caught by its digests and named', async () => {
  const dir = copyCase();
  const path = join(dir, WARC_FILE);
  const warc = readFileSync(path);
  const record = readWarcBuffer(warc).records.find((r) => r.block.includes(REDIRECT_BODY))!;
  const member = gunzipSync(warc.subarray(record.offset, record.offset + record.length));
  const edited = Buffer.from(member.toString('latin1').replace('The document has moved', 'The document has MOVED'), 'latin1');
  writeFileSync(path, Buffer.concat([warc.subarray(0, record.offset), gzipSync(edited), warc.subarray(record.offset + record.length)]));
  const result = await verifyCase(dir);
  const where = `capture.warc.gz: record ${record.index + 1} (response http://click.mailer.test/c/8f3a?u=alice%40example.org, offset ${record.offset})`;
  assert.ok(result.problems.includes(`${where}: WARC-Block-Digest does not match the record`), result.problems.join(' | '));
  assert.ok(result.problems.includes(`${where}: WARC-Payload-Digest does not match the payload`));
});

test('a case written with the default key folder ($CLICKTRACE_HOME/keys) is signed', async () => {
  const saved = process.env['CLICKTRACE_HOME'];
  process.env['CLICKTRACE_HOME'] = join(tmp, 'home');
  try {
    assert.equal(defaultKeyDir(), keyDir);
    const capture = sampleCapture();
    const writer = await CaseWriter.create(join(tmp, 'default-key'), capture.info);
    await writer.close(capture, sampleReport(capture, writer.name));
    const result = await verifyCase(writer.dir, { publicKeyPem });
    assert.equal(result.checked.signature, 'valid', result.problems.join(' | '));
  } finally {
    if (saved === undefined) delete process.env['CLICKTRACE_HOME'];
    else process.env['CLICKTRACE_HOME'] = saved;
  }
});

test('missing, added and stripped files are problems', async () => {
  const dir = copyCase();
  unlinkSync(join(dir, signed.capture.pages[0].dom!.path));
  unlinkSync(join(dir, HAR_FILE));
  writeFileSync(join(dir, 'notes.txt'), 'added later');
  const result = await verifyCase(dir);
  assert.ok(result.problems.includes('dom/01.html: missing (listed in manifest.json)'), result.problems.join(' | '));
  assert.ok(result.problems.includes('capture.har: missing'));
  assert.ok(result.problems.some((p) => p.startsWith('notes.txt: not listed in manifest.json')));

  const stripped = copyCase();
  unlinkSync(join(stripped, SIGNATURE_FILE));
  const unsignedNow = await verifyCase(stripped);
  assert.equal(unsignedNow.checked.signature, 'absent');
  assert.ok(unsignedNow.problems.some((p) => p.startsWith('manifest.sig: missing')));
});

test('the signature is checked against a given public key', async () => {
  const other = (await initSigningKey(join(tmp, 'other-keys'))).publicKeyPem;
  const result = await verifyCase(signed.dir, { publicKeyPem: other });
  assert.equal(result.checked.signature, 'invalid');
  assert.ok(result.problems.some((p) => p.startsWith('manifest.sig: ')));
  assert.ok(result.problems.some((p) => p.startsWith('signing-key.pub.pem: ')));
});

test('an unsigned case verifies with signature "absent"; with an expected key it does not', async () => {
  const unsigned = await writeSampleCase(join(tmp, 'unsigned'), { keyDir: null });
  const result = await verifyCase(unsigned.dir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checked.signature, 'absent');
  const expected = await verifyCase(unsigned.dir, { publicKeyPem });
  assert.equal(expected.ok, false);
});

test('a case that was never closed is reported as partial, with what is missing', async () => {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(join(tmp, 'open'), { ...capture.info, partial: true }, { keyDir: null });
  writer.addExchange(capture.exchanges[0]);
  const result = await verifyCase(writer.dir);
  assert.equal(result.ok, false);
  assert.ok(result.problems.some((p) => p.startsWith(`${PARTIAL_FILE}: `)));
  assert.ok(result.problems.includes('manifest.json: missing'));
  assert.equal(result.checked.warcRecords, 5);
  assert.deepEqual(await verifyCase(join(tmp, 'no-such-case')).then((r) => r.problems), [
    `${join(tmp, 'no-such-case')}: not a case folder`,
  ]);
});

test('a case whose HAR, WACZ and a screenshot file could not be written is sealed, says so, and verifies', async () => {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(join(tmp, 'failed-exports'), { ...capture.info, partial: true, endedAt: null }, { keyDir });
  // A directory where a file should go: a real write failure (EISDIR) of each exporter.
  const screenshot = capture.pages[0].screenshot!.path;
  for (const path of [HAR_FILE, WACZ_FILE, screenshot]) mkdirSync(join(writer.dir, path), { recursive: true });
  const report = sampleReport(capture, writer.name);
  await writer.close(capture, report);

  assert.deepEqual(
    report.failedFiles?.map((f) => f.path),
    [screenshot, HAR_FILE, WACZ_FILE],
  );
  for (const failed of report.failedFiles ?? []) {
    assert.match(failed.error, /EISDIR/);
    assert.ok(!failed.error.includes(writer.dir), 'reasons do not hold the case folder path');
  }
  const saved = JSON.parse(readFileSync(join(writer.dir, REPORT_FILE), 'utf8'));
  assert.deepEqual(saved.failedFiles, report.failedFiles);
  const manifest = JSON.parse(readFileSync(join(writer.dir, MANIFEST_FILE), 'utf8'));
  assert.deepEqual(manifest.failed, report.failedFiles);

  const result = await verifyCase(writer.dir);
  assert.deepEqual(result.problems, []);
  assert.equal(result.checked.signature, 'valid');
  assert.deepEqual(result.notWritten, report.failedFiles);
  // The screenshot's bytes are still in the WARC.
  assert.ok(result.checked.warcRecords > 0);
});
