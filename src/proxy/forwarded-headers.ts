// The header lines the proxy passes on, in both directions. Upstream gets the client's lines in
// their order, repeats and case (as a flat raw list, which Node sends as given), so that what the
// server receives is what is recorded and what Chromium would have sent without a proxy.
import type { HeaderLine } from '../model.js';

/** Headers that concern the client-to-proxy hop only. */
const HOP_BY_HOP = new Set(['proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'keep-alive', 'te', 'trailer', 'upgrade']);

/**
 * The request headers sent upstream: the client's, in order, minus the proxy's hop-by-hop ones.
 * - `Proxy-Connection` becomes `Connection` in its place: Chromium says `Proxy-Connection:
 *   keep-alive` to a proxy exactly where it says `Connection: keep-alive` to a server.
 * - Without either, Node would append `Connection: keep-alive`; it is appended here, so that the
 *   record holds what is sent.
 * - `zstd` is dropped from Accept-Encoding because Node 20 cannot decode it, and analysis must be
 *   able to read every body it records.
 * - A header named in `values` (lower-case name to value) says that value where the client sent it
 *   (none is added): what the visitor's device says, where Chromium has no way to be told it.
 */
export function requestHeadersForUpstream(rawHeaders: string[], values: Readonly<Record<string, string>> = {}): HeaderLine[] {
  const out: HeaderLine[] = [];
  const hasConnection = rawHeaders.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'connection');
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    let value = rawHeaders[i + 1];
    const lower = name.toLowerCase();
    if (lower === 'proxy-connection' && !hasConnection && !out.some(([n]) => n === 'Connection')) {
      out.push(['Connection', value]);
      continue;
    }
    if (HOP_BY_HOP.has(lower)) continue;
    if (Object.prototype.hasOwnProperty.call(values, lower)) value = values[lower];
    if (lower === 'accept-encoding') {
      value = value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v && !/^zstd\b/i.test(v))
        .join(', ');
    }
    out.push([name, value]);
  }
  if (!out.some(([name]) => name.toLowerCase() === 'connection')) out.push(['Connection', 'keep-alive']);
  return out;
}

/** Header lines as Node's flat raw list (`[name, value, name, value…]`), which it sends in order, repeats included. */
export function flatHeaderList(headers: HeaderLine[]): string[] {
  return headers.flat();
}

/** Header on the proxy's own answers, so that nothing it says can pass for an upstream's, nor the other way round. */
export const PROXY_ERROR_HEADER = 'X-Clicktrace-Error';
const PROXY_ERROR_LOWER = PROXY_ERROR_HEADER.toLowerCase();

/** The response headers passed to the client: upstream's, minus those about upstream's connection and the proxy's own. */
export function responseHeadersForClient(rawHeaders: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    if (lower === 'keep-alive' || lower === 'proxy-connection' || lower === 'connection') continue;
    // Only the proxy may say it could not reach the server: a server's own header of that name
    // (kept in the record) would have the trace end on a reason the page wrote.
    if (lower === PROXY_ERROR_LOWER) continue;
    out.push(name, rawHeaders[i + 1]);
  }
  return out;
}

/** Bytes Node refuses in a header value it writes (it allows tab, 0x20-0x7E and 0x80-0xFF). */
const UNWRITABLE = /[^\t\x20-\x7e\x80-\xff]/g;
/** Headers whose value is (or holds) a URL the browser follows. */
const URL_HEADERS = new Set(['location', 'content-location', 'refresh']);

/**
 * Header lines (name, value, ...) that Node can write, for an upstream head holding control
 * characters (the record keeps them raw). In a URL the browser would follow, they become what a
 * URL parser makes of them (trimmed at the ends, percent-encoded inside: ESC is %1B), so the
 * browser goes where it would have gone without the proxy; elsewhere they become spaces.
 */
export function writableHeaderLines(lines: string[]): string[] {
  return lines.map((value, i) => {
    if (i % 2 === 0 || !/[^\t\x20-\x7e\x80-\xff]/.test(value)) return value;
    if (!URL_HEADERS.has(lines[i - 1].toLowerCase())) return value.replace(UNWRITABLE, ' ');
    return value
      .replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')
      .replace(UNWRITABLE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  });
}
