import { readFileSync } from 'node:fs';
import { parse, CliError } from './command.js';
import { clean } from './terminal.js';
import { ExitCode } from '../errors.js';

const HELP = `usage: clicktrace verify <case> [--key PUBLIC.pem] [--json]

Recomputes every digest of a case: the manifest's file hashes, each WARC record's block and
payload digests, the WACZ's datapackage digests, and the manifest signature when present. A
message case (message.eml and message.json, from "clicktrace mail" or the web UI) is checked
against its manifest and signature the same way.
Exits 1 and names every file or record that changed.

options:
  --key FILE   also require the manifest to be signed by this Ed25519 public key
  --json       print the result as JSON
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { key: { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [dir] = parsed.positionals;
  if (!dir) throw new CliError('verify: a case folder is required');
  const { existsSync, statSync } = await import('node:fs');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`verify: ${dir}: no such case folder`);
  let publicKeyPem: string | undefined;
  if (parsed.values.key) {
    try {
      publicKeyPem = readFileSync(parsed.values.key, 'utf8');
    } catch {
      throw new CliError(`verify: cannot read key ${parsed.values.key}`);
    }
  }
  const { verifyCase } = await import('../verify/verify.js');
  const result = await verifyCase(dir, publicKeyPem ? { publicKeyPem } : {});
  if (parsed.values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    for (const problem of result.problems) process.stdout.write(`FAIL ${clean(problem)}\n`);
    const c = result.checked;
    const what =
      result.kind === 'message'
        ? `message case, ${c.files} files`
        : `${c.files} files, ${c.warcRecords} WARC records, ${c.waczFiles} WACZ entries`;
    process.stdout.write(`${result.ok ? 'OK' : 'CHANGED'}: ${what} checked; signature ${c.signature}\n`);
  }
  return result.ok ? ExitCode.Ok : ExitCode.Failed;
}
