// The case index: one row per case folder in `cases`, and one table per thing an analyst pivots
// on. Every table but `meta`, `jobs` and `requested_urls` is derived from the folders and rebuilt by `reindex`.
import Database from 'better-sqlite3';

// 2: hops' hosting networks (asn, as_name, as_country, network_special); cases' final_domain and
// ended_on_page, for the feed report (src/feed/).
// 3: messages' resource_count and pixel_count; message_recipients (the addresses a message reached,
// with what the recipient map said), for e-mail forensics (src/mail/).
// 4: case_parties rows of role open-tracker (a message's pixel hosts), for the feed report.
// 5: case_files (SHA-256 of the files a trace downloaded), for the `file` pivot.
// 6: cases' ended_on_page follows the analysis's own rule (src/analyze/ending.ts), so imports and
// traces that rested on a page without loading it fully count as the analysis names them.
// 7: hops' other_tab (a tab-under's first tab: not the chain's way on), so that the feed report
// reads the chain's own hops, as the case's summary does; ended_on_page and advertiser of the chain.
// 8: messages' message_key (src/mail/message-key.ts): a message recorded before is found by it, with
// or without a Message-ID.
// 9: a trace of a message's open pixel (mail --fetch-pixels) never ended on a page: its image's host
// is no advertiser (src/analyze/ending.ts isPixelFetch).
// 10: hops' other_tab 2 for a separate chain's hop (a proxy capture's or an import's other visit),
// which the feed report names so instead of calling it another tab's.
// 11: cases' ending, how a chain that did not rest on a page ended (HTTP 404, redirect loop,
// timeout, cut off...), which the feed report gives for its final domain.
export const SCHEMA_VERSION = 11;

const TABLES = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Jobs of clicktrace serve, as JSON (not derived from the folders: kept across schema rebuilds).
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  submitted_at TEXT NOT NULL,
  state TEXT NOT NULL,
  job TEXT NOT NULL
);

-- Every URL the system has requested (or is about to request) in a trace: written before the
-- request, with the case that records it, so a link is never requested twice, across crashes too.
-- Not dropped with the derived tables: \`reindex\` adds the URLs of the case folders (their WARC's
-- warcinfo names the URL before the request is made) and never removes a row.
-- case_id is NULL only while a claim waits for its case folder (nothing requested yet); such a
-- row is released when its claimant (host pid) is gone.
CREATE TABLE IF NOT EXISTS requested_urls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  case_id TEXT UNIQUE,
  claimed_at TEXT NOT NULL,
  claimant TEXT
);
CREATE INDEX IF NOT EXISTS requested_urls_url ON requested_urls (url);

-- A case folder: a capture (trace, proxy, import) or a message (mail).
CREATE TABLE IF NOT EXISTS cases (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  url TEXT,
  final_url TEXT,
  final_host TEXT,
  final_domain TEXT,
  final_title TEXT,
  final_status INTEGER,
  error TEXT,
  partial INTEGER NOT NULL DEFAULT 0,
  started_at TEXT,
  ended_at TEXT,
  elapsed_ms INTEGER,
  hop_count INTEGER NOT NULL DEFAULT 0,
  -- 1 when the chain rested on a page that rendered (no error): only then is its owner an advertiser.
  ended_on_page INTEGER NOT NULL DEFAULT 0,
  -- How a chain that did not rest on a page ended ("HTTP 404", "redirect loop", "cut off"); null when it did.
  ending TEXT,
  summary TEXT,
  advertiser TEXT,
  indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_started ON cases (started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS cases_final_status ON cases (final_status);

-- A message case's header facts.
CREATE TABLE IF NOT EXISTS messages (
  case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
  subject TEXT,
  from_name TEXT,
  from_address TEXT,
  from_domain TEXT,
  return_path TEXT,
  message_id TEXT,
  message_id_domain TEXT,
  date TEXT,
  link_count INTEGER NOT NULL DEFAULT 0,
  platforms TEXT,
  resource_count INTEGER NOT NULL DEFAULT 0,
  pixel_count INTEGER NOT NULL DEFAULT 0,
  -- The digest of message.eml as its sender wrote it (messageKey): a message recorded again (a
  -- mailbox traced anew) is found by it.
  message_key TEXT
);
CREATE INDEX IF NOT EXISTS messages_message_id ON messages (message_id);
CREATE INDEX IF NOT EXISTS messages_message_key ON messages (message_key);

-- The recipient addresses a message reached (headers, tokens in link and pixel URLs), with what the
-- recipient map said of each when the message was recorded: the entry (address or pattern) it
-- falls under, its tag, spamtrap, received after the address was retired.
CREATE TABLE IF NOT EXISTS message_recipients (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  given_key TEXT,
  tag TEXT,
  spamtrap INTEGER NOT NULL DEFAULT 0,
  after_retirement INTEGER NOT NULL DEFAULT 0,
  in_urls INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (case_id, address)
);
CREATE INDEX IF NOT EXISTS message_recipients_address ON message_recipients (address);
CREATE INDEX IF NOT EXISTS message_recipients_key ON message_recipients (given_key);

-- A traced link and the message it came from. \`owner\` is the case whose folder says so: the
-- traced case (its report.message) or the message case (its traced.json); reindexing a case
-- replaces the rows it owns.
CREATE TABLE IF NOT EXISTS traced_links (
  owner TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  message_case TEXT NOT NULL,
  case_id TEXT NOT NULL,
  link INTEGER,
  subject TEXT,
  sender TEXT,
  PRIMARY KEY (owner, message_case, case_id)
);
CREATE INDEX IF NOT EXISTS traced_links_message ON traced_links (message_case);
CREATE INDEX IF NOT EXISTS traced_links_case ON traced_links (case_id);

CREATE TABLE IF NOT EXISTS hops (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  url TEXT NOT NULL,
  host TEXT,
  domain TEXT,
  method TEXT,
  status INTEGER,
  via TEXT,
  ip TEXT,
  party_name TEXT,
  party_role TEXT,
  tls_protocol TEXT,
  cert_sha256 TEXT,
  error TEXT,
  -- The hop IP's network as the report recorded it: an AS (number, name, country, data source)
  -- or a special block ("loopback", "private"...).
  asn INTEGER,
  as_name TEXT,
  as_country TEXT,
  network_special TEXT,
  network_source TEXT,
  -- 1: made by a tab the chain is not on (the report's otherTab, src/analyze/tabs.ts); 2: a hop of a
  -- separate chain (the report's otherTab with its chain > 1, src/import/chain.ts).
  other_tab INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (case_id, idx)
);
CREATE INDEX IF NOT EXISTS hops_asn ON hops (asn);

-- Hosts with their registrable domain; source: hop (the chain) or link (a message's links).
CREATE TABLE IF NOT EXISTS case_hosts (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  host TEXT NOT NULL,
  domain TEXT,
  source TEXT NOT NULL,
  PRIMARY KEY (case_id, host, source)
);
CREATE INDEX IF NOT EXISTS case_hosts_host ON case_hosts (host);
CREATE INDEX IF NOT EXISTS case_hosts_domain ON case_hosts (domain);

CREATE TABLE IF NOT EXISTS case_parties (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  domain TEXT NOT NULL,
  PRIMARY KEY (case_id, name, role, domain)
);
CREATE INDEX IF NOT EXISTS case_parties_name ON case_parties (name COLLATE NOCASE);

CREATE TABLE IF NOT EXISTS case_ips (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  ip TEXT NOT NULL,
  PRIMARY KEY (case_id, ip)
);
CREATE INDEX IF NOT EXISTS case_ips_ip ON case_ips (ip);

CREATE TABLE IF NOT EXISTS case_certs (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  subject TEXT,
  issuer TEXT,
  valid_to TEXT,
  PRIMARY KEY (case_id, sha256)
);
CREATE INDEX IF NOT EXISTS case_certs_sha256 ON case_certs (sha256);

CREATE TABLE IF NOT EXISTS case_tokens (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  kind TEXT,
  PRIMARY KEY (case_id, name, value)
);
CREATE INDEX IF NOT EXISTS case_tokens_value ON case_tokens (value);

CREATE TABLE IF NOT EXISTS case_files (
  case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  filename TEXT,
  size INTEGER,
  PRIMARY KEY (case_id, sha256)
);
CREATE INDEX IF NOT EXISTS case_files_sha256 ON case_files (sha256);
`;

/** Tables that are not derived from the case folders: a schema change keeps them. */
const KEPT_TABLES = ['jobs', 'requested_urls'];

/** Opens (creating if needed) the database in WAL mode; an older schema is dropped and recreated. */
export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    return prepareDatabase(db);
  } catch (err) {
    // Closed, so what it left can be removed (a full disk) and no handle outlives the error.
    db.close();
    throw err;
  }
}

function prepareDatabase(db: Database.Database): Database.Database {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== SCHEMA_VERSION) {
    // Everything is derived from the case folders: a schema change just means a rebuild.
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN (${KEPT_TABLES.map((t) => `'${t}'`).join(', ')})`,
      )
      .all() as { name: string }[];
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      for (const { name } of tables) db.exec(`DROP TABLE IF EXISTS "${name.replace(/"/g, '""')}"`);
    })();
    db.pragma('foreign_keys = ON');
  }
  db.exec(TABLES);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}

/** Tables holding one case's facts, children of `cases`. */
export const CASE_FACT_TABLES = [
  'messages',
  'message_recipients',
  'traced_links',
  'hops',
  'case_hosts',
  'case_parties',
  'case_ips',
  'case_certs',
  'case_tokens',
  'case_files',
] as const;
