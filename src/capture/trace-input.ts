// What a trace starts from, kept apart from trace.ts so the command line can check its input
// (and start Chromium) before the capture code loads.
import { UsageError } from '../errors.js';

export const DEFAULTS = { timeoutMs: 60_000, settleMs: 6_000, maxHops: 50, outDir: 'cases' } as const;

/** Validates the target before anything is launched or written. */
export function parseTraceUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UsageError(`not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`only http and https links can be traced, not ${parsed.protocol}`);
  }
  const tooLong = hostTooLong(parsed.hostname);
  if (tooLong) throw new UsageError(`not a URL: its host ${tooLong}`);
  return parsed;
}

/** The longest label of a DNS name and the longest name (RFC 1035 §2.3.4), as Chromium enforces them. */
const MAX_LABEL = 63;
const MAX_HOST = 253;

/**
 * Why a host (as the URL parser writes it: punycode, lower case) cannot be a DNS name, or null. The
 * URL parser takes any length, but Chromium fails such a host (net::ERR_UNEXPECTED) before asking.
 */
function hostTooLong(hostname: string): string | null {
  if (hostname.startsWith('[')) return null;
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name.length > MAX_HOST) return `is ${name.length} characters long, more than the ${MAX_HOST} a DNS name may have`;
  const label = name.split('.').find((l) => l.length > MAX_LABEL);
  if (label) return `has a label of ${label.length} characters (${label.slice(0, 20)}…), more than the ${MAX_LABEL} a DNS label may have`;
  return null;
}

/**
 * A link as its server sees it, for "the same link" (requested once per cases folder, traced once
 * per batch). Only this key is normalised; the request goes out as given (tracking links are signed).
 * The URL parser's href already folds the spellings the WHATWG URL standard treats as one: scheme and
 * host case, a default port (`:80`, `:443`, an empty `:`), an empty path as `/`, IDN as punycode,
 * IPv4 written in hex or as one number, `.`/`..` segments (`%2e` too). On top of that, the key:
 * - drops the #fragment, which is never sent: two URLs that differ only there are one request;
 * - drops userinfo (`user:pass@`), which is never sent either (a browser keeps it for an HTTP
 *   authentication challenge): `http://paypal.example@evil.example/x`, with whatever decoy before
 *   the @, is the request `http://evil.example/x`, and a single-use link is spent by either;
 * - drops a host's trailing dot (`a.test.` = `a.test`): the same name to DNS, so the same server,
 *   which sees the same path and token; a single-use link is spent by either (a browser sends
 *   another Host header and checks another certificate name, which few servers tell apart);
 * - writes percent-encoding hex in upper case (`%2f` = `%2F`, RFC 3986 §6.2.2.1);
 * - decodes percent-encoded unreserved characters (`%7E` = `~`, `%41` = `A`; RFC 3986 §6.2.2.2,
 *   and RFC 9110 §4.2.3's own example: `http://EXAMPLE.com:/%7esmith/home.html`).
 * Not folded, because a server may answer them differently: reserved characters and their
 * encodings (`%2F` and `/`, `%3D` and `=`), `+` and `%20`, an empty query (`?`) and none, the
 * order of query parameters.
 * Idempotent: the key of a key is itself (the ledger keeps keys, and rewrites its old ones with it).
 */
export function requestKey(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    // Not a URL (a ledger row of another era): only the fragment goes.
    const hash = href.indexOf('#');
    return hash < 0 ? href : href.slice(0, hash);
  }
  url.username = '';
  url.password = '';
  if (url.hostname.length > 1 && url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  const hash = url.href.indexOf('#');
  const sent = hash < 0 ? url.href : url.href.slice(0, hash);
  return sent.replace(PERCENT_ENCODED, (whole, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : whole.toUpperCase();
  });
}

const PERCENT_ENCODED = /%([0-9a-fA-F]{2})/g;
/** RFC 3986 §2.3: the characters whose percent-encoding is the same character. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
