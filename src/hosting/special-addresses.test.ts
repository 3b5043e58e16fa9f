import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress, specialNetwork } from './special-addresses.js';

const label = (address: string) => {
  const parsed = parseAddress(address);
  assert.ok(parsed, address);
  return specialNetwork(parsed);
};

test('special-purpose blocks are labelled by what they are', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['5f00::1', 'reserved'],
    ['2001:10::1', 'reserved'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['::ffff:169.254.1.1', 'link-local'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['::ffff:192.0.2.1', 'documentation'],
    // The deprecated IPv4-compatible block (not IPv4-mapped, whatever ipaddr.js says of ::a.b.c.d).
    ['::127.0.0.1', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['::8.8.8.8', 'reserved'],
    ['::0.0.0.1', 'loopback'],
  ];
  for (const [address, expected] of cases) assert.equal(label(address), expected, address);
});

// Every block of the IANA special-purpose registries (iana-ipv4-special-registry,
// iana-ipv6-special-registry, as of 2025), inside and at its edges.
test('the IANA special-purpose registries: each block labelled, the globally reachable ones public', () => {
  const cases: [string, string | null][] = [
    // IPv4
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'], // "this network"
    ['192.0.0.0', 'reserved'], // IETF protocol assignments
    ['192.0.0.8', 'reserved'], // IPv4 dummy address
    ['192.0.0.9', null], // PCP anycast: globally reachable
    ['192.0.0.10', null], // TURN anycast: globally reachable
    ['192.0.0.170', 'reserved'], // NAT64/DNS64 discovery
    ['192.0.0.255', 'reserved'],
    ['192.0.1.0', null],
    ['192.31.196.1', null], // AS112-v4: globally reachable
    ['192.52.193.1', null], // AMT: globally reachable
    ['192.88.99.1', 'reserved'], // deprecated 6to4 relay anycast
    ['192.175.48.1', null], // AS112 direct delegation
    ['198.17.255.255', null],
    ['198.18.0.0', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.20.0.0', null],
    ['240.0.0.0', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::10.0.0.1', 'reserved'], // IPv4-compatible, deprecated
    ['64:ff9b:1::1', 'private'], // NAT64 local use (RFC 8215)
    ['64:ff9b:1::808:808', 'private'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['64:ff9b:2::1', null],
    ['100::1', 'reserved'], // discard-only
    ['100::ffff:ffff:ffff:ffff', 'reserved'],
    ['100:0:0:1::1', 'reserved'], // dummy prefix (RFC 9780)
    ['100:0:0:2::1', null],
    ['2001:1::1', null], // PCP anycast
    ['2001:1::2', null], // TURN anycast
    ['2001:1::3', null], // DNS-SD SRP anycast
    ['2001:1::4', 'reserved'],
    ['2001:2::1', 'benchmarking'],
    ['2001:3::1', null], // AMT
    ['2001:4:112::1', null], // AS112-v6
    ['2001:5::1', 'reserved'],
    ['2001:10::1', 'reserved'], // deprecated ORCHID
    ['2001:20::1', null], // ORCHIDv2
    ['2001:30::1', null], // drone remote ID entity tags
    ['2001:40::1', 'reserved'],
    ['2001:1ff:ffff::1', 'reserved'], // the end of 2001::/23
    ['2001:200::1', null],
    ['2001:db8::1', 'documentation'],
    ['2620:4f:8000::1', null], // AS112 direct delegation
    ['3fff::1', 'documentation'],
    ['3fff:fff::1', 'documentation'],
    ['3fff:1000::1', null],
    ['5f00::1', 'reserved'], // SRv6 SIDs
    ['fc00::1', 'private'],
    ['fdff:ffff::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    // 6to4: the site at the IPv4 address it carries.
    ['2002:a00:1::1', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:1::1', 'link-local'],
    ['2002:808:808::1', null],
    // Teredo: the client at the inverted IPv4 address of its last 32 bits (RFC 4380's example: 192.0.2.45).
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'documentation'],
    ['2001::f5ff:fffe', 'private'], // 10.0.0.1
    ['2001::f7f7:f7f7', null], // 8.8.8.8
  ];
  for (const [address, expected] of cases) assert.equal(label(address), expected, address);
});

test('public addresses are not special; IPv4-mapped IPv6 is its IPv4 address; junk is not an address', () => {
  for (const address of ['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.4.4']) assert.equal(label(address), null, address);
  assert.equal(parseAddress('::ffff:8.8.4.4')?.toString(), '8.8.4.4');
  // NAT64's well-known prefix carries the IPv4 host behind the translator: that host's network is looked up.
  assert.equal(parseAddress('64:ff9b::808:808')?.toString(), '8.8.8.8');
  assert.equal(label('64:ff9b::8.8.8.8'), null);
  // Only the /96 well-known prefix is read so: other addresses keep their IPv6 form.
  assert.equal(parseAddress('64:ff9b:1::808:808')?.kind(), 'ipv6');
  assert.equal(parseAddress('2002:808:808::1')?.toString(), '8.8.8.8');
  assert.equal(parseAddress('2001::f7f7:f7f7')?.toString(), '8.8.8.8');
  for (const junk of ['', 'example.com', '1.2.3', '999.1.1.1', '<script>']) assert.equal(parseAddress(junk), null, junk);
});
