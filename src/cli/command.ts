// Shared plumbing of the commands: argument parsing with clear one-line errors, and the rule
// that bad input ends with a message and a non-zero exit, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { clean } from './terminal.js';

/** A problem with the user's input: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

const USER_ERRORS = new Set([
  'UsageError',
  'ImportError',
  'EvidenceError',
  'BrowserMissingError',
  'MailError',
  'ResolveError',
  'ConfigError',
]);

export async function runCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const error = err as Error & { code?: string; exitCode?: number };
    if (err instanceof CliError) {
      process.stderr.write(`clicktrace: ${clean(error.message)}\n`);
      return error.exitCode ?? 2;
    }
    if (USER_ERRORS.has(error?.constructor?.name) || error?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`clicktrace: ${clean(error.message.split('\n')[0])}\n`);
      return 2;
    }
    process.stderr.write(`clicktrace: internal error: ${clean(error?.message?.split('\n')[0] ?? String(err))}\n`);
    if (process.env.CLICKTRACE_DEBUG) process.stderr.write(`${error?.stack ?? ''}\n`);
    return 3;
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
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  if ((parsed.values as Record<string, unknown>).help) {
    process.stdout.write(help.trimEnd() + '\n');
    return null;
  }
  return parsed;
}

export function numberOption(
  value: string | undefined,
  name: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = true } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
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
    const { existsSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const { DATABASE_FILE } = await import('../store/paths.js');
    const indexed = caseDirs.filter((dir) => existsSync(join(dirname(dir), DATABASE_FILE)));
    if (indexed.length === 0) return;
    const { indexCaseFolder } = await import('../store/index.js');
    for (const dir of indexed) indexCaseFolder(dir);
  } catch {
    // The index can always be rebuilt with `clicktrace reindex`.
  }
}
