// clicktrace export: a case, or every case a search of the index selects, as a MISP event, a
// STIX 2.1 bundle or a flat IOC CSV, from the recorded evidence (nothing is fetched again).
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, parse } from './command.js';
import { clean } from '../terminal-text.js';
import { DEFAULTS } from '../capture/trace-input.js';
import { FILTER_NAMES } from '../store/search-query.js';
import { ExitCode } from '../errors.js';

const HELP = `usage: clicktrace export <case>... --format misp|stix|csv [options]
       clicktrace export --query FILTERS [--cases DIR] --format misp|stix|csv [options]

Writes the evidence of cases in the formats threat-intelligence teams exchange:
  misp   a MISP event (JSON): an email object for the message, a url object per hop, a
         domain-ip object per host, an x509 object per certificate, the chain as object
         references (redirects-to); several cases give {"response": [events]}
  stix   one STIX 2.1 bundle: url, domain-name, ipv4/ipv6-addr, x509-certificate and
         email-message observables (deterministic ids), observed-data, an indicator per hop
         URL, a relationship per hop, the parties as identities, a report per case
  csv    a flat IOC list: case, hop, type, value, role, party, context, seen
Everything comes from the case folders (report.json, message.json, message.eml); no link is
visited again. A message case brings the cases traced from its links, and a traced case the
message it came from.

options:
  --format F         misp, stix or csv (required)
  --query FILTERS    select cases with the case index's search instead of naming them, as
                     name=value pairs joined by & (the filters of the web UI's case list:
                     q, domain, party, ip, cert, token, status, kind, message, from, to); a
                     word without = searches the text (q)
  --cases DIR        the cases folder for --query (default ./${DEFAULTS.outDir})
  --tlp LEVEL        TLP marking: clear, green, amber (default) or red
  --out FILE         write to FILE instead of standard output
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(
    argv,
    {
      format: { type: 'string' },
      query: { type: 'string', multiple: true },
      cases: { type: 'string' },
      tlp: { type: 'string' },
      out: { type: 'string' },
    },
    HELP,
  );
  if (!parsed) return ExitCode.Ok;
  const v = parsed.values;
  const { EXPORT_FORMATS, MAX_EXPORT_CASES, isExportFormat, loadCases, renderExport, selectCases } = await import('../export/export.js');
  const { TLP_LEVELS } = await import('../export/common.js');
  if (!v.format) throw new CliError(`export: --format is required (${EXPORT_FORMATS.join(', ')})`);
  if (!isExportFormat(v.format)) throw new CliError(`export: --format: expected ${EXPORT_FORMATS.join(', ')}, got "${v.format}"`);
  const tlp = v.tlp ?? 'amber';
  if (!(TLP_LEVELS as readonly string[]).includes(tlp))
    throw new CliError(`export: --tlp: expected ${TLP_LEVELS.join(', ')}, got "${tlp}"`);
  if (v.query && parsed.positionals.length) throw new CliError('export: name cases or give --query, not both');
  if (!v.query && parsed.positionals.length === 0) throw new CliError('export: a case folder or --query is required (see --help)');

  let dirs: string[];
  if (v.query) {
    const casesDir = resolve(v.cases ?? DEFAULTS.outDir);
    if (!existsSync(casesDir)) throw new CliError(`export: --cases: ${casesDir}: no such folder`);
    const [{ CaseStore }, { QueryError }] = await Promise.all([import('../store/case-store.js'), import('../store/search-query.js')]);
    const store = CaseStore.open(casesDir);
    try {
      store.sync();
      const selected = selectCases(store, queryFilters(v.query));
      if (selected.ids.length === 0) throw new CliError('export: the query selects no case', ExitCode.Failed);
      const cut = selected.total - selected.ids.length - selected.withMessage;
      if (cut > 0 && !v.out)
        process.stderr.write(`clicktrace: export: ${selected.total} cases match; the first ${MAX_EXPORT_CASES} are exported\n`);
      else if (selected.withMessage > 0 && !v.out)
        process.stderr.write(
          `clicktrace: export: ${selected.total} cases match; ${selected.withMessage} of them are in the export with their message case\n`,
        );
      dirs = selected.ids.map((id) => resolve(casesDir, id));
    } catch (err) {
      if (err instanceof QueryError) throw new CliError(`export: --query: ${err.message}`);
      throw err;
    } finally {
      store.close();
    }
  } else {
    for (const dir of parsed.positionals) {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`export: ${dir}: no such case folder`);
    }
    dirs = parsed.positionals.map((d) => resolve(d));
  }
  const cases = await loadCases(dirs);
  const bytes = renderExport(cases, v.format, { tlp: tlp as (typeof TLP_LEVELS)[number] });
  if (v.out) {
    writeFileSync(v.out, bytes);
    process.stderr.write(`clicktrace: export: ${cases.length} case(s) as ${v.format} in ${clean(v.out)}\n`);
  } else process.stdout.write(bytes);
  return ExitCode.Ok;
}

/** `party=Selligent&kind=trace` (repeatable); a word without "=" is free text. */
export function queryFilters(queries: string[]): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const query of queries) {
    if (!query.includes('=')) {
      filters.q = query;
      continue;
    }
    for (const [name, value] of new URLSearchParams(query)) filters[name] = value;
  }
  for (const name of Object.keys(filters)) {
    if (!(FILTER_NAMES as readonly string[]).includes(name))
      throw new CliError(`export: --query: unknown filter "${name}" (filters: ${FILTER_NAMES.join(', ')})`);
  }
  return filters;
}
