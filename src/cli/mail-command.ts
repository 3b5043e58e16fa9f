import { fstatSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parse, CliError, numberOption } from './command.js';
import { TRACE_OPTIONS, TRACE_OPTIONS_HELP, checkUpstreamOptions, traceOptionsFrom } from './trace-options.js';
import { BATCH_OPTIONS, BATCH_OPTIONS_HELP, concurrencyOption } from './batch-options.js';
import { abortsRunning, interruptedExit, onInterrupt, OUTPUT_CLOSED, RUNNING_GO_ON_ON_SERVER } from './interrupt.js';
import { clean, sayReadingTerminal, truncate } from './terminal.js';
import { formatChain } from './format.js';
import { reportTimestamp } from './tsa-option.js';
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverRun } from './server-option.js';
import type { ServerTracer } from '../fleet/server-tracer.js';
import { isTraceable, type AnalyzedLink, type AnalyzedResource, type MessageRecord, type UntracedTarget } from '../mail/message-case.js';
import type { MailAnalysis } from '../mail/parse.js';
import type { MailSourceItem } from '../mail/mailbox.js';
import type * as RecipientMaps from '../mail/recipient-map.js';
import { ExitCode } from '../errors.js';
import type { BatchSummary } from '../service/batch-summary.js';
import type { TraceOptions } from '../capture/trace.js';
import type { Batch, BatchEntry } from '../service/batch.js';
import type { ProgressDisplay } from './progress-line.js';
import { jsonText } from '../visible.js';
import { unsliced } from '../unsliced.js';
import { nextTurn } from '../service/event-loop.js';

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

type Mode = { kind: 'static' } | { kind: 'main' } | { kind: 'all' } | { kind: 'index'; index: number };

function parseMode(noVisit: boolean | undefined, traceValue: string | undefined, single: boolean, fetchPixels: boolean): Mode {
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

async function mail(argv: string[], ending: AbortSignal): Promise<number> {
  const parsed = parse(
    argv,
    {
      ...TRACE_OPTIONS,
      ...BATCH_OPTIONS,
      'no-visit': { type: 'boolean' },
      trace: { type: 'string' },
      workers: { type: 'string' },
      recipients: { type: 'string' },
      'fetch-pixels': { type: 'boolean' },
      'no-explore': { type: 'boolean' },
      ...SERVER_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return ExitCode.Ok;
  const [path, ...extra] = parsed.positionals;
  if (!path) throw new CliError('mail: a file, folder or - is required (see --help)');
  if (extra.length) throw new CliError('mail: one source at a time');
  checkExists(path);
  // Ctrl-C, or a reader gone away (`| head`), stops the run: static analysis too, without a stack
  // trace. Heard from the start: stdin may be a pipe still open, its first message not written yet.
  let stopped: string | null = null;
  const isStopped = () => stopped !== null;
  // What stops the running traces, once there are any.
  let stopTraces: ((reason: string) => void) | null = null;
  // A pipe (or a terminal) may never end: once stopped it is read no further. A file is read to its
  // end, each message still in it reported as not started.
  const reading = new AbortController();
  const sourceMayNotEnd = mayNeverEnd(path);
  ending.addEventListener('abort', () => reading.abort(), { once: true });
  const stopListening = onInterrupt(
    (reason) => {
      stopped ??= reason;
      if (sourceMayNotEnd) reading.abort();
      stopTraces?.(reason);
    },
    parsed.values.server !== undefined ? RUNNING_GO_ON_ON_SERVER : undefined,
  );
  ending.addEventListener('abort', stopListening, { once: true });
  if (path === '-') sayReadingTerminal('a message or an mbox');
  // An mbox is told by its content (a From_ line first), not only by its name: "inbox", stdin.
  const source = await (await import('../mail/mailbox.js')).openMailSource(path, { signal: reading.signal });
  if (source.unusable) throw new CliError(`mail: ${path}: ${source.unusable}`);
  const single = source.kind === 'message';
  const fetchPixels = parsed.values['fetch-pixels'] ?? false;
  const mode = parseMode(parsed.values['no-visit'], parsed.values.trace, single, fetchPixels);
  const workers = numberOption(parsed.values.workers, '--workers', { min: 1, max: 64 }) ?? Math.min(8, availableParallelism());
  const onServer = await serverRun(parsed.values, (line) => process.stderr.write(`clicktrace: ${clean(line)}\n`));
  if (onServer && mode.kind === 'static') throw new CliError('mail: --server goes with --trace main or --trace N');
  if (onServer && mode.kind === 'all')
    throw new CliError('mail: --server traces one link per message (--trace main or N); --trace all traces here');
  if (onServer && fetchPixels) throw new CliError('mail: --fetch-pixels traces here; it does not go with --server');
  const concurrency = onServer ? onServer.concurrency : concurrencyOption(parsed.values.concurrency);
  const json = parsed.values.json ?? false;
  const baseOptions = traceOptionsFrom(parsed.values, 'http://placeholder.invalid/', ['clicktrace', 'mail', ...argv]);
  if (parsed.values['no-explore'] && baseOptions.exploreDepth) throw new CliError('mail: --no-explore and --explore exclude each other');
  if (!onServer && (mode.kind !== 'static' || fetchPixels)) await checkUpstreamOptions(baseOptions);
  // A landing page's call-to-action is clicked unless the analyst says what to click (or not to).
  if (!parsed.values['no-explore'] && !baseOptions.clicks?.length) baseOptions.exploreDepth ??= 1;

  const [{ analyzeMessage, emptyAnalysis }, messageCase, { AnalysisPool }, recipientMaps, { BatchTally, batchSummary }, output, messages] =
    await Promise.all([
      import('../mail/parse.js'),
      import('../mail/message-case.js'),
      import('../mail/analysis-pool.js'),
      import('../mail/recipient-map.js'),
      import('../service/batch-summary.js'),
      import('./batch-output.js'),
      import('../service/messages.js'),
    ]);
  const recipientMap = loadMap(recipientMaps, parsed.values.recipients, baseOptions.outDir ?? 'cases');
  const lookFor = recipientMaps.exactAddresses(recipientMap);
  const analyzeOptions = lookFor.length ? { lookFor } : {};
  // Static analysis of many messages runs on every core; tracing is the slow part otherwise.
  const pool = mode.kind === 'static' && !fetchPixels && !single && !source.empty && workers > 1 ? new AnalysisPool(workers) : null;
  const analyze = async (item: { raw: Buffer; source: string }): Promise<MailAnalysis> => {
    if (!pool) return analyzeMessage(item.raw, item.source, analyzeOptions);
    const reply = await pool.analyze(item.raw, item.source, analyzeOptions);
    return 'analysis' in reply ? reply.analysis : emptyAnalysis(item.source, item.raw.length, [reply.error]);
  };
  const again = parsed.values.again ?? false;
  // An empty mailbox has nothing to trace: no browser, no cases folder; nor has a run stopped already.
  const tracing =
    source.empty || isStopped()
      ? null
      : onServer
        ? await startServerTracing(
            onServer.tracer,
            single ? null : { name: path === '-' ? 'stdin' : basename(resolve(path)), again, base: onServer.base },
          )
        : mode.kind !== 'static' || fetchPixels
          ? await startTracing(baseOptions, concurrency, again)
          : null;
  const tally = tracing?.batch.tally ?? new BatchTally();
  // A mailbox with --json is written as JSON Lines, a message per line as it is done (memory stays
  // flat whatever its size); a single message as one document, as before.
  const lines = json && !single;
  type Result = MessageRecord | { kind: 'error'; source: string; error: string } | { kind: 'skipped'; source: string; reason: string };
  const singleResults: Result[] = [];
  const progress = tracing && !single ? tracing.progress(() => tally.counts.messages ?? 0) : null;
  const emit = (result: Result, text: string) => {
    progress?.clear();
    if (lines) process.stdout.write(jsonText(result) + '\n');
    else if (json) singleResults.push(result);
    else process.stdout.write(text);
    progress?.update();
  };
  // A pixel URL is fetched once per run, however many messages carry it (and once per cases folder: the ledger).
  const fetchedPixels = new Set<string>();
  // After Ctrl-C every message still to come gets its line (not started): the output accounts for the whole mailbox.
  const notStarted = (item: MailSourceItem, reason: string) => {
    tally.messageNotStarted();
    emit({ kind: 'skipped', source: item.source, reason }, `== ${clean(item.source)}\nnot started (${clean(reason)})\n\n`);
  };
  // Each message's number in the mailbox: its line in the server's batch of the mailbox.
  let messageNumber = 0;
  const handle = async (item: MailSourceItem, analyzing: Promise<MailAnalysis> | null): Promise<void> => {
    const number = ++messageNumber;
    if (stopped) return notStarted(item, stopped);
    if ('error' in item) {
      tally.addMessage({ source: item.source, messageId: null, caseId: null, errors: [item.error], warnings: [] });
      emit({ kind: 'error', source: item.source, error: item.error }, `== ${clean(item.source)}\nerror: ${clean(item.error)}\n\n`);
      return;
    }
    const analysis = (await analyzing)!;
    // Stopped while it was analysed: nothing of it traced, so not started either.
    if (stopped) return notStarted(item, stopped);
    const record = messageCase.messageRecord(analysis, { recipientMap });
    const toTrace = selectLinks(mode, record.links);
    const pixels = fetchPixels ? messageCase.traceablePixels(record, fetchedPixels) : [];
    for (const pixel of pixels) fetchedPixels.add(unsliced(pixel.url));
    if (mode.kind === 'index' && toTrace.length === 0) {
      const link = record.links.find((l) => l.index === mode.index);
      analysis.errors.push(
        link
          ? `--trace ${mode.index}: link ${mode.index} is not http(s) (${truncate(link.url, 60)}); nothing traced`
          : `--trace ${mode.index}: this message has ${record.links.length} link(s)`,
      );
    }
    let text = formatMessage(record) + '\n';
    let untraced: UntracedTarget[] = [];
    const targets = [...toTrace.map(messages.linkTarget), ...pixels.map(messages.pixelTarget)];
    // Asked to trace, nothing to trace: said so, rather than a silence that reads like success; the
    // message case below records it all the same (its headers name a sending platform).
    if (mode.kind !== 'static' && toTrace.length === 0) {
      record.notTraced = !record.links.length
        ? 'no link to trace'
        : mode.kind === 'main'
          ? mainNotTraceable(record.links)
          : mode.kind === 'all'
            ? record.links.some((l) => l.unsubscribe && isTraceable(l))
              ? 'only unsubscribe links, which --trace all leaves (--trace N traces one by its number)'
              : 'no http(s) links'
            : `no http(s) link ${mode.index}`;
      if (mode.kind !== 'index') text += `Nothing traced: ${record.notTraced}\n\n`;
    }
    // With --trace main a message without a link is sent too (the server refuses what has no
    // header, link or subject as no e-mail): the server records its message case.
    const recordable = analysis.from || analysis.subject || analysis.messageId;
    if ((toTrace.length || (mode.kind === 'main' && recordable)) && tracing?.server && onServer && !tracing.batch.interrupted) {
      // The server makes the message case and traces the link on its queue: its record comes back.
      const link = mode.kind === 'index' ? mode.index : null;
      // The same link in an earlier message of this run: the server answers it with that case (its
      // ledger; never with "again", which would request it twice), and it is reported as here, a
      // duplicate of the first.
      let caseOfFirst: (caseId: string | null) => void = () => undefined;
      const first = toTrace.length
        ? tracing.batch.meet(messages.linkTarget(toTrace[0]).url, null, new Promise((resolve) => (caseOfFirst = resolve)))
        : null;
      const sent = await tracing.server.traceMessage(item.raw, {
        link,
        again: again && !first,
        clicks: parsed.values.click ?? [],
        message: number,
      });
      caseOfFirst('error' in sent || !sent.outcome || !('caseId' in sent.outcome) ? null : sent.outcome.caseId);
      // The analyst cancelled (or closed) the mailbox on the server, or the server closed it, having
      // heard nothing of this command for its lease: this message and the rest are not sent.
      const ended = 'error' in sent && sent.code ? ENDED_ON_SERVER.get(sent.code) : undefined;
      if (ended) {
        stopped ??= ended;
        return notStarted(item, stopped);
      }
      if ('error' in sent) {
        analysis.errors.push(sent.error);
        text += `error: ${clean(sent.error)}\n\n`;
      } else {
        const { job, outcome } = sent;
        const { batchEntry } = await import('../service/batch.js');
        const answered =
          outcome && first && outcome.kind === 'already-traced' && !outcome.inProgress
            ? { kind: 'duplicate' as const, line: null, url: outcome.url, of: first.line, caseId: await first.caseId }
            : outcome && batchEntry(outcome, null, outcome.url);
        const entry = answered ? tracing.batch.add({ ...answered, source: item.source }) : null;
        if (job.messageCaseId) {
          try {
            Object.assign(record, await tracing.server.messageRecord(job.messageCaseId));
          } catch (err) {
            record.case = job.messageCaseId;
            analysis.errors.push(`the message record could not be read back: ${(err as Error).message}`);
          }
        }
        if (entry) text += `${targetResult(`link ${job.link ?? toTrace[0].index}`, entry, output.formatEntry)}\n\n`;
        if (job.messageCaseId) text += `Message case: ${clean(`${onServer.base}/cases/${job.messageCaseId}`)}\n\n`;
      }
    } else if (tracing?.store && !tracing.batch.interrupted) {
      // A message with nothing to trace (no link, no pixel) is recorded too, as a message case
      // without traces: the feed report counts it and its sending platform, as the summary does.
      const store = tracing.store;
      const message = messages.openMessageCase(store, item.raw, record);
      const traced = await messages.traceMessage(store, { dir: message.dir, record, targets }, (request) =>
        tracing.batch.trace({ ...request, source: item.source }),
      );
      traced.entries.forEach((entry, i) => {
        text += `${targetResult(targets[i].label, entry, output.formatEntry)}\n\n`;
        if (entry.kind === 'trace') reportTimestamp(entry.timestamp, json);
      });
      untraced = messages.untracedTargets(targets, traced.entries);
      if (baseOptions.tsa) reportTimestamp(await messages.stampMessageCase(message.dir, baseOptions.tsa), json);
      text += `Message case: ${clean(`${baseOptions.outDir ?? 'cases'}/${message.id}`)}${message.earlier ? ' (this message, recorded before)' : ''}\n\n`;
    }
    tally.addMessage({
      source: item.source,
      messageId: analysis.messageId,
      caseId: record.case,
      errors: analysis.errors,
      warnings: analysis.warnings,
    });
    // The JSON line says which of its links got no case (the terminal said it above), so that the
    // summary's notStarted is found in the lines; message.json is left as the case recorded it.
    emit(untraced.length ? { ...record, untraced } : record, text);
  };

  const inFlight = new Set<Promise<void>>();
  // Messages being traced at once: enough to keep the pool busy, few enough to hold in memory.
  const messagesAtOnce = tracing ? Math.max(2, concurrency * 2) : 1;
  if (tracing) {
    stopTraces = (reason) => void tracing.batch.interrupt(reason, { abortRunning: abortsRunning(reason) });
    if (stopped) stopTraces(stopped);
  }
  let summary: BatchSummary;
  try {
    for await (const { item, analysis } of inOrder(source.items, analyze, pool ? pool.size * 16 : 1, () => stopped !== null)) {
      // One turn of the event loop per message: analysed here, without a pool or a trace to wait
      // for, a mailbox never yields otherwise, and Ctrl-C or a reader gone would be heard at its end.
      await nextTurn();
      // With the output closed nothing more can be said: the rest is not read.
      if ((stopped as string | null) === OUTPUT_CLOSED) break;
      // A message that could not be handled (its case unwritable, the server gone) is that message's
      // error, in its place in the output and the counts: the rest go on, and no rejection goes unheard.
      const work = handle(item, analysis).catch((err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        tally.addMessage({ source: item.source, messageId: null, caseId: null, errors: [error], warnings: [] });
        emit({ kind: 'error', source: item.source, error }, `== ${clean(item.source)}\nerror: ${clean(error)}\n\n`);
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      while (inFlight.size >= messagesAtOnce) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    // While the case index is open: the summary's aggregate reads it.
    const swept = tracing?.sweep ? await tracing.sweep : null;
    // Nothing traced (a static analysis, or an empty mailbox): the traces at once that --trace would have run.
    const idle = mode.kind !== 'static' || fetchPixels ? concurrency : 0;
    summary = tracing ? await tracing.batch.summary() : batchSummary(tally, { concurrency: idle, interrupted: stopped });
    if (swept) summary.sealedCutOff = swept.sealed.length;
    if (onServer) summary.server = onServer.base;
    if (stopped && SERVER_ENDINGS.has(stopped)) summary.interrupted ??= stopped;
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
  if (json && !lines) process.stdout.write(jsonText({ messages: singleResults }, 2) + '\n');
  else if (lines) process.stdout.write(jsonText(summary) + '\n');
  else if (!single && (tracing || mode.kind !== 'static' || fetchPixels)) process.stdout.write(output.formatSummary(summary) + '\n');
  // Ended on the server: not all of the mailbox was traced, a failure of the run (no signal's status).
  if (summary.interrupted && SERVER_ENDINGS.has(summary.interrupted)) return ExitCode.Failed;
  if (summary.interrupted) return interruptedExit(summary.interrupted);
  // The exit status is the summary's: a message that could not be read (or its asked-for link traced)
  // or a trace that failed; a message read with a warning is not a failure.
  const c = summary.counts;
  return c.messageErrors || c.failed || c.chainErrors ? ExitCode.Failed : ExitCode.Ok;
}

/** Why the messages left are not sent, by the code the server refuses a message of the mailbox with. */
const ENDED_ON_SERVER = new Map([
  ['batch-cancelled', 'the mailbox was cancelled on the server'],
  ['batch-closed', 'the mailbox was closed on the server'],
  ['batch-expired', 'the server closed the mailbox: it heard nothing of this command for longer than its lease'],
  ['batch-gone', 'the server no longer knows the mailbox (restarted on another cases folder?)'],
]);
const SERVER_ENDINGS = new Set(ENDED_ON_SERVER.values());

/**
 * A `mail --trace --server` run: each message submitted to the server, the batch for the counts and
 * the progress line. A mailbox is one batch of the server (its page named on stderr), which the
 * analyst may cancel whole.
 */
async function startServerTracing(tracer: ServerTracer, mailbox: { name: string; again: boolean; base: string } | null) {
  const [{ Batch }, { ProgressDisplay }] = await Promise.all([import('../service/batch.js'), import('./progress-line.js')]);
  const batch = new Batch(tracer);
  // Opened as its first message is ready to go, not before: its lease runs from the opening, and
  // the first message's analysis (this process warming up, seconds on a loaded machine) holds the
  // timers that renew it.
  let opening: Promise<void> | null = null;
  const open = () =>
    (opening ??= mailbox
      ? tracer.openMailbox(mailbox.name, { again: mailbox.again }).then((opened) => {
          if (opened)
            process.stderr.write(
              `clicktrace: the mailbox is batch ${opened.id} on the server: ${clean(`${mailbox.base}/batches/${opened.id}`)}\n`,
            );
        })
      : Promise.resolve());
  return {
    store: null,
    sweep: null,
    server: {
      traceMessage: async (raw: Buffer, options: { link: number | null; again: boolean; clicks: string[]; message: number }) => {
        await open();
        return tracer.traceMessage(raw, options);
      },
      messageRecord: (caseId: string) => tracer.messageRecord(caseId),
    },
    batch,
    progress: (messages: () => number) => mailboxProgress(batch, ProgressDisplay, messages),
    async close() {
      // A mailbox of which nothing was sent is a batch of the server all the same, closed at once.
      await open().catch(() => undefined);
      await tracer.closeMailbox();
    },
  };
}

/** The pool, the ledger and the batch of a `mail --trace` run. */
async function startTracing(options: TraceOptions, concurrency: number, again: boolean) {
  const [{ CaseStore }, { Tracer }, { BrowserPool }, { Batch }, { ProgressDisplay }, { sayWhenSwept }] = await Promise.all([
    import('../store/index.js'),
    import('../service/tracer.js'),
    import('../service/browser-pool.js'),
    import('../service/batch.js'),
    import('./progress-line.js'),
    import('./batch-output.js'),
  ]);
  // No browser to trace with is bad set-up, said once before anything is made, as for one URL.
  (await import('../capture/browser.js')).installedBrowserPath(options.browser);
  const store = CaseStore.open(options.outDir ?? 'cases');
  const browsers = new BrowserPool(options.browser ? { kind: options.browser } : {});
  const { url: _url, outDir: _outDir, ...defaults } = options;
  const tracer = new Tracer({ store, concurrency, browsers, trace: defaults, outDir: options.outDir ?? 'cases' });
  // Cases an earlier run left open when it died are sealed meanwhile.
  const sweep = tracer.sweepCutOff();
  sayWhenSwept(sweep, null);
  const batch = new Batch(tracer, { again, commandLine: (url) => [...(options.commandLine ?? []), `(link ${url})`] });
  return {
    store,
    server: null,
    batch,
    sweep,
    progress: (messages: () => number) => mailboxProgress(batch, ProgressDisplay, messages),
    async close() {
      await browsers.close();
      await sweep;
      store.close();
    },
  };
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

/** What happened to one traced link (or pixel) of a message, for the terminal. */
function targetResult(label: string, entry: BatchEntry, formatEntry: (entry: BatchEntry) => string): string {
  if (entry.kind === 'trace') return `Traced ${label}:\n${formatChain(entry.report, entry.caseDir)}`;
  return `${label[0].toUpperCase()}${label.slice(1)}: ${formatEntry(entry)}`;
}

function loadMap(maps: typeof RecipientMaps, file: string | undefined, casesDir: string): RecipientMaps.RecipientMap | null {
  try {
    return file ? maps.loadRecipientMap(file) : maps.casesRecipientMap(casesDir);
  } catch (err) {
    throw new CliError(`mail: recipient map: ${(err as Error).message.split('\n').join('; ')}`);
  }
}

/**
 * The source's items in order, each with its analysis already under way: up to `ahead` items are
 * read and handed to the pool before the first is consumed. The first is also given once it is
 * analysed and the source has kept the next item for STALL_MS: a feed on a pipe (`tail -f |
 * clicktrace mail -`) shows each message then, not once `ahead` more have arrived.
 */
async function* inOrder(
  items: AsyncIterable<MailSourceItem>,
  analyze: (item: { raw: Buffer; source: string }) => Promise<MailAnalysis>,
  ahead: number,
  stopped: () => boolean,
): AsyncGenerator<{ item: MailSourceItem; analysis: Promise<MailAnalysis> | null }> {
  type Entry = { item: MailSourceItem; analysis: Promise<MailAnalysis> | null; analysed: Promise<null> };
  const window: Entry[] = [];
  const iterator = items[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<MailSourceItem>> | null = null;
  let ended = false;
  try {
    for (;;) {
      next ??= iterator.next();
      const read = await (window.length ? Promise.race([next, stalled(window[0].analysed)]) : next);
      // The first is analysed and the source has kept the next item for a while: given now.
      if (read === null) {
        yield window.shift()!;
        continue;
      }
      next = null;
      if (read.done) break;
      const item = read.value;
      // Once stopped, the rest is only read (to be reported as not started), never analysed.
      const analysis = 'error' in item || stopped() ? null : analyze(item);
      const analysed = analysis ? analysis.then(nothing, nothing) : Promise.resolve(null);
      window.push({ item, analysis, analysed });
      if (window.length >= ahead) yield window.shift()!;
    }
    ended = true;
    while (window.length) yield window.shift()!;
  } finally {
    // Left early (the output closed): the source is let go, as a for-await would.
    if (!ended) void iterator.return?.(undefined).catch(nothing);
  }
}

const nothing = (): null => null;

/** How long the source may keep its next item before an analysed message is given without it (a file never keeps it so long). */
const STALL_MS = 200;

/** Null once `analysed` is and STALL_MS more have passed. */
function stalled(analysed: Promise<null>): Promise<null> {
  return analysed.then(() => new Promise<null>((resolve) => setTimeout(resolve, STALL_MS, null)));
}

function selectLinks(mode: Mode, links: AnalyzedLink[]): AnalyzedLink[] {
  const traceable = isTraceable;
  switch (mode.kind) {
    case 'static':
      return [];
    case 'main':
      return links.filter((l) => l.main && traceable(l));
    case 'all': {
      const seen = new Set<string>();
      return links.filter((l) => traceable(l) && !l.unsubscribe && !seen.has(l.url) && seen.add(l.url));
    }
    case 'index':
      return links.filter((l) => l.index === mode.index && traceable(l));
  }
}

function address(a: { name?: string | null; address?: string | null } | null | undefined): string {
  if (!a) return '-';
  return a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? '-');
}

export function formatMessage(record: MessageRecord): string {
  const a: MailAnalysis = record.analysis;
  const lines = [`== ${clean(a.source)}`];
  // Header values are the sender's: cut, so a screenful of subject does not push the links away (--json has them whole).
  lines.push(`Subject: ${clean(truncate(a.subject ?? '-', 300))}`);
  lines.push(
    `From: ${clean(truncate(address(a.from), 200))}   Reply-To: ${clean(truncate(a.replyTo.map(address).join(', ') || '-', 200))}` +
      `   Return-Path: ${clean(truncate(a.returnPath ?? '-', 200))}`,
  );
  lines.push(
    `Message-ID domain: ${clean(a.messageIdDomain ?? '-')}   DKIM: ${clean(a.dkim.map((d) => `d=${d.d ?? '?'} s=${d.s ?? '?'}`).join(', ') || 'none')}`,
  );
  if (a.esp.length) lines.push(`Sent via: ${clean(a.esp.map((e) => `${e.name} (${e.evidence[0] ?? ''})`).join('; '))}`);
  if (a.listUnsubscribe.length) lines.push(`List-Unsubscribe: ${clean(a.listUnsubscribe.join(', '))}`);
  for (const hop of [...a.received].sort((x, y) => x.hop - y.hop)) {
    const tls = hop.tls ? ` TLS${hop.tlsVersion ? ` ${clean(hop.tlsVersion)}` : ''}` : ' no TLS';
    lines.push(`Received ${hop.hop}: ${clean(hop.from ?? '?')} -> ${clean(hop.by ?? '?')} ${clean(hop.with ?? '')}${tls}`);
  }
  lines.push(...recipientLines(record));
  lines.push(`Links (${record.links.length}):`);
  for (const link of record.links) {
    const flags = [
      link.main ? 'MAIN' : null,
      // A link no one wrote as text: where it was read.
      link.kind === 'qr-code' ? `QR code in ${link.origin ?? 'an image'}` : null,
      link.kind === 'pdf' ? `PDF link in ${link.origin ?? 'a PDF'}` : null,
      link.unsubscribe ? 'unsubscribe' : null,
      link.repaired ? 'REPAIRED' : null,
      link.readings ? 'AMBIGUOUS' : null,
      link.malformed ? 'MALFORMED' : null,
      link.unfollowable ? 'UNFOLLOWABLE' : null,
      link.mismatch ? `MISMATCH shows ${link.mismatch.shownDomain}, goes to ${link.mismatch.hrefDomain}` : null,
      link.party.role !== 'unknown' ? `${link.party.role}: ${link.party.name ?? link.party.registrableDomain}` : null,
    ].filter(Boolean);
    const text = link.text ? `  "${clean(truncate(link.text, 60))}"` : '';
    lines.push(
      `  ${String(link.index).padStart(2)}  ${clean(truncate(link.url, 110))}${text}${flags.length ? `  [${clean(flags.join('; '))}]` : ''}`,
    );
    if (link.unwrap.layers.length && link.unwrap.destination && link.unwrap.destination !== link.url) {
      lines.push(`      unwraps to ${clean(truncate(link.unwrap.destination, 110))}`);
    }
    // A rebuilt or browser-read URL is the point of the line: shown whole, with what was written.
    if (link.repaired || link.malformed)
      lines.push(`      ${link.repaired ? 'rebuilt' : 'browser goes to'}: ${clean(truncate(link.url, 2000))}`);
    if (link.raw !== undefined) lines.push(`      as written: ${clean(truncate(JSON.stringify(link.raw), 400))}`);
    if (link.readings) lines.push(`      or, joined with the next line: ${clean(truncate(link.readings[1], 110))}`);
    if (link.unfollowable) lines.push(`      no browser follows it: ${clean(link.unfollowable)}`);
    for (const note of link.notes ?? []) lines.push(`      ${clean(truncate(note, 120))}`);
  }
  lines.push(...resourceLines(record.resources));
  for (const error of a.errors) lines.push(`error: ${clean(error)}`);
  // Absent in a record written before warnings were told apart from errors.
  for (const warning of a.warnings ?? []) lines.push(`warning: ${clean(warning)}`);
  return lines.join('\n');
}

const MAX_LISTED_RESOURCES = 10;

function recipientLines(record: MessageRecord): string[] {
  const lines: string[] = [];
  for (const d of record.disclosures) {
    if (!d.telling) continue;
    lines.push(`Recipient: ${clean(d.text)}`);
    lines.push(`      reached via ${clean(d.where.join(', '))}`);
  }
  const tokens = record.analysis.recipientTokens.filter((t) => !record.disclosures.some((d) => d.telling && d.address === t.address));
  for (const t of tokens) {
    const where = t.link !== null ? `link ${t.link}` : `resource ${t.resource}`;
    lines.push(`Recipient address in ${where}: ${clean(t.address)} (${clean(t.field)})`);
  }
  return lines;
}

function resourceLines(resources: AnalyzedResource[]): string[] {
  if (resources.length === 0) return [];
  const pixels = resources.filter((r) => r.pixel);
  const lines = [`Remote content (${resources.length}, ${pixels.length} tracking pixel(s); nothing fetched):`];
  // Pixels first, then the rest in document order, up to a screenful.
  const shown = [...pixels, ...resources.filter((r) => !r.pixel)].slice(0, Math.max(MAX_LISTED_RESOURCES, pixels.length));
  for (const r of shown) {
    const size = r.width !== null || r.height !== null ? ` ${r.width ?? '?'}x${r.height ?? '?'}` : '';
    const flags = [
      r.pixel ? `PIXEL: ${r.pixel.rules.join(', ')}${r.pixel.tracker ? ` (${r.pixel.tracker.label})` : ''}` : null,
      r.party.role !== 'unknown'
        ? `${r.party.role}: ${r.party.name ?? r.party.registrableDomain}`
        : r.pixel
          ? `party: ${r.party.registrableDomain ?? 'unknown'} (unattributed)`
          : null,
      r.attachment ? `in ${r.attachment}` : null,
    ].filter(Boolean);
    lines.push(
      `  R${String(r.index).padEnd(3)} ${r.kind}${size}  ${clean(truncate(r.url, 100))}${flags.length ? `  [${clean(flags.join('; '))}]` : ''}`,
    );
  }
  if (resources.length > shown.length) lines.push(`  … ${resources.length - shown.length} more (--json lists all)`);
  return lines;
}

/** Why --trace main traces nothing in a message that has links: its call-to-action is no web link, or it has none. */
function mainNotTraceable(links: readonly { main: boolean; index: number; url: string }[]): string {
  const main = links.find((l) => l.main);
  return main
    ? `its call-to-action is link ${main.index}, ${clean(truncate(main.url, 60))}: not http(s), nothing to trace`
    : 'no http(s) call-to-action (--trace N picks a link by its number)';
}
