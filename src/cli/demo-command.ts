import { parse, indexCases } from './command.js';
import { formatChain } from './format.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace demo [--out DIR] [--json]

Starts the lab (local servers playing an ESP click tracker and an advertiser), traces the seed
scenario - a Selligent-style tracking link whose landing page has a "Find out more" link that
redirects to the advertiser - with --click "Find out more", prints the chain and where the case
was written, and stops the lab. Nothing leaves this machine.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { out: { type: 'string' }, json: { type: 'boolean' } }, HELP, false);
  if (!parsed) return ExitCode.Ok;
  const [{ startLab }, { trace }] = await Promise.all([import('../lab/index.js'), import('../capture/trace.js')]);
  const lab = await startLab();
  try {
    const seed = lab.scenarios['seed'];
    const args = lab.traceArgs;
    const result = await trace({
      url: seed.url,
      connectTo: args.filter((_, i) => args[i - 1] === '--connect-to'),
      cacert: args.filter((_, i) => args[i - 1] === '--cacert'),
      clicks: ['Find out more'],
      outDir: parsed.values.out ?? 'cases',
      commandLine: ['clicktrace', 'demo', ...argv],
    });
    await indexCases(result.caseDir);
    if (parsed.values.json) process.stdout.write(jsonText(result.report, 2) + '\n');
    else {
      process.stdout.write(`Lab started; tracing the seed scenario with --click "Find out more"\n\n`);
      process.stdout.write(formatChain(result.report, result.caseDir) + '\n');
    }
    return result.report.error ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    await lab.close();
  }
}
