// Shared plumbing of the commands: argument parsing with clear one-line errors, and the rule
// that bad input ends with a message and a non-zero exit, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, UserError } from '../errors.js';
import { clean } from '../terminal-text.js';

/** A problem with the command line: printed as one line, exit code 2 unless said otherwise. */
export class CliError extends UserError {}

export async function runCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`clicktrace: ${clean(err.message.split('\n')[0])}\n`);
      return err.exitCode;
    }
    const error = err as Error | undefined;
    process.stderr.write(`clicktrace: internal error: ${clean(error?.message?.split('\n')[0] ?? String(err))}\n`);
    if (process.env.CLICKTRACE_DEBUG) process.stderr.write(`${error?.stack ?? ''}\n`);
    return ExitCode.Internal;
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  help: string,
  allowPositionals = true,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError(`${parseErrorText(err as Error, argv, options)} (see --help)`);
  }
  if ((parsed.values as Record<string, unknown>).help) {
    process.stdout.write(help.trimEnd() + '\n');
    return null;
  }
  return parsed;
}

/**
 * node's parseArgs refuses an option value that starts with "-" as "argument is ambiguous" (is
 * `--timeout -5` a value, or a forgotten one before another option?): say so in our words.
 */
function parseErrorText(err: Error, argv: string[], options: NonNullable<ParseArgsConfig['options']>): string {
  const first = err.message.split('\n')[0];
  const ambiguous = /^Option '(-[^' ]+)' argument is ambiguous\.?$/.exec(first);
  if (!ambiguous) return first;
  const given = ambiguous[1];
  const long = given.startsWith('--') ? given : `--${Object.keys(options).find((name) => options[name].short === given.slice(1)) ?? given}`;
  const next = argv[argv.indexOf(given) + 1] ?? '';
  return `${long}: a value is required; "${next}" looks like an option (write ${long}=${next} if it is the value)`;
}

export function numberOption(
  value: string | undefined,
  name: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = true } = {},
): number | undefined {
  if (value === undefined) return undefined;
  // Decimal digits only: Number() alone would also take "0x10", "1e3", "0b11" and "Infinity".
  const n = (integer ? /^\s*\d+\s*$/ : /^\s*(\d+(\.\d*)?|\.\d+)\s*$/).test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new CliError(`${name}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/**
 * Indexes freshly written case folders into the store of their cases folder, when that folder
 * has one (serve and reindex create it; serve also picks up new folders itself). Never fails.
 */
export async function indexCases(...caseDirs: string[]): Promise<void> {
  try {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { DATABASE_FILE } = await import('../store/paths.js');
    const indexed = caseDirs.filter((dir) => fs.existsSync(path.join(path.dirname(dir), DATABASE_FILE)));
    if (indexed.length === 0) return;
    const { indexCaseFolder } = await import('../store/index.js');
    for (const dir of indexed) indexCaseFolder(dir);
  } catch {
    // The index can always be rebuilt with `clicktrace reindex`.
  }
}
