// The CDXJ index of a case's WARC, built while the records are written (offsets are known then),
// in the form warcio's CDXIndexer produces, so the WACZ needs no second pass over the WARC.
import type { HeaderLine } from '../../model.js';
import { lookupUrl, surtKey } from './cdx-key.js';

/** Same cap as warcio's indexer for POST bodies folded into the lookup key. */
const MAX_QUERY_SIZE = 4096;

export interface CdxjRecord {
  /** As written in WARC-Target-URI. */
  targetUri: string;
  warcDate: string;
  mime: string | null;
  status?: number;
  /** `sha256:<hex>` or null. */
  payloadDigest: string | null;
  offset: number;
  length: number;
  /** The request of a response record, for non-GET methods (warcio folds the body into the key). */
  request?: { method: string; headers: HeaderLine[]; body: Buffer };
}

export class CdxjIndex {
  private readonly lines: string[] = [];

  constructor(readonly filename: string) {}

  add(record: CdxjRecord): void {
    let keyUrl = record.targetUri;
    let method: string | undefined;
    let requestBody: string | undefined;
    if (record.request && record.request.method !== 'GET') {
      const headers = new Map<string, string>();
      for (const [name, value] of record.request.headers) {
        const lower = name.toLowerCase();
        headers.set(lower, headers.has(lower) ? `${headers.get(lower)}, ${value}` : value);
      }
      method = record.request.method;
      const lookup = lookupUrl({ url: keyUrl, method, headers, body: record.request.body }, MAX_QUERY_SIZE);
      if (lookup) {
        keyUrl = lookup.url;
        requestBody = lookup.requestBody;
      }
    }
    const json: Record<string, string> = { url: record.targetUri };
    if (record.mime) json['mime'] = record.mime;
    if (record.status !== undefined) json['status'] = String(record.status);
    if (record.payloadDigest) json['digest'] = record.payloadDigest.split(':', 2)[1] ?? '';
    json['length'] = String(record.length);
    json['offset'] = String(record.offset);
    json['filename'] = this.filename;
    if (method) json['method'] = method;
    if (requestBody !== undefined) json['requestBody'] = requestBody;
    const timestamp = record.warcDate.replace(/[-:T]/g, '').slice(0, 14);
    this.lines.push(`${surtKey(keyUrl)} ${timestamp} ${JSON.stringify(json)}\n`);
  }

  get size(): number {
    return this.lines.length;
  }

  /** Sorted as CDXJ readers expect (plain code-unit order, like `LC_ALL=C sort`). */
  text(): string {
    return [...this.lines].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('');
  }
}

/** The MIME type warcio indexes for a response: the Content-Type's type/subtype. */
export function indexedMime(headers: HeaderLine[]): string | null {
  const values = headers.filter(([n]) => n.toLowerCase() === 'content-type').map(([, v]) => v.trim());
  if (values.length === 0) return null;
  return values.join(', ').split(';', 1)[0].trim() || null;
}
