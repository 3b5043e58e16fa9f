// Who to write to about a case: the parties the evidence makes responsible, each with why.
//   sending platform  the ESP the message's headers point to (rules/mail-headers.json)
//   click tracker     a hop run by an ESP's tracker (rules/parties.json role esp-tracker)
//   broker            a hop run by an affiliate or ad network, a redirector or shortener, or an
//                     unattributed host in the middle of the chain (named by its domain), or
//                     the host a chain stopped at short of a landing page (a 404, a loop)
//   advertiser        the final landing page's owner (only for a chain that rested on one)
//   destination       the owner of a final page on a look-alike domain (role destination)
//   hosting network   the network of the final page's address, when it is a public one
// One party, one report: the sending platform and the click tracker are often the same ESP.
// Security wrappers (the recipient's own link protection) are nobody to report to.
import { isIP } from 'node:net';
import type { Hop, PartyRef } from '../report.js';
import type { CaseEvidence, TracedChain } from '../export/case-evidence.js';
import { hostOf, partyName, registrableDomain } from '../export/common.js';
import { loadPartyRules, readRulesJson, type PartyRule } from '../analyze/parties-rules.js';
import { isPrivateAddress } from '../proxy/resolver.js';
import { chainHops } from '../analyze/tabs.js';
import { endedOnPage, reportChainEnding } from '../analyze/ending.js';

export type ResponsibleRole = 'sending platform' | 'click tracker' | 'broker' | 'advertiser' | 'destination' | 'hosting network';

export interface ResponsibleHop {
  chain: string;
  index: number;
  url: string;
  via: Hop['via'];
  ip: string | null;
}

export interface ResponsibleParty {
  /** One report per key. */
  key: string;
  name: string;
  roles: ResponsibleRole[];
  /** Sentences that say why this party is written to, each pointing at its evidence. */
  why: string[];
  hops: ResponsibleHop[];
  /** The parties.json rule, when the party is a known one. */
  rule: PartyRule | null;
  /** Public addresses of its hops, for a network's abuse contact. */
  ips: string[];
}

const BROKER_ROLES = new Set<PartyRef['role']>(['affiliate-network', 'ad-network', 'redirector', 'shortener']);

export function responsibleParties(evidence: CaseEvidence): ResponsibleParty[] {
  const parties = new Map<string, ResponsibleParty>();
  const get = (key: string, name: string, rule: PartyRule | null): ResponsibleParty => {
    let party = parties.get(key);
    if (!party) {
      party = { key, name, roles: [], why: [], hops: [], rule, ips: [] };
      parties.set(key, party);
    }
    return party;
  };
  const addRole = (party: ResponsibleParty, role: ResponsibleRole, why: string) => {
    if (!party.roles.includes(role)) party.roles.push(role);
    if (!party.why.includes(why)) party.why.push(why);
  };

  for (const platform of evidence.message?.facts.analysis.esp ?? []) {
    if (platform.kind !== 'esp') continue;
    const rule = ruleForPlatform(platform.name);
    const party = get(rule ? `rule:${rule.id}` : `name:${platform.name.toLowerCase()}`, rule?.name ?? platform.name, rule);
    addRole(
      party,
      'sending platform',
      `The message's headers show it was sent through ${platform.name} (${platform.evidence.join('; ') || 'header fingerprint'}).`,
    );
  }

  for (const chain of evidence.chains) {
    // The chain's own hops: another tab's (a tab-under's first tab) have no role in it.
    const hops = chainHops(chain.report.hops);
    // A chain that ended on an error, in a loop or on a download reached no landing page: the
    // host it stopped at (a shortener's 404, a broker that hung) is no advertiser.
    const landed = endedOnPage(chain.report);
    const landingDomain = landed ? domainOf(hops.at(-1)) : null;
    const stopped = landed ? null : { hop: hops.at(-1), why: stopReason(chain) };
    // Hops of one party in one role, for one sentence each ("Hops 1 and 2 of case ...").
    const groups = new Map<string, { party: ResponsibleParty; role: ResponsibleRole; ref: PartyRef; hops: Hop[] }>();
    for (const [i, hop] of hops.entries()) {
      const party = hop.party;
      if (!party || party.role === 'security-wrapper') continue;
      const last = i === hops.length - 1;
      const domain = domainOf(hop) ?? hop.url;
      let role: ResponsibleRole | null = null;
      let responsible: ResponsibleParty | null = null;
      const rule = ruleOf(party);
      if (party.role === 'esp-tracker') {
        role = 'click tracker';
        responsible = get(rule ? `rule:${rule.id}` : `name:${partyName(party).toLowerCase()}`, rule?.name ?? partyName(party), rule);
      } else if (
        party.role === 'advertiser' ||
        party.role === 'destination' ||
        (party.role === 'unknown' && ((landed && last) || domain === landingDomain))
      ) {
        // An unattributed hop on the landing page's own domain is its owner's own redirect.
        role = hops.at(-1)?.party?.role === 'destination' ? 'destination' : 'advertiser';
        responsible = get(
          `domain:${domain}`,
          (party.role === 'advertiser' || party.role === 'destination') && party.name ? party.name : domain,
          null,
        );
      } else if (BROKER_ROLES.has(party.role) || party.role === 'unknown') {
        role = 'broker';
        responsible = rule ? get(`rule:${rule.id}`, rule.name, rule) : get(`domain:${domain}`, party.name ?? domain, null);
      }
      if (!role || !responsible) continue;
      responsible.hops.push({ chain: chain.id, index: hop.index, url: hop.url, via: hop.via, ip: hop.ip });
      if (hop.ip && isIP(hop.ip) && !isPrivateAddress(hop.ip) && !responsible.ips.includes(hop.ip)) responsible.ips.push(hop.ip);
      // The hop a chain stopped at has a sentence of its own: it passed the click on to no one.
      const key = `${responsible.key}|${role}${hop === stopped?.hop ? '|stopped' : ''}`;
      const group = groups.get(key) ?? { party: responsible, role, ref: party, hops: [] };
      group.hops.push(hop);
      groups.set(key, group);
    }
    for (const group of groups.values()) addRole(group.party, group.role, hopReason(chain, group.hops, group.role, group.ref, stopped));
    const final = hops.at(-1);
    if (final?.ip && isIP(final.ip) && !isPrivateAddress(final.ip)) {
      const as = final.network && 'asn' in final.network && final.network.asn !== null ? final.network : null;
      const network = as
        ? get(`network:AS${as.asn}`, `AS${as.asn}${as.name ? ` ${as.name}` : ''}`, null)
        : get(`network:${final.ip}`, `the network hosting ${final.ip}`, null);
      network.hops.push({ chain: chain.id, index: final.index, url: final.url, via: final.via, ip: final.ip });
      if (!network.ips.includes(final.ip)) network.ips.push(final.ip);
      addRole(
        network,
        'hosting network',
        `Hop ${final.index} of case ${chain.id}, where the chain ended (${final.url}), was served from ${final.ip}, an address of your network` +
          (as
            ? ` (AS${as.asn}${as.country ? `, ${as.country}` : ''}, according to ${as.source}${as.sourceDate ? ` of ${as.sourceDate}` : ''}).`
            : '.'),
      );
    }
  }
  return [...parties.values()];
}

function domainOf(hop: Hop | undefined): string | null {
  if (!hop) return null;
  return hop.party?.registrableDomain ?? registrableDomain(hostOf(hop.url));
}

/** Why a chain that reached no landing page stopped: "HTTP 404", "a redirect loop", "a file download". */
function stopReason(chain: TracedChain): string {
  if (chain.report.partial) return 'the trace was cut off';
  const ending = reportChainEnding(chain.report);
  return ending?.kind === 'error'
    ? ending.reason
    : ending?.kind === 'loop'
      ? 'a redirect loop'
      : ending?.kind === 'download'
        ? 'a file download'
        : 'no landing page';
}

function hopReason(
  chain: TracedChain,
  hops: Hop[],
  role: ResponsibleRole,
  party: PartyRef,
  stopped: { hop: Hop | undefined; why: string } | null,
): string {
  const rule = party.rule && party.rule !== 'final landing page' ? ` (clicktrace rule ${party.rule})` : '';
  const numbers = hops.map((h) => h.index);
  const hopNumbers = numbers.length > 1 ? `Hops ${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}` : `Hop ${numbers[0]}`;
  const more = hops.length > 1 ? ', ...' : '';
  const where = `${hopNumbers} of case ${chain.id} (${hops[0].url}${more})`;
  const are = hops.length > 1 ? 'are' : 'is';
  switch (role) {
    case 'click tracker':
      return `${where} ${are} ${partyName(party)}'s click tracker${rule}: the message's link went through it.`;
    case 'broker':
      if (stopped?.hop && hops.includes(stopped.hop))
        return `${where} ${are} where the chain stopped, short of any landing page (${stopped.why}); the host is ${
          party.role === 'unknown' ? "not in clicktrace's catalogue of known parties" : `run by ${partyName(party)} (${party.role})${rule}`
        }.`;
      return party.role === 'unknown'
        ? `${where} passed the click on to the next hop; the host is not in clicktrace's catalogue of known parties.`
        : `${where} ${are} run by ${partyName(party)} (${party.role})${rule} and passed the click on.`;
    case 'advertiser':
      return `${where} ${are} where the chain ended, or the landing page's own domain: the page the click was bought for.`;
    case 'destination':
      return `${where} ${are} where the chain ended, on a domain imitating the brand the page names, or that page's own domain.`;
    default:
      return `${where} ${are} part of the chain.`;
  }
}

/** The parties.json rule a PartyRef's rule id ("selligent:path:...") names. */
export function ruleOf(party: PartyRef): PartyRule | null {
  const id = party.rule?.split(':')[0];
  return id ? (loadPartyRules().find((r) => r.id === id) ?? null) : null;
}

let platformDomains: Map<string, string[]> | null = null;

/** The parties.json rule of a sending platform named by rules/mail-headers.json: same name, or a shared domain. */
export function ruleForPlatform(name: string): PartyRule | null {
  platformDomains ??= new Map(
    (readRulesJson('mail-headers.json') as { platforms: { name: string; domains?: string[] }[] }).platforms.map((p) => [
      p.name,
      p.domains ?? [],
    ]),
  );
  const rules = loadPartyRules();
  // The platform's own domains first: "HubSpot" is the ESP whose tracker hosts they are, not the
  // company's link shortener that its name also begins.
  const domains = platformDomains.get(name) ?? [];
  const byDomain = rules.find((r) => r.role === 'esp-tracker' && (r.hosts ?? []).some((h) => domains.includes(h)));
  if (byDomain) return byDomain;
  const lower = name.toLowerCase();
  return (
    rules.find(
      (r) =>
        r.role !== 'shortener' &&
        (r.name.toLowerCase() === lower || r.name.toLowerCase().startsWith(`${lower} (`) || r.name.toLowerCase().endsWith(` ${lower}`)),
    ) ?? null
  );
}
