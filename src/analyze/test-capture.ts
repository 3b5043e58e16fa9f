// Builders of recorded captures for the analysis's unit tests: navigation events by hand, as the
// capture writes them, so a chain is derived from events alone.
import { emptyCapture, type Capture, type NavEvent } from '../model.js';
import { TOOL } from '../version.js';

/** The time `n` seconds into the capture. */
export const at = (n: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

/** A document request of page p1 at second `n`. */
export function doc(n: number, requestId: string, url: string, extra: Partial<Extract<NavEvent, { type: 'doc-request' }>> = {}): NavEvent {
  return {
    type: 'doc-request',
    at: at(n),
    pageId: 'p1',
    requestId,
    url,
    method: 'GET',
    redirectStatus: null,
    redirectLocation: null,
    initiator: { type: 'other', url: null, line: null, column: null },
    hasUserGesture: false,
    ...extra,
  };
}

/** A capture of `url` whose page p1 opens at second 0, then `events`. */
export function captureOf(url: string, events: NavEvent[]): Capture {
  const c = emptyCapture({
    tool: TOOL,
    browser: null,
    identity: null,
    url,
    mode: 'trace',
    commandLine: [],
    resolver: { overrides: [], dnsServer: null },
    clicks: [],
    startedAt: at(0),
    endedAt: at(30),
    error: null,
    partial: false,
  });
  c.events.push({ type: 'page', at: at(0), pageId: 'p1', openerPageId: null }, ...events);
  return c;
}
