import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CDXIndexer, WARCParser, WARCRecord, WARCSerializer } from 'warcio';
import { HAR_FILE, WACZ_FILE, WARC_FILE } from '../../case/case-layout.js';
import { CaseWriter } from '../../case/case-writer.js';
import { EvidenceError } from '../errors.js';
import { readCapture, readCaseWarc } from './read-warc.js';
import { sampleCapture, sampleReport, writeSampleCase } from '../../../test/support/test-capture.js';
import { WACZ_INDEX_PATH } from '../wacz/wacz.js';
import { readWarcBuffer } from './warc-parse.js';
import { readZipDirectory, readZipEntry } from '../wacz/zip.js';

let tmp: string;
let written: Awaited<ReturnType<typeof writeSampleCase>>;
let warc: Buffer;
/** Start offset of each gzip member (= record) and the file length at the end. */
let boundaries: number[];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-read-warc-'));
  written = await writeSampleCase(join(tmp, 'cases'), { keyDir: null, screenshots: 2 });
  warc = readFileSync(written.writer.warcPath);
  const read = readWarcBuffer(warc);
  assert.equal(read.stop, null);
  boundaries = [...read.records.map((r) => r.offset), warc.length];
});

after(() => rmSync(tmp, { recursive: true, force: true }));

function cut(name: string, length: number): string {
  const path = join(tmp, name);
  writeFileSync(path, warc.subarray(0, length));
  return path;
}

async function rejectsOneLine(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof EvidenceError, String(err));
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    assert.doesNotMatch(err.message, /\n/);
    assert.match(err.message, pattern);
    return true;
  });
}

test('readCapture rebuilds the capture exactly: exchanges, raw heads, bodies, TLS, DNS, events, pages', async () => {
  const back = await readCapture(written.dir);
  assert.deepEqual(back, written.capture);
  assert.deepEqual(await readCapture(written.writer.warcPath), written.capture);
});

test('odd exchanges round-trip too: non-Latin-1 header, empty and space-led values, odd URL, no reason phrase', async () => {
  const capture = sampleCapture();
  const ex = capture.exchanges[2];
  ex.request.url = 'http://track.test/m?q=a b&ü=✓';
  ex.request.httpVersion = 'HTTP/1.0';
  ex.request.headers = [
    ['Host', 'track.test'],
    ['X-Empty', ''],
    ['X-Lead', '  two spaces'],
    ['X-Emoji', 'snow ☃'],
  ];
  ex.response!.statusText = '';
  ex.response!.headers.push(['X-Dup', 'a'], ['x-dup', 'b'], ['X-Dup', 'c']);
  capture.exchanges.push({ ...capture.exchanges[0], id: 'x0100', response: null, error: 'timeout', tls: null });
  const writer = await CaseWriter.create(join(tmp, 'odd'), capture.info, { keyDir: null });
  await writer.close(capture, sampleReport(capture, writer.name));
  assert.deepEqual(await readCapture(writer.dir), capture);

  const indexer = new CDXIndexer({ format: 'cdxj' });
  const lines: string[] = [];
  for await (const cdx of indexer.iterIndex([{ filename: WARC_FILE, reader: createReadStream(writer.warcPath) }])) {
    lines.push(indexer.serializeCDXJ(cdx));
  }
  const zip = readFileSync(join(writer.dir, WACZ_FILE));
  const index = readZipEntry(
    zip,
    readZipDirectory(zip).find((e) => e.name === WACZ_INDEX_PATH)!,
  ).toString();
  assert.equal(index, lines.sort().join(''));
});

test('a WARC cut at any point reads up to the last complete record and is marked partial', async () => {
  const total = boundaries.length - 1;
  // Record 1 is warcinfo, record 2 the capture info (both written in one write).
  await rejectsOneLine(
    readCapture(cut('warcinfo-only.warc.gz', boundaries[1])),
    join(tmp, 'warcinfo-only.warc.gz'),
    /no clicktrace capture info/,
  );
  for (let k = 2; k < total; k++) {
    for (const extra of [0, 1, Math.floor((boundaries[k + 1] - boundaries[k]) / 2), boundaries[k + 1] - boundaries[k] - 1]) {
      const length = boundaries[k] + extra;
      const back = await readCapture(cut('cut.warc.gz', length));
      assert.equal(back.info.partial, true, `cut at ${length}`);
      const read = await readCaseWarc(join(tmp, 'cut.warc.gz'));
      assert.equal(read.records, k, `records before the cut at ${length}`);
      assert.equal(read.truncated?.kind ?? 'clean', extra === 0 ? 'clean' : 'truncated');
      if (read.truncated) assert.equal(read.truncated.record, k + 1);
      // Whatever was rebuilt is a prefix of the original, exchange for exchange; a pair cut off
      // from its exchange metadata comes back from the standard records alone.
      for (const ex of back.exchanges) {
        if (ex.id.startsWith('warc-')) {
          const original = written.capture.exchanges.find((e) => e.request.url === ex.request.url)!;
          assert.deepEqual(ex.request.headers, original.request.headers);
          assert.deepEqual(ex.request.body, original.request.body);
          assert.deepEqual(ex.response?.headers, original.response?.headers);
          assert.deepEqual(ex.response?.body, original.response?.body);
          assert.equal(ex.remoteAddress, original.remoteAddress);
        } else
          assert.deepEqual(
            ex,
            written.capture.exchanges.find((e) => e.id === ex.id),
          );
      }
    }
  }
});

test('warcio reads a cut WARC up to its last complete record', async () => {
  const k = Math.floor(boundaries.length / 2);
  const path = cut('boundary.warc.gz', boundaries[k]);
  let count = 0;
  for await (const record of new WARCParser(createReadStream(path))) {
    await record.readFully(false);
    count++;
  }
  assert.equal(count, k);
});

test('nothing readable or a corrupt middle gives a one-line EvidenceError naming the file', async () => {
  await rejectsOneLine(readCapture(cut('empty.warc.gz', 0)), join(tmp, 'empty.warc.gz'), /empty/);
  await rejectsOneLine(readCapture(cut('head.warc.gz', 40)), join(tmp, 'head.warc.gz'), /no complete WARC record/);

  const flipped = Buffer.from(warc);
  const middle = boundaries[Math.floor(boundaries.length / 2)] + 30;
  flipped[middle] ^= 0x55;
  writeFileSync(join(tmp, 'flipped.warc.gz'), flipped);
  await rejectsOneLine(readCapture(join(tmp, 'flipped.warc.gz')), join(tmp, 'flipped.warc.gz'), /corrupt WARC .*offset \d+/);

  await rejectsOneLine(readCapture(join(written.dir, HAR_FILE)), join(written.dir, HAR_FILE), /not a WARC record/);
  await rejectsOneLine(readCapture(join(tmp, 'nope.warc.gz')), join(tmp, 'nope.warc.gz'), /not found/);
});

test('a WARC from another tool (warcio) yields its exchanges', async () => {
  const request = WARCRecord.create(
    {
      url: 'http://example.test/',
      type: 'request',
      warcVersion: 'WARC/1.1',
      statusline: 'GET / HTTP/1.1',
      httpHeaders: { Host: 'example.test' },
    },
    [],
  );
  const response = WARCRecord.create(
    {
      url: 'http://example.test/',
      type: 'response',
      warcVersion: 'WARC/1.1',
      statusline: 'HTTP/1.1 200 OK',
      httpHeaders: { 'Content-Type': 'text/plain' },
    },
    [Buffer.from('hello')],
  );
  response.warcHeaders.headers.set('WARC-Concurrent-To', request.warcHeader('WARC-Record-ID')!);
  const parts = [await WARCSerializer.serialize(response), await WARCSerializer.serialize(request)];
  const path = join(tmp, 'foreign.warc.gz');
  writeFileSync(path, Buffer.concat(parts.map((p) => gzipSync(p))));
  const capture = await readCapture(path);
  assert.equal(capture.info.mode, 'import');
  assert.equal(capture.exchanges.length, 1);
  const ex = capture.exchanges[0];
  assert.equal(ex.request.method, 'GET');
  assert.equal(ex.response?.status, 200);
  assert.equal(ex.response?.body.toString(), 'hello');
});
