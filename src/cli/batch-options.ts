// Options of the commands that trace many links (trace with many URLs, mail --trace, serve).
import { BYTES_PER_TRACE, TRACES_PER_CORE, defaultConcurrency } from '../service/defaults.js';
import { numberOption } from './command.js';

export const MAX_CONCURRENCY = 32;

/** The default, as --help says it: its value here and the rule it comes from. */
export const CONCURRENCY_HELP =
  `${defaultConcurrency()} here: ${TRACES_PER_CORE} per core,\n` +
  `${' '.repeat(29)}at most one per ${BYTES_PER_TRACE / 1024 / 1024} MB of free memory`;

export const BATCH_OPTIONS = {
  concurrency: { type: 'string' },
  again: { type: 'boolean' },
} as const;

export const BATCH_OPTIONS_HELP = `
  --concurrency N            traces running at once (1 to ${MAX_CONCURRENCY}), each in its own browser
                             context of one Chromium (default ${CONCURRENCY_HELP})
  --again                    trace links this cases folder has traced before (by default a link
                             is requested only once per cases folder, across runs and crashes:
                             it is reported as already traced, with its case)`;

export function concurrencyOption(value: string | undefined): number {
  return numberOption(value, '--concurrency', { min: 1, max: MAX_CONCURRENCY }) ?? defaultConcurrency();
}
