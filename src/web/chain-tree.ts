// The chain as a tree, the way Lookyloo draws a capture: from the link to the final page, each
// document under the one it came from (a popup under the page that opened it, a click or an
// explore step under the page clicked), each page's frames and third-party hosts beneath it; and
// the exchanges as a timing waterfall. Pure functions of the recorded capture and its report.
import type { Capture, Exchange } from '../model.js';
import type { Hop, Report, Via } from '../report.js';
import { headerValue } from '../http/wire.js';
import { hostOf } from '../http/host.js';
import { withoutFragment } from '../http/url-key.js';
import { registrableDomain } from '../store/index.js';

export interface TreeHost {
  host: string;
  requests: number;
}

export interface TreeNode {
  hop: number;
  /** The hop this document came from; null for the link itself. */
  parent: number | null;
  depth: number;
  via: Via;
  /** How the edge from the parent is labelled ("302", "meta refresh", "click “Find out more”"). */
  edge: string;
  url: string;
  host: string;
  status: number | null;
  role: string | null;
  party: string | null;
  error: string | null;
  /** The document is a file the browser downloaded. */
  download: boolean;
  /** Frames of the page (documents requested with Sec-Fetch-Dest iframe/frame). */
  frames: string[];
  /** Hosts of other registrable domains the page loaded from, most requests first. */
  thirdParty: TreeHost[];
  /** Requests to the page's own registrable domain. */
  ownRequests: number;
}

export interface WaterfallRow {
  exchange: string;
  method: string;
  url: string;
  status: number | null;
  error: string | null;
  /** The hop this exchange carried, or null for a subresource. */
  hop: number | null;
  /** Milliseconds from the first request's start. */
  start: number;
  total: number | null;
  dns: number | null;
  connect: number | null;
  ttfb: number | null;
}

const VIA_WORDS: Partial<Record<Via, string>> = {
  start: 'link',
  'refresh-header': 'Refresh header',
  'meta-refresh': 'meta refresh',
  javascript: 'script',
  'form-get': 'form (GET)',
  'form-post': 'form (POST)',
  'frame-top': 'frame → top',
  'frame-src': 'whole-window frame',
  popup: 'popup',
  history: 'history back/forward',
  click: 'click',
  other: 'navigation',
};

export function edgeLabel(hop: Hop): string {
  const inFrame = hop.frame === undefined ? '' : ' (in a frame)';
  if (hop.via.startsWith('http-')) return hop.via.slice(5) + inFrame;
  const word = VIA_WORDS[hop.via] ?? hop.via;
  const text = hop.evidence.clickText;
  return (text ? `${word} “${text.length > 40 ? `${text.slice(0, 39)}…` : text}”` : word) + inFrame;
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);

/** The page (CDP target) each hop's document was requested in, when the capture says (traces do). */
function pagesOfHops(capture: Pick<Capture, 'events'>, hops: Hop[]): string[] | null {
  const docs = capture.events.filter((e) => e.type === 'doc-request');
  if (docs.length !== hops.length) return null;
  return docs.map((d) => d.pageId);
}

/** Each hop's parent: the previous document of its page, or for a popup the opener's document at that time. */
function parents(capture: Pick<Capture, 'events'>, hops: Hop[]): (number | null)[] {
  const pages = pagesOfHops(capture, hops);
  if (!pages) return hops.map((h, i) => (i === 0 ? null : hops[i - 1].index));
  const openerOf = new Map<string, string | null>();
  for (const e of capture.events) if (e.type === 'page') openerOf.set(e.pageId, e.openerPageId);
  return hops.map((_, i) => {
    for (let j = i - 1; j >= 0; j--) if (pages[j] === pages[i]) return hops[j].index;
    const opener = openerOf.get(pages[i]) ?? null;
    if (opener === null) return i === 0 ? null : hops[i - 1].index;
    for (let j = i - 1; j >= 0; j--) if (pages[j] === opener) return hops[j].index;
    return i === 0 ? null : hops[i - 1].index;
  });
}

/** The hop whose page requested a subresource: by its Referer (document, else origin), else the latest before it. */
function ownerOf(x: Exchange, hops: Hop[]): Hop | null {
  const at = time(x.startedAt);
  const before = hops.filter((h) => !(time(h.timing.startedAt) > at));
  if (before.length === 0) return null;
  const referer = headerValue(x.request.headers, 'referer');
  if (referer) {
    const latestFirst = [...before].reverse();
    const exact = latestFirst.find((h) => withoutFragment(h.url) === withoutFragment(referer));
    if (exact) return exact;
    const origin = (() => {
      try {
        return new URL(referer).origin;
      } catch {
        return null;
      }
    })();
    const sameOrigin = origin ? latestFirst.find((h) => h.url.startsWith(origin + '/') || h.url === origin) : undefined;
    if (sameOrigin) return sameOrigin;
  }
  return before.at(-1)!;
}

const MAX_HOSTS = 12;

/**
 * A frame's document: Sec-Fetch-Dest says so where Chromium sends it (secure origins); over plain
 * HTTP, a request that is no hop yet asks for a document the way only navigations do.
 */
export function isFrameDocument(x: Pick<Exchange, 'request'>): boolean {
  const dest = headerValue(x.request.headers, 'sec-fetch-dest')?.toLowerCase();
  if (dest) return dest === 'iframe' || dest === 'frame';
  return x.request.method === 'GET' && /^text\/html,application\/xhtml\+xml/i.test(headerValue(x.request.headers, 'accept') ?? '');
}

export function chainTree(capture: Pick<Capture, 'events' | 'exchanges'>, report: Pick<Report, 'hops'>): TreeNode[] {
  const hops = report.hops;
  if (hops.length === 0) return [];
  const parentOf = parents(capture, hops);
  const downloads = new Set(capture.events.filter((e) => e.type === 'download').map((e) => withoutFragment(e.url)));
  const hopExchanges = new Set(hops.map((h) => h.exchange).filter(Boolean));
  const nodes = new Map<number, TreeNode>();
  hops.forEach((hop, i) => {
    nodes.set(hop.index, {
      hop: hop.index,
      parent: parentOf[i],
      depth: 0,
      via: hop.via,
      edge: edgeLabel(hop),
      url: hop.url,
      host: hostOf(hop.url) ?? '',
      status: hop.status,
      role: hop.party?.role ?? null,
      party: hop.party?.name ?? hop.party?.registrableDomain ?? null,
      error: hop.error,
      download: downloads.has(withoutFragment(hop.url)),
      frames: [],
      thirdParty: [],
      ownRequests: 0,
    });
  });
  const hostCounts = new Map<number, Map<string, number>>();
  for (const x of capture.exchanges) {
    if (hopExchanges.has(x.id)) continue;
    const owner = ownerOf(x, hops);
    if (!owner) continue;
    const node = nodes.get(owner.index)!;
    if (isFrameDocument(x)) node.frames.push(x.request.url);
    const host = hostOf(x.request.url) ?? '';
    if (registrableDomain(host) === registrableDomain(node.host)) {
      node.ownRequests++;
      continue;
    }
    const counts = hostCounts.get(owner.index) ?? new Map<string, number>();
    counts.set(host, (counts.get(host) ?? 0) + 1);
    hostCounts.set(owner.index, counts);
  }
  for (const [hop, counts] of hostCounts) {
    nodes.get(hop)!.thirdParty = [...counts]
      .map(([host, requests]) => ({ host, requests }))
      .sort((a, b) => b.requests - a.requests || a.host.localeCompare(b.host))
      .slice(0, MAX_HOSTS);
  }
  // Depth-first order from the root(s): children in hop order.
  const ordered: TreeNode[] = [];
  const visit = (node: TreeNode, depth: number) => {
    node.depth = depth;
    ordered.push(node);
    for (const child of nodes.values()) if (child.parent === node.hop) visit(child, depth + 1);
  };
  for (const node of nodes.values()) if (node.parent === null || !nodes.has(node.parent)) visit(node, 0);
  return ordered;
}

export function waterfall(capture: Pick<Capture, 'exchanges'>, report: Pick<Report, 'hops'>): WaterfallRow[] {
  const hopOf = new Map(report.hops.filter((h) => h.exchange).map((h) => [h.exchange!, h.index]));
  const exchanges = [...capture.exchanges].sort((a, b) => time(a.startedAt) - time(b.startedAt));
  const origin = exchanges.length ? time(exchanges[0].startedAt) : 0;
  return exchanges.map((x) => ({
    exchange: x.id,
    method: x.request.method,
    url: x.request.url,
    status: x.response?.status ?? null,
    error: x.error,
    hop: hopOf.get(x.id) ?? null,
    start: Math.max(0, time(x.startedAt) - origin) || 0,
    total: x.timing.totalMs ?? (x.endedAt ? time(x.endedAt) - time(x.startedAt) : null),
    dns: x.timing.dnsMs,
    connect: x.timing.connectMs,
    ttfb: x.timing.ttfbMs,
  }));
}
