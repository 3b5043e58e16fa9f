// Who runs a hop: party attribution from rules/parties.json.
//
// Evidence is tried from the most to the least specific:
//   1. a path fingerprint restricted to certain hosts (google.<tld>/url?, bing.com/aclk?);
//   2. the host itself (the most specific matching host pattern wins);
//   3. the hop's CNAME chain (a branded click.brand.com CNAME'd to sendgrid.net is SendGrid, one
//      CNAME'd to a party's own host, trk.klclick.com, is that party's);
//   4. a path fingerprint that survives branded domains (/optiext/optiextension.dll = Selligent).
import type { PartyRef } from '../report.js';
import { bestHostMatch, compileHostPatterns, HostIndex, registrableDomainOf, type HostMatcher } from './parties-match.js';
import { loadPartyRules, type PartyRule } from './parties-rules.js';
import { normalizeInputUrl, splitRawUrl } from './unwrap/url-text.js';
import { hostOf } from '../http/host.js';
import { hostedSiteOf } from './hosted-site.js';
import { unsliced } from '../unsliced.js';

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
    memo.set(unsliced(url), (ref = attribute(url, [])));
  }
  return { ...ref };
}

/** A CNAME target as compared with the rules: lower case, no trailing dot. */
function cnameName(cname: string): string {
  return cname.replace(/\.$/, '').toLowerCase();
}

/**
 * The first name of a CNAME chain (from the host toward its address) that names a party, and
 * the rule: a documented CNAME target (rules' `cnames`), else one of the party's own hosts (a
 * custom tracking domain pointed at trk.klclick.com or links.iterable.com is served by that
 * party). Names further down the chain (a CDN the party's host itself points at) prove nothing.
 */
function cnameMatch(cnames: readonly string[]): { cname: string; party: PartyRule; rule: string } | null {
  const rules = compileParties();
  for (const raw of cnames) {
    const cname = cnameName(raw);
    const documented = rules.cnames.matches(cname)[0];
    if (documented) return { cname, party: documented.value, rule: `${documented.value.id}:cname:${documented.matcher.source}` };
    let own: { value: PartyRule; matcher: HostMatcher } | null = null;
    for (const entry of rules.hosts.matches(cname)) {
      if (!own || entry.matcher.specificity > own.matcher.specificity) own = entry;
    }
    if (own) return { cname, party: own.value, rule: `${own.value.id}:cname:${own.matcher.source}` };
  }
  return null;
}

/** The CNAME target that attributes a host to a party (the one its `:cname:` rule matched), or null. */
export function provingCname(cnames: readonly string[]): string | null {
  return cnameMatch(cnames)?.cname ?? null;
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

  const byCname = cnameMatch(cnames);
  if (byCname) return ref(byCname.party, byCname.rule, registrableDomain);

  for (const f of rules.freePaths) {
    if (f.pattern.test(pathAndQuery)) return ref(f.party, f.rule, registrableDomain);
  }
  return unknownParty(registrableDomain);
}

/**
 * Attributes every hop of a chain. The final hop, when nothing else claims it and the chain
 * rested on it as a page that rendered (`endedOnPage`), is the landing page, and its owner the
 * advertiser: whoever owns the page the message sends people to is who the mail was sent for
 * (in spam-fighting terms, the spamvertised site), whether a tracker routed the click there or
 * the message linked to it straight. Except a page on a domain that imitates the brand its own
 * title names (`imitation`, src/verdict/lookalike.ts): an imitation is no one's advertising, so
 * it is the `destination`. A chain that ended in a loop, on a download or with an error has no
 * landing page.
 */
export function attributeChain(
  hops: { url: string }[],
  dnsByHost: Map<string, { cnames: string[] }> | undefined,
  {
    endedOnPage,
    imitation = null,
  }: {
    endedOnPage: boolean;
    /** How the landing page's domain imitates a brand ("t-rnobile.example looks like T-Mobile"), or null. */
    imitation?: string | null;
  },
): PartyRef[] {
  const parties = hops.map((hop) => {
    const host = hostOf(normalizeInputUrl(hop.url));
    const cnames = host ? dnsByHost?.get(host)?.cnames : undefined;
    return { host, party: attributeUrl(hop.url, cnames ? { cnames } : undefined) };
  });
  const last = parties.at(-1);
  if (!endedOnPage || !last || last.party.role !== 'unknown' || !last.host) return parties.map((p) => p.party);
  // Whose page it is: a customer's site on a shared host (a storage bucket, a Google form) is named by its path.
  const landingDomain = hostedSiteOf(hops.at(-1)!.url) ?? last.party.registrableDomain ?? last.host;
  const registrableDomain = last.party.registrableDomain;
  const owner: PartyRef = imitation
    ? { role: 'destination', name: landingDomain, rule: `final landing page, a look-alike domain (${imitation})`, registrableDomain }
    : { role: 'advertiser', name: landingDomain, rule: 'final landing page', registrableDomain };
  return [...parties.slice(0, -1).map((p) => p.party), owner];
}
