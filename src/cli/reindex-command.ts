// clicktrace reindex: rebuilds the case database from the case folders (the source of truth).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, parse } from './command.js';
import { clean } from '../terminal-text.js';
import { DEFAULTS } from '../capture/trace-input.js';
import { CaseStore, databasePath } from '../store/index.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';
import { sweepCutOffCases } from '../service/cut-off-sweep.js';

const HELP = `usage: clicktrace reindex [--cases DIR] [--json]

Rebuilds DIR/clicktrace.db, the index that \`clicktrace serve\` searches, from the case folders
in DIR (default ./${DEFAULTS.outDir}). The folders are the source of truth: the database can be
deleted and rebuilt at any time. Folders that cannot be indexed are listed with the reason.
It also rebuilds the ledger of requested URLs (a link is requested once per cases folder) from
the folders, including traces cut off before their report (their WARC names the URL); a URL
stays in the ledger even when its case folder is deleted. A case left open by a process that is
gone (killed, crashed) is sealed first, marked partial, from what it recorded; the folder of a
trace killed after its folder was made and before its link was requested (it recorded nothing,
and the ledger holds that process's claim without a case) is removed, its link left unrequested.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { cases: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, HELP, false);
  if (!parsed) return ExitCode.Ok;
  const casesDir = resolve(parsed.values.cases ?? parsed.values.out ?? DEFAULTS.outDir);
  // A mistyped --cases must not become a new, empty cases folder that "indexed 0 case(s)".
  if (!existsSync(casesDir)) throw new CliError(`reindex: ${casesDir}: no such cases folder`);
  const started = Date.now();
  const store = CaseStore.open(casesDir);
  try {
    const swept = await sweepCutOffCases(store);
    const sealed = swept.sealed.length;
    if (sealed > 0 && !parsed.values.json)
      process.stdout.write(`sealed ${sealed} case(s) left open by a process that is gone, as partial\n`);
    if (swept.removed.length > 0 && !parsed.values.json)
      process.stdout.write(`removed ${swept.removed.length} case folder(s) of traces killed before their link was requested\n`);
    const result = store.reindex();
    if (parsed.values.json) {
      process.stdout.write(
        jsonText({ database: databasePath(casesDir), sealedCutOff: sealed, removedNotRequested: swept.removed.length, ...result }, 2) +
          '\n',
      );
    } else {
      for (const skipped of result.skipped) process.stdout.write(`skipped ${clean(skipped.id)}: ${clean(skipped.reason)}\n`);
      process.stdout.write(
        `indexed ${result.indexed} case(s) into ${clean(databasePath(casesDir))} in ${Date.now() - started} ms; ` +
          `${store.ledger.count()} requested URL(s) in the ledger\n`,
      );
    }
  } finally {
    store.close();
  }
  return ExitCode.Ok;
}
