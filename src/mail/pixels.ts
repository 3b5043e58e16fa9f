// Open-tracking pixels: which remote resources of a message report its opening. Geometric rules
// (a 1x1 or zero-size image, a hidden one) and the known tracker paths and hosts of
// rules/pixels.json, whose party is named like a link's (rules/parties.json).

import type { PartyRef, Role } from '../report.js';
import { bestHostMatch, compileHostPatterns, registrableDomainOf, type HostMatcher } from '../analyze/parties-match.js';
import { loadPartyRules, readRulesJson } from '../analyze/parties-rules.js';
import { splitRawUrl } from '../analyze/unwrap/url-text.js';
import { hostOf } from '../http/host.js';

/** Why a resource counts as a pixel. */
export type PixelRule = '1x1' | 'zero-size' | 'hidden' | 'display-none' | 'tracker-path' | 'tracker-host';

export interface PixelTracker {
  /** Rule id in rules/pixels.json. */
  rule: string;
  label: string;
  /** The party the rule names (a rules/parties.json id, or its own name); null for generic shapes. */
  party: string | null;
}

export interface PixelFinding {
  rules: PixelRule[];
  tracker: PixelTracker | null;
}

export interface PixelRuleEntry {
  id: string;
  label: string;
  party?: string;
  name?: string;
  role?: Role;
  hosts?: string[];
  pattern?: string;
  sources: string[];
  sample: string;
}

interface CompiledPixelRule {
  entry: PixelRuleEntry;
  hosts: HostMatcher[];
  pattern: RegExp | null;
}

interface CompiledPixelRules {
  rules: CompiledPixelRule[];
  /** Any path pattern, in one expression: most images match none and are rejected with one test. */
  anyPattern: RegExp;
  /** Every host matcher of the rules. */
  anyHost: HostMatcher[];
}

/** Problems in a parsed pixels file; empty when it is valid. */
export function validatePixelRules(doc: unknown): string[] {
  const problems: string[] = [];
  const pixels = (doc as { pixels?: unknown } | null)?.pixels;
  if (!Array.isArray(pixels)) return ['"pixels" must be an array'];
  const partyIds = new Set(loadPartyRules().map((p) => p.id));
  const seen = new Set<string>();
  for (const [i, raw] of pixels.entries()) {
    const p = raw as Partial<PixelRuleEntry>;
    const where = `pixel rule ${i} (${String(p.id)})`;
    if (typeof p.id !== 'string' || seen.has(p.id)) problems.push(`${where}: missing or duplicate id`);
    else seen.add(p.id);
    if (typeof p.label !== 'string' || typeof p.sample !== 'string') problems.push(`${where}: label and sample are required`);
    if (!Array.isArray(p.sources) || p.sources.length === 0) problems.push(`${where}: no sources`);
    if (!p.hosts?.length && !p.pattern) problems.push(`${where}: no matcher`);
    if (p.party !== undefined && !partyIds.has(p.party)) problems.push(`${where}: unknown party ${p.party}`);
    if (p.name !== undefined && p.role === undefined) problems.push(`${where}: a named party needs a role`);
    try {
      compileHostPatterns(p.hosts);
      if (p.pattern) new RegExp(p.pattern, 'i');
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  return problems;
}

let compiled: CompiledPixelRules | null = null;

export function pixelRules(): PixelRuleEntry[] {
  return compiledRules().rules.map((r) => r.entry);
}

function compiledRules(): CompiledPixelRules {
  if (compiled) return compiled;
  const doc = readRulesJson('pixels.json');
  const problems = validatePixelRules(doc);
  if (problems.length) throw new Error(`rules/pixels.json is invalid:\n${problems.join('\n')}`);
  const rules = (doc as { pixels: PixelRuleEntry[] }).pixels.map((entry) => ({
    entry,
    hosts: compileHostPatterns(entry.hosts),
    pattern: entry.pattern ? new RegExp(entry.pattern, 'i') : null,
  }));
  const patterns = rules.filter((r) => r.hosts.length === 0).map((r) => `(?:${r.entry.pattern!})`);
  compiled = { rules, anyPattern: new RegExp(patterns.join('|'), 'i'), anyHost: rules.flatMap((r) => r.hosts) };
  return compiled;
}

/** Lowercased host of an absolute URL as written (IDNA through URL only when it is not ASCII). */
function hostFromAuthority(url: string, authority: string): string | null {
  const host = authority
    .slice(authority.lastIndexOf('@') + 1)
    .replace(/:\d*$/, '')
    .toLowerCase();
  return /^[a-z0-9.-]+$/.test(host) ? host.replace(/\.$/, '') || null : hostOf(url);
}

/** The first tracker rule of rules/pixels.json a URL matches, or null. */
export function trackerRuleFor(url: string): PixelRuleEntry | null {
  const raw = splitRawUrl(url);
  const host = raw ? hostFromAuthority(url, raw.authority) : null;
  if (!raw || !host) return null;
  const pathAndQuery = (raw.path || '/') + (raw.query !== null ? `?${raw.query}` : '');
  const { rules, anyPattern, anyHost } = compiledRules();
  if (!anyPattern.test(pathAndQuery) && !anyHost.some((m) => m.test(host))) return null;
  for (const rule of rules) {
    if (rule.hosts.length && !bestHostMatch(rule.hosts, host)) continue;
    if (rule.pattern && !rule.pattern.test(pathAndQuery)) continue;
    return rule.entry;
  }
  return null;
}

export interface PixelEvidence {
  url: string;
  /** Images can be pixels by their look; any resource by a tracker rule. */
  image: boolean;
  width: number | null;
  height: number | null;
  hidden: boolean;
  displayNone: boolean;
}

/** Why the resource is an open-tracking pixel, or null when nothing says it is. */
export function classifyPixel(evidence: PixelEvidence): PixelFinding | null {
  const rules: PixelRule[] = [];
  const { width, height } = evidence;
  if (evidence.image) {
    if (width === 0 || height === 0) rules.push('zero-size');
    else if ((width !== null && width <= 1 && (height === null || height <= 1)) || (height !== null && height <= 1 && width === null))
      rules.push('1x1');
    if (evidence.displayNone) rules.push('display-none');
    else if (evidence.hidden) rules.push('hidden');
  }
  const tracker = trackerRuleFor(evidence.url);
  if (tracker) rules.push(tracker.hosts?.length && !tracker.pattern ? 'tracker-host' : 'tracker-path');
  if (rules.length === 0) return null;
  return {
    rules,
    tracker: tracker ? { rule: tracker.id, label: tracker.label, party: tracker.party ?? tracker.name ?? null } : null,
  };
}

/**
 * The party a pixel rule names, for a resource the party rules do not attribute (a branded
 * host serving a known ESP's open path). Null for generic rules.
 */
export function pixelParty(tracker: PixelTracker | null, url: string): PartyRef | null {
  if (!tracker) return null;
  const entry = compiledRules().rules.find((r) => r.entry.id === tracker.rule)?.entry;
  if (!entry || (!entry.party && !entry.name)) return null;
  const registrableDomain = registrableDomainOf(hostOf(url));
  const rule = `pixels:${entry.id}`;
  if (entry.name) return { role: entry.role!, name: entry.name, rule, registrableDomain };
  const party = loadPartyRules().find((p) => p.id === entry.party)!;
  return { role: party.role, name: party.name, rule, registrableDomain };
}
