import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ImportError } from './common.js';
import { detectImportKind, importCaptureFile } from './detect.js';
import { importMitmproxyFlows, readFlowFile } from './mitmproxy.js';
import { serializeTnetstring, type TnetDict } from './tnetstring.js';
import { projectPath } from '../project-root.js';

const T0 = 1_772_446_530; // 2026-03-02T10:15:30Z

/** A flow dict shaped like mitmproxy 8's get_state() (format 17), trimmed to what matters. */
function flow(
  path: string,
  opts: { status?: number | null; connId?: string; at?: number; content?: Buffer | null; version?: number } = {},
): TnetDict {
  const at = opts.at ?? T0;
  const status = opts.status === undefined ? 200 : opts.status;
  return {
    version: opts.version ?? 17,
    type: 'http',
    id: `flow-${path}`,
    error: status === null ? { msg: "[Errno 111] Connect call failed ('127.0.0.1', 9)", timestamp: at + 0.01 } : null,
    request: {
      host: 'a.test',
      port: 8080,
      method: Buffer.from('GET'),
      scheme: Buffer.from('http'),
      authority: Buffer.alloc(0),
      path: Buffer.from(path),
      http_version: Buffer.from('HTTP/1.1'),
      headers: [
        [Buffer.from('Host'), Buffer.from('a.test:8080')],
        [Buffer.from('X-Raw'), Buffer.from([0x63, 0x61, 0x66, 0xe9])],
      ],
      content: Buffer.alloc(0),
      trailers: null,
      timestamp_start: at,
      timestamp_end: at + 0.001,
    },
    response:
      status === null
        ? null
        : {
            http_version: Buffer.from('HTTP/1.1'),
            status_code: status,
            reason: Buffer.from(status === 302 ? 'Found' : 'OK'),
            headers:
              status === 302 ? [[Buffer.from('Location'), Buffer.from('/final')]] : [[Buffer.from('Content-Length'), Buffer.from('7')]],
            content: opts.content === undefined ? Buffer.from(`body of ${path}`) : opts.content,
            trailers: null,
            timestamp_start: at + 0.02,
            timestamp_end: at + 0.03,
          },
    server_conn: {
      id: opts.connId ?? 'conn-1',
      address: ['a.test', 8080],
      ip_address: status === null ? null : ['192.0.2.7', 8080],
      sni: null,
      tls_established: false,
      tls_version: null,
      timestamp_start: at + 0.002,
      timestamp_tcp_setup: at + 0.005,
      timestamp_tls_setup: null,
      certificate_list: [],
    },
  };
}

const file = (...flows: TnetDict[]) => Buffer.concat(flows.map(serializeTnetstring));

test('flows become exchanges with raw headers, bodies, addresses and timings', () => {
  const capture = importMitmproxyFlows(file(flow('/start', { status: 302 }), flow('/final', { at: T0 + 1 })), 'f.flows');
  assert.equal(capture.info.mode, 'import');
  assert.deepEqual(capture.info.tool, { name: 'mitmproxy', version: 'flow format 17' });
  assert.equal(capture.info.url, 'http://a.test:8080/start');
  assert.equal(capture.info.partial, false);
  const [start, final] = capture.exchanges;
  assert.equal(start.id, 'x0001');
  assert.equal(start.startedAt, '2026-03-02T10:15:30.000Z');
  assert.equal(start.endedAt, '2026-03-02T10:15:30.030Z');
  assert.deepEqual(start.request.headers, [
    ['Host', 'a.test:8080'],
    ['X-Raw', 'caf\u00e9'], // one char per byte, as Node's parser gives raw headers
  ]);
  assert.equal(start.response!.statusText, 'Found');
  assert.equal(start.response!.body.toString(), 'body of /start');
  assert.equal(start.remoteAddress, '192.0.2.7');
  assert.equal(start.remotePort, 8080);
  assert.equal(start.timing.ttfbMs, 20);
  assert.equal(start.timing.totalMs, 30);
  assert.equal(start.timing.connectMs, 3);
  assert.equal(final.timing.connectMs, null, 'the connection was set up for the first exchange only');
  assert.equal(start.tls, null);
  assert.deepEqual(
    capture.events.map((e) => e.type),
    ['page', 'doc-request', 'doc-request', 'doc-response', 'settled'],
  );
});

test('an upstream failure is an exchange with an error and no response', () => {
  const capture = importMitmproxyFlows(file(flow('/x', { status: null })), 'f.flows');
  const [x] = capture.exchanges;
  assert.equal(x.response, null);
  assert.equal(x.error, "[Errno 111] Connect call failed ('127.0.0.1', 9)");
  assert.equal(x.remoteAddress, null);
  assert.ok(capture.events.some((e) => e.type === 'doc-failed'));
});

test('a streamed body (content None) is marked truncated with its declared length', () => {
  const x = importMitmproxyFlows(file(flow('/big', { content: null })), 'f.flows').exchanges[0];
  assert.equal(x.response!.bodyTruncated, true);
  assert.equal(x.response!.body.length, 0);
  assert.equal(x.response!.bodyLength, 7);
});

test('flow format 19+ field names are read too', () => {
  const f = flow('/new', { version: 21 });
  const server = f.server_conn as TnetDict;
  server.peername = server.ip_address!;
  delete server.ip_address;
  delete server.tls_established;
  const x = importMitmproxyFlows(file(f), 'f.flows').exchanges[0];
  assert.equal(x.remoteAddress, '192.0.2.7');
});

test('a file truncated after N complete flows yields those N, marked partial', () => {
  const whole = file(flow('/a'), flow('/b', { at: T0 + 1 }), flow('/c', { at: T0 + 2 }));
  const cut = whole.subarray(0, whole.length - 40);
  const capture = importMitmproxyFlows(cut, 'cut.flows');
  assert.deepEqual(
    capture.exchanges.map((x) => new URL(x.request.url).pathname),
    ['/a', '/b'],
  );
  assert.equal(capture.info.partial, true);
  assert.equal(capture.info.error, 'flow file truncated after 2 complete flows');
  assert.equal(readFlowFile(cut, 'cut.flows').truncated, true);
});

test('bad flow files are an ImportError with one line naming the file', () => {
  const one = file(flow('/a'));
  const har = readFileSync(projectPath('test/fixtures/import/chrome-redirect.har'));
  const corruptSecond = Buffer.concat([one, Buffer.from('12:3:abc,3:xyz?}')]);
  const cases: [Buffer, RegExp][] = [
    [Buffer.alloc(0), /^f: empty file$/],
    [Buffer.from('\n\n'), /^f: empty file$/],
    [one.subarray(0, 100), /^f: truncated: the file ends inside its first flow \(100 bytes\)$/],
    [har, /^f: not a mitmproxy flow file: it starts with "\{" \(JSON, a HAR file\?\)$/],
    [Buffer.from('WARC/1.1\r\n'), /^f: not a mitmproxy flow file: it starts with "WARC\/" \(a WARC file\)$/],
    [Buffer.from([0x1f, 0x8b, 8, 0]), /gzip/],
    [corruptSecond, /^f: corrupt flow 2: unknown type tag 0x3f at byte \d+$/],
    [Buffer.from('5:hello,'), /^f: not a mitmproxy flow file: item 1 is not a flow/],
    [file(flow('/a', { version: 7 })), /^f: flow 1: flow format version 7 is too old/],
    [file(flow('/a', { version: 99 })), /^f: flow 1: flow format version 99 is newer than this importer knows \(10–21\)$/],
    [file({ ...flow('/a'), request: 'nope' }), /^f: flow 1: request is not a dict$/],
  ];
  for (const [buf, expected] of cases) {
    assert.throws(
      () => importMitmproxyFlows(buf, 'f'),
      (e: unknown) => e instanceof ImportError && expected.test(e.message) && !e.message.includes('\n'),
      `${buf.toString('latin1', 0, 20)} should fail with ${expected}`,
    );
  }
});

test('detectImportKind tells flow files, HAR and other files apart', () => {
  assert.equal(detectImportKind(file(flow('/a'))), 'mitmproxy');
  assert.equal(detectImportKind(Buffer.from('\uFEFF  {\n  "log": {"entries": []}}')), 'har');
  assert.equal(detectImportKind(Buffer.from('{"records": []}')), null);
  assert.equal(detectImportKind(Buffer.from('WARC/1.1\r\n')), null);
  assert.equal(detectImportKind(Buffer.alloc(0)), null);
  assert.throws(
    () => importCaptureFile(Buffer.from('hello'), 'h.txt'),
    (e: unknown) => e instanceof ImportError && /^h\.txt: neither a HAR file nor a mitmproxy flow file/.test(e.message),
  );
  assert.equal(importCaptureFile(file(flow('/a')), 'a.flows').exchanges.length, 1);
});
