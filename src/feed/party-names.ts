// One row per party, whatever the spelling in the evidence. Cases recorded over months name the
// same party differently: a sending platform from the headers ("SendGrid"), the tracker that ran
// a hop ("Twilio SendGrid"), an unattributed hop's domain ("sendgrid.net"), older rules, imported
// captures in other cases; advertisers and final domains come as hosts with `www.`, capitals,
// trailing dots, Unicode or punycode. The feed report groups them here: a name the catalogue
// knows (rules/parties.json, rules/mail-headers.json, both built from the clicktracker catalogue)
// is that party, under its catalogue name; a domain is its registrable domain (Public Suffix List
// through tldts, private suffixes included as the case index does, IDN folded to punycode); any
// other name is itself, folded for case and spacing. Pure: the catalogue is an argument
// (loadPartyCatalogue reads the rules once).
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import { registrableDomain } from '../store/case-rows.js';
import { readRulesJson } from '../analyze/parties-rules.js';

/** A party of the catalogue: every spelling that names it leads here. */
export interface CatalogueParty {
  /** The row key and what a reader sees: the party's name in rules/parties.json, else the platform's in rules/mail-headers.json. */
  name: string;
  /** Its role in rules/parties.json (esp-tracker, shortener...); null for a sending platform the party rules do not know. */
  role: string | null;
}

export interface PartyCatalogue {
  /** Folded name (foldName) to party. */
  byName: ReadonlyMap<string, CatalogueParty>;
  /** Registrable domain to the party whose own domain it is. */
  byDomain: ReadonlyMap<string, CatalogueParty>;
}

/** What the catalogue is built from: the party rules and the header platforms, as in the rules files. */
export interface CatalogueRules {
  parties: readonly { id: string; name: string; role: string; hosts?: readonly string[] }[];
  platforms: readonly { name: string; domains?: readonly string[] }[];
}

/** How a spelling is grouped: `key` within the dimension, `label` when the row's display name is fixed. */
export interface GroupedName {
  key: string;
  /** The catalogue name, or the registrable domain; null: the row shows its most used spelling. */
  label: string | null;
  /** The catalogue role of the party (for an unattributed hop whose domain is a catalogued party's). */
  role: string | null;
}

/** A name for comparing: Unicode compatibility forms folded, lower case, one space between words, no trailing dot. */
export function foldName(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
}

/**
 * The registrable domain a host-like spelling stands for, in ASCII (punycode) and lower case:
 * "WWW.Shop.Example." and "https://shop.example:8443/x" are "shop.example", "bücher.de" is
 * "xn--bcher-kva.de"; an IP address is itself. Null for what is no host (a name with spaces, an
 * empty or single-label word).
 */
export function foldDomain(text: string): string | null {
  let host = text.normalize('NFKC').trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) {
    try {
      host = new URL(host).hostname;
    } catch {
      return null;
    }
  }
  host = host.replace(/^\*\./, '').replace(/\.+$/, '');
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare)) return bare;
  host = host.replace(/:\d+$/, '');
  if (isIP(host)) return host;
  if (!host.includes('.') || /[\s/\\@?#:]/.test(host)) return null;
  const ascii = domainToASCII(host).replace(/\.+$/, '');
  if (!ascii || !ascii.includes('.')) return null;
  const domain = registrableDomain(ascii) ?? ascii;
  // No registrable domain (a bare public suffix, a lab name): the host, its www. left out.
  return domain === ascii ? ascii.replace(/^www\d*\.(?=[^.]+\.)/, '') : domain;
}

/** A host pattern of rules/parties.json that is a plain registrable domain ("sendgrid.net"), not a glob or a subdomain. */
function plainDomain(pattern: string): string | null {
  if (/[*/{}]/.test(pattern)) return null;
  const domain = foldDomain(pattern);
  return domain === pattern.toLowerCase() ? domain : null;
}

/**
 * The catalogue: each party rule under its name, its id and its plain domains; each header
 * platform joined to the party rule it is (a shared domain, or the same name), else a party of
 * its own. "Brevo (Sendinblue)" is also "Brevo" and "Sendinblue" unless another party claims the
 * word ("HubSpot (hubs.ly shortener)" is not "HubSpot": the header platform HubSpot is).
 */
export function partyCatalogue(rules: CatalogueRules): PartyCatalogue {
  const byName = new Map<string, CatalogueParty>();
  const byDomain = new Map<string, CatalogueParty>();
  const ambiguousDomains = new Set<string>();
  const claim = (domain: string, party: CatalogueParty) => {
    const held = byDomain.get(domain);
    if (held && held !== party) ambiguousDomains.add(domain);
    else byDomain.set(domain, party);
  };
  const byRuleName = new Map<string, CatalogueParty>();
  const domainOwner = new Map<string, CatalogueParty>();
  for (const rule of rules.parties) {
    const party: CatalogueParty = { name: rule.name, role: rule.role };
    byName.set(foldName(rule.name), party);
    byName.set(foldName(rule.id), party);
    byRuleName.set(foldName(rule.name), party);
    for (const host of rule.hosts ?? []) {
      const domain = plainDomain(host);
      if (!domain) continue;
      claim(domain, party);
      if (rule.role === 'esp-tracker') domainOwner.set(domain, party);
    }
  }
  for (const platform of rules.platforms) {
    const domains = (platform.domains ?? []).map(plainDomain).filter((d): d is string => d !== null);
    const party = domains.map((d) => domainOwner.get(d)).find(Boolean) ??
      byRuleName.get(foldName(platform.name)) ?? { name: platform.name, role: null };
    if (!byName.has(foldName(platform.name))) byName.set(foldName(platform.name), party);
    for (const domain of domains) claim(domain, party);
  }
  for (const domain of ambiguousDomains) byDomain.delete(domain);
  // Short forms of "Name (Former name)": only where one party alone could be meant, and never the
  // brand of a shortener or redirector ("Google (goo.gl)" is not all of Google).
  const shortForms = new Map<string, CatalogueParty | null>();
  for (const rule of rules.parties) {
    const m = /^(.+?)\s*\(([^()]+)\)$/.exec(rule.name);
    if (!m || rule.role === 'shortener' || rule.role === 'redirector') continue;
    const party = byName.get(foldName(rule.name))!;
    if (!/^\p{Lu}/u.test(m[2])) continue;
    for (const form of [m[1], m[2]]) {
      if (/[.,/]/.test(form)) continue;
      const key = foldName(form);
      if (byName.has(key)) continue;
      shortForms.set(key, shortForms.has(key) && shortForms.get(key) !== party ? null : party);
    }
  }
  for (const [key, party] of shortForms) if (party) byName.set(key, party);
  return { byName, byDomain };
}

let loaded: PartyCatalogue | null = null;

/** The catalogue of the rules files (read once). */
export function loadPartyCatalogue(): PartyCatalogue {
  loaded ??= partyCatalogue({
    parties: (readRulesJson('parties.json') as CatalogueRules).parties,
    platforms: (readRulesJson('mail-headers.json') as CatalogueRules).platforms,
  });
  return loaded;
}

/** A party however spelled (a name, or a domain for an unattributed hop): the catalogue's party, a registrable domain, or the name itself. */
export function groupParty(spelling: string, catalogue: PartyCatalogue): GroupedName {
  const named = catalogue.byName.get(foldName(spelling));
  if (named) return { key: named.name, label: named.name, role: named.role };
  const domain = foldDomain(spelling);
  if (domain) {
    const owner = catalogue.byDomain.get(domain);
    return owner ? { key: owner.name, label: owner.name, role: owner.role } : { key: domain, label: domain, role: null };
  }
  return { key: foldName(spelling), label: null, role: null };
}

/** An advertiser or final domain: its registrable domain when it is a host, else (an advertiser party's name) the name. */
export function groupDomain(spelling: string): GroupedName {
  const domain = foldDomain(spelling);
  return domain ? { key: domain, label: domain, role: null } : { key: foldName(spelling), label: null, role: null };
}
