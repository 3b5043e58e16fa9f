// The ledger of requested URLs: every URL a trace of this cases folder has requested, with the case
// that records it. A trace claims its URL here before anything is requested, and names its case
// as its first request goes upstream (trace.ts), so a rerun after a crash, Ctrl-C or kill -9 knows every link
// already spent (single-use links) and never requests it again unless told to (--again).
//
// The case folder holds the same fact durably: its WARC's warcinfo record (written before the
// request) names the URL, so `reindex` can rebuild the ledger from the folders. Rows are never
// removed for a case: a deleted case folder does not make its link fresh again.
//
// A URL is recorded as its server sees it (requestKey: without the #fragment and the user:pass@,
// which are never sent, percent-encoding folded), so a link and the same link with another fragment, or `%2f` for `%2F`,
// are one request. Rows written with an older key are rewritten with the current one when the
// ledger is opened (KEYS below); a look-up also matches rows that still hold a fragment.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { processAliveSince } from '../capture/profiles.js';
import { requestKey } from '../capture/trace-input.js';

export type Claim =
  /** The URL is ours to request: attach the case before requesting it, or release the claim. */
  | { ok: true; id: number }
  /** Requested before (caseId: its latest case), or being requested right now by a live trace (inProgress). */
  | { ok: false; caseId: string | null; inProgress: boolean };

export interface LedgerEntry {
  url: string;
  caseId: string;
  claimedAt: string;
}

/** Rows of one request: the key itself, or the key with any #fragment (rows recorded before keys dropped it); an index range. */
const SAME_REQUEST = '(url = ? OR (url >= ? AND url < ?))';
const sameRequest = (key: string) => [key, `${key}#`, `${key}$`];

/**
 * The form of the keys in the ledger, kept in `meta`: rows of an older form are rewritten once.
 * 2: percent-encoding hex in upper case and unreserved characters decoded (requestKey).
 * 3: userinfo (`user:pass@`) dropped.
 * 4: a host's trailing dot dropped.
 */
const KEYS = { meta: 'ledger_keys', version: '4' };

/** A claim that never got its case is released after this long, even if its process seems alive (pid reuse). */
const CLAIM_MAX_AGE_MS = 10 * 60 * 1000;

export class RequestLedger {
  private readonly claimantId = `${hostname()} ${process.pid}`;

  constructor(private readonly db: Database.Database) {
    this.rewriteOldKeys();
  }

  /**
   * Claims `url` for one request. Refused when the URL was requested before (unless `again`) or
   * when another live process holds a claim on it; a claim left by a dead process is dropped.
   * Atomic across processes sharing the cases folder (an IMMEDIATE transaction). With `alongside`,
   * this process's own claims still open do not stand in the way (one link as several visitors).
   */
  claim(url: string, { again = false, alongside = false }: { again?: boolean; alongside?: boolean } = {}): Claim {
    const key = requestKey(url);
    const run = this.db.transaction((): Claim => {
      const rows = this.db
        .prepare(`SELECT id, case_id, claimed_at, claimant FROM requested_urls WHERE ${SAME_REQUEST} ORDER BY id DESC`)
        .all(...sameRequest(key)) as { id: number; case_id: string | null; claimed_at: string; claimant: string | null }[];
      for (const row of rows) {
        if (row.case_id !== null) continue;
        // `alongside`: requests of the same URL this process makes on purpose (compare's profiles).
        if (alongside && row.claimant === this.claimantId) continue;
        if (this.claimLive(row)) return { ok: false, caseId: null, inProgress: true };
        this.db.prepare('DELETE FROM requested_urls WHERE id = ?').run(row.id);
      }
      const requested = rows.find((r) => r.case_id !== null);
      if (requested && !again) return { ok: false, caseId: requested.case_id, inProgress: false };
      const id = this.db
        .prepare('INSERT INTO requested_urls (url, case_id, claimed_at, claimant) VALUES (?, NULL, ?, ?)')
        .run(key, new Date().toISOString(), this.claimantId).lastInsertRowid;
      return { ok: true, id: Number(id) };
    });
    return run.immediate();
  }

  /** Names the case of a claimed request; called before the request is made. */
  attach(id: number, caseId: string): void {
    const changed = this.db
      .prepare('UPDATE requested_urls SET case_id = ?, claimant = NULL WHERE id = ? AND case_id IS NULL')
      .run(caseId, id);
    if (changed.changes !== 1) throw new Error(`the claim on this URL was lost (ledger row ${id})`);
  }

  /** Gives up a claim that never got a case: nothing was requested. */
  release(id: number): void {
    this.db.prepare('DELETE FROM requested_urls WHERE id = ? AND case_id IS NULL').run(id);
  }

  /** The latest case that requested `url` (its #fragment aside), or null. */
  lookup(url: string): LedgerEntry | null {
    const row = this.db
      .prepare(`SELECT url, case_id, claimed_at FROM requested_urls WHERE ${SAME_REQUEST} AND case_id IS NOT NULL ORDER BY id DESC LIMIT 1`)
      .get(...sameRequest(requestKey(url))) as { url: string; case_id: string; claimed_at: string } | undefined;
    return row ? { url: row.url, caseId: row.case_id, claimedAt: row.claimed_at } : null;
  }

  /** Records a request found in a case folder (reindex, sync); a case already recorded is left alone. */
  record(url: string, caseId: string, at: string): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO requested_urls (url, case_id, claimed_at, claimant) VALUES (?, ?, ?, NULL)')
        .run(requestKey(url), caseId, at).changes === 1
    );
  }

  /** A row names this case: its trace was attached, so its link was (or may have been) requested. */
  namesCase(caseId: string): boolean {
    return this.db.prepare('SELECT 1 FROM requested_urls WHERE case_id = ?').get(caseId) !== undefined;
  }

  /**
   * The claim the process `claimant` (its host and pid) holds on `url` without a case, or null. Left
   * by a process killed between creating its case folder and attaching it: before the request.
   */
  openClaimOf(url: string, claimant: { host: string; pid: number }): number | null {
    const row = this.db
      .prepare(`SELECT id FROM requested_urls WHERE ${SAME_REQUEST} AND case_id IS NULL AND claimant = ? ORDER BY id DESC LIMIT 1`)
      .get(...sameRequest(requestKey(url)), `${claimant.host} ${claimant.pid}`) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /** How many requests the ledger knows (rows with a case). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM requested_urls WHERE case_id IS NOT NULL').get() as { n: number }).n;
  }

  /**
   * Rows recorded with an older requestKey get the current one, so that a link requested before an
   * upgrade is still found under any of its spellings. Idempotent (a key's key is itself): a schema
   * rebuild, which empties `meta`, only runs it again.
   */
  private rewriteOldKeys(): void {
    const current = () =>
      (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(KEYS.meta) as { value: string } | undefined)?.value === KEYS.version;
    if (current()) return;
    const run = this.db.transaction(() => {
      if (current()) return;
      const update = this.db.prepare('UPDATE requested_urls SET url = ? WHERE id = ?');
      for (const row of this.db.prepare('SELECT id, url FROM requested_urls').all() as { id: number; url: string }[]) {
        const key = requestKey(row.url);
        if (key !== row.url) update.run(key, row.id);
      }
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(KEYS.meta, KEYS.version);
    });
    run.immediate();
  }

  private claimLive(row: { claimed_at: string; claimant: string | null }): boolean {
    if (Date.now() - Date.parse(row.claimed_at) > CLAIM_MAX_AGE_MS) return false;
    const [host, pid] = (row.claimant ?? '').split(' ');
    if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return true;
    // The claimant must have been running when it claimed: a pid taken again (by this process too) is not it.
    return processAliveSince(Number(pid), Date.parse(row.claimed_at));
  }
}
