import { homedir } from 'node:os';
import { join } from 'node:path';

/** clicktrace's own state folder: $CLICKTRACE_HOME (when set and not empty), else ~/.clicktrace. */
export function clicktraceHome(): string {
  return process.env.CLICKTRACE_HOME || join(homedir(), '.clicktrace');
}
