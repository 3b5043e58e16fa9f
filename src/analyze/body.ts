// Reading recorded bodies for analysis. Bodies are stored as received (content-encoding kept);
// decoding (src/http/content-coding.ts) is capped because a hostile server can send a compression bomb.
import type { HeaderLine } from '../model.js';
import { decodeContent } from '../http/content-coding.js';
import { headerValue } from '../http/wire.js';

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

/** The first `<meta http-equiv="refresh">` of an HTML document: the tag as written and its parts. */
export function findMetaRefresh(html: string): { tag: string; delay: number | null; url: string | null } | null {
  const tags = html.match(/<meta\b[^>]*>/gi) ?? [];
  for (const tag of tags) {
    if (!/http-equiv\s*=\s*["']?\s*refresh/i.test(tag)) continue;
    const content = /content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = content ? (content[1] ?? content[2] ?? content[3] ?? '') : '';
    return { tag, ...parseRefresh(value) };
  }
  return null;
}

/** Parses a Refresh value: `5; url=https://...` (also without `url=`, with quotes). */
export function parseRefresh(value: string): { delay: number | null; url: string | null } {
  const m = /^\s*(\d+(?:\.\d*)?)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$/i.exec(value);
  if (!m) return { delay: null, url: null };
  const url = (m[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  return { delay: m[1] !== undefined ? Number(m[1]) : null, url: url || null };
}
