// clicktrace serve: the web UI and JSON API over the case store, tracing with one shared browser.
import { resolve } from 'node:path';
import { CliError, numberOption, parse } from './command.js';
import { TRACE_OPTIONS, TRACE_OPTIONS_HELP, traceOptionsFrom } from './trace-options.js';
import { clean } from './terminal.js';
import { TraceService, type TraceDefaults } from '../service/trace-service.js';
import { CONCURRENCY_HELP, concurrencyOption } from './batch-options.js';
import { DEFAULT_HOST, DEFAULT_PORT, startWebServer, type RunningServer } from '../web/server.js';
import { assertSafeBind } from '../web/security.js';
import { DEFAULTS } from '../capture/trace-input.js';
import { ExitCode } from '../errors.js';

const HELP = `usage: clicktrace serve [options]

Web UI and JSON API: submit a link or an .eml, watch the trace, browse and search cases,
pivot on parties, domains, IPs and certificates. Every trace option below applies to every
trace the server runs (e.g. --connect-to and --cacert to reach the lab). A link this cases
folder has traced before (with any clicktrace command) is not requested again: its job shows
that case; tick "again" in the form (API: "again": true) to trace it anew.

options:
  --port N             port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR          address to listen on (default ${DEFAULT_HOST}); anything but loopback
                       requires --token
  --cases DIR          the cases folder (default ./${DEFAULTS.outDir}; --out is the same);
                       its index is DIR/clicktrace.db
  --concurrency N      traces running at once, each in its own browser context (default
                       ${CONCURRENCY_HELP.replace(/\n +/, ' ')})
  --token T            require this token (header X-Clicktrace-Token, or open once with
                       ?token=T to get a cookie); also read from CLICKTRACE_TOKEN
  --allow-private      also trace targets on private, loopback and link-local addresses
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
} as const;

export interface ServeHandle {
  server: RunningServer;
  service: TraceService;
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
  const service = new TraceService({ casesDir, concurrency, trace: traceDefaults satisfies TraceDefaults });
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
  log(
    `clicktrace serve: ${server.url}/ (cases ${clean(casesDir)}: ${service.store.search({ limit: 1 }).total} indexed, ${synced.indexed} new; concurrency ${concurrency}${traceDefaults.allowPrivate ? '; private addresses allowed' : ''}${token ? '; token required' : ''})`,
  );
  return {
    server,
    service,
    close: async () => {
      await server.close();
      await service.close();
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  const handle = await startServe(argv);
  if (!handle) return ExitCode.Ok;
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write('clicktrace serve: stopping (waiting for running traces)\n');
  await handle.close();
  return ExitCode.Ok;
}
