import { parse, CliError } from './command.js';
import { clean } from '../terminal-text.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace unwrap <url> [--json]

Decodes link wrappers and trackers that carry their destination (Microsoft Safe Links,
Proofpoint URL Defense v1/v2/v3, Mimecast, Barracuda, Cisco, Sophos, Trend Micro, Symantec,
FireEye, Amazon SES, Mandrill, Postmark, ActiveCampaign, Mailgun, Google /url, Facebook l.php,
LinkedIn, Slack, YouTube, affiliate url= parameters...), recursively, without visiting anything.
"destination" is null when the last layer can only be known by a visit (shorteners, opaque
ESP tokens): trace it instead.

options:
  --json    print { input, destination, layers: [{ url, party, rule }] }
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { json: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [url, ...extra] = parsed.positionals;
  if (!url) throw new CliError('unwrap: a URL is required (see --help)');
  if (extra.length) throw new CliError('unwrap: one URL at a time');
  const { unwrap, formatUnwrap } = await import('../analyze/unwrap/index.js');
  const result = unwrap(url);
  if (parsed.values.json) process.stdout.write(jsonText(result, 2) + '\n');
  else process.stdout.write(formatUnwrap(result).split('\n').map(clean).join('\n') + '\n');
  return ExitCode.Ok;
}
