// Each recorded exchange of a case as the case page shows it: raw request and response heads,
// and a text preview of the body (content-encoding undone), read back from the case's WARC.
import { decodeContent } from '../http/content-coding.js';
import { headerValue, requestHeadText, responseHeadText } from '../http/wire.js';
import type { Exchange } from '../model.js';

export interface BodyPreview {
  /** Bytes as recorded (before content-decoding). */
  bytes: number;
  /** The first characters when the body is text, else null. */
  text: string | null;
  /** The preview stops before the end of the body. */
  cut: boolean;
  /** Why there is no text preview, or what to know about it. */
  note: string | null;
}

export interface ExchangeView {
  id: string;
  startedAt: string;
  method: string;
  url: string;
  status: number | null;
  remoteAddress: string | null;
  error: string | null;
  requestHead: string;
  responseHead: string | null;
  requestBody: BodyPreview | null;
  responseBody: BodyPreview | null;
  tls: { protocol: string | null; authorized: boolean; error: string | null; certSha256: string | null } | null;
}

export const PREVIEW_CHARS = 4000;
const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|ecmascript|x-www-form-urlencoded)|image\/svg\+xml)/i;

export function bodyPreview(body: Buffer, headers: [string, string][], truncated: boolean): BodyPreview | null {
  if (body.length === 0) return null;
  const decoded = decodeContent(body, headerValue(headers, 'content-encoding'), { truncated });
  if (!decoded.ok) return { bytes: body.length, text: null, cut: false, note: `encoded body not shown (${decoded.reason})` };
  const type = headerValue(headers, 'content-type') ?? '';
  const bytes = decoded.bytes;
  let text: string | null = null;
  if (!type || TEXTUAL.test(type)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, PREVIEW_CHARS * 4));
    } catch {
      text = TEXTUAL.test(type) ? bytes.subarray(0, PREVIEW_CHARS).toString('latin1') : null;
    }
  }
  if (text === null || text.includes('\u0000')) {
    return { bytes: body.length, text: null, cut: false, note: `binary body (${type || 'no content type'}), ${bytes.length} bytes` };
  }
  const cut = text.length > PREVIEW_CHARS || bytes.length > PREVIEW_CHARS * 4;
  return {
    bytes: body.length,
    text: lines(text.slice(0, PREVIEW_CHARS)),
    cut,
    note: truncated ? 'the recording cut this body at its size cap' : null,
  };
}

/** CRLF line ends as newlines; a lone CR stays (and is shown as \x0d: it may be a smuggling attempt). */
function lines(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

export function exchangeView(x: Exchange): ExchangeView {
  return {
    id: x.id,
    startedAt: x.startedAt,
    method: x.request.method,
    url: x.request.url,
    status: x.response?.status ?? null,
    remoteAddress: x.remoteAddress,
    error: x.error,
    requestHead: lines(requestHeadText(x.request)),
    responseHead: x.response ? lines(responseHeadText(x.response)) : null,
    requestBody: bodyPreview(x.request.body, x.request.headers, false),
    responseBody: x.response ? bodyPreview(x.response.body, x.response.headers, x.response.bodyTruncated) : null,
    tls: x.tls
      ? {
          protocol: x.tls.protocol,
          authorized: x.tls.authorized,
          error: x.tls.authorizationError,
          certSha256: x.tls.chain[0]?.sha256 ?? null,
        }
      : null,
  };
}
