// Which files of a case folder the server hands out, and how. Only names of the case layout are
// served (no path from the request reaches the file system unchecked), the resolved path must
// stay inside the case folder with no symlink on the way, and captured content is never served
// as something a browser would render in the app's origin.
import { lstatSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import {
  CUT_OFF_WARC,
  HAR_FILE,
  MANIFEST_FILE,
  MESSAGE_EML_FILE,
  MESSAGE_RECORD_FILE,
  REPORT_FILE,
  SIGNATURE_FILE,
  TIMESTAMP_FILE,
  WACZ_FILE,
  WARC_FILE,
} from '../case/case-layout.js';
import { isCaseId } from '../store/index.js';

export interface CaseFileKind {
  label: string;
  contentType: string;
  /** Offered as a download rather than shown. */
  attachment: boolean;
}

/** The evidence files a case page offers for download, in display order. */
export const DOWNLOADS: Record<string, CaseFileKind> = {
  [WARC_FILE]: { label: 'WARC', contentType: 'application/gzip', attachment: true },
  [HAR_FILE]: { label: 'HAR', contentType: 'application/json; charset=utf-8', attachment: true },
  [WACZ_FILE]: { label: 'WACZ', contentType: 'application/zip', attachment: true },
  [REPORT_FILE]: { label: 'report', contentType: 'application/json; charset=utf-8', attachment: true },
  [MANIFEST_FILE]: { label: 'manifest', contentType: 'application/json; charset=utf-8', attachment: true },
  [SIGNATURE_FILE]: { label: 'signature', contentType: 'application/octet-stream', attachment: true },
  [TIMESTAMP_FILE]: { label: 'timestamp (RFC 3161)', contentType: 'application/timestamp-reply', attachment: true },
  [MESSAGE_RECORD_FILE]: { label: 'message record', contentType: 'application/json; charset=utf-8', attachment: true },
  [MESSAGE_EML_FILE]: { label: 'message (.eml)', contentType: 'message/rfc822', attachment: true },
  [CUT_OFF_WARC]: { label: 'WARC as left when cut off', contentType: 'application/gzip', attachment: true },
};

const SCREENSHOT = /^screenshots\/\d{2,4}-[a-z0-9._-]{1,100}\.png$/;
const DOM_SNAPSHOT = /^dom\/\d{2,4}\.html$/;

/** How a case-relative path is served, or null when it is not a servable file name. */
export function caseFileKind(relPath: string): CaseFileKind | null {
  if (Object.hasOwn(DOWNLOADS, relPath)) return DOWNLOADS[relPath];
  if (SCREENSHOT.test(relPath) && !relPath.includes('..')) return { label: 'screenshot', contentType: 'image/png', attachment: false };
  // Captured HTML: plain text, downloaded, sandboxed by the CSP; never a page of this origin.
  if (DOM_SNAPSHOT.test(relPath)) return { label: 'DOM snapshot', contentType: 'text/plain; charset=utf-8', attachment: true };
  return null;
}

/** The file's absolute path when id and path are servable and the file is a regular file inside the case. */
export function resolveCaseFile(casesDir: string, id: string, relPath: string): { path: string; kind: CaseFileKind } | null {
  if (!isCaseId(id)) return null;
  const kind = caseFileKind(relPath);
  if (!kind) return null;
  const caseDir = join(casesDir, id);
  const path = join(caseDir, ...relPath.split('/'));
  try {
    // No symlink anywhere between the case folder and the file; the real path stays inside.
    for (let p = path; p.length > caseDir.length; p = p.slice(0, p.lastIndexOf(sep))) {
      if (lstatSync(p).isSymbolicLink()) return null;
    }
    if (lstatSync(caseDir).isSymbolicLink()) return null;
    if (!lstatSync(path).isFile()) return null;
    const real = realpathSync(path);
    if (!real.startsWith(realpathSync(caseDir) + sep)) return null;
    return { path: real, kind };
  } catch {
    return null;
  }
}

export function downloadName(id: string, relPath: string): string {
  return `${id}-${relPath.replace(/\//g, '-')}`.replace(/[^A-Za-z0-9._-]/g, '_');
}
