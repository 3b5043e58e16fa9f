// The chain follows one tab. When a click opens a popup and the trace follows it there, the tab it
// came from may go on by itself: a tab-under shows the offer in the new window and sends the first
// tab to an ad. Those documents are recorded and shown as hops, in time order, but they are not the
// way to the page the chain rests on: they are marked `otherTab`, and the chain's end, its parties
// and its "who" are read from the other hops only.
import type { Hop } from '../report.js';
import { requestedAs } from '../http/url-key.js';

interface PageDoc {
  pageId: string;
  url?: string;
  /** The script that requested the document (its URL: an inline script's is its document's). */
  initiator?: { url: string | null };
}

/**
 * Which hops (one per document request, `pageOf[i]` the page of hop i) were made by a tab the chain
 * is not on: not the followed page (`followed`: the page the chain rested on, else the last
 * document's) nor one of its openers, or one of its openers after it opened the next. A popup whose
 * script sent a tab of the chain on (`opener.location = …`) is the chain's way, up to that document.
 */
export function otherTabHops(docs: readonly PageDoc[], openerOf: ReadonlyMap<string, string | null>, followed: string | null): boolean[] {
  const page = followed ?? docs.at(-1)?.pageId ?? null;
  if (page === null) return docs.map(() => false);
  // The followed page and its openers, each with the position of its child's first document.
  const forkAt = new Map<string, number>([[page, Infinity]]);
  let child = page;
  for (let opener = openerOf.get(page) ?? null; opener !== null && !forkAt.has(opener); opener = openerOf.get(opener) ?? null) {
    const first = docs.findIndex((d) => d.pageId === child);
    forkAt.set(opener, first < 0 ? Infinity : first);
    child = opener;
  }
  const other = docs.map((d, i) => {
    const fork = forkAt.get(d.pageId);
    return fork === undefined || i > fork;
  });
  docs.forEach((d, j) => {
    const script = d.initiator?.url;
    if (other[j] || !script) return;
    const k = docs.findIndex((e, i) => i < j && other[i] && e.url !== undefined && requestedAs(e.url) === requestedAs(script));
    if (k < 0) return;
    docs.forEach((e, i) => {
      if (i <= k && e.pageId === docs[k].pageId) other[i] = false;
    });
  });
  return other;
}

/** The hops of the chain itself: without those another tab made on its own (a tab-under's first tab). */
export function chainHops<T extends Pick<Hop, 'otherTab'>>(hops: readonly T[]): T[] {
  return hops.filter((h) => !h.otherTab);
}

/** The chain's last hop: the page it rested on, or where it stopped (another tab's hops left out). */
export function lastChainHop<T extends Pick<Hop, 'otherTab'>>(hops: readonly T[]): T | undefined {
  for (let i = hops.length - 1; i >= 0; i--) if (!hops[i].otherTab) return hops[i];
  return undefined;
}

/** A hop's error when its navigation was replaced by the next before it showed (chain.ts superseded()). */
const SUPERSEDED = /^superseded: /;

/**
 * The hops that are not the chain's way on: another tab's, and a superseded navigation's (the hop
 * whose answer was never shown, with the redirects that led to it). They were requested and are
 * evidence, but the chain did not go through them: "who" leaves them out.
 */
export function wayOnHops<T extends { otherTab?: true; error?: string | null; via?: string }>(hops: readonly T[]): T[] {
  const detour = hops.map(() => false);
  hops.forEach((hop, i) => {
    if (!SUPERSEDED.test(hop.error ?? '')) return;
    // Back through the redirects that led to it; never the link as given (hop 1), whatever came of it.
    for (let j = i; j >= 1; j--) {
      detour[j] = true;
      if (!/^http-3\d\d$/.test(hops[j].via ?? '')) break;
    }
  });
  return hops.filter((h, i) => !h.otherTab && !detour[i]);
}
