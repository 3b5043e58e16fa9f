import { readFileSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse, CliError } from './command.js';
import { formatChain } from './format.js';
import type { Report } from '../report.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';
import { cutOffHereReason, cutOffReason, isOpenCase, sealCutOffCases, stoppedReason } from '../case/seal-cut-off.js';
import { openCaseWriter, openCaseWriterGone } from '../case/open-case.js';

const HELP = `usage: clicktrace analyze <case> [--json] [--check] [--write]

Rebuilds the report of a case from its WARC alone (capture.warc.gz): the chain, via labels,
parties, tokens, DNS findings, hosting networks (from the installed offline IP data, whose
version the report records) and summary. Also works on a partial case whose trace was killed.

options:
  --json    print the report as JSON
  --check   compare with the saved report.json; exit 1 and name the first difference if they differ
  --write   write report.json when the case has none; never overwrites. A case left open by a
            process that is gone (killed, crashed) is sealed instead, as \`reindex\` seals it:
            marked partial, with its WARC, HAR, WACZ, report, manifest and signature
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { json: { type: 'boolean' }, check: { type: 'boolean' }, write: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [target] = parsed.positionals;
  if (!target) throw new CliError('analyze: a case folder (or WARC file) is required');
  if (!existsSync(target)) throw new CliError(`analyze: ${target}: no such case folder or file`);
  const caseDir = statSync(target).isDirectory() ? target : null;
  const [{ readCapture }, { analyzeCapture }, { loadNetworkData }] = await Promise.all([
    import('../evidence/warc/read-warc.js'),
    import('../analyze/analyze.js'),
    import('../hosting/network-data.js'),
  ]);
  const open = caseDir !== null && isOpenCase(caseDir);
  if (open && parsed.values.write) return sealOpenCase(caseDir, parsed.values.json === true);
  const [capture, networks] = await Promise.all([readCapture(target), loadNetworkData()]);
  // An open case holds the trace only up to where its writer is: said so, not taken for a chain that ended there.
  if (open)
    capture.info = { ...capture.info, partial: true, error: capture.info.error ?? openCaseError(caseDir, capture.exchanges.length) };
  const report = analyzeCapture(capture, caseDir ?? join(target, '..'), networks);
  if (caseDir) report.case = basename(caseDir);
  if (parsed.values.check) {
    if (!caseDir) throw new CliError('analyze --check needs a case folder');
    const savedPath = join(caseDir, 'report.json');
    if (!existsSync(savedPath)) throw new CliError(`analyze --check: ${savedPath} is missing`, ExitCode.Failed);
    const saved = JSON.parse(readFileSync(savedPath, 'utf8')) as { failedFiles?: unknown };
    // Which case files failed to be written is known to the case, not to the WARC.
    const fresh = JSON.parse(JSON.stringify({ ...report, failedFiles: saved.failedFiles })) as unknown;
    const difference = firstDifference(saved, fresh, '');
    if (difference) {
      // Hosting networks come from offline data that may have been updated since the trace.
      const dataChanged = !isDeepStrictEqual((saved as Report).networkData ?? null, report.networkData ?? null);
      const note = dataChanged ? ' (the offline IP data differs from the one the case was analysed with: see networkData)' : '';
      process.stderr.write(`clicktrace: analyze: the WARC gives a different report than report.json at ${difference}${note}\n`);
      return ExitCode.Failed;
    }
    process.stdout.write(`report.json matches the report rebuilt from the WARC (${report.hops.length} hops)\n`);
    return ExitCode.Ok;
  }
  if (parsed.values.write && caseDir && !existsSync(join(caseDir, 'report.json'))) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(caseDir, 'report.json'), JSON.stringify(report, null, 2) + '\n', { flag: 'wx' });
  }
  if (parsed.values.json) process.stdout.write(jsonText(report, 2) + '\n');
  else process.stdout.write(formatChain(report, caseDir) + '\n');
  return ExitCode.Ok;
}

/** Why an open case's capture stops where it does: its writer is gone, or still at work. */
function openCaseError(caseDir: string, exchanges: number): string {
  if (openCaseWriterGone(caseDir))
    return `${stoppedReason(caseDir, exchanges) ?? cutOffReason(exchanges)} (clicktrace analyze --write or reindex seals it)`;
  const writer = openCaseWriter(caseDir);
  return `partial: the capture is still being written${writer ? ` by process ${writer.pid} on ${writer.host}` : ''}`;
}

/** analyze --write on an open case: sealed as reindex seals it, once its writer is gone; its sealed report printed. */
async function sealOpenCase(caseDir: string, json: boolean): Promise<number> {
  if (!openCaseWriterGone(caseDir)) {
    const writer = openCaseWriter(caseDir);
    throw new CliError(
      `analyze --write: ${caseDir} is still being written${writer ? ` by process ${writer.pid} on ${writer.host}` : ''}; it is sealed when its trace ends`,
      ExitCode.Failed,
    );
  }
  const sealed = await sealCutOffCases(dirname(caseDir), [basename(caseDir)], cutOffHereReason);
  if (sealed === 0)
    throw new CliError(`analyze --write: ${caseDir} holds no whole record to seal (nothing was requested)`, ExitCode.Failed);
  const report = JSON.parse(readFileSync(join(caseDir, 'report.json'), 'utf8')) as Report;
  process.stderr.write(`clicktrace: analyze: sealed ${caseDir}, left open by a process that is gone, as partial\n`);
  process.stdout.write((json ? jsonText(report, 2) : formatChain(report, caseDir)) + '\n');
  return ExitCode.Ok;
}

function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (d) return d;
    }
  }
  return path || '(root)';
}
