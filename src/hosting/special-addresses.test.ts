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

test('public addresses are not special; IPv4-mapped IPv6 is its IPv4 address; junk is not an address', () => {
  for (const address of ['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.4.4']) assert.equal(label(address), null, address);
  assert.equal(parseAddress('::ffff:8.8.4.4')?.toString(), '8.8.4.4');
  // NAT64's well-known prefix carries the IPv4 host behind the translator: that host's network is looked up.
  assert.equal(parseAddress('64:ff9b::808:808')?.toString(), '8.8.8.8');
  assert.equal(label('64:ff9b::8.8.8.8'), null);
  // Only the /96 well-known prefix is read so: other addresses keep their IPv6 form.
  assert.equal(parseAddress('64:ff9b:1::808:808')?.kind(), 'ipv6');
  for (const junk of ['', 'example.com', '1.2.3', '999.1.1.1', '<script>']) assert.equal(parseAddress(junk), null, junk);
});
