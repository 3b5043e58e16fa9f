import { parse, CliError, numberOption, indexCases } from './command.js';
import { clean } from '../terminal-text.js';
import { formatChain } from './format.js';
import { TRACE_OPTIONS } from './trace-options.js';
import { reportTimestamp, timestampOnSeal, tsaSettings } from './tsa-option.js';
import { ExitCode } from '../errors.js';
import { jsonText } from '../visible.js';
import { firstStopSignal } from './interrupt.js';

const HELP = `usage: clicktrace proxy [--port 8080] [--host 127.0.0.1] [--out DIR] [options]

The recording core as a standalone MITM proxy for any browser (the mitmdump -w workflow):
every HTTP and HTTPS (CONNECT) exchange is recorded into one case, with raw headers, redirect
bodies, upstream IP and certificate. Point the browser at the printed address and open
http://clicktrace.proxy/ through it for the CA certificate and install instructions.
Ctrl-C (or SIGTERM, or SIGHUP when its terminal closes) closes the case cleanly: HAR, WACZ,
report and manifest. Without a terminal (nohup, a service manager) SIGHUP is ignored.
Links visited one after another (nothing leads from one to the next: no redirect, Referer,
refresh or script) are separate chains: the report follows the first and marks the others.

options:
  --port N                   listen port (default 8080; 0 picks a free one)
  --host ADDR                listen address (default 127.0.0.1)
  --out DIR                  where the case folder goes (default ./cases)
  --resolve HOST:PORT:ADDR   as for trace (repeatable)
  --connect-to H1:P1:H2:P2   as for trace (repeatable)
  --cacert FILE              also trust this CA upstream
  --dns-server IP[:PORT]     resolver to ask instead of the system's
  --allow-private            allow upstream addresses in private/loopback ranges
  --strict-tls               refuse upstream certificates that do not verify
  --json                     print the closing report as JSON
  --tsa URL                  RFC 3161 time-stamping authority for a token over the manifest
                             (default: "tsa" of ~/.clicktrace/config.json; none: never)
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      out: TRACE_OPTIONS.out,
      resolve: TRACE_OPTIONS.resolve,
      'connect-to': TRACE_OPTIONS['connect-to'],
      cacert: TRACE_OPTIONS.cacert,
      'dns-server': TRACE_OPTIONS['dns-server'],
      'allow-private': TRACE_OPTIONS['allow-private'],
      'strict-tls': TRACE_OPTIONS['strict-tls'],
      json: TRACE_OPTIONS.json,
      tsa: TRACE_OPTIONS.tsa,
    },
    HELP,
    false,
  );
  if (!parsed) return ExitCode.Ok;
  const v = parsed.values;
  const port = numberOption(v.port, '--port', { min: 0, max: 65535 }) ?? 8080;
  const stamp = timestampOnSeal(tsaSettings(v.tsa));
  const [
    { RecordingProxy, PROXY_INFO_HOST },
    { buildUpstream, describeOverrides },
    { proxyCertificateAuthority },
    { CaseWriter },
    { analyzeCapture },
    { synthesizeDocumentChain },
    { emptyCapture },
    { TOOL },
  ] = await Promise.all([
    import('../proxy/recording-proxy.js'),
    import('../proxy/upstream.js'),
    import('../proxy/proxy-ca.js'),
    import('../case/case-writer.js'),
    import('../analyze/analyze.js'),
    import('../import/chain.js'),
    import('../model.js'),
    import('../version.js'),
  ]);
  const upstream = {
    resolve: v.resolve ?? [],
    connectTo: v['connect-to'] ?? [],
    cacert: v.cacert ?? [],
    dnsServer: v['dns-server'] ?? null,
    allowPrivate: v['allow-private'] ?? false,
  };
  const { resolver, extraCaPems } = buildUpstream(upstream);
  const capture = emptyCapture({
    tool: TOOL,
    browser: null,
    identity: null,
    url: null,
    mode: 'proxy',
    commandLine: ['clicktrace', 'proxy', ...argv],
    resolver: { overrides: describeOverrides(upstream), dnsServer: upstream.dnsServer },
    clicks: [],
    startedAt: new Date().toISOString(),
    endedAt: null,
    error: null,
    partial: true,
  });
  const writer = await CaseWriter.create(v.out ?? 'cases', capture.info, stamp.writerOptions);
  resolver.onRecord = (record) => {
    capture.dns.push(record);
    writer.addDns(record);
  };
  const proxy = new RecordingProxy({
    ca: proxyCertificateAuthority(),
    resolver,
    extraCaPems,
    strictTls: v['strict-tls'] ?? false,
    serveInfoHost: true,
    onExchange: (exchange) => {
      capture.info.url ??= exchange.request.url;
      capture.exchanges.push(exchange);
      writer.addExchange(exchange);
      if (!v.json)
        process.stderr.write(
          `${exchange.response?.status ?? 'ERR'} ${clean(exchange.request.method)} ${clean(exchange.request.url).slice(0, 160)}\n`,
        );
    },
  });
  // Heard from before the address is printed: a signal the moment it is (a script's) closes the case too.
  const { stopped, cancel } = firstStopSignal('clicktrace proxy');
  let listening: number;
  try {
    listening = await proxy.listen(port, v.host ?? '127.0.0.1');
  } catch (err) {
    cancel();
    await writer.close(capture, analyzeCapture(capture, writer.dir));
    throw new CliError(
      `proxy: cannot listen on ${v.host ?? '127.0.0.1'}:${port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      ExitCode.Failed,
    );
  }
  process.stdout.write(`clicktrace proxy listening on http://${v.host ?? '127.0.0.1'}:${listening}\n`);
  process.stdout.write(`CA certificate and instructions: http://${PROXY_INFO_HOST}/ (through the proxy)\n`);
  process.stdout.write(`recording into ${writer.dir}; Ctrl-C closes the case\n`);
  await stopped;
  await proxy.close('aborted: proxy stopped before the response completed');
  await resolver.settled();
  capture.info.endedAt = new Date().toISOString();
  capture.info.partial = false;
  capture.events.push(...synthesizeDocumentChain(capture.exchanges));
  // The link the report follows: the first document visited (its chain 1), not whatever request
  // came first (the browser's own, or a subresource of a page opened before the proxy).
  const firstDocument = capture.events.find((e) => e.type === 'doc-request');
  if (firstDocument) capture.info.url = firstDocument.url;
  const { loadNetworkData } = await import('../hosting/network-data.js');
  const report = analyzeCapture(capture, writer.dir, await loadNetworkData());
  await writer.close(capture, report);
  await indexCases(writer.dir);
  if (v.json) process.stdout.write(jsonText(report, 2) + '\n');
  else process.stdout.write(`\n${formatChain(report, writer.dir)}\n`);
  reportTimestamp(stamp.outcome(), v.json ?? false);
  return ExitCode.Ok;
}
