// Who runs a hop: party attribution from rules/parties.json.
//
// Evidence is tried from the most to the least specific:
//   1. a path fingerprint restricted to certain hosts (google.<tld>/url?, bing.com/aclk?);
//   2. the host itself (the most specific matching host pattern wins);
//   3. the hop's CNAME chain (a branded click.brand.com CNAME'd to sendgrid.net is SendGrid);
//   4. a path fingerprint that survives branded domains (/optiext/optiextension.dll = Selligent).
import type { PartyRef } from '../report.js';
import { bestHostMatch, compileHostPatterns, HostIndex, registrableDomainOf, type HostMatcher } from './parties-match.js';
import { loadPartyRules, type PartyRule } from './parties-rules.js';
import { normalizeInputUrl, splitRawUrl } from './unwrap/url-text.js';
import { hostOf } from '../http/host.js';

interface CompiledFingerprint {
  party: PartyRule;
  rule: string;
  pattern: RegExp;
  hosts: HostMatcher[];
}

interface CompiledParties {
  hosts: HostIndex<PartyRule>;
  cnames: HostIndex<PartyRule>;
  hostBoundPaths: CompiledFingerprint[];
  freePaths: CompiledFingerprint[];
}

let compiled: CompiledParties | null = null;

function compileParties(): CompiledParties {
  if (compiled) return compiled;
  const result: CompiledParties = { hosts: new HostIndex(), cnames: new HostIndex(), hostBoundPaths: [], freePaths: [] };
  for (const party of loadPartyRules()) {
    for (const pattern of party.hosts ?? []) result.hosts.add(pattern, party);
    for (const pattern of party.cnames ?? []) result.cnames.add(pattern, party);
    for (const f of party.paths ?? []) {
      const fingerprint = {
        party,
        rule: `${party.id}:path:${f.label}`,
        pattern: new RegExp(f.pattern, 'i'),
        hosts: compileHostPatterns(f.hosts),
      };
      (fingerprint.hosts.length > 0 ? result.hostBoundPaths : result.freePaths).push(fingerprint);
    }
  }
  compiled = result;
  return result;
}

function ref(party: PartyRule, rule: string, registrableDomain: string | null): PartyRef {
  return { role: party.role, name: party.name, rule, registrableDomain };
}

export function unknownParty(registrableDomain: string | null = null): PartyRef {
  return { role: 'unknown', name: null, rule: null, registrableDomain };
}

// Mail analysis attributes the same tracker URLs over and over; DNS-free lookups are memoised.
const memo = new Map<string, PartyRef>();

/** The party running a URL, or role "unknown". Never throws. */
export function attributeUrl(url: string, ctx?: { cnames?: string[] }): PartyRef {
  if (ctx?.cnames?.length) return attribute(url, ctx.cnames);
  let ref = memo.get(url);
  if (!ref) {
    if (memo.size >= 20_000) memo.clear();
    memo.set(url, (ref = attribute(url, [])));
  }
  return { ...ref };
}

function attribute(url: string, cnames: string[]): PartyRef {
  const normalized = normalizeInputUrl(url);
  const host = hostOf(normalized);
  if (!host) return unknownParty();
  const registrableDomain = registrableDomainOf(host);
  const pathAndQuery = (() => {
    const raw = splitRawUrl(normalized);
    if (!raw) return '/';
    return (raw.path || '/') + (raw.query !== null ? `?${raw.query}` : '');
  })();
  const rules = compileParties();

  for (const f of rules.hostBoundPaths) {
    if (f.pattern.test(pathAndQuery) && bestHostMatch(f.hosts, host)) return ref(f.party, f.rule, registrableDomain);
  }

  let best: { value: PartyRule; matcher: HostMatcher } | null = null;
  for (const entry of rules.hosts.matches(host)) {
    if (!best || entry.matcher.specificity > best.matcher.specificity) best = entry;
  }
  if (best) return ref(best.value, `${best.value.id}:host:${best.matcher.source}`, registrableDomain);

  for (const cname of cnames) {
    const entry = rules.cnames.matches(cname.replace(/\.$/, '').toLowerCase())[0];
    if (entry) return ref(entry.value, `${entry.value.id}:cname:${entry.matcher.source}`, registrableDomain);
  }

  for (const f of rules.freePaths) {
    if (f.pattern.test(pathAndQuery)) return ref(f.party, f.rule, registrableDomain);
  }
  return unknownParty(registrableDomain);
}

/**
 * Attributes every hop of a chain. The final hop, when nothing else claims it and the chain
 * rested on it as a page that rendered (`endedOnPage`), belongs to the advertiser: whoever owns
 * the landing page is who the click was bought for. A chain that ended in a loop, on a download
 * or with an error has no landing page, so no advertiser.
 */
export function attributeChain(
  hops: { url: string }[],
  dnsByHost: Map<string, { cnames: string[] }> | undefined,
  { endedOnPage }: { endedOnPage: boolean },
): PartyRef[] {
  return hops.map((hop, i) => {
    const host = hostOf(normalizeInputUrl(hop.url));
    const cnames = host ? dnsByHost?.get(host)?.cnames : undefined;
    const party = attributeUrl(hop.url, cnames ? { cnames } : undefined);
    if (endedOnPage && i === hops.length - 1 && party.role === 'unknown' && host) {
      return {
        role: 'advertiser',
        name: party.registrableDomain ?? host,
        rule: 'final landing page',
        registrableDomain: party.registrableDomain,
      };
    }
    return party;
  });
}
