// What a trace starts from, kept apart from trace.ts so the command line can check its input
// (and start Chromium) before the capture code loads.
import { UsageError } from '../errors.js';

export const DEFAULTS = { timeoutMs: 60_000, settleMs: 6_000, maxHops: 50, outDir: 'cases' } as const;

/** Validates the target before anything is launched or written. */
export function parseTraceUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UsageError(`not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`only http and https links can be traced, not ${parsed.protocol}`);
  }
  return parsed;
}
