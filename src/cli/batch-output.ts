// What a batch prints: one line (or two) per result as it finishes, the summary table at the end;
// with --json, JSON Lines: one object per result, the summary last. Values from the network go
// through clean() on the terminal.
import type { BatchEntry } from '../service/batch.js';
import { MISSING_CASE, type EarlierEnding } from '../service/tracer.js';
import type { BatchSummary } from '../service/batch-summary.js';
import { clean, truncate } from '../terminal-text.js';
import { formatFeedText } from '../feed/format-text.js';
import { sweepNote, type SweepResult } from '../service/cut-off-sweep.js';

/** Says once on stderr what the start-of-run sweep of cut-off cases did, when it is done (nothing when it did nothing). */
export function sayWhenSwept(sweep: Promise<SweepResult>, progress: { clear(): void; update(): void } | null): void {
  void sweep.then((result) => {
    const note = sweepNote(result);
    if (!note) return;
    progress?.clear();
    process.stderr.write(`clicktrace: ${note}\n`);
    progress?.update();
  });
}

/** The JSON Lines record of a result: a trace is its report (as `trace --json` prints it) with `kind` and `line`. */
export function entryJson(entry: BatchEntry): object {
  const written = { ...(entry.given !== undefined ? { given: entry.given } : {}), ...(entry.refanged ? { refanged: entry.refanged } : {}) };
  return { ...record(entry), ...written };
}

function record(entry: BatchEntry): object {
  switch (entry.kind) {
    case 'trace':
      return { kind: 'trace', line: entry.line, ...entry.report };
    case 'already-traced':
      return {
        kind: entry.kind,
        line: entry.line,
        url: entry.url,
        case: entry.caseId,
        ...(entry.inProgress ? { inProgress: true } : {}),
        ...(entry.caseMissing ? { caseMissing: true } : {}),
        ...(entry.earlier ? { partial: entry.earlier.partial, error: entry.earlier.error } : {}),
      };
    case 'duplicate':
      return { kind: entry.kind, line: entry.line, url: entry.url, of: entry.of, case: entry.caseId };
    case 'failed':
      return { kind: entry.kind, line: entry.line, url: entry.url, case: entry.caseId, error: entry.error };
    case 'skipped':
      return { kind: entry.kind, line: entry.line, url: entry.url, reason: entry.reason };
    case 'invalid':
      return { kind: entry.kind, line: entry.line, text: entry.text, error: entry.error };
  }
}

const where = (line: number | null) => (line === null ? '' : `line ${line}  `);

/** One result for the terminal, with how its URL was written when it was taken out of other text. */
export function formatEntry(entry: BatchEntry): string {
  const written =
    entry.given === undefined || entry.kind === 'invalid'
      ? ''
      : `\n        ${entry.refanged ? `refanged (${entry.refanged.join(' ')}) from` : 'given as'} ${clean(truncate(entry.given, 160))}`;
  return resultLine(entry) + written;
}

function resultLine(entry: BatchEntry): string {
  const at = where(entry.line);
  switch (entry.kind) {
    case 'trace': {
      const { report } = entry;
      const title = report.final?.title ? ` "${clean(truncate(report.final.title, 60))}"` : '';
      const final = report.final
        ? `-> ${clean(truncate(report.final.url, 90))} (${report.final.status ?? 'no status'})${title}`
        : '-> (no page)';
      const lines = [
        `${at}${report.error ? 'ERROR' : 'done '}  ${clean(truncate(entry.url, 90))}  ${final}  ${report.hops.length} hop(s)  case ${clean(entry.caseId)}`,
      ];
      if (report.summary) lines.push(`        who: ${clean(truncate(report.summary.text, 200))}`);
      if (report.error) lines.push(`        error: ${clean(truncate(report.error, 200))}`);
      return lines.join('\n');
    }
    case 'already-traced':
      return entry.inProgress
        ? `${at}busy   ${clean(truncate(entry.url, 110))}: being traced right now by another clicktrace; not requested twice`
        : `${at}already traced  ${clean(truncate(entry.url, 110))}: case ${clean(entry.caseId ?? '?')}` +
            `${entry.caseMissing ? ` (${MISSING_CASE})` : ''}${earlierNote(entry.earlier)}; not requested again (--again traces it anew)`;
    case 'duplicate': {
      const earlier = entry.of === null ? 'an earlier one' : `line ${entry.of}`;
      return `${at}duplicate  ${clean(truncate(entry.url, 110))}: same URL as ${earlier}, case ${clean(entry.caseId ?? '-')}`;
    }
    case 'failed':
      return `${at}FAILED ${clean(truncate(entry.url, 110))}: ${clean(entry.error)}${entry.caseId ? `  case ${clean(entry.caseId)}` : ''}`;
    case 'skipped':
      return `${at}not started  ${clean(truncate(entry.url, 110))} (${clean(entry.reason)})`;
    case 'invalid':
      return `${at}invalid  ${clean(truncate(entry.error, 160))}`;
  }
}

/** The summary table at the end of a batch. */
export function formatSummary(summary: BatchSummary): string {
  const c = summary.counts;
  const lines: string[] = [''];
  if (summary.interrupted) lines.push(`Interrupted: ${clean(summary.interrupted)}`);
  const counts = [
    `${c.traced} traced${c.chainErrors ? ` (${c.chainErrors} ended with an error)` : ''}`,
    c.failed ? `${c.failed} failed` : null,
    c.duplicates ? `${c.duplicates} duplicate(s)` : null,
    c.alreadyTraced ? `${c.alreadyTraced} already traced (not requested again)` : null,
    c.invalid ? `${c.invalid} line(s) not a URL` : null,
    c.notStarted ? `${c.notStarted} not started` : null,
    c.messages !== undefined
      ? `${c.messages} message(s)${c.messageErrors ? `, ${c.messageErrors} with errors` : ''}` +
        `${c.messageWarnings ? `, ${c.messageWarnings} read with warnings` : ''}`
      : null,
    c.messagesNotStarted ? `${c.messagesNotStarted} message(s) not started` : null,
  ].filter(Boolean);
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  const rate = summary.tracesPerSecond.toFixed(2);
  const ranOn = summary.server ? `on ${clean(summary.server)}` : `at concurrency ${summary.concurrency}`;
  lines.push(`Summary: ${counts.join(', ')}; ${seconds} s, ${rate} traces/s ${ranOn}`);
  if (summary.failures.length) {
    lines.push('Failures:');
    for (const f of summary.failures) {
      const inCase = f.case ? `  (case ${clean(f.case)})` : '';
      const at = f.line === null && f.source ? `${clean(f.source)}  ` : where(f.line);
      const what = f.url ?? (f.messageId ? `message ${f.messageId}` : 'message');
      // A line that is no URL is quoted by its error already: `line 3  not a URL (...): "foo"`.
      const quoted = f.url !== undefined && f.error.includes(`"${f.url}"`);
      lines.push(`  ${at}${quoted ? '' : `${clean(truncate(what, 90))}: `}${clean(truncate(f.error, 120))}${inCase}`);
    }
    const listed = summary.failures.length;
    const total = c.chainErrors + c.failed + c.invalid + (c.messageErrors ?? 0);
    if (total > listed) lines.push(`  … and ${total - listed} more`);
  }
  if (summary.aggregate && summary.aggregate.cases > 0) {
    lines.push('', 'Who is responsible (the cases of this batch, as clicktrace report sums them up):');
    lines.push(formatFeedText(summary.aggregate));
  }
  return lines.join('\n');
}

/** How the earlier trace of a link ended, when it was not a plain success. */
function earlierNote(earlier: EarlierEnding | undefined): string {
  if (!earlier) return '';
  // A cut-off case's error says "partial: ..." itself: said once.
  const saysPartial = earlier.error?.startsWith('partial') ?? false;
  const how = [earlier.partial && !saysPartial ? 'partial' : null, earlier.error ? clean(truncate(earlier.error, 100)) : null].filter(
    Boolean,
  );
  return ` (it ended ${how.join(': ')})`;
}
