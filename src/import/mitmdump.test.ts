// Flow and HAR files produced during the test by Debian's mitmdump, recording curl through it.
// One mitmdump run: an HTTP 302 -> 200 chain, a gzip body, an HTTPS 302 -> 200 chain, a refused
// connection; then the flow file, mitmproxy's HAR of the same run, and the Chrome-shaped fixture
// are imported and compared.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Capture } from '../model.js';
import { createCertificateAuthority, CertificateIssuer } from '../tls/certs.js';
import { importHar } from './har.js';
import { chainOf } from '../../test/support/import-test-helpers.js';
import { importMitmproxyFlows } from './mitmproxy.js';
import { projectPath } from '../project-root.js';

const HAR_DUMP_ADDON = '/usr/share/doc/mitmproxy/examples/contrib/har_dump.py';
const REDIRECT_BODY = 'redirect body: <a href="/final">moved</a>\n';
const FINAL_BODY = '<!doctype html><html><head><title>Final</title></head><body>arrived</body></html>';
const GZIP_BODY = gzipSync('compressed text, kept compressed in the flow');

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'clicktrace-mitmdump-'));
const ca = createCertificateAuthority('Import Lab CA');
const leaf = new CertificateIssuer(ca).issue(['127.0.0.1']);

function labHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const send = (status: number, headers: Record<string, string>, body: Buffer | string) => {
    res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  };
  if (req.url === '/start') send(302, { Location: '/final', 'Content-Type': 'text/html; charset=utf-8', 'X-Lab-Hop': '1' }, REDIRECT_BODY);
  else if (req.url === '/final') send(200, { 'Content-Type': 'text/html; charset=utf-8' }, FINAL_BODY);
  else if (req.url === '/gz') send(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' }, GZIP_BODY);
  else send(404, { 'Content-Type': 'text/plain' }, 'no such lab page');
}

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mitmdump exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mitmdump did not listen on ${port} within ${timeoutMs} ms`);
}

const httpServer = http.createServer(labHandler);
const httpsServer = https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem }, labHandler);
let httpPort = 0;
let httpsPort = 0;
let closedPort = 0;
let flows: Capture;
let mitmHar: Capture | null = null;
const curlOutputs: string[] = [];

before(async () => {
  httpPort = await listen(httpServer);
  httpsPort = await listen(httpsServer);
  closedPort = await freePort();
  const proxyPort = await freePort();
  const withHar = existsSync(HAR_DUMP_ADDON);
  const args = ['-q', '--listen-host', '127.0.0.1', '--listen-port', String(proxyPort)];
  // A fresh confdir keeps the user's ~/.mitmproxy out of it; ssl_insecure because the lab CA is ours.
  args.push('--set', `confdir=${join(work, 'conf')}`, '--set', 'ssl_insecure=true', '-w', join(work, 'flows'));
  if (withHar) args.push('-s', HAR_DUMP_ADDON, '--set', `hardump=${join(work, 'flows.har')}`);
  const mitmdump = spawn('mitmdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  // Decoded as a stream: a chunk boundary may fall inside a multi-byte character.
  mitmdump.stderr.setEncoding('utf8');
  mitmdump.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => mitmdump.on('exit', (code) => resolve(code)));
  mitmdump.on('error', (e) => (stderr += `${e.message} (is Debian's mitmproxy installed?)`));
  try {
    // mitmdump's Python start costs a few CPU-seconds: on a machine at load 30 it took more than 15 s.
    await waitForPort(proxyPort, mitmdump, 45_000);
    const proxy = ['-s', '-x', `http://127.0.0.1:${proxyPort}`];
    for (const url of [`http://127.0.0.1:${httpPort}/start`, `http://127.0.0.1:${httpPort}/gz`, `https://127.0.0.1:${httpsPort}/start`]) {
      const { stdout } = await run('curl', [...proxy, '-k', '-L', '--compressed', url]);
      curlOutputs.push(stdout);
    }
    await run('curl', [...proxy, `http://127.0.0.1:${closedPort}/nothing`]);
  } finally {
    mitmdump.kill('SIGINT'); // mitmdump flushes the flow file and runs the HAR addon's done() on SIGINT
    const killer = setTimeout(() => mitmdump.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    if (stderr.trim()) console.log(`mitmdump stderr: ${stderr.trim()}`);
  }
  flows = importMitmproxyFlows(readFileSync(join(work, 'flows')), 'flows');
  if (withHar) mitmHar = importHar(readFileSync(join(work, 'flows.har'), 'utf8'), 'flows.har');
});

after(() => {
  httpServer.close();
  httpsServer.close();
  rmSync(work, { recursive: true, force: true });
});

test('curl went through mitmdump and got the lab pages', () => {
  assert.deepEqual(curlOutputs, [FINAL_BODY, 'compressed text, kept compressed in the flow', FINAL_BODY]);
});

test('the flow file holds every exchange in order with exact bodies, headers and addresses', () => {
  const h = `http://127.0.0.1:${httpPort}`;
  const s = `https://127.0.0.1:${httpsPort}`;
  assert.deepEqual(
    flows.exchanges.map((x) => [x.id, x.request.method, x.request.url, x.response?.status ?? null]),
    [
      ['x0001', 'GET', `${h}/start`, 302],
      ['x0002', 'GET', `${h}/final`, 200],
      ['x0003', 'GET', `${h}/gz`, 200],
      ['x0004', 'GET', `${s}/start`, 302],
      ['x0005', 'GET', `${s}/final`, 200],
      ['x0006', 'GET', `http://127.0.0.1:${closedPort}/nothing`, null],
    ],
  );
  const [start, final, gz, , , refused] = flows.exchanges;
  assert.equal(start.response!.body.toString(), REDIRECT_BODY);
  assert.deepEqual(start.response!.headers.slice(0, 4), [
    ['Location', '/final'],
    ['Content-Type', 'text/html; charset=utf-8'],
    ['X-Lab-Hop', '1'],
    ['Content-Length', String(Buffer.byteLength(REDIRECT_BODY))],
  ]);
  assert.equal(start.response!.statusText, 'Found');
  assert.equal(start.response!.httpVersion, 'HTTP/1.1');
  assert.deepEqual(
    start.request.headers.map(([n]) => n),
    ['Host', 'User-Agent', 'Accept', 'Accept-Encoding', 'Proxy-Connection'],
  );
  assert.equal(final.response!.body.toString(), FINAL_BODY);
  assert.ok(gz.response!.body.equals(GZIP_BODY), 'mitmproxy keeps the content-encoded body');
  for (const x of [start, final, gz]) {
    assert.equal(x.remoteAddress, '127.0.0.1');
    assert.equal(x.remotePort, httpPort);
    assert.equal(x.tls, null);
    assert.ok(x.timing.ttfbMs !== null && x.timing.totalMs! >= x.timing.ttfbMs);
  }
  assert.ok(start.timing.connectMs !== null && final.timing.connectMs === null, 'curl reused the connection for /final');
  assert.match(refused.error!, /Connect call failed/);
  assert.equal(refused.remoteAddress, null);
  assert.equal(flows.info.partial, false);
});

test('the HTTPS flows carry the upstream chain, SNI and TLS version', () => {
  const [, , , start, final] = flows.exchanges;
  assert.equal(final.response!.body.toString(), FINAL_BODY);
  assert.equal(start.remotePort, httpsPort);
  const tls = start.tls!;
  assert.equal(tls.servername, '127.0.0.1');
  assert.match(tls.protocol ?? '', /^TLSv1\.[23]$/);
  assert.ok(tls.cipher);
  assert.equal(tls.chain.length, 2);
  assert.equal(tls.chain[0].sha256, createHash('sha256').update(new X509Certificate(leaf.certPem).raw).digest('hex'));
  assert.deepEqual(tls.chain[0].sans, ['127.0.0.1']);
  assert.match(tls.chain[1].subject, /CN=Import Lab CA/);
  // The lab CA is in no trust store: the import says so rather than trusting mitmproxy's options.
  assert.deepEqual([tls.authorized, tls.authorizationError], [false, 'SELF_SIGNED_CERT_IN_CHAIN']);
});

// Four curl runs, nothing leading from one to the next: four chains, each its own page. The report
// follows the first (settled where it ended); the others are recorded beside it.
const FIRST_CHAIN = [
  'page',
  'request doc-1 /start',
  'request doc-1 /final after 302 /final',
  'response doc-1 200 text/html',
  'settled /final "Final"',
];
const EXPECTED_CHAIN = [
  ...FIRST_CHAIN,
  'page',
  'request doc-2 /gz',
  'response doc-2 200 text/plain',
  'page',
  'request doc-3 /start',
  'request doc-3 /final after 302 /final',
  'response doc-3 200 text/html',
];

test('the flow file yields a chain per curl run, the last ending in the refused request', () => {
  assert.deepEqual(chainOf(flows.events), [
    ...EXPECTED_CHAIN,
    'page',
    'request doc-4 /nothing',
    `failed doc-4 ${flows.exchanges[5].error}`,
  ]);
  assert.equal(flows.info.url, `http://127.0.0.1:${httpPort}/start`);
});

test("mitmproxy's HAR of the same run imports to the same chain and bodies", (t) => {
  if (!mitmHar) return t.skip(`${HAR_DUMP_ADDON} is not installed`);
  // har_dump writes flows on response only, so the refused request is not in the HAR.
  assert.deepEqual(chainOf(mitmHar.events), EXPECTED_CHAIN);
  assert.deepEqual(
    mitmHar.exchanges.map((x) => [x.request.url, x.response!.status, x.remoteAddress]),
    flows.exchanges.slice(0, 5).map((x) => [x.request.url, x.response!.status, x.remoteAddress]),
  );
  assert.equal(mitmHar.exchanges[0].response!.body.toString(), REDIRECT_BODY);
  // HAR holds the decoded body; its Content-Encoding header is dropped with the encoding.
  const gz = mitmHar.exchanges[2].response!;
  assert.equal(gz.body.toString(), 'compressed text, kept compressed in the flow');
  assert.ok(!gz.headers.some(([n]) => n.toLowerCase() === 'content-encoding'));
});

test('a Chrome DevTools HAR of the same chain imports to the same hops', () => {
  const fixture = projectPath('test/fixtures/import/chrome-redirect.har');
  const chrome = importHar(readFileSync(fixture, 'utf8'), 'chrome-redirect.har');
  assert.deepEqual(chainOf(chrome.events).slice(0, 4), FIRST_CHAIN.slice(0, 4));
});

test('a flow file cut inside its last flow keeps the complete ones', () => {
  const whole = readFileSync(join(work, 'flows'));
  const cut = importMitmproxyFlows(whole.subarray(0, whole.length - 100), 'flows');
  assert.equal(cut.exchanges.length, 5);
  assert.equal(cut.info.partial, true);
  assert.deepEqual(chainOf(cut.events), EXPECTED_CHAIN);
});
