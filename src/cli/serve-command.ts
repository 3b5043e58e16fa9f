// clicktrace serve: the web UI and JSON API over the case store, tracing with one shared browser.
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FleetOptions } from '../fleet/dispatcher.js';
import type { FleetWorker } from '../fleet/worker.js';
import { parseRedisUrl, QueueUrlError } from '../fleet/redis-url.js';
import { CliError, numberOption, parse } from './command.js';
import { TRACE_OPTIONS, TRACE_OPTIONS_HELP, traceOptionsFrom } from './trace-options.js';
import { clean } from '../terminal-text.js';
import { DEFAULT_MAILBOX_LEASE_MS, TraceService, type TraceDefaults } from '../service/trace-service.js';
import { CONCURRENCY_HELP, MAX_CONCURRENCY, concurrencyOption } from './batch-options.js';
import { DEFAULT_HOST, DEFAULT_PORT, startWebServer, type RunningServer } from '../web/server.js';
import { assertSafeBind } from '../web/security.js';
import { DEFAULTS } from '../capture/trace-input.js';
import { ExitCode } from '../errors.js';
import { sweepNote } from '../service/cut-off-sweep.js';
import { firstStopSignal } from './interrupt.js';

const HELP = `usage: clicktrace serve [options]

Web UI and JSON API: submit a link or an .eml, watch the trace, browse and search cases,
pivot on parties, domains, IPs and certificates. Every trace option below applies to every
trace the server runs (e.g. --connect-to and --cacert to reach the lab), but a submission may
choose its own device, user agent, explore, timeout and nudge (the form's Options; API fields
device, userAgent, explore, exploreDepth, timeout, nudge: "nudge": false traces one link without
the nudge, "nudge": true nudges despite --no-nudge), for its job alone. A link this cases
folder has traced before (with any clicktrace command) is not requested again: its job shows
that case; tick "again" in the form (API: "again": true) to trace it anew.
A list of links (pasted into the form, a .txt or .csv/.tsv export uploaded, or POST /api/submit
{"list": ...}) is read as "trace --input" reads a file and traced as one batch (at most 1000
URLs, 4 MiB): junk lines are reported with their numbers, repeats traced once; its page,
/batches/<id>, shows its progress, each line's case, and who is responsible across it.
The Jobs page (/jobs; /jobs?state=failed for the failed ones) offers "Retry" for a failed job
only when its link was never requested (it failed before its request: the browser could not
start, the server stopped first); for one whose link was requested it says so and links that
case: a link is requested once (submit it with "again" to trace it anew).
A job or a batch not ended can be cancelled ("Cancel" on its page; POST /api/jobs/<id>/cancel,
/api/batches/<id>/cancel): a waiting job is never traced (its link stays unrequested); a
running one is stopped as Ctrl-C stops a trace (on a fleet worker too), its case sealed with
what it recorded. A mailbox sent with "clicktrace mail MAILBOX --trace main --server URL" is one
batch, cancelled whole the same way; its messages not sent yet are then refused. It stays open
while its sender is heard from (a message, or a renewal every quarter of --mailbox-lease); a
sender silent for a whole lease (killed, lost) has the batch closed: the messages it sent are
traced, the others never sent, as its page says. "Close" on its page closes it at once.
Ctrl-C or SIGTERM (or SIGHUP when its terminal closes) stops the server after its running
traces; a second signal at once. Without a terminal (nohup, a service manager) SIGHUP is ignored.

options:
  --port N             port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR          address to listen on (default ${DEFAULT_HOST}); anything but loopback
                       requires --token
  --cases DIR          the cases folder (default ./${DEFAULTS.outDir}; --out is the same);
                       its index is DIR/clicktrace.db
  --concurrency N      traces running at once (1 to ${MAX_CONCURRENCY}), each in its own browser context
                       (default ${CONCURRENCY_HELP.replace(/\n +/, ' ')});
                       with --queue, --local-workers instead
  --token T            require this token (header X-Clicktrace-Token, or open once with
                       ?token=T to get a cookie); also read from CLICKTRACE_TOKEN
  --allow-private      also trace targets on private, loopback and link-local addresses
  --mailbox-lease S    close a mailbox batch whose sender was silent for S seconds (default
                       ${DEFAULT_MAILBOX_LEASE_MS / 1000})

a fleet of workers (Redis from Debian's redis-server; see "clicktrace worker --help"):
  --queue URL          put every submission (form, API, e-mail upload, batches) on this Redis
                       queue (redis://HOST:PORT[/DB], BullMQ) for "clicktrace worker" processes;
                       needs --token, which the workers present. The server stays the only
                       writer of the cases folder and its index: workers upload each case,
                       which is verified (every digest, the signature) before it is kept.
                       A job is claimed from this server before its link is requested, so it
                       is never traced twice, whatever happens to Redis or a worker.
  --local-workers N    with --queue: traces this server takes from the queue itself (default 0)
  --worker-timeout S   a worker silent for S seconds has its claimed jobs failed as "worker
                       lost" (whether their links were requested is not known), never run
                       again, unless a worker started again on its spool holds them (default 30)
  --trust-key FILE     uploaded cases must be signed by this Ed25519 public key (PEM;
                       repeatable); without it, a case's own signature is checked if it has one.
                       A worker signing with another key (or none) is refused before any job;
                       one already running takes no job while it is refused.
${TRACE_OPTIONS_HELP.split('\n')
  .filter((l) => !/--allow-private|--out |--json/.test(l))
  .join('\n')}
`;

const SERVE_OPTIONS = {
  ...TRACE_OPTIONS,
  port: { type: 'string' },
  host: { type: 'string' },
  cases: { type: 'string' },
  concurrency: { type: 'string' },
  token: { type: 'string' },
  queue: { type: 'string' },
  'local-workers': { type: 'string' },
  'worker-timeout': { type: 'string' },
  'mailbox-lease': { type: 'string' },
  'trust-key': { type: 'string', multiple: true },
} as const;

export interface ServeHandle {
  server: RunningServer;
  service: TraceService;
  /** With --local-workers: the server's own worker on its queue. */
  worker: FleetWorker | null;
  close(): Promise<void>;
}

/** Parses the arguments and starts the server; null when only --help was asked. */
export async function startServe(
  argv: string[],
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<ServeHandle | null> {
  const parsed = parse(argv, SERVE_OPTIONS, HELP, false);
  if (!parsed) return null;
  const values = parsed.values;
  const host = values.host ?? DEFAULT_HOST;
  const token = values.token ?? process.env.CLICKTRACE_TOKEN ?? undefined;
  assertSafeBind(host, token);
  const port = numberOption(values.port, '--port', { min: 0, max: 65535 }) ?? DEFAULT_PORT;
  const concurrency = concurrencyOption(values.concurrency);
  const casesDir = resolve(values.cases ?? values.out ?? DEFAULTS.outDir);
  const { url: _url, outDir: _outDir, ...traceDefaults } = traceOptionsFrom(values, '', ['clicktrace', 'serve', ...argv]);
  const fleet = fleetOptions(values, token, log);
  const localWorkers = numberOption(values['local-workers'], '--local-workers', { min: 0, max: 64 }) ?? 0;
  if (localWorkers && !fleet) throw new CliError('--local-workers takes --queue (without a queue the server traces itself: --concurrency)');
  // BullMQ is loaded only here, with --queue.
  const dispatcherModule = fleet ? await import('../fleet/dispatcher.js') : null;
  const dispatcher = dispatcherModule?.FleetDispatcher ?? null;
  const mailboxLease = numberOption(values['mailbox-lease'], '--mailbox-lease', { min: 1, max: 86_400, integer: false });
  const service = new TraceService({
    casesDir,
    concurrency,
    ...(mailboxLease !== undefined ? { mailboxLeaseMs: mailboxLease * 1000 } : {}),
    trace: traceDefaults satisfies TraceDefaults,
    ...(fleet && dispatcher ? { fleet: (host, trace) => new dispatcher(host, trace, fleet) } : {}),
  });
  if (service.fleet) {
    try {
      await service.fleet.ready(5000);
    } catch (err) {
      await service.close();
      if (dispatcherModule && err instanceof dispatcherModule.QueueTakenError) throw new CliError(`--queue: ${err.message}`, 1);
      throw new CliError(`--queue: cannot reach ${service.fleet.queueUrl}: ${(err as Error).message.split('\n')[0]}`, 1);
    }
  }
  void service.sweep.then((swept) => {
    const note = sweepNote(swept);
    if (note) log(`clicktrace serve: ${note}`);
  });
  const synced = service.store.sync();
  let server: RunningServer;
  try {
    server = await startWebServer({ service, host, port, token });
  } catch (err) {
    await service.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${host} is already in use (see --port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new CliError(`cannot listen on ${host}:${port} (${code})`);
    throw err;
  }
  let worker: FleetWorker | null = null;
  if (fleet && localWorkers > 0) {
    const { FleetWorker } = await import('../fleet/worker.js');
    const { LocalServerLink } = await import('../fleet/local-link.js');
    try {
      worker = await FleetWorker.start({
        redis: fleet.redis,
        server: server.url,
        token: token!,
        // In this process: it calls the dispatcher directly (the same claim, bundle and verification), not over HTTP.
        link: new LocalServerLink(service.fleet!, log),
        concurrency: localWorkers,
        name: `serve-local-${port || server.port}`,
        trace: traceDefaults,
        log: (line) => log(`clicktrace serve (local worker): ${line}`),
      });
    } catch (err) {
      await server.close();
      await service.close();
      throw new CliError(`--local-workers: ${(err as Error).message.split('\n')[0]}`, 1);
    }
  }
  const mode = service.fleet ? `queue ${service.fleet.queueUrl}, ${localWorkers} local trace(s) at once` : `concurrency ${concurrency}`;
  const indexed = `${service.store.search({ limit: 1 }).total} indexed, ${synced.indexed} new`;
  const notes = `${traceDefaults.allowPrivate ? '; private addresses allowed' : ''}${token ? '; token required' : ''}`;
  log(`clicktrace serve: ${server.url}/ (cases ${clean(casesDir)}: ${indexed}; ${mode}${notes})`);
  return {
    server,
    service,
    worker,
    close: async () => {
      // The local worker first: its running traces end as cases, delivered to this server.
      await worker?.stop();
      await server.close();
      await service.close();
    },
  };
}

/** --queue and its options, or null without a queue. */
function fleetOptions(
  values: { queue?: string; 'worker-timeout'?: string; 'trust-key'?: string[] },
  token: string | undefined,
  log: (line: string) => void,
): FleetOptions | null {
  if (!values.queue) {
    if (values['worker-timeout'] !== undefined || values['trust-key']) throw new CliError('--worker-timeout and --trust-key take --queue');
    return null;
  }
  if (!token) throw new CliError('--queue needs --token (or CLICKTRACE_TOKEN): the workers present it to claim jobs and upload cases');
  let redis;
  try {
    redis = parseRedisUrl(values.queue);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new CliError(err.message);
    throw err;
  }
  const timeout = numberOption(values['worker-timeout'], '--worker-timeout', { min: 1, max: 3600, integer: false }) ?? 30;
  const trustedKeys = (values['trust-key'] ?? []).map((path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new CliError(`--trust-key: cannot read ${path}`);
    }
  });
  return { redis, workerTimeoutMs: timeout * 1000, trustedKeys, log };
}

export async function run(argv: string[]): Promise<number> {
  // Heard from before the address is printed.
  const { stopped, cancel } = firstStopSignal('clicktrace serve');
  const handle = await startServe(argv).catch((err: unknown) => {
    cancel();
    throw err;
  });
  if (!handle) {
    cancel();
    return ExitCode.Ok;
  }
  await stopped;
  process.stderr.write('clicktrace serve: stopping (waiting for running traces)\n');
  await handle.close();
  return ExitCode.Ok;
}
