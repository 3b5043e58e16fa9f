import { parse, CliError, numberOption } from './command.js';
import { clean } from '../terminal-text.js';
import { ExitCode } from '../errors.js';

const HELP = `usage: clicktrace replay <case> [--port N] [--host 127.0.0.1] [--allow-scripts]

Serves the recorded exchanges of a case from its WARC so the pages of the chain can be viewed
again offline: open the printed address, or use it as the browser's HTTP proxy. Redirects replay
in the recorded order; the network is never touched. Recorded pages are sandboxed (CSP sandbox,
scripts off unless --allow-scripts). Stop with Ctrl-C.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, 'allow-scripts': { type: 'boolean' } }, HELP);
  if (!parsed) return ExitCode.Ok;
  const [dir] = parsed.positionals;
  if (!dir) throw new CliError('replay: a case folder is required');
  const port = numberOption(parsed.values.port, '--port', { min: 0, max: 65535 }) ?? 0;
  const [{ readCapture }, { startReplay }, { proxyCertificateAuthority }] = await Promise.all([
    import('../evidence/warc/read-warc.js'),
    import('../replay/replay.js'),
    import('../proxy/proxy-ca.js'),
  ]);
  const capture = await readCapture(dir);
  const server = await startReplay(capture, {
    port,
    host: parsed.values.host ?? '127.0.0.1',
    allowScripts: parsed.values['allow-scripts'] ?? false,
    httpsCa: proxyCertificateAuthority(),
  });
  process.stdout.write(`replaying ${clean(dir)} (${capture.exchanges.length} exchanges) at ${server.url}\n`);
  process.stdout.write(`open ${server.url} in a browser, or use 127.0.0.1:${server.port} as its HTTP proxy; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return ExitCode.Ok;
}
