// What the index stores about one case folder, as plain rows: pure, so that what gets indexed
// (which hosts, domains, parties, IPs, certificates, tokens) is tested without a database.
import type { FileRow } from './file-rows.js';
import { registrableDomainOf } from '../analyze/parties-match.js';
import type { Hop, HopNetwork, Report } from '../report.js';
import { parseAddress, specialNetwork } from '../hosting/special-addresses.js';
import { networkSourceNote } from '../hosting/describe.js';
import type { MailAnalysis } from '../mail/parse.js';
import type { CaseFolder, MessageFacts } from './case-folder.js';
import { hostOf } from '../http/host.js';
import { endedOnPage, isPixelFetch, reportChainEnding } from '../analyze/ending.js';
import { chainHops } from '../analyze/tabs.js';

export type CaseKind = Report['mode'] | 'mail';

export interface CaseRow {
  id: string;
  kind: CaseKind;
  url: string | null;
  final_url: string | null;
  final_host: string | null;
  final_domain: string | null;
  final_title: string | null;
  final_status: number | null;
  error: string | null;
  partial: number;
  started_at: string | null;
  ended_at: string | null;
  elapsed_ms: number | null;
  hop_count: number;
  ended_on_page: number;
  /** How a chain that did not rest on a page ended (endingNote); null when it did, or for a message case. */
  ending: string | null;
  summary: string | null;
  advertiser: string | null;
}

export interface MessageRow {
  case_id: string;
  subject: string | null;
  from_name: string | null;
  from_address: string | null;
  from_domain: string | null;
  return_path: string | null;
  message_id: string | null;
  message_id_domain: string | null;
  date: string | null;
  link_count: number;
  platforms: string | null;
  resource_count: number;
  pixel_count: number;
  /** messageKey of its message.eml (set by the store, which reads the file); null when it cannot be read. */
  message_key: string | null;
}

export interface RecipientRow {
  case_id: string;
  address: string;
  /** The recipient-map entry (address or pattern) the address falls under. */
  given_key: string | null;
  tag: string | null;
  spamtrap: number;
  after_retirement: number;
  /** Found in a link or resource URL (a recipient token). */
  in_urls: number;
}

export interface TracedLinkRow {
  owner: string;
  message_case: string;
  case_id: string;
  link: number | null;
  subject: string | null;
  sender: string | null;
}

export interface HopRow {
  case_id: string;
  idx: number;
  url: string;
  host: string | null;
  domain: string | null;
  method: string;
  status: number | null;
  via: string;
  ip: string | null;
  party_name: string | null;
  party_role: string | null;
  tls_protocol: string | null;
  cert_sha256: string | null;
  error: string | null;
  asn: number | null;
  as_name: string | null;
  as_country: string | null;
  network_special: string | null;
  network_source: string | null;
  /** 1: a hop of another tab (a tab-under's first tab), 2: of a separate chain (an import's other visit); not the chain's way on. */
  other_tab: number;
}

/** case_parties role of a message's open-tracking pixel hosts (src/feed counts them). */
export const OPEN_TRACKER_ROLE = 'open-tracker';

export type HostSource = 'hop' | 'link' | 'sender' | 'resource';
export interface HostRow {
  case_id: string;
  host: string;
  domain: string | null;
  source: HostSource;
}
export interface PartyRow {
  case_id: string;
  name: string;
  role: string;
  domain: string;
}
export interface IpRow {
  case_id: string;
  ip: string;
}
export interface CertRow {
  case_id: string;
  sha256: string;
  subject: string | null;
  issuer: string | null;
  valid_to: string | null;
}
export interface TokenRow {
  case_id: string;
  name: string;
  value: string;
  kind: string | null;
}

export interface CaseRows {
  case: CaseRow;
  message: MessageRow | null;
  recipients: RecipientRow[];
  tracedLinks: TracedLinkRow[];
  hops: HopRow[];
  hosts: HostRow[];
  parties: PartyRow[];
  ips: IpRow[];
  certs: CertRow[];
  tokens: TokenRow[];
  /** Files the trace downloaded (from the WARC: filled by the store, see file-rows.ts). */
  files: FileRow[];
}

/** Registrable domain (registrableDomainOf; an IP address is its own "domain"). */
export function registrableDomain(host: string | null): string | null {
  if (!host) return null;
  return registrableDomainOf(host) ?? host;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Folder name `20261126T182233Z-...` to ISO time, for cases with no recorded start. */
export function timeFromCaseId(id: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : null;
}

export function caseRows(folder: CaseFolder): CaseRows {
  const rows: CaseRows = {
    case: emptyCaseRow(folder),
    message: null,
    recipients: [],
    tracedLinks: [],
    hops: [],
    hosts: [],
    parties: [],
    ips: [],
    certs: [],
    tokens: [],
    files: [],
  };
  const collect = new Collector(folder.id, rows);
  if (folder.report) addReport(folder.id, folder.report, rows, collect);
  if (folder.message) addMessage(folder.id, folder.message, rows, collect);
  return rows;
}

function emptyCaseRow(folder: CaseFolder): CaseRow {
  return {
    id: folder.id,
    kind: folder.report ? folder.report.mode : 'mail',
    url: null,
    final_url: null,
    final_host: null,
    final_domain: null,
    final_title: null,
    final_status: null,
    error: null,
    partial: folder.partial ? 1 : 0,
    // A message case's own time to the millisecond, as a trace's; its folder name's (to the second) in older records.
    started_at: folder.message?.recordedAt ?? timeFromCaseId(folder.id),
    ended_at: null,
    elapsed_ms: null,
    hop_count: 0,
    ended_on_page: 0,
    ending: null,
    summary: null,
    advertiser: null,
  };
}

function addReport(id: string, report: Report, rows: CaseRows, collect: Collector): void {
  // The chain's own hops name the advertiser; another tab's (a tab-under's first tab) never do.
  const chain = chainHops(report.hops);
  const advertiser = [...(chain.length < report.hops.length ? [] : (report.parties ?? [])), ...chain.map((h) => h.party)].find(
    (p) => p?.role === 'advertiser',
  );
  Object.assign(rows.case, {
    url: report.url,
    final_url: report.final?.url ?? null,
    final_host: hostOf(report.final?.url),
    final_domain: registrableDomain(hostOf(report.final?.url)),
    final_title: report.final?.title ?? null,
    final_status: report.final?.status ?? null,
    error: report.error,
    partial: rows.case.partial || report.partial ? 1 : 0,
    // As clicktrace writes it (toISOString): times are compared as text, by --since and the search.
    started_at: ISO_TIME.test(String(report.startedAt)) ? report.startedAt : rows.case.started_at,
    ended_at: report.endedAt,
    elapsed_ms: report.elapsedMs,
    hop_count: report.hops.length,
    ended_on_page: endedOnPage(report, rows.case.partial === 1) ? 1 : 0,
    ending: endingNote(report, rows.case.partial === 1),
    summary: report.summary?.text ?? null,
    advertiser: advertiser ? (advertiser.name ?? advertiser.registrableDomain) : null,
  } satisfies Partial<CaseRow>);
  for (const hop of report.hops) addHop(id, hop, rows, collect);
  for (const party of report.parties ?? []) collect.party(party.name, party.role, party.registrableDomain);
  for (const token of report.tokens ?? []) collect.token(token.name, token.value, token.kind);
  if (report.message?.case) {
    rows.tracedLinks.push({
      owner: id,
      message_case: report.message.case,
      case_id: id,
      link: report.message.link ?? null,
      subject: report.message.subject ?? null,
      sender: report.message.from ?? null,
    });
  }
}

/**
 * How a chain that did not rest on a page ended, in a few words for the feed report's final
 * domain ("HTTP 404", "redirect loop", "timeout", "cut off"): an abuse desk tells a link taken
 * down from one that hung. Null when it rested on a page (or has no hops). The words come before
 * the reason's first ": ", so no URL of the chain is repeated.
 */
export function endingNote(report: Report, partial: boolean): string | null {
  if (partial || report.partial) return 'cut off';
  if (isPixelFetch(report)) return "an open pixel's image";
  const ending = reportChainEnding(report);
  if (!ending || ending.kind === 'page') return null;
  if (ending.kind === 'loop') return 'redirect loop';
  if (ending.kind === 'download') return 'file download';
  const words = ending.reason.split(': ')[0].trim();
  return words && words.length <= 60 && !words.includes('://') ? words : 'error';
}

/** A report made before hops had networks still gets its special blocks (loopback...) labelled. */
function networkColumns(hop: Hop): Pick<HopRow, 'asn' | 'as_name' | 'as_country' | 'network_special' | 'network_source'> {
  const parsed = hop.network ? null : hop.ip ? parseAddress(hop.ip) : null;
  const network = hop.network ?? (parsed ? ({ special: specialNetwork(parsed) } as HopNetwork) : null);
  if (!network || ('special' in network && !network.special)) {
    return { asn: null, as_name: null, as_country: null, network_special: null, network_source: null };
  }
  if ('special' in network) return { asn: null, as_name: null, as_country: null, network_special: network.special, network_source: null };
  return {
    asn: network.asn,
    as_name: network.name,
    as_country: network.country,
    network_special: null,
    network_source: networkSourceNote(network),
  };
}

function addHop(id: string, hop: Hop, rows: CaseRows, collect: Collector): void {
  const host = hostOf(hop.url);
  const domain = hop.party?.registrableDomain ?? registrableDomain(host);
  rows.hops.push({
    case_id: id,
    idx: hop.index,
    url: hop.url,
    host,
    domain,
    method: hop.method,
    status: hop.status,
    via: hop.via,
    ip: hop.ip,
    party_name: hop.party?.name ?? null,
    party_role: hop.party?.role ?? null,
    tls_protocol: hop.tls?.protocol ?? null,
    cert_sha256: hop.tls?.cert?.sha256 ?? null,
    error: hop.error,
    ...networkColumns(hop),
    other_tab: hop.otherTab ? (hop.chain !== undefined && hop.chain > 1 ? 2 : 1) : 0,
  });
  collect.host(host, domain, 'hop');
  collect.ip(hop.ip);
  if (hop.party) collect.party(hop.party.name, hop.party.role, hop.party.registrableDomain);
  const cert = hop.tls?.cert;
  if (cert?.sha256) collect.cert(cert.sha256, cert.subject, cert.issuer, cert.validTo);
}

function addMessage(id: string, facts: MessageFacts, rows: CaseRows, collect: Collector): void {
  const message = facts.analysis;
  const fromDomain = message.from?.address.includes('@') ? message.from.address.split('@').pop()!.toLowerCase() : null;
  rows.message = {
    case_id: id,
    subject: message.subject,
    from_name: message.from?.name || null,
    from_address: message.from?.address || null,
    from_domain: fromDomain,
    return_path: message.returnPath,
    message_id: message.messageId,
    message_id_domain: message.messageIdDomain,
    date: message.date,
    link_count: message.links.length,
    platforms: message.esp.map((p) => p.name).join(', ') || null,
    resource_count: facts.resources?.length ?? 0,
    pixel_count: facts.resources?.filter((r) => r.pixel).length ?? 0,
    message_key: null,
  };
  for (const d of facts.disclosures ?? []) {
    rows.recipients.push({
      case_id: id,
      address: d.address,
      given_key: d.entry?.address ?? null,
      tag: d.tag,
      spamtrap: d.entry?.spamtrap ? 1 : 0,
      after_retirement: d.afterRetirement ? 1 : 0,
      in_urls: d.where.some((w) => /^(?:link|resource) \d+:/.test(w)) ? 1 : 0,
    });
  }
  if (!rows.case.error && message.errors.length) rows.case.error = message.errors.join('; ');
  if (!rows.case.summary) {
    const platforms = message.esp.map((p) => p.name);
    rows.case.summary =
      `${message.links.length} link(s)${platforms.length ? `; sent via ${platforms.join(', ')}` : ''}` +
      (facts.notTraced && !facts.traces.length ? `; nothing traced: ${facts.notTraced}` : '');
  }
  collect.host(fromDomain, registrableDomain(fromDomain), 'sender');
  for (const link of facts.links) {
    const host = hostOf(link.url);
    collect.host(host, link.party?.registrableDomain ?? registrableDomain(host), 'link');
    if (link.party && link.party.role !== 'unknown') collect.party(link.party.name, link.party.role, link.party.registrableDomain);
  }
  for (const resource of facts.resources ?? []) {
    const host = hostOf(resource.url);
    collect.host(host, resource.party?.registrableDomain ?? registrableDomain(host), 'resource');
    if (resource.party && resource.party.role !== 'unknown')
      collect.party(resource.party.name, resource.party.role, resource.party.registrableDomain);
    // An open-tracking pixel is the sender's tracker: the feed report counts them apart.
    if (resource.pixel) {
      const domain = resource.party?.registrableDomain ?? registrableDomain(host);
      collect.party(resource.party?.name ?? domain ?? host, OPEN_TRACKER_ROLE, domain);
    }
  }
  for (const platform of message.esp) collect.party(platform.name, `mail-${platform.kind}`, null);
  for (const hop of message.received) collect.ip(hop.fromIp);
  for (const trace of facts.traces) {
    rows.tracedLinks.push({
      owner: id,
      message_case: id,
      case_id: trace.case,
      link: trace.link,
      subject: message.subject,
      sender: senderOf(message),
    });
  }
}

function senderOf(message: MailAnalysis | null): string | null {
  if (!message?.from) return null;
  return message.from.name ? `${message.from.name} <${message.from.address}>` : message.from.address;
}

/** Adds fact rows once each (the tables' keys are sets). */
class Collector {
  private readonly seen = new Set<string>();
  constructor(
    private readonly id: string,
    private readonly rows: CaseRows,
  ) {}

  private once(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  host(host: string | null, domain: string | null, source: HostSource): void {
    if (host && this.once(`h|${host}|${source}`)) this.rows.hosts.push({ case_id: this.id, host, domain, source });
  }

  ip(ip: string | null): void {
    if (ip && this.once(`i|${ip}`)) this.rows.ips.push({ case_id: this.id, ip });
  }

  party(name: string | null, role: string, domain: string | null): void {
    const label = name ?? domain;
    if (!label) return;
    if (this.once(`p|${label}|${role}|${domain ?? ''}`))
      this.rows.parties.push({ case_id: this.id, name: label, role, domain: domain ?? '' });
  }

  cert(sha256: string, subject: string | null, issuer: string | null, validTo: string | null): void {
    const key = sha256.toLowerCase();
    if (this.once(`c|${key}`)) this.rows.certs.push({ case_id: this.id, sha256: key, subject, issuer, valid_to: validTo });
  }

  token(name: string, value: string, kind: string | null): void {
    if (this.once(`t|${name}|${value}`)) this.rows.tokens.push({ case_id: this.id, name, value, kind });
  }
}
