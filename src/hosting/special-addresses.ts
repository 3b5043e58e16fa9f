// Addresses that belong to no autonomous system on the public internet (loopback, private,
// link-local, CGNAT, documentation...): labelled as such instead of looked up. ipaddr.js (the
// parser express and proxy-addr rely on) knows the IANA special-purpose registries; it files the
// documentation and benchmarking blocks under "reserved", so those are told apart here.
//
// This is a label for a report, not a security policy: the resolver's own list of addresses a
// trace may not reach (src/proxy/resolver.ts, isPrivateAddress) is a different question.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { SpecialNetwork } from '../report.js';

const RANGE_LABELS: Record<string, SpecialNetwork> = {
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'cgnat',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  benchmarking: 'benchmarking',
  discard: 'reserved',
  reserved: 'reserved',
  // Not globally reachable (IANA IPv6 special-purpose registry): SRv6 segment ids, the retired ORCHID block.
  segmentRouting: 'reserved',
  deprecatedOrchid: 'reserved',
};

/**
 * NAT64's well-known prefix (RFC 6052): on an IPv6-only network whose DNS64 synthesises
 * 64:ff9b::a.b.c.d, the host connected to is the IPv4 address a.b.c.d behind the translator.
 */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/** Blocks that ipaddr.js calls "reserved" but a reader knows by a more precise name. */
const REFINED: [range: [ipaddr.IPv4 | ipaddr.IPv6, number], label: SpecialNetwork][] = [
  ...['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '3fff::/20'].map(
    (cidr) => [ipaddr.parseCIDR(cidr), 'documentation'] as [[ipaddr.IPv4 | ipaddr.IPv6, number], SpecialNetwork],
  ),
  [ipaddr.parseCIDR('198.18.0.0/15'), 'benchmarking'],
];

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The address, IPv4-mapped IPv6 (::ffff:a.b.c.d) and NAT64's well-known prefix (64:ff9b::a.b.c.d)
 * taken as the IPv4 address they carry; null if not an IP.
 */
export function parseAddress(address: string): ParsedAddress | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Zone ids (fe80::1%eth0) name an interface, not an address.
  const withoutZone = bare.replace(/%.*$/, '');
  // Node's isIP takes the canonical forms only (ipaddr.js also reads "1.2.3" and hex octets).
  if (isIP(withoutZone) === 0) return null;
  try {
    // ipaddr.js reads ::a.b.c.d (IPv4-compatible, deprecated) as ::ffff:a.b.c.d (IPv4-mapped): it is not.
    const compatible = /^::(\d{1,3}(?:\.\d{1,3}){3})$/.exec(withoutZone);
    if (compatible) return ipaddr.fromByteArray([...new Array<number>(12).fill(0), ...ipaddr.IPv4.parse(compatible[1]).toByteArray()]);
    const address = ipaddr.process(withoutZone);
    if (address.kind() === 'ipv6' && address.match(NAT64_WELL_KNOWN)) return ipaddr.fromByteArray(address.toByteArray().slice(12));
    return address;
  } catch {
    return null;
  }
}

/** The deprecated IPv4-compatible block (RFC 4291 2.5.5.1): ::a.b.c.d, routed nowhere today. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** The special-purpose block an address is in, or null for an ordinary public address. */
export function specialNetwork(address: ParsedAddress): SpecialNetwork | null {
  const range = address.range();
  if (address.kind() === 'ipv6' && range !== 'unspecified' && range !== 'loopback' && address.match(IPV4_COMPATIBLE)) return 'reserved';
  const label = RANGE_LABELS[range];
  if (!label) return null;
  if (label !== 'reserved') return label;
  for (const [range, refined] of REFINED) {
    if (range[0].kind() === address.kind() && address.match(range)) return refined;
  }
  return label;
}
