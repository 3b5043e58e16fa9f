// What a server receives through clicktrace is what Chromium sends without it, and what the case
// records: the same header lines in the same order, over HTTP and HTTPS. A raw TCP (and TLS)
// server keeps the bytes of every request head.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { CertificateIssuer, createCertificateAuthority } from '../src/tls/certs.js';
import { launchBrowser, type Browser } from '../src/capture/browser.js';
import { browserPath } from '../src/capture/chromium-process.js';
import { trace } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const HOST = 'raw.test';
const PAGE = '<!doctype html><title>raw</title><p>raw server</p>';
const ca = createCertificateAuthority('raw server test CA');
const leaf = new CertificateIssuer(ca).issue([HOST]);

/** Request heads as received, by path. */
const heads = new Map<string, string[]>();

function answer(socket: net.Socket): void {
  let buffered = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (data: Buffer) => {
    buffered = Buffer.concat([buffered, data]);
    for (let end; (end = buffered.indexOf('\r\n\r\n')) >= 0;) {
      const head = buffered.subarray(0, end + 4).toString('latin1');
      buffered = buffered.subarray(end + 4);
      const path = head.split(' ')[1] ?? '';
      heads.set(path, [...(heads.get(path) ?? []), head]);
      const status = path.startsWith('/page') ? '200 OK' : '404 Not Found';
      const body = path.startsWith('/page') ? PAGE : '';
      socket.write(`HTTP/1.1 ${status}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
  });
}

const plain = net.createServer(answer);
const secure = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, answer);
let browser: Browser;

before(async () => {
  await Promise.all([
    new Promise<void>((r) => plain.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => secure.listen(0, '127.0.0.1', r)),
    launchBrowser().then((b) => (browser = b)),
  ]);
});
after(async () => {
  await browser?.close();
  plain.close();
  secure.close();
});

/** The head Chromium sends for `url` on its own: no proxy, no clicktrace (same build, headless). */
async function bareChromium(url: string): Promise<string> {
  const path = new URL(url).pathname;
  heads.delete(path);
  await run(
    browserPath('shell'),
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--accept-lang=en-US', // so that it says Accept-Language, as clicktrace's identity does
      `--user-data-dir=${tempDir('bare-chromium-')}`,
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
      '--ignore-certificate-errors',
      '--dump-dom',
      url,
    ],
    { timeout: 60_000 },
  );
  const seen = heads.get(path);
  assert.ok(seen?.length, `bare Chromium reached ${url}`);
  return seen[0];
}

/** Header lines of a head, without its request line. */
function lines(head: string): [string, string][] {
  return head
    .split('\r\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
}

// What clicktrace sets on purpose: its browser identity (a desktop Chrome, not HeadlessChrome),
// and no zstd in Accept-Encoding (Node 20 cannot decode it, and every body must be readable).
const IDENTITY = /^(user-agent|accept-language|sec-ch-ua(-.*)?|accept-encoding)$/i;

for (const scheme of ['http', 'https'] as const) {
  test(`${scheme}: the server receives what Chromium sends without clicktrace, and the case records it`, async () => {
    const server = scheme === 'http' ? plain : secure;
    const port = (server.address() as net.AddressInfo).port;
    const url = `${scheme}://${HOST}:${port}/page-${scheme}`;

    const bare = await bareChromium(url);
    heads.delete(`/page-${scheme}`);
    const { caseDir } = await trace(
      { url, resolve: [`${HOST}:${port}:127.0.0.1`], outDir: tempDir('faithful-'), timeoutMs: 20_000 },
      browser,
    );
    const received = heads.get(`/page-${scheme}`);
    assert.equal(received?.length, 1, 'requested exactly once');

    // The recorded request is, byte for byte, the head the server received.
    const capture = await readCapture(caseDir);
    const exchange = capture.exchanges.find((x) => x.request.url === url)!;
    const recorded = `${exchange.request.method} /page-${scheme} HTTP/1.1\r\n${exchange.request.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
    assert.equal(recorded, received[0]);

    // And it is the head Chromium sends on its own: the same lines in the same order with the
    // same values, but for the identity clicktrace gives the browser (set over CDP, which also
    // places Accept-Language after User-Agent where Chromium's network stack puts it last).
    const through = lines(received[0]);
    const alone = lines(bare);
    assert.deepEqual(
      through.filter(([name]) => !IDENTITY.test(name)),
      alone.filter(([name]) => !IDENTITY.test(name)),
    );
    assert.deepEqual(
      through
        .filter(([name]) => IDENTITY.test(name))
        .map(([name]) => name.toLowerCase())
        .sort(),
      alone
        .filter(([name]) => IDENTITY.test(name))
        .map(([name]) => name.toLowerCase())
        .sort(),
    );
    assert.equal(received[0].split('\r\n')[0], bare.split('\r\n')[0]);
  });
}
