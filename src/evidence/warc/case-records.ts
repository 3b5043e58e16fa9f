// The clicktrace records of a case WARC: what standard request/response/resource records cannot
// hold (exchange ids and timings, TLS, DNS, CDP events, page snapshots, the capture info) goes
// into `metadata` records whose WARC-Target-URI is a `urn:clicktrace:` name and whose body is JSON.
// The writer and the reader share these shapes; change them only together with FORMAT_VERSION.
import type { CaptureInfo, CertInfo, DnsRecord, HeaderLine, NavEvent, ResponseFault, TlsInfo } from '../../model.js';
import type { HeadEncoding } from '../../http/wire.js';

export const FORMAT_VERSION = 1;

export const JSON_TYPE = 'application/json';
export const PEM_TYPE = 'application/x-pem-file';

export const urn = {
  info: 'urn:clicktrace:info',
  events: 'urn:clicktrace:events',
  exchange: (id: string) => `urn:clicktrace:exchange:${id}`,
  tls: (id: string) => `urn:clicktrace:tls:${id}`,
  certificates: (id: string) => `urn:clicktrace:certificates:${id}`,
  dns: (host: string) => `urn:clicktrace:dns:${host}`,
  page: (index: number) => `urn:clicktrace:page:${index}`,
  // Screenshot and DOM resources use the names webrecorder tools give them.
  screenshot: (url: string) => `urn:view:${url}`,
  dom: (url: string) => `urn:dom:${url}`,
};

export const URN_PREFIX = 'urn:clicktrace:';

/** Body of `urn:clicktrace:info`: written at the start (final: false) and by close (final: true). */
export interface InfoRecordBody {
  format: number;
  final: boolean;
  info: CaptureInfo;
}

/** Body of `urn:clicktrace:exchange:<id>`, written after the exchange's request and response records. */
export interface ExchangeRecordBody {
  id: string;
  startedAt: string;
  endedAt: string | null;
  /** The URL exactly as in the model (WARC-Target-URI has controls and spaces escaped). */
  url: string;
  remoteAddress: string | null;
  remotePort: number | null;
  error: string | null;
  timing: { dnsMs: number | null; connectMs: number | null; ttfbMs: number | null; totalMs: number | null };
  /** How the HTTP heads in the request and response records are encoded. */
  headEncoding: HeadEncoding;
  /** WARC-Record-ID of the DNS record of this host, if one was written before the exchange. */
  dns: string | null;
  /** `record` is the request record's id; a failed exchange has no request record and carries the request here. */
  request:
    | { record: string; httpVersion: string }
    | { record: null; method: string; httpVersion: string; headers: HeaderLine[]; bodyBase64: string };
  response: { record: string; httpVersion: string; bodyTruncated: boolean; bodyLength: number; faults?: ResponseFault[] } | null;
}

/** Body of `urn:clicktrace:tls:<id>`: the TLS info; certificates themselves are in the PEM record. */
export interface TlsRecordBody {
  exchange: string;
  certificates: string | null;
  tls: Omit<TlsInfo, 'chain'> & { chain: Omit<CertInfo, 'der'>[] };
}

/** One DNS lookup: a later `urn:clicktrace:dns:` record with the same key supersedes an earlier one. */
export function dnsKey(rec: DnsRecord): string {
  return `${rec.host}\n${rec.at}\n${rec.source}`;
}

export interface EventsRecordBody {
  events: NavEvent[];
}

/** Body of `urn:clicktrace:page:<index>`; the PNG and HTML are `resource` records named by id. */
export interface PageRecordBody {
  index: number;
  at: string;
  pageId: string;
  url: string;
  title: string;
  screenshot: { path: string; record: string } | null;
  dom: { path: string; record: string } | null;
  /** The document of the frame the chain went on in (PageSnapshot.frame), its DOM a record of its own. */
  frame?: { url: string; title: string; dom: { path: string; record: string } | null };
}

export function certificatesPem(chain: CertInfo[]): string {
  return chain
    .map((c) => {
      const lines = c.der.match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

/** The base64 DER of each certificate in a PEM bundle, in order. */
export function pemCertificates(pem: string): string[] {
  const out: string[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m; (m = re.exec(pem));) out.push(m[1].replace(/\s+/g, ''));
  return out;
}
