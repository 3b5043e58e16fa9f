// What a browser makes of an href. Phishing mail writes hrefs to fool the parsers of filters
// while a browser still follows them: leading whitespace, tabs and line breaks, character
// references inside the host ("&#159;" is U+009F, which HTML turns into "Ÿ"), letters IDNA maps
// to others ("𝘄𝗮𝗸𝗲" is "wake"), backslashes, a missing "//", numeric or percent-encoded hosts.
// The URL is read the way a browser reads it: the attribute's character references decoded by
// the HTML rules (parseAttributes), then Node's URL, which implements the WHATWG URL Standard
// with UTS #46 IDNA, as browsers do. Hrefs no browser would follow are reported with the reason.

import { domainToUnicode } from 'node:url';
import { decodeHTMLAttribute } from 'entities';

export interface HrefReading {
  /** The URL a browser goes to; for an href it would not follow, the attribute as decoded. */
  url: string;
  /** A browser follows it only after trimming, decoding or mapping what is written. */
  malformed: boolean;
  /** Why no browser would follow it; null when one would. */
  unfollowable: string | null;
  /** What a browser does to it, or what it hides, in words. */
  notes: string[];
}

/** Plain http(s) URLs a browser takes as written: ASCII host, no whitespace, controls or backslashes. */
const PLAIN_URL = /^https?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?(?::\d{1,5})?(?:[/?#][\x21-\x5b\x5d-\x7e]*)?$/;
const NUMERIC_HOST = /^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d*))*$/i;
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const EDGE_C0 = /^[\x00-\x20]+|[\x00-\x20]+$/g;
const CHAR_REFERENCE = /&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?/g;
const OTHER_REFERENCE = /&(?!amp;)(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)/;
const PLACEHOLDER = /[{}]|%%|\[[A-Z_]{3,}\]|\*\|/;
const C1 = /[\u0080-\u009f]/;
const RAW_LEADING_SPACE = /^(?:[\x00-\x20]|&#(?:[xX]0*(?:9|[aAdD]|20)|0*(?:9|10|13|32));?)+/;

function codePoints(text: string): string {
  return [...text].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}

/** Character references in the raw attribute, other than the "&amp;" every href with a query uses. */
function characterReferences(raw: string): { reference: string; at: number }[] {
  const found: { reference: string; at: number }[] = [];
  for (const m of raw.matchAll(CHAR_REFERENCE)) {
    if (/^&(?:amp;?|#0*38;?|#x0*26;?)$/i.test(m[0])) continue;
    // "&lid=9" in a query is no reference: a name is one only when HTML decodes it in an attribute
    // (a known name; without ";" only a legacy one not followed by "=" or a letter or digit).
    if (!m[0].startsWith('&#')) {
      const written = raw.slice(m.index, m.index + m[0].length + 1);
      if (decodeHTMLAttribute(written) === written) continue;
    }
    found.push({ reference: m[0], at: m.index });
  }
  return found;
}

/** Where the scheme and authority of a written URL end (the first "/", "?" or "#" after "//"). */
function authorityEnd(text: string): number {
  const start = /^[a-z][a-z0-9+.-]*:[\\/]*/i.exec(text)?.[0].length ?? 0;
  const rest = text.slice(start).search(/[/\\?#]/);
  return rest === -1 ? text.length : start + rest;
}

/** The host as written: after the scheme and slashes, before the port, path, query or fragment, without user info. */
function writtenHost(text: string): string {
  const authority = text.slice(/^[a-z][a-z0-9+.-]*:[\\/]*/i.exec(text)?.[0].length ?? 0, authorityEnd(text));
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? host : host.replace(/:\d*$/, '');
}

function isWeb(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/**
 * Reads an href (or area href, form action) as a browser would. `decoded` is the attribute with
 * its character references decoded, `raw` gives it as written; `referencesPossible` false says
 * the tag has no reference other than "&amp;" (so `raw` need not be read for a plain URL).
 * Returns null for a same-document fragment ("#top"), which is no link anywhere.
 */
export function readHref(decoded: string, raw: () => string, base: string | null, referencesPossible = true): HrefReading | null {
  const trimmed = decoded.replace(EDGE_C0, '');
  const compact = trimmed.replace(/[\t\n\r]/g, '');
  if (compact.startsWith('#')) return null;
  if (trimmed === decoded && compact === trimmed && PLAIN_URL.test(compact) && !NUMERIC_HOST.test(writtenHost(compact))) {
    if (!referencesPossible || characterReferences(raw()).length === 0)
      return { url: compact, malformed: false, unfollowable: null, notes: [] };
  }
  return readSlowly(decoded, raw(), compact, base);
}

/** Whether tag text may hold a character reference other than "&amp;" (a cheap test before reading an attribute as written). */
export function mayHoldReferences(tagText: string): boolean {
  return OTHER_REFERENCE.test(tagText);
}

function readSlowly(decoded: string, raw: string, compact: string, base: string | null): HrefReading {
  const malformed: string[] = [];
  const notes: string[] = [];
  const leading = /^[\x00-\x20]+/.exec(decoded)?.[0];
  if (leading) malformed.push(`leading ${/^[ ]+$/.test(leading) ? 'spaces' : 'whitespace or control characters'} dropped`);
  if (/[\x00-\x20]$/.test(decoded)) notes.push('trailing whitespace dropped');
  const inner = decoded.replace(EDGE_C0, '');
  if (compact === '' && base) notes.push('empty href: the browser goes to the base URL');
  const hostEnd = authorityEnd(inner);
  if (/[\t\n\r]/.test(inner.slice(0, hostEnd))) malformed.push('tab or line break inside the scheme or host dropped');
  else if (/[\t\n\r]/.test(inner)) notes.push('tab or line break inside the URL dropped');

  const references = characterReferences(raw);
  if (references.length) {
    // Whitespace in front may itself be written as references ("&#32;").
    const leadingLength = RAW_LEADING_SPACE.exec(raw)?.[0].length ?? 0;
    // The "#" of a reference is no fragment: references are blanked (same length) before looking for the host's end.
    const blanked = raw.slice(leadingLength).replace(CHAR_REFERENCE, (ref) => 'x'.repeat(ref.length));
    const hostEnd = leadingLength + authorityEnd(blanked);
    const inHost = references.filter((r) => r.at < hostEnd);
    const shown = (list: typeof references) => {
      const text = [...new Set(list.map((r) => r.reference))].slice(0, 6).join(' ');
      const c1 = list.some((r) => /^&#(?:x0*[89a-f][0-9a-f]|0*1(?:2[89]|[3-5]\d));?$/i.test(r.reference));
      return c1 ? `${text} (C1 code points, which HTML reads as windows-1252 characters)` : text;
    };
    if (inHost.length) malformed.push(`character references in the scheme or host decoded: ${shown(inHost)}`);
    else notes.push(`character references decoded: ${shown(references)}`);
  }

  let url: URL | null = null;
  try {
    url = new URL(compact, base ?? undefined);
  } catch {
    if (compact.startsWith('//') && !base) {
      try {
        url = new URL(compact, 'https://webmail.invalid/');
        malformed.push('scheme-relative ("//host"): a webmail page served over https makes it https:');
      } catch {
        url = null;
      }
    }
  }
  if (!url) return { url: compact, malformed: false, unfollowable: whyNotFollowed(compact, inner), notes: [...malformed, ...notes] };

  if (isWeb(url)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(compact)) {
      const slashes = /^[a-z][a-z0-9+.-]*:([\\/]*)/i.exec(compact)![1];
      if (slashes.includes('\\')) malformed.push('backslashes after the scheme read as slashes');
      else if (slashes.length !== 2)
        malformed.push(`"${compact.slice(0, compact.indexOf(':') + 1)}" followed by ${slashes.length} slash(es): read as "//"`);
    }
    if (compact.slice(0, authorityEnd(compact)).includes('\\') && !malformed.some((m) => m.startsWith('backslashes')))
      malformed.push('backslash in the host part read as a slash');
    const host = writtenHost(compact);
    if (url.username || url.password) {
      notes.push(`text before "@" is user info ("${decodeURIComponent(url.username).slice(0, 80)}"): the browser goes to ${url.hostname}`);
    }
    if (host.includes('%')) malformed.push(`percent-encoded host "${host}" is ${url.hostname}`);
    else if (NUMERIC_HOST.test(host) && !DOTTED_QUAD.test(host.replace(/\.$/, '')))
      malformed.push(`host "${host}" is the IP address ${url.hostname}`);
    else if (/[^\x00-\x7f]/.test(host)) {
      const unicode = domainToUnicode(url.hostname);
      if (C1.test(host)) malformed.push(`C1 control characters in the host (${codePoints(host.match(/[\u0080-\u009f]/g)!.join(''))})`);
      if (unicode.normalize('NFC') !== host.toLowerCase().normalize('NFC').replace(/\.$/, ''))
        malformed.push(`host written "${host}" is ${url.hostname} (${unicode}) after IDNA mapping`);
      else notes.push(`internationalised host ${host} (${url.hostname})`);
    }
  }
  // Outside http(s) (mailto:, tel:...) nothing here changes where a click goes: remarks only.
  const isMalformed = malformed.length > 0 && isWeb(url);
  return {
    // A clean absolute URL stays as written; a relative one is resolved; a malformed one is what the browser makes of it.
    url: isMalformed || !/^[a-z][a-z0-9+.-]*:/i.test(compact) ? url.href : compact,
    malformed: isMalformed,
    unfollowable: null,
    notes: [...malformed, ...notes],
  };
}

function whyNotFollowed(compact: string, inner: string): string {
  if (compact === '') return 'empty href';
  if (PLACEHOLDER.test(compact)) return 'an unfilled mail-merge placeholder, not a URL';
  if (!/^[a-z][a-z0-9+.-]*:/i.test(compact)) {
    const looksLikeHost = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]|$)/i.test(compact);
    return looksLikeHost
      ? `a relative reference with no base URL (a URL without its scheme?): no mail client resolves it to http://${compact.slice(0, 80)}`
      : 'a relative reference with no base URL: a mail client cannot resolve it';
  }
  if (C1.test(inner)) return `the URL parser rejects it: C1 control characters (${codePoints(inner.match(/[\u0080-\u009f]/g)!.join(''))})`;
  return 'the URL parser rejects it (invalid host or port)';
}
