// Where the address leaked: for each recipient address a message reached (its headers, and the
// recipient tokens in its link and pixel URLs), the recipient-map entry it falls under (given out
// where and when, retired, spamtrap) or its tag (user+tag@, the part of a catch-all pattern),
// in one sentence an analyst can quote; and, across a feed, per given-out address: which senders,
// platforms and advertisers reached it, first and last seen.
import { parse as parseDomain } from 'tldts';
import type { MailAnalysis } from './parse.js';
import { compareWithMapDate, matchEntry, type RecipientEntry, type RecipientMap } from './recipient-map.js';

export interface AddressDisclosure {
  /** The address the message reached, lowercased. */
  address: string;
  /** Where the message names it: headers ("To", "Delivered-To", "Received for (hop 2)") and tokens ("link 3: e (sha256)", "resource 1: path (plain)"). */
  where: string[];
  /** The recipient-map entry it falls under (`entry.address` is the address or pattern). */
  entry: RecipientEntry | null;
  /** The plus tag, the part a map pattern's "*" matched, or a local part naming a site. */
  tag: string | null;
  tagKind: 'plus' | 'pattern' | 'site-name' | null;
  /** The message is dated after the entry's retiredOn date. */
  afterRetirement: boolean;
  /** The message is dated before the entry's givenOn date. */
  beforeGiven: boolean;
  /** The address is known to the map or carries a tag: it tells where the list came from. */
  telling: boolean;
  /** One sentence: "sent to … , given only for …, in 2012, retired in 2016". */
  text: string;
}

const PLUS = /^([^+@]+)\+([^@]+)@/;

function tagOf(address: string, wildcard: string | null, entry: RecipientEntry | null): Pick<AddressDisclosure, 'tag' | 'tagKind'> {
  const plus = PLUS.exec(address);
  if (entry && wildcard) return { tag: wildcard, tagKind: 'pattern' };
  if (plus) return { tag: plus[2], tagKind: 'plus' };
  // A catch-all convention: the local part is the name of the site that got the address ("shop.example@me.example").
  const local = address.slice(0, address.lastIndexOf('@'));
  if (!entry && /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(local)) {
    const parsed = parseDomain(local);
    if (parsed.isIcann && parsed.domain && parsed.domain === local.replace(/^www\./, '')) return { tag: local, tagKind: 'site-name' };
  }
  return { tag: null, tagKind: null };
}

/** The sentence for one address: what the map says of it, or its tag. */
export function disclosureSentence(d: Omit<AddressDisclosure, 'text'>): string {
  const parts: string[] = [`sent to ${d.address}`];
  const e = d.entry;
  const when = e?.givenOn ? ` in ${e.givenOn}` : '';
  if (e?.spamtrap) parts.push(`a spamtrap${e.given ? ` (${e.given}${when})` : when ? ` (set up${when})` : ''}`);
  else if (e?.given) parts.push(`given ${e.given.replace(/^given\s+/i, '')}${when}`);
  else if (e?.givenOn) parts.push(`given out${when}`);
  if (e?.retiredOn) parts.push(`retired in ${e.retiredOn}${d.afterRetirement ? ' (this message came later)' : ''}`);
  if (d.beforeGiven) parts.push('(dated before the address was given out)');
  if (d.tag && (!e?.given || d.tagKind === 'pattern')) parts.push(`tagged recipient: ${d.tag}`);
  if (e?.note) parts.push(e.note);
  return parts.join(', ');
}

/** Every recipient address of a message with what the map (if any) and its tag say about it. */
export function messageDisclosures(analysis: MailAnalysis, map: RecipientMap | null): AddressDisclosure[] {
  const where = new Map<string, string[]>();
  const add = (address: string, place: string) => {
    const list = where.get(address) ?? [];
    if (!list.includes(place)) list.push(place);
    where.set(address, list);
  };
  for (const r of analysis.recipients) for (const w of r.where.length ? r.where : ['recipient']) add(r.address, w);
  for (const t of analysis.recipientTokens) add(t.address, `${t.link !== null ? `link ${t.link}` : `resource ${t.resource}`}: ${t.field}`);
  const out: AddressDisclosure[] = [];
  for (const [address, places] of where) {
    const match = matchEntry(map, address);
    const entry = match?.entry ?? null;
    const retired = compareWithMapDate(analysis.date, entry?.retiredOn);
    const given = compareWithMapDate(analysis.date, entry?.givenOn);
    const partial = {
      address,
      where: places,
      entry,
      ...tagOf(address, match?.wildcard ?? null, entry),
      afterRetirement: retired === 1,
      beforeGiven: given === -1,
      telling: false,
    };
    partial.telling = entry !== null || partial.tag !== null;
    out.push({ ...partial, text: disclosureSentence(partial) });
  }
  return out;
}

/** The sentence for the message: its telling addresses, spamtraps and retired ones first; null when none is telling. */
export function disclosureSummary(disclosures: AddressDisclosure[]): string | null {
  const telling = disclosures.filter((d) => d.telling);
  if (telling.length === 0) return null;
  const rank = (d: AddressDisclosure) => (d.entry?.spamtrap ? 0 : d.afterRetirement ? 1 : d.entry ? 2 : 3);
  return [...telling]
    .sort((a, b) => rank(a) - rank(b))
    .map((d) => d.text)
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Across a feed

/** What the feed aggregate needs of one message (see `disclosureSource` in message-case.ts). */
export interface DisclosureSource {
  /** The message case, when there is one. */
  case: string | null;
  /** ISO date of the message (its Date header), or null. */
  date: string | null;
  /** The sender (From address), or null. */
  sender: string | null;
  /** Sending platforms: ESP fingerprints of the headers and ESP trackers behind its links and pixels. */
  platforms: string[];
  /** Advertisers its traced links ended at. */
  advertisers: string[];
  disclosures: AddressDisclosure[];
}

export interface Tally {
  value: string;
  messages: number;
}

export interface GivenAddressSummary {
  /** The map entry's address or pattern; for a tagged address with no entry, the address itself. */
  key: string;
  entry: RecipientEntry | null;
  /** The addresses seen under this key, and their tags. */
  addresses: string[];
  tags: string[];
  messages: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Messages dated after the entry's retirement. */
  afterRetirement: number;
  senders: Tally[];
  platforms: Tally[];
  advertisers: Tally[];
  /** Message cases, in the order seen (the first 100). */
  cases: string[];
}

function tallied(counts: Map<string, number>): Tally[] {
  return [...counts]
    .map(([value, messages]) => ({ value, messages }))
    .sort((a, b) => b.messages - a.messages || a.value.localeCompare(b.value));
}

/**
 * Per given-out address (map entry, or tagged address without one): which senders, platforms and
 * advertisers reached it, how often, first and last seen. Pure; addresses that tell nothing
 * (no entry, no tag) are left out.
 */
export function aggregateByGivenAddress(sources: Iterable<DisclosureSource>): GivenAddressSummary[] {
  interface Acc {
    summary: GivenAddressSummary;
    senders: Map<string, number>;
    platforms: Map<string, number>;
    advertisers: Map<string, number>;
    addresses: Set<string>;
    tags: Set<string>;
  }
  const byKey = new Map<string, Acc>();
  for (const source of sources) {
    const seenInMessage = new Set<string>();
    for (const d of source.disclosures) {
      if (!d.telling) continue;
      const key = d.entry?.address ?? d.address;
      let acc = byKey.get(key);
      if (!acc) {
        acc = {
          summary: {
            key,
            entry: d.entry,
            addresses: [],
            tags: [],
            messages: 0,
            firstSeen: null,
            lastSeen: null,
            afterRetirement: 0,
            senders: [],
            platforms: [],
            advertisers: [],
            cases: [],
          },
          senders: new Map(),
          platforms: new Map(),
          advertisers: new Map(),
          addresses: new Set(),
          tags: new Set(),
        };
        byKey.set(key, acc);
      }
      acc.addresses.add(d.address);
      if (d.tag) acc.tags.add(d.tag);
      if (seenInMessage.has(key)) continue;
      seenInMessage.add(key);
      const s = acc.summary;
      s.messages++;
      if (d.afterRetirement) s.afterRetirement++;
      if (source.date) {
        if (!s.firstSeen || source.date < s.firstSeen) s.firstSeen = source.date;
        if (!s.lastSeen || source.date > s.lastSeen) s.lastSeen = source.date;
      }
      if (source.case && s.cases.length < 100) s.cases.push(source.case);
      const count = (map: Map<string, number>, values: string[]) => {
        for (const v of new Set(values)) map.set(v, (map.get(v) ?? 0) + 1);
      };
      count(acc.senders, source.sender ? [source.sender] : []);
      count(acc.platforms, source.platforms);
      count(acc.advertisers, source.advertisers);
    }
  }
  return [...byKey.values()]
    .map((acc) => ({
      ...acc.summary,
      addresses: [...acc.addresses].sort(),
      tags: [...acc.tags].sort(),
      senders: tallied(acc.senders),
      platforms: tallied(acc.platforms),
      advertisers: tallied(acc.advertisers),
    }))
    .sort((a, b) => b.messages - a.messages || a.key.localeCompare(b.key));
}
