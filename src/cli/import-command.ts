import { readFileSync, existsSync } from 'node:fs';
import { parse, CliError, indexCases } from './command.js';
import { formatChain } from './format.js';
import { TSA_OPTION_HELP, reportTimestamp, timestampOnSeal, tsaSettings } from './tsa-option.js';
import { ExitCode } from '../errors.js';

const HELP = `usage: clicktrace import <file> [--out DIR] [--tsa URL] [--json]

Turns an existing capture into a case analysed like a trace: a browser-exported HAR
(Chrome/Firefox/Playwright) or a mitmproxy flow file (mitmdump -w). The original file is
not changed; the case folder gets the WARC, HAR, WACZ, report and manifest.

options:
  --out DIR          where the case folder goes (default ./cases)
${TSA_OPTION_HELP}
  --json             print the report as JSON
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { out: { type: 'string' }, tsa: { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [file] = parsed.positionals;
  if (!file) throw new CliError('import: a HAR or mitmproxy flow file is required');
  if (!existsSync(file)) throw new CliError(`import: ${file}: no such file`);
  const stamp = timestampOnSeal(tsaSettings(parsed.values.tsa));
  const [{ importCaptureFile }, { CaseWriter }, { analyzeCapture }, { loadNetworkData }] = await Promise.all([
    import('../import/detect.js'),
    import('../case/case-writer.js'),
    import('../analyze/analyze.js'),
    import('../hosting/network-data.js'),
  ]);
  const networks = loadNetworkData();
  const capture = importCaptureFile(readFileSync(file), file);
  capture.info.commandLine = ['clicktrace', 'import', ...argv];
  const writer = await CaseWriter.create(parsed.values.out ?? 'cases', capture.info, stamp.writerOptions);
  for (const record of capture.dns) writer.addDns(record);
  for (const exchange of capture.exchanges) writer.addExchange(exchange);
  const report = analyzeCapture(capture, writer.dir, await networks);
  await writer.close(capture, report);
  await indexCases(writer.dir);
  if (parsed.values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatChain(report, writer.dir) + '\n');
  reportTimestamp(stamp.outcome(), parsed.values.json ?? false);
  return ExitCode.Ok;
}
