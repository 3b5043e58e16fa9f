// Path-prefix replay: a recorded URL is served at "/<absolute url>" of the replay server. These
// pure functions map URLs both ways and rewrite, without any script, the places where a page
// names absolute or root-relative URLs (Location, Refresh, HTML attributes), so that following
// them stays on the replay server instead of reaching the live site. Relative URLs need nothing:
// they resolve against the prefixed page URL by themselves.

export function prefixedPath(absoluteUrl: string): string {
  return `/${absoluteUrl}`;
}

/** The recorded URL named by a prefixed request path, or null if the path is not one. */
export function urlFromPrefixedPath(path: string): string | null {
  // Some clients squash "//" in paths: accept "/https:/host/..." too.
  const m = /^\/(https?):\/\/?(.*)$/i.exec(path);
  if (!m) return null;
  try {
    return new URL(`${m[1].toLowerCase()}://${m[2]}`).href;
  } catch {
    return null;
  }
}

/** Maps a URL found in a page at `base` to where the replay serves it; null to leave it alone. */
export function rewriteUrl(value: string, base: string): string | null {
  const url = value.trim();
  if (!/^(https?:\/\/|\/)/i.test(url)) return null; // relative, fragment, data:, mailto:, javascript: ...
  try {
    const absolute = new URL(url, base);
    if (absolute.protocol !== 'http:' && absolute.protocol !== 'https:') return null;
    return prefixedPath(absolute.href);
  } catch {
    return null;
  }
}

/** A Location header may be relative; it is resolved against the response's URL. */
export function rewriteLocation(value: string, base: string): string {
  try {
    return prefixedPath(new URL(value.trim(), base).href);
  } catch {
    return value;
  }
}

/** `Refresh: 5; url=/next` (header or meta): rewrites the URL part, keeps the delay. */
export function rewriteRefresh(value: string, base: string): string {
  const m = /^(\s*\d*\.?\d*\s*[;,]\s*(?:url\s*=\s*)?)(['"]?)(.*?)\2(\s*)$/is.exec(value);
  if (!m || m[3] === '') return value;
  try {
    return `${m[1]}${m[2]}${prefixedPath(new URL(m[3], base).href)}${m[2]}${m[4]}`;
  } catch {
    return value;
  }
}

const URL_ATTRIBUTES = 'href|src|action|formaction|poster|background|data|cite|longdesc|icon|manifest|ping|srcset|imagesrcset';
const ATTRIBUTE = new RegExp(`(\\s(?:${URL_ATTRIBUTES})\\s*=\\s*)(?:"([^"]*)"|'([^']*)'|([^\\s"'=<>\`]+))`, 'gi');
const META_REFRESH = /<meta\b[^>]*\bhttp-equiv\s*=\s*["']?refresh["']?[^>]*>/gi;
const CONTENT_ATTRIBUTE = /(\scontent\s*=\s*)(?:"([^"]*)"|'([^']*)')/i;

/**
 * Rewrites URL attributes of an HTML document (given as a latin1 string, so every byte survives
 * whatever the charset) and the URL of meta refresh tags.
 */
export function rewriteHtml(html: string, base: string): string {
  const quoted = (prefix: string, q: string, value: string) => `${prefix}${q}${value}${q}`;
  const withAttributes = html.replace(ATTRIBUTE, (whole, prefix: string, dq?: string, sq?: string, bare?: string) => {
    const value = dq ?? sq ?? bare ?? '';
    const q = dq !== undefined ? '"' : sq !== undefined ? "'" : '';
    const isSrcset = /srcset\s*=\s*$/i.test(prefix);
    const rewritten = isSrcset ? rewriteSrcset(value, base) : rewriteUrl(value, base);
    return rewritten === null ? whole : quoted(prefix, q, rewritten);
  });
  return withAttributes.replace(META_REFRESH, (tag) =>
    tag.replace(CONTENT_ATTRIBUTE, (whole, prefix: string, dq?: string, sq?: string) => {
      const q = dq !== undefined ? '"' : "'";
      return quoted(prefix, q, rewriteRefresh(dq ?? sq ?? '', base));
    }),
  );
}

function rewriteSrcset(value: string, base: string): string | null {
  let changed = false;
  const candidates = value.split(',').map((candidate) => {
    const m = /^(\s*)(\S+)(.*)$/s.exec(candidate);
    const rewritten = m ? rewriteUrl(m[2], base) : null;
    if (!m || rewritten === null) return candidate;
    changed = true;
    return `${m[1]}${rewritten}${m[3]}`;
  });
  return changed ? candidates.join(',') : null;
}
