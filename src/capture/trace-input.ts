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

/**
 * A link as its server sees it, for "the same link" (requested once per cases folder, traced once
 * per batch): the normalised href (parseTraceUrl's) without its #fragment, which is never sent.
 * Two URLs that differ only there are one request: the second would spend a single-use link again.
 */
export function requestKey(href: string): string {
  const hash = href.indexOf('#');
  return hash < 0 ? href : href.slice(0, hash);
}
