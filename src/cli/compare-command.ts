import { createInterface } from 'node:readline/promises';
import { parse, CliError, indexCases } from './command.js';
import { TRACE_OPTIONS, checkUpstreamOptions, traceOptionsFrom } from './trace-options.js';
import { BATCH_OPTIONS, concurrencyOption } from './batch-options.js';
import { clean } from '../terminal-text.js';
import { interruptedExit, onInterrupt } from './interrupt.js';
import { parseTraceUrl } from '../capture/trace-input.js';
import { ALL_PROFILES, BASE_PROFILES, parseProfiles } from '../compare/profiles.js';
import { ExitCode } from '../errors.js';
import type { CompareResult } from '../service/compare.js';
import { jsonText } from '../visible.js';

const HELP = `usage: clicktrace compare <url> --as PROFILE[,PROFILE...] [--yes] [options]

Traces the link once per visitor profile, each a normal sealed case, and writes a comparison
case (<time>-<id>-compare/comparison.json, sealed) that references them. For every pair of
profiles it finds the first hop where their chains part (the same request got a different
response, or they went on to different URLs), groups the profiles by where they ended, and
gives a verdict: same; cloaked, with the signal that best explains the split (user-agent,
webdriver, javascript, device, language, referrer); or single-use (the first visitor
consumed the link, the later ones got the "already used" page); not-compared when fewer
than two profiles requested the link.

This requests the link once per profile: it says so first, and asks on a terminal; when
stdin is not a terminal --yes is required. The first profile goes first, the others once
its first request has been answered. Every request is in the ledger of requested URLs; a
link this cases folder has requested before is compared only with --again.

profiles (combine with +, e.g. mobile+lang=fr-FR):
  desktop        today's identity: desktop Chrome on Linux, en-US, America/New_York
  mobile         a current Android Chrome: UA, client hints, 412x819 viewport on a 412x915 screen, touch, DPR 2.625
  headless       the tells of a careless crawler: HeadlessChrome in the UA and client hints,
                 navigator.webdriver true, no plugins
  scanner        no JavaScript: a plain HTTP client through the same recording proxy, HTTP
                 redirects only, as a mail gateway's link checker (desktop Chrome's UA)
  webmail        desktop, arriving from webmail (Referer: https://mail.google.com/)
  lang=xx-YY     Accept-Language, navigator.languages and the region's time zone (a browser is
                 launched with the language)
  all            ${ALL_PROFILES.join(', ')}
A profile given again is a control (desktop#2): identical visitors that part show a link that
answers at random or per visit, which no signal explains.

Exit status: 0 when compared (whatever the verdict), 1 when a profile could not be traced or
the link was traced before (without --again), 2 for bad input, 130 after Ctrl-C (143 after SIGTERM).

options:
  --as PROFILES              the profiles, comma-separated (required)
  -y, --yes                  request the link once per profile without asking
  --again                    compare a link this cases folder has requested before
  --concurrency N            profiles traced at once (default: as for trace)
  --json                     print the comparison case's record as JSON
  --resolve, --connect-to, --cacert, --dns-server, --allow-private, --strict-tls,
  --browser, --timeout, --settle, --max-hops, --no-nudge, --out, --tsa: as for trace
`;

const { resolve, cacert, 'dns-server': dnsServer, 'allow-private': allowPrivate, 'strict-tls': strictTls } = TRACE_OPTIONS;
const OPTIONS = {
  resolve,
  'connect-to': TRACE_OPTIONS['connect-to'],
  cacert,
  'dns-server': dnsServer,
  'allow-private': allowPrivate,
  'strict-tls': strictTls,
  browser: TRACE_OPTIONS.browser,
  timeout: TRACE_OPTIONS.timeout,
  settle: TRACE_OPTIONS.settle,
  'max-hops': TRACE_OPTIONS['max-hops'],
  'no-nudge': TRACE_OPTIONS['no-nudge'],
  out: TRACE_OPTIONS.out,
  json: TRACE_OPTIONS.json,
  tsa: TRACE_OPTIONS.tsa,
  ...BATCH_OPTIONS,
  as: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, HELP);
  if (!parsed) return ExitCode.Ok;
  const { positionals, values } = parsed;
  if (positionals.length !== 1) throw new CliError('compare: exactly one URL is required (see --help)');
  if (!values.as) throw new CliError(`compare: --as is required (profiles: ${BASE_PROFILES.join(', ')}, lang=xx-YY, all)`);
  const url = parseTraceUrl(positionals[0]).href;
  const visitors = parseProfiles(values.as);
  const commandLine = ['clicktrace', 'compare', ...argv];
  const options = traceOptionsFrom(values, url, commandLine);
  const concurrency = concurrencyOption(values.concurrency);
  const json = values.json ?? false;
  const casesDir = options.outDir ?? 'cases';
  // Said once, before anything is asked or requested.
  await checkUpstreamOptions(options);

  const warning =
    `clicktrace: compare requests ${url} ${visitors.length} time${visitors.length === 1 ? '' : 's'}, once per profile ` +
    `(${visitors.map((v) => v.name).join(', ')}); a single-use link is spent by the first (${visitors[0].name}).\n`;
  process.stderr.write(clean(warning.trimEnd()) + '\n');
  if (!values.yes) {
    if (!process.stdin.isTTY) throw new CliError('compare: stdin is not a terminal: pass --yes to request the link once per profile');
    if (!(await confirm())) throw new CliError('compare: not confirmed; nothing was requested', ExitCode.Failed);
  }

  const [{ CaseStore }, { Tracer }, { BrowserPool }, { compareLink }, { formatComparison }] = await Promise.all([
    import('../store/index.js'),
    import('../service/tracer.js'),
    import('../service/browser-pool.js'),
    import('../service/compare.js'),
    import('../compare/format-text.js'),
  ]);
  const { url: _url, outDir: _outDir, commandLine: _commandLine, ...defaults } = options;
  const store = CaseStore.open(casesDir);
  const browsers = new BrowserPool(options.browser ? { kind: options.browser } : {});
  const tracer = new Tracer({ store, concurrency, browsers, trace: defaults, outDir: casesDir });
  const stopListening = onInterrupt((reason) => void tracer.stop(reason, { abortRunning: true }));
  const progress = !json && process.stderr.isTTY;
  let result: CompareResult;
  try {
    result = await compareLink(
      tracer,
      {
        url,
        visitors,
        again: values.again ?? false,
        commandLine,
        ...(progress
          ? {
              onProgress: (profile, e) =>
                process.stderr.write(`\r\x1b[K${clean(profile)}: ${clean(e.kind)} ${clean(e.detail).slice(0, 90)}`),
            }
          : {}),
        onTraced: (profile, outcome) => {
          if (progress) process.stderr.write('\r\x1b[K');
          if (outcome.kind === 'failed') process.stderr.write(`clicktrace: ${clean(profile)}: ${clean(outcome.error)}\n`);
        },
      },
      casesDir,
    );
  } finally {
    stopListening();
    await browsers.close();
    store.close();
  }
  if (progress) process.stderr.write('\r\x1b[K');
  if (result.kind === 'refused') {
    const o = result.outcome;
    if (o.kind === 'skipped') throw new CliError(o.reason, interruptedExit(o.reason));
    if (o.kind === 'already-traced' && o.inProgress)
      throw new CliError(`${url} is being traced right now by another clicktrace on ${casesDir}; not requested twice`, ExitCode.Failed);
    throw new CliError(
      `already traced in ${casesDir}: case ${o.kind === 'already-traced' ? (o.caseId ?? '?') : '?'}; nothing requested (compare it anew with --again)`,
      ExitCode.Failed,
    );
  }
  if (result.kind === 'failed') throw new CliError(`compare: no profile could be traced: ${result.error}`, ExitCode.Failed);
  await indexCases(result.dir);
  if (json) process.stdout.write(jsonText(result.record, 2) + '\n');
  else process.stdout.write(formatComparison(result.record.comparison, result.dir) + '\n');
  const interrupted = result.outcomes.find((o) => o.outcome.kind === 'traced' && o.outcome.report.error?.startsWith('interrupted'));
  if (interrupted && interrupted.outcome.kind === 'traced') return interruptedExit(interrupted.outcome.report.error!);
  // A profile whose browser requested nothing has a case but was not traced either (comparison.notTraced).
  const untraced = result.outcomes.some((o) => o.outcome.kind !== 'traced') || result.record.comparison.notTraced.length > 0;
  return untraced ? ExitCode.Failed : ExitCode.Ok;
}

async function confirm(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question('Request it once per profile? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}
