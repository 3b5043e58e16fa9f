// "Who is responsible" across a feed: the cases of a cases folder (or of one batch) summed up per
// sending platform, click tracker, broker, other intermediary, advertiser (or final domain when
// the chain did not end on a page) and hosting network, each line with its counts of messages and
// traces, when it was first and last seen, and example cases that prove it. Pure: the rows come
// from the case index (src/store/feed-cases.ts), so the same cases always give the same answer.

import type { CloakingRow } from '../compare/cloaking-report.js';
import { groupDomain, groupParty, loadPartyCatalogue, type GroupedName, type PartyCatalogue } from './party-names.js';
import { parseAddress, specialNetwork } from '../hosting/special-addresses.js';
import { lastChainHop, wayOnHops } from '../analyze/tabs.js';

/** One case as the aggregate needs it. */
export interface FeedCase {
  id: string;
  kind: 'trace' | 'proxy' | 'import' | 'mail';
  startedAt: string | null;
  /**
   * A traced link: every message case whose link led to this trace (the same link in several
   * messages is traced once, the later messages point at that case); none for a message case.
   */
  messageCases: string[];
  /** A trace made as one visitor of a `clicktrace compare` run: that comparison case. */
  comparison?: string | null;
  /** A message case: the sending platforms its headers show. */
  platforms: { name: string; kind: string }[];
  /** A message case: who runs its open-tracking pixels. */
  openTrackers?: string[];
  /** A message case: the recipient addresses it reached that the recipient map knows or that carry a tag. */
  recipients?: FeedRecipient[];
  /** The chain rested on a page that rendered (src/store/case-rows.ts endedOnPage). */
  endedOnPage: boolean;
  /** How a chain that did not rest on a page ended ("HTTP 404", "redirect loop", "cut off"), when the index says. */
  ending?: string | null;
  /** Registrable domain of the final URL. */
  finalDomain: string | null;
  /** The report's advertiser party (name or domain), as the report has it. */
  advertiser: string | null;
  error: string | null;
  hops: FeedHop[];
}

/** A recipient address a message reached, as the recipient map saw it when the message was recorded. */
export interface FeedRecipient {
  address: string;
  /** The map entry (address or pattern) it falls under; null when only its tag is known. */
  givenKey: string | null;
  tag: string | null;
  spamtrap: boolean;
  afterRetirement: boolean;
}

export interface FeedHop {
  idx: number;
  domain: string | null;
  partyName: string | null;
  partyRole: string | null;
  ip: string | null;
  asn: number | null;
  asName: string | null;
  asCountry: string | null;
  /** "loopback", "private"...: a special block, not an AS. */
  special: string | null;
  /** Where the AS answer came from ("ip-location-db asn 2026-06-17"). */
  source: string | null;
  /** Made by a tab the chain is not on (a tab-under's first tab): not the chain's way on. */
  otherTab?: true;
  /** Of those, a hop of a separate chain (a proxy capture's or an import's other visit, src/import/chain.ts). */
  separateChain?: true;
  /** How the hop was reached, and its error ("superseded: …": requested, never shown, not the way on). */
  via?: string;
  error?: string | null;
}

export const FEED_DIMENSIONS = [
  'recipient',
  'platform',
  'open-tracker',
  'tracker',
  'broker',
  'intermediary',
  'advertiser',
  'final-domain',
  'other-tab',
  'network',
] as const;
export type FeedDimension = (typeof FEED_DIMENSIONS)[number];

export const DIMENSION_TITLES: Record<FeedDimension, string> = {
  recipient: 'Given-out addresses reached (recipient map and tagged addresses)',
  platform: 'Sending platforms (from message headers)',
  'open-tracker': 'Open trackers (pixels in messages, never fetched unless asked)',
  tracker: 'Click trackers / ESPs',
  broker: 'Brokers and affiliate or ad networks',
  intermediary: 'Other hops on the way (shorteners, wrappers, unattributed)',
  advertiser: 'Advertisers (chains that ended on a landing page)',
  'final-domain': 'Final registrable domains of chains that reached no landing page',
  'other-tab':
    "Another tab's hops (a tab-under's first tab, sent on by itself), and a separate chain's " +
    "(a proxy capture's or an import's other visits): not the chain's way on",
  network: "Hosting networks of every hop (another tab's and a separate chain's too; offline data, approximate)",
};

export interface FeedRow {
  dimension: FeedDimension;
  /**
   * Stable key within the dimension: a party's catalogue name, a registrable domain (ASCII, lower
   * case), a name the catalogue does not know (folded: lower case), "AS15169", "loopback".
   */
  key: string;
  /** What a reader sees: "Twilio SendGrid", "shop.example", "AS15169 Google LLC". */
  label: string;
  /**
   * Every spelling the cases gave for this line ("SendGrid", "sendgrid.net", "WWW.Shop.Example",
   * an AS name of another data release), sorted: grouped here (src/feed/party-names.ts).
   */
  spellings: string[];
  /** Roles, countries or why the line is there ("did not end on a page"). */
  detail: string | null;
  messages: number;
  traces: number;
  /** Of `traces`, how many are imported captures (HAR, mitmproxy, case bundles), not traced by clicktrace. */
  imported: number;
  /** Of `traces`, how many were visitors of a `clicktrace compare` run (one link, one trace per profile). */
  compared: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /**
   * Up to EXAMPLES case ids, newest first, each one a case that shows the line: a trace with the
   * party at a hop (or ending there), a message case whose headers, pixels or recipients name it.
   */
  examples: string[];
  /** For AS lines: the offline data and its date (each release, when the cases were made with several). */
  source: string | null;
}

export interface FeedAggregate {
  since: string | null;
  cases: number;
  messages: number;
  /** Chains: traces, proxy recordings and imported captures. */
  traces: number;
  /** Of `traces`, the imported captures (HAR, mitmproxy, case bundles). */
  imported: number;
  /** Of `traces`, the visitors of `clicktrace compare` runs. */
  compared: number;
  /** Of `traces`, those that stopped with an error (loop, timeout, reset, crash, interrupted...). */
  failed: number;
  firstSeen: string | null;
  lastSeen: string | null;
  rows: FeedRow[];
  /**
   * The report of a cases folder (`clicktrace report`, /report): per party, the links of the folder
   * compared as several visitors (clicktrace compare) and how many were cloaked. Absent from a
   * batch's summary (a batch compares nothing). Every format shows it.
   */
  cloaking?: CloakingRow[];
}

export const EXAMPLES = 3;

const TRACKER_ROLES = new Set(['esp-tracker']);
const BROKER_ROLES = new Set(['affiliate-network', 'ad-network', 'redirector']);

interface Bucket {
  row: Omit<FeedRow, 'label' | 'spellings' | 'messages' | 'traces' | 'imported' | 'compared' | 'examples' | 'detail' | 'source'>;
  /** The catalogue name or the domain; null: the most used spelling. */
  label: string | null;
  spellings: Map<string, number>;
  /** Each detail with the cases that gave it. */
  details: Map<string, Set<string>>;
  /** Every case counted on the line. */
  counted: Set<string>;
  sources: Set<string>;
  messages: Set<string>;
  traces: Set<string>;
  imported: Set<string>;
  compared: Set<string>;
  /** Case id -> its time, for the examples: the cases that show the line. */
  cases: Map<string, string>;
}

/** A line's name: how it is grouped, and the spelling this case gave. */
type LineName = Pick<GroupedName, 'key' | 'label'> & { spelling: string };

/** The row's display name: the fixed one, else the spelling seen most (the first in order on a tie). */
function displayName(bucket: Bucket): string {
  if (bucket.label) return bucket.label;
  let best: [string, number] | null = null;
  for (const entry of [...bucket.spellings].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (!best || entry[1] > best[1]) best = entry;
  return best?.[0] ?? bucket.row.key;
}

/**
 * The row's details, the most held first, each with how many of its cases it holds for when not
 * all: "special-purpose address, another tab's hop (1 of 290 cases)", not a loopback row that
 * reads as another tab's.
 */
function detailLine(bucket: Bucket): string | null {
  if (!bucket.details.size) return null;
  // A given-out address's facts come from a message and the traces of its links alike: one event.
  const all = bucket.row.dimension === 'recipient' ? 0 : bucket.counted.size;
  const parts = [...bucket.details]
    .sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([detail, cases]) => (cases.size < all ? `${detail} (${cases.size} of ${all} cases)` : detail));
  // The ways chains ended short of a page, said once: "did not end on a page: HTTP 404 (1 of 2 cases), timeout (1 of 2 cases)".
  const short = `${NOT_ON_A_PAGE}: `;
  const endings = parts.filter((p) => p.startsWith(short));
  if (endings.length < 2) return parts.join(', ');
  const first = parts.indexOf(endings[0]);
  const others = parts.filter((p) => !p.startsWith(short));
  others.splice(first, 0, short + endings.map((p) => p.slice(short.length)).join(', '));
  return others.join(', ');
}

/** Why a final domain stands apart when its chain reached no page. */
const NOT_ON_A_PAGE = 'did not end on a page';

class Buckets {
  private readonly map = new Map<string, Bucket>();

  /**
   * Counts case `c` on a line; `messages` (a trace's messages that this line is about) defaults to
   * all of them. `evidence` is the case that shows the line (a message case, for the sending
   * platform of a message counted on a trace of its link): the example, and when the line was seen.
   */
  add(
    dimension: FeedDimension,
    name: LineName,
    c: FeedCase,
    options: {
      detail?: string | null | readonly (string | null)[];
      source?: string | null;
      messages?: readonly string[];
      evidence?: FeedCase;
    } = {},
  ) {
    const id = `${dimension}\u0000${name.key}`;
    let bucket = this.map.get(id);
    if (!bucket) {
      bucket = {
        row: { dimension, key: name.key, firstSeen: null, lastSeen: null },
        label: name.label,
        spellings: new Map(),
        details: new Map(),
        counted: new Set(),
        sources: new Set(),
        messages: new Set(),
        traces: new Set(),
        imported: new Set(),
        compared: new Set(),
        cases: new Map(),
      };
      this.map.set(id, bucket);
    }
    bucket.spellings.set(name.spelling, (bucket.spellings.get(name.spelling) ?? 0) + 1);
    bucket.counted.add(c.id);
    for (const detail of typeof options.detail === 'string' ? [options.detail] : (options.detail ?? [])) {
      if (!detail) continue;
      const cases = bucket.details.get(detail) ?? new Set<string>();
      cases.add(c.id);
      bucket.details.set(detail, cases);
    }
    if (options.source) bucket.sources.add(options.source);
    if (c.kind === 'mail') bucket.messages.add(c.id);
    else {
      bucket.traces.add(c.id);
      if (c.kind === 'import') bucket.imported.add(c.id);
      if (c.comparison) bucket.compared.add(c.id);
      for (const m of options.messages ?? messagesOf(c)) bucket.messages.add(m);
    }
    const evidence = options.evidence ?? c;
    bucket.cases.set(evidence.id, evidence.startedAt ?? '');
    if (evidence.startedAt) {
      if (!bucket.row.firstSeen || evidence.startedAt < bucket.row.firstSeen) bucket.row.firstSeen = evidence.startedAt;
      if (!bucket.row.lastSeen || evidence.startedAt > bucket.row.lastSeen) bucket.row.lastSeen = evidence.startedAt;
    }
  }

  rows(): FeedRow[] {
    const order = new Map(FEED_DIMENSIONS.map((d, i) => [d, i]));
    return [...this.map.values()]
      .map((b) => ({
        ...b.row,
        label: displayName(b),
        spellings: [...b.spellings.keys()].sort(),
        detail: detailLine(b),
        source: b.sources.size ? [...b.sources].sort().join(', ') : null,
        messages: b.messages.size,
        traces: b.traces.size,
        imported: b.imported.size,
        compared: b.compared.size,
        examples: [...b.cases]
          .sort((x, y) => (x[1] === y[1] ? (x[0] < y[0] ? 1 : -1) : x[1] < y[1] ? 1 : -1))
          .slice(0, EXAMPLES)
          .map(([id]) => id),
      }))
      .sort(
        (a, b) =>
          order.get(a.dimension)! - order.get(b.dimension)! ||
          b.traces + b.messages - (a.traces + a.messages) ||
          b.traces - a.traces ||
          (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      )
      .map(({ dimension, key, label, spellings, detail, messages, traces, imported, compared, firstSeen, lastSeen, examples, source }) => ({
        dimension,
        key,
        label,
        spellings,
        detail,
        messages,
        traces,
        imported,
        compared,
        firstSeen,
        lastSeen,
        examples,
        source,
      }));
  }
}

export interface FeedAggregateOptions {
  /** ISO time: cases that started before it are left out. */
  since?: string | null;
  /**
   * With `since`: message cases that started before it but that traces in the window came from
   * (feedMessageContext), read for what they say of their message; never counted as cases.
   */
  context?: readonly FeedCase[];
  /** The party catalogue names are grouped by (src/feed/party-names.ts); the rules files' when absent. */
  catalogue?: PartyCatalogue;
}

/**
 * Sums the cases up; `since` (an ISO time) leaves out cases that started before it.
 *
 * Which messages count: the message cases among the cases summed up (a batch's summary: the
 * messages of the batch, not those of earlier runs that led to a trace it reused). With `since`,
 * also a message recorded before it but with a trace of one of its links made in the window (a
 * mailbox traced again, its message cases reused): it is part of the window's answer, counted
 * on that trace. A counted message counts everywhere a message counts; a trace counts for the
 * counted messages it came from.
 *
 * First and last seen, and the examples, come from the cases that show each line, when their
 * evidence was recorded: a trace for the parties at its hops, its advertiser and the networks; the
 * message case for its sending platforms, open trackers and given-out addresses (so a message
 * recorded before `since` and counted on a trace in the window shows its own, earlier, time; a
 * trace reused by a batch, its own time, not the batch's).
 */
export function feedAggregate(cases: readonly FeedCase[], options: FeedAggregateOptions = {}): FeedAggregate {
  const since = options.since ?? null;
  const included = since ? cases.filter((c) => c.startedAt !== null && c.startedAt >= since) : [...cases];
  const buckets = new Buckets();
  const names = new Names(options.catalogue ?? loadPartyCatalogue());
  const messagesById = new Map<string, FeedCase>();
  for (const c of [...(options.context ?? []), ...(since ? cases : included)]) if (c.kind === 'mail') messagesById.set(c.id, c);
  const counted = new Set(included.filter((c) => c.kind === 'mail').map((c) => c.id));
  if (since) for (const c of included) for (const m of messagesOf(c)) if (messagesById.has(m)) counted.add(m);
  const messages = new Set<string>();
  let traces = 0;
  let imported = 0;
  let compared = 0;
  let failed = 0;
  let firstSeen: string | null = null;
  let lastSeen: string | null = null;
  for (const c of included) {
    if (c.startedAt) {
      if (!firstSeen || c.startedAt < firstSeen) firstSeen = c.startedAt;
      if (!lastSeen || c.startedAt > lastSeen) lastSeen = c.startedAt;
    }
    if (c.kind === 'mail') {
      messages.add(c.id);
      addMessageLines(buckets, names, c, c, []);
      continue;
    }
    traces++;
    if (c.kind === 'import') imported++;
    if (c.comparison) compared++;
    if (c.error !== null) failed++;
    // The trace as this selection sees it: only the counted messages it came from.
    const trace = { ...c, messageCases: messagesOf(c).filter((m) => counted.has(m)) };
    const advertiser = advertiserOf(trace, names);
    for (const messageCase of trace.messageCases) {
      messages.add(messageCase);
      addMessageLines(
        buckets,
        names,
        messagesById.get(messageCase)!,
        trace,
        advertiser ? [`for ${advertiser.label ?? advertiser.spelling}`] : [],
      );
    }
    addChain(buckets, names, trace);
  }
  return {
    since,
    cases: included.length,
    messages: messages.size,
    traces,
    imported,
    compared,
    failed,
    firstSeen,
    lastSeen,
    rows: buckets.rows(),
  };
}

/** Names as the lines group them (memoised: thousands of cases repeat the same few spellings). */
class Names {
  private readonly parties = new Map<string, LineName & { role: string | null }>();
  private readonly domains = new Map<string, LineName>();
  constructor(private readonly catalogue: PartyCatalogue) {}

  /** A party (a name, or an unattributed hop's domain): the catalogue's, a registrable domain, or the name. */
  party(spelling: string): LineName & { role: string | null } {
    let name = this.parties.get(spelling);
    if (!name) this.parties.set(spelling, (name = { ...groupParty(spelling, this.catalogue), spelling }));
    return name;
  }

  /** An advertiser or final domain: its registrable domain. */
  domain(spelling: string): LineName {
    let name = this.domains.get(spelling);
    if (!name) this.domains.set(spelling, (name = { ...groupDomain(spelling), spelling }));
    return name;
  }
}

/**
 * The lines a message makes (its sending platforms, open trackers, given-out addresses), counted
 * for `c`: the message case itself, or a trace of one of its links (`details` then says for which
 * advertiser). The message case shows them: it is their example, and its time when they were seen.
 */
function addMessageLines(buckets: Buckets, names: Names, message: FeedCase, c: FeedCase, details: string[]): void {
  const messages = [message.id];
  const evidence = message;
  for (const p of message.platforms) buckets.add('platform', names.party(p.name), c, { detail: p.kind, messages, evidence });
  for (const name of new Set(message.openTrackers ?? [])) buckets.add('open-tracker', names.party(name), c, { messages, evidence });
  const via = message.platforms.map((p) => `via ${names.party(p.name).label ?? p.name}`);
  addRecipients(buckets, message, c, c === message ? via : details);
}

/**
 * A given-out address (its recipient map entry, or the tagged address) reached by `message`,
 * counted for `c` (the message itself, or a trace of one of its links, which adds its advertiser).
 */
function addRecipients(buckets: Buckets, message: FeedCase, c: FeedCase, details: string[]): void {
  const messages = [message.id];
  const evidence = message;
  for (const r of message.recipients ?? []) {
    if (!r.givenKey && !r.tag) continue;
    const spelling = r.givenKey ?? r.address;
    // Addresses are compared without regard to case (as mail systems do), one line for both spellings.
    const name = { key: spelling.toLowerCase(), label: null, spelling };
    const facts = [r.spamtrap ? 'spamtrap' : null, r.afterRetirement ? 'after retirement' : null, !r.givenKey ? `tag ${r.tag}` : null];
    for (const detail of [...facts, ...details]) if (detail) buckets.add('recipient', name, c, { detail, messages, evidence });
    if (!facts.some(Boolean) && details.length === 0) buckets.add('recipient', name, c, { messages, evidence });
  }
}

/** The message cases a trace came from (none for a mail case: it is a message). */
function messagesOf(c: FeedCase): readonly string[] {
  return c.kind === 'mail' ? [] : c.messageCases;
}

/**
 * The lines of a trace's chain. Its parties, advertiser and final domain come from the chain's own
 * hops, as the case's summary names them; another tab's hops (a tab-under's first tab) have a table
 * of their own, and their networks count with every hop's.
 */
function addChain(buckets: Buckets, names: Names, c: FeedCase): void {
  // As the case's summary reads it: a superseded navigation's hops were requested, never the way on.
  const chain = wayOnHops(c.hops);
  const last = chain.at(-1) ?? null;
  const finalKey = c.finalDomain ? names.domain(c.finalDomain).key : null;
  for (const hop of chain) {
    const spelling = hop.partyName ?? hop.domain;
    const name = spelling ? names.party(spelling) : null;
    const attributed = hop.partyRole && hop.partyRole !== 'unknown';
    // An unattributed hop on the way whose domain is a catalogued party's (a case recorded before
    // the rule, or another tool's capture): that party, said so.
    const byCatalogue = !attributed && hop !== last && name?.role ? name.role : null;
    const role = byCatalogue ?? hop.partyRole ?? 'unknown';
    const detail = byCatalogue ? `${role} (by its domain in the catalogue)` : role;
    const hopKey = hop.domain ? names.domain(hop.domain).key : null;
    if (name && TRACKER_ROLES.has(role)) buckets.add('tracker', name, c, { detail });
    else if (name && BROKER_ROLES.has(role)) buckets.add('broker', name, c, { detail });
    else if (name && hop !== last && role !== 'advertiser' && (byCatalogue || hopKey !== finalKey))
      buckets.add('intermediary', name, c, { detail: role === 'unknown' ? 'unattributed' : detail });
  }
  for (const hop of c.hops) {
    addNetwork(buckets, c, hop);
    if (!hop.otherTab) continue;
    const spelling = hop.partyName ?? hop.domain;
    const role = hop.partyRole && hop.partyRole !== 'unknown' ? hop.partyRole : 'unattributed';
    if (spelling) buckets.add('other-tab', names.party(spelling), c, { detail: hop.separateChain ? [role, ...offChain(hop)] : role });
  }
  const advertiser = advertiserOf(c, names);
  if (advertiser) {
    buckets.add('advertiser', advertiser, c, {
      detail: c.advertiser ? 'advertiser party' : 'final domain (no advertiser party named)',
    });
  } else if (c.finalDomain) {
    const owner = pageOwner(c, names);
    buckets.add('final-domain', names.domain(c.finalDomain), c, {
      detail:
        c.endedOnPage && owner
          ? `ended on a page of ${owner}, not a landing page`
          : c.endedOnPage && lastChainHop(c.hops)?.partyRole === 'destination'
            ? "a look-alike domain's page: no one's advertising"
            : c.ending
              ? `${NOT_ON_A_PAGE}: ${c.ending}`
              : NOT_ON_A_PAGE,
    });
  }
}

/**
 * Who a chain was for: its advertiser party, or, for a chain that rested on a page nobody claims
 * (a report without an advertiser party), its final domain. A page served by a tracker, broker or
 * shortener (the tracker's own offer page) is no landing page, as the analysis says ("no landing
 * page reached"): its domain is not passed off as an advertiser.
 */
function advertiserOf(c: FeedCase, names: Names): LineName | null {
  if (!c.endedOnPage || lastChainHop(c.hops)?.partyRole === 'destination') return null;
  if (c.advertiser) return names.domain(c.advertiser);
  return pageOwner(c, names) || !c.finalDomain ? null : names.domain(c.finalDomain);
}

/** "Selligent (esp-tracker)": the party, other than an advertiser, that the last hop belongs to. */
function pageOwner(c: FeedCase, names: Names): string | null {
  const last = lastChainHop(c.hops);
  if (!last?.partyRole || ['unknown', 'advertiser', 'destination'].includes(last.partyRole)) return null;
  const spelling = last.partyName ?? last.domain;
  return `${spelling ? (names.party(spelling).label ?? spelling) : '?'} (${last.partyRole})`;
}

/** Why a hop is not the chain's way on, for a line's detail: another tab's, or a separate chain's. */
function offChain(hop: FeedHop): string[] {
  return hop.separateChain ? ["a separate chain's hop"] : hop.otherTab ? ["another tab's hop"] : [];
}

/** The hop's hosting network line; another tab's (or a separate chain's) hop says so in the line's detail. */
function addNetwork(buckets: Buckets, c: FeedCase, hop: FeedHop): void {
  if (!hop.ip) return;
  const fixed = (key: string, label: string) => ({ key, label, spelling: label });
  const otherTab = offChain(hop);
  // A report that said nothing of the address (an import, an older case) still gets its special
  // block: a private or loopback address is never passed off as an unknown hosting network.
  const parsed = hop.special || hop.asn !== null ? null : parseAddress(hop.ip);
  const special = hop.special ?? (parsed ? specialNetwork(parsed) : null);
  if (special) {
    buckets.add('network', fixed(special, special), c, { detail: ['special-purpose address', ...otherTab] });
  } else if (hop.asn !== null) {
    const key = `AS${hop.asn}`;
    buckets.add('network', { key, label: null, spelling: hop.asName ? `${key} ${hop.asName}` : key }, c, {
      detail: [hop.asCountry, ...otherTab],
      source: hop.source,
    });
  } else if (hop.source) {
    buckets.add('network', fixed('no-as', 'no AS in the data'), c, { detail: [hop.asCountry, ...otherTab], source: hop.source });
  } else {
    buckets.add('network', fixed('unknown', 'unknown (the report has no network for this IP)'), c, { detail: otherTab });
  }
}
