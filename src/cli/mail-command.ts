import { fstatSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parse, CliError, numberOption } from './command.js';
import { TRACE_OPTIONS, TRACE_OPTIONS_HELP, checkUpstreamOptions, traceOptionsFrom } from './trace-options.js';
import { BATCH_OPTIONS, BATCH_OPTIONS_HELP, concurrencyOption } from './batch-options.js';
import { abortsRunning, interruptedExit, onInterrupt, OUTPUT_CLOSED, RUNNING_GO_ON_ON_SERVER } from './interrupt.js';
import { clean } from '../terminal-text.js';
import { sayReadingTerminal } from './terminal.js';
import { reportTimestamp } from './tsa-option.js';
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverRun, type ServerRun } from './server-option.js';
import type { AnalyzeOptions, MailAnalysis } from '../mail/parse.js';
import type { MailSourceItem } from '../mail/mailbox.js';
import type * as RecipientMaps from '../mail/recipient-map.js';
import { ExitCode } from '../errors.js';
import type { BatchSummary } from '../service/batch-summary.js';
import type { TraceOptions } from '../capture/trace.js';
import type { Batch } from '../service/batch.js';
import type { MailTracing } from '../service/mail-tracing.js';
import type { MessageResult, SkippedMessage, TraceMode, UnreadMessage } from '../service/mail-run.js';
import type { ProgressDisplay } from './progress-line.js';
import { jsonText } from '../visible.js';
import { analysedInOrder, handleEach } from '../service/message-flow.js';

const HELP = `usage: clicktrace mail <file.eml|mbox|Maildir|-> [--no-visit | --trace main|all|N] [options]

Reads e-mail (.eml, mbox, Maildir folder, or - for stdin): every link with its anchor text,
wrappers unwrapped offline, the party behind each link, and header forensics (From, Reply-To,
Return-Path, Message-ID domain, DKIM d=/s=, List-Unsubscribe, Received hops with TLS, ESP
fingerprints). Text links cut by line breaks, soft breaks or spaces are rebuilt (marked
"repaired", the raw text kept; "ambiguous" with both readings when the cut is unclear);
hrefs written to fool parsers are shown as the URL a browser makes of them ("malformed",
with the raw attribute), hrefs no browser follows as "unfollowable". Remote content of the
HTML (images, CSS, link, poster...) is listed with the open-tracking pixels and their party;
nothing is fetched unless asked. Links no one wrote as text are read too: QR codes in PNG,
JPEG and GIF images (inline cid: parts, attached images, data: images of the HTML; codes
drawn light on dark and codes at one end of a banner too; "QR code
in <image>", the main link when the message tells to scan it or has no other) and the link
annotations of PDF attachments ("PDF link in <file>", also of PDFs encrypted with no password
to open, or with one the message gives, "PDF password: 123"); oversized images (decompression bombs)
are refused by their header, with a warning. Recipient addresses are shown with where the message names
them (To, Cc, Delivered-To, X-Original-To, Received for, tokens in link and pixel URLs),
plus tags ("tagged recipient: tag"), and what the recipient map says of them.
Optionally traces links like "clicktrace trace" and links the cases to the message (a
message case folder holds message.eml, message.json and a manifest, signed when a key
exists; "clicktrace verify" checks it). A link wrapped by the recipient's security gateway
(Safe Links, Proofpoint URL Defense...) is traced from the link it wraps: the wrapper, which
names the recipient, is never requested (an ESP's tracker inside it is).

modes:
  --no-visit        static analysis only (default for an mbox, a Maildir or a folder; a file or
                    stdin is an mbox when it starts with a From_ line, whatever its name)
  --trace main      trace the main call-to-action (default for a single message)
  --trace all       trace every link except unsubscribe/mailto links
  --trace N         trace link number N (as listed)
  --no-explore      do not explore landing pages: by default a traced link's landing page has its
                    call-to-action clicked (--explore) unless --click is given
  --workers N       threads for static analysis of a mailbox or folder (default: one per core,
                    up to 8; 1 analyses in the main thread). Output keeps the source's order; a
                    mailbox on a pipe still being written has each message shown once the next
                    one begins (an mbox's last one at its end).
  --fetch-pixels    also trace each open-tracking pixel like a link (each URL once per cases
                    folder, as links are); without it no remote content is ever requested

With --trace on a mailbox or folder, links are traced at once on a pool of browser contexts
(--concurrency); a message is printed when its traces are done (so not always in the source's
order), with a progress line on stderr on a terminal and a summary at the end. A link the cases
folder has traced before (this run or an earlier one, also one that crashed or was stopped) is
not requested again: the message case points at the earlier case (--again traces it anew). The
same link in several messages of one run is traced once. A message the cases folder recorded
before (the same bytes, line endings and a mbox From_ line aside; with or without a Message-ID,
which alone decides nothing) keeps its message case; traces it lacked are added.
Ctrl-C stops the run: running traces are closed as interrupted, their cases kept, and every
message not started yet is reported so ("not started"; stdin from a pipe, or a named pipe such as
mail <(tail -f feed), which may never end, is read no further: a message of it is traced once the next one's From_ line arrives, and the last
one read is not started); exit status 130 (143 after SIGTERM;
129 after its terminal closed, SIGHUP, which is ignored without a terminal, under nohup; 141 when
the output's reader went away: then the running traces end whole).
--json on a mailbox or folder writes JSON Lines: one message record per line as it is done
({"kind":"message", ...}, with "untraced": [{"link", "url", "kind", "reason"}] for its links
that got no case: not started after Ctrl-C, or failed before their request; {"kind":"error",
"source", "error"} for a message that could not be taken out of its mailbox (empty, larger
than 64 MiB, unreadable; one that is no message has its record, the reason in analysis.errors),
{"kind":"skipped", "source", "reason"} for one not started after Ctrl-C), and a last line
{"kind":"summary", ...} whose counts are those of the lines; memory stays flat whatever
the mailbox's size. On a single message: one document {"messages": [...]}, as before.
Exit status 1 when a message could not be read (not a message, MIME that does not decode; listed
in the summary's failures with its source and Message-ID), its --trace N link does not exist, or
a trace failed; a message read with a warning (unknown charset, repaired boundary, a part cut
at a limit) is not a failure: the warning is shown with it ("warning:") and counted.
A file or stdin compressed with gzip (inbox.mbox.gz; a Maildir's gzip files, as Dovecot's zlib
plugin keeps them) is read as it is gunzipped; one compressed with xz, bzip2 or zstd is bad input
(decompress it first: xz -dc inbox.mbox.xz | clicktrace mail -).
A mailbox with no messages (an empty or blank file not named .eml, empty stdin, an empty
Maildir) is not a failure: "no messages (empty mailbox)" on stderr, exit status 0. An empty .eml
file, or a folder that is neither a Maildir nor holds .eml files, is bad input (exit status 2).

recipient map:
  --recipients FILE JSON map of your addresses to where and when each was given out, retired
                    or is a spamtrap; default <out>/recipients.json when it exists (the web
                    UI's Recipients page edits that file). Format:
                    {"recipients": [{"address": "me+shop@example.org", "given": "only to
                    shop.example", "givenOn": "2012", "retiredOn": "2016"},
                    {"address": "*@catchall.example"}, {"address": "trap@example.net",
                    "spamtrap": true}]}   ("*" matches any characters; dates YYYY[-MM[-DD]])

trace options (as for "clicktrace trace"):${TRACE_OPTIONS_HELP}${BATCH_OPTIONS_HELP}${SERVER_OPTIONS_HELP}
                             With --server each e-mail is uploaded whole: the server keeps the
                             message case and traces its main link (or link N of --trace N),
                             exploring its landing page as here unless --click or --no-explore.
                             A mailbox is one batch of the server (its page, /batches/<id>, named
                             on stderr), cancelled (or closed) whole there: its messages not
                             sent yet are then not sent ("not started"), the summary says so,
                             exit status 1. The command renews the batch's lease while it runs;
                             killed, it renews nothing, and the server closes the batch when the
                             lease runs out (serve --mailbox-lease): what it sent is traced, and
                             a rerun sends the rest (nothing is traced twice).
`;

function parseMode(noVisit: boolean | undefined, traceValue: string | undefined, single: boolean, fetchPixels: boolean): TraceMode {
  if (noVisit && traceValue) throw new CliError('mail: --no-visit and --trace exclude each other');
  if (noVisit && fetchPixels) throw new CliError('mail: --no-visit and --fetch-pixels exclude each other');
  if (noVisit) return { kind: 'static' };
  if (traceValue === undefined) return single ? { kind: 'main' } : { kind: 'static' };
  if (traceValue === 'main') return { kind: 'main' };
  if (traceValue === 'all') return { kind: 'all' };
  if (/^\d+$/.test(traceValue) && Number(traceValue) >= 1) return { kind: 'index', index: Number(traceValue) };
  throw new CliError(`mail: --trace takes main, all or a link number, not "${traceValue}"`);
}

/**
 * Whether the source may never end: stdin that is not a regular file (`< mbox` ends; a pipe or a
 * terminal may not), or a named pipe (`mail <(tail -f feed)`).
 */
function mayNeverEnd(path: string): boolean {
  try {
    if (path === '-') return !fstatSync(0).isFile();
    const kind = statSync(path);
    return kind.isFIFO() || kind.isSocket();
  } catch {
    return path === '-';
  }
}

/** A one-line error for a path that is not there (stdin is always there). */
function checkExists(path: string): void {
  if (path === '-') return;
  try {
    statSync(path);
  } catch {
    throw new CliError(`mail: ${path}: no such file or folder`);
  }
}

export async function run(argv: string[]): Promise<number> {
  // However the run ends (an error too), stdin is let go and stop signals are no longer heard.
  const ending = new AbortController();
  try {
    return await mail(argv, ending.signal);
  } finally {
    ending.abort();
  }
}

const MAIL_OPTIONS = {
  ...TRACE_OPTIONS,
  ...BATCH_OPTIONS,
  'no-visit': { type: 'boolean' },
  trace: { type: 'string' },
  workers: { type: 'string' },
  recipients: { type: 'string' },
  'fetch-pixels': { type: 'boolean' },
  'no-explore': { type: 'boolean' },
  ...SERVER_OPTIONS,
} as const;

type MailValues = NonNullable<ReturnType<typeof parse<typeof MAIL_OPTIONS>>>['values'];

async function mail(argv: string[], ending: AbortSignal): Promise<number> {
  const parsed = parse(argv, MAIL_OPTIONS, HELP);
  if (!parsed) return ExitCode.Ok;
  const [path, ...extra] = parsed.positionals;
  if (!path) throw new CliError('mail: a file, folder or - is required (see --help)');
  if (extra.length) throw new CliError('mail: one source at a time');
  checkExists(path);
  const { stop, reading, stopListening } = hearStops(path, parsed.values.server !== undefined, ending);
  if (path === '-') sayReadingTerminal('a message or an mbox');
  // An mbox is told by its content (a From_ line first), not only by its name: "inbox", stdin.
  const source = await (await import('../mail/mailbox.js')).openMailSource(path, { signal: reading });
  if (source.unusable) throw new CliError(`mail: ${path}: ${source.unusable}`);
  const single = source.kind === 'message';
  const options = await runOptions(parsed.values, argv, single);
  const { mode, fetchPixels, onServer, concurrency, json, baseOptions } = options;

  const [recipientMaps, { BatchTally, batchSummary }, batchOutput, output, { MailRun, endedOnServer }] = await Promise.all([
    import('../mail/recipient-map.js'),
    import('../service/batch-summary.js'),
    import('./batch-output.js'),
    import('./mail-output.js'),
    import('../service/mail-run.js'),
  ]);
  const recipientMap = loadMap(recipientMaps, parsed.values.recipients, baseOptions.outDir ?? 'cases');
  const lookFor = recipientMaps.exactAddresses(recipientMap);
  // Static analysis of many messages runs on every core; tracing is the slow part otherwise.
  const { analyze, pool } = await messageAnalysis(
    mode.kind === 'static' && !fetchPixels && !single && !source.empty && options.workers > 1 ? options.workers : 1,
    lookFor.length ? { lookFor } : {},
  );
  // An empty mailbox has nothing to trace: no browser, no cases folder; nor has a run stopped already.
  const tracing = source.empty || stop.reason !== null ? null : await startTracing(options, single ? null : path);
  if (tracing?.sweep) batchOutput.sayWhenSwept(tracing.sweep, null);
  const tally = tracing?.batch.tally ?? new BatchTally();
  const progress =
    tracing && !single
      ? mailboxProgress(tracing.batch, (await import('./progress-line.js')).ProgressDisplay, () => tally.counts.messages ?? 0)
      : null;
  const { emit, end } = messageOutput(json, single, progress);
  const say = (result: UnreadMessage | SkippedMessage) => emit(result, output.formatNotHandled(result));
  const run = new MailRun({
    mode,
    fetchPixels,
    recipientMap,
    tracing,
    tally,
    stop,
    again: options.again,
    clicks: parsed.values.click ?? [],
    outDir: baseOptions.outDir ?? 'cases',
    tsa: baseOptions.tsa,
    serverBase: onServer?.base ?? null,
    onTimestamp: (outcome) => reportTimestamp(outcome, json),
  });
  const handle = async (item: MailSourceItem, analyzing: Promise<MailAnalysis> | null): Promise<void> => {
    const met = run.meet(item);
    if (met.kind !== 'met') return say(met);
    const message = run.analysed(met, (await analyzing)!);
    if (message.kind === 'skipped') return say(message);
    const shown = output.formatAnalysed(message);
    const traced = await run.trace(message);
    if (traced.kind === 'skipped') return say(traced);
    emit(traced.result, shown + output.formatTraced(traced));
  };

  if (tracing) {
    const stopTraces = (reason: string) => void tracing.batch.interrupt(reason, { abortRunning: abortsRunning(reason) });
    stop.traces = stopTraces;
    if (stop.reason) stopTraces(stop.reason);
  }
  let summary: BatchSummary;
  try {
    await handleEach(
      analysedInOrder(source.items, analyze, pool ? pool.size * 16 : 1, () => stop.reason !== null),
      // Messages being traced at once: enough to keep the pool busy, few enough to hold in memory.
      tracing ? Math.max(2, concurrency * 2) : 1,
      // With the output closed nothing more can be said: the rest is not read.
      () => stop.reason === OUTPUT_CLOSED,
      // A message that could not be handled (its case unwritable, the server gone) is that message's
      // error, in its place in the output and the counts: the rest go on, and no rejection goes unheard.
      (item, analysis) =>
        handle(item, analysis).catch((err: unknown) => say(run.failed(item.source, err instanceof Error ? err.message : String(err)))),
    );
    // While the case index is open: the summary's aggregate reads it.
    const swept = tracing?.sweep ? await tracing.sweep : null;
    // Nothing traced (a static analysis, or an empty mailbox): the traces at once that --trace would have run.
    const idle = mode.kind !== 'static' || fetchPixels ? concurrency : 0;
    summary = tracing ? await tracing.batch.summary() : batchSummary(tally, { concurrency: idle, interrupted: stop.reason });
    if (swept) summary.sealedCutOff = swept.sealed.length;
    if (onServer) summary.server = onServer.base;
    if (endedOnServer(stop.reason)) summary.interrupted ??= stop.reason;
  } finally {
    stopListening();
    progress?.stop();
    await tracing?.close();
    await pool?.close();
  }
  if (!single) summary.counts.messages ??= 0;
  // A mailbox without messages is an answer, not a failure: said on stderr, exit status 0.
  if (!single && summary.counts.messages === 0 && !summary.interrupted)
    process.stderr.write(`clicktrace: mail: ${clean(path)}: no messages (empty mailbox)\n`);
  end(summary, !single && (tracing !== null || mode.kind !== 'static' || fetchPixels) ? batchOutput.formatSummary : null);
  return exitStatus(summary, endedOnServer(summary.interrupted));
}

/** The exit status of a run, by its summary. */
function exitStatus(summary: BatchSummary, endedOnServer: boolean): ExitCode {
  // Ended on the server: not all of the mailbox was traced, a failure of the run (no signal's status).
  if (endedOnServer) return ExitCode.Failed;
  if (summary.interrupted) return interruptedExit(summary.interrupted);
  // The exit status is the summary's: a message that could not be read (or its asked-for link traced)
  // or a trace that failed; a message read with a warning is not a failure.
  const c = summary.counts;
  return c.messageErrors || c.failed || c.chainErrors ? ExitCode.Failed : ExitCode.Ok;
}

/** Why the run stopped (null while it runs), and what stops its traces once there are any. */
interface RunStop {
  reason: string | null;
  traces: ((reason: string) => void) | null;
}

/**
 * Ctrl-C, or a reader gone away (`| head`), stops the run: static analysis too, without a stack
 * trace. Heard from the start: stdin may be a pipe still open, its first message not written yet.
 * `reading` is aborted once the source is to be read no further.
 */
function hearStops(
  path: string,
  onServer: boolean,
  ending: AbortSignal,
): { stop: RunStop; reading: AbortSignal; stopListening: () => void } {
  const stop: RunStop = { reason: null, traces: null };
  // A pipe (or a terminal) may never end: once stopped it is read no further. A file is read to its
  // end, each message still in it reported as not started.
  const reading = new AbortController();
  const sourceMayNotEnd = mayNeverEnd(path);
  ending.addEventListener('abort', () => reading.abort(), { once: true });
  const stopListening = onInterrupt(
    (reason) => {
      stop.reason ??= reason;
      if (sourceMayNotEnd) reading.abort();
      stop.traces?.(reason);
    },
    onServer ? RUNNING_GO_ON_ON_SERVER : undefined,
  );
  ending.addEventListener('abort', stopListening, { once: true });
  return { stop, reading: reading.signal, stopListening };
}

/** Analyses a message in this thread, or on a pool of `workers` threads (then closed with the pool). */
async function messageAnalysis(workers: number, options: AnalyzeOptions) {
  const [{ analyzeMessage, emptyAnalysis }, { AnalysisPool }] = await Promise.all([
    import('../mail/parse.js'),
    import('../mail/analysis-pool.js'),
  ]);
  const pool = workers > 1 ? new AnalysisPool(workers) : null;
  const analyze = async (item: { raw: Buffer; source: string }): Promise<MailAnalysis> => {
    if (!pool) return analyzeMessage(item.raw, item.source, options);
    const reply = await pool.analyze(item.raw, item.source, options);
    return 'analysis' in reply ? reply.analysis : emptyAnalysis(item.source, item.raw.length, [reply.error]);
  };
  return { analyze, pool };
}

/**
 * Where each message's result goes as it is done, and the end of the output. A mailbox with --json
 * is written as JSON Lines, a message per line as it is done (memory stays flat whatever its size),
 * then its summary; a single message as one document, as before.
 */
function messageOutput(json: boolean, single: boolean, progress: { clear(): void; update(): void } | null) {
  const lines = json && !single;
  const singleResults: MessageResult[] = [];
  return {
    emit: (result: MessageResult, text: string): void => {
      progress?.clear();
      if (lines) process.stdout.write(jsonText(result) + '\n');
      else if (json) singleResults.push(result);
      else process.stdout.write(text);
      progress?.update();
    },
    /** The single message's document, or the summary (in text when `formatSummary` is given). */
    end: (summary: BatchSummary, formatSummary: ((summary: BatchSummary) => string) | null): void => {
      if (json && !lines) process.stdout.write(jsonText({ messages: singleResults }, 2) + '\n');
      else if (lines) process.stdout.write(jsonText(summary) + '\n');
      else if (formatSummary) process.stdout.write(formatSummary(summary) + '\n');
    },
  };
}

interface RunOptions {
  mode: TraceMode;
  fetchPixels: boolean;
  workers: number;
  onServer: ServerRun | null;
  concurrency: number;
  json: boolean;
  again: boolean;
  /** The trace options of every link (its URL aside). */
  baseOptions: TraceOptions;
}

/** The options of a run, checked against each other. */
async function runOptions(values: MailValues, argv: string[], single: boolean): Promise<RunOptions> {
  const fetchPixels = values['fetch-pixels'] ?? false;
  const mode = parseMode(values['no-visit'], values.trace, single, fetchPixels);
  const workers = numberOption(values.workers, '--workers', { min: 1, max: 64 }) ?? Math.min(8, availableParallelism());
  const onServer = await serverRun(values, (line) => process.stderr.write(`clicktrace: ${clean(line)}\n`));
  if (onServer && mode.kind === 'static') throw new CliError('mail: --server goes with --trace main or --trace N');
  if (onServer && mode.kind === 'all')
    throw new CliError('mail: --server traces one link per message (--trace main or N); --trace all traces here');
  if (onServer && fetchPixels) throw new CliError('mail: --fetch-pixels traces here; it does not go with --server');
  const concurrency = onServer ? onServer.concurrency : concurrencyOption(values.concurrency);
  const json = values.json ?? false;
  const baseOptions = traceOptionsFrom(values, 'http://placeholder.invalid/', ['clicktrace', 'mail', ...argv]);
  if (values['no-explore'] && baseOptions.exploreDepth) throw new CliError('mail: --no-explore and --explore exclude each other');
  if (!onServer && (mode.kind !== 'static' || fetchPixels)) await checkUpstreamOptions(baseOptions);
  // A landing page's call-to-action is clicked unless the analyst says what to click (or not to).
  if (!values['no-explore'] && !baseOptions.clicks?.length) baseOptions.exploreDepth ??= 1;
  return { mode, fetchPixels, workers, onServer, concurrency, json, again: values.again ?? false, baseOptions };
}

/**
 * Where the run's traces go: the server, the pool here, or nowhere (static analysis). A mailbox
 * (`mailboxPath`, null for a single message) sent to a server is one batch of it, named on stderr.
 */
async function startTracing(options: RunOptions, mailboxPath: string | null): Promise<MailTracing | null> {
  const { startLocalTracing, startServerTracing } = await import('../service/mail-tracing.js');
  const { onServer } = options;
  if (onServer) {
    const mailbox =
      mailboxPath === null ? null : { name: mailboxPath === '-' ? 'stdin' : basename(resolve(mailboxPath)), again: options.again };
    return startServerTracing(onServer.tracer, mailbox, (id) =>
      process.stderr.write(`clicktrace: the mailbox is batch ${id} on the server: ${clean(`${onServer.base}/batches/${id}`)}\n`),
    );
  }
  if (options.mode.kind === 'static' && !options.fetchPixels) return null;
  return startLocalTracing(options.baseOptions, options.concurrency, options.again);
}

/** The progress line of a mailbox run (stderr, terminals only). */
function mailboxProgress(batch: Batch, Display: typeof ProgressDisplay, messages: () => number) {
  const display = new Display(() => ({
    done: batch.finished,
    total: null,
    note: `${messages()} message(s)`,
    failures: batch.tally.counts.failed + batch.tally.counts.chainErrors,
    startedAt: batch.tally.startedAt.getTime(),
    inFlight: [...batch.inFlight.values()].map((f) => f.url),
  }));
  batch.onProgress(() => display.update());
  return display;
}

function loadMap(maps: typeof RecipientMaps, file: string | undefined, casesDir: string): RecipientMaps.RecipientMap | null {
  try {
    return file ? maps.loadRecipientMap(file) : maps.casesRecipientMap(casesDir);
  } catch (err) {
    throw new CliError(`mail: recipient map: ${(err as Error).message.split('\n').join('; ')}`);
  }
}
