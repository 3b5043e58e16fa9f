// rules/wrappers.json: loading, checking and matching.
import type { PartyRef } from '../../report.js';
import { compileHostPatterns, HostIndex, type HostMatcher } from '../parties-match.js';
import { loadPartyRules, PARTY_ROLES, readRulesJson } from '../parties-rules.js';
import { DECODERS } from './decoders.js';
import type { Decoder, WrapperRule } from './types.js';
import { unsliced } from '../../unsliced.js';

export interface CompiledWrapper {
  rule: WrapperRule;
  /** Party name for the layer, or null when it comes from attribution of the host. */
  partyName: string | null;
  hosts: HostMatcher[];
  path: RegExp | null;
  query: RegExp | null;
  decoder: Decoder;
}

/** Problems in a parsed wrappers file; empty when valid. */
export function validateWrapperRules(doc: unknown, partyIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const wrappers = (doc as { wrappers?: unknown } | null)?.wrappers;
  if (!Array.isArray(wrappers)) return ['"wrappers" must be an array'];
  const seen = new Set<string>();
  for (const [i, raw] of wrappers.entries()) {
    const w = raw as Partial<WrapperRule>;
    const where = `wrapper ${i} (${String(w.id)})`;
    if (typeof w.id !== 'string' || w.id === '') problems.push(`${where}: missing id`);
    else if (seen.has(w.id)) problems.push(`${where}: duplicate id`);
    else seen.add(w.id);
    if (w.party !== null && (typeof w.party !== 'string' || !partyIds.has(w.party)))
      problems.push(`${where}: unknown party ${String(w.party)}`);
    if (typeof w.decoder !== 'string' || !(w.decoder in DECODERS)) problems.push(`${where}: unknown decoder ${String(w.decoder)}`);
    if (!w.hosts && !w.hostsOfRoles && !w.path) problems.push(`${where}: needs hosts, hostsOfRoles or path`);
    for (const role of w.hostsOfRoles ?? []) if (!PARTY_ROLES.includes(role)) problems.push(`${where}: bad role ${role}`);
    for (const field of ['path', 'query', 'pattern'] as const) {
      const source = w[field];
      if (source === undefined) continue;
      try {
        new RegExp(source, 'i');
      } catch (err) {
        problems.push(`${where}: bad ${field}: ${(err as Error).message}`);
      }
    }
    if (!Array.isArray(w.sources) || w.sources.length === 0) problems.push(`${where}: no sources`);
  }
  return problems;
}

let compiled: CompiledWrapper[] | null = null;
let byHost: { index: HostIndex<number>; anyHost: number[] } | null = null;
const candidatesByHost = new Map<string, CompiledWrapper[]>();

export function loadWrapperRules(): CompiledWrapper[] {
  if (compiled) return compiled;
  const parties = loadPartyRules();
  const names = new Map(parties.map((p) => [p.id, p.name]));
  const doc = readRulesJson('wrappers.json');
  const problems = validateWrapperRules(doc, new Set(names.keys()));
  if (problems.length > 0) throw new Error(`rules/wrappers.json is invalid:\n${problems.join('\n')}`);
  compiled = (doc as { wrappers: WrapperRule[] }).wrappers.map((rule) => ({
    rule,
    partyName: rule.party === null ? null : names.get(rule.party)!,
    hosts: compileHostPatterns(rule.hosts),
    path: rule.path ? new RegExp(rule.path, 'i') : null,
    query: rule.query ? new RegExp(rule.query, 'i') : null,
    decoder: DECODERS[rule.decoder],
  }));
  return compiled;
}

/** The rules that may apply to a host, in file order (rules without hosts apply to any host). */
export function candidateWrappers(host: string): CompiledWrapper[] {
  const cached = candidatesByHost.get(host);
  if (cached) return cached;
  const rules = loadWrapperRules();
  if (!byHost) {
    const index = new HostIndex<number>();
    const anyHost: number[] = [];
    rules.forEach((w, i) => {
      if (w.rule.hosts) for (const pattern of w.rule.hosts) index.add(pattern, i);
      else anyHost.push(i);
    });
    byHost = { index, anyHost };
  }
  const positions = new Set([...byHost.index.matches(host).map((m) => m.value), ...byHost.anyHost]);
  const candidates = [...positions].sort((a, b) => a - b).map((i) => rules[i]);
  if (candidatesByHost.size >= 10_000) candidatesByHost.clear();
  candidatesByHost.set(unsliced(host), candidates);
  return candidates;
}

/** Whether a rule's host/path/query conditions hold (the decoder may still decline). */
export function wrapperApplies(w: CompiledWrapper, host: string, path: string, query: string | null, party: () => PartyRef): boolean {
  if (w.hosts.length > 0 && !w.hosts.some((m) => m.test(host))) return false;
  if (w.path && !w.path.test(path)) return false;
  if (w.query && !w.query.test(query ?? '')) return false;
  if (w.rule.hostsOfRoles && !w.rule.hostsOfRoles.includes(party().role as never)) return false;
  return true;
}
