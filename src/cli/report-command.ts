// clicktrace report: "who is responsible" across the case store, as terminal tables, JSON, CSV
// or a standalone HTML file.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { parse, CliError } from './command.js';
import { clean } from '../terminal-text.js';
import { DEFAULTS } from '../capture/trace-input.js';
import { ExitCode, UserError } from '../errors.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace report [--cases DIR] [--since DATE] [--json | --csv | --html FILE]

Sums up the cases of DIR (default ./${DEFAULTS.outDir}; its index is brought up to date first):
per sending platform (from message headers), click tracker / ESP, broker or affiliate network,
other hops on the way, advertiser (only for chains that ended on a landing page, as the analysis
that names the advertiser decides; the final registrable domain of the others is listed apart,
with how each chain ended (HTTP 404, redirect loop, timeout, file download, cut off...), the
tracker or broker whose own page a chain rested on, or as a destination: a landing page on a
look-alike domain, which is no one's advertising), the hops of another tab (a tab-under's
first tab, sent on by itself) or of a separate chain (a proxy capture's or an import's other
visits), not the chain's way on, and hosting network (AS) of every hop, those included (the
detail then says "another tab's hop" or "a separate chain's hop"; a detail that holds for some of
a line's cases only says for how many: "another tab's hop (2 of 290 cases)"). Trackers, brokers, other hops,
the advertiser and the final domain come from the chain's own hops, as each case's summary names
them. Each line gives the number of messages and traces, when it
was first and last seen (when the evidence that shows it was recorded), and up to three example
case ids, newest first, each a case that shows the line (a trace with the party at a hop; for a
sending platform, the message case). One party is one line however the cases spell it: a name
the clicktracker catalogue knows (rules/) under its catalogue name ("SendGrid", "sendgrid.net"
and "Twilio SendGrid" are one line), domains by registrable domain (case, trailing dot and www.
aside, IDN as punycode), other names regardless of case; each line lists the spellings it
grouped. Private and loopback addresses are labelled as such, not as networks. Imported captures
(clicktrace import) and the visitors of clicktrace compare (one trace per profile) count among
the traces and are counted apart ("3 (1 imported, 2 compared)"); the totals say how many
traces stopped with an error; case folders with no report yet (a trace running, or cut off) are
not counted, and stderr says which. Compared links are also summed up per party on their chains
(compared, cloaked, single-use, the signals they split on, first and last seen, example
comparison cases). Every format carries the same facts: the totals, every line, the cloaking.
With --since, a message counts when its message case or a trace of one of its links started at
or after DATE; its sending platforms and the rest of what its headers say count with it.

Hosting networks come from offline data (ip-location-db: RouteViews, NRO and DB-IP, CC BY 4.0,
https://db-ip.com); they are approximate, and each AS line names the data and its date (in the
terminal, the hosting table's last column, "data").

options:
  --cases DIR    the cases folder (also --out); a folder that holds neither the index
                 (clicktrace.db) nor case folders is refused, and nothing is written into it
  --since DATE   only cases started at or after DATE: a day (2026-11-26, from midnight UTC) or
                 an ISO time (2026-11-26T08:00:00Z, 2026-11-26T09:00+01:00; no zone: local time)
  --json         the aggregate as one JSON object
  --csv          RFC 4180 CSV, one row per (dimension, key): first the totals (dimension
                 "total"), last the cloaking per party ("cloaking"); a cell that a spreadsheet would
                 take for a formula (= + - @, full-width or after spaces, tab, line break) is
                 prefixed with ', control characters are written out as \\xNN; the last column,
                 spellings, joins a line's spellings with " | "
  --html FILE    write a standalone HTML page (no script; inline style) to FILE (- for
                 stdout); its example cases link to their folders (absolute paths: open it on
                 this machine)
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(
    argv,
    {
      cases: { type: 'string' },
      out: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      html: { type: 'string' },
    },
    HELP,
    false,
  );
  if (!parsed) return ExitCode.Ok;
  const v = parsed.values;
  if ([v.json, v.csv, v.html !== undefined].filter(Boolean).length > 1) throw new CliError('report: choose one of --json, --csv, --html');
  if (v.html === '') throw new CliError('report: --html needs a file name');
  const [{ CaseStore, DATABASE_FILE, dateBound, isCaseId, isOneCaseFolder, QueryError }, { feedReport }] = await Promise.all([
    import('../store/index.js'),
    import('../feed/index.js'),
  ]);
  let since: string | null = null;
  try {
    if (v.since !== undefined) since = dateBound(v.since, 'since');
  } catch (err) {
    if (err instanceof QueryError) throw new CliError(`report: --${err.message}`);
    throw err;
  }
  const casesDir = resolve(v.cases ?? v.out ?? DEFAULTS.outDir);
  if (!existsSync(casesDir)) throw new CliError(`report: ${casesDir}: no such cases folder`);
  if (!statSync(casesDir).isDirectory()) throw new CliError(`report: ${casesDir}: not a folder (--cases takes a cases folder)`);
  const [{ isComparisonCaseId }, { RECIPIENT_MAP_FILE }] = await Promise.all([
    import('../compare/comparison-case.js'),
    import('../mail/recipient-map.js'),
  ]);
  // A folder of other things (a mistyped --cases, a home folder) is no cases folder: refused
  // before its index would be made in it. An empty folder is an empty cases folder, and so is one
  // with only the recipient map the web UI and mail keep there; one case's folder is refused by
  // CaseStore.open, which says so.
  let names: string[];
  try {
    names = readdirSync(casesDir).filter((name) => !name.startsWith('.'));
  } catch (err) {
    throw new CliError(`report: ${casesDir}: cannot read it: ${(err as Error).message}`);
  }
  if (
    names.length > 0 &&
    !names.some((name) => name === DATABASE_FILE || name === RECIPIENT_MAP_FILE || isCaseId(name) || isComparisonCaseId(name)) &&
    !isOneCaseFolder(casesDir)
  )
    throw new CliError(`report: ${casesDir}: not a cases folder (no ${DATABASE_FILE} and no case folders in it)`);
  let store;
  try {
    store = CaseStore.open(casesDir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    // An unwritable folder (the index lives in it) or a file that is no SQLite database.
    throw new CliError(`report: ${casesDir}: cannot open its index: ${(err as Error).message}`);
  }
  let aggregate;
  let skipped;
  try {
    skipped = store.sync().skipped;
    aggregate = feedReport(store, { since });
  } finally {
    store.close();
  }
  // A folder without report.json (a trace still running, or cut off by a crash or kill -9) is not
  // in the index: say so rather than leave it out silently.
  const [{ timeFromCaseId }, { CUT_OFF_REASON }] = await Promise.all([import('../store/case-rows.js'), import('../store/case-folder.js')]);
  const missing = skipped.filter((s) => since === null || (timeFromCaseId(s.id) ?? since) >= since);
  if (missing.length > 0)
    process.stderr.write(
      `clicktrace: report: ${missing.length} case folder(s) not counted: ` +
        `${missing
          .slice(0, 3)
          .map((s) => `${clean(s.id)} (${clean(s.reason)})`)
          .join(', ')}${missing.length > 3 ? ', ...' : ''}` +
        (missing.some((s) => s.reason === CUT_OFF_REASON) ? '; clicktrace reindex seals those cut off, as partial' : '') +
        '\n',
    );
  if (v.json) {
    process.stdout.write(jsonText(aggregate, 2) + '\n');
  } else if (v.csv) {
    const { formatFeedCsv } = await import('../feed/format-csv.js');
    process.stdout.write(formatFeedCsv(aggregate));
  } else if (v.html !== undefined) {
    const [{ feedReportDocument }, { appPath }] = await Promise.all([import('../web/views/feed-report.js'), import('../web/html.js')]);
    const htmlFile = resolve(v.html);
    // The page opens as a file: an absolute path is a link to the case's folder (the page's links
    // can only be paths, never another scheme: src/web/html.ts).
    const caseHref = (id: string) => appPath(...casesDir.split(sep).filter(Boolean), id) + '/';
    const page = feedReportDocument(aggregate, new Date().toISOString(), caseHref).toString();
    // "-" is stdout, as for --input and mail: not a file named "-".
    if (v.html === '-') {
      process.stdout.write(page);
      return ExitCode.Ok;
    }
    try {
      writeFileSync(htmlFile, page);
    } catch (err) {
      throw new CliError(`report: cannot write ${htmlFile}: ${(err as Error).message}`);
    }
    process.stdout.write(`wrote ${clean(v.html)}: ${aggregate.rows.length} line(s) over ${aggregate.cases} case(s)\n`);
  } else {
    const { formatFeedText } = await import('../feed/format-text.js');
    process.stdout.write(formatFeedText(aggregate) + '\n');
  }
  return ExitCode.Ok;
}
