// A message case: the e-mail as received (message.eml) and its analysis (message.json), in a
// folder beside the trace cases of its links, which point back to it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailAnalysis } from './parse.js';
import { pickMainLink, type MailLink } from './links.js';
import type { PartyRef } from '../report.js';
import { unwrap, type UnwrapResult } from '../analyze/unwrap/index.js';
import { attributeUrl } from '../analyze/parties.js';

export interface AnalyzedLink extends MailLink {
  index: number;
  main: boolean;
  party: PartyRef;
  unwrap: UnwrapResult;
}

export interface MessageRecord {
  kind: 'message';
  case: string | null;
  analysis: MailAnalysis;
  links: AnalyzedLink[];
  traces: { link: number; case: string; final: string | null; error: string | null }[];
}

export function messageCaseName(at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}-mail`;
}

export function writeMessageCase(outDir: string, name: string, raw: Buffer, record: MessageRecord): string {
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'message.eml'), raw, { flag: 'wx' });
  writeFileSync(join(dir, 'message.json'), JSON.stringify(record, null, 2) + '\n');
  return dir;
}

/** The record of a message before any trace: every link numbered, unwrapped and attributed, the main one marked. */
export function messageRecord(analysis: MailAnalysis): MessageRecord {
  const main = pickMainLink(analysis.links);
  const links: AnalyzedLink[] = analysis.links.map((link, i) => ({
    ...link,
    index: i + 1,
    main: link === main,
    party: attributeUrl(link.url),
    unwrap: unwrap(link.url),
  }));
  return { kind: 'message', case: null, analysis, links, traces: [] };
}

export function isTraceable(link: MailLink): boolean {
  return /^https?:/i.test(link.url);
}

/** The main call-to-action when it can be traced (http or https). */
export function traceableMainLink(record: MessageRecord): AnalyzedLink | null {
  return record.links.find((l) => l.main && isTraceable(l)) ?? null;
}
