// The cases of the index as the feed report (src/feed/aggregate.ts) reads them: one FeedCase per
// case, with its hops, the message it came from and a message's sending platforms.
import type { CaseStore } from './case-store.js';
import type { FeedCase, FeedHop, FeedRecipient } from '../feed/aggregate.js';
import { OPEN_TRACKER_ROLE, type RecipientRow } from './case-rows.js';

export interface FeedCaseQuery {
  /** Only these cases (e.g. the cases of one batch run); all when absent. */
  caseIds?: readonly string[];
  /** Only cases that started at or after this ISO time. */
  since?: string | null;
}

interface CaseLine {
  id: string;
  kind: FeedCase['kind'];
  started_at: string | null;
  ended_on_page: number;
  ending: string | null;
  final_domain: string | null;
  advertiser: string | null;
  error: string | null;
}

interface HopLine {
  case_id: string;
  idx: number;
  domain: string | null;
  party_name: string | null;
  party_role: string | null;
  ip: string | null;
  asn: number | null;
  as_name: string | null;
  as_country: string | null;
  network_special: string | null;
  network_source: string | null;
  other_tab: number;
  via: string;
  error: string | null;
}

/** SQLite's default limit of bound parameters is far above this; chunks keep any batch size safe. */
const CHUNK = 500;

export function feedCases(store: CaseStore, query: FeedCaseQuery = {}): FeedCase[] {
  const { db } = store;
  const since = query.since ?? null;
  let lines: CaseLine[];
  const columns = 'id, kind, started_at, ended_on_page, ending, final_domain, advertiser, error';
  if (query.caseIds) {
    lines = chunks([...new Set(query.caseIds)]).flatMap(
      (chunk) =>
        db
          .prepare(
            `SELECT ${columns} FROM cases WHERE id IN (${chunk.map(() => '?').join(', ')}) AND (? IS NULL OR started_at >= ?) ORDER BY started_at, id`,
          )
          .all(...chunk, since, since) as CaseLine[],
    );
  } else {
    lines = db
      .prepare(`SELECT ${columns} FROM cases WHERE (? IS NULL OR started_at >= ?) ORDER BY started_at, id`)
      .all(since, since) as CaseLine[];
  }
  const hopColumns =
    'case_id, idx, domain, party_name, party_role, ip, asn, as_name, as_country, network_special, network_source, other_tab, via, error';
  // A batch's cases: their hops only, found by the hops' key (case_id, idx). Every hop of the
  // folder was read for them: a batch's summary on a folder of 60,000 cases took 2.3 s for one case.
  const hopsOf = groupBy(
    query.caseIds
      ? chunks(lines.map((c) => c.id)).flatMap(
          (chunk) =>
            db
              .prepare(`SELECT ${hopColumns} FROM hops WHERE case_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY case_id, idx`)
              .all(...chunk) as HopLine[],
        )
      : (db.prepare(`SELECT ${hopColumns} FROM hops ORDER BY case_id, idx`).iterate() as IterableIterator<HopLine>),
    lines,
  );
  // The same link in several messages is traced once: every message whose link led to a trace.
  const messagesOf = new Map<string, string[]>();
  for (const r of db
    .prepare('SELECT DISTINCT case_id, message_case FROM traced_links WHERE message_case <> case_id ORDER BY message_case')
    .all() as {
    case_id: string;
    message_case: string;
  }[]) {
    const list = messagesOf.get(r.case_id) ?? [];
    list.push(r.message_case);
    messagesOf.set(r.case_id, list);
  }
  const platformsOf = new Map<string, { name: string; kind: string }[]>();
  for (const p of db.prepare("SELECT case_id, name, role FROM case_parties WHERE role LIKE 'mail-%' ORDER BY rowid").all() as {
    case_id: string;
    name: string;
    role: string;
  }[]) {
    const list = platformsOf.get(p.case_id) ?? [];
    list.push({ name: p.name, kind: p.role.slice('mail-'.length) });
    platformsOf.set(p.case_id, list);
  }
  const openTrackersOf = new Map<string, string[]>();
  for (const p of db.prepare('SELECT case_id, name FROM case_parties WHERE role = ? ORDER BY rowid').all(OPEN_TRACKER_ROLE) as {
    case_id: string;
    name: string;
  }[]) {
    const list = openTrackersOf.get(p.case_id) ?? [];
    list.push(p.name);
    openTrackersOf.set(p.case_id, list);
  }
  const recipientsOf = new Map<string, FeedRecipient[]>();
  for (const r of db
    .prepare('SELECT case_id, address, given_key, tag, spamtrap, after_retirement FROM message_recipients ORDER BY rowid')
    .all() as Pick<RecipientRow, 'case_id' | 'address' | 'given_key' | 'tag' | 'spamtrap' | 'after_retirement'>[]) {
    const list = recipientsOf.get(r.case_id) ?? [];
    list.push({
      address: r.address,
      givenKey: r.given_key,
      tag: r.tag,
      spamtrap: r.spamtrap === 1,
      afterRetirement: r.after_retirement === 1,
    });
    recipientsOf.set(r.case_id, list);
  }
  return lines.map((c) => ({
    id: c.id,
    kind: c.kind,
    startedAt: c.started_at,
    messageCases: c.kind === 'mail' ? [] : (messagesOf.get(c.id) ?? []),
    platforms: c.kind === 'mail' ? (platformsOf.get(c.id) ?? []) : [],
    openTrackers: c.kind === 'mail' ? (openTrackersOf.get(c.id) ?? []) : [],
    recipients: c.kind === 'mail' ? (recipientsOf.get(c.id) ?? []) : [],
    endedOnPage: c.ended_on_page === 1,
    ending: c.ending,
    finalDomain: c.final_domain,
    advertiser: c.advertiser,
    error: c.error,
    hops: (hopsOf.get(c.id) ?? []).map((h): FeedHop => ({
      idx: h.idx,
      domain: h.domain,
      partyName: h.party_name,
      partyRole: h.party_role,
      ip: h.ip,
      asn: h.asn,
      asName: h.as_name,
      asCountry: h.as_country,
      special: h.network_special,
      source: h.network_source,
      ...(h.other_tab === 1 ? { otherTab: true } : {}),
      ...(h.other_tab === 2 ? { otherTab: true, separateChain: true } : {}),
      via: h.via,
      error: h.error,
    })),
  }));
}

/**
 * The message cases that traces among `cases` came from but that are not among them (recorded
 * before a --since, or outside a batch): what the feed report needs to know of those messages.
 */
export function feedMessageContext(store: CaseStore, cases: readonly FeedCase[]): FeedCase[] {
  const have = new Set(cases.map((c) => c.id));
  const missing = new Set(cases.flatMap((c) => c.messageCases).filter((id) => !have.has(id)));
  if (missing.size === 0) return [];
  return feedCases(store, { caseIds: [...missing] }).filter((c) => c.kind === 'mail');
}

/** Ids in slices of CHUNK, each one query's bound parameters. */
function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(ids.slice(i, i + CHUNK));
  return out;
}

function groupBy(hops: Iterable<HopLine>, cases: CaseLine[]): Map<string, HopLine[]> {
  const wanted = new Set(cases.map((c) => c.id));
  const out = new Map<string, HopLine[]>();
  for (const hop of hops) {
    if (!wanted.has(hop.case_id)) continue;
    const list = out.get(hop.case_id) ?? [];
    list.push(hop);
    out.set(hop.case_id, list);
  }
  return out;
}
