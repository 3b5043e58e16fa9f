// clicktrace abuse: drafts one abuse report (.eml, ready to review and send) per party the
// case's evidence makes responsible. Nothing is sent.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CliError, parse } from './command.js';
import { clean } from '../terminal-text.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';
import { makeDirs } from '../make-dirs.js';

const HELP = `usage: clicktrace abuse <case> [--out DIR] [--from ADDRESS] [--json]

Drafts one abuse report per party the case's evidence makes responsible: the sending platform
(from the message's headers), the click tracker's ESP, brokers (affiliate and ad networks,
redirectors, unattributed hosts in the middle of the chain, and the host a chain stopped at short of
any landing page: a 404, a loop, a timeout), the advertiser (the landing page, only for a chain
that rested on one), and the network hosting the final page (public addresses only). Each draft says what was
received, the chain and why this party, and attaches the original message byte for byte
(message/rfc822), the chain as text and the cases' manifests with their hashes (and timestamps).

The recipient is the abuse contact rules/parties.json keeps for a known party, else one named
by the message's own headers (X-Report-Abuse and similar) for the sending platform, else a
placeholder at fill-in.invalid that the analyst replaces. The .eml files carry X-Unsent: 1, so
mail clients open them as drafts. Nothing is sent.

options:
  --out DIR        where the .eml files go (default ./abuse-<case>)
  --from ADDRESS   your mailbox for From: (default: "abuse.from" of ~/.clicktrace/config.json,
                   else a placeholder)
  --json           list the drafts as JSON
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { out: { type: 'string' }, from: { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [dir, ...extra] = parsed.positionals;
  if (!dir) throw new CliError('abuse: a case folder is required (see --help)');
  if (extra.length) throw new CliError('abuse: one case at a time');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`abuse: ${dir}: no such case folder`);
  const [{ loadCaseEvidence }, { draftAbuseReports, composeEml }, { readHomeConfig }] = await Promise.all([
    import('../export/case-evidence.js'),
    import('../abuse/draft.js'),
    import('../home-config.js'),
  ]);
  const from = parsed.values.from ?? readHomeConfig().abuse?.from ?? null;
  if (from !== null && !/@/.test(from)) throw new CliError(`abuse: --from: expected an address, got "${from}"`);
  const evidence = await loadCaseEvidence(dir);
  const drafts = draftAbuseReports(evidence, { from });
  const out = resolve(parsed.values.out ?? `abuse-${basename(resolve(dir))}`);
  makeDirs(out);
  const listing: { file: string; party: string; roles: string[]; to: string; placeholder: boolean; source: string }[] = [];
  for (const draft of drafts) {
    const file = join(out, draft.fileName);
    writeFileSync(file, await composeEml(draft, from));
    listing.push({
      file,
      party: draft.party.name,
      roles: draft.party.roles,
      to: draft.recipient.to.address,
      placeholder: draft.recipient.placeholder,
      source: draft.recipient.source,
    });
  }
  if (parsed.values.json) process.stdout.write(jsonText({ case: evidence.id, drafts: listing }, 2) + '\n');
  else {
    if (listing.length === 0) process.stdout.write('No responsible party found in the evidence; no draft written.\n');
    for (const d of listing) {
      process.stdout.write(
        `${clean(basename(d.file))}  ${clean(d.party)} (${clean(d.roles.join(', '))})  To: ${d.placeholder ? 'FILL IN' : clean(d.to)}  [${clean(d.source)}]\n`,
      );
    }
    if (listing.length) process.stdout.write(`Drafts in ${clean(out)}; nothing was sent.\n`);
  }
  return ExitCode.Ok;
}
