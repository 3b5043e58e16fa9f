import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FILE } from '../case/case-layout.js';
import { parse, CliError } from './command.js';
import { clean } from '../terminal-text.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace verify <case> [--key PUBLIC.pem] [--tsa-ca CA.pem] [--json]

Recomputes every digest of a case: the manifest's file hashes, each WARC record's block and
payload digests, the WACZ's datapackage digests, and the manifest signature when present. A
message case (message.eml and message.json, from "clicktrace mail" or the web UI) is checked
against its manifest and signature the same way. When the case holds an RFC 3161 timestamp
(manifest.tsr, from --tsa), its message imprint must be the SHA-256 of manifest.json, its CMS
signature must verify and the TSA's certificate must chain to a trusted CA; the attested time
is printed.
A partial case (its capture cut off: interrupted, its process killed; sealed from what it
recorded) verifies when intact, and is said to be partial, with why ("NOTE partial case: ...").
Exits 1 and names every file or record that changed; 2 when the folder holds no case at all.

options:
  --key FILE      also require the manifest to be signed by this Ed25519 public key
  --tsa-ca FILE   trust the TSA certificates issued by these CA(s) (PEM); default: "tsa.ca" of
                  ~/.clicktrace/config.json, else the system trust store
  --json          print the result as JSON
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { key: { type: 'string' }, 'tsa-ca': { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [dir] = parsed.positionals;
  if (!dir) throw new CliError('verify: a case folder is required');
  const { existsSync, statSync } = await import('node:fs');
  if (!existsSync(dir)) throw new CliError(`verify: ${dir}: no such case folder`);
  if (!statSync(dir).isDirectory()) throw new CliError(`verify: ${dir}: a file, not a case folder`);
  if (!(await looksLikeCase(dir)))
    throw new CliError(`verify: ${dir}: not a case folder (none of manifest.json, report.json, capture.warc.gz, message.json)`);
  let publicKeyPem: string | undefined;
  if (parsed.values.key) {
    try {
      publicKeyPem = readFileSync(parsed.values.key, 'utf8');
    } catch {
      throw new CliError(`verify: cannot read key ${parsed.values.key}`);
    }
  }
  const tsaCaFile = parsed.values['tsa-ca'] ?? (await import('../home-config.js')).readHomeConfig().tsa?.ca ?? null;
  if (parsed.values['tsa-ca'] && !existsSync(parsed.values['tsa-ca']))
    throw new CliError(`verify: --tsa-ca: ${parsed.values['tsa-ca']}: no such file`);
  const { verifyCase } = await import('../verify/verify.js');
  const result = await verifyCase(dir, { ...(publicKeyPem ? { publicKeyPem } : {}), tsaCaFile });
  if (parsed.values.json) process.stdout.write(jsonText(result, 2) + '\n');
  else {
    for (const problem of result.problems) process.stdout.write(`FAIL ${clean(problem)}\n`);
    for (const failed of result.notWritten)
      process.stdout.write(`NOTE ${clean(failed.path)}: not written when the case was closed (${clean(failed.error)})\n`);
    const c = result.checked;
    const what =
      result.kind === 'message'
        ? `message case, ${c.files} files`
        : result.kind === 'comparison'
          ? `comparison case, ${c.files} files (verify each profile's case on its own)`
          : `${c.files} files, ${c.warcRecords} WARC records, ${c.waczFiles} WACZ entries`;
    process.stdout.write(`${result.ok ? 'OK' : 'CHANGED'}: ${what} checked; signature ${c.signature}; timestamp ${c.timestamp}\n`);
    // Intact is not whole: a cut-off capture verifies, and says so.
    if (result.partial) process.stdout.write(`NOTE partial case: ${clean(partialReason(dir))}\n`);
    const { token, failure, trust } = result.timestamp;
    if (c.timestamp === 'valid' && token) {
      process.stdout.write(
        `Timestamp: ${clean(token.time)} by ${clean(token.signer ?? 'an unnamed TSA')} (serial ${clean(token.serial)}; chain trusted via ${clean(trust)})\n`,
      );
    } else if (c.timestamp === 'absent' && failure) {
      process.stdout.write(
        `Timestamp: none; sealing asked ${clean(failure.tsa)} at ${clean(failure.at)} and it failed: ${clean(failure.error)}\n`,
      );
    }
  }
  return result.ok ? ExitCode.Ok : ExitCode.Failed;
}

/**
 * A folder holding none of the files a case is made of is not a case: "CHANGED, every file
 * missing" would say evidence was tampered with where there never was any. A case with some
 * of them gone is still verified, and fails.
 */
async function looksLikeCase(dir: string): Promise<boolean> {
  const { readdirSync } = await import('node:fs');
  const layout = await import('../case/case-layout.js');
  const { COMPARISON_FILE } = await import('../compare/comparison-case.js');
  const caseFiles = new Set([
    layout.MANIFEST_FILE,
    layout.REPORT_FILE,
    layout.WARC_FILE,
    layout.HAR_FILE,
    layout.WACZ_FILE,
    layout.PARTIAL_FILE,
    layout.MESSAGE_EML_FILE,
    layout.MESSAGE_RECORD_FILE,
    COMPARISON_FILE,
  ]);
  return readdirSync(dir).some((name) => caseFiles.has(name));
}

/** Why a partial case was cut off, as its report says. */
function partialReason(dir: string): string {
  const fallback = 'its capture was cut off and sealed from what it recorded';
  try {
    const report = JSON.parse(readFileSync(join(dir, REPORT_FILE), 'utf8')) as { error?: unknown };
    return typeof report.error === 'string' && report.error ? report.error : fallback;
  } catch {
    return fallback;
  }
}
