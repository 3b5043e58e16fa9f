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

/** The host of an absolute URL in its one form; null when the URL does not parse or has no host. */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null;
  }
  return normalizeHost(hostname) || null;
}
