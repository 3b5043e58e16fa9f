// Loading and checking the rule files under rules/. They are read at run time (not imported) so
// the same code works from src/ under tsx and from dist/ after tsc, which does not copy them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '../report.js';
import { compileHostPattern } from './parties-match.js';

/** Finds a file by a path relative to the project root, walking up from this module. */
export function findProjectFile(relativePath: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${relativePath} above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

export function readRulesJson(fileName: string): unknown {
  return JSON.parse(readFileSync(findProjectFile(join('rules', fileName)), 'utf8'));
}

export type PartyRole = Exclude<Role, 'advertiser' | 'destination' | 'unknown'>;
export const PARTY_ROLES: readonly PartyRole[] = [
  'esp-tracker',
  'security-wrapper',
  'shortener',
  'affiliate-network',
  'ad-network',
  'redirector',
];

export interface PathFingerprint {
  /** Human name of the fingerprint, used in the rule id ("selligent:path:/optiext/optiextension.dll"). */
  label: string;
  /** Regular expression (case-insensitive) on the raw path plus "?query". */
  pattern: string;
  /** Restricts the fingerprint to these host patterns. */
  hosts?: string[];
  /** A URL the fingerprint must match (checked by the tests). */
  sample: string;
}

export interface PartyRule {
  id: string;
  name: string;
  role: PartyRole;
  hosts?: string[];
  paths?: PathFingerprint[];
  /** Host patterns matched against each name of the hop's CNAME chain. */
  cnames?: string[];
  /** Catalogue rows the party comes from. */
  sources: string[];
  /** URLs that must be attributed to this party (checked by the tests). */
  samples?: string[];
  /** Where the party takes abuse reports (`clicktrace abuse`), and the page that says so. */
  abuse?: PartyAbuseContact;
}

export interface PartyAbuseContact {
  /** E-mail address for reports. */
  address?: string;
  /** Web page or form for reports, when the party takes them there. */
  web?: string;
  /** Where this contact was published (a URL, and what it says), checked when it was added. */
  source: string;
}

/** Problems in a parsed parties file; empty when it is valid. */
export function validatePartyRules(doc: unknown): string[] {
  const problems: string[] = [];
  const parties = (doc as { parties?: unknown } | null)?.parties;
  if (!Array.isArray(parties)) return ['"parties" must be an array'];
  const seen = new Set<string>();
  for (const [i, raw] of parties.entries()) {
    const p = raw as Partial<PartyRule>;
    const where = `party ${i} (${String(p.id)})`;
    if (typeof p.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(p.id)) problems.push(`${where}: bad id`);
    else if (seen.has(p.id)) problems.push(`${where}: duplicate id`);
    else seen.add(p.id);
    if (typeof p.name !== 'string' || p.name === '') problems.push(`${where}: missing name`);
    if (!PARTY_ROLES.includes(p.role as PartyRole)) problems.push(`${where}: bad role ${String(p.role)}`);
    if (!Array.isArray(p.sources) || p.sources.length === 0) problems.push(`${where}: no sources`);
    if (p.abuse !== undefined) problems.push(...abuseContactProblems(p.abuse, where));
    const matchers = (p.hosts?.length ?? 0) + (p.paths?.length ?? 0) + (p.cnames?.length ?? 0);
    if (matchers === 0) problems.push(`${where}: no matcher`);
    for (const pattern of [...(p.hosts ?? []), ...(p.cnames ?? []), ...(p.paths ?? []).flatMap((f) => f.hosts ?? [])]) {
      try {
        compileHostPattern(pattern);
      } catch (err) {
        problems.push(`${where}: bad host pattern ${pattern}: ${(err as Error).message}`);
      }
    }
    for (const f of p.paths ?? []) {
      if (typeof f.label !== 'string' || typeof f.sample !== 'string') problems.push(`${where}: path fingerprint needs label and sample`);
      try {
        new RegExp(f.pattern, 'i');
      } catch (err) {
        problems.push(`${where}: bad path pattern ${f.pattern}: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

function abuseContactProblems(abuse: unknown, where: string): string[] {
  const a = abuse as Partial<PartyAbuseContact> | null;
  if (!a || typeof a !== 'object') return [`${where}: abuse must be an object`];
  const problems: string[] = [];
  if (typeof a.source !== 'string' || a.source === '') problems.push(`${where}: abuse contact without a source`);
  if (a.address === undefined && a.web === undefined) problems.push(`${where}: abuse contact needs an address or a web page`);
  if (a.address !== undefined && !/^[^\s@<>]+@[^\s@<>]+\.[a-z]{2,}$/i.test(String(a.address))) problems.push(`${where}: bad abuse address`);
  if (a.web !== undefined && !/^https:\/\//.test(String(a.web))) problems.push(`${where}: abuse web page must be an https URL`);
  return problems;
}

let cachedParties: PartyRule[] | null = null;

export function loadPartyRules(): PartyRule[] {
  if (!cachedParties) {
    const doc = readRulesJson('parties.json');
    const problems = validatePartyRules(doc);
    if (problems.length > 0) throw new Error(`rules/parties.json is invalid:\n${problems.join('\n')}`);
    cachedParties = (doc as { parties: PartyRule[] }).parties;
  }
  return cachedParties;
}
