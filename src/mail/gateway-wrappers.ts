// The URL a trace of a message's link requests. A security gateway on the recipient's side (Safe
// Links, URL Defense, Mimecast…) rewrote the sender's link on delivery: the recipient's click
// goes to that gateway, which checks the link and redirects to it unchanged. Requesting the
// wrapper adds nothing to who is responsible, tells the gateway (its URL names the recipient and
// their tenant) and lets it block or rewrite the visit, so gateway layers whose destination is
// written in their URL are peeled offline. Any other layer (an ESP's click tracker, a shortener)
// is the sender's chain and is requested as the recipient's click requests it.
import { attributeUrl } from '../analyze/parties.js';
import type { UnwrapResult } from '../analyze/unwrap/index.js';

export interface PeeledGateway {
  /** The gateway (party name), e.g. "Microsoft Defender Safe Links". */
  party: string;
  /** The wrapper URL as it is in the message; never requested. */
  url: string;
}

export interface ClickTarget {
  /** What a trace requests: the link without its recipient-side gateway wrappers. */
  url: string;
  /** The gateway wrappers peeled, outermost first (none: `url` is the link as written). */
  gateways: PeeledGateway[];
}

/** The link `url` (unwrapped as `unwrapped`) as a trace should request it. */
export function clickTarget(url: string, unwrapped: UnwrapResult): ClickTarget {
  const gateways: PeeledGateway[] = [];
  let current = url;
  const { layers } = unwrapped;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    // A layer with a note is where unwrapping stopped: its destination is not in its URL.
    if (layer.note !== undefined || attributeUrl(layer.url).role !== 'security-wrapper') break;
    const next = layers[i + 1]?.url ?? unwrapped.destination;
    if (!next || !/^https?:\/\//i.test(next)) break;
    gateways.push({ party: layer.party, url: i === 0 ? url : layer.url });
    current = next;
  }
  return { url: current, gateways };
}
