// `--server URL --token T` of the commands that trace many links (trace with many URLs or --input,
// mail --trace): the links are submitted to a clicktrace server (and so to its queue and fleet,
// see src/fleet/server-tracer.ts) instead of traced here; results stream back as usual.
import { CliError, numberOption } from './command.js';
import type { ServerTracer } from '../fleet/server-tracer.js';
import { traceChoices, type TraceChoices } from '../service/submission-options.js';
import { SubmissionError } from '../service/submission-error.js';

export const SERVER_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
} as const;

/** Submissions waiting on the server at once, by default (the server refuses more than 1000 waiting). */
export const SERVER_WINDOW = 200;

export const SERVER_OPTIONS_HELP = `
  --server URL               submit the links to this clicktrace server (serve; with --queue, its
                             fleet of workers traces them) instead of tracing here; its cases folder
                             applies, results stream back the same way. --click, --again, --explore,
                             --explore-depth, --device, --user-agent, --timeout and --no-nudge
                             (mail: also --no-explore) go with every link, e-mail or list and the
                             server applies them to each trace; the other trace options are the
                             server's own and are refused here.
                             --concurrency is then the number of jobs waiting on the server at once
                             (default ${SERVER_WINDOW}). Ctrl-C stops this command only: the jobs
                             it submitted go on on the server (each line says which job)
  --token T                  the server's token (also read from CLICKTRACE_TOKEN); one the server
                             refuses is said once, before anything is sent (exit status 2), as is
                             a server no connection can be made to (nothing listens at URL, no
                             such host); one that goes away mid-run is waited for`;

/**
 * Options a server cannot take per submission (its own settings apply): refused rather than dropped.
 * The per-trace ones it does take (submission-options.ts) are forwarded: see serverChoices.
 */
const LOCAL_ONLY = [
  'resolve',
  'connect-to',
  'cacert',
  'dns-server',
  'allow-private',
  'strict-tls',
  'browser',
  'settle',
  'max-hops',
  'out',
  'tsa',
];

const FORWARDED = '--click, --again, --explore, --explore-depth, --device, --user-agent, --timeout, --no-nudge';

/** The submission field traceChoices names in its errors, as the command's option. */
const OPTION_OF_FIELD: Record<string, string> = {
  device: '--device',
  userAgent: '--user-agent',
  explore: '--explore',
  exploreDepth: '--explore-depth',
  timeout: '--timeout',
  nudge: '--no-nudge',
};

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
  if (local)
    throw new CliError(
      `--${local} does not apply with --server: the server traces with its own setting for it (sent with each link: ${FORWARDED})`,
    );
  const choices = serverChoices(values);
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
  const client = new ServerClient(base, token);
  // A wrong token, or a server no connection can be made to (nothing listens, no such host), is a
  // set-up error said once before anything is sent, not a failure per link after minutes of
  // retries. A server that takes the connection but answers slowly is waited for, as each
  // submission waits for a server restarting mid-run.
  try {
    await client.checkToken();
  } catch (err) {
    if (!(err instanceof ServerError)) throw err;
    if (err.status === 401) throw new CliError(`--server ${base}: ${err.message}`);
    if (err.code === 'not-sent') throw new CliError(`${err.message}; nothing was sent (--server)`);
  }
  return {
    tracer: new ServerTracer(client, concurrency, log, {
      options: choices,
      clicks: (values.click as string[] | undefined) ?? [],
    }),
    base,
    concurrency,
  };
}

/**
 * The command's per-trace options as one submission's choices, checked here against the limits
 * the server applies (a --timeout over its maximum, say), so a bad one is refused before anything is sent.
 */
export function serverChoices(values: Record<string, unknown>): TraceChoices {
  const noExplore = values['no-explore'] === true;
  if (noExplore && (values.explore !== undefined || values['explore-depth'] !== undefined))
    throw new CliError('--no-explore and --explore exclude each other');
  try {
    return traceChoices({
      device: values.device,
      userAgent: values['user-agent'],
      explore: noExplore ? false : values.explore,
      exploreDepth: values['explore-depth'],
      timeout: values.timeout,
      // Without --no-nudge nothing is said: the server's own setting applies.
      nudge: values['no-nudge'] === true ? false : undefined,
    });
  } catch (err) {
    if (!(err instanceof SubmissionError)) throw err;
    const message = err.message.replace(/^(\w+):/, (all, field: string) => `${OPTION_OF_FIELD[field] ?? all}:`);
    throw new CliError(`${message} (with --server)`);
  }
}
