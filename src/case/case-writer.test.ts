import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DnsRecord } from '../model.js';
import { CDXIndexer, WARCParser, type WARCRecord } from 'warcio';
import { HAR_FILE, MANIFEST_FILE, PARTIAL_FILE, REPORT_FILE, WACZ_FILE, WARC_FILE, snapshotPaths } from './case-layout.js';
import { CaseWriter } from './case-writer.js';
import { makeProcessFolder, removeAbandonedProcessFolders } from './process-folders.js';
import { hostname } from 'node:os';
import { EvidenceError } from '../evidence/errors.js';
import { parseManifest } from './manifest.js';
import { readCapture } from '../evidence/warc/read-warc.js';
import { MOVED_BODY, REDIRECT_BODY, sampleCapture, sampleReport, writeSampleCase } from '../../test/support/test-capture.js';
import { WACZ_INDEX_PATH } from '../evidence/wacz/wacz.js';
import { readZipDirectory, readZipEntry } from '../evidence/wacz/zip.js';

let tmp: string;
let written: Awaited<ReturnType<typeof writeSampleCase>>;

interface ParsedRecord {
  type: string;
  id: string;
  target: string | null;
  ip: string | null;
  concurrentTo: string[];
  refersTo: string | null;
  payloadDigest: string | null;
  payload: Uint8Array;
  status: number | null;
}

async function parseWithWarcio(path: string): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const record of new WARCParser(createReadStream(path)) as AsyncIterable<WARCRecord>) {
    const payload = await record.readFully(false);
    records.push({
      type: record.warcType,
      id: record.warcHeader('WARC-Record-ID')!,
      target: record.warcTargetURI ?? null,
      ip: record.warcHeader('WARC-IP-Address') ?? null,
      concurrentTo: record.warcConcurrentTo ?? [],
      refersTo: record.warcHeader('WARC-Refers-To') ?? null,
      payloadDigest: record.warcPayloadDigest ?? null,
      payload,
      status: record.httpHeaders && record.warcType === 'response' ? Number(record.httpHeaders.statusCode) : null,
    });
  }
  return records;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-case-writer-'));
  written = await writeSampleCase(join(tmp, 'cases'), { keyDir: null });
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('the case folder is named <UTC timestamp>-<6 hex> and holds every file, without PARTIAL', () => {
  assert.match(written.writer.name, /^20260314T120000Z-[0-9a-f]{6}$/);
  for (const name of [WARC_FILE, HAR_FILE, REPORT_FILE, WACZ_FILE, MANIFEST_FILE]) {
    assert.ok(existsSync(join(written.dir, name)), `${name} exists`);
  }
  const page = written.capture.pages[0];
  assert.deepEqual(readFileSync(join(written.dir, snapshotPaths(1, page.url).screenshot)), page.screenshot!.png);
  assert.equal(readFileSync(join(written.dir, 'dom/01.html'), 'utf8'), page.dom!.html);
  assert.ok(!existsSync(join(written.dir, PARTIAL_FILE)));
});

test('warcio reads a request and a response record for every exchange, linked and digested', async () => {
  const records = await parseWithWarcio(written.writer.warcPath);
  assert.equal(records[0].type, 'warcinfo');
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const ex of written.capture.exchanges) {
    const responses = records.filter((r) => r.type === 'response' && r.target === ex.request.url);
    const requests = records.filter((r) => r.type === 'request' && r.target === ex.request.url);
    if (!ex.response) {
      assert.equal(responses.length + requests.length, 0, `${ex.id} failed: no request/response records`);
      continue;
    }
    assert.equal(responses.length, 1, `${ex.id} response`);
    assert.equal(requests.length, 1, `${ex.id} request`);
    const [response, request] = [responses[0], requests[0]];
    assert.deepEqual(response.concurrentTo, [request.id]);
    assert.deepEqual(request.concurrentTo, [response.id]);
    assert.equal(response.ip, ex.remoteAddress);
    assert.equal(request.ip, ex.remoteAddress);
    assert.equal(response.status, ex.response.status);
    assert.deepEqual(Buffer.from(response.payload), ex.response.body, `${ex.id} body kept byte for byte`);
    for (const r of [request, response]) {
      assert.equal(r.payloadDigest, `sha256:${createHash('sha256').update(r.payload).digest('hex')}`);
      assert.ok(byId.get(r.concurrentTo[0]));
    }
  }
});

test('3xx bodies are in the WARC byte-exact', async () => {
  const records = await parseWithWarcio(written.writer.warcPath);
  const redirects = records.filter((r) => r.type === 'response' && r.status !== null && r.status >= 300 && r.status < 400);
  assert.deepEqual(
    redirects.map((r) => r.status),
    [302, 301],
  );
  assert.deepEqual(Buffer.from(redirects[0].payload), REDIRECT_BODY);
  assert.deepEqual(Buffer.from(redirects[1].payload), MOVED_BODY);
});

test('response heads keep header order, case, repeats and Latin-1 bytes', () => {
  const text = gunzipSync(readFileSync(written.writer.warcPath));
  const expected = Buffer.from(
    'HTTP/1.1 302 Found\r\nDate: Sat, 14 Mar 2026 12:00:00 GMT\r\nServer: Apache\r\n' +
      'Set-Cookie: cid=8f3a; Path=/; Expires=Sun, 14 Mar 2027 12:00:00 GMT\r\nLocation: https://short.test/abc\r\n' +
      'X-Campaign: caf\u00e9-r\u00e9sum\u00e9\r\nset-cookie: seen=1; HttpOnly; Secure\r\n',
    'latin1',
  );
  assert.ok(text.includes(expected), 'raw head as on the wire');
  assert.ok(text.includes(Buffer.concat([Buffer.from('\r\n\r\n'), REDIRECT_BODY])), 'body follows the head');
});

test('certificates, TLS info, DNS, events and pages are metadata/resource records linked by id', async () => {
  const records = await parseWithWarcio(written.writer.warcPath);
  const response = records.find((r) => r.type === 'response' && r.target === 'https://short.test/abc')!;
  const certificates = records.find((r) => r.target === 'urn:clicktrace:certificates:x0002')!;
  const tls = records.find((r) => r.target === 'urn:clicktrace:tls:x0002')!;
  for (const r of [certificates, tls]) {
    assert.equal(r.type, 'metadata');
    assert.equal(r.refersTo, response.id);
    assert.deepEqual(r.concurrentTo, [response.id]);
  }
  assert.equal(
    Buffer.from(certificates.payload)
      .toString()
      .match(/BEGIN CERTIFICATE/g)?.length,
    2,
  );
  assert.equal(JSON.parse(Buffer.from(tls.payload).toString()).tls.protocol, 'TLSv1.3');
  const failed = records.find((r) => r.target === 'urn:clicktrace:exchange:x0008')!;
  const failedBody = JSON.parse(Buffer.from(failed.payload).toString());
  assert.equal(failedBody.error, 'ECONNREFUSED');
  assert.equal(failedBody.request.method, 'GET');
  assert.equal(records.filter((r) => r.target?.startsWith('urn:clicktrace:dns:')).length, 6);
  assert.equal(records.filter((r) => r.target === 'urn:clicktrace:events').length, 3);
  const screenshot = records.find((r) => r.type === 'resource' && r.target === `urn:view:${written.capture.pages[0].url}`)!;
  assert.deepEqual(Buffer.from(screenshot.payload), written.capture.pages[0].screenshot!.png);
  const infos = records.filter((r) => r.target === 'urn:clicktrace:info').map((r) => JSON.parse(Buffer.from(r.payload).toString()));
  assert.deepEqual(
    infos.map((i) => i.final),
    [false, true],
  );
  assert.equal(records[records.length - 1].target, 'urn:clicktrace:info');
});

test('the CDXJ index written with the WARC equals what warcio indexes from it', async () => {
  const zip = readFileSync(join(written.dir, WACZ_FILE));
  const entry = readZipDirectory(zip).find((e) => e.name === WACZ_INDEX_PATH)!;
  const ours = readZipEntry(zip, entry).toString('utf8');
  const indexer = new CDXIndexer({ format: 'cdxj' });
  const lines: string[] = [];
  for await (const cdx of indexer.iterIndex([{ filename: WARC_FILE, reader: createReadStream(written.writer.warcPath) }])) {
    lines.push(indexer.serializeCDXJ(cdx));
  }
  assert.equal(ours, lines.sort().join(''));
  assert.match(ours, /__wb_method=post/, 'the POST beacon is keyed with its body, as pywb/replayweb.page look it up');
});

test('the manifest lists every file with size and SHA-256', () => {
  const manifest = parseManifest(readFileSync(join(written.dir, MANIFEST_FILE)), MANIFEST_FILE);
  assert.deepEqual(
    manifest.files.map((f) => f.path),
    [HAR_FILE, WARC_FILE, WACZ_FILE, 'dom/01.html', REPORT_FILE, 'screenshots/01-landing.test.png'].sort(),
  );
  for (const file of manifest.files) {
    const data = readFileSync(join(written.dir, file.path));
    assert.equal(file.bytes, data.length);
    assert.equal(file.sha256, createHash('sha256').update(data).digest('hex'));
  }
  assert.equal(manifest.capture.startedAt, '2026-03-14T12:00:00.000Z');
  assert.equal(manifest.capture.endedAt, '2026-03-14T12:00:01.450Z');
  assert.equal(manifest.browser?.version, '156.0.7520.0');
  assert.equal(manifest.partial, false);
  assert.deepEqual(JSON.parse(readFileSync(join(written.dir, REPORT_FILE), 'utf8')), written.report);
});

test('close twice is a no-op; adding after close is refused', async () => {
  const before = readFileSync(join(written.dir, MANIFEST_FILE));
  await written.writer.close(written.capture, written.report);
  assert.deepEqual(readFileSync(join(written.dir, MANIFEST_FILE)), before);
  assert.throws(() => written.writer.addExchange(written.capture.exchanges[0]), EvidenceError);
});

test('an open case has PARTIAL and its WARC already reads back, marked partial', async () => {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(join(tmp, 'open'), { ...capture.info, partial: true, endedAt: null }, { keyDir: null });
  writer.addExchange(capture.exchanges[0]);
  writer.addExchange(capture.exchanges[1]);
  assert.ok(existsSync(join(writer.dir, PARTIAL_FILE)));
  const back = await readCapture(writer.dir);
  assert.equal(back.info.partial, true);
  assert.deepEqual(back.exchanges, capture.exchanges.slice(0, 2));
});

test("a case folder appears with the note naming its writer, never without; a killed maker's leftover is swept", async () => {
  const out = join(tmp, 'opening');
  const capture = sampleCapture();
  const writer = await CaseWriter.create(out, { ...capture.info, partial: true, endedAt: null }, { keyDir: null });
  assert.match(readFileSync(join(writer.dir, PARTIAL_FILE), 'utf8'), new RegExp(` by \\S+ ${process.pid};`));
  assert.deepEqual(readdirSync(out), [writer.name]);
  // What a process killed between making the folder and renaming it leaves (pid 2^22+1: none runs).
  const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
  const left = join(out, `.opening-4194305@${host}-Ab12Cd`);
  mkdirSync(left);
  writeFileSync(join(left, PARTIAL_FILE), '');
  const mine = makeProcessFolder(out, 'opening');
  assert.equal(removeAbandonedProcessFolders(out, 'opening').length, 1);
  assert.deepEqual(readdirSync(out).sort(), [mine.split('/').pop(), writer.name].sort());
  // A case of a name already taken is refused, the case there untouched.
  await assert.rejects(
    CaseWriter.create(out, { ...capture.info, partial: true, endedAt: null }, { keyDir: null, name: writer.name }),
    /cannot create the case folder/,
  );
  assert.ok(existsSync(join(writer.dir, PARTIAL_FILE)));
});

test('a DNS record completed after it was added (enrichment) is written again and read back completed', async () => {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(join(tmp, 'enriched'), { ...capture.info, partial: true }, { keyDir: null });
  const plain: DnsRecord[] = capture.dns.map(({ baseDomain: _domain, baseDomainResolves: _resolves, ...rest }) => rest);
  for (const rec of plain) writer.addDns(rec);
  plain[3].baseDomain = 'old.test';
  plain[3].baseDomainResolves = false;
  capture.dns = plain;
  await writer.close(capture, sampleReport(capture, writer.name));
  const back = await readCapture(writer.dir);
  assert.deepEqual(back.dns, plain);
});

test('close() writes what the capture holds but was never added', async () => {
  const capture = sampleCapture();
  const writer = await CaseWriter.create(join(tmp, 'late'), { ...capture.info, partial: true }, { keyDir: null });
  writer.addExchange(capture.exchanges[0]);
  await writer.close(capture, sampleReport(capture, writer.name));
  assert.deepEqual(await readCapture(writer.dir), capture);
});

test('response faults are kept in the exchange record and read back', async () => {
  const capture = sampleCapture();
  const cut = capture.exchanges[1].response!;
  const message = 'connection reset after 12,345 bytes';
  cut.faults = [{ kind: 'reset', message, receivedBytes: 12_345, expectedBytes: 100_000 }];
  capture.exchanges[1].error = message;
  const writer = await CaseWriter.create(join(tmp, 'faults'), { ...capture.info, partial: true }, { keyDir: null });
  await writer.close(capture, sampleReport(capture, writer.name));
  const read = await readCapture(writer.dir);
  assert.deepEqual(read.exchanges[1].response?.faults, cut.faults);
  assert.equal(read.exchanges[1].error, message);
  assert.equal(read.exchanges[0].response?.faults, undefined);
});
