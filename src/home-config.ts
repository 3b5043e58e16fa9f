// The clicktrace home's settings file, `$CLICKTRACE_HOME/config.json` (default
// `~/.clicktrace/config.json`): defaults an operator sets once instead of on every command line.
//
//   { "tsa": { "url": "https://tsa.example/tsr", "ca": "/etc/clicktrace/tsa-ca.pem" },
//     "abuse": { "from": "Abuse desk <abuse-desk@example.org>" } }
//
// A missing file means no settings; a file that is not valid JSON, or a setting of the wrong
// type, is a ConfigError (one line naming the file), never silently ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clicktraceHome } from './home.js';
import { UserError } from './errors.js';

export interface HomeConfig {
  /** RFC 3161 time-stamping authority asked for a token whenever a case is sealed. */
  tsa?: { url: string; ca?: string };
  /** Defaults of `clicktrace abuse`. */
  abuse?: { from?: string };
}

export class ConfigError extends UserError {
  override readonly name = 'ConfigError';
}

export function homeConfigPath(): string {
  return join(clicktraceHome(), 'config.json');
}

export function readHomeConfig(path = homeConfigPath()): HomeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`${path}: cannot read (${(err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const problem = checkConfig(data);
  if (problem) throw new ConfigError(`${path}: ${problem}`);
  return data as HomeConfig;
}

/** What is wrong with a parsed config, or null. Unknown keys are left alone (other settings may live there). */
export function checkConfig(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'expected a JSON object';
  const { tsa, abuse } = data as Record<string, unknown>;
  if (tsa !== undefined) {
    if (typeof tsa !== 'object' || tsa === null) return '"tsa" must be an object { "url": ..., "ca": ... }';
    const { url, ca } = tsa as Record<string, unknown>;
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return '"tsa.url" must be an http or https URL';
    if (ca !== undefined && typeof ca !== 'string') return '"tsa.ca" must be the path of a PEM file';
  }
  if (abuse !== undefined) {
    if (typeof abuse !== 'object' || abuse === null) return '"abuse" must be an object';
    const { from } = abuse as Record<string, unknown>;
    if (from !== undefined && typeof from !== 'string') return '"abuse.from" must be an address';
  }
  return null;
}
