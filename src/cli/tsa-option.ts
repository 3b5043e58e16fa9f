// `--tsa URL`: which RFC 3161 time-stamping authority seals a case, for every command that seals
// one. Without the option, the "tsa" setting of the clicktrace home's config.json applies.
import { readHomeConfig } from '../home-config.js';
import type { TimestampOutcome, TsaSettings } from '../timestamp/case-timestamp.js';
import { CliError } from './command.js';
import { clean } from '../terminal-text.js';

export const TSA_OPTION_HELP = `  --tsa URL          RFC 3161 time-stamping authority asked for a token over the manifest when
                     the case is sealed (default: "tsa" of ~/.clicktrace/config.json; none: never)`;

/** The TSA to use: `--tsa URL`, `--tsa none`, or the home config's setting; null for none. */
export function tsaSettings(option: string | undefined): TsaSettings | null {
  if (option !== undefined && /^(none|off)$/i.test(option)) return null;
  const configured = readHomeConfig().tsa;
  if (option === undefined) return configured ? { url: configured.url, ca: configured.ca ?? null } : null;
  let url: URL;
  try {
    url = new URL(option);
  } catch {
    throw new CliError(`--tsa: expected an http or https URL, or none, got "${option}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--tsa: expected an http or https URL, got "${option}"`);
  return { url: url.href, ca: configured?.ca ?? null };
}

/** One line for the terminal about a token asked for at sealing. */
export function describeTimestamp(outcome: TimestampOutcome): string {
  return outcome.ok
    ? `Timestamp: ${outcome.token.time} from ${outcome.tsa}${outcome.token.signer ? ` (${outcome.token.signer})` : ''}`
    : `Timestamp: FAILED (${outcome.error}); the case is sealed without one`;
}

/** The token's time on stdout; a failure on stderr, also with --json (the case is sealed without one). */
export function reportTimestamp(outcome: TimestampOutcome | null, json: boolean): void {
  if (!outcome) return;
  const line = `${clean(describeTimestamp(outcome))}\n`;
  if (!outcome.ok) process.stderr.write(`clicktrace: ${line}`);
  else if (!json) process.stdout.write(line);
}

/** CaseWriter options that timestamp the case once sealed, and the outcome afterwards. */
export function timestampOnSeal(settings: TsaSettings | null): {
  writerOptions: { onSealed?: (dir: string) => Promise<void> };
  outcome: () => TimestampOutcome | null;
} {
  let outcome: TimestampOutcome | null = null;
  if (!settings) return { writerOptions: {}, outcome: () => null };
  const onSealed = async (dir: string) => {
    outcome = await (await import('../timestamp/case-timestamp.js')).stampCase(dir, settings);
  };
  return { writerOptions: { onSealed }, outcome: () => outcome };
}
