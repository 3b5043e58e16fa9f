// How a chain ended, from its evidence: on a page that rendered and that the chain rested on, in
// a redirect loop, on a file download, or with an error. Only the first makes the owner of the
// final page the advertiser: a loop, a download or an error names no one (see summary.ts).
import { normalizeInputUrl } from './unwrap/url-text.js';
import { hostOf } from '../http/host.js';
import { chainHops } from './tabs.js';
import type { Report } from '../report.js';

export type ChainEnding =
  | { kind: 'page' }
  | { kind: 'loop'; url: string; times: number; hop: number; hosts: string[] }
  | { kind: 'download'; url: string; filename: string | null; hop: number }
  | { kind: 'error'; reason: string; hop: number };

export interface EndingEvidence {
  hops: { index: number; url: string; status: number | null; error?: string | null }[];
  /** Why the capture stopped early (the report's `error`), if it did. */
  error?: string | null;
  /** The file download the capture recorded, if it ended on one. */
  download?: { url: string; filename: string | null } | null;
  /** The page the chain rested on (the report's `final`): a title only when a snapshot of it was taken. */
  final?: { url: string; title: string | null } | null;
  /** Whether a page of the chain asked for the about:blank it rested on (else it went back in history to the tab's start). */
  blankRequested?: boolean;
}

/**
 * A trace of a message's open pixel (`mail --fetch-pixels`) rests on the pixel's image: whatever
 * the browser shows of it, no landing page the message sent anyone to, and its owner no advertiser.
 */
export function isPixelFetch(report: { message?: { resource?: number } | null }): boolean {
  return report.message?.resource !== undefined;
}

/** How a report's chain ended: its own hops (not another tab's), its error, download and final page. */
export function reportChainEnding(report: Pick<Report, 'hops' | 'error' | 'events' | 'final'>): ChainEnding | null {
  const download = report.events.find((e) => e.kind === 'download');
  return chainEnding({
    hops: chainHops(report.hops),
    error: report.error,
    download: download ? { url: '', filename: null } : null,
    final: report.final,
  });
}

/**
 * The chain rested on a page, as the analysis decided when it named (or did not name) the
 * advertiser: the same rule for the case index (so that the feed report counts the parties
 * `clicktrace analyze` shows) and the abuse drafts. An imported capture (no snapshot) counts when
 * its last response was a page; a trace stopped by a page that never finished loading or a --click
 * that found nothing rested on its page all the same. A partial case (cut off, still marked
 * PARTIAL; `partial` when its folder says so) never counts, nor a trace of an open pixel.
 */
export function endedOnPage(report: Report, partial = false): boolean {
  if (partial || report.partial || isPixelFetch(report)) return false;
  return reportChainEnding(report)?.kind === 'page';
}

/** How often a URL comes round before the tracer calls the chain a loop and stops it (capture/trace-pages.ts). */
const LOOP_REQUESTS = 3;

// Reasons a trace gives for stopping (capture/trace.ts) that leave the chain resting on a page
// that rendered: its load event never came, or a --click found nothing to click on it.
const RESTED_ANYWAY = /^(page did not finish loading|click):/;

// A navigation answered 204 No Content or 205 Reset Content loads nothing: the browser stays on
// the page it was on (the HTML standard's navigate algorithm), so no page of that host is shown.
const NO_CONTENT = new Set([204, 205]);

export function chainEnding(evidence: EndingEvidence): ChainEnding | null {
  const { hops } = evidence;
  const last = hops.at(-1);
  if (!last) return null;
  if (evidence.download) {
    const hop = [...hops].reverse().find((h) => h.url === evidence.download!.url) ?? last;
    return { kind: 'download', url: evidence.download.url, filename: evidence.download.filename, hop: hop.index };
  }
  const seen = new Map<string, number>();
  for (const hop of hops) {
    const times = (seen.get(hop.url) ?? 0) + 1;
    seen.set(hop.url, times);
    if (times >= LOOP_REQUESTS) {
      const first = hops.findIndex((h) => h.url === hop.url);
      const hosts = [...new Set(hops.slice(first).map((h) => hostOf(normalizeInputUrl(h.url)) ?? h.url))];
      return { kind: 'loop', url: hop.url, times, hop: hop.index, hosts };
    }
  }
  if (last.status !== null && NO_CONTENT.has(last.status) && !last.error)
    return { kind: 'error', reason: `HTTP ${last.status}: no content, nothing replaced the page`, hop: last.index };
  // A 304 Not Modified tells a browser to show the copy it holds. A trace's browser context starts
  // with none, so an address the chain had not requested before had no copy to show: Chromium
  // drops the answer (no page commits, no error page) and the tab stays on what it showed. One the
  // chain requested before may have been asked conditionally (Chromium revalidates its copy): the
  // copy it showed, when a snapshot of that address was taken, is the page the chain rested on.
  let revalidated = false;
  if (last.status === 304 && !last.error) {
    if (!hops.slice(0, -1).some((h) => h.url === last.url))
      return {
        kind: 'error',
        reason: 'HTTP 304: not modified, but the browser had no copy to show; nothing replaced the page',
        hop: last.index,
      };
    revalidated = evidence.final?.url === last.url && evidence.final.title !== null;
  }
  const rendered = (last.status !== null && last.status >= 200 && last.status < 300 && !last.error) || revalidated;
  if (!rendered) {
    const reason = evidence.error ?? last.error ?? (last.status === null ? 'no response' : statusReason(last.status));
    return { kind: 'error', reason, hop: last.index };
  }
  if (evidence.error && !RESTED_ANYWAY.test(evidence.error)) return { kind: 'error', reason: evidence.error, hop: last.index };
  // The last page's script sent the tab to about:blank, or back in history to the tab's empty start
  // (no request either way): it rests on an empty page of no one's.
  if (evidence.final?.url === 'about:blank' && /^https?:/i.test(last.url))
    return {
      kind: 'error',
      reason:
        evidence.blankRequested === false
          ? "its page went back in history, to the tab's empty start page (about:blank)"
          : 'its page sent the tab to about:blank, an empty page',
      hop: last.index,
    };
  return { kind: 'page' };
}

/**
 * Why a page answered with `status` is no landing page. A 3xx the browser did not follow (the chain
 * ended on it) had no Location it could follow, or is a 300, which no browser follows: it showed
 * the body, and that body is the redirector's, not a landing page.
 */
function statusReason(status: number): string {
  if (status === 300) return 'HTTP 300 Multiple Choices: a browser does not follow it, it showed its body';
  if (status >= 301 && status < 400 && status !== 304) return `HTTP ${status} without a Location to follow: the browser showed its body`;
  return `HTTP ${status}`;
}
