// Pieces shared by the importers of foreign captures (HAR, mitmproxy flows).
import type { Capture, CaptureInfo, Exchange } from '../model.js';
import { EvidenceError } from '../evidence/errors.js';

/** A file that cannot be imported; the message is one line naming the file and the problem. */
export class ImportError extends EvidenceError {}

export function exchangeId(index: number): string {
  return `x${String(index + 1).padStart(4, '0')}`;
}

export function isoFromEpochSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** Orders items by request start; stable, so equal times keep file order. */
export function sortByStart<T>(items: T[], startedAt: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => startedAt(a.item).localeCompare(startedAt(b.item)) || a.i - b.i)
    .map(({ item }) => item);
}

export function importedCaptureInfo(fields: {
  tool: CaptureInfo['tool'];
  browser: CaptureInfo['browser'];
  url: string | null;
  exchanges: Exchange[];
  partial: boolean;
  error: string | null;
}): CaptureInfo {
  const starts = fields.exchanges.map((x) => x.startedAt).sort();
  const ends = fields.exchanges.map((x) => x.endedAt ?? x.startedAt).sort();
  return {
    tool: fields.tool,
    browser: fields.browser,
    identity: null,
    url: fields.url,
    mode: 'import',
    commandLine: [],
    resolver: { overrides: [], dnsServer: null },
    clicks: [],
    startedAt: starts[0] ?? new Date(0).toISOString(),
    endedAt: ends.at(-1) ?? null,
    error: fields.error,
    partial: fields.partial,
  };
}

export function assembleCapture(info: CaptureInfo, exchanges: Exchange[], events: Capture['events']): Capture {
  return { info, exchanges, events, pages: [], dns: [] };
}
