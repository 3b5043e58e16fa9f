// A tiny authoritative DNS server for the lab names (UDP and TCP on 127.0.0.1), built with
// dns-packet. Every lab host has A 127.0.0.1 and no AAAA; click.brand.example reaches its
// address through a CNAME chain into SendGrid; the Selligent-style zone emsecure.test has
// hosts under it but its apex is NXDOMAIN; anything else is NXDOMAIN.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import { CNAMES, LAB_ADDRESS, inWildcardZone, namesWithAddress } from './hosts.js';

export interface LabDnsRecords {
  /** NXDOMAIN when the name (or the end of its CNAME chain) does not exist. */
  rcode: 'NOERROR' | 'NXDOMAIN';
  /** CNAME chain from the name toward its address, each as [owner, target]. */
  cnames: [string, string][];
  /** A records of the end of the chain. */
  a: string[];
  /** AAAA records (the lab has none). */
  aaaa: string[];
}

const ADDRESS_NAMES = namesWithAddress();

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** What the lab DNS server answers for a name, CNAMEs followed. */
export function dnsRecordsFor(name: string): LabDnsRecords {
  let current = normalize(name);
  const cnames: [string, string][] = [];
  for (let i = 0; i < 8 && CNAMES[current]; i++) {
    const target = CNAMES[current];
    cnames.push([current, target]);
    current = target;
  }
  const exists = ADDRESS_NAMES.has(current) || inWildcardZone(current);
  return { rcode: exists ? 'NOERROR' : 'NXDOMAIN', cnames, a: exists ? [LAB_ADDRESS] : [], aaaa: [] };
}

const TTL = 60;
const RCODE_NXDOMAIN = 3;
const RCODE_FORMERR = 1;

type Answer = dnsPacket.Answer;

/** Builds the response packet for a query packet. */
export function answerQuery(query: dnsPacket.Packet): Buffer {
  const question = query.questions?.[0];
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
  if (!question) {
    return dnsPacket.encode({ ...base, flags: RCODE_FORMERR | rd, answers: [] });
  }
  const records = dnsRecordsFor(question.name);
  const answers: Answer[] = [];
  // Owner names keep the question's spelling for the first record, as servers do.
  let owner = question.name;
  for (const [, target] of records.cnames) {
    answers.push({ type: 'CNAME', name: owner, ttl: TTL, class: 'IN', data: target });
    owner = target;
    if (question.type === 'CNAME') break;
  }
  if (question.type === 'A' || (question.type as string) === 'ANY') {
    for (const address of records.a) answers.push({ type: 'A', name: owner, ttl: TTL, class: 'IN', data: address });
  }
  const zone = normalize(question.name).split('.').slice(-2).join('.');
  const authorities: Answer[] =
    answers.length === 0
      ? [
          {
            type: 'SOA',
            name: zone,
            ttl: TTL,
            class: 'IN',
            data: {
              mname: `ns1.${zone}`,
              rname: `hostmaster.${zone}`,
              serial: 2026091701,
              refresh: 3600,
              retry: 600,
              expire: 86400,
              minimum: TTL,
            },
          },
        ]
      : [];
  const rcode = records.rcode === 'NXDOMAIN' ? RCODE_NXDOMAIN : 0;
  return dnsPacket.encode({
    ...base,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | rcode,
    answers,
    authorities,
  });
}

export interface LabDnsServer {
  port: number;
  /** Number of queries answered, by lower-case name. */
  queries: Map<string, number>;
  close(): Promise<void>;
}

/** Starts the DNS server on 127.0.0.1 (UDP and TCP on the same port; a free one unless given). */
export async function startDnsServer(port = 0): Promise<LabDnsServer> {
  const queries = new Map<string, number>();
  const count = (packet: dnsPacket.Packet) => {
    const name = packet.questions?.[0]?.name;
    if (name) queries.set(normalize(name), (queries.get(normalize(name)) ?? 0) + 1);
  };

  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: ignore
    }
    count(query);
    udp.send(answerQuery(query), rinfo.port, rinfo.address);
  });
  udp.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, '127.0.0.1', () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const boundPort = udp.address().port;

  const sockets = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        let query: dnsPacket.Packet;
        try {
          query = dnsPacket.decode(message);
        } catch {
          socket.destroy();
          return;
        }
        count(query);
        const answer = answerQuery(query);
        const framed = Buffer.alloc(2 + answer.length);
        framed.writeUInt16BE(answer.length, 0);
        answer.copy(framed, 2);
        socket.write(framed);
      }
    });
  });
  await new Promise<void>((resolve) => {
    // TCP is a bonus: if the port is taken for TCP, serve UDP only.
    tcp.once('error', () => resolve());
    tcp.listen(boundPort, '127.0.0.1', () => resolve());
  });

  return {
    port: boundPort,
    queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => (tcp.listening ? tcp.close(() => resolve()) : resolve())),
      ]);
    },
  };
}
