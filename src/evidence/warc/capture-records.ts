// A capture as WARC records: what the case writer appends, and what read-warc.ts turns back into
// the same capture. Standard records carry the bytes of each exchange as on the wire; the
// `urn:clicktrace:` metadata records of case-records.ts carry everything else.
import type { CaptureInfo, DnsRecord, Exchange, HeaderLine, NavEvent, PageSnapshot } from '../../model.js';
import { headEncodingFor, headerValue, requestHeadText, responseHeadText } from '../../http/wire.js';
import { indexedMime } from '../wacz/cdxj.js';
import {
  FORMAT_VERSION,
  JSON_TYPE,
  PEM_TYPE,
  certificatesPem,
  urn,
  type EventsRecordBody,
  type ExchangeRecordBody,
  type InfoRecordBody,
  type PageRecordBody,
  type TlsRecordBody,
} from './case-records.js';
import { newRecordId, warcDate, type WarcRecordSpec } from './warc-record.js';
import type { RecordToAppend } from './warc-appender.js';

const HTTP_REQUEST_TYPE = 'application/http; msgtype=request';
const HTTP_RESPONSE_TYPE = 'application/http; msgtype=response';

/** The `warcinfo` record that opens a case WARC: tool, browser, identity and resolver settings. */
export function warcinfoRecord(id: string, caseName: string, warcFile: string, info: CaptureInfo): RecordToAppend {
  const fields: [string, string | null | undefined][] = [
    ['software', `${info.tool.name}/${info.tool.version}`],
    ['format', 'WARC File Format 1.1'],
    ['conformsTo', 'http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
    ['isPartOf', caseName],
    ['mode', info.mode],
    ['url', info.url],
    ['browser', info.browser ? `${info.browser.name} ${info.browser.version}` : null],
    ['browser-flags', info.browser?.flags ? info.browser.flags.join(' ') : null],
    ['browser-user', info.browser?.user],
    ['worker', info.worker ? `${info.worker.name} on ${info.worker.host}` : null],
    ['http-header-user-agent', info.identity?.userAgent],
    ['device', info.identity?.device],
    ['viewport', info.identity ? `${info.identity.viewport.width}x${info.identity.viewport.height}` : null],
    ['locale', info.identity?.locale],
    ['timezone', info.identity?.timezone],
    ['accept-language', info.identity?.acceptLanguage],
    ['visitor-profile', info.identity?.profile],
    [
      'webgl-renderer-shown',
      info.identity?.webgl ? `${info.identity.webgl.vendor} / ${info.identity.webgl.renderer} (in place of a software renderer)` : null,
    ],
    ['resolver-overrides', JSON.stringify(info.resolver.overrides)],
    ['dns-server', info.resolver.dnsServer],
    ['command-line', JSON.stringify(info.commandLine)],
    ['clicks', info.clicks.length > 0 ? JSON.stringify(info.clicks) : null],
    ['started', info.startedAt],
  ];
  const text = fields
    .filter((f): f is [string, string] => typeof f[1] === 'string')
    .map(([name, value]) => `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`)
    .join('');
  return {
    spec: {
      type: 'warcinfo',
      id,
      date: warcDate(info.startedAt),
      contentType: 'application/warc-fields',
      fields: [['WARC-Filename', warcFile]],
      payload: Buffer.from(text, 'utf8'),
      digestPayload: false,
    },
  };
}

/** `urn:clicktrace:info`: the capture info at the start (final: false) and at close (final: true). */
export function infoRecord(info: CaptureInfo, final: boolean, warcinfoId: string): RecordToAppend {
  const body: InfoRecordBody = { format: FORMAT_VERSION, final, info };
  const spec = jsonRecord(urn.info, final ? (info.endedAt ?? new Date().toISOString()) : info.startedAt, body, warcinfoId);
  spec.fields!.push(['WARC-Refers-To', warcinfoId]);
  return { spec, index: { mime: JSON_TYPE } };
}

export function dnsRecord(rec: DnsRecord, warcinfoId: string): RecordToAppend {
  return { spec: jsonRecord(urn.dns(rec.host), rec.at, rec, warcinfoId), index: { mime: JSON_TYPE } };
}

export function eventsRecord(events: NavEvent[], warcinfoId: string): RecordToAppend {
  const body: EventsRecordBody = { events };
  return { spec: jsonRecord(urn.events, events[0]?.at ?? null, body, warcinfoId), index: { mime: JSON_TYPE } };
}

/** Where a page's screenshot and DOM were put in the case folder, with their SHA-256 when known. */
export interface PageFiles {
  screenshot: { path: string; sha256: string } | null;
  dom: { path: string; sha256: string } | null;
  frameDom: { path: string; sha256: string } | null;
}

/** A resting page: its screenshot and DOM as `resource` records, then the page record naming them. */
export function pageRecords(p: PageSnapshot, files: PageFiles, warcinfoId: string): RecordToAppend[] {
  const date = warcDate(p.at);
  const records: RecordToAppend[] = [];
  const body: PageRecordBody = { index: p.index, at: p.at, pageId: p.pageId, url: p.url, title: p.title, screenshot: null, dom: null };
  if (p.screenshot && files.screenshot) {
    const spec = resourceRecord(urn.screenshot(p.url), date, 'image/png', p.screenshot.png, warcinfoId, files.screenshot.sha256);
    records.push({ spec, payloadCompressed: true, index: { mime: 'image/png' } });
    body.screenshot = { path: files.screenshot.path, record: spec.id! };
  }
  if (p.dom && files.dom) {
    const html = Buffer.from(p.dom.html, 'utf8');
    const spec = resourceRecord(urn.dom(p.url), date, 'text/html; charset=utf-8', html, warcinfoId, files.dom.sha256);
    records.push({ spec, index: { mime: 'text/html; charset=utf-8' } });
    body.dom = { path: files.dom.path, record: spec.id! };
  }
  if (p.frame) {
    body.frame = { url: p.frame.url, title: p.frame.title, dom: null };
    if (p.frame.dom && files.frameDom) {
      const html = Buffer.from(p.frame.dom.html, 'utf8');
      const spec = resourceRecord(urn.dom(p.frame.url), date, 'text/html; charset=utf-8', html, warcinfoId, files.frameDom.sha256);
      records.push({ spec, index: { mime: 'text/html; charset=utf-8' } });
      body.frame.dom = { path: files.frameDom.path, record: spec.id! };
    }
  }
  const page = jsonRecord(urn.page(p.index), p.at, body, warcinfoId);
  page.fields!.push(...records.map((r): [string, string] => ['WARC-Concurrent-To', r.spec.id!]));
  records.push({ spec: page, index: { mime: JSON_TYPE } });
  return records;
}

/**
 * An exchange: its request and response records as on the wire (a failed exchange has neither),
 * its certificate chain and TLS details, then the exchange record, last, so that when it is in
 * the WARC, all of the exchange is.
 */
export function exchangeRecords(ex: Exchange, warcinfoId: string, dnsRecordId: string | null): RecordToAppend[] {
  const { request: req, response: res } = ex;
  const requestHead = requestHeadText(req);
  const responseHead = res ? responseHeadText(res) : '';
  const headEncoding = headEncodingFor(requestHead, responseHead);
  const date = warcDate(ex.startedAt);
  const common: [string, string][] = [['WARC-Warcinfo-ID', warcinfoId]];
  if (ex.remoteAddress) common.push(['WARC-IP-Address', ex.remoteAddress]);
  for (const protocol of wireProtocols(ex)) common.push(['WARC-Protocol', protocol]);

  const records: RecordToAppend[] = [];
  let anchorId: string;
  const body: ExchangeRecordBody = {
    id: ex.id,
    startedAt: ex.startedAt,
    endedAt: ex.endedAt,
    url: req.url,
    remoteAddress: ex.remoteAddress,
    remotePort: ex.remotePort,
    error: ex.error,
    timing: ex.timing,
    headEncoding,
    dns: dnsRecordId,
    request: {
      record: null,
      method: req.method,
      httpVersion: req.httpVersion,
      headers: req.headers,
      bodyBase64: req.body.toString('base64'),
    },
    response: null,
  };
  if (res) {
    const requestId = newRecordId();
    const responseId = newRecordId();
    anchorId = responseId;
    records.push({
      spec: {
        type: 'request',
        id: requestId,
        date,
        targetUri: req.url,
        contentType: HTTP_REQUEST_TYPE,
        fields: [...common, ['WARC-Concurrent-To', responseId]],
        httpHead: Buffer.from(requestHead, headEncoding),
        payload: req.body,
        digestPayload: true,
      },
    });
    const responseFields: [string, string][] = [...common, ['WARC-Concurrent-To', requestId]];
    if (ex.tls?.cipher) responseFields.push(['WARC-Cipher-Suite', ex.tls.cipher]);
    if (res.bodyTruncated) responseFields.push(['WARC-Truncated', 'length']);
    records.push({
      spec: {
        type: 'response',
        id: responseId,
        date,
        targetUri: req.url,
        contentType: HTTP_RESPONSE_TYPE,
        fields: responseFields,
        httpHead: Buffer.from(responseHead, headEncoding),
        payload: res.body,
        digestPayload: true,
      },
      payloadCompressed: isCompressedPayload(res.headers),
      index: {
        mime: indexedMime(res.headers),
        status: res.status,
        request: { method: req.method, headers: req.headers, body: req.body },
      },
    });
    body.request = { record: requestId, httpVersion: req.httpVersion };
    body.response = {
      record: responseId,
      httpVersion: res.httpVersion,
      bodyTruncated: res.bodyTruncated,
      bodyLength: res.bodyLength,
      ...(res.faults?.length ? { faults: res.faults } : {}),
    };
  }
  const meta = jsonRecord(urn.exchange(ex.id), ex.startedAt, body, warcinfoId);
  if (res) meta.fields!.push(['WARC-Refers-To', anchorId!], ['WARC-Concurrent-To', anchorId!]);
  anchorId ??= meta.id!;

  if (ex.tls) {
    const links: [string, string][] = [
      ['WARC-Refers-To', anchorId],
      ['WARC-Concurrent-To', anchorId],
    ];
    let certificatesId: string | null = null;
    if (ex.tls.chain.length > 0) {
      const spec: WarcRecordSpec = {
        type: 'metadata',
        id: newRecordId(),
        date,
        targetUri: urn.certificates(ex.id),
        contentType: PEM_TYPE,
        fields: [['WARC-Warcinfo-ID', warcinfoId], ...links],
        payload: Buffer.from(certificatesPem(ex.tls.chain)),
        digestPayload: false,
      };
      certificatesId = spec.id!;
      records.push({ spec, index: { mime: PEM_TYPE } });
    }
    const tlsBody: TlsRecordBody = {
      exchange: ex.id,
      certificates: certificatesId,
      tls: { ...ex.tls, chain: ex.tls.chain.map(({ der: _der, ...rest }) => rest) },
    };
    const tls = jsonRecord(urn.tls(ex.id), ex.startedAt, tlsBody, warcinfoId);
    tls.fields!.push(...links);
    records.push({ spec: tls, index: { mime: JSON_TYPE } });
  }
  records.push({ spec: meta, index: { mime: JSON_TYPE } });
  return records;
}

function jsonRecord(targetUri: string, at: string | null, body: unknown, warcinfoId: string): WarcRecordSpec {
  return {
    type: 'metadata',
    id: newRecordId(),
    date: warcDate(at),
    targetUri,
    contentType: JSON_TYPE,
    fields: [['WARC-Warcinfo-ID', warcinfoId]],
    payload: Buffer.from(JSON.stringify(body)),
    digestPayload: false,
  };
}

function resourceRecord(
  targetUri: string,
  date: string,
  contentType: string,
  payload: Buffer,
  warcinfoId: string,
  payloadSha256: string,
): WarcRecordSpec {
  return {
    payloadSha256,
    type: 'resource',
    id: newRecordId(),
    date,
    targetUri,
    contentType,
    fields: [['WARC-Warcinfo-ID', warcinfoId]],
    payload,
    digestPayload: true,
  };
}

/** WARC-Protocol values (IIPC WARC 1.1 extension): `http/1.1`, `tls/1.3`. */
function wireProtocols(ex: Exchange): string[] {
  const protocols = [`http/${ex.request.httpVersion.replace(/^HTTP\//i, '')}`.toLowerCase()];
  const tls = ex.tls?.protocol?.match(/^TLSv?(\d(?:\.\d)?)$/i);
  if (tls) protocols.push(`tls/${tls[1]}`);
  return protocols;
}

const COMPRESSED_TYPES =
  /^\s*(image\/(png|jpe?g|gif|webp|avif)|video\/|audio\/|font\/woff2?|application\/(zip|gzip|x-gzip|zstd|x-7z-compressed))/i;

function isCompressedPayload(headers: HeaderLine[]): boolean {
  const encoding = headerValue(headers, 'content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity' && encoding.trim() !== '') return true;
  return COMPRESSED_TYPES.test(headerValue(headers, 'content-type') ?? '');
}
