// WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/): the case WARC, its CDXJ index,
// pages.jsonl and datapackage.json with per-file SHA-256, in a zip of stored entries.
//
// Written here rather than with @harvard-lil/js-wacz: measured on this machine, importing js-wacz
// takes ~165 ms and its `process()` ~275 ms for a 12-record WARC (~575 ms under tsx), nearly all
// in starting a Piscina worker thread that re-parses the WARC to index it. The case writer already
// knows every record's offset, so the index costs nothing, and the zip takes a few milliseconds.
import { randomUUID } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import type { Capture } from '../../model.js';
import { StoredZipWriter } from './zip.js';
import { sha256Hex as sha256 } from '../../http/checksums.js';

export const WACZ_VERSION = '1.1.1';
export const WACZ_WARC_DIR = 'archive/';
export const WACZ_INDEX_PATH = 'indexes/index.cdx';
export const WACZ_PAGES_PATH = 'pages/pages.jsonl';
export const WACZ_DATAPACKAGE = 'datapackage.json';
export const WACZ_DATAPACKAGE_DIGEST = 'datapackage-digest.json';

export interface WaczPage {
  url: string;
  ts: string;
  title?: string;
}

export interface WaczInput {
  /** Output path of the .wacz. */
  out: string;
  /** The WARC to embed, with digests the writer tracked while writing it. */
  warc: { path: string; name: string; bytes: number; sha256: string; crc32: number };
  /** Sorted CDXJ lines pointing into `warc`. */
  cdxj: string;
  pages: WaczPage[];
  title: string;
  description?: string;
  mainPageUrl: string | null;
  mainPageDate: string | null;
  software: string;
  created?: Date;
  extras?: Record<string, unknown>;
}

export interface DatapackageResource {
  name: string;
  path: string;
  hash: string;
  bytes: number;
}

/** The start URL and every page the chain rested on. */
export function waczPages(capture: Capture): WaczPage[] {
  const pages: WaczPage[] = [];
  if (capture.info.url) pages.push({ url: capture.info.url, ts: capture.info.startedAt, title: `Start: ${capture.info.url}` });
  for (const p of capture.pages) {
    pages.push({ url: p.url, ts: p.at, title: p.title || p.url });
    // The document the chain went on in, in a frame of that page: a page of its own to replay.
    if (p.frame) pages.push({ url: p.frame.url, ts: p.at, title: p.frame.title || p.frame.url });
  }
  return pages;
}

export function writeWacz(input: WaczInput): { bytes: number; sha256: string } {
  const created = input.created ?? new Date();
  const zip = new StoredZipWriter(input.out, created);
  try {
    const resources: DatapackageResource[] = [];
    const addBuffer = (path: string, data: Buffer) => {
      zip.addBuffer(path, data);
      resources.push(resource(path, sha256(data), data.length));
    };

    const warcPath = `${WACZ_WARC_DIR}${input.warc.name}`;
    zip.addFile(warcPath, input.warc.path, { size: input.warc.bytes, crc32: input.warc.crc32 });
    resources.push(resource(warcPath, input.warc.sha256, input.warc.bytes));
    addBuffer(WACZ_INDEX_PATH, Buffer.from(input.cdxj));
    addBuffer(WACZ_PAGES_PATH, pagesJsonl(input.pages));

    const datapackage = Buffer.from(
      JSON.stringify(
        {
          profile: 'data-package',
          wacz_version: WACZ_VERSION,
          title: input.title,
          description: input.description ?? '',
          created: created.toISOString(),
          software: input.software,
          ...(input.mainPageUrl ? { mainPageUrl: input.mainPageUrl } : {}),
          ...(input.mainPageDate ? { mainPageDate: input.mainPageDate } : {}),
          resources,
          ...(input.extras ? { extras: input.extras } : {}),
        },
        null,
        2,
      ),
    );
    zip.addBuffer(WACZ_DATAPACKAGE, datapackage);
    const digest = { path: WACZ_DATAPACKAGE, hash: `sha256:${sha256(datapackage)}` };
    zip.addBuffer(WACZ_DATAPACKAGE_DIGEST, Buffer.from(JSON.stringify(digest, null, 2)));
    return zip.finish();
  } catch (err) {
    zip.abort();
    try {
      unlinkSync(input.out);
    } catch {
      // nothing to remove
    }
    throw err;
  }
}

function pagesJsonl(pages: WaczPage[]): Buffer {
  const lines = [JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' })];
  for (const page of pages) {
    lines.push(
      JSON.stringify({ id: randomUUID().replace(/-/g, ''), url: page.url, ts: page.ts, ...(page.title ? { title: page.title } : {}) }),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function resource(path: string, hexDigest: string, bytes: number): DatapackageResource {
  return { name: path.slice(path.lastIndexOf('/') + 1), path, hash: `sha256:${hexDigest}`, bytes };
}
