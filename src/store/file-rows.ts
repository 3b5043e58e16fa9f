// Index rows for the files a trace downloaded (the `file` pivot: every case handed the same file,
// by SHA-256). Their hashes are in the WARC only, so it is read for cases whose report records a
// download, and for those alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../report.js';
import { WARC_FILE } from '../case/case-layout.js';
import { readWarcBuffer } from '../evidence/warc/warc-parse.js';
import { captureFromRecords } from '../evidence/warc/read-warc.js';
import { downloadsOf } from '../verdict/downloads.js';

export interface FileRow {
  case_id: string;
  sha256: string;
  filename: string;
  size: number;
}

export function fileRows(caseDir: string, id: string, report: Report | null): FileRow[] {
  if (!report?.events.some((e) => e.kind === 'download')) return [];
  try {
    const read = readWarcBuffer(readFileSync(join(caseDir, WARC_FILE)));
    const capture = captureFromRecords(read.records, WARC_FILE, read.stop !== null);
    const rows = new Map<string, FileRow>();
    for (const d of downloadsOf(capture))
      if (d.sha256) rows.set(d.sha256, { case_id: id, sha256: d.sha256, filename: d.filename, size: d.size });
    return [...rows.values()];
  } catch {
    return []; // an unreadable WARC indexes without its files; verify says what is wrong with it
  }
}
