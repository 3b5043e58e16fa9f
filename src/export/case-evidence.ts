// What the exports and abuse reports are made from: a case folder's recorded evidence, never a
// new visit. A traced case brings the message it came from (its sibling message case); a message
// case brings the cases traced from its links. Everything comes from report.json, message.json,
// message.eml and manifest.json as written when the case was sealed.
import { sha256Hex } from '../http/checksums.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Report } from '../report.js';
import { MANIFEST_FILE, MESSAGE_EML_FILE } from '../case/case-layout.js';
import { EvidenceError } from '../evidence/errors.js';
import { readCaseFolder, type MessageFacts } from '../store/case-folder.js';
import { decodeMime } from '../mail/decode-mime.js';

export interface TracedChain {
  id: string;
  dir: string;
  report: Report;
  /** SHA-256 of the case's manifest.json, the one hash that seals every file of it. */
  manifestSha256: string | null;
}

export interface MessageEvidence {
  id: string;
  dir: string;
  facts: MessageFacts;
  /** The message as received (message.eml), byte for byte; null when the folder lacks it. */
  raw: Buffer | null;
  /** Its top-level header fields in order, names as written, values unfolded. */
  headers: { name: string; value: string }[];
  manifestSha256: string | null;
}

export interface CaseEvidence {
  /** The case asked for. */
  id: string;
  dir: string;
  kind: Report['mode'] | 'mail';
  /** The message: the case itself, or the message its link was traced from. */
  message: MessageEvidence | null;
  /** The traced chains: the case itself, or the traces of the message's links. */
  chains: TracedChain[];
}

/** Reads a case folder and its related cases; throws EvidenceError when it is not a readable case. */
export async function loadCaseEvidence(caseDir: string): Promise<CaseEvidence> {
  const dir = resolve(caseDir);
  const read = readCaseFolder(dir);
  if (!read.ok) throw new EvidenceError(caseDir, `not a readable case (${read.reason})`);
  const { folder } = read;
  const casesDir = dirname(dir);
  if (folder.report) {
    const chain: TracedChain = { id: folder.id, dir, report: folder.report, manifestSha256: manifestSha256(dir) };
    const messageId = folder.report.message?.case;
    const message = messageId ? await loadMessage(join(casesDir, basename(messageId))) : null;
    return { id: folder.id, dir, kind: folder.report.mode, message, chains: [chain] };
  }
  const message = await loadMessage(dir);
  const chains: TracedChain[] = [];
  for (const trace of folder.message?.traces ?? []) {
    const traced = readCaseFolder(join(casesDir, basename(trace.case)));
    if (traced.ok && traced.folder.report) {
      const tracedDir = join(casesDir, traced.folder.id);
      chains.push({ id: traced.folder.id, dir: tracedDir, report: traced.folder.report, manifestSha256: manifestSha256(tracedDir) });
    }
  }
  return { id: folder.id, dir, kind: 'mail', message, chains };
}

async function loadMessage(dir: string): Promise<MessageEvidence | null> {
  const read = existsSync(dir) ? readCaseFolder(dir) : null;
  if (!read?.ok || !read.folder.message) return null;
  let raw: Buffer | null = null;
  try {
    raw = readFileSync(join(dir, MESSAGE_EML_FILE));
  } catch {
    // a message folder of an older layout: the record alone
  }
  return {
    id: read.folder.id,
    dir,
    facts: read.folder.message,
    raw,
    headers: raw ? await headerFields(raw) : [],
    manifestSha256: manifestSha256(dir),
  };
}

async function headerFields(raw: Buffer): Promise<{ name: string; value: string }[]> {
  try {
    const email = await decodeMime(raw);
    return email.headers.map((h) => ({ name: h.originalKey || h.key, value: h.value }));
  } catch {
    return [];
  }
}

function manifestSha256(dir: string): string | null {
  try {
    return sha256Hex(readFileSync(join(dir, MANIFEST_FILE)));
  } catch {
    return null;
  }
}

/** Every hop of every chain, in order, with its case. */
export function allHops(evidence: CaseEvidence): { chain: TracedChain; hop: Report['hops'][number] }[] {
  return evidence.chains.flatMap((chain) => chain.report.hops.map((hop) => ({ chain, hop })));
}
