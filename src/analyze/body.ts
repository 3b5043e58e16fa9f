// Reading recorded bodies for analysis. Bodies are stored as received (content-encoding kept);
// decoding (src/http/content-coding.ts) is capped because a hostile server can send a compression bomb.
import type { HeaderLine } from '../model.js';
import { decodeContent } from '../http/content-coding.js';
import { headerValue } from '../http/wire.js';
import { withoutFragment } from '../http/url-key.js';
import { htmlUnescape } from './unwrap/url-text.js';

/** The body without its Content-Encoding; as recorded when it does not decode (within the limit). */
export function decodeBody(body: Buffer, headers: HeaderLine[]): Buffer {
  const decoded = decodeContent(body, headerValue(headers, 'content-encoding'));
  return decoded.ok ? decoded.bytes : body;
}

/** Body as text, using the charset of Content-Type (or a meta charset), defaulting to UTF-8. */
export function bodyText(body: Buffer, headers: HeaderLine[]): string {
  const decoded = decodeBody(body, headers);
  const contentType = headerValue(headers, 'content-type') ?? '';
  let charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (!charset) charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(decoded.subarray(0, 4096).toString('latin1'))?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(decoded);
  } catch {
    return decoded.toString('utf8');
  }
}

/**
 * The `<meta http-equiv="refresh">` of an HTML document that leads to `followed` (resolved against
 * `base`), else its first one: the tag as written and its parts. A page can hold several (one inside
 * <noscript>, for browsers without JavaScript); the evidence is the one the browser followed.
 */
export function findMetaRefresh(
  html: string,
  followed?: { base: string; url: string },
): { tag: string; delay: number | null; url: string | null } | null {
  const found: { tag: string; delay: number | null; url: string | null }[] = [];
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?\s*refresh/i.test(tag)) continue;
    const content = /content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = content ? (content[1] ?? content[2] ?? content[3] ?? '') : '';
    found.push({ tag, ...parseRefresh(htmlUnescape(value)) });
  }
  const leadsThere = (url: string | null) => {
    if (!followed || url === null) return false;
    try {
      return withoutFragment(new URL(url, followed.base).href) === withoutFragment(new URL(followed.url).href);
    } catch {
      return false;
    }
  };
  return found.find((m) => leadsThere(m.url)) ?? found[0] ?? null;
}

/** Parses a Refresh value: `5; url=https://...` (also without `url=`, with quotes). */
export function parseRefresh(value: string): { delay: number | null; url: string | null } {
  const m = /^\s*(\d+(?:\.\d*)?)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$/i.exec(value);
  if (!m) return { delay: null, url: null };
  const url = (m[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  return { delay: m[1] !== undefined ? Number(m[1]) : null, url: url || null };
}

/**
 * A document's own `<title>` as it was served (before any script ran), trimmed; null when it has
 * none. Read from its head (up to `</head>` or `<body>`) in the first 64 KiB: a `<title>` of an
 * SVG in the body is not the page's.
 */
export function servedTitle(html: string): string | null {
  const start = html.slice(0, 64 * 1024);
  const end = start.search(/<\/head\b|<body\b/i);
  const match = /<title[^>]*>([^<]*)<\/title>/i.exec(end >= 0 ? start.slice(0, end) : start);
  return match ? match[1].trim() : null;
}
