// One way to say a hop's network in words, for the terminal, the web UI and the feed report.
// Plain text: callers escape it for their medium (clean() for a terminal, html`` for a page).
import type { HopNetwork } from '../report.js';

/** "AS15169 Google LLC, US", "loopback", "no AS data, US". */
export function describeNetwork(network: HopNetwork): string {
  if ('special' in network) return network.special;
  const as = network.asn === null ? 'no AS data' : `AS${network.asn}${network.name ? ` ${network.name}` : ''}`;
  return network.country ? `${as}, ${network.country}` : as;
}

/** Where an AS answer comes from: "ip-location-db asn 2026-06-17" (approximate data; shown beside it). */
export function networkSourceNote(network: HopNetwork): string | null {
  if ('special' in network) return null;
  const name = network.source
    .replace(/^@/, '')
    .replace(/@[^@]*$/, '')
    .replace('/', ' ');
  return `${name} ${network.sourceDate ?? 'undated'}`;
}
