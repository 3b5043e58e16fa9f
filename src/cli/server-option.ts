// `--server URL --token T` of the commands that trace many links (trace with many URLs or --input,
// mail --trace): the links are submitted to a clicktrace server (and so to its queue and fleet,
// see src/fleet/server-tracer.ts) instead of traced here; results stream back as usual.
import { CliError, numberOption } from './command.js';
import type { ServerTracer } from '../fleet/server-tracer.js';

export const SERVER_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
} as const;

/** Submissions waiting on the server at once, by default (the server refuses more than 1000 waiting). */
export const SERVER_WINDOW = 200;

export const SERVER_OPTIONS_HELP = `
  --server URL               submit the links to this clicktrace server (serve; with --queue, its
                             fleet of workers traces them) instead of tracing here; its cases folder
                             and its trace options apply, results stream back the same way.
                             --concurrency is then the number of jobs waiting on the server at once
                             (default ${SERVER_WINDOW}). Ctrl-C stops this command only: the jobs
                             it submitted go on on the server (each line says which job)
  --token T                  the server's token (also read from CLICKTRACE_TOKEN)`;

/** Options that mean nothing when the server traces: its own trace options apply. */
const LOCAL_ONLY = [
  'resolve',
  'connect-to',
  'cacert',
  'dns-server',
  'allow-private',
  'strict-tls',
  'user-agent',
  'device',
  'browser',
  'timeout',
  'settle',
  'max-hops',
  'explore',
  'explore-depth',
  'out',
  'tsa',
];

export interface ServerRun {
  tracer: ServerTracer;
  base: string;
  concurrency: number;
}

/** The server run, or null without --server; a local-only option given with --server is refused. */
export async function serverRun(values: Record<string, unknown>, log: (line: string) => void): Promise<ServerRun | null> {
  const server = values.server as string | undefined;
  if (server === undefined) {
    if (values.token !== undefined) throw new CliError('--token goes with --server');
    return null;
  }
  const local = LOCAL_ONLY.find((name) => values[name] !== undefined && !(Array.isArray(values[name]) && values[name].length === 0));
  if (local) throw new CliError(`--${local} does not apply with --server: the server traces with its own options`);
  const concurrency = numberOption(values.concurrency as string | undefined, '--concurrency', { min: 1, max: 1000 }) ?? SERVER_WINDOW;
  const token = (values.token as string | undefined) ?? process.env.CLICKTRACE_TOKEN ?? null;
  const [{ ServerClient, ServerError, serverBaseUrl }, { ServerTracer }] = await Promise.all([
    import('../fleet/server-client.js'),
    import('../fleet/server-tracer.js'),
  ]);
  let base: string;
  try {
    base = serverBaseUrl(server);
  } catch (err) {
    if (err instanceof ServerError) throw new CliError(err.message);
    throw err;
  }
  return { tracer: new ServerTracer(new ServerClient(base, token), concurrency, log), base, concurrency };
}
