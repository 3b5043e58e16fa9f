// A STIX 2.1 bundle from recorded evidence: url, domain-name, ipv4/ipv6-addr, x509-certificate
// and email-message observables; an observed-data per traced chain; an indicator per hop URL;
// a relationship per hop (redirects-to, with the mechanism that moved the browser on); the party
// behind each hop as an identity; a report per case.
//
// Ids: observables (SCOs) get STIX's deterministic UUIDv5 ids (section 2.9), so the same URL or
// domain has the same id in every export, from every tool. What clicktrace derives (indicators,
// relationships, identities, reports) gets a UUIDv5 over the case id and what the object is
// about: exporting a case twice gives the same bundle; two cases never share those objects.
// Their `created`/`modified` are the capture's time, so they are stable too.
import { isIP } from 'node:net';
import type { Hop, PartyRef } from '../report.js';
import type { CaseEvidence, MessageEvidence, TracedChain } from './case-evidence.js';
import { derivedUuid, stixScoId } from './ids.js';
import { caseTime, hostOf, isoTime, partyName, TLP_LEVELS, type Tlp } from './common.js';

export type StixObject = Record<string, unknown> & { type: string; id: string };

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** The TLP 1.0 marking definitions as the STIX 2.1 specification defines them (section 7.2.1.4). */
const TLP_MARKINGS: Record<Tlp, StixObject> = {
  clear: tlpMarking('white', '613f2e26-407d-48c7-9eca-b8e91df99dc9'),
  green: tlpMarking('green', '34098fce-860f-48ae-8e50-ebd3cc5e41da'),
  amber: tlpMarking('amber', 'f88d31f6-486f-44da-b317-01333bde0b82'),
  red: tlpMarking('red', '5e57c739-391a-4eb3-b6be-7d15ca92d5ed'),
};

function tlpMarking(level: string, uuid: string): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: `marking-definition--${uuid}`,
    created: '2017-01-20T00:00:00.000Z',
    definition_type: 'tlp',
    name: `TLP:${level.toUpperCase()}`,
    definition: { tlp: level },
  };
}

export function toStixBundle(cases: CaseEvidence[], options: { tlp?: Tlp } = {}): StixBundle {
  const tlp = options.tlp ?? 'amber';
  if (!TLP_LEVELS.includes(tlp)) throw new Error(`unknown TLP level ${String(tlp)}`);
  const marking = TLP_MARKINGS[tlp];
  const builder = new BundleBuilder(marking.id);
  for (const evidence of cases) addCase(builder, evidence);
  return {
    type: 'bundle',
    id: `bundle--${derivedUuid('bundle', ...cases.map((c) => c.id).sort())}`,
    objects: [marking, ...builder.objects()],
  };
}

class BundleBuilder {
  private readonly byId = new Map<string, StixObject>();

  constructor(private readonly markingId: string) {}

  /** Adds an object (marked); an observable seen again keeps one copy, its reference lists merged. */
  add(object: StixObject): string {
    const existing = this.byId.get(object.id);
    if (!existing) {
      this.byId.set(object.id, { ...object, object_marking_refs: [this.markingId] });
      return object.id;
    }
    for (const [key, value] of Object.entries(object)) {
      if (key.endsWith('_refs') && Array.isArray(value) && Array.isArray(existing[key])) {
        existing[key] = [...new Set([...(existing[key] as string[]), ...(value as string[])])];
      } else if (!(key in existing)) existing[key] = value;
    }
    return object.id;
  }

  objects(): StixObject[] {
    return [...this.byId.values()];
  }
}

function addCase(builder: BundleBuilder, evidence: CaseEvidence): void {
  const time = caseTime(evidence);
  const common = (type: string, ...key: string[]) => ({
    type,
    spec_version: '2.1',
    id: `${type}--${derivedUuid(evidence.id, type, ...key)}`,
    created: time,
    modified: time,
  });
  const refs: string[] = [];
  const add = (object: StixObject) => {
    const id = builder.add(object);
    if (!refs.includes(id)) refs.push(id);
    return id;
  };
  const relate = (source: string, relationship: string, target: string, description: string) =>
    add({
      ...common('relationship', relationship, source, target),
      relationship_type: relationship,
      source_ref: source,
      target_ref: target,
      description,
    });

  const message = evidence.message ? addMessage(evidence.message, add) : null;
  const summaries: string[] = [];
  for (const chain of evidence.chains) {
    const observed = addChain(chain, time, add, relate, common);
    if (chain.report.summary?.text) summaries.push(chain.report.summary.text);
    const first = chain.report.hops[0];
    if (message && first) {
      const link = chain.report.message?.link ?? null;
      relate(
        message,
        'related-to',
        observed.urls[0],
        `Link ${link ?? '?'} of the message, traced in case ${chain.id}: the chain starts here`,
      );
    }
  }
  const subject = evidence.message?.facts.analysis.subject;
  add({
    ...common('report', 'case'),
    name: `clicktrace case ${evidence.id}`,
    description: [subject ? `Message: ${subject}` : null, ...summaries].filter(Boolean).join('\n') || 'No traced chain.',
    published: time,
    report_types: ['observed-data', 'indicator'],
    object_refs: [...refs],
  });
}

type Add = (object: StixObject) => string;
type Relate = (source: string, relationship: string, target: string, description: string) => string;
type Common = (type: string, ...key: string[]) => { type: string; spec_version: string; id: string; created: string; modified: string };

function addChain(chain: TracedChain, time: string, add: Add, relate: Relate, common: Common): { urls: string[] } {
  const { report } = chain;
  const observedRefs: string[] = [];
  const observable = (object: StixObject) => {
    const id = add(object);
    if (!observedRefs.includes(id)) observedRefs.push(id);
    return id;
  };
  const ipRef = (address: string) => {
    const type = isIP(address) === 6 ? 'ipv6-addr' : 'ipv4-addr';
    return observable({ type, spec_version: '2.1', id: stixScoId(type, { value: address }), value: address });
  };
  const urls: string[] = [];
  const parties = new Map<string, string>();
  for (const hop of report.hops) {
    const urlRef = observable({ type: 'url', spec_version: '2.1', id: stixScoId('url', { value: hop.url }), value: hop.url });
    urls.push(urlRef);
    const host = hostOf(hop.url);
    if (host && !isIP(host.replace(/^\[|\]$/g, ''))) {
      const addresses = new Set<string>(report.dns?.find((d) => d.host.toLowerCase() === host)?.addresses ?? []);
      if (hop.ip) addresses.add(hop.ip);
      const resolves = [...addresses].filter((a) => isIP(a)).map(ipRef);
      observable({
        type: 'domain-name',
        spec_version: '2.1',
        id: stixScoId('domain-name', { value: host }),
        value: host,
        ...(resolves.length ? { resolves_to_refs: resolves } : {}),
      });
    } else if (hop.ip && isIP(hop.ip)) ipRef(hop.ip);
    const cert = hop.tls?.cert;
    if (cert) {
      const hashes = { 'SHA-256': cert.sha256 };
      const certRef = observable({
        type: 'x509-certificate',
        spec_version: '2.1',
        id: stixScoId('x509-certificate', { hashes }),
        hashes,
        subject: cert.subject,
        issuer: cert.issuer,
        validity_not_before: isoTime(cert.validFrom),
        validity_not_after: isoTime(cert.validTo),
      });
      relate(urlRef, 'related-to', certRef, `Hop ${hop.index} was served over ${hop.tls?.protocol ?? 'TLS'} with this certificate`);
    }
    const party = hop.party;
    if (party && party.role !== 'unknown') {
      const name = partyName(party);
      let identity = parties.get(name);
      if (!identity) {
        identity = add({
          ...common('identity', chain.id, name),
          name,
          identity_class: 'organization',
          description: `${party.role} in the click chain of case ${chain.id}${party.rule ? ` (rule ${party.rule})` : ''}`,
        });
        parties.set(name, identity);
      }
      relate(urlRef, 'related-to', identity, `Hop ${hop.index} is run by ${name}: ${describeParty(party)}`);
    }
  }
  for (const [i, hop] of report.hops.entries()) {
    if (i > 0) relate(urls[i - 1], 'redirects-to', urls[i], `Hop ${hop.index} (${hop.via}): ${hop.evidence.detail}`);
  }
  const first = isoTime(report.startedAt || time);
  const observed = add({
    ...common('observed-data', chain.id),
    first_observed: first,
    last_observed: report.endedAt ? isoTime(report.endedAt) : first,
    number_observed: 1,
    object_refs: observedRefs,
  });
  const seen = new Set<string>();
  for (const hop of report.hops) {
    if (seen.has(hop.url)) continue;
    seen.add(hop.url);
    const indicator = add({
      ...common('indicator', chain.id, hop.url),
      name: `Hop ${hop.index} of a click chain: ${hostOf(hop.url) ?? hop.url}`,
      description: hopDescription(hop),
      indicator_types: ['unknown'],
      pattern: `[url:value = '${stixString(hop.url)}']`,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: first,
    });
    relate(indicator, 'based-on', observed, `Recorded as hop ${hop.index} of case ${chain.id}`);
  }
  return { urls };
}

function addMessage(message: MessageEvidence, add: Add): string {
  const { analysis } = message.facts;
  const from = analysis.from?.address
    ? add({
        type: 'email-addr',
        spec_version: '2.1',
        id: stixScoId('email-addr', { value: analysis.from.address }),
        value: analysis.from.address,
        ...(analysis.from.name ? { display_name: analysis.from.name } : {}),
      })
    : null;
  const contentType = message.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? null;
  const extra: Record<string, string | string[]> = {};
  for (const h of message.headers) {
    if (!ADDITIONAL_HEADERS.has(h.name.toLowerCase())) continue;
    const key = h.name;
    const previous = extra[key];
    extra[key] = previous === undefined ? h.value : [...(Array.isArray(previous) ? previous : [previous]), h.value];
  }
  const subject = analysis.subject ?? undefined;
  const date = analysis.date && !Number.isNaN(Date.parse(analysis.date)) ? isoTime(analysis.date) : undefined;
  return add({
    type: 'email-message',
    spec_version: '2.1',
    id: stixScoId('email-message', { from_ref: from ?? undefined, subject }),
    is_multipart: /^\s*multipart\//i.test(contentType ?? ''),
    ...(date ? { date } : {}),
    ...(contentType ? { content_type: contentType } : {}),
    ...(from ? { from_ref: from } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(analysis.messageId ? { message_id: analysis.messageId } : {}),
    ...(analysis.received.length ? { received_lines: [...analysis.received].sort((a, b) => b.hop - a.hop).map((r) => r.raw) } : {}),
    ...(Object.keys(extra).length ? { additional_header_fields: extra } : {}),
  });
}

/** Header fields worth sharing beyond From/Subject/Date/Message-ID/Received: who to answer, who sent it through what. */
const ADDITIONAL_HEADERS = new Set([
  'reply-to',
  'return-path',
  'sender',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'x-mailer',
  'x-report-abuse',
  'x-abuse-reports-to',
  'x-complaints-to',
  'x-csa-complaints',
  'feedback-id',
  'dkim-signature',
  'authentication-results',
]);

function hopDescription(hop: Hop): string {
  const party = hop.party && hop.party.role !== 'unknown' ? `; ${partyName(hop.party)}, ${describeParty(hop.party)}` : '';
  return `Reached by ${hop.via} (${hop.evidence.detail}); HTTP ${hop.status ?? 'no response'}${hop.ip ? ` from ${hop.ip}` : ''}${party}`;
}

function describeParty(party: PartyRef): string {
  return `${party.role}${party.rule ? ` (${party.rule})` : ''}`;
}

/** A string literal of a STIX pattern: backslash and quote escaped (STIX 2.1 section 9.2). */
export function stixString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
