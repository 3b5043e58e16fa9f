// clicktrace worker: one member of a fleet tracing for a server (`serve --queue`), see src/fleet/.
import { CliError, parse } from './command.js';
import { TRACE_OPTIONS, traceOptionsFrom } from './trace-options.js';
import { CONCURRENCY_HELP, concurrencyOption } from './batch-options.js';
import { clean } from '../terminal-text.js';
import { onStopSignals } from './interrupt.js';

const HELP = `usage: clicktrace worker --queue redis://HOST:PORT[/DB] --server URL --token T [options]

Traces for a clicktrace server started with "serve --queue": takes jobs from the Redis (BullMQ)
queue, claims each one from the server before its link is requested (a job the server does not
give this worker is dropped: a job is never traced twice), traces it on this worker's own
Chromium with the job's options into the case folder the server named, and uploads the sealed
case (a bundle: the case folder with its manifest and signature) to the server, which verifies
every digest before it keeps it. Progress events reach the job's page live; stderr has a line
per job (claimed into its case, how it ended, or why it was not traced here). The case records
this worker's name and host, clicktrace's version and Chromium's.

Finished cases wait in the spool folder until the server has them: a server or network that is
away only delays them (uploads are retried; uploading twice is harmless), and a worker started
later on the same spool sends what a killed one left: a case it was still writing is sealed
from what it recorded, marked partial (the worker died mid-trace), and sent like any case. It may
start before the server or Redis: it waits up to a minute for each. A bundle the server finds
damaged is checked here as the server checks it: intact (damaged on the way), it is sent again,
up to twice; else it is kept in the spool's refused/ and the job fails. A worker the server stops
trusting (serve started again with other --trust-key keys) takes no job until a heartbeat is
accepted again, and says so each way. A heartbeat tells the server which jobs the worker holds;
if it stops (kill -9, a lost host) and no worker starts again on its spool in time, the server
fails those jobs as "worker lost" (whether their links were requested is not known) and never
runs them again (their links may be single-use).

SIGTERM or Ctrl-C (or SIGHUP when its terminal closes; without a terminal, under nohup or a
service manager, SIGHUP is ignored): no new job is taken; running traces end as cases (or
failures) and are delivered, never put back on the queue. A second signal stops running traces
at once (their cases are closed as interrupted and delivered).

options:
  --queue URL          the server's queue: redis://HOST:PORT[/DB] (required)
  --server URL         the server, e.g. http://10.0.0.2:8200 (required)
  --token T            the server's token (required; also read from CLICKTRACE_TOKEN)
  --concurrency N      traces at once (default ${CONCURRENCY_HELP.replace(/\n +/, '\n' + ' '.repeat(23))})
  --spool DIR          where cases wait for upload (default: the first free
                       ~/.clicktrace/fleet-spool/worker-N)
  --name NAME          how the server shows this worker (default: the spool's name)

This host's network settings, when they differ from the server's (they win over the job's):
  --resolve HOST:PORT:ADDR, --connect-to H1:P1:H2:P2, --cacert FILE, --dns-server IP[:PORT],
  --browser shell|full, --tsa URL   (as for "clicktrace trace"). Every other trace setting
  (timeout, settle, clicks, explore, device, user agent...) comes with the job from the server.
`;

const OPTIONS = {
  queue: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  concurrency: { type: 'string' },
  spool: { type: 'string' },
  name: { type: 'string' },
  resolve: TRACE_OPTIONS.resolve,
  'connect-to': TRACE_OPTIONS['connect-to'],
  cacert: TRACE_OPTIONS.cacert,
  'dns-server': TRACE_OPTIONS['dns-server'],
  browser: TRACE_OPTIONS.browser,
  tsa: TRACE_OPTIONS.tsa,
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, HELP, false);
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.queue) throw new CliError('worker: --queue redis://HOST:PORT is required');
  if (!values.server) throw new CliError('worker: --server URL is required');
  const token = values.token ?? process.env.CLICKTRACE_TOKEN;
  if (!token) throw new CliError("worker: --token is required (the server's token)");
  if (values.name !== undefined && !/^[\w.@:-]{1,64}$/.test(values.name))
    throw new CliError('--name: letters, digits and . _ - @ : (up to 64)');
  const concurrency = concurrencyOption(values.concurrency);
  const [{ parseRedisUrl, QueueUrlError }, { serverBaseUrl, ServerError }, { FleetWorker }, { SpoolBusyError }] = await Promise.all([
    import('../fleet/redis-url.js'),
    import('../fleet/server-client.js'),
    import('../fleet/worker.js'),
    import('../fleet/spool.js'),
  ]);
  let redis;
  let server;
  try {
    redis = parseRedisUrl(values.queue);
    server = serverBaseUrl(values.server);
  } catch (err) {
    if (err instanceof QueueUrlError || err instanceof ServerError) throw new CliError(err.message);
    throw err;
  }
  const own = traceOptionsFrom(values, '', ['clicktrace', 'worker']);
  let worker;
  try {
    worker = await FleetWorker.start({
      redis,
      server,
      token,
      concurrency,
      ...(values.spool ? { spool: values.spool } : {}),
      ...(values.name ? { name: values.name } : {}),
      trace: {
        resolve: own.resolve,
        connectTo: own.connectTo,
        cacert: own.cacert,
        dnsServer: own.dnsServer,
        ...(own.browser ? { browser: own.browser } : {}),
        ...(values.tsa !== undefined ? { tsa: own.tsa } : {}),
      },
    });
  } catch (err) {
    if (err instanceof ServerError) throw new CliError(`worker: ${server}: ${err.message}`, 1);
    if (err instanceof SpoolBusyError) throw new CliError(`worker: ${err.message}`);
    throw new CliError(`worker: ${(err as Error).message.split('\n')[0]}`, 1);
  }
  const { identity } = worker;
  worker.log(
    `${clean(identity.name)} on ${clean(identity.host)} (clicktrace ${identity.version}, ${clean(identity.chromium)}): ${concurrency} trace(s) at once for ${clean(server)}, queue ${clean(values.queue.replace(/\/\/[^@/]*@/, '//'))}${identity.name === `spool ${worker.spoolDir}` ? '' : `; spool ${clean(worker.spoolDir)}`}`,
  );
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        void worker.stop().then(resolve);
      } else {
        worker.log(`${signal} again: running traces are stopped now; their cases are closed as interrupted and delivered`);
        void worker.stop({ abortRunning: true });
      }
    };
    onStopSignals(onSignal, 'clicktrace worker', 'it');
  });
  worker.log('stopped');
  return 0;
}
