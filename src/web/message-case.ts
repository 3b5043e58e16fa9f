// A message folder for an uploaded .eml: `cases/<UTC ts>-<6hex>-mail/` with the message as
// received (message.eml), its analysis (message.json, a MailAnalysis) and, once links are
// traced, traced.json mapping each traced link to its case.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailAnalysis } from '../mail/parse.js';
import { caseFolderName } from '../evidence/case-layout.js';
import { MESSAGE_FILE, RAW_MESSAGE_FILE, TRACED_FILE, type TracedLinkEntry } from '../store/index.js';

export function writeMessageCase(casesDir: string, raw: Buffer, analysis: MailAnalysis, now = new Date()): { id: string; dir: string } {
  mkdirSync(casesDir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const id = `${caseFolderName(now)}-mail`;
    const dir = join(casesDir, id);
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
      throw err;
    }
    writeFileSync(join(dir, RAW_MESSAGE_FILE), raw);
    writeFileSync(join(dir, MESSAGE_FILE), JSON.stringify(analysis, null, 2) + '\n');
    return { id, dir };
  }
}

/** Adds a traced link to the message folder's traced.json (replaced atomically). */
export function recordTracedLink(messageDir: string, entry: TracedLinkEntry): void {
  const path = join(messageDir, TRACED_FILE);
  let entries: TracedLinkEntry[] = [];
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (Array.isArray(parsed)) entries = parsed as TracedLinkEntry[];
  } catch {
    // first traced link
  }
  entries.push(entry);
  writeFileSync(`${path}.tmp`, JSON.stringify(entries, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}
