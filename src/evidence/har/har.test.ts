import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as harValidator from 'har-validator';
import { HAR_FILE } from '../../case/case-layout.js';
import { toHar, type HarEntry } from './har.js';
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

function entry(url: string): HarEntry {
  const found = toHar(written.capture).log.entries.find((e) => e.request.url === url);
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

test('a redirect keeps its body, Location as redirectURL, server IP and timings', () => {
  const e = entry('http://click.mailer.test/c/8f3a?u=alice%40example.org');
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
  assert.equal(entry('http://old.test/go').response.redirectURL, 'http://landing.test/welcome');
});

test('bodies are decoded from Content-Encoding; binary ones are base64', () => {
  const meta = entry('https://short.test/abc');
  assert.match(meta.response.content.text!, /http-equiv="refresh"/);
  assert.ok(meta.response.content.compression! > 0);
  assert.equal(meta.response.bodySize, written.capture.exchanges[1].response!.body.length);

  const favicon = entry('http://landing.test/favicon.ico');
  assert.equal(favicon.response.content.encoding, 'base64');
  assert.deepEqual(Buffer.from(favicon.response.content.text!, 'base64'), written.capture.exchanges[5].response!.body);

  const pdf = entry('http://landing.test/brochure.pdf');
  assert.equal(pdf.response._bodyTruncated, true);
  assert.equal(pdf.response.bodySize, 5_000_000);
  assert.equal(pdf.response.content.encoding, 'base64');
});

test('POST bodies, failed exchanges and undecodable bodies are represented', async () => {
  const beacon = entry('http://track.test/beacon');
  assert.equal(beacon.request.method, 'POST');
  assert.deepEqual(beacon.request.postData?.params, [
    { name: 'ev', value: 'view' },
    { name: 'id', value: '42' },
  ]);
  const failed = entry('http://ads.test/pixel.gif');
  assert.equal(failed.response.status, 0);
  assert.equal(failed._error, 'ECONNREFUSED');
  assert.equal(failed.serverIPAddress, '192.0.2.99');

  const capture = sampleCapture();
  const broken = capture.exchanges[1];
  broken.response!.body = Buffer.concat([gzipSync('x'.repeat(100)).subarray(0, 10), Buffer.from([1, 2, 3])]);
  const har = toHar(capture);
  const content = har.log.entries.find((e) => e._exchangeId === broken.id)!.response.content;
  assert.match(content.comment!, /content-encoding kept/);
  assert.deepEqual(Buffer.from(content.text!, 'base64'), broken.response!.body);
  await assertValid(har);
});
