import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parse, CliError } from './command.js';
import { TRACE_OPTIONS, TRACE_OPTIONS_HELP, checkUpstreamOptions, traceOptionsFrom } from './trace-options.js';
import { BATCH_OPTIONS, BATCH_OPTIONS_HELP, concurrencyOption } from './batch-options.js';
import { formatChain, notWrittenLine } from './format.js';
import { clean } from '../terminal-text.js';
import { sayReadingTerminal } from './terminal.js';
import { abortsRunning, interruptedExit, onInterrupt, RUNNING_GO_ON_ON_SERVER } from './interrupt.js';
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverRun } from './server-option.js';
import { reportTimestamp } from './tsa-option.js';
// Static, not lazy: both are small, and Chromium is spawned as early as the options allow.
import { parseInputUrl } from '../service/url-list.js';
import { installedBrowserPath, prelaunchBrowser, discardPrelaunched } from '../capture/browser.js';
import type { TraceOptions } from '../capture/trace.js';
import type { Report } from '../report.js';
import { REPORT_FILE } from '../case/case-layout.js';
import type { InputItem } from '../service/url-list.js';
import type { CaseStore } from '../store/index.js';
import type { TraceOutcome, TraceRunner } from '../service/tracer.js';
import type { BatchSummary } from '../service/batch-summary.js';
import { jsonText } from '../visible.js';
import { readableFile, untilAborted } from '../until-aborted.js';

const HELP = `usage: clicktrace trace <url> [options]
       clicktrace trace <url> <url>... [options]
       clicktrace trace --input FILE [options]        (FILE: one URL per line; - for stdin)

Follows each link in Chromium behind clicktrace's recording proxy until the page settles,
requesting it exactly once, and writes its case (WARC, HAR, WACZ, screenshots, report).

A link is requested only once per cases folder: the case index (DIR/clicktrace.db) keeps a
ledger of every URL requested, written before the request, so a URL traced before (by any
run, also one that crashed or was stopped) is not requested again. It is reported as already
traced, with its case (for one URL: that case's chain, and a note on stderr); --again traces
it anew. URLs are compared as the URL standard parses them: the case of the scheme and host, a
default port and an IDN's spelling aside (HTTP://Host:80/x is http://host/x, bücher.example is
xn--bcher-kva.example). A URL that differs only in its #fragment is the same link (the fragment
is never sent), as is one with a user:pass@ before its host (never sent either:
http://paypal.example@evil.example/x is http://evil.example/x), whose host differs only in a
trailing dot (a.example. is a.example), or whose percent-encoding differs only in hex case
(%2f, %2F) or in encoding unreserved characters (%7E, ~); each is requested as written. Not
the same: %2F and /, + and %20, a ? at the end and none.

A defanged link (hxxps://evil[.]example/x; hxxp, h**p, [://], [:], [/], [.], (.), {.}, [dot])
is traced refanged, and the same link as its plain spelling; its result and its case keep the
text as given. A URL in <...>, quotes or backticks is taken out of them. What cannot be told
for sure is reported, not guessed: a link with no http:// or https:// (evil.example/x, www.evil.example,
evil.example:8080), a defanged host with no scheme, "(.)" or "hxxp" in a defanged link's
path, punctuation a sentence leaves after a URL ("https://x.example/a)." : write
<https://x.example/a).> if the link really ends so).

Many URLs (several arguments, or --input) are traced at once on a pool of browser contexts
(--concurrency). In a list (LF, CRLF or Mac CR lines), blank lines, lines starting with # and a
comment after a URL and a space ("URL  # note") are skipped; a line that is not an http(s)
URL (UTF-8, no space, control or invisible character inside) is reported with its line number
and the rest goes on; a list with no URL is an error. A CSV or TSV export is read by its header's url, uri, link or href
column (the header may be a # comment, as URLhaus writes it; a quoted field may span lines, its
record is reported at the line it starts on). The same URL twice in one batch
(once normalised, #fragment aside) is traced once; the repeat points at that case. On a
terminal a progress line is shown on stderr. Results are printed as they finish (not in input
order: each names its line); at the end, a summary with counts, rate, failures and the parties
behind the links. With --json, JSON Lines on stdout: one object per URL as it finishes
({"kind":"trace", "line":N, ...the report}, or kind already-traced, duplicate, failed,
invalid, skipped; with "given" and "refanged" when the URL was taken out of other text), and a
last line {"kind":"summary", ...}: every input line has exactly one line, and the summary's
counts are those of the lines. Ctrl-C stops the batch: running traces are closed as
interrupted (their cases kept and sealed; one that had not requested its link yet is "not
started", to be traced by a rerun, as is every URL not started yet: each has its skipped line),
the summary so far is printed, exit status 130 (143 for SIGTERM; a closed terminal, SIGHUP, stops
it so too and it ends by that signal, 129; without a terminal, under nohup, SIGHUP is ignored). A reader of the output gone
(| head) starts nothing new and lets the running traces end whole: exit status 141.
--input - (or a named pipe: --input <(tail -f feed)) reads its list to the end before tracing;
Ctrl-C while a pipe that is still open is read stops reading it: the lines read by then are not
started (a rerun traces them). On a terminal with nothing piped, it says it reads the list typed
there, ended by Ctrl-D.

Exit status: 0 when every chain was followed to where it ended (a page, or an HTTP error such as a
spent link's 410), or was traced before; 1 when one ended with a trace error (loop, timeout,
network...) or a line was not a URL (the cases are still written), 2 for bad input or set-up
(no browser installed: said before anything is made), 130 after Ctrl-C, 143 after SIGTERM, 129
after its terminal closed, 141 when the output's reader went away.

options:${TRACE_OPTIONS_HELP}${BATCH_OPTIONS_HELP}${SERVER_OPTIONS_HELP}
  -i, --input FILE           read URLs from FILE, one per line (- for stdin); with --server the
                             file is sent whole and the server reads it, as one batch it shows
                             (a list larger than a batch may hold is sent link by link); one
                             list per run (several: cat a b | clicktrace trace --input -)
`;

// --input is collected rather than left to the last one given: a second list would otherwise
// silently replace the first, whose links then go untraced without a word.
const OPTIONS = { ...TRACE_OPTIONS, ...BATCH_OPTIONS, ...SERVER_OPTIONS, input: { type: 'string', short: 'i', multiple: true } } as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, OPTIONS, HELP);
  if (!parsed) return 0;
  const { positionals } = parsed;
  const lists = parsed.values.input ?? [];
  if (lists.length > 1)
    throw new CliError(`trace: --input given ${lists.length} times; give one list (several: cat them into one, or pipe them to --input -)`);
  const values: Values = { ...parsed.values, input: lists[0] };
  if (values.input === undefined && positionals.length === 0) throw new CliError('trace: a URL is required (see --help)');
  if (values.input === undefined && positionals.length === 1 && values.server === undefined) return single(positionals[0], values, argv);
  return batch(values.input ?? null, positionals, values, argv);
}

type Values = Parameters<typeof traceOptionsFrom>[0] & {
  concurrency?: string;
  again?: boolean;
  input?: string;
  server?: string;
  token?: string;
};

/** One URL: the fastest cold start (Chromium spawned before the capture code loads), the chain printed in full. */
async function single(url: string, values: Values, argv: string[]): Promise<number> {
  const options = traceOptionsFrom(values, url, ['clicktrace', 'trace', ...argv]);
  if (values.concurrency !== undefined) concurrencyOption(values.concurrency);
  const input = parseInputUrl(url, 1);
  if ('error' in input) throw new CliError(input.error, 2);
  if (input.refanged) process.stderr.write(`clicktrace: refanged (${clean(input.refanged.join(' '))}): tracing ${clean(input.url)}\n`);
  // No browser is bad set-up, said before a cases folder is made. Chromium boots while the rest
  // of clicktrace loads; bad input above has not started it.
  installedBrowserPath(options.browser);
  prelaunchBrowser(options.browser);
  const json = values.json ?? false;
  const { CaseStore } = await import('../store/index.js');
  let store: CaseStore | null = null;
  let outcome: TraceOutcome;
  let missingCase: string;
  let stopListening = () => {};
  const casesDir = options.outDir ?? 'cases';
  // Without --json the chain is printed as soon as it is derived, while the case is sealed.
  let answered = false;
  const onAnswer = (report: Report, caseDir: string) => {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    process.stdout.write(formatChain(report, caseDir) + '\n');
    answered = true;
  };
  try {
    const { Tracer, MISSING_CASE } = await import('../service/tracer.js');
    missingCase = MISSING_CASE;
    store = CaseStore.open(casesDir);
    const tracer = new Tracer({ store, concurrency: 1, browsers: null, trace: traceDefaults(options), outDir: casesDir });
    stopListening = onInterrupt((reason) => void tracer.stop(reason, { abortRunning: true }));
    outcome = await tracer.trace({
      url: input.url,
      ...(input.given !== undefined ? { analysis: { given: input.given } } : {}),
      again: values.again ?? false,
      commandLine: options.commandLine!,
      ...(json ? {} : { onAnswer }),
      ...(json || !process.stderr.isTTY
        ? {}
        : { onProgress: (e) => process.stderr.write(`\r\x1b[K${clean(e.kind)}: ${clean(e.detail).slice(0, 100)}`) }),
    });
  } finally {
    stopListening();
    await discardPrelaunched();
    store?.close();
  }
  if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  switch (outcome.kind) {
    case 'failed':
      throw outcome.cause instanceof Error ? outcome.cause : new CliError(outcome.error, 1);
    case 'skipped':
      throw new CliError(outcome.reason, interruptedExit(outcome.reason));
    case 'already-traced': {
      if (outcome.inProgress)
        throw new CliError(`${clean(input.url)} is being traced right now by another clicktrace on ${casesDir}; not requested twice`, 1);
      const dir = join(casesDir, outcome.caseId ?? '');
      process.stderr.write(
        `clicktrace: already traced in ${clean(casesDir)}: case ${clean(outcome.caseId ?? '?')}` +
          `${outcome.caseMissing ? ` (${missingCase})` : ''}; not requested again (a link is requested once; --again traces it anew)\n`,
      );
      const report = outcome.caseMissing ? null : readReport(dir);
      // With --json, stdout stays one JSON document that says it is the earlier case, not a trace made now.
      if (json) {
        const earlier = report ?? { case: outcome.caseId ?? null, caseMissing: outcome.caseMissing ?? false, report: null };
        process.stdout.write(jsonText({ ...earlier, alreadyTraced: true }, 2) + '\n');
        return report && !report.error ? 0 : 1;
      }
      if (outcome.caseMissing) return 1;
      if (!report) {
        process.stdout.write(`Case: ${clean(dir)} (cut off before its report; see its WARC)\n`);
        return 1;
      }
      process.stdout.write(formatChain(report, dir) + '\n');
      return report.error ? 1 : 0;
    }
    case 'traced': {
      const { report, caseDir } = outcome;
      if (json) process.stdout.write(jsonText(report, 2) + '\n');
      else if (!answered) process.stdout.write(formatChain(report, caseDir) + '\n');
      // What sealing could not write, known only once it was sealed.
      else for (const failed of report.failedFiles ?? []) process.stdout.write(notWrittenLine(failed) + '\n');
      reportTimestamp(outcome.timestamp, json);
      if (report.error?.startsWith('interrupted')) return interruptedExit(report.error);
      return report.error ? 1 : 0;
    }
  }
}

/** Many URLs on the pool, results streamed as they finish, a summary at the end. */
async function batch(input: string | null, positionals: string[], values: Values, argv: string[]): Promise<number> {
  // However the run ends (an error too), stop signals are no longer heard.
  const ending = new AbortController();
  try {
    return await batchRun(input, positionals, values, argv, ending.signal);
  } finally {
    ending.abort();
  }
}

async function batchRun(input: string | null, positionals: string[], values: Values, argv: string[], ending: AbortSignal): Promise<number> {
  const commandLine = ['clicktrace', 'trace', ...argv.filter((a) => !positionals.includes(a))];
  const options = traceOptionsFrom(values, 'http://batch.invalid/', commandLine);
  const onServer = await serverRun(values, (line) => process.stderr.write(`clicktrace: ${clean(line)}\n`));
  if (!onServer) await checkUpstreamOptions(options);
  const concurrency = onServer ? onServer.concurrency : concurrencyOption(values.concurrency);
  const json = values.json ?? false;
  const [
    { readInputList, readInputItems, parseInputUrl, inputListError },
    { CaseStore },
    { Tracer },
    { BrowserPool },
    { Batch },
    { ProgressDisplay },
    output,
  ] = await Promise.all([
    import('../service/url-list.js'),
    import('../store/index.js'),
    import('../service/tracer.js'),
    import('../service/browser-pool.js'),
    import('../service/batch.js'),
    import('./progress-line.js'),
    import('./batch-output.js'),
  ]);
  if (input !== null && positionals.length) throw new CliError('trace: give URLs as arguments or with --input, not both');
  // Ctrl-C is heard from the start: a list on stdin is read to its end before tracing starts, and
  // the pipe may still be open. Stopped then, it is read no further; the lines read are not started.
  let stopped: string | null = null;
  let stopRun: ((reason: string) => void) | null = null;
  const reading = new AbortController();
  const stopListening = onInterrupt(
    (reason) => {
      stopped ??= reason;
      reading.abort();
      stopRun?.(reason);
    },
    onServer ? RUNNING_GO_ON_ON_SERVER : undefined,
  );
  ending.addEventListener('abort', stopListening, { once: true });
  let items: InputItem[] | null = null;
  // With --server, a list file is sent whole: the server reads it as it is read here and shows it as one batch.
  let listBytes: Buffer | null = null;
  if (input !== null) {
    if (input === '-') sayReadingTerminal('the list of URLs, one per line,');
    try {
      // A list on stdin or a named pipe is read until Ctrl-C, as when tracing here (never with a read that blocks the process).
      if (onServer)
        listBytes = Buffer.concat(
          await Readable.from(
            input === '-' ? untilAborted(process.stdin, reading.signal) : await readableFile(input, reading.signal),
          ).toArray(),
        );
      else items = await readInputList(input, process.stdin, reading.signal);
    } catch (err) {
      throw new CliError(`--input ${input}: ${inputListError(err)}`);
    }
  } else items = positionals.map((p, i) => parseInputUrl(p, i + 1));
  const isStopped = () => stopped !== null;
  // A list cut short by Ctrl-C is not sent to the server: nothing of it was traced.
  if (isStopped()) [items, listBytes] = [items ?? [], null];
  // Nothing to do is a mistake worth a word (an empty export, the wrong file), not an empty summary; said before any cases folder is made.
  if (items?.length === 0 && !isStopped()) throw new CliError(`--input ${input}: no URLs in it (only blank lines and # comments)`);
  let total = items?.length ?? 0;

  // A list with no link in it (every line not a URL) traces nothing: each line is reported, and no
  // cases folder or index is made for it; nor for a run stopped before it started.
  const tracesHere = !onServer && !isStopped() && items!.some((item) => !('error' in item));
  // No browser to trace with is bad set-up, said once before anything is made, as for one URL.
  if (tracesHere) installedBrowserPath(options.browser);
  const store = tracesHere ? CaseStore.open(options.outDir ?? 'cases') : null;
  const browsers = tracesHere ? new BrowserPool(options.browser ? { kind: options.browser } : {}) : null;
  const local = tracesHere
    ? new Tracer({ store: store!, concurrency, browsers, trace: traceDefaults(options), outDir: options.outDir ?? 'cases' })
    : null;
  const tracer: TraceRunner = onServer ? onServer.tracer : (local ?? nothingToTrace(concurrency));
  const progress = new ProgressDisplay(() => ({
    done: run.finished,
    total,
    failures: run.tally.counts.failed + run.tally.counts.chainErrors + run.tally.counts.invalid,
    startedAt: run.tally.startedAt.getTime(),
    inFlight: [...run.inFlight.values()].map((f) => f.url),
  }));
  // Cases an earlier run left open when it died are sealed meanwhile (not by a single-URL trace: it starts fastest without).
  const sweep = local?.sweepCutOff() ?? null;
  if (sweep) output.sayWhenSwept(sweep, progress);
  const run = new Batch(tracer, {
    again: values.again ?? false,
    commandLine: (url) => [...commandLine, url],
    onEntry: (entry) => {
      progress.clear();
      process.stdout.write((json ? jsonText(output.entryJson(entry)) : output.formatEntry(entry)) + '\n');
      if (entry.kind === 'trace') reportTimestamp(entry.timestamp, json);
      progress.update();
    },
  });
  run.onProgress(() => progress.update());
  stopRun = (reason) => void run.interrupt(reason, { abortRunning: abortsRunning(reason) });
  if (stopped) stopRun(stopped);
  let summary: BatchSummary;
  try {
    if (onServer && listBytes) {
      const listed = await onServer.tracer.traceList(
        listBytes,
        { filename: input === '-' ? null : basename(input!), again: values.again ?? false },
        (entry) => run.add(entry),
        (accepted) => {
          total = accepted.items.length;
          process.stderr.write(`clicktrace: the list is batch ${accepted.id} on the server: ${onServer.base}/batches/${accepted.id}\n`);
        },
      );
      if ('refused' in listed && (listed.code === 'list-too-large' || listed.code === 'queue-full')) {
        process.stderr.write(`clicktrace: ${clean(listed.refused)}; its links are submitted one by one instead\n`);
        items = await readInputItems(Readable.from([listBytes]));
      } else if ('refused' in listed)
        throw new CliError(`--input ${input}: ${clean(listed.refused)}`, listed.status !== null && listed.status < 500 ? 2 : 1);
    }
    if (items) {
      if (items.length === 0 && !isStopped()) throw new CliError(`--input ${input}: no URLs in it (only blank lines and # comments)`);
      total = items.length;
      await run.run(items);
    }
    // While the case index is open: the summary's aggregate reads it (cases the sweep sealed included).
    const swept = await sweep;
    summary = await run.summary();
    if (swept) summary.sealedCutOff = swept.sealed.length;
    if (onServer) summary.server = onServer.base;
  } finally {
    stopListening();
    progress.stop();
    await browsers?.close();
    await sweep;
    store?.close();
  }
  process.stdout.write((json ? jsonText(summary) : output.formatSummary(summary)) + '\n');
  const c = summary.counts;
  if (summary.interrupted) return interruptedExit(summary.interrupted);
  if (c.invalid === c.inputs) return 2;
  return c.failed || c.chainErrors || c.invalid ? 1 : 0;
}

/** The runner of a batch none of whose lines is a link: Batch reports them without handing it any. */
function nothingToTrace(concurrency: number): TraceRunner {
  return {
    store: null,
    concurrency,
    queued: 0,
    trace: ({ url }) => Promise.resolve({ kind: 'skipped', url, reason: 'not a URL' }),
    stop: () => Promise.resolve(),
  };
}

function traceDefaults(options: TraceOptions): Omit<TraceOptions, 'url' | 'outDir'> {
  const { url: _url, outDir: _outDir, ...rest } = options;
  return rest;
}

function readReport(dir: string): Report | null {
  try {
    return JSON.parse(readFileSync(join(dir, REPORT_FILE), 'utf8')) as Report;
  } catch {
    return null;
  }
}
