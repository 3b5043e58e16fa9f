// Where a recorded document sent the browser next without an HTTP redirect, read from its answer
// alone: a Refresh header, a <meta http-equiv="refresh">, or a script's literal location
// assignment; the frames it loads inside itself; and the links a visitor may follow from it (an
// <a> or <area> href, a literal window.open()). A capture without browser events (the proxy's, an
// imported HAR or flow file) knows these navigations only from the page that made them.
import type { Exchange } from '../model.js';
import { headerValue } from '../http/wire.js';
import { bodyText, findMetaRefresh, parseRefresh } from '../analyze/body.js';
import { withoutFragment } from '../http/url-key.js';
import { htmlUnescape } from '../analyze/unwrap/url-text.js';

export type NextDocument =
  /** `frame`: loaded inside the page (an <iframe> or <frame> src), not instead of it; `link`: there to follow, not followed by itself. */
  | { kind: 'refresh-header' | 'meta-refresh' | 'frame' | 'link'; url: string }
  /** `line`: 1-based, of the document's text. */
  | { kind: 'script'; url: string; line: number };

/** `location = "…"`, `location.href = '…'`, `location.replace("…")`, `location.assign(…)`, on window, top, self or document. */
const SCRIPT_NAVIGATION =
  /\b(?:(?:window|top|self|document)\s*\.\s*)?location(?:\s*\.\s*href)?\s*=(?!=)\s*(["'`])([^"'`\r\n]{1,2048})\1|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(["'`])([^"'`\r\n]{1,2048})\3\s*\)/g;

const LINK =
  /<(?:a|area)\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))|\bwindow\s*\.\s*open\s*\(\s*(["'`])([^"'`\r\n]{1,2048})\4/gi;

const FRAME_SOURCE = /<i?frame\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** The documents `exchange`'s answer asks the browser to load next, resolved against its URL, without fragment. */
export function nextDocuments(exchange: Exchange): NextDocument[] {
  let found = read.get(exchange);
  if (!found) read.set(exchange, (found = readNextDocuments(exchange)));
  return found;
}

/** Each answer read once: a chain is rebuilt by asking of every earlier document. */
const read = new WeakMap<Exchange, NextDocument[]>();

function readNextDocuments(exchange: Exchange): NextDocument[] {
  const response = exchange.response;
  if (!response) return [];
  const base = exchange.request.url;
  const out: NextDocument[] = [];
  const add = (found: NextDocument) => {
    try {
      const url = withoutFragment(new URL(found.url, base).href);
      if (/^https?:/i.test(url)) out.push({ ...found, url });
    } catch {
      // not a URL: nothing a browser would load
    }
  };
  const header = headerValue(response.headers, 'refresh');
  const fromHeader = header === null ? null : parseRefresh(header).url;
  if (fromHeader) add({ kind: 'refresh-header', url: fromHeader });
  const type = headerValue(response.headers, 'content-type');
  if (type !== null && !/html/i.test(type)) return out;
  const html = bodyText(response.body, response.headers).slice(0, 512 * 1024);
  const meta = findMetaRefresh(html);
  if (meta?.url) add({ kind: 'meta-refresh', url: meta.url });
  for (const m of html.matchAll(FRAME_SOURCE)) add({ kind: 'frame', url: htmlUnescape(m[1] ?? m[2] ?? m[3]) });
  for (const m of html.matchAll(SCRIPT_NAVIGATION)) {
    const line = html.slice(0, m.index).split('\n').length;
    // A JSON-style escaped slash ("https:\/\/…") is a slash to the script.
    add({ kind: 'script', url: (m[2] ?? m[4]).replace(/\\\//g, '/'), line });
  }
  for (const m of html.matchAll(LINK)) add({ kind: 'link', url: m[5] ?? htmlUnescape(m[1] ?? m[2] ?? m[3]) });
  return out;
}
