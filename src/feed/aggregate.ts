// "Who is responsible" across a feed: the cases of a cases folder (or of one batch) summed up per
// sending platform, click tracker, broker, other intermediary, advertiser (or final domain when
// the chain did not end on a page) and hosting network, each line with its counts of messages and
// traces, when it was first and last seen, and example cases that prove it. Pure: the rows come
// from the case index (src/store/feed-cases.ts), so the same cases always give the same answer.

import type { CloakingRow } from '../compare/cloaking-report.js';

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
  network: 'Hosting networks of every hop (offline data, approximate)',
};

export interface FeedRow {
  dimension: FeedDimension;
  /** Stable key within the dimension: a party name, a domain, "AS15169", "loopback". */
  key: string;
  /** What a reader sees: "Selligent", "AS15169 Google LLC". */
  label: string;
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
  /** Up to EXAMPLES case ids, newest first. */
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
  row: Omit<FeedRow, 'messages' | 'traces' | 'imported' | 'compared' | 'examples' | 'detail' | 'source'>;
  details: Set<string>;
  sources: Set<string>;
  messages: Set<string>;
  traces: Set<string>;
  imported: Set<string>;
  compared: Set<string>;
  /** Case id -> its time, for the examples. */
  cases: Map<string, string>;
}

class Buckets {
  private readonly map = new Map<string, Bucket>();

  /** Counts case `c` on a line; `messages` (a trace's messages that this line is about) defaults to all of them. */
  add(
    dimension: FeedDimension,
    key: string,
    label: string,
    c: FeedCase,
    options: { detail?: string | null; source?: string | null; messages?: readonly string[] } = {},
  ) {
    const id = `${dimension}\u0000${key}`;
    let bucket = this.map.get(id);
    if (!bucket) {
      bucket = {
        row: { dimension, key, label, firstSeen: null, lastSeen: null },
        details: new Set(),
        sources: new Set(),
        messages: new Set(),
        traces: new Set(),
        imported: new Set(),
        compared: new Set(),
        cases: new Map(),
      };
      this.map.set(id, bucket);
    }
    if (options.detail) bucket.details.add(options.detail);
    if (options.source) bucket.sources.add(options.source);
    if (c.kind === 'mail') bucket.messages.add(c.id);
    else {
      bucket.traces.add(c.id);
      if (c.kind === 'import') bucket.imported.add(c.id);
      if (c.comparison) bucket.compared.add(c.id);
      for (const m of options.messages ?? messagesOf(c)) bucket.messages.add(m);
    }
    const at = c.startedAt ?? '';
    bucket.cases.set(c.id, at);
    if (c.startedAt) {
      if (!bucket.row.firstSeen || c.startedAt < bucket.row.firstSeen) bucket.row.firstSeen = c.startedAt;
      if (!bucket.row.lastSeen || c.startedAt > bucket.row.lastSeen) bucket.row.lastSeen = c.startedAt;
    }
  }

  rows(): FeedRow[] {
    const order = new Map(FEED_DIMENSIONS.map((d, i) => [d, i]));
    return [...this.map.values()]
      .map((b) => ({
        ...b.row,
        detail: b.details.size ? [...b.details].sort().join(', ') : null,
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
      .map(({ dimension, key, label, detail, messages, traces, imported, compared, firstSeen, lastSeen, examples, source }) => ({
        dimension,
        key,
        label,
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
}

/**
 * Sums the cases up; `since` (an ISO time) leaves out cases that started before it.
 *
 * Which messages count: the message cases among the cases summed up (a batch's summary: the
 * messages of the batch, not those of earlier runs that led to a trace it reused). With `since`,
 * also a message recorded before it but with a trace of one of its links made in the window (a
 * mailbox traced again, its message cases reused): it is part of the window's answer, counted
 * on that trace, which is the example and gives first and last seen of the message's lines (its
 * sending platforms, open trackers, given-out addresses). A counted message counts everywhere a
 * message counts; a trace counts for the counted messages it came from.
 */
export function feedAggregate(cases: readonly FeedCase[], options: FeedAggregateOptions = {}): FeedAggregate {
  const since = options.since ?? null;
  const included = since ? cases.filter((c) => c.startedAt !== null && c.startedAt >= since) : [...cases];
  const buckets = new Buckets();
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
      addMessageLines(buckets, c, c, []);
      continue;
    }
    traces++;
    if (c.kind === 'import') imported++;
    if (c.comparison) compared++;
    if (c.error !== null) failed++;
    // The trace as this selection sees it: only the counted messages it came from.
    const trace = { ...c, messageCases: messagesOf(c).filter((m) => counted.has(m)) };
    const advertiser = advertiserOf(trace);
    for (const messageCase of trace.messageCases) {
      messages.add(messageCase);
      addMessageLines(buckets, messagesById.get(messageCase)!, trace, advertiser ? [`for ${advertiser}`] : []);
    }
    addChain(buckets, trace);
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

/**
 * The lines a message makes (its sending platforms, open trackers, given-out addresses), counted
 * for `c`: the message case itself, or a trace of one of its links (`details` then says for which
 * advertiser).
 */
function addMessageLines(buckets: Buckets, message: FeedCase, c: FeedCase, details: string[]): void {
  const messages = [message.id];
  for (const p of message.platforms) buckets.add('platform', p.name, p.name, c, { detail: p.kind, messages });
  for (const name of new Set(message.openTrackers ?? [])) buckets.add('open-tracker', name, name, c, { messages });
  addRecipients(buckets, message, c, c === message ? message.platforms.map((p) => `via ${p.name}`) : details);
}

/**
 * A given-out address (its recipient map entry, or the tagged address) reached by `message`,
 * counted for `c` (the message itself, or a trace of one of its links, which adds its advertiser).
 */
function addRecipients(buckets: Buckets, message: FeedCase, c: FeedCase, details: string[]): void {
  const messages = [message.id];
  for (const r of message.recipients ?? []) {
    if (!r.givenKey && !r.tag) continue;
    const key = r.givenKey ?? r.address;
    const facts = [r.spamtrap ? 'spamtrap' : null, r.afterRetirement ? 'after retirement' : null, !r.givenKey ? `tag ${r.tag}` : null];
    for (const detail of [...facts, ...details]) if (detail) buckets.add('recipient', key, key, c, { detail, messages });
    if (!facts.some(Boolean) && details.length === 0) buckets.add('recipient', key, key, c, { messages });
  }
}

/** The message cases a trace came from (none for a mail case: it is a message). */
function messagesOf(c: FeedCase): readonly string[] {
  return c.kind === 'mail' ? [] : c.messageCases;
}

function addChain(buckets: Buckets, c: FeedCase): void {
  const last = c.hops.at(-1) ?? null;
  for (const hop of c.hops) {
    const role = hop.partyRole ?? 'unknown';
    const name = hop.partyName ?? hop.domain;
    if (name && TRACKER_ROLES.has(role)) buckets.add('tracker', name, name, c, { detail: role });
    else if (name && BROKER_ROLES.has(role)) buckets.add('broker', name, name, c, { detail: role });
    else if (name && hop !== last && role !== 'advertiser' && hop.domain !== c.finalDomain)
      buckets.add('intermediary', name, name, c, { detail: role === 'unknown' ? 'unattributed' : role });
    addNetwork(buckets, c, hop);
  }
  const advertiser = advertiserOf(c);
  if (advertiser) {
    buckets.add('advertiser', advertiser, advertiser, c, {
      detail: c.advertiser ? 'advertiser party' : 'final domain (no advertiser party named)',
    });
  } else if (c.finalDomain) {
    const owner = pageOwner(c);
    buckets.add('final-domain', c.finalDomain, c.finalDomain, c, {
      detail: c.endedOnPage && owner ? `ended on a page of ${owner}, not a landing page` : 'did not end on a page',
    });
  }
}

/**
 * Who a chain was for: its advertiser party, or, for a chain that rested on a page nobody claims
 * (a report without an advertiser party), its final domain. A page served by a tracker, broker or
 * shortener (the tracker's own offer page) is no landing page, as the analysis says ("no landing
 * page reached"): its domain is not passed off as an advertiser.
 */
function advertiserOf(c: FeedCase): string | null {
  if (!c.endedOnPage) return null;
  if (c.advertiser) return c.advertiser;
  return pageOwner(c) ? null : c.finalDomain;
}

/** "Selligent (esp-tracker)": the party, other than an advertiser, that the last hop belongs to. */
function pageOwner(c: FeedCase): string | null {
  const last = c.hops.at(-1);
  if (!last?.partyRole || last.partyRole === 'unknown' || last.partyRole === 'advertiser') return null;
  return `${last.partyName ?? last.domain ?? '?'} (${last.partyRole})`;
}

function addNetwork(buckets: Buckets, c: FeedCase, hop: FeedHop): void {
  if (!hop.ip) return;
  if (hop.special) {
    buckets.add('network', hop.special, hop.special, c, { detail: 'special-purpose address' });
  } else if (hop.asn !== null) {
    const key = `AS${hop.asn}`;
    buckets.add('network', key, hop.asName ? `${key} ${hop.asName}` : key, c, { detail: hop.asCountry, source: hop.source });
  } else if (hop.source) {
    buckets.add('network', 'no-as', 'no AS in the data', c, { detail: hop.asCountry, source: hop.source });
  } else {
    buckets.add('network', 'unknown', 'unknown (the report has no network for this IP)', c);
  }
}
