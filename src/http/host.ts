// One form of a host name for every place that keys, compares or shows hosts (the store, the
// analysis, the case writer, the web UI, mail links): lower case, IPv6 without brackets, without
// the trailing dot of a fully qualified name, so `Example.COM.` and `example.com` are one host.
// IDNA is the URL parser's: `new URL()` already gives the ASCII (punycode) form.

/** A host as written in a URL, a Host header or a CONNECT target (no port), in its one form. */
export function normalizeHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** The schemes whose URLs name a host on the network (the URL Standard's special schemes). */
const SPECIAL_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/**
 * The host of an absolute URL in its one form; null when the URL does not parse or has no host.
 * Other schemes have opaque hosts that name no machine (`intent://claim/`, `market://details`):
 * null too, so that no report turns "claim" into a host or a domain. A `blob:` URL is a document
 * a page made itself (`blob:https://host/<uuid>`, no request): its origin, and host, is that page's.
 */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol === 'blob:') return /^https?:/i.test(parsed.pathname) ? hostOf(parsed.pathname) : null;
  if (!SPECIAL_SCHEMES.has(parsed.protocol)) return null;
  return normalizeHost(parsed.hostname) || null;
}

/** The port an http(s) URL connects to: its own, else its scheme's default. */
export function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}
