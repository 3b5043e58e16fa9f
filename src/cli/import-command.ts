import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FILE } from '../case/case-layout.js';
import type { Report } from '../report.js';
import { parse, CliError, indexCases } from './command.js';
import { formatChain } from './format.js';
import { clean } from '../terminal-text.js';
import { TSA_OPTION_HELP, reportTimestamp, timestampOnSeal, tsaSettings } from './tsa-option.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace import <file> [--out DIR] [--tsa URL] [--trust-key FILE] [--json]

Turns an existing capture into a case analysed like a trace: a browser-exported HAR
(Chrome/Firefox/Playwright) or a mitmproxy flow file (mitmdump -w). The original file is
not changed; the case folder gets the WARC, HAR, WACZ, report and manifest. Links visited one
after another are separate chains: the report follows the first and marks the others.

A case bundle (<case>.case.zip, what a fleet worker uploads to the server: the closed case
folder packed with its manifest and signature) is taken in whole instead: every digest is
recomputed as "clicktrace verify" does, and only a bundle that verifies becomes the case
folder DIR/<case> (a changed byte, a missing file, a path outside the case or a symlink is
refused and nothing of it is kept). --trust-key FILE (repeatable) also requires the
signature of one of these Ed25519 public keys. --tsa does not apply to a bundle.

options:
  --out DIR          where the case folder goes (default ./cases)
  --trust-key FILE   a bundle must be signed by this public key (PEM; repeatable)
${TSA_OPTION_HELP}
  --json             print the report as JSON
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(
    argv,
    { out: { type: 'string' }, tsa: { type: 'string' }, json: { type: 'boolean' }, 'trust-key': { type: 'string', multiple: true } },
    HELP,
  );
  if (!parsed) return ExitCode.Ok;
  const [file] = parsed.positionals;
  if (!file) throw new CliError('import: a HAR, a mitmproxy flow file or a case bundle is required');
  if (!existsSync(file)) throw new CliError(`import: ${file}: no such file`);
  const { isCaseBundle } = await import('../case/case-bundle.js');
  const input = readFileSync(file);
  if (isCaseBundle(input)) return importBundle(input, file, parsed.values);
  if (parsed.values['trust-key']) throw new CliError('import: --trust-key applies to case bundles only');
  const stamp = timestampOnSeal(tsaSettings(parsed.values.tsa));
  const [{ importCaptureFile }, { CaseWriter }, { analyzeCapture }, { loadNetworkData }] = await Promise.all([
    import('../import/detect.js'),
    import('../case/case-writer.js'),
    import('../analyze/analyze.js'),
    import('../hosting/network-data.js'),
  ]);
  const networks = loadNetworkData();
  const capture = importCaptureFile(input, file);
  capture.info.commandLine = ['clicktrace', 'import', ...argv];
  const writer = await CaseWriter.create(parsed.values.out ?? 'cases', capture.info, stamp.writerOptions);
  for (const record of capture.dns) writer.addDns(record);
  for (const exchange of capture.exchanges) writer.addExchange(exchange);
  const report = analyzeCapture(capture, writer.dir, await networks);
  await writer.close(capture, report);
  await indexCases(writer.dir);
  if (parsed.values.json) process.stdout.write(jsonText(report, 2) + '\n');
  else process.stdout.write(formatChain(report, writer.dir) + '\n');
  reportTimestamp(stamp.outcome(), parsed.values.json ?? false);
  return ExitCode.Ok;
}

/** A case bundle: verified and moved into the cases folder whole. */
async function importBundle(
  input: Buffer,
  file: string,
  values: { out?: string; json?: boolean; 'trust-key'?: string[]; tsa?: string },
): Promise<number> {
  if (values.tsa !== undefined)
    throw new CliError('import: --tsa does not apply to a case bundle (it keeps the timestamp it was sealed with)');
  const trustedKeys = (values['trust-key'] ?? []).map((path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new CliError(`--trust-key: cannot read ${path}`);
    }
  });
  const [{ ingestBundle, BundleError }, { CaseStore }] = await Promise.all([
    import('../import/case-bundle.js'),
    import('../store/index.js'),
  ]);
  const store = CaseStore.open(values.out ?? 'cases');
  try {
    let outcome;
    try {
      outcome = await ingestBundle(input, store.casesDir, { trustedKeys });
    } catch (err) {
      if (err instanceof BundleError) throw new CliError(`import: ${file}: ${err.message}`);
      throw err;
    }
    store.indexCase(outcome.dir);
    const reportPath = join(outcome.dir, REPORT_FILE);
    if (!existsSync(reportPath)) {
      process.stdout.write(values.json ? jsonText({ case: outcome.caseId, dir: outcome.dir }) + '\n' : `Case: ${clean(outcome.dir)}\n`);
      return ExitCode.Ok;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    if (outcome.kind === 'already')
      process.stderr.write(
        `clicktrace: case ${outcome.caseId} is in ${clean(store.casesDir)} already (the same manifest); nothing changed\n`,
      );
    if (values.json) process.stdout.write(jsonText(report, 2) + '\n');
    else process.stdout.write(formatChain(report, outcome.dir) + '\n');
    return ExitCode.Ok;
  } finally {
    store.close();
  }
}
