// Addresses that belong to no autonomous system on the public internet (loopback, private,
// link-local, CGNAT, documentation...): labelled as such instead of looked up. ipaddr.js (the
// parser express and proxy-addr rely on) knows the IANA special-purpose registries
// (https://www.iana.org/assignments/iana-ipv4-special-registry/ and iana-ipv6-special-registry/);
// what it files more coarsely is refined here: the documentation and benchmarking blocks it calls
// "reserved", the few anycast addresses in reserved blocks that the registries call globally
// reachable, NAT64's local-use prefix it groups with the well-known one, and the dummy prefix too
// recent for it. Addresses that carry an IPv4 address (IPv4-mapped, NAT64's well-known prefix,
// 6to4, Teredo) are labelled by that address.
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
  // What is left of ipaddr.js's "rfc6052" once its well-known /96 is read as IPv4 (parseAddress):
  // 64:ff9b:1::/48, NAT64 for local use (RFC 8215), not globally reachable, like unique-local addresses.
  rfc6052: 'private',
};

/**
 * NAT64's well-known prefix (RFC 6052): on an IPv6-only network whose DNS64 synthesises
 * 64:ff9b::a.b.c.d, the host connected to is the IPv4 address a.b.c.d behind the translator.
 */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');
const TEREDO = ipaddr.parseCIDR('2001::/32');

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
const ranges = (...cidrs: string[]): Range[] => cidrs.map((cidr) => ipaddr.parseCIDR(cidr));

/** Blocks that ipaddr.js calls "reserved" (or does not know) but a reader knows by a more precise name. */
const REFINED: [ranges: Range[], label: SpecialNetwork][] = [
  [ranges('192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '3fff::/20'), 'documentation'],
  [ranges('198.18.0.0/15'), 'benchmarking'],
  // "This network" (RFC 791): only 0.0.0.0 itself is the unspecified address.
  [ranges('0.0.0.0/8'), 'reserved'],
];

/** The IPv6 dummy prefix (RFC 9780, 2025), not globally reachable: younger than ipaddr.js's table. */
const DUMMY_PREFIX = ranges('100:0:0:1::/64');

/**
 * Anycast services the registries call globally reachable inside blocks that are not (192.0.0.0/24,
 * 2001::/23): PCP (RFC 7723), TURN (RFC 8155) and, for IPv6, DNS-SD SRP (RFC 9665). Public.
 */
const GLOBALLY_REACHABLE = ranges('192.0.0.9/32', '192.0.0.10/32', '2001:1::1/128', '2001:1::2/128', '2001:1::3/128');

const inAny = (address: ParsedAddress, list: Range[]) => list.some((range) => range[0].kind() === address.kind() && address.match(range));

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The address; the IPv6 forms that carry an IPv4 address taken as that address: IPv4-mapped
 * (::ffff:a.b.c.d), NAT64's well-known prefix (64:ff9b::a.b.c.d; RFC 6052: the IPv4 host behind
 * the translator), 6to4 (2002:AABB:CCDD::/48: the site at that IPv4 address; RFC 3056) and Teredo
 * (2001:0::/32: the client at the IPv4 address in its last 32 bits, inverted; RFC 4380). Null if
 * not an IP.
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
    if (address.kind() !== 'ipv6') return address;
    const bytes = address.toByteArray();
    if (address.match(NAT64_WELL_KNOWN)) return ipaddr.fromByteArray(bytes.slice(12));
    if (address.match(SIX_TO_FOUR)) return ipaddr.fromByteArray(bytes.slice(2, 6));
    if (address.match(TEREDO)) return ipaddr.fromByteArray(bytes.slice(12).map((b) => b ^ 0xff));
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
  if (inAny(address, GLOBALLY_REACHABLE)) return null;
  if (inAny(address, DUMMY_PREFIX)) return 'reserved';
  const label = RANGE_LABELS[range];
  if (label !== 'reserved' && label !== 'unspecified') return label ?? null;
  if (address.toString() === '0.0.0.0') return label;
  return REFINED.find(([list]) => inAny(address, list))?.[1] ?? label;
}
