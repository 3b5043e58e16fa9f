// The files a trace was handed: every exchange the browser turned into a download (its
// `download` event) or that the server sent as an attachment, with the file's name, declared and
// recognised type, size and SHA-256, from the recorded bytes (never opened, never written out).
import { createHash } from 'node:crypto';
import type { Capture, Exchange } from '../model.js';
import { decodeBody } from '../analyze/body.js';
import { headerValue } from '../http/wire.js';
import { withoutFragment } from '../http/url-key.js';

export interface DownloadFact {
  url: string;
  filename: string;
  /** Content-Type as the server declared it. */
  contentType: string | null;
  /** What the first bytes say it is ("ZIP archive", "Windows executable"), when recognised. */
  magic: string | null;
  /** Bytes of the file (content-encoding undone). */
  size: number;
  /** Of the file's bytes; null when the recording cut the body (the hash would not be the file's). */
  sha256: string | null;
  /** The recording kept only the start of the body (size cap). */
  truncated: boolean;
  exchange: string;
}

// A handful of signatures an analyst wants named at a glance; the declared type is shown beside
// it. (A library such as file-type knows hundreds, for a dependency tree this page does not need.)
const MAGIC: [prefix: number[], name: string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'ZIP archive (also .docx, .xlsx, .jar, .apk)'],
  [[0x4d, 0x5a], 'Windows executable'],
  [[0x7f, 0x45, 0x4c, 0x46], 'ELF executable'],
  [[0x25, 0x50, 0x44, 0x46], 'PDF document'],
  [[0x1f, 0x8b], 'gzip data'],
  [[0x52, 0x61, 0x72, 0x21], 'RAR archive'],
  [[0x37, 0x7a, 0xbc, 0xaf], '7-Zip archive'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'OLE2 document (old Office)'],
  [[0xcf, 0xfa, 0xed, 0xfe], 'Mach-O executable'],
];

export function magicName(bytes: Buffer): string | null {
  return MAGIC.find(([prefix]) => prefix.every((b, i) => bytes[i] === b))?.[1] ?? null;
}

/** The file name of a Content-Disposition header (filename* first, RFC 6266), or null. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[2].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  return (
    /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i
      .exec(header)
      ?.slice(1)
      .find((v) => v !== undefined)
      ?.trim() || null
  );
}

function urlFilename(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    return last ? decodeURIComponent(last) : '(no name)';
  } catch {
    return '(no name)';
  }
}

function isAttachment(x: Exchange): boolean {
  return /^\s*attachment/i.test(x.response ? (headerValue(x.response.headers, 'content-disposition') ?? '') : '');
}

export function downloadsOf(capture: Pick<Capture, 'events' | 'exchanges'>): DownloadFact[] {
  const announced = new Map<string, string>();
  for (const e of capture.events) if (e.type === 'download') announced.set(withoutFragment(e.url), e.suggestedFilename);
  const facts: DownloadFact[] = [];
  for (const x of capture.exchanges) {
    const url = withoutFragment(x.request.url);
    if (!x.response || x.response.status >= 300 || !(announced.has(url) || isAttachment(x))) continue;
    if (facts.some((f) => f.url === url)) continue;
    const headers = x.response.headers;
    const bytes = decodeBody(x.response.body, headers);
    facts.push({
      url,
      filename: announced.get(url) || dispositionFilename(headerValue(headers, 'content-disposition')) || urlFilename(url),
      contentType: headerValue(headers, 'content-type'),
      magic: magicName(bytes),
      size: x.response.bodyTruncated ? x.response.bodyLength : bytes.length,
      sha256: x.response.bodyTruncated ? null : createHash('sha256').update(bytes).digest('hex'),
      truncated: x.response.bodyTruncated,
      exchange: x.id,
    });
  }
  return facts;
}
