// The case index over one cases folder: index a case folder (idempotent), rebuild everything
// from the folders, search with filters, pivot on a shared value.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Report } from '../report.js';
import { openDatabase } from './schema.js';
import { databasePath, isCaseId } from './paths.js';
import { readCaseFolder, type CaseFolder, type CaseFolderRead } from './case-folder.js';
import { caseRows, type CaseKind, type CaseRow, type CaseRows } from './case-rows.js';
import { fileRows } from './file-rows.js';
import { pivotFilters, searchSql, type PivotKind, type SearchFilters } from './search-query.js';
import { RequestLedger } from './ledger.js';
import { UserError } from '../errors.js';
import { diskFull } from '../evidence/errors.js';
import { requestedUrlOf } from './requested-url.js';
import { makeDirs } from '../make-dirs.js';
import { messageKey } from '../mail/message-key.js';
import { MANIFEST_FILE, MESSAGE_EML_FILE, MESSAGE_RECORD_FILE, PARTIAL_FILE, REPORT_FILE } from '../case/case-layout.js';

export interface CaseSummary {
  id: string;
  kind: CaseKind;
  url: string | null;
  finalUrl: string | null;
  finalHost: string | null;
  finalTitle: string | null;
  finalStatus: number | null;
  error: string | null;
  partial: boolean;
  startedAt: string | null;
  endedAt: string | null;
  elapsedMs: number | null;
  hopCount: number;
  summary: string | null;
  advertiser: string | null;
  subject: string | null;
  from: string | null;
  parties: { name: string; role: string; domain: string | null }[];
}

export interface SearchResult {
  total: number;
  limit: number;
  offset: number;
  cases: CaseSummary[];
}

export type IndexOutcome = { id: string; indexed: true } | { id: string; indexed: false; reason: string };

export interface ReindexResult {
  indexed: number;
  skipped: { id: string; reason: string }[];
  removed: number;
}

/** How a message and the cases traced from its links refer to each other. */
export interface CaseRelations {
  /** For a traced link: the message case it came from. */
  message: { case: string; link: number | null; subject: string | null; sender: string | null } | null;
  /** For a message: the cases traced from its links. */
  traced: { case: string; link: number | null }[];
}

interface CaseRowRead extends CaseRow {
  subject: string | null;
  from_name: string | null;
  from_address: string | null;
}

const FACT_TABLES: { table: string; rows: (r: CaseRows) => object[] }[] = [
  { table: 'messages', rows: (r) => (r.message ? [r.message] : []) },
  { table: 'message_recipients', rows: (r) => r.recipients },
  { table: 'traced_links', rows: (r) => r.tracedLinks },
  { table: 'hops', rows: (r) => r.hops },
  { table: 'case_hosts', rows: (r) => r.hosts },
  { table: 'case_parties', rows: (r) => r.parties },
  { table: 'case_ips', rows: (r) => r.ips },
  { table: 'case_certs', rows: (r) => r.certs },
  { table: 'case_tokens', rows: (r) => r.tokens },
  { table: 'case_files', rows: (r) => r.files },
];

export class CaseStore {
  private readonly inserts = new Map<string, Database.Statement>();
  /** Whether this store brought the index up to date with the folders (messageCasesByKey). */
  private synced = false;
  /** Every URL traced into this cases folder (see ledger.ts). */
  readonly ledger: RequestLedger;

  private constructor(
    readonly casesDir: string,
    readonly db: Database.Database,
  ) {
    this.ledger = new RequestLedger(db);
  }

  /** Opens the index of a cases folder (both created when missing). */
  static open(casesDir: string): CaseStore {
    const dir = resolve(casesDir);
    // One case's folder given for the cases folder (`report --cases cases/<id>`): its index would be
    // a file added to sealed evidence, which `verify` then reports as changed after the case closed.
    if (isOneCaseFolder(dir))
      throw new UserError(`cases folder ${casesDir}: is the folder of one case, not a folder of cases (its parent is)`);
    const path = databasePath(dir);
    // What this open makes (the folder and its missing parents, deepest first; the index), to take back if it fails.
    const folders: string[] = [];
    for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) folders.push(d);
    const freshDatabase = !existsSync(path);
    try {
      makeDirs(dir);
      return new CaseStore(dir, openDatabase(path));
    } catch (err) {
      if (freshDatabase) removeUnmadeDatabase(path, folders);
      throw unusableFolder(casesDir, err);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The folder of a case id, or null for anything that is not a case id. */
  caseDir(id: string): string | null {
    return isCaseId(id) ? join(this.casesDir, id) : null;
  }

  /**
   * (Re)indexes one case folder of this cases folder; indexing twice gives the same rows. `read`:
   * the folder as its caller has just read it (readCaseFolder), not read again.
   */
  indexCase(dir: string, read?: CaseFolderRead): IndexOutcome {
    const path = resolve(this.casesDir, dir);
    const id = basename(path);
    if (dirname(path) !== this.casesDir) return { id, indexed: false, reason: `not inside ${this.casesDir}` };
    read ??= readCaseFolder(path);
    this.recordRequest(path, read.ok ? read.folder.report : null);
    if (!read.ok) return { id, indexed: false, reason: read.reason };
    const unindexable = this.indexFolder(path, read.folder);
    return unindexable ? { id, indexed: false, reason: unindexable } : { id, indexed: true };
  }

  /**
   * Writes the index rows of a folder read whole (its downloaded files too); null once done, else
   * why not: a report.json or message.json whose values are not of the types clicktrace writes (a
   * damaged or hand-edited file) is a folder that cannot be indexed, said so, as an unreadable one
   * is, never the failure of the command that met it (report, reindex, serve).
   */
  private indexFolder(path: string, folder: CaseFolder): string | null {
    try {
      const rows = this.rowsOf(path, folder);
      rows.files = fileRows(path, folder.id, folder.report);
      this.db.transaction(() => this.replace(rows))();
      return null;
    } catch (err) {
      // The database's own errors (locked, full, corrupt) are not the folder's.
      if (/^SQLITE_/.test(String((err as { code?: unknown }).code))) throw err;
      return `${folder.report ? REPORT_FILE : MESSAGE_RECORD_FILE} cannot be indexed: ${(err as Error).message}`;
    }
  }

  /** Saves a job of `clicktrace serve` (its JSON as the service keeps it), replacing its last save. */
  saveJob(job: { id: string; submittedAt: string; state: string }, json: string): void {
    // An update keeps the row (and its rowid, the order jobs were submitted in: times can tie).
    this.db
      .prepare(
        'INSERT INTO jobs (id, submitted_at, state, job) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, job = excluded.job',
      )
      .run(job.id, job.submittedAt, job.state, json);
  }

  /** The newest `limit` saved jobs, oldest first; older finished ones are deleted. */
  loadJobs(limit: number): string[] {
    const rows = this.db.prepare('SELECT job FROM jobs ORDER BY rowid DESC LIMIT ?').all(limit) as { job: string }[];
    this.db
      .prepare(
        `DELETE FROM jobs WHERE state IN ('done', 'failed', 'cancelled') AND rowid NOT IN (SELECT rowid FROM jobs ORDER BY rowid DESC LIMIT ?)`,
      )
      .run(limit);
    return rows.map((r) => r.job).reverse();
  }

  /** Forgets a case (its folder is gone). */
  removeCase(id: string): void {
    this.db.prepare('DELETE FROM cases WHERE id = ?').run(id);
  }

  /** Rebuilds the whole index from the folders, the source of truth. */
  reindex(): ReindexResult {
    const before = this.indexedIds().size;
    const result: ReindexResult = { indexed: 0, skipped: [], removed: 0 };
    const folders = this.caseFolderNames();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM cases').run();
      for (const name of folders) {
        const read = readCaseFolder(join(this.casesDir, name));
        this.recordRequest(join(this.casesDir, name), read.ok ? read.folder.report : null);
        const unindexable = read.ok ? this.indexFolder(join(this.casesDir, name), read.folder) : read.reason;
        if (unindexable) {
          result.skipped.push({ id: name, reason: unindexable });
          continue;
        }
        result.indexed++;
      }
    })();
    result.removed = Math.max(0, before - result.indexed);
    return result;
  }

  /** Indexes folders the index does not know yet and forgets folders that are gone. */
  sync(): ReindexResult {
    const known = this.indexedIds();
    const folders = this.caseFolderNames();
    const result: ReindexResult = { indexed: 0, skipped: [], removed: 0 };
    for (const name of folders) {
      if (known.has(name)) continue;
      const outcome = this.indexCase(join(this.casesDir, name));
      if (outcome.indexed) result.indexed++;
      else result.skipped.push({ id: name, reason: outcome.reason });
    }
    const present = new Set(folders);
    for (const id of known) {
      if (present.has(id)) continue;
      this.removeCase(id);
      result.removed++;
    }
    return result;
  }

  search(filters: SearchFilters = {}): SearchResult {
    const sql = searchSql(filters);
    const total = (this.db.prepare(sql.count).get(...sql.params) as { total: number }).total;
    const rows = this.db.prepare(sql.list).all(...sql.listParams) as CaseRowRead[];
    const limit = sql.listParams.at(-2) as number;
    const offset = sql.listParams.at(-1) as number;
    return { total, limit, offset, cases: this.summaries(rows) };
  }

  /** Every case sharing this party, IP, domain, certificate, token or message. */
  pivot(kind: PivotKind, value: string, page: Pick<SearchFilters, 'limit' | 'offset'> = {}): SearchResult {
    return this.search({ ...pivotFilters(kind, value), ...page });
  }

  /**
   * The message cases of the message with this key (messageKey), newest first. The index is first
   * brought up to date with the folders, once per store: one rebuilt for a new schema, or missing
   * cases another process wrote, would otherwise not know a message recorded before.
   */
  messageCasesByKey(key: string): string[] {
    if (!this.synced) {
      this.synced = true;
      this.sync();
    }
    const rows = this.db.prepare('SELECT case_id FROM messages WHERE message_key = ? ORDER BY case_id DESC').all(key) as {
      case_id: string;
    }[];
    return rows.map((r) => r.case_id);
  }

  caseSummary(id: string): CaseSummary | null {
    const row = this.db
      .prepare('SELECT c.*, m.subject, m.from_name, m.from_address FROM cases c LEFT JOIN messages m ON m.case_id = c.id WHERE c.id = ?')
      .get(id) as CaseRowRead | undefined;
    return row ? this.summaries([row])[0] : null;
  }

  relations(id: string): CaseRelations {
    const message = this.db
      .prepare(
        'SELECT message_case, link, subject, sender FROM traced_links WHERE case_id = ? AND message_case <> case_id ORDER BY owner = case_id DESC LIMIT 1',
      )
      .get(id) as { message_case: string; link: number | null; subject: string | null; sender: string | null } | undefined;
    const traced = this.db
      .prepare(
        'SELECT DISTINCT case_id, link FROM traced_links WHERE message_case = ? AND case_id IN (SELECT id FROM cases) ORDER BY case_id',
      )
      .all(id) as { case_id: string; link: number | null }[];
    return {
      message: message ? { case: message.message_case, link: message.link, subject: message.subject, sender: message.sender } : null,
      traced: traced.map((t) => ({ case: t.case_id, link: t.link })),
    };
  }

  /** The index rows of a case folder; a message's key is read from its message.eml. */
  private rowsOf(dir: string, folder: CaseFolder): CaseRows {
    const rows = caseRows(folder);
    if (rows.message) rows.message.message_key = messageKeyOfFolder(dir);
    return rows;
  }

  /** A trace's folder (closed, or cut off before its report) goes into the ledger of requested URLs. */
  private recordRequest(dir: string, report: Report | null): void {
    const requested = requestedUrlOf(dir, report);
    if (requested) this.ledger.record(requested.url, basename(dir), requested.at);
  }

  private replace(rows: CaseRows): void {
    this.db.prepare('DELETE FROM cases WHERE id = ?').run(rows.case.id);
    this.insert('cases', { ...rows.case, indexed_at: new Date().toISOString() });
    for (const { table, rows: of } of FACT_TABLES) for (const row of of(rows)) this.insert(table, row);
  }

  private insert(table: string, row: object): void {
    const columns = Object.keys(row);
    const key = `${table}(${columns.join(',')})`;
    let statement = this.inserts.get(key);
    if (!statement) {
      // Table and column names come from this module's row types, never from input.
      statement = this.db.prepare(
        `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      );
      this.inserts.set(key, statement);
    }
    statement.run(row);
  }

  private indexedIds(): Set<string> {
    return new Set((this.db.prepare('SELECT id FROM cases').all() as { id: string }[]).map((r) => r.id));
  }

  /** Case folders the index does not hold: cut off, being written, closed but not yet indexed, or unreadable. */
  unindexedFolderNames(): string[] {
    const known = this.indexedIds();
    // The directory entries' types, not a stat of each: this runs at the start of every batch.
    return readdirSync(this.casesDir, { withFileTypes: true })
      .filter((e) => isCaseId(e.name) && !known.has(e.name))
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(this.casesDir, e.name))))
      .map((e) => e.name)
      .sort();
  }

  /** The case folders of the cases folder, by name (oldest first). */
  caseFolderNames(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.casesDir);
    } catch {
      return [];
    }
    return names.filter((name) => isCaseId(name) && isDirectory(join(this.casesDir, name))).sort();
  }

  private summaries(rows: CaseRowRead[]): CaseSummary[] {
    if (rows.length === 0) return [];
    const parties = this.db
      .prepare(`SELECT case_id, name, role, domain FROM case_parties WHERE case_id IN (${rows.map(() => '?').join(', ')}) ORDER BY rowid`)
      .all(...rows.map((r) => r.id)) as { case_id: string; name: string; role: string; domain: string }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      url: r.url,
      finalUrl: r.final_url,
      finalHost: r.final_host,
      finalTitle: r.final_title,
      finalStatus: r.final_status,
      error: r.error,
      partial: r.partial === 1,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      elapsedMs: r.elapsed_ms,
      hopCount: r.hop_count,
      summary: r.summary,
      advertiser: r.advertiser,
      subject: r.subject,
      from: r.from_address ? (r.from_name ? `${r.from_name} <${r.from_address}>` : r.from_address) : null,
      parties: parties.filter((p) => p.case_id === r.id).map((p) => ({ name: p.name, role: p.role, domain: p.domain || null })),
    }));
  }
}

/** The key of a message case's message.eml, or null when it cannot be read. */
export function messageKeyOfFolder(dir: string): string | null {
  try {
    return messageKey(readFileSync(join(dir, MESSAGE_EML_FILE)));
  } catch {
    return null;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether the disk of a folder (or of its nearest existing parent) has less than 1 MiB left: SQLite
 * reports a full disk as SQLITE_FULL, but also as an I/O error when its WAL index (-shm) cannot grow.
 */
function nearlyNoRoom(path: string): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      const fs = statfsSync(dir);
      return fs.bavail * fs.bsize < 1024 * 1024;
    } catch {
      if (dirname(dir) === dir) return false;
    }
  }
}

/**
 * What an index that could not be created left (a full disk: SQLite made the file, then could not
 * write its first page): an empty file and its journals, and the `folders` this made while they
 * are empty, so a failed first run leaves nothing behind. A database file with content (a half-made
 * index, or another process's) is left alone: SQLite completes it once there is room.
 */
function removeUnmadeDatabase(path: string, folders: readonly string[]): void {
  try {
    if (existsSync(path)) {
      if (statSync(path).size !== 0) return;
      for (const suffix of ['-wal', '-shm', '-journal', '']) rmSync(path + suffix, { force: true });
    }
    for (const folder of folders) rmdirSync(folder);
  } catch {
    // A folder not empty (another process's), or gone: nothing more to take back.
  }
}

/** Files only a case's own folder holds, never a cases folder. */
const CASE_FILES = [MANIFEST_FILE, REPORT_FILE, MESSAGE_RECORD_FILE, PARTIAL_FILE];

/** The folder of one case (it holds a case's own files), given where a folder of cases is expected. */
export function isOneCaseFolder(dir: string): boolean {
  return CASE_FILES.some((name) => existsSync(join(dir, name)));
}

/** A cases folder that cannot be made or written (under a file, read-only, no permission) is the user's to fix, not a bug. */
function unusableFolder(casesDir: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^(E[A-Z]+|SQLITE_(CANTOPEN|READONLY|PERM|IOERR|FULL)\w*)$/.test(code)) return err;
  const why =
    code === 'ENOTDIR'
      ? 'a file stands in its path'
      : code === 'EACCES' || code === 'EPERM'
        ? 'no permission'
        : code === 'SQLITE_FULL' || diskFull(err) || (code.startsWith('SQLITE_IOERR') && nearlyNoRoom(casesDir))
          ? `the disk is full: ${code}`
          : code;
  return new UserError(`cases folder ${casesDir}: cannot be created or written (${why})`);
}
