// Which URL a case folder's trace requested, for the ledger of requested URLs (ledger.ts): from
// report.json when the case was closed, else from its WARC's warcinfo record, which the case
// writer puts on disk before the request is made (so a trace killed mid-way still says).
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { WARC_FILE } from '../case/case-layout.js';
import type { Report } from '../report.js';
import { field, readWarcBuffer } from '../evidence/warc/warc-parse.js';

export interface RequestedUrl {
  url: string;
  at: string;
}

/** The warcinfo record is the first gzip member, a few KB; this much of the file always holds it. */
const HEAD_BYTES = 256 * 1024;

/** The URL a trace (mode `trace`, not proxy or import) requested, or null for any other folder. */
export function requestedUrlOf(dir: string, report: Report | null): RequestedUrl | null {
  if (report)
    return report.mode === 'trace' && typeof report.url === 'string' && report.url
      ? { url: report.url, at: typeof report.startedAt === 'string' ? report.startedAt : new Date(0).toISOString() }
      : null;
  const head = readHead(join(dir, WARC_FILE));
  if (!head) return null;
  const first = readWarcBuffer(head).records[0];
  if (!first || field(first, 'WARC-Type') !== 'warcinfo') return null;
  const info = warcFields(first.block.toString('utf8'));
  const url = info.get('url');
  if (info.get('mode') !== 'trace' || !url) return null;
  return { url, at: info.get('started') ?? field(first, 'WARC-Date') ?? new Date(0).toISOString() };
}

function readHead(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** `name: value` lines of an application/warc-fields block. */
export function warcFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}
