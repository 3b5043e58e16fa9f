// A MISP event from recorded evidence, in MISP's JSON format (what the UI's "Import from MISP
// JSON" and PyMISP read): an `email` object for the message, a `url` object per hop, a
// `domain-ip` object per host with the addresses it resolved to, an `x509` object per TLS
// certificate, and the chain as object references (url -redirects-to-> url, email -contains->
// first url). Objects follow MISP's published templates (misp-objects: url v10, domain-ip v11,
// email v19, x509 v14); the tests check every attribute against them.
//
// The event is unpublished, shared with the organisation only (distribution 0) and tagged with
// the TLP level: an analyst reviews it in MISP before it goes further. Attribute categories and
// IDS flags are MISP's defaults for each type (describeTypes.json). Recipient addresses are left
// out: they identify the victim or the spamtrap, not the sender.
import { isIP } from 'node:net';
import { isPrivateAddress } from '../proxy/resolver.js';
import type { Hop } from '../report.js';
import type { CaseEvidence, MessageEvidence, TracedChain } from './case-evidence.js';
import { derivedUuid } from './ids.js';
import { caseTime, hostOf, isoTime, partyName, registrableDomain, TLP_LEVELS, type Tlp } from './common.js';

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  object_relation: string;
  value: string;
  to_ids: boolean;
  disable_correlation: boolean;
  comment?: string;
}

export interface MispObjectReference {
  uuid: string;
  object_uuid: string;
  referenced_uuid: string;
  relationship_type: string;
  comment?: string;
}

export interface MispObject {
  uuid: string;
  name: string;
  'meta-category': string;
  description: string;
  template_uuid: string;
  template_version: string;
  distribution: string;
  sharing_group_id: string;
  comment: string;
  first_seen?: string;
  Attribute: MispAttribute[];
  ObjectReference: MispObjectReference[];
}

export interface MispEvent {
  Event: {
    uuid: string;
    info: string;
    date: string;
    timestamp: string;
    published: boolean;
    analysis: string;
    threat_level_id: string;
    distribution: string;
    Tag: { name: string }[];
    Attribute: MispAttribute[];
    Object: MispObject[];
  };
}

/** The templates used, as misp-objects publishes them (name, uuid, version, meta-category). */
const TEMPLATES = {
  url: {
    uuid: '60efb77b-40b5-4c46-871b-ed1ed999fce5',
    version: '10',
    meta: 'network',
    description:
      'url object describes an url along with its normalized field (like extracted using faup parsing library) and its metadata.',
  },
  'domain-ip': {
    uuid: '43b3b146-77eb-4931-b4cc-b66c60f28734',
    version: '11',
    meta: 'network',
    description: 'A domain/hostname and IP address seen as a tuple in a specific time frame.',
  },
  email: {
    uuid: 'a0c666e0-fc65-4be8-b48f-3423d788b552',
    version: '19',
    meta: 'network',
    description: 'Email object describing an email with meta-information',
  },
  x509: {
    uuid: 'd1ab756a-26b5-4349-9f43-765630f0911c',
    version: '14',
    meta: 'network',
    description: 'x509 object describing a X.509 certificate',
  },
} as const;

/** MISP's default category and IDS flag of each attribute type used (describeTypes.json sane_defaults). */
const TYPES: Record<string, { category: string; toIds: boolean }> = {
  url: { category: 'Network activity', toIds: true },
  hostname: { category: 'Network activity', toIds: true },
  domain: { category: 'Network activity', toIds: true },
  'ip-dst': { category: 'Network activity', toIds: true },
  'ip-src': { category: 'Network activity', toIds: true },
  port: { category: 'Network activity', toIds: false },
  datetime: { category: 'Other', toIds: false },
  text: { category: 'Other', toIds: false },
  'email-src': { category: 'Payload delivery', toIds: true },
  'email-src-display-name': { category: 'Payload delivery', toIds: false },
  'email-reply-to': { category: 'Payload delivery', toIds: false },
  'email-subject': { category: 'Payload delivery', toIds: false },
  'email-message-id': { category: 'Payload delivery', toIds: false },
  'email-header': { category: 'Payload delivery', toIds: false },
  'email-x-mailer': { category: 'Payload delivery', toIds: false },
  'x509-fingerprint-sha256': { category: 'Network activity', toIds: true },
};

/** Categories the email template requires for its relations (its `categories` lists). */
const EMAIL_CATEGORY = 'Payload delivery';

export function toMispEvent(evidence: CaseEvidence, options: { tlp?: Tlp } = {}): MispEvent {
  const tlp = options.tlp ?? 'amber';
  if (!TLP_LEVELS.includes(tlp)) throw new Error(`unknown TLP level ${String(tlp)}`);
  const time = caseTime(evidence);
  const builder = new ObjectBuilder(evidence.id);
  const email = evidence.message ? addEmail(builder, evidence.message) : null;
  for (const chain of evidence.chains) {
    const urls = addChain(builder, chain);
    if (email && urls[0]) {
      email.ObjectReference.push(
        builder.reference(
          email,
          urls[0],
          'contains',
          `link ${chain.report.message?.link ?? '?'} of the message, traced in case ${chain.id}`,
        ),
      );
    }
  }
  const subject = evidence.message?.facts.analysis.subject;
  const summary = evidence.chains.map((c) => c.report.summary?.text).find(Boolean);
  return {
    Event: {
      uuid: derivedUuid(evidence.id, 'misp-event'),
      info: `clicktrace case ${evidence.id}: ${summary ?? (subject ? `message "${subject}"` : 'no traced chain')}`.slice(0, 1000),
      date: time.slice(0, 10),
      timestamp: String(Math.floor(Date.parse(time) / 1000)),
      published: false,
      analysis: '2',
      threat_level_id: '4',
      distribution: '0',
      Tag: [{ name: `tlp:${tlp}` }, { name: 'clicktrace' }],
      Attribute: [],
      Object: builder.objects,
    },
  };
}

class ObjectBuilder {
  readonly objects: MispObject[] = [];
  private readonly byKey = new Map<string, MispObject>();

  constructor(private readonly caseId: string) {}

  /** The object for `key`, created on first use. */
  object(name: keyof typeof TEMPLATES, key: string, comment: string): { object: MispObject; created: boolean } {
    const existing = this.byKey.get(`${name}|${key}`);
    if (existing) return { object: existing, created: false };
    const template = TEMPLATES[name];
    const object: MispObject = {
      uuid: derivedUuid(this.caseId, 'misp-object', name, key),
      name,
      'meta-category': template.meta,
      description: template.description,
      template_uuid: template.uuid,
      template_version: template.version,
      distribution: '5',
      sharing_group_id: '0',
      comment,
      Attribute: [],
      ObjectReference: [],
    };
    this.byKey.set(`${name}|${key}`, object);
    this.objects.push(object);
    return { object, created: true };
  }

  attribute(object: MispObject, relation: string, type: string, value: string | null | undefined, category?: string): void {
    if (value === null || value === undefined || value === '') return;
    if (object.Attribute.some((a) => a.object_relation === relation && a.value === value)) return;
    const defaults = TYPES[type];
    object.Attribute.push({
      uuid: derivedUuid(object.uuid, relation, value),
      type,
      category: category ?? defaults.category,
      object_relation: relation,
      value,
      to_ids: defaults.toIds,
      disable_correlation: false,
    });
  }

  reference(from: MispObject, to: MispObject, relationship: string, comment: string): MispObjectReference {
    return {
      uuid: derivedUuid(from.uuid, relationship, to.uuid),
      object_uuid: from.uuid,
      referenced_uuid: to.uuid,
      relationship_type: relationship,
      comment,
    };
  }
}

function addEmail(builder: ObjectBuilder, message: MessageEvidence): MispObject {
  const { analysis } = message.facts;
  const { object } = builder.object('email', message.id, `The message of case ${message.id}, as received`);
  const add = (relation: string, type: string, value: string | null | undefined) =>
    builder.attribute(object, relation, type, value, EMAIL_CATEGORY);
  add('from', 'email-src', analysis.from?.address);
  add('from-display-name', 'email-src-display-name', analysis.from?.name);
  for (const r of analysis.replyTo) add('reply-to', 'email-reply-to', r.address);
  add('return-path', 'email-src', analysis.returnPath?.replace(/^<|>$/g, ''));
  add('subject', 'email-subject', analysis.subject);
  add('message-id', 'email-message-id', analysis.messageId);
  if (analysis.date && !Number.isNaN(Date.parse(analysis.date)))
    builder.attribute(object, 'send-date', 'datetime', isoTime(analysis.date), 'Other');
  for (const hop of analysis.received) {
    if (hop.fromIp && isIP(hop.fromIp) && !isPrivateAddress(hop.fromIp))
      builder.attribute(object, 'received-header-ip', 'ip-src', hop.fromIp, 'Payload delivery');
    if (hop.from && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(hop.from))
      builder.attribute(object, 'received-header-hostname', 'hostname', hop.from.toLowerCase(), 'Payload delivery');
  }
  for (const h of message.headers) {
    const name = h.name.toLowerCase();
    if (name === 'x-mailer') add('x-mailer', 'email-x-mailer', h.value);
    else if (SHARED_HEADERS.has(name)) add('header', 'email-header', `${h.name}: ${h.value}`);
  }
  return object;
}

/** Header fields kept as `header` attributes: how to reach the sender's platform about the message. */
const SHARED_HEADERS = new Set([
  'list-unsubscribe',
  'list-unsubscribe-post',
  'x-report-abuse',
  'x-abuse-reports-to',
  'x-complaints-to',
  'x-csa-complaints',
  'feedback-id',
]);

/** The chain's url objects in hop order, each referring to the next, to its host's domain-ip and certificate. */
function addChain(builder: ObjectBuilder, chain: TracedChain): MispObject[] {
  const { report } = chain;
  const urls: MispObject[] = [];
  for (const hop of report.hops) {
    const { object: url, created } = builder.object('url', `${chain.id}|${hop.index}`, hopComment(chain, hop));
    if (created) {
      url.first_seen = isoTime(hop.timing.startedAt);
      fillUrl(builder, url, hop);
    }
    const host = hostOf(hop.url);
    if (host && !isIP(host)) {
      const { object: domainIp, created: newHost } = builder.object('domain-ip', host, `Host of hops in case ${chain.id}`);
      builder.attribute(domainIp, 'hostname', 'hostname', host);
      if (newHost) builder.attribute(domainIp, 'domain', 'domain', registrableDomain(host), 'Network activity');
      const addresses = new Set(report.dns?.find((d) => d.host.toLowerCase() === host)?.addresses ?? []);
      if (hop.ip) addresses.add(hop.ip);
      for (const address of addresses) if (isIP(address)) builder.attribute(domainIp, 'ip', 'ip-dst', address, 'Network activity');
      if (!url.ObjectReference.some((r) => r.referenced_uuid === domainIp.uuid))
        url.ObjectReference.push(builder.reference(url, domainIp, 'resolves-to', `host of hop ${hop.index}`));
    }
    const cert = hop.tls?.cert;
    if (cert) {
      const { object: x509 } = builder.object('x509', cert.sha256, `TLS certificate of ${host ?? 'a hop'}`);
      builder.attribute(x509, 'x509-fingerprint-sha256', 'x509-fingerprint-sha256', cert.sha256);
      builder.attribute(x509, 'subject', 'text', cert.subject);
      builder.attribute(x509, 'issuer', 'text', cert.issuer);
      builder.attribute(x509, 'validity-not-before', 'datetime', isoTime(cert.validFrom));
      builder.attribute(x509, 'validity-not-after', 'datetime', isoTime(cert.validTo));
      for (const san of cert.sans) if (/^[a-z0-9*.-]+$/i.test(san)) builder.attribute(x509, 'dns_names', 'hostname', san.toLowerCase());
      url.ObjectReference.push(
        builder.reference(url, x509, 'related-to', `served over ${hop.tls?.protocol ?? 'TLS'} with this certificate`),
      );
    }
    urls.push(url);
  }
  for (let i = 1; i < urls.length; i++) {
    const hop = report.hops[i];
    urls[i - 1].ObjectReference.push(
      builder.reference(urls[i - 1], urls[i], 'redirects-to', `hop ${hop.index} by ${hop.via}: ${hop.evidence.detail}`.slice(0, 500)),
    );
  }
  return urls;
}

function fillUrl(builder: ObjectBuilder, object: MispObject, hop: Hop): void {
  builder.attribute(object, 'url', 'url', hop.url);
  let parsed: URL;
  try {
    parsed = new URL(hop.url);
  } catch {
    return;
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host)) builder.attribute(object, 'ip', 'ip-dst', host);
  else {
    builder.attribute(object, 'host', 'hostname', host);
    builder.attribute(object, 'domain', 'domain', registrableDomain(host));
  }
  if (hop.ip && isIP(hop.ip)) builder.attribute(object, 'ip', 'ip-dst', hop.ip);
  builder.attribute(object, 'scheme', 'text', parsed.protocol.replace(/:$/, ''));
  if (parsed.port) builder.attribute(object, 'port', 'port', parsed.port);
  builder.attribute(object, 'resource_path', 'text', parsed.pathname);
  if (parsed.search) builder.attribute(object, 'query_string', 'text', parsed.search.slice(1));
  builder.attribute(object, 'text', 'text', hopText(hop));
}

function hopText(hop: Hop): string {
  const party =
    hop.party && hop.party.role !== 'unknown'
      ? `; ${hop.party.role}: ${partyName(hop.party)}${hop.party.rule ? ` (rule ${hop.party.rule})` : ''}`
      : '';
  return `hop ${hop.index}, reached by ${hop.via}; HTTP ${hop.status ?? 'no response'}${party}`;
}

function hopComment(chain: TracedChain, hop: Hop): string {
  return `Hop ${hop.index} of the click chain recorded in case ${chain.id}`;
}
