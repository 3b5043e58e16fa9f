// Import of browser-exported HAR files (Chrome DevTools, Firefox, Playwright, mitmproxy's har_dump).
//
// HAR keeps response bodies decoded (`content.text` is what the page saw), so a Content-Encoding
// header no longer describes the body: it is dropped, because the model's body is "as received"
// with its Content-Encoding, and a gzip header over plain bytes would break every reader of it.
import { isIP } from 'node:net';
import type { Capture, Exchange, ExchangeRequest, ExchangeResponse, HeaderLine } from '../model.js';
import { synthesizeDocumentChain, type Initiator } from './chain.js';
import { ImportError, assembleCapture, exchangeId, importedCaptureInfo, sortByStart } from './common.js';

type Json = Record<string, unknown>;

class HarShapeError extends Error {}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectAt(parent: Json, key: string, path: string): Json {
  const v = parent[key];
  if (!isObject(v)) throw new HarShapeError(`${path}${key} is ${v === undefined ? 'missing' : 'not an object'}`);
  return v;
}

function stringAt(parent: Json, key: string, path: string): string {
  const v = parent[key];
  if (typeof v !== 'string') throw new HarShapeError(`${path}${key} is ${v === undefined ? 'missing' : 'not a string'}`);
  return v;
}

const optionalString = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const nonNegative = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

function headersAt(message: Json, path: string): HeaderLine[] {
  const list = message.headers ?? [];
  if (!Array.isArray(list)) throw new HarShapeError(`${path}headers is not a list`);
  return list.map((h, i) => {
    if (!isObject(h) || typeof h.name !== 'string') throw new HarShapeError(`${path}headers[${i}] has no name`);
    return [h.name, typeof h.value === 'string' ? h.value : typeof h.value === 'number' ? String(h.value) : ''];
  });
}

function parseHarJson(text: string, source: string): Json {
  if (text.trim() === '') throw new ImportError(source, 'empty file');
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const message = (e as Error).message;
    const cut = /end of JSON|Unterminated/i.test(message) ? ' (truncated?)' : '';
    throw new ImportError(source, `not valid JSON${cut}: ${message}`);
  }
  if (!isObject(root) || !isObject(root.log)) throw new ImportError(source, 'not a HAR file: no "log" object');
  if (!Array.isArray(root.log.entries)) throw new ImportError(source, 'not a HAR file: "log.entries" is not a list');
  return root.log;
}

interface ImportedEntry {
  exchange: Exchange;
  resourceType: string | null;
  initiator: Initiator | null;
  redirectURL: string | null;
}

export function importHar(text: string, source: string): Capture {
  const log = parseHarJson(text, source);
  const entries = log.entries as unknown[];
  const imported = entries.map((entry, i) => {
    try {
      if (!isObject(entry)) throw new HarShapeError('is not an object');
      return importEntry(entry);
    } catch (e) {
      if (e instanceof HarShapeError) throw new ImportError(source, `entry ${i + 1}: ${e.message}`);
      throw e;
    }
  });

  const sorted = sortByStart(imported, (e) => e.exchange.startedAt);
  sorted.forEach((e, i) => (e.exchange.id = exchangeId(i)));
  const exchanges = sorted.map((e) => e.exchange);
  const byExchange = new Map(sorted.map((e) => [e.exchange, e]));

  const events = synthesizeDocumentChain(exchanges, {
    resourceType: (x) => byExchange.get(x)?.resourceType ?? null,
    initiator: (x) => byExchange.get(x)?.initiator ?? null,
    redirectTarget: (x) => byExchange.get(x)?.redirectURL ?? null,
  });
  const creator = isObject(log.creator) ? log.creator : {};
  const browser = isObject(log.browser) ? log.browser : null;
  const firstDocument = events.find((e) => e.type === 'doc-request');
  const info = importedCaptureInfo({
    tool: { name: optionalString(creator.name) ?? 'unknown', version: optionalString(creator.version) ?? '' },
    browser: browser ? { name: optionalString(browser.name) ?? 'unknown', version: optionalString(browser.version) ?? '' } : null,
    url: firstDocument?.url ?? exchanges[0]?.request.url ?? null,
    exchanges,
    partial: false,
    error: null,
  });
  return assembleCapture(info, exchanges, events);
}

function importEntry(entry: Json): ImportedEntry {
  const started = Date.parse(stringAt(entry, 'startedDateTime', ''));
  if (Number.isNaN(started)) throw new HarShapeError(`startedDateTime ${JSON.stringify(entry.startedDateTime)} is not a date`);
  const request = importRequest(objectAt(entry, 'request', ''));
  const harResponse = isObject(entry.response) ? entry.response : null;
  // Failed requests: Chrome and Firefox write status 0, Playwright -1.
  const failed = !harResponse || typeof harResponse.status !== 'number' || harResponse.status <= 0;
  const response = failed ? null : importResponse(harResponse);
  const totalMs = nonNegative(entry.time);
  const timings = isObject(entry.timings) ? entry.timings : {};
  const server = serverAddress(entry.serverIPAddress);

  const exchange: Exchange = {
    id: '',
    startedAt: new Date(started).toISOString(),
    endedAt: totalMs === null ? null : new Date(started + totalMs).toISOString(),
    request,
    response,
    remoteAddress: server.ip,
    remotePort: nonNegative(entry._serverPort) ?? server.port,
    tls: null, // a HAR has no certificates
    error: failed ? failureText(harResponse, entry) : null,
    timing: {
      dnsMs: nonNegative(timings.dns),
      connectMs: nonNegative(timings.connect),
      ttfbMs: timeToFirstByte(timings),
      totalMs,
    },
  };
  return {
    exchange,
    resourceType: optionalString(entry._resourceType),
    initiator: isObject(entry._initiator) ? initiatorOf(entry._initiator) : null,
    redirectURL: harResponse ? optionalString(harResponse.redirectURL) || null : null,
  };
}

/**
 * `serverIPAddress` as exporters write it: an IP address, IPv6 bracketed or not (Chrome: "[::1]"),
 * with a port or without ("192.0.2.1:443", "[2001:db8::1]:443"); empty or absent when none was
 * used (cache, failed lookups). Anything else is refused, not kept as an address.
 */
function serverAddress(value: unknown): { ip: string | null; port: number | null } {
  if (value === undefined || value === null || value === '') return { ip: null, port: null };
  if (typeof value !== 'string') throw new HarShapeError('serverIPAddress is not a string');
  if (isIP(value)) return { ip: value, port: null };
  const form = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(value) ?? /^([^:]*):(\d{1,5})$/.exec(value);
  const [ip, port] = form ? [form[1], form[2] === undefined ? null : Number(form[2])] : [null, null];
  const bracketed = value.startsWith('[');
  if (ip === null || isIP(ip) !== (bracketed ? 6 : 4) || (port !== null && (port < 1 || port > 65535)))
    throw new HarShapeError(`serverIPAddress ${JSON.stringify(value.slice(0, 80))} is not an IP address (with or without a port)`);
  return { ip, port };
}

function importRequest(req: Json): ExchangeRequest {
  const postData = isObject(req.postData) ? req.postData : null;
  return {
    method: stringAt(req, 'method', 'request.'),
    url: stringAt(req, 'url', 'request.'),
    httpVersion: optionalString(req.httpVersion) ?? '',
    headers: headersAt(req, 'request.'),
    body: Buffer.from(optionalString(postData?.text) ?? '', 'utf8'),
  };
}

function importResponse(res: Json): ExchangeResponse {
  const content = isObject(res.content) ? res.content : {};
  const text = optionalString(content.text);
  const body = text === null ? Buffer.alloc(0) : Buffer.from(text, content.encoding === 'base64' ? 'base64' : 'utf8');
  const size = nonNegative(content.size);
  // No text but a size: the exporter left the body out (Chrome's "without content", size limits).
  const bodyMissing = text === null && size !== null && size > 0;
  const headers = headersAt(res, 'response.').filter(([name]) => text === null || name.toLowerCase() !== 'content-encoding');
  return {
    status: res.status as number,
    statusText: optionalString(res.statusText) ?? '',
    httpVersion: optionalString(res.httpVersion) ?? '',
    headers,
    body,
    bodyTruncated: bodyMissing,
    bodyLength: bodyMissing ? size : body.length,
  };
}

function failureText(res: Json | null, entry: Json): string {
  return optionalString(res?._error) || optionalString(res?._failureText) || optionalString(entry._error) || 'no response recorded';
}

function timeToFirstByte(timings: Json): number | null {
  const wait = nonNegative(timings.wait);
  if (wait === null) return null;
  // HAR's connect already includes ssl.
  const sum = ['blocked', 'dns', 'connect', 'send'].reduce((total, k) => total + (nonNegative(timings[k]) ?? 0), wait);
  return Math.round(sum * 1000) / 1000; // HAR times are ms with µs decimals; drop float noise
}

/** Chrome's `_initiator`: {type, url?, lineNumber?, columnNumber?, stack?{callFrames, parent?}}. */
function initiatorOf(raw: Json): Initiator {
  let frame: Json | null = null;
  for (let stack = isObject(raw.stack) ? raw.stack : null; stack && !frame; stack = isObject(stack.parent) ? stack.parent : null) {
    const frames = Array.isArray(stack.callFrames) ? stack.callFrames.filter(isObject) : [];
    frame = frames.find((f) => optionalString(f.url)) ?? null;
  }
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    type: optionalString(raw.type) ?? 'other',
    url: optionalString(raw.url) || optionalString(frame?.url) || null,
    line: number(raw.lineNumber) ?? number(frame?.lineNumber),
    column: number(raw.columnNumber) ?? number(frame?.columnNumber),
  };
}
