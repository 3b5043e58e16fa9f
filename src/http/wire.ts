// HTTP/1.x heads as they travel on the wire, for the request and response records.
// Node's HTTP parser hands header bytes over as Latin-1 strings, so Latin-1 gives the original
// bytes back; a head holding a character above U+00FF cannot have come off the wire that way and
// is written as UTF-8 instead (the exchange metadata says which).
import type { ExchangeRequest, ExchangeResponse, HeaderLine } from '../model.js';

export type HeadEncoding = 'latin1' | 'utf8';

export function protocolToken(httpVersion: string): string {
  return /^HTTP\//i.test(httpVersion) ? httpVersion : `HTTP/${httpVersion}`;
}

/** The request-target the upstream server saw: origin-form for http(s) URLs. */
export function requestTarget(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return `${parsed.pathname}${parsed.search}` || '/';
  } catch {
    // not absolute: already a target
  }
  return url;
}

export function requestHeadText(req: ExchangeRequest): string {
  return headText(`${req.method} ${requestTarget(req.url)} ${protocolToken(req.httpVersion)}`, req.headers);
}

export function responseHeadText(res: ExchangeResponse): string {
  return headText(`${protocolToken(res.httpVersion)} ${res.status} ${res.statusText}`, res.headers);
}

function headText(startLine: string, headers: HeaderLine[]): string {
  let text = `${startLine}\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

export function headEncodingFor(...heads: string[]): HeadEncoding {
  return heads.some((h) => /[^\x00-\xff]/.test(h)) ? 'utf8' : 'latin1';
}

export interface ParsedHead {
  startLine: string;
  headers: HeaderLine[];
  /** Offset of the body in the block. */
  bodyOffset: number;
}

/** Splits an application/http block into start line, header lines and body offset; null if malformed. */
export function parseHttpHead(block: Buffer, encoding: HeadEncoding = 'latin1'): ParsedHead | null {
  const end = block.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = block.subarray(0, end).toString(encoding).split('\r\n');
  const startLine = lines.shift() ?? '';
  const headers: HeaderLine[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':', 1);
    if (colon < 0) return null;
    const value = line.slice(colon + 1);
    headers.push([line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value]);
  }
  return { startLine, headers, bodyOffset: end + 4 };
}

/** `GET /path HTTP/1.1` → method and protocol. */
export function parseRequestLine(line: string): { method: string; protocol: string } {
  const parts = line.split(' ');
  return { method: parts[0] ?? '', protocol: parts.length > 2 ? parts[parts.length - 1] : '' };
}

/** `HTTP/1.1 302 Found` → protocol, status and reason phrase (possibly empty). */
export function parseStatusLine(line: string): { protocol: string; status: number; statusText: string } {
  const first = line.indexOf(' ');
  const second = first < 0 ? -1 : line.indexOf(' ', first + 1);
  const protocol = first < 0 ? line : line.slice(0, first);
  const status = Number(first < 0 ? NaN : line.slice(first + 1, second < 0 ? undefined : second));
  return { protocol, status, statusText: second < 0 ? '' : line.slice(second + 1) };
}

/** The statuses a browser follows by their Location (a 300 it does not). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export function headerValue(headers: HeaderLine[], name: string): string | null {
  const lower = name.toLowerCase();
  for (const [n, v] of headers) if (n.toLowerCase() === lower) return v;
  return null;
}

/**
 * A recorded header value (one character per byte off the wire) as a browser reads a URL in it
 * (Location, Refresh): its bytes as UTF-8 when they are valid UTF-8, as they are otherwise.
 */
export function headerValueAsUtf8(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
