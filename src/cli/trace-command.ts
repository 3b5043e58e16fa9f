import { parse, CliError, indexCases } from './command.js';
import { TRACE_OPTIONS, TRACE_OPTIONS_HELP, traceOptionsFrom } from './trace-options.js';
import { formatChain } from './format.js';
import { clean } from './terminal.js';
import { reportTimestamp } from './tsa-option.js';
// Static, not lazy: both are small, and Chromium is spawned as early as the options allow.
import { parseTraceUrl } from '../capture/trace-input.js';
import { prelaunchBrowser, discardPrelaunched } from '../capture/browser.js';
import { ExitCode } from '../errors.js';
import type { TraceResult } from '../capture/trace.js';

const HELP = `usage: clicktrace trace <url> [options]

Follows the link in Chromium behind clicktrace's recording proxy until the page settles,
requesting it exactly once, and writes the case (WARC, HAR, WACZ, screenshots, report).
Exit status: 0 when the chain ended on a page, 1 when it ended with an error (the case is
still written), 2 for bad input, 130 or 143 when stopped by Ctrl-C (SIGINT) or SIGTERM: the
trace stops where it is and the case is written with that reason (a second signal ends at once).

options:${TRACE_OPTIONS_HELP}
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parse(argv, TRACE_OPTIONS, HELP);
  if (!parsed) return ExitCode.Ok;
  const [url, ...extra] = parsed.positionals;
  if (!url) throw new CliError('trace: a URL is required (see --help)');
  if (extra.length) throw new CliError(`trace: one URL at a time (got also "${extra[0]}")`);
  const options = traceOptionsFrom(parsed.values, url, ['clicktrace', 'trace', ...argv]);
  parseTraceUrl(url);
  // Chromium boots while the rest of clicktrace loads; bad input above has not started it.
  prelaunchBrowser(options.browser);
  const json = parsed.values.json ?? false;
  const interrupt = interruptible();
  let result: TraceResult;
  try {
    const { trace } = await import('../capture/trace.js');
    result = await trace({
      ...options,
      signal: interrupt.signal,
      onProgress:
        json || !process.stderr.isTTY
          ? undefined
          : (e) => process.stderr.write(`\r\x1b[K${clean(e.kind)}: ${clean(e.detail).slice(0, 100)}`),
    });
  } finally {
    interrupt.done();
    await discardPrelaunched();
  }
  if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  await indexCases(result.caseDir);
  if (json) process.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
  else process.stdout.write(formatChain(result.report, result.caseDir) + '\n');
  reportTimestamp(result.timestamp, json);
  if (interrupt.signal.aborted) return interrupt.signal.reason === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
  return result.report.error ? ExitCode.Failed : ExitCode.Ok;
}

/**
 * SIGINT and SIGTERM stop the trace where it is (its case is still written, saying why); a
 * second one ends clicktrace at once, and Chromium with it (see ../capture/chromium-process.ts).
 */
function interruptible(): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    done: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
