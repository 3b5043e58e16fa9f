// Evidence from real traces: the WARC read back with warcio, HAR validated, digests verified,
// the report rebuilt from the WARC alone, a trace killed halfway, and the standalone proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WARCParser, type WARCRecord } from 'warcio';
import * as harValidator from 'har-validator';
import { labAndBrowser, labOptions, tempDir } from './helpers.js';
import { redirectBody } from '../src/lab/index.js';
import { CHROMIUM_ARGS } from '../src/capture/chromium-flags.js';
import { CHROMIUM_PATH } from '../src/capture/chromium-process.js';
import { trace } from '../src/capture/trace.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { verifyCase } from '../src/verify/verify.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import { loadNetworkData } from '../src/hosting/network-data.js';
import { proxyCertificateAuthority } from '../src/proxy/proxy-ca.js';
import { clicktraceHome } from '../src/home.js';
import { PARTIAL_FILE } from '../src/case/case-layout.js';

const CLI = fileURLToPath(new URL('../clicktrace.mjs', import.meta.url));
const fixture = labAndBrowser();

async function warcRecords(path: string): Promise<{ record: WARCRecord; content: Uint8Array }[]> {
  const out = [];
  for await (const record of new WARCParser(createReadStream(path)) as AsyncIterable<WARCRecord>) {
    const content = await record.readFully(false);
    out.push({ record, content });
  }
  return out;
}

test('every hop has a request/response pair in the WARC, 3xx bodies byte-exact, IP and digests', async () => {
  const { report, caseDir } = await trace(labOptions(fixture.lab, fixture.lab.scenarios['five-hop'].url), fixture.browser);
  assert.equal(report.hops.length, 5);
  const records = await warcRecords(join(caseDir, 'capture.warc.gz'));
  assert.equal(records[0].record.warcType, 'warcinfo');
  assert.equal(records[0].record.warcHeaders.protocol, 'WARC/1.1');
  const byId = new Map(records.map((r) => [r.record.warcHeader('WARC-Record-ID'), r]));
  for (const hop of report.hops) {
    const response = records.find((r) => r.record.warcType === 'response' && r.record.warcTargetURI === hop.url);
    assert.ok(response, `response record for hop ${hop.index}`);
    assert.equal(response.record.warcHeader('WARC-IP-Address'), '127.0.0.1');
    const request =
      records.find(
        (r) =>
          r.record.warcType === 'request' && r.record.warcHeader('WARC-Concurrent-To') === response.record.warcHeader('WARC-Record-ID'),
      ) ?? byId.get(response.record.warcHeader('WARC-Concurrent-To'));
    assert.ok(request && request.record.warcType === 'request', `request record for hop ${hop.index}`);
    const payload = Buffer.from(response.content);
    const digest = response.record.warcHeader('WARC-Payload-Digest')!;
    assert.equal(digest, `sha256:${createHash('sha256').update(payload).digest('hex')}`);
    if (hop.status && hop.status >= 300 && hop.status < 400) {
      const location = response.record.httpHeaders?.headers.get('location');
      assert.ok(location);
      assert.deepEqual(payload, redirectBody(location), `hop ${hop.index}: the 3xx body is kept byte-exact`);
    }
  }
  const har = JSON.parse(readFileSync(join(caseDir, 'capture.har'), 'utf8'));
  await harValidator.har(har);
  assert.ok(har.log.entries.length >= 5);
  const verified = await verifyCase(caseDir);
  assert.deepEqual(verified.problems, []);
  assert.ok(verified.checked.waczFiles > 0);
});

test('the report is the answer before the case is sealed, and the sealed case holds it and the screenshot of the resting page', async () => {
  let answer: { json: string; sealedThen: boolean; partialThen: boolean } | null = null;
  const { report, caseDir } = await trace(
    {
      ...labOptions(fixture.lab, fixture.lab.scenarios['five-hop'].url),
      onAnswer: (answered, dir) => {
        answer = {
          json: JSON.stringify(answered),
          sealedThen: existsSync(join(dir, 'manifest.json')),
          partialThen: existsSync(join(dir, PARTIAL_FILE)),
        };
      },
    },
    fixture.browser,
  );
  assert.ok(answer, 'the answer came');
  const { json, sealedThen, partialThen } = answer as { json: string; sealedThen: boolean; partialThen: boolean };
  assert.equal(sealedThen, false, 'answered before the case was sealed');
  assert.equal(partialThen, true);
  assert.equal(json, JSON.stringify(report), 'the answer is the report the case was sealed with');
  const saved = readFileSync(join(caseDir, 'report.json'), 'utf8');
  assert.deepEqual(JSON.parse(saved), JSON.parse(json));
  const last = report.pages.at(-1)!;
  assert.ok(last.screenshot, 'the resting page has its screenshot');
  const png = readFileSync(join(caseDir, last.screenshot));
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  const records = await warcRecords(join(caseDir, 'capture.warc.gz'));
  assert.ok(records.some((r) => r.record.warcType === 'resource' && r.content.length === png.length && Buffer.from(r.content).equals(png)));
  assert.deepEqual((await verifyCase(caseDir)).problems, []);
});

test('analyze rebuilds report.json from the WARC alone', async () => {
  const cases: string[] = [];
  for (const [name, clicks] of [
    ['seed', ['Find out more']],
    ['download', []],
    ['popup', ['Claim your prize']],
  ] as const) {
    const { caseDir } = await trace(labOptions(fixture.lab, fixture.lab.scenarios[name].url, { clicks: [...clicks] }), fixture.browser);
    cases.push(caseDir);
    const saved = JSON.parse(readFileSync(join(caseDir, 'report.json'), 'utf8'));
    const rebuilt = JSON.parse(JSON.stringify(analyzeCapture(await readCapture(caseDir), caseDir, await loadNetworkData())));
    assert.deepEqual(rebuilt, saved, name);
  }
  // The command line's check, on the seed's case (a click and a redirect).
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'analyze', cases[0], '--check']);
  assert.match(stdout, /matches/);
});

test('a trace killed with SIGKILL halfway leaves a WARC that reads cleanly', async () => {
  const out = tempDir('kill-');
  const child = spawn(process.execPath, [CLI, 'trace', fixture.lab.scenarios['chain-25'].url, '--out', out, ...fixture.lab.traceArgs], {
    stdio: 'ignore',
  });
  const started = Date.now();
  // Kill once a few exchanges are on disk.
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    // The cases folder also holds its index (clicktrace.db): the case is the timestamped folder.
    const [name] = existsSync(out) ? readdirSync(out).filter((n) => /^\d{8}T/.test(n)) : [];
    const warc = name ? join(out, name, 'capture.warc.gz') : null;
    if (warc && existsSync(warc) && statSync(warc).size > 6000) break;
    if (Date.now() - started > 20_000) break;
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const [name] = readdirSync(out).filter((n) => /^\d{8}T/.test(n));
  const caseDir = join(out, name);
  assert.ok(existsSync(join(caseDir, 'PARTIAL')), 'the case is marked partial');
  const records = await warcRecords(join(caseDir, 'capture.warc.gz'));
  assert.ok(
    records.some((r) => r.record.warcType === 'response'),
    'complete records before the kill are readable',
  );
  const capture = await readCapture(caseDir);
  assert.equal(capture.info.partial, true);
  assert.ok(capture.exchanges.length >= 1);
  const report = analyzeCapture(capture, caseDir);
  assert.equal(report.partial, true);
});

test('clicktrace proxy records Chromium and curl (plain and HTTPS) into one case', async () => {
  const out = tempDir('proxy-');
  const child = spawn(process.execPath, [CLI, 'proxy', '--port', '0', '--out', out, ...fixture.lab.traceArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  // Decoded as a stream: a chunk boundary may fall inside a multi-byte character.
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (stdout += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start: ${stdout}`)), 15_000);
    child.stdout.on('data', () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const run = promisify(execFile);
  const proxyCa = join(clicktraceHome(), 'ca', 'ca.pem');
  proxyCertificateAuthority();
  const plain = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-x',
    `http://127.0.0.1:${port}`,
    fixture.lab.scenarios['http-302'].url,
  ]);
  assert.equal(plain.stdout, '302');
  const secure = await run('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '--cacert',
    proxyCa,
    '-x',
    `http://127.0.0.1:${port}`,
    fixture.lab.scenarios['http-302'].finalUrl!,
  ]);
  assert.equal(secure.stdout, '200');
  const info = await run('curl', ['-s', '-x', `http://127.0.0.1:${port}`, 'http://clicktrace.proxy/ca.pem']);
  assert.match(info.stdout, /BEGIN CERTIFICATE/);
  const { chromium } = await import('playwright-core');
  const other = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    proxy: { server: `http://127.0.0.1:${port}` },
  });
  const page = await other.newPage({ ignoreHTTPSErrors: true });
  await page.goto(fixture.lab.scenarios['five-hop'].url);
  await page.waitForURL(fixture.lab.scenarios['five-hop'].finalUrl!);
  await other.close();
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0);
  const [name] = readdirSync(out).filter((n) => /^\d{8}T/.test(n));
  const caseDir = join(out, name);
  assert.ok(existsSync(join(caseDir, 'manifest.json')) && existsSync(join(caseDir, 'case.wacz')));
  const capture = await readCapture(caseDir);
  const urls = capture.exchanges.map((x) => x.request.url);
  for (const url of [
    fixture.lab.scenarios['http-302'].url,
    fixture.lab.scenarios['http-302'].finalUrl!,
    fixture.lab.scenarios['five-hop'].finalUrl!,
  ]) {
    assert.ok(urls.includes(url), `${url} recorded`);
  }
  const https = capture.exchanges.find((x) => x.request.url.startsWith('https:'))!;
  assert.equal(https.remoteAddress, '127.0.0.1');
  assert.ok(https.tls?.chain.length);
  assert.deepEqual((await verifyCase(caseDir)).problems, []);
});
