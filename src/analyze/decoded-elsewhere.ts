// A tracker or wrapper link carries its destination (percent-encoded in a parameter, base64 in a
// path segment...): unwrap() reads it offline. An abused or hijacked tracker, or a kit that only
// borrows a tracker's URL shape, sends the visitor somewhere else. When the chain never reached the
// site the link decodes to, the report says where the link claimed to lead and where it went.
import { unwrap } from './unwrap/unwrap.js';
import { normalizeInputUrl } from './unwrap/url-text.js';
import { registrableDomainOf } from './parties-match.js';
import { hostOf } from '../http/host.js';

export interface DecodedElsewhere {
  /** The hop whose URL decodes to `decoded`. */
  hop: number;
  /** Who runs that kind of link (the unwrap rule's party). */
  party: string;
  /** Where its URL says it leads. */
  decoded: string;
  /** The hop it sent the visitor to instead (the next hop of the chain) and its URL. */
  wentToHop: number;
  wentTo: string;
}

/** The site a URL is on: its registrable domain, else its host. */
function siteOf(url: string): string | null {
  const host = hostOf(normalizeInputUrl(url));
  return host === null ? null : (registrableDomainOf(host) ?? host);
}

/**
 * The hops (of one chain, in order) whose URL decodes to a destination on a site no later hop
 * reached, though the chain went on from them. Going on within the decoded site (another path, a
 * query added, http upgraded to https) is reaching it; so is going there through more hops.
 */
export function decodedElsewhere(hops: readonly { index: number; url: string }[]): DecodedElsewhere[] {
  const found: DecodedElsewhere[] = [];
  hops.forEach((hop, i) => {
    const next = hops[i + 1];
    if (!next) return;
    const { layers, destination } = unwrap(hop.url);
    // Only a layer that decoded (a stop layer carries a note: opaque, a hint, broken, not a wrapper).
    if (layers.length === 0 || layers[0].note !== undefined) return;
    const decoded = layers[1]?.url ?? destination;
    const site = decoded ? siteOf(decoded) : null;
    if (!decoded || site === null) return;
    if (hops.slice(i + 1).some((later) => siteOf(later.url) === site)) return;
    found.push({ hop: hop.index, party: layers[0].party, decoded, wentToHop: next.index, wentTo: next.url });
  });
  return found;
}
