// postal-mime keeps an unencoded (7bit/8bit/binary) body as one Blob part per line and reads it
// back through Node's Blob reader: about 27 µs a line, so a 20 MB 8-bit part of short lines took
// 20 s and 1.3 GB. Base64 bodies are decoded in 100 KB chunks instead. Before decoding a large
// message, its large unencoded leaf parts are therefore re-encoded as base64, with exactly the
// bytes postal-mime would have produced (each line, trailing CRs dropped, followed by "\n"), so
// the decoded result is unchanged and only the cost differs.

export interface CompactOptions {
  /** Messages smaller than this are passed through untouched. */
  minMessageBytes?: number;
  /** Unencoded parts smaller than this are left as they are. */
  minPartBytes?: number;
}

const DEFAULTS: Required<CompactOptions> = { minMessageBytes: 1024 * 1024, minPartBytes: 256 * 1024 };
const MAX_DEPTH = 32;
const UNENCODED = new Set(['', '7bit', '8bit', 'binary']);

/** Offset of the blank line ending the header block at `start`, and of the body after it. */
function splitHeaders(buf: Buffer, start: number, end: number): { headerEnd: number; bodyStart: number } | null {
  if (buf[start] === 10) return { headerEnd: start, bodyStart: start + 1 };
  if (buf[start] === 13 && buf[start + 1] === 10) return { headerEnd: start, bodyStart: start + 2 };
  // Searched within this part only: scanning the rest of the message for every part is quadratic.
  const part = buf.subarray(start, end);
  const lf = part.indexOf('\n\n');
  const crlf = part.indexOf('\n\r\n');
  if (lf === -1 && crlf === -1) return null;
  const at = lf === -1 ? crlf : crlf === -1 ? lf : Math.min(lf, crlf);
  return { headerEnd: start + at + 1, bodyStart: start + at + (at === lf ? 2 : 3) };
}

function headerValue(headers: string, name: string): string | null {
  const match = new RegExp(`^${name}[ \\t]*:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(headers);
  return match ? match[1].replace(/\r?\n[ \t]/g, ' ').trim() : null;
}

function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^multipart\//i.test(contentType)) return null;
  const match = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : null;
}

/** The body as postal-mime's pass-through decoder would emit it. */
function passThroughBytes(body: Buffer): Buffer {
  let end = body.length;
  if (end > 0 && body[end - 1] === 10) end--;
  const lines = body.toString('latin1', 0, end).split('\n');
  return Buffer.from(lines.map((line) => line.replace(/\r+$/, '')).join('\n') + '\n', 'latin1');
}

function base64Lines(bytes: Buffer): string {
  return bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
}

function rewriteLeaf(buf: Buffer, start: number, end: number, headers: string, bodyStart: number, minPartBytes: number, out: Buffer[]): void {
  const encoding = (headerValue(headers, 'content-transfer-encoding') ?? '').toLowerCase();
  if (!UNENCODED.has(encoding) || end - bodyStart < minPartBytes) {
    out.push(buf.subarray(start, end));
    return;
  }
  const otherHeaders = headers.replace(/^content-transfer-encoding[ \t]*:.*(?:\r?\n[ \t].*)*(?:\r?\n|$)/gim, '');
  const newline = /\r\n/.test(headers) ? '\r\n' : '\n';
  const head = otherHeaders.length && !otherHeaders.endsWith('\n') ? otherHeaders + newline : otherHeaders;
  out.push(Buffer.from(`${head}Content-Transfer-Encoding: base64${newline}${newline}`, 'latin1'));
  out.push(Buffer.from(base64Lines(passThroughBytes(buf.subarray(bodyStart, end))), 'latin1'));
}

function rewrite(buf: Buffer, start: number, end: number, depth: number, minPartBytes: number, out: Buffer[]): void {
  const split = depth < MAX_DEPTH ? splitHeaders(buf, start, end) : null;
  if (!split) {
    out.push(buf.subarray(start, end));
    return;
  }
  const headers = buf.toString('latin1', start, split.headerEnd);
  const boundary = boundaryOf(headerValue(headers, 'content-type'));
  if (!boundary) {
    rewriteLeaf(buf, start, end, headers, split.bodyStart, minPartBytes, out);
    return;
  }
  // Delimiter lines "--boundary" at line starts; parts lie between them, the line break before a
  // delimiter belonging to the delimiter.
  const delimiter = `--${boundary}`;
  const delimiters: { at: number; lineEnd: number; closing: boolean }[] = [];
  for (let at = buf.indexOf(delimiter, split.bodyStart); at !== -1 && at < end; at = buf.indexOf(delimiter, at + delimiter.length)) {
    if (at !== split.bodyStart && buf[at - 1] !== 10) continue;
    const newline = buf.indexOf(10, at);
    const lineEnd = newline === -1 || newline >= end ? end : newline + 1;
    delimiters.push({ at, lineEnd, closing: buf.toString('latin1', at + delimiter.length, at + delimiter.length + 2) === '--' });
    if (delimiters[delimiters.length - 1].closing) break;
  }
  if (delimiters.length === 0) {
    out.push(buf.subarray(start, end));
    return;
  }
  out.push(buf.subarray(start, delimiters[0].lineEnd));
  for (let i = 0; i < delimiters.length; i++) {
    const partStart = delimiters[i].lineEnd;
    const next = delimiters[i + 1];
    if (delimiters[i].closing || !next) {
      out.push(buf.subarray(partStart, end));
      return;
    }
    let partEnd = next.at;
    if (partEnd > partStart && buf[partEnd - 1] === 10) partEnd--;
    if (partEnd > partStart && buf[partEnd - 1] === 13) partEnd--;
    rewrite(buf, partStart, partEnd, depth + 1, minPartBytes, out);
    out.push(buf.subarray(partEnd, next.lineEnd));
  }
}

/** The message with large unencoded leaf parts re-encoded as base64; small messages as they are. */
export function compactUnencodedParts(raw: Buffer, options: CompactOptions = {}): Buffer {
  const { minMessageBytes, minPartBytes } = { ...DEFAULTS, ...options };
  if (raw.length < minMessageBytes) return raw;
  try {
    const out: Buffer[] = [];
    rewrite(raw, 0, raw.length, 0, minPartBytes, out);
    return out.length === 1 ? out[0] : Buffer.concat(out);
  } catch {
    return raw;
  }
}
