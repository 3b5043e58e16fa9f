import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as harValidator from 'har-validator';
import { HAR_FILE } from '../../case/case-layout.js';
import { harDocument, writeHar, type HarEntry } from './har.js';
import { REDIRECT_BODY, sampleCapture, writeSampleCase } from '../../../test/support/test-capture.js';

let tmp: string;
let written: Awaited<ReturnType<typeof writeSampleCase>>;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'clicktrace-har-'));
  written = await writeSampleCase(join(tmp, 'cases'), { keyDir: null });
});

after(() => rmSync(tmp, { recursive: true, force: true }));

async function assertValid(har: unknown): Promise<void> {
  await harValidator.har(har).catch((err: { errors?: unknown }) => {
    assert.fail(`har-validator: ${JSON.stringify(err.errors ?? err)}`);
  });
}

async function entry(url: string): Promise<HarEntry> {
  const found = (await harDocument(written.capture)).log.entries.find((e) => e.request.url === url);
  assert.ok(found, url);
  return found;
}

test('capture.har is valid HAR 1.2 with every exchange, redirects and failures included', async () => {
  const har = JSON.parse(readFileSync(join(written.dir, HAR_FILE), 'utf8'));
  await assertValid(har);
  assert.equal(har.log.version, '1.2');
  assert.equal(har.log.entries.length, written.capture.exchanges.length);
  const starts = har.log.entries.map((e: HarEntry) => Date.parse(e.startedDateTime));
  assert.deepEqual(
    starts,
    [...starts].sort((a, b) => a - b),
  );
  assert.deepEqual(
    har.log.pages.map((p: { title: string }) => p.title),
    ['Welcome to Landing'],
  );
});

test('a redirect keeps its body, Location as redirectURL, server IP and timings', async () => {
  const e = await entry('http://click.mailer.test/c/8f3a?u=alice%40example.org');
  assert.equal(e.response.status, 302);
  assert.equal(e.response.redirectURL, 'https://short.test/abc');
  assert.equal(e.response.content.text, REDIRECT_BODY.toString('latin1'));
  assert.equal(e.response.bodySize, REDIRECT_BODY.length);
  assert.equal(e.serverIPAddress, '203.0.113.10');
  assert.deepEqual(e.timings, { blocked: -1, dns: 3, connect: 5, ssl: -1, send: 0, wait: 22, receive: 12 });
  assert.equal(e.time, 42);
  assert.deepEqual(
    e.response.cookies.map((c) => c.name),
    ['cid', 'seen'],
  );
  assert.equal(e.response.headers.find((h) => h.name === 'X-Campaign')?.value, 'caf\u00e9-r\u00e9sum\u00e9');
  assert.equal((await entry('http://old.test/go')).response.redirectURL, 'http://landing.test/welcome');
});

test('bodies are decoded from Content-Encoding; binary ones are base64', async () => {
  const meta = await entry('https://short.test/abc');
  assert.match(meta.response.content.text!, /http-equiv="refresh"/);
  assert.ok(meta.response.content.compression! > 0);
  assert.equal(meta.response.bodySize, written.capture.exchanges[1].response!.body.length);

  const favicon = await entry('http://landing.test/favicon.ico');
  assert.equal(favicon.response.content.encoding, 'base64');
  assert.deepEqual(Buffer.from(favicon.response.content.text!, 'base64'), written.capture.exchanges[5].response!.body);

  const pdf = await entry('http://landing.test/brochure.pdf');
  assert.equal(pdf.response._bodyTruncated, true);
  assert.equal(pdf.response.bodySize, 5_000_000);
  assert.equal(pdf.response.content.encoding, 'base64');
});

test('POST bodies, failed exchanges and undecodable bodies are represented', async () => {
  const beacon = await entry('http://track.test/beacon');
  assert.equal(beacon.request.method, 'POST');
  assert.deepEqual(beacon.request.postData?.params, [
    { name: 'ev', value: 'view' },
    { name: 'id', value: '42' },
  ]);
  const failed = await entry('http://ads.test/pixel.gif');
  assert.equal(failed.response.status, 0);
  assert.equal(failed._error, 'ECONNREFUSED');
  assert.equal(failed.serverIPAddress, '192.0.2.99');

  const capture = sampleCapture();
  const broken = capture.exchanges[1];
  broken.response!.body = Buffer.concat([gzipSync('x'.repeat(100)).subarray(0, 10), Buffer.from([1, 2, 3])]);
  const har = await harDocument(capture);
  const content = har.log.entries.find((e) => e._exchangeId === broken.id)!.response.content;
  assert.match(content.comment!, /content-encoding kept/);
  assert.deepEqual(Buffer.from(content.text!, 'base64'), broken.response!.body);
  await assertValid(har);
});

test('bodies over the inline limits keep their full decoded size and say why they are left out', async () => {
  const capture = sampleCapture();
  const [redirect, meta] = capture.exchanges;
  const big = meta.response!;
  big.headers = [
    ['Content-Type', 'text/plain'],
    ['Content-Encoding', 'gzip'],
  ];
  big.body = gzipSync(Buffer.alloc(3 << 20));
  big.bodyLength = big.body.length;
  const har = await harDocument(capture, { body: 1 << 20, total: 1 << 30 });
  const content = har.log.entries.find((e) => e._exchangeId === meta.id)!.response.content;
  assert.equal(content.size, 3 << 20);
  assert.equal(content.text, undefined);
  assert.equal(content.compression, (3 << 20) - big.body.length);
  assert.deepEqual(content._clicktrace, { notInlined: 'body-limit', limit: 1 << 20 });
  assert.match(content.comment!, /^not inlined: 3,145,728 bytes, over the HAR's limit of 1,048,576 bytes per body/);
  await assertValid(har);

  // Over the one-go decoding size (1 MiB) but within the inline limit: measured, then inlined whole.
  const inlined = (await harDocument(capture, { body: 4 << 20, total: 1 << 30 })).log.entries.find((e) => e._exchangeId === meta.id)!;
  assert.equal(inlined.response.content.size, 3 << 20);
  assert.equal(inlined.response.content.encoding, 'base64');
  assert.equal(Buffer.from(inlined.response.content.text!, 'base64').length, 3 << 20);

  // The limit over all bodies: the first body fits, the next no longer does.
  const tight = await harDocument(capture, { body: 1 << 20, total: REDIRECT_BODY.length + 10 });
  const [first, ...rest] = tight.log.entries;
  assert.equal(first._exchangeId, redirect.id);
  assert.equal(first.response.content.text, REDIRECT_BODY.toString('latin1'));
  const over = rest.filter((e) => e.response.content._clicktrace?.notInlined === 'total-limit');
  assert.ok(over.length > 0);
  for (const e of over) assert.ok(e.response.content.size > 0 && e.response.content.text === undefined);
});

test('text with NUL bytes is given as base64 whatever its type says', async () => {
  const capture = sampleCapture();
  const res = capture.exchanges[1].response!;
  res.headers = [['Content-Type', 'text/plain']];
  res.body = Buffer.from('before\u0000after');
  const content = (await harDocument(capture)).log.entries[1].response.content;
  assert.equal(content.encoding, 'base64');
  assert.deepEqual(Buffer.from(content.text!, 'base64'), res.body);
});

test('writeHar streams the same document harDocument builds, pretty-printed', async () => {
  const path = join(tmp, 'streamed.har');
  const result = await writeHar(path, written.capture);
  const text = readFileSync(path, 'utf8');
  assert.equal(result.bytes, Buffer.byteLength(text));
  assert.deepEqual(JSON.parse(text), await harDocument(written.capture));
  assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  const empty = sampleCapture();
  empty.exchanges = [];
  await writeHar(path, empty);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).log.entries, []);
});
