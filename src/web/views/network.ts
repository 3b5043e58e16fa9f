// A hop's hosting network on the pages, and the attribution its offline data asks for (DB-IP's
// licence asks pages that show its data to link to db-ip.com; a literal link, never a captured URL).
import { html, type SafeHtml } from '../html.js';
import type { HopNetwork } from '../../report.js';
import { describeNetwork, networkSourceNote } from '../../hosting/describe.js';
import { safeClass } from './widgets.js';

export function networkLabel(network: HopNetwork | null | undefined): SafeHtml {
  if (!network) return html`<span class="network network-none">unknown</span>`;
  if ('special' in network)
    return html`<span class="network network-special special-${safeClass(network.special)}">${network.special}</span>`;
  const note = networkSourceNote(network);
  return html`<span class="network network-as">${describeNetwork(network)}</span
    >${note ? html` <span class="network-source">(${note}, approximate)</span>` : ''}`;
}

/** True when some network answer came from the AS data (then the page must credit it). */
export function showsAsData(networks: (HopNetwork | null | undefined)[]): boolean {
  return networks.some((n) => n && !('special' in n));
}

export function networkAttribution(): SafeHtml {
  return html`<p class="data-attribution">
    Hosting networks: offline data of ip-location-db (RouteViews, NRO, DB-IP; CC BY 4.0), approximate.
    <a href="https://db-ip.com" rel="noopener noreferrer">IP Geolocation by DB-IP</a>
  </p>`;
}
