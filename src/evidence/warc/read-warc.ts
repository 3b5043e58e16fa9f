// Rebuilds a Capture from a case WARC alone: the inverse of capture-records.ts. Standard records
// give the exchanges' bytes; the `urn:clicktrace:` metadata records give everything else.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Capture, CaptureInfo, CertInfo, DnsRecord, Exchange, NavEvent, PageSnapshot, TlsInfo } from '../../model.js';
import { WARC_FILE } from '../../case/case-layout.js';
import {
  FORMAT_VERSION,
  URN_PREFIX,
  dnsKey,
  pemCertificates,
  type EventsRecordBody,
  type ExchangeRecordBody,
  type InfoRecordBody,
  type PageRecordBody,
  type TlsRecordBody,
} from './case-records.js';
import { EvidenceError, errorMessage } from '../errors.js';
import { parseHttpHead, parseRequestLine, parseStatusLine, type HeadEncoding } from '../../http/wire.js';
import { describeRecord, field, fieldValues, readWarcBuffer, type WarcReadStop, type WarcRecordRead } from './warc-parse.js';

/**
 * Reads `capture.warc.gz` of a case folder (or the WARC file given). A WARC cut short (a killed
 * capture) yields the records before the cut with `info.partial = true`; a corrupt or empty WARC
 * throws an EvidenceError naming the file.
 */
export async function readCapture(caseDirOrWarcPath: string): Promise<Capture> {
  return (await readCaseWarc(caseDirOrWarcPath)).capture;
}

export interface CaseWarcRead {
  capture: Capture;
  /** The WARC file read. */
  path: string;
  records: number;
  /** Where a truncated WARC ends (for a warning such as "truncated after record 37"), else null. */
  truncated: WarcReadStop | null;
}

/** readCapture with what the CLI needs to warn about a truncated WARC. */
export async function readCaseWarc(caseDirOrWarcPath: string): Promise<CaseWarcRead> {
  const path = await warcPathOf(caseDirOrWarcPath);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new EvidenceError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot read (${errorMessage(err)})`);
  }
  const read = readWarcBuffer(buf);
  if (read.stop?.kind === 'corrupt') {
    throw new EvidenceError(path, `corrupt WARC after ${read.records.length} good record(s): ${read.stop.reason}`);
  }
  if (read.records.length === 0) {
    throw new EvidenceError(path, read.stop ? `no complete WARC record (${read.stop.reason})` : 'empty, no WARC records');
  }
  const capture = captureFromRecords(read.records, path, read.stop !== null);
  return { capture, path, records: read.records.length, truncated: read.stop };
}

async function warcPathOf(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? join(path, WARC_FILE) : path;
  } catch {
    return path;
  }
}

/** Rebuilds the capture from parsed records; throws EvidenceError when a record's content is unusable. */
export function captureFromRecords(records: WarcRecordRead[], label: string, truncated: boolean): Capture {
  const byId = new Map<string, WarcRecordRead>();
  for (const r of records) {
    const id = field(r, 'WARC-Record-ID');
    if (id) byId.set(id, r);
  }
  const fail = (r: WarcRecordRead, problem: string) => new EvidenceError(label, `${describeRecord(r)}: ${problem}`);
  const json = <T>(r: WarcRecordRead): T => {
    try {
      return JSON.parse(r.block.toString('utf8')) as T;
    } catch (err) {
      throw fail(r, `invalid JSON (${errorMessage(err)})`);
    }
  };
  const recordFor = (owner: WarcRecordRead, id: string): WarcRecordRead => {
    const r = byId.get(id);
    if (!r) throw fail(owner, `refers to ${id}, which is not in the WARC`);
    return r;
  };

  let info: CaptureInfo | null = null;
  let closed = false;
  const exchanges: { at: number; exchange: Exchange }[] = [];
  const claimed = new Set<string>();
  const tlsByExchange = new Map<string, TlsInfo>();
  const events: NavEvent[] = [];
  const pages: PageSnapshot[] = [];
  const dns: DnsRecord[] = [];
  const dnsIndex = new Map<string, number>();

  for (const r of records) {
    const target = field(r, 'WARC-Target-URI') ?? '';
    if (field(r, 'WARC-Type') !== 'metadata' || !target.startsWith(URN_PREFIX)) continue;
    const kind = target.slice(URN_PREFIX.length).split(':', 1)[0];
    switch (kind) {
      case 'info': {
        const body = json<InfoRecordBody>(r);
        if (body.format > FORMAT_VERSION) throw fail(r, `written by a newer clicktrace (record format ${body.format})`);
        info = body.info;
        closed = body.final;
        break;
      }
      case 'exchange': {
        const body = json<ExchangeRecordBody>(r);
        const request = body.request.record ? recordFor(r, body.request.record) : null;
        const response = body.response ? recordFor(r, body.response.record) : null;
        for (const x of [request, response]) if (x) claimed.add(field(x, 'WARC-Record-ID')!);
        exchanges.push({ at: (response ?? r).index, exchange: exchangeFromBody(body, request, response, (p) => fail(r, p)) });
        break;
      }
      case 'tls': {
        const body = json<TlsRecordBody>(r);
        const pem = body.certificates ? recordFor(r, body.certificates).block.toString('utf8') : '';
        const ders = pemCertificates(pem);
        const chain: CertInfo[] = body.tls.chain.map((c, i) => ({ ...c, der: ders[i] ?? '' }));
        tlsByExchange.set(body.exchange, { ...body.tls, chain });
        const anchor = field(r, 'WARC-Refers-To');
        if (anchor) tlsByExchange.set(anchor, { ...body.tls, chain });
        break;
      }
      case 'dns': {
        // A later record of the same lookup supersedes the earlier one (enrichment completed it).
        const rec = json<DnsRecord>(r);
        const key = dnsKey(rec);
        const at = dnsIndex.get(key);
        if (at === undefined) dnsIndex.set(key, dns.push(rec) - 1);
        else dns[at] = rec;
        break;
      }
      case 'events':
        events.push(...json<EventsRecordBody>(r).events);
        break;
      case 'page': {
        const body = json<PageRecordBody>(r);
        pages.push({
          index: body.index,
          at: body.at,
          pageId: body.pageId,
          url: body.url,
          title: body.title,
          screenshot: body.screenshot ? { path: body.screenshot.path, png: Buffer.from(recordFor(r, body.screenshot.record).block) } : null,
          dom: body.dom ? { path: body.dom.path, html: recordFor(r, body.dom.record).block.toString('utf8') } : null,
          ...(body.frame
            ? {
                frame: {
                  url: body.frame.url,
                  title: body.frame.title,
                  dom: body.frame.dom
                    ? { path: body.frame.dom.path, html: recordFor(r, body.frame.dom.record).block.toString('utf8') }
                    : null,
                },
              }
            : {}),
        });
        break;
      }
    }
  }

  // Request/response pairs without exchange metadata: a capture cut right after them, or a WARC
  // from another tool. WARC-Concurrent-To links the pair from either side.
  const requestFor = new Map<string, WarcRecordRead>();
  for (const q of records) {
    if (field(q, 'WARC-Type') !== 'request') continue;
    for (const other of fieldValues(q, 'WARC-Concurrent-To')) requestFor.set(other, q);
  }
  for (const r of records) {
    const id = field(r, 'WARC-Record-ID') ?? '';
    if (field(r, 'WARC-Type') !== 'response' || claimed.has(id)) continue;
    const linked = fieldValues(r, 'WARC-Concurrent-To')
      .map((c) => byId.get(c))
      .find((q) => q && field(q, 'WARC-Type') === 'request');
    const request = linked ?? requestFor.get(id) ?? null;
    const exchange = exchangeFromRecords(r, request, `warc-${r.index + 1}`, (p) => fail(r, p));
    exchange.tls = tlsByExchange.get(id) ?? null;
    exchanges.push({ at: r.index, exchange });
  }

  if (!info && exchanges.length === 0) throw new EvidenceError(label, 'no clicktrace capture info and no HTTP exchanges in this WARC');
  const ordered = exchanges.sort((a, b) => a.at - b.at).map((e) => e.exchange);
  for (const ex of ordered) ex.tls ??= tlsByExchange.get(ex.id) ?? null;
  const baseInfo = info ?? foreignInfo(records, ordered);
  return {
    info: truncated || (info !== null && !closed) ? { ...baseInfo, partial: true } : baseInfo,
    exchanges: ordered,
    events,
    pages,
    dns,
  };
}

function exchangeFromBody(
  body: ExchangeRecordBody,
  request: WarcRecordRead | null,
  response: WarcRecordRead | null,
  fail: (problem: string) => Error,
): Exchange {
  const exchange: Exchange = {
    id: body.id,
    startedAt: body.startedAt,
    endedAt: body.endedAt,
    request: { method: '', url: body.url, httpVersion: body.request.httpVersion, headers: [], body: Buffer.alloc(0) },
    response: null,
    remoteAddress: body.remoteAddress,
    remotePort: body.remotePort,
    tls: null,
    error: body.error,
    timing: body.timing,
  };
  if (body.request.record === null) {
    exchange.request.method = body.request.method;
    exchange.request.headers = body.request.headers;
    exchange.request.body = Buffer.from(body.request.bodyBase64, 'base64');
  } else {
    const parsed = httpMessage(request!, body.headEncoding, fail);
    exchange.request.method = parseRequestLine(parsed.startLine).method;
    exchange.request.headers = parsed.headers;
    exchange.request.body = parsed.body;
  }
  if (body.response) {
    const parsed = httpMessage(response!, body.headEncoding, fail);
    const status = parseStatusLine(parsed.startLine);
    exchange.response = {
      status: status.status,
      statusText: status.statusText,
      httpVersion: body.response.httpVersion,
      headers: parsed.headers,
      body: parsed.body,
      bodyTruncated: body.response.bodyTruncated,
      bodyLength: body.response.bodyLength,
      ...(body.response.faults?.length ? { faults: body.response.faults } : {}),
    };
  }
  return exchange;
}

function exchangeFromRecords(
  response: WarcRecordRead,
  request: WarcRecordRead | null,
  id: string,
  fail: (problem: string) => Error,
): Exchange {
  const date = field(response, 'WARC-Date') ?? '';
  const url = field(response, 'WARC-Target-URI') ?? '';
  const res = httpMessage(response, 'latin1', fail);
  const status = parseStatusLine(res.startLine);
  const req = request ? httpMessage(request, 'latin1', fail) : null;
  const requestLine = req ? parseRequestLine(req.startLine) : { method: 'GET', protocol: 'HTTP/1.1' };
  return {
    id,
    startedAt: date,
    endedAt: null,
    request: {
      method: requestLine.method,
      url,
      httpVersion: requestLine.protocol,
      headers: req?.headers ?? [],
      body: req?.body ?? Buffer.alloc(0),
    },
    response: {
      status: status.status,
      statusText: status.statusText,
      httpVersion: status.protocol,
      headers: res.headers,
      body: res.body,
      bodyTruncated: field(response, 'WARC-Truncated') !== null,
      bodyLength: res.body.length,
    },
    remoteAddress: field(response, 'WARC-IP-Address'),
    remotePort: null,
    tls: null,
    error: null,
    timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
  };
}

function httpMessage(record: WarcRecordRead, encoding: HeadEncoding, fail: (problem: string) => Error) {
  const head = parseHttpHead(record.block, encoding);
  if (!head) throw fail(`malformed HTTP head in ${describeRecord(record)}`);
  return { startLine: head.startLine, headers: head.headers, body: Buffer.from(record.block.subarray(head.bodyOffset)) };
}

/** Capture info for a WARC without clicktrace records, from what its records say. */
function foreignInfo(records: WarcRecordRead[], exchanges: Exchange[]): CaptureInfo {
  const warcinfo = records.find((r) => field(r, 'WARC-Type') === 'warcinfo');
  const software = warcinfo ? /^software:\s*(.*)$/im.exec(warcinfo.block.toString('utf8'))?.[1]?.trim() : undefined;
  const dates = records.map((r) => field(r, 'WARC-Date')).filter((d): d is string => !!d);
  return {
    tool: { name: software ?? 'unknown', version: '' },
    browser: null,
    identity: null,
    url: exchanges[0]?.request.url ?? null,
    mode: 'import',
    commandLine: [],
    resolver: { overrides: [], dnsServer: null },
    clicks: [],
    startedAt: dates[0] ?? new Date(0).toISOString(),
    endedAt: dates[dates.length - 1] ?? null,
    error: null,
    partial: false,
  };
}
