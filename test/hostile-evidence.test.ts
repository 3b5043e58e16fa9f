// Hostile servers against the evidence and the recording proxy, through the command line as a
// user runs it: every trace ends within --timeout + 2 s with a sealed case that `verify` accepts,
// the right exit status, and the precise reason recorded where the evidence shows it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { runCli, type CliRun } from './support/cli.js';
import { startLab, type Lab } from '../src/lab/index.js';
import {
  NUL_BOMB_BYTES,
  NUL_BOMB_COUNT,
  NUL_BOMBS_TITLE,
  RESET_MID_BODY_SENT,
  SHORT_BODY_SENT,
  SHORT_BODY_TITLE,
  corruptGzip,
  nulBomb,
} from '../src/lab/scenarios/hostile-evidence.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import type { Exchange } from '../src/model.js';
import type { Report } from '../src/report.js';
import type { HarDocument } from '../src/evidence/har/har.js';

const TIMEOUT_S = 20;
let lab: Lab;

before(async () => {
  lab = await startLab();
  await nulBomb();
});
after(async () => {
  await lab?.close();
});

/** Traces a lab scenario with --json and checks what every hostile trace must give. */
async function traceScenario(name: string): Promise<{ run: CliRun; report: Report; caseDir: string }> {
  const out = tempDir('hostile-evidence-');
  const run = await runCli(['trace', lab.scenarios[name].url, '--json', '--timeout', String(TIMEOUT_S), '--out', out, ...lab.traceArgs], {
    measureRss: true,
  });
  assert.ok(run.code === 0 || run.code === 1, `${name}: exit ${run.code}: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as Report;
  // The trace ends within --timeout + 2 s; the process around it (starting Chromium, writing the
  // case) gets more room on a loaded machine, but never the minutes of a trace that hangs.
  assert.ok(report.elapsedMs !== null && report.elapsedMs < (TIMEOUT_S + 2) * 1000, `${name}: the trace took ${report.elapsedMs} ms`);
  assert.ok(run.ms < (TIMEOUT_S + 15) * 1000, `${name}: the command took ${run.ms} ms`);
  assert.equal(run.code, report.error ? 1 : 0, `${name}: the exit status follows the report`);
  const caseDir = join(out, report.case!);
  const verify = await runCli(['verify', caseDir]);
  assert.equal(verify.code, 0, `${name}: verify: ${verify.stdout}`);
  assert.match(verify.stdout, /^OK: /m);
  assert.ok(!existsSync(join(caseDir, 'PARTIAL')));
  return { run, report, caseDir };
}

async function exchangeOf(caseDir: string, url: string): Promise<Exchange> {
  const capture = await readCapture(caseDir);
  const exchange = capture.exchanges.find((x) => x.request.url === url);
  assert.ok(exchange, `${url} is in the WARC`);
  return exchange;
}

test('three gzip bombs of 64 MiB of NUL bytes: the case is sealed, the HAR states their size without inlining them, memory stays low', async () => {
  const { run, report, caseDir } = await traceScenario('nul-bombs');
  assert.equal(run.code, 0, `the trace ended with: ${report.error} (after ${report.elapsedMs} ms)`);
  assert.equal(report.final?.title, NUL_BOMBS_TITLE);
  assert.equal(report.failedFiles, undefined);
  const har = JSON.parse(readFileSync(join(caseDir, 'capture.har'), 'utf8')) as HarDocument;
  const bombs = har.log.entries.filter((e) => e.request.url.includes('/bomb/'));
  assert.equal(bombs.length, NUL_BOMB_COUNT);
  for (const bomb of bombs) {
    assert.equal(bomb.response.content.size, NUL_BOMB_BYTES);
    assert.equal(bomb.response.content.text, undefined);
    assert.equal(bomb.response.content._clicktrace?.notInlined, 'body-limit');
    assert.ok(bomb.response.bodySize < 1024 * 1024, 'recorded as received: still gzip');
  }
  // Before: one 1.2 GB JSON string, RangeError, 1.5 GB of memory, no case.
  if (run.maxRssKb !== null) assert.ok(run.maxRssKb < 400 * 1024, `peak RSS ${run.maxRssKb} KB`);
});

test('a redirect whose head is 40 KB (over Node’s 16 KB, within Chromium’s 256 KB) is followed', async () => {
  const scenario = lab.scenarios['big-headers'];
  const { run, report, caseDir } = await traceScenario('big-headers');
  assert.equal(run.code, 0);
  assert.deepEqual(
    report.hops.map((h) => h.via),
    scenario.expectedVias,
  );
  assert.equal(report.final?.url, scenario.finalUrl);
  const redirect = await exchangeOf(caseDir, scenario.url);
  const headBytes = redirect.response!.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  assert.ok(headBytes > 40_000, `${headBytes} bytes of head recorded`);
});

test('a Location holding raw ESC and BEL: the browser goes where it would without the proxy (%1B), the record keeps the bytes', async () => {
  const scenario = lab.scenarios['control-location'];
  const { run, report, caseDir } = await traceScenario('control-location');
  assert.equal(run.code, 0);
  assert.equal(report.final?.url, scenario.finalUrl);
  assert.match(scenario.finalUrl!, /\?q=%1B\[2J%1B\]0;pwned$/);
  const redirect = await exchangeOf(caseDir, scenario.url);
  assert.ok(
    redirect.response!.headers.some(([name, value]) => name === 'Location' && value.includes('\x1b[2J')),
    'the raw Location is in the record',
  );
});

test('a head over 256 KB ends the chain with that reason, as Chromium would', async () => {
  const { run, report } = await traceScenario('huge-headers');
  assert.equal(run.code, 1);
  assert.match(
    report.error ?? '',
    /^response head from click\.mailer-esp\.test \(127\.0\.0\.1:\d+\) is larger than 256 KB, the most Chromium accepts$/,
  );
});

test('a body shorter than its Content-Length: the page Chromium shows, and the cut recorded precisely', async () => {
  const scenario = lab.scenarios['short-body'];
  const { report, caseDir } = await traceScenario('short-body');
  assert.equal(report.final?.title, SHORT_BODY_TITLE, 'the truncated page was passed on and rendered');
  const exchange = await exchangeOf(caseDir, scenario.url);
  const expected = Number(exchange.response!.headers.find(([n]) => n === 'Content-Length')![1]);
  const reason = `connection closed after ${SHORT_BODY_SENT.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} bytes (Content-Length)`;
  assert.equal(exchange.error, reason);
  assert.deepEqual(exchange.response!.faults, [
    { kind: 'short-body', message: reason, receivedBytes: SHORT_BODY_SENT, expectedBytes: expected },
  ]);
  assert.equal(exchange.response!.body.length, SHORT_BODY_SENT);
  assert.equal(report.hops[0].error, reason);
  assert.ok(
    report.pages.some((p) => p.screenshot),
    'a screenshot of what Chromium showed',
  );
});

test('a connection reset in the middle of a body: exit 1, and the bytes it came to', async () => {
  const scenario = lab.scenarios['reset-mid-body'];
  const { run, report, caseDir } = await traceScenario('reset-mid-body');
  assert.equal(run.code, 1);
  const reason = `connection reset after ${RESET_MID_BODY_SENT.toLocaleString('en-US')} bytes`;
  assert.equal(reason, 'connection reset after 12,345 bytes');
  assert.equal(report.hops[0].error, reason);
  const exchange = await exchangeOf(caseDir, scenario.url);
  assert.equal(exchange.response?.faults?.[0]?.kind, 'reset');
  assert.equal(exchange.response?.body.length, RESET_MID_BODY_SENT);
});

test('a corrupt gzip body is passed on and recorded as received, with its fault; Chromium decides', async () => {
  const scenario = lab.scenarios['corrupt-gzip'];
  const { run, caseDir } = await traceScenario('corrupt-gzip');
  assert.equal(run.code, 1);
  const exchange = await exchangeOf(caseDir, scenario.url);
  assert.equal(exchange.error, null);
  assert.deepEqual(exchange.response?.body, corruptGzip());
  assert.equal(exchange.response?.faults?.length, 1);
  assert.equal(exchange.response.faults[0].kind, 'content-encoding');
  assert.match(exchange.response.faults[0].message, /^content-encoding gzip: corrupt data \(.+\)$/);
  const har = JSON.parse(readFileSync(join(caseDir, 'capture.har'), 'utf8')) as HarDocument;
  const entry = har.log.entries.find((e) => e.request.url === scenario.url)!;
  assert.match(entry.response.content.comment ?? '', /^content-encoding kept: content-encoding gzip: corrupt data/);
});
