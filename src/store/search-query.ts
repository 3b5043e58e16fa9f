// Search filters to SQL, as pure functions: every value becomes a bound parameter, never SQL
// text, and bad filter values are refused with a message a user can act on.
import { UserError } from '../errors.js';

export interface SearchFilters {
  /** Free text: URL, final URL and title, summary, subject, sender, case id, any hop URL. */
  q?: string;
  /** Registrable domain or exact host of any hop, message link or sender. */
  domain?: string;
  /** Party name (case-insensitive) or the party's registrable domain. */
  party?: string;
  ip?: string;
  /** SHA-256 of a certificate (hex, colons allowed); 8 or more hex digits match as a prefix. */
  cert?: string;
  /** `name=value` or a bare value. */
  token?: string;
  /** Autonomous system of any hop's IP: 15169 or AS15169. */
  asn?: string;
  /** SHA-256 of a file the trace downloaded. */
  file?: string;
  /** ok, error, partial, an HTTP status of the final page (200) or a class (4xx). */
  status?: string;
  /** trace, proxy, import or mail. */
  kind?: string;
  /** A message case: the message itself and every case traced from it. */
  message?: string;
  /** Capture start, inclusive: YYYY-MM-DD or an ISO 8601 time. */
  from?: string;
  /** Capture start, inclusive (a whole day when a date is given). */
  to?: string;
  limit?: number;
  offset?: number;
}

export const FILTER_NAMES = [
  'q',
  'domain',
  'party',
  'ip',
  'cert',
  'token',
  'asn',
  'file',
  'status',
  'kind',
  'message',
  'from',
  'to',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export const PIVOT_KINDS = ['domain', 'party', 'ip', 'cert', 'token', 'asn', 'file', 'message'] as const;
export type PivotKind = (typeof PIVOT_KINDS)[number];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
const MAX_FILTER_LENGTH = 2000;
const KINDS = new Set(['trace', 'proxy', 'import', 'mail']);

export class QueryError extends UserError {}

export function isPivotKind(kind: string): kind is PivotKind {
  return (PIVOT_KINDS as readonly string[]).includes(kind);
}

/** The filters that list every case sharing one value. */
export function pivotFilters(kind: PivotKind, value: string): SearchFilters {
  return { [kind]: value };
}

/** Filters from loosely typed input (a query string, a JSON body): trimmed, validated, empty ones dropped. */
export function normalizeFilters(input: Record<string, unknown>): SearchFilters {
  const filters: SearchFilters = {};
  for (const name of FILTER_NAMES) {
    const value = scalar(input[name], name);
    if (value === undefined) continue;
    const text = value.trim();
    if (!text) continue;
    if (text.length > MAX_FILTER_LENGTH) throw new QueryError(`${name}: longer than ${MAX_FILTER_LENGTH} characters`);
    filters[name] = text;
  }
  if (filters.status !== undefined) statusCondition(filters.status);
  if (filters.kind !== undefined && !KINDS.has(filters.kind))
    throw new QueryError(`kind: expected trace, proxy, import or mail, got "${filters.kind}"`);
  if (filters.from !== undefined) dateBound(filters.from, 'from');
  if (filters.to !== undefined) dateBound(filters.to, 'to');
  if (filters.cert !== undefined) certValue(filters.cert);
  if (filters.asn !== undefined) asnValue(filters.asn);
  if (filters.file !== undefined) fileValue(filters.file);
  filters.limit = intIn(input.limit, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  filters.offset = intIn(input.offset, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  return filters;
}

function intIn(raw: unknown, name: string, min: number, max: number): number | undefined {
  const value = scalar(raw, name);
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new QueryError(`${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** A filter value as text (the first of a repeated query parameter); an object is refused. */
function scalar(raw: unknown, name: string): string | undefined {
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new QueryError(`${name}: expected a text value`);
}

export interface WhereClause {
  /** `WHERE ...` or an empty string. */
  sql: string;
  params: (string | number)[];
}

/** The WHERE clause over `cases c` (messages joined as `m`) for the filters. */
export function buildWhere(filters: SearchFilters): WhereClause {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  const add = (sql: string, ...values: (string | number)[]) => {
    conditions.push(sql);
    params.push(...values);
  };
  if (filters.q) {
    const like = `%${escapeLike(filters.q)}%`;
    const columns = [
      'c.id',
      'c.url',
      'c.final_url',
      'c.final_title',
      'c.summary',
      'c.advertiser',
      'm.subject',
      'm.from_address',
      'm.from_name',
    ];
    const inColumns = columns.map((col) => `${col} LIKE ? ESCAPE '\\'`).join(' OR ');
    const inHops = `EXISTS (SELECT 1 FROM hops h WHERE h.case_id = c.id AND h.url LIKE ? ESCAPE '\\')`;
    add(`(${inColumns} OR ${inHops})`, ...columns.map(() => like), like);
  }
  if (filters.domain) {
    const domain = filters.domain.toLowerCase().replace(/\.$/, '');
    add('EXISTS (SELECT 1 FROM case_hosts x WHERE x.case_id = c.id AND (x.domain = ? OR x.host = ?))', domain, domain);
  }
  if (filters.party) {
    add(
      'EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND (p.name = ? COLLATE NOCASE OR p.domain = ?))',
      filters.party,
      filters.party.toLowerCase(),
    );
  }
  if (filters.ip) add('EXISTS (SELECT 1 FROM case_ips i WHERE i.case_id = c.id AND i.ip = ?)', filters.ip.toLowerCase());
  if (filters.cert) {
    const cert = certValue(filters.cert);
    if (cert.length === 64) add('EXISTS (SELECT 1 FROM case_certs t WHERE t.case_id = c.id AND t.sha256 = ?)', cert);
    else add(`EXISTS (SELECT 1 FROM case_certs t WHERE t.case_id = c.id AND t.sha256 LIKE ? ESCAPE '\\')`, `${cert}%`);
  }
  if (filters.token) {
    const eq = filters.token.indexOf('=');
    if (eq > 0)
      add(
        'EXISTS (SELECT 1 FROM case_tokens k WHERE k.case_id = c.id AND k.name = ? AND k.value = ?)',
        filters.token.slice(0, eq),
        filters.token.slice(eq + 1),
      );
    else add('EXISTS (SELECT 1 FROM case_tokens k WHERE k.case_id = c.id AND k.value = ?)', filters.token);
  }
  if (filters.asn) add('EXISTS (SELECT 1 FROM hops a WHERE a.case_id = c.id AND a.asn = ?)', asnValue(filters.asn));
  if (filters.file) add('EXISTS (SELECT 1 FROM case_files f WHERE f.case_id = c.id AND f.sha256 = ?)', fileValue(filters.file));
  if (filters.status) {
    const status = statusCondition(filters.status);
    add(status.sql, ...status.params);
  }
  if (filters.kind) add('c.kind = ?', filters.kind);
  if (filters.message)
    add('(c.id = ? OR c.id IN (SELECT case_id FROM traced_links WHERE message_case = ?))', filters.message, filters.message);
  if (filters.from) add('c.started_at >= ?', dateBound(filters.from, 'from'));
  if (filters.to) {
    const to = dateBound(filters.to, 'to');
    // A date alone means the whole day: everything before the next midnight UTC.
    if (/^\d{4}-\d{2}-\d{2}$/.test(filters.to)) add('c.started_at < ?', to);
    else add('c.started_at <= ?', to);
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export interface SearchSql {
  count: string;
  list: string;
  params: (string | number)[];
  listParams: (string | number)[];
}

const CASE_COLUMNS =
  'c.id, c.kind, c.url, c.final_url, c.final_host, c.final_title, c.final_status, c.error, c.partial, c.started_at, c.ended_at, ' +
  'c.elapsed_ms, c.hop_count, c.summary, c.advertiser, m.subject, m.from_name, m.from_address';

export function searchSql(filters: SearchFilters): SearchSql {
  const where = buildWhere(filters);
  const from = `FROM cases c LEFT JOIN messages m ON m.case_id = c.id ${where.sql}`;
  const limit = Math.min(Math.max(filters.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT);
  const offset = Math.max(filters.offset ?? 0, 0);
  return {
    count: `SELECT COUNT(*) AS total ${from}`,
    list: `SELECT ${CASE_COLUMNS} ${from} ORDER BY c.started_at DESC, c.id DESC LIMIT ? OFFSET ?`,
    params: where.params,
    listParams: [...where.params, limit, offset],
  };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function statusCondition(status: string): WhereClause {
  const s = status.toLowerCase();
  if (s === 'ok') return { sql: 'c.error IS NULL AND c.partial = 0', params: [] };
  if (s === 'error') return { sql: 'c.error IS NOT NULL', params: [] };
  if (s === 'partial') return { sql: 'c.partial = 1', params: [] };
  if (/^[1-5]\d\d$/.test(s)) return { sql: 'c.final_status = ?', params: [Number(s)] };
  if (/^[1-5]xx$/.test(s)) {
    const base = Number(s[0]) * 100;
    return { sql: 'c.final_status BETWEEN ? AND ?', params: [base, base + 99] };
  }
  throw new QueryError(`status: expected ok, error, partial, an HTTP status (200) or a class (4xx), got "${status}"`);
}

/**
 * Dates and times a filter takes: a day (2026-11-26), or a day and a time to the minute, second or
 * fraction, with `T` or a space, with or without a zone (Z, +01:00, +0100; none = the local time).
 * Date.parse alone is too lenient: V8 rolls 2026-02-30 over to March 2 and reads text after a date
 * ("2026-12-05junk 12:00") as some other day.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?([Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/** A date (its start; the end of the day for `to`) or an ISO time, as an ISO time; QueryError otherwise. */
export function dateBound(value: string, name: 'from' | 'to' | 'since'): string {
  const m = ISO_DATE_TIME.exec(value);
  const dateOnly = m !== null && m[4] === undefined;
  // RFC 3339 allows a lowercase "t" and "z", which Date.parse refuses.
  const time = m ? Date.parse(dateOnly ? `${value}T00:00:00Z` : value.replace(/[ t]/, 'T').replace(/z$/, 'Z')) : NaN;
  if (!m || Number.isNaN(time) || !isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3])))
    throw new QueryError(`${name}: expected a date (2026-11-26) or an ISO time (2026-11-26T08:00:00Z), got "${value}"`);
  const bound = dateOnly && name === 'to' ? time + 86_400_000 : time;
  // Kept within four-digit years: an offset can take 9999-12-31 past them, and the ISO text of
  // such a time ("+010000-01-01T...") sorts before every recorded time, turning the bound around.
  return new Date(Math.min(bound, LATEST)).toISOString();
}

/** The last instant an ISO time of four-digit years can write. */
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function isCalendarDay(year: number, month: number, day: number): boolean {
  // setUTCFullYear, not Date.UTC, which takes the years 0-99 for 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function certValue(value: string): string {
  const hex = value.toLowerCase().replace(/[:\s]/g, '');
  if (!/^[0-9a-f]{8,64}$/.test(hex)) throw new QueryError(`cert: expected a SHA-256 fingerprint (at least 8 hex digits), got "${value}"`);
  return hex;
}

function asnValue(value: string): number {
  const m = /^(?:AS)?(\d{1,10})$/i.exec(value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 4294967295)
    throw new QueryError(`asn: expected an AS number (15169 or AS15169), got "${value}"`);
  return n;
}

function fileValue(value: string): string {
  const hex = value.toLowerCase().replace(/[:\s]/g, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new QueryError(`file: expected the SHA-256 of a file (64 hex digits), got "${value}"`);
  return hex;
}
