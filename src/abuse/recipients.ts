// Where an abuse report goes, in this order: the abuse contact rules/parties.json keeps for a
// known party (with its source); for the sending platform, the abuse headers of the message
// itself (X-Report-Abuse and its relatives); the abuse contact of the network that hosted the
// party's hops, when offline network data has one; else a placeholder the analyst fills in,
// at a reserved domain (.invalid, RFC 2606) so that an unedited draft can never be delivered.
import type { ResponsibleParty } from './responsible.js';

/** What offline data knows of the network an address belongs to. */
export interface NetworkInfo {
  asn: number | null;
  name: string | null;
  /** The network's abuse mailbox (e.g. from RIR data), or null. */
  abuse: string | null;
  /** Which data said so. */
  source: string;
}

/**
 * The seam for network abuse mailboxes by address. The offline AS data clicktrace ships
 * (src/hosting) names a hop's network (the report's hop.network, used for the party's name) but
 * holds no abuse mailboxes, so the default knows none; RIR abuse-c data would plug in here.
 */
export type NetworkLookup = (ip: string) => NetworkInfo | null;
export const NO_NETWORK_DATA: NetworkLookup = () => null;

export interface Recipient {
  /** The To: mailbox, a placeholder when `placeholder` is set. */
  to: { name: string; address: string };
  placeholder: boolean;
  /** A web form or page the party takes reports through, to mention in the draft. */
  web: string | null;
  /** Where the address (or the lack of one) comes from, said in the draft and in the listing. */
  source: string;
}

export const PLACEHOLDER_ADDRESS = 'abuse-contact@fill-in.invalid';

/** Header fields in which senders and platforms name their abuse desk. */
const ABUSE_HEADERS = [
  'x-report-abuse',
  'x-report-abuse-to',
  'x-abuse-reports-to',
  'abuse-reports-to',
  'x-complaints-to',
  'x-abuse',
  'x-abuse-info',
  'x-csa-complaints',
];

export interface HeaderContact {
  header: string;
  address: string | null;
  web: string | null;
}

/** Abuse contacts named by the message's header fields, in header order. */
export function abuseContactsFromHeaders(headers: { name: string; value: string }[]): HeaderContact[] {
  const out: HeaderContact[] = [];
  for (const h of headers) {
    if (!ABUSE_HEADERS.includes(h.name.toLowerCase())) continue;
    const address = /(?:mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(h.value)?.[1] ?? null;
    const web = /\bhttps?:\/\/[^\s<>"]+/i.exec(h.value)?.[0] ?? null;
    if (address || web) out.push({ header: h.name, address, web });
  }
  return out;
}

export function recipientFor(
  party: ResponsibleParty,
  headers: { name: string; value: string }[],
  networks: NetworkLookup = NO_NETWORK_DATA,
): Recipient {
  const abuse = party.rule?.abuse;
  let web: string | null = abuse?.web ?? null;
  if (abuse?.address)
    return {
      to: { name: `${party.name} abuse desk`, address: abuse.address },
      placeholder: false,
      web,
      source: `clicktrace's rules (rules/parties.json), from ${abuse.source}`,
    };
  const notes: string[] = [];
  if (abuse?.web) notes.push(`${party.name} takes reports at ${abuse.web} (${abuse.source})`);
  if (party.roles.includes('sending platform')) {
    const contacts = abuseContactsFromHeaders(headers);
    const mailbox = contacts.find((c) => c.address);
    web ??= contacts.find((c) => c.web)?.web ?? null;
    if (mailbox?.address)
      return {
        to: { name: `${party.name} abuse desk`, address: mailbox.address },
        placeholder: false,
        web,
        source: `the message's ${mailbox.header} header`,
      };
    if (contacts[0]?.web) notes.push(`the message's ${contacts[0].header} header points to ${contacts[0].web}`);
  }
  for (const ip of party.ips) {
    const network = networks(ip);
    if (network?.abuse) {
      const owner = network.name ?? (network.asn !== null ? `AS${network.asn}` : 'the network');
      return {
        to: { name: `${owner} abuse desk`, address: network.abuse },
        placeholder: false,
        web,
        source: `the abuse contact of ${owner}${network.asn !== null ? ` (AS${network.asn})` : ''}, which hosts ${ip} (${network.source})`,
      };
    }
  }
  return {
    to: { name: `FILL IN: abuse contact of ${party.name}`, address: PLACEHOLDER_ADDRESS },
    placeholder: true,
    web,
    source: notes.length ? `no abuse address known; ${notes.join('; ')}` : 'no abuse address known: fill in the recipient',
  };
}
