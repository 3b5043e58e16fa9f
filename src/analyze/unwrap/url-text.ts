// Small, forgiving string helpers for URLs as they appear in mail and wrapper tokens. Wrapped URLs
// are decoded from the raw text, not from WHATWG-normalised URL objects, because normalisation
// re-encodes characters ({, }, ^, quotes) that some decoders (Proofpoint v3) must see verbatim.

/** The parts of an absolute URL, exactly as written (nothing decoded or re-encoded). */
export interface RawUrl {
  scheme: string;
  authority: string;
  /** Path as written, starting with "/" (or empty). */
  path: string;
  /** Query without the "?" (null when there is no "?"). */
  query: string | null;
  fragment: string | null;
  /** Everything after the authority: path, "?query" and "#fragment". */
  rest: string;
}

const RAW_URL = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/is;

export function splitRawUrl(url: string): RawUrl | null {
  const m = RAW_URL.exec(url);
  if (!m) return null;
  const authority = m[2];
  return {
    scheme: m[1].toLowerCase(),
    authority,
    path: m[3],
    query: m[4] ?? null,
    fragment: m[5] ?? null,
    rest: url.slice(m[1].length + 3 + authority.length),
  };
}

/**
 * Decodes valid %XX sequences (as UTF-8) and leaves everything else alone: stray "%" signs and
 * byte runs that are not valid UTF-8 survive unchanged. "+" is not a space here: in the URLs we
 * decode it is nearly always a literal plus.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, decodeByteRun);
  }
}

/** Decodes a run of %XX escapes character by character, keeping escapes that are not UTF-8. */
function decodeByteRun(run: string): string {
  const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    const text = i + length <= bytes.length ? utf8OrNull(bytes.subarray(i, i + length)) : null;
    if (text === null) {
      out += run.slice(i * 3, i * 3 + 3);
      i += 1;
    } else {
      out += text;
      i += length;
    }
  }
  return out;
}

/** Percent-decodes once, and once more when the result is still an encoded URL ("https%3A..."). */
export function decodeEmbeddedUrl(text: string): string {
  const once = percentDecode(text);
  return /^https?%3a/i.test(once) ? percentDecode(once) : once;
}

/** Query parameters in order, names decoded, values raw (still percent-encoded). */
export function rawQueryParams(query: string | null): [name: string, rawValue: string][] {
  if (!query) return [];
  const out: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    out.push([percentDecode(name), eq < 0 ? '' : part.slice(eq + 1)]);
  }
  return out;
}

/** First raw value of the first listed parameter present (names compared case-sensitively). */
export function firstParam(query: string | null, names: readonly string[]): { name: string; raw: string } | null {
  const params = rawQueryParams(query);
  for (const name of names) {
    const hit = params.find(([n]) => n === name);
    if (hit) return { name, raw: hit[1] };
  }
  return null;
}

const BASE64_TEXT = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Strict-enough base64 / base64url decoding: null when the text is not base64 at all. */
export function decodeBase64(text: string): Buffer | null {
  const trimmed = text.trim();
  if (trimmed === '' || !BASE64_TEXT.test(trimmed)) return null;
  const body = trimmed.replace(/=+$/, '');
  if (body.length % 4 === 1) return null; // cannot come from any byte string
  return Buffer.from(body, 'base64'); // Node accepts both alphabets under 'base64'
}

/** Decodes bytes as UTF-8, or null when they are not valid UTF-8. */
export function utf8OrNull(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function base64ToText(text: string): string | null {
  const bytes = decodeBase64(text);
  return bytes ? utf8OrNull(bytes) : null;
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/gi, (whole, name: string) => HTML_ENTITIES[name.toLowerCase()] ?? whole);
}

/** Undoes the usual defanging of a scheme ("hxxps://", "hXXp://"). */
export function refang(text: string): string {
  return text.replace(/^hxxp(s?)(:|%3a)/i, (_w, s: string, colon: string) => `http${s}${colon}`);
}

const HOST_LIKE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9](?::\d+)?(?:[/?#]|$)/i;

export function hasScheme(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) && !HOST_LIKE.test(text);
}

/**
 * Cleans a URL as pasted by an analyst or scraped from HTML: trims, refangs, turns "&amp;" back
 * into "&", and adds a scheme to "host/path" and "//host/path" forms.
 */
export function normalizeInputUrl(text: string, defaultScheme: 'http' | 'https' = 'https'): string {
  let url = refang(text.trim());
  if (url.includes('&amp;')) url = htmlUnescape(url);
  if (url.startsWith('//')) return `${defaultScheme}:${url}`;
  if (!hasScheme(url) && HOST_LIKE.test(url)) return `${defaultScheme}://${url}`;
  return url;
}

export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
