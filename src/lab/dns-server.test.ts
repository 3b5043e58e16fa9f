// The lab DNS server, asked through node's own resolver (c-ares over UDP) and over TCP.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { startDnsServer, dnsRecordsFor, type LabDnsServer } from './dns-server.js';
import { HOSTS } from './hosts.js';

let server: LabDnsServer;
let resolver: dns.Resolver;
before(async () => {
  server = await startDnsServer();
  resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
});
after(() => server.close());

describe('lab DNS server', () => {
  it('answers A 127.0.0.1 for lab hosts and their base domains', async () => {
    assert.deepEqual(await resolver.resolve4(HOSTS.seedTracker), ['127.0.0.1']);
    assert.deepEqual(await resolver.resolve4(HOSTS.advertiser), ['127.0.0.1']);
    assert.deepEqual(await resolver.resolve4('advertiser.example'), ['127.0.0.1']);
    assert.deepEqual(await resolver.resolve4('WWW.Advertiser.Example'), ['127.0.0.1']);
    assert.deepEqual(await resolver.resolve4('news.other-brand.emsecure.test'), ['127.0.0.1']);
  });

  it('says NXDOMAIN for the seed tracker base domain emsecure.test', async () => {
    await assert.rejects(resolver.resolve4('emsecure.test'), { code: 'ENOTFOUND' });
    assert.equal(dnsRecordsFor('emsecure.test').rcode, 'NXDOMAIN');
  });

  it('reveals SendGrid behind the branded click host through its CNAME chain', async () => {
    assert.deepEqual(await resolver.resolveCname(HOSTS.brandedClick), ['u1234567.wl.sendgrid.test']);
    assert.deepEqual(await resolver.resolveCname('u1234567.wl.sendgrid.test'), ['sendgrid.test']);
    assert.deepEqual(await resolver.resolve4(HOSTS.brandedClick), ['127.0.0.1']);
    assert.deepEqual(dnsRecordsFor(HOSTS.brandedClick), {
      rcode: 'NOERROR',
      cnames: [
        [HOSTS.brandedClick, 'u1234567.wl.sendgrid.test'],
        ['u1234567.wl.sendgrid.test', 'sendgrid.test'],
      ],
      a: ['127.0.0.1'],
      aaaa: [],
    });
  });

  it('has no AAAA records, and NXDOMAIN for unknown names', async () => {
    await assert.rejects(resolver.resolve6(HOSTS.advertiser), { code: 'ENODATA' });
    await assert.rejects(resolver.resolve4('no-such-host.example'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('nothing.invalid'), { code: 'ENOTFOUND' });
    assert.ok((server.queries.get(HOSTS.advertiser) ?? 0) >= 2);
  });

  it('answers over TCP too, with the CNAME chain in one response', async () => {
    const response = await new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          dnsPacket.streamEncode({
            type: 'query',
            id: 7,
            flags: dnsPacket.RECURSION_DESIRED,
            questions: [{ type: 'A', name: HOSTS.brandedClick }],
          }),
        );
      });
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          socket.destroy();
          resolve(dnsPacket.decode(buffered.subarray(2)));
        }
      });
      socket.on('error', reject);
    });
    assert.equal(response.id, 7);
    assert.equal((response as unknown as { rcode: string }).rcode, 'NOERROR'); // decoded, not in the types
    assert.equal(response.flag_aa, true);
    assert.deepEqual(
      response.answers!.map((a) => [a.type, a.name, 'data' in a ? a.data : null]),
      [
        ['CNAME', HOSTS.brandedClick, 'u1234567.wl.sendgrid.test'],
        ['CNAME', 'u1234567.wl.sendgrid.test', 'sendgrid.test'],
        ['A', 'sendgrid.test', '127.0.0.1'],
      ],
    );
  });
});
