import { parse, CliError } from './command.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace key init [--dir DIR] [--force]

Creates the Ed25519 key pair that signs every case's manifest.json from now on (manifest.sig,
with the public key beside it as signing-key.pub.pem). Default folder: $CLICKTRACE_HOME/keys
(~/.clicktrace/keys). The private key is written with mode 0600.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { dir: { type: 'string' }, force: { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [action] = parsed.positionals;
  if (action !== 'init') throw new CliError('key: the only action is "init" (see --help)');
  const { initSigningKey, defaultKeyDir } = await import('../case/signing.js');
  const files = await initSigningKey(parsed.values.dir ?? defaultKeyDir(), { force: parsed.values.force ?? false });
  process.stdout.write(`${jsonText(files, 2)}\n`);
  return ExitCode.Ok;
}
