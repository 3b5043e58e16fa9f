// Import of mitmproxy flow files (`mitmdump -w`): a sequence of tnetstring dicts, one per flow,
// each the flow's get_state() with a "version" (flow format; mitmproxy 8 writes 17).
//
// What mitmproxy records, checked against mitmdump 8.1.1: `content` is the raw body as received
// (Content-Encoding kept, chunked framing removed, Transfer-Encoding header still listed), headers
// are [name, value] byte pairs in wire order, times are epoch seconds, server_conn.ip_address
// (format >= 19: peername) is the address connected to, certificate_list the upstream chain in PEM
// (leaf first). CONNECT requests are not flows; a failed upstream connection is a flow with
// `error` and no response (mitmproxy's own 502 page to the client is not recorded).
import { X509Certificate } from 'node:crypto';
import type { Capture, Exchange, ExchangeResponse, HeaderLine, TlsInfo } from '../model.js';
import { synthesizeDocumentChain } from './chain.js';
import { ImportError, assembleCapture, exchangeId, importedCaptureInfo, isoFromEpochSeconds, sortByStart } from './common.js';
import { headerValue } from '../http/wire.js';
import { certInfoFromDer } from '../proxy/peer-certificates.js';
import { verifyChain } from './tls.js';
import { parseTnetstring, TnetstringError, type TnetDict, type TnetValue } from './tnetstring.js';

/** Flow format versions whose fields this importer reads: mitmproxy 6.0 (10) to 12 (21). */
export const FLOW_FORMAT_VERSIONS = { oldest: 10, newest: 21 } as const;

export interface FlowFile {
  flows: TnetDict[];
  /** The file ends inside a flow after the complete ones in `flows`. */
  truncated: boolean;
}

/** Splits a flow file into its flow dicts, telling a truncated tail apart from corruption. */
export function readFlowFile(buf: Buffer, source: string): FlowFile {
  if (buf.every((b) => b <= 0x20)) throw new ImportError(source, 'empty file');
  if (!isDigit(buf[0])) throw new ImportError(source, `not a mitmproxy flow file: it starts with ${describeStart(buf)}`);
  const flows: TnetDict[] = [];
  let offset = 0;
  while (offset < buf.length) {
    let item: { value: TnetValue; end: number };
    try {
      item = parseTnetstring(buf, offset);
    } catch (e) {
      if (!(e instanceof TnetstringError)) throw e;
      if (e.truncated && flows.length > 0) return { flows, truncated: true };
      if (e.truncated) throw new ImportError(source, `truncated: the file ends inside its first flow (${buf.length} bytes)`);
      const where = flows.length === 0 ? 'not a mitmproxy flow file' : `corrupt flow ${flows.length + 1}`;
      throw new ImportError(source, `${where}: ${e.message} at byte ${e.offset}`);
    }
    if (!isDict(item.value) || item.value.type === undefined || item.value.version === undefined) {
      throw new ImportError(source, `not a mitmproxy flow file: item ${flows.length + 1} is not a flow (no "type" and "version")`);
    }
    flows.push(item.value);
    offset = item.end;
  }
  return { flows, truncated: false };
}

export function importMitmproxyFlows(buf: Buffer, source: string): Capture {
  const file = readFlowFile(buf, source);
  const converted: { exchange: Exchange; serverConnId: string | null }[] = [];
  file.flows.forEach((flow, i) => {
    checkVersion(flow.version, i, source);
    if (flow.type !== 'http') return; // tcp/udp/dns flows have no HTTP exchange
    try {
      converted.push(httpFlowToExchange(flow));
    } catch (e) {
      if (e instanceof FlowShapeError) throw new ImportError(source, `flow ${i + 1}: ${e.message}`);
      throw e;
    }
  });

  const sorted = sortByStart(converted, (c) => c.exchange.startedAt);
  // Connection set-up belongs to the first exchange on a connection, as in HAR.
  const seenConnections = new Set<string>();
  for (const [i, { exchange, serverConnId }] of sorted.entries()) {
    exchange.id = exchangeId(i);
    if (serverConnId !== null && seenConnections.has(serverConnId)) exchange.timing.connectMs = null;
    if (serverConnId !== null) seenConnections.add(serverConnId);
  }
  const exchanges = sorted.map((c) => c.exchange);
  const events = synthesizeDocumentChain(exchanges);
  const formats = [...new Set(file.flows.map((f) => f.version as number))].join(', '); // checked by checkVersion
  const info = importedCaptureInfo({
    tool: { name: 'mitmproxy', version: `flow format ${formats}` },
    browser: null,
    url: events.find((e) => e.type === 'doc-request')?.url ?? exchanges[0]?.request.url ?? null,
    exchanges,
    partial: file.truncated,
    error: file.truncated ? `flow file truncated after ${file.flows.length} complete flows` : null,
  });
  return assembleCapture(info, exchanges, events);
}

function checkVersion(version: TnetValue, index: number, source: string): void {
  const { oldest, newest } = FLOW_FORMAT_VERSIONS;
  if (typeof version === 'number' && version >= oldest && version <= newest) return;
  const shown =
    typeof version === 'number' ? String(version) : JSON.stringify(Buffer.isBuffer(version) ? version.toString('latin1') : version);
  const why =
    typeof version === 'number' && version > newest
      ? `is newer than this importer knows (${oldest}–${newest})`
      : `is too old (${oldest}–${newest} supported; re-save it with a newer mitmproxy: mitmdump -nr OLD -w NEW)`;
  throw new ImportError(source, `flow ${index + 1}: flow format version ${shown} ${why}`);
}

class FlowShapeError extends Error {}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isDict = (v: TnetValue | undefined): v is TnetDict => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

function describeStart(buf: Buffer): string {
  const first = buf[0];
  if (first === 0x7b || first === 0x5b) return `"${String.fromCharCode(first)}" (JSON, a HAR file?)`;
  if (first === 0x1f && buf[1] === 0x8b) return 'the gzip magic (compressed? a .warc.gz?)';
  if (buf.toString('latin1', 0, 5) === 'WARC/') return '"WARC/" (a WARC file)';
  return first >= 0x20 && first < 0x7f ? `"${String.fromCharCode(first)}"` : `byte 0x${first.toString(16).padStart(2, '0')}`;
}

function dictAt(parent: TnetDict, key: string, path: string): TnetDict {
  const v = parent[key];
  if (!isDict(v)) throw new FlowShapeError(`${path}${key} is ${v === undefined ? 'missing' : 'not a dict'}`);
  return v;
}

/** Header bytes as Node's HTTP parser gives them: latin1, one char per byte. */
function textOf(v: TnetValue | undefined): string | null {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return null;
}

function textAt(parent: TnetDict, key: string, path: string): string {
  const t = textOf(parent[key]);
  if (t === null) throw new FlowShapeError(`${path}${key} is ${parent[key] === undefined ? 'missing' : 'not text'}`);
  return t;
}

function numberAt(parent: TnetDict, key: string, path: string): number {
  const v = parent[key];
  if (typeof v !== 'number') throw new FlowShapeError(`${path}${key} is ${v === undefined ? 'missing' : 'not a number'}`);
  return v;
}

const optionalNumber = (v: TnetValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function headersAt(message: TnetDict, path: string): HeaderLine[] {
  const list = message.headers;
  if (!Array.isArray(list)) throw new FlowShapeError(`${path}headers is not a list`);
  return list.map((pair, i) => {
    const name = Array.isArray(pair) ? textOf(pair[0]) : null;
    const value = Array.isArray(pair) ? textOf(pair[1]) : null;
    if (name === null || value === null) throw new FlowShapeError(`${path}headers[${i}] is not a name/value pair`);
    return [name, value];
  });
}

function contentOf(message: TnetDict, path: string): Buffer | null {
  const v = message.content;
  if (v === null || v === undefined) return null; // streamed: mitmproxy kept no body
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new FlowShapeError(`${path}content is not bytes`);
}

function requestUrl(req: TnetDict, method: string): string {
  const scheme = textAt(req, 'scheme', 'request.').toLowerCase();
  const rawHost = textAt(req, 'host', 'request.');
  const host = rawHost.includes(':') && !rawHost.startsWith('[') ? `[${rawHost}]` : rawHost;
  const port = numberAt(req, 'port', 'request.');
  if (method === 'CONNECT') return `${host}:${port}`;
  const defaultPort = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  return `${scheme}://${host}${defaultPort ? '' : `:${port}`}${textAt(req, 'path', 'request.')}`;
}

function httpFlowToExchange(flow: TnetDict): { exchange: Exchange; serverConnId: string | null } {
  const req = dictAt(flow, 'request', '');
  const method = textAt(req, 'method', 'request.');
  const requestStart = numberAt(req, 'timestamp_start', 'request.');
  const res = isDict(flow.response) ? flow.response : null;
  const server = isDict(flow.server_conn) ? flow.server_conn : null;
  const error = isDict(flow.error) ? textOf(flow.error.msg) : null;
  const response = res ? responseOf(res) : null;
  const responseStart = res ? optionalNumber(res.timestamp_start) : null;
  const responseEnd = res ? optionalNumber(res.timestamp_end) : null;
  const endSeconds = responseEnd ?? (isDict(flow.error) ? optionalNumber(flow.error.timestamp) : null) ?? optionalNumber(req.timestamp_end);
  const peer = server ? (server.peername ?? server.ip_address) : null;
  const peerHost = Array.isArray(peer) ? textOf(peer[0]) : null;
  const peerPort = Array.isArray(peer) ? optionalNumber(peer[1]) : null;
  const url = requestUrl(req, method);

  const exchange: Exchange = {
    id: '',
    startedAt: isoFromEpochSeconds(requestStart),
    endedAt: endSeconds === null ? null : isoFromEpochSeconds(endSeconds),
    request: {
      method,
      url,
      httpVersion: textOf(req.http_version) ?? '',
      headers: headersAt(req, 'request.'),
      body: contentOf(req, 'request.') ?? Buffer.alloc(0),
    },
    response,
    remoteAddress: peerHost,
    remotePort: peerPort,
    tls: server ? tlsOf(server, req, requestStart) : null,
    error: error ?? (response ? null : 'no response recorded'),
    timing: {
      dnsMs: null, // mitmproxy does not time name resolution
      connectMs: server ? connectMs(server) : null,
      ttfbMs: responseStart === null ? null : roundMs((responseStart - requestStart) * 1000),
      totalMs: responseEnd === null ? null : roundMs((responseEnd - requestStart) * 1000),
    },
  };
  return { exchange, serverConnId: server ? textOf(server.id) : null };
}

function responseOf(res: TnetDict): ExchangeResponse {
  const headers = headersAt(res, 'response.');
  const content = contentOf(res, 'response.');
  const declared = Number(headerValue(headers, 'content-length') ?? NaN);
  return {
    status: numberAt(res, 'status_code', 'response.'),
    statusText: textOf(res.reason) ?? '',
    httpVersion: textOf(res.http_version) ?? '',
    headers,
    body: content ?? Buffer.alloc(0),
    bodyTruncated: content === null,
    bodyLength: content ? content.length : Number.isInteger(declared) && declared >= 0 ? declared : 0,
  };
}

function connectMs(server: TnetDict): number | null {
  const start = optionalNumber(server.timestamp_start);
  const ready = optionalNumber(server.timestamp_tls_setup) ?? optionalNumber(server.timestamp_tcp_setup);
  return start === null || ready === null ? null : roundMs((ready - start) * 1000);
}

function tlsOf(server: TnetDict, req: TnetDict, requestStart: number): TlsInfo | null {
  const established = server.tls_established === true || optionalNumber(server.timestamp_tls_setup) !== null;
  if (!established) return null;
  const pems = Array.isArray(server.certificate_list) ? server.certificate_list : [];
  const chain = pems.map((pem, i) => {
    try {
      return new X509Certificate(textOf(pem) ?? '');
    } catch {
      throw new FlowShapeError(`server_conn.certificate_list[${i}] is not a certificate`);
    }
  });
  const servername = textOf(server.sni) ?? textAt(req, 'host', 'request.');
  const verdict = verifyChain(chain, servername, new Date(requestStart * 1000));
  return {
    protocol: textOf(server.tls_version),
    cipher: textOf(server.cipher ?? server.cipher_name),
    servername,
    alpn: textOf(server.alpn),
    authorized: verdict.authorized,
    authorizationError: verdict.error,
    chain: chain.map((cert) => certInfoFromDer(cert.raw)), // as the recording proxy describes them
  };
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;
