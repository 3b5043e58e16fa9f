// The comparison case of `clicktrace compare`: a folder `<time>-<id>-compare` beside the profiles'
// cases, holding comparison.json (the link, each profile's case, the comparison) sealed by
// manifest.json (and manifest.sig with a key) like every case, so `clicktrace verify` checks it.
// It references the profiles' cases by name; each of them is a normal sealed case of its own.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../http/checksums.js';
import { caseFolderName, MANIFEST_FILE, PUBLIC_KEY_FILE, REPORT_FILE, SIGNATURE_FILE } from '../case/case-layout.js';
import type { Report } from '../report.js';
import type { ComparedLink } from './cloaking-report.js';
import { MANIFEST_FORMAT, serializeManifest, type Manifest } from '../case/manifest.js';
import { defaultKeyDir, loadSigningKey, signManifest } from '../case/signing.js';
import { TOOL } from '../version.js';
import type { Comparison } from './comparison.js';

export const COMPARISON_FILE = 'comparison.json';

const COMPARISON_CASE_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}-compare$/;

export interface ComparisonRecord {
  kind: 'comparison';
  case: string;
  url: string;
  /** The profiles as asked for, in the order their traces were started. */
  profiles: string[];
  startedAt: string;
  endedAt: string;
  commandLine: string[];
  comparison: Comparison;
}

export function isComparisonCaseId(name: string): boolean {
  return COMPARISON_CASE_ID.test(name);
}

export function comparisonCaseName(at = new Date()): string {
  return `${caseFolderName(at)}-compare`;
}

/** Writes and seals the comparison case; returns its folder. `keyDir` null: never sign. */
export function writeComparisonCase(casesDir: string, record: ComparisonRecord, { keyDir }: { keyDir?: string | null } = {}): string {
  const dir = join(casesDir, record.case);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, COMPARISON_FILE), JSON.stringify(record, null, 2) + '\n', { flag: 'wx' });
  const key = keyDir === null ? null : loadSigningKey(keyDir ?? defaultKeyDir());
  if (key) writeFileSync(join(dir, PUBLIC_KEY_FILE), key.publicKeyPem);
  const files = [COMPARISON_FILE, ...(key ? [PUBLIC_KEY_FILE] : [])].map((path) => {
    const data = readFileSync(join(dir, path));
    return { path, bytes: data.length, sha256: sha256Hex(data) };
  });
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    case: record.case,
    createdAt: new Date().toISOString(),
    capture: { url: record.url, mode: 'compare', startedAt: record.startedAt, endedAt: record.endedAt, error: null },
    tool: { name: TOOL.name, version: TOOL.version },
    browser: null,
    partial: false,
    files,
  };
  const bytes = serializeManifest(manifest);
  writeFileSync(join(dir, `${MANIFEST_FILE}.tmp`), bytes);
  renameSync(join(dir, `${MANIFEST_FILE}.tmp`), join(dir, MANIFEST_FILE));
  if (key) writeFileSync(join(dir, SIGNATURE_FILE), signManifest(bytes, key));
  return dir;
}

/** A comparison case's record, or null when the folder holds none (or not a valid one). */
export function readComparisonCase(dir: string): ComparisonRecord | null {
  try {
    const record = JSON.parse(readFileSync(join(dir, COMPARISON_FILE), 'utf8')) as ComparisonRecord;
    return record?.kind === 'comparison' && typeof record.comparison?.verdict === 'string' ? record : null;
  } catch {
    return null;
  }
}

/** Every comparison case of a cases folder, newest first. */
export function listComparisons(casesDir: string): ComparisonRecord[] {
  let names: string[];
  try {
    names = readdirSync(casesDir).filter(isComparisonCaseId);
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .map((name) => readComparisonCase(join(casesDir, name)))
    .filter((r): r is ComparisonRecord => r !== null);
}

/** The compared links for the cloaking report: each comparison (listComparisons) with the parties of its profiles' chains. */
export function comparedLinks(casesDir: string, records: readonly ComparisonRecord[]): ComparedLink[] {
  // A comparison of fewer than two profiles compared nothing: not counted.
  return records.flatMap((record) => {
    const { verdict } = record.comparison;
    if (verdict === 'not-compared') return [];
    const parties = new Set<string>();
    for (const p of record.comparison.profiles) {
      if (!p.case) continue;
      const report = readReport(join(casesDir, p.case));
      for (const hop of report?.hops ?? []) {
        const name = hop.party?.name ?? hop.party?.registrableDomain ?? null;
        if (name) parties.add(name);
      }
    }
    return {
      id: record.case,
      startedAt: record.startedAt,
      verdict,
      signals: record.comparison.signals,
      parties: [...parties],
    };
  });
}

function readReport(dir: string): Report | null {
  try {
    return JSON.parse(readFileSync(join(dir, REPORT_FILE), 'utf8')) as Report;
  } catch {
    return null;
  }
}
