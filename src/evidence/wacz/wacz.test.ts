import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WARCParser } from 'warcio';
import { WACZ_FILE, WARC_FILE } from '../../case/case-layout.js';
import { LANDING_URL, START_URL, writeSampleCase } from '../../../test/support/test-capture.js';
import { readZipDirectory, readZipEntry } from './zip.js';

let tmp: string;
let written: Awaited<ReturnType<typeof writeSampleCase>>;
let files: Map<string, Buffer>;

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-wacz-'));
  written = await writeSampleCase(join(tmp, 'cases'), { keyDir: null });
  const zip = readFileSync(join(written.dir, WACZ_FILE));
  files = new Map(readZipDirectory(zip).map((e) => [e.name, readZipEntry(zip, e)]));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

test('case.wacz is a zip of the WACZ 1.1.1 layout, readable by Info-ZIP too', { skip: !hasUnzip() && 'unzip not installed' }, () => {
  const path = join(written.dir, WACZ_FILE);
  execFileSync('unzip', ['-tq', path]);
  const listing = execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(listing, [
    `archive/${WARC_FILE}`,
    'datapackage-digest.json',
    'datapackage.json',
    'indexes/index.cdx',
    'pages/pages.jsonl',
  ]);
  // Stored, not deflated: replay tools read WARCs inside a WACZ by range.
  assert.match(
    execFileSync('unzip', ['-v', path], { encoding: 'utf8' }),
    new RegExp(`Stored .*archive/${WARC_FILE.replace(/\./g, '\\.')}`),
  );
  for (const [name, data] of files) assert.deepEqual(execFileSync('unzip', ['-p', path, name]), data, name);
});

test('every datapackage.json digest matches, and datapackage-digest.json matches datapackage.json', () => {
  const datapackage = JSON.parse(files.get('datapackage.json')!.toString());
  assert.equal(datapackage.wacz_version, '1.1.1');
  assert.equal(datapackage.profile, 'data-package');
  assert.equal(datapackage.mainPageUrl, START_URL);
  assert.deepEqual(datapackage.resources.map((r: { path: string }) => r.path).sort(), [
    `archive/${WARC_FILE}`,
    'indexes/index.cdx',
    'pages/pages.jsonl',
  ]);
  for (const resource of datapackage.resources) {
    const data = files.get(resource.path)!;
    assert.equal(resource.bytes, data.length, resource.path);
    assert.equal(resource.hash, sha256(data), resource.path);
  }
  assert.equal(JSON.parse(files.get('datapackage-digest.json')!.toString()).hash, sha256(files.get('datapackage.json')!));
  assert.deepEqual(files.get(`archive/${WARC_FILE}`), readFileSync(written.writer.warcPath));
});

test('the CDXJ index loads and each line points at its record in the embedded WARC', async () => {
  const warc = files.get(`archive/${WARC_FILE}`)!;
  const lines = files.get('indexes/index.cdx')!.toString().trim().split('\n');
  assert.deepEqual(lines, [...lines].sort(), 'sorted');
  const urls = new Set<string>();
  for (const line of lines) {
    const match = /^\S+ (\d{14}) (\{.*\})$/.exec(line);
    assert.ok(match, line);
    assert.match(match[1], /^202603141[12]\d{4}$/);
    const entry = JSON.parse(match[2]);
    const slice = warc.subarray(Number(entry.offset), Number(entry.offset) + Number(entry.length));
    const records = [];
    for await (const record of new WARCParser([slice])) {
      records.push({ uri: record.warcTargetURI, status: record.httpHeaders?.statusCode, digest: record.warcPayloadDigest });
      await record.readFully(false);
    }
    assert.equal(records.length, 1, line);
    assert.equal(records[0].uri, entry.url);
    if (entry.status) assert.equal(String(records[0].status), entry.status);
    if (entry.digest) assert.equal(records[0].digest, `sha256:${entry.digest}`);
    urls.add(entry.url);
  }
  for (const ex of written.capture.exchanges) if (ex.response) assert.ok(urls.has(ex.request.url), ex.request.url);
});

test('pages.jsonl lists the start URL and each page the chain rested on', () => {
  const [header, ...pages] = files
    .get('pages/pages.jsonl')!
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(header.format, 'json-pages-1.0');
  assert.deepEqual(
    pages.map((p) => p.url),
    [START_URL, LANDING_URL],
  );
  for (const page of pages) {
    assert.match(page.id, /^[0-9a-f]{32}$/);
    assert.ok(!Number.isNaN(Date.parse(page.ts)));
  }
});
