// Sending-platform (ESP) fingerprints from headers, driven by rules/mail-headers.json.

import { readFileSync } from 'node:fs';
import { projectPath } from '../project-root.js';
import { hostOf } from '../http/host.js';
import { messageIdDomain, parseDkimTags, parseListUnsubscribe, receivedFromText } from './headers.js';

export type PlatformKind = 'esp' | 'mailer' | 'provider';

export interface EspFingerprint {
  name: string;
  kind: PlatformKind;
  /** The header lines that matched, shortened ("X-SES-Outgoing: 2024.06.18-54.240.73.34"). */
  evidence: string[];
}

export interface MailHeaderLike {
  /** Lowercase name. */
  key: string;
  /** Name as written, for evidence; falls back to `key`. */
  originalKey?: string;
  value: string;
}

interface HeaderRuleFile {
  platforms: {
    name: string;
    kind: PlatformKind;
    headers: { header: string; value?: string; source?: string }[];
    domains: string[];
  }[];
}

interface CompiledRules {
  exact: Map<string, { platform: number; value: RegExp | null }[]>;
  prefixes: { prefix: string; platform: number; value: RegExp | null }[];
  /** First two characters of every prefix rule, to skip the prefix scan for most headers. */
  prefixStarts: Set<string>;
  domains: Map<string, number>;
  platforms: { name: string; kind: PlatformKind }[];
}

/** Headers whose host names reveal the sending infrastructure (of a Received header, its from-clause only). */
const DOMAIN_HEADERS = new Set([
  'return-path',
  'received',
  'message-id',
  'sender',
  'errors-to',
  'list-id',
  'list-unsubscribe',
  'x-report-abuse',
  'dkim-signature',
]);
const NOT_HOST_CHARS = /[^a-z0-9.-]+/;
const EVIDENCE_LENGTH = 160;

export function compileHeaderRules(file: HeaderRuleFile): CompiledRules {
  const compiled: CompiledRules = { exact: new Map(), prefixes: [], prefixStarts: new Set(), domains: new Map(), platforms: [] };
  file.platforms.forEach((platform, index) => {
    compiled.platforms.push({ name: platform.name, kind: platform.kind });
    for (const rule of platform.headers) {
      const name = rule.header.toLowerCase();
      const value = rule.value ? new RegExp(rule.value, 'i') : null;
      if (name.endsWith('*')) {
        compiled.prefixes.push({ prefix: name.slice(0, -1), platform: index, value });
        compiled.prefixStarts.add(name.slice(0, 2));
      } else {
        const list = compiled.exact.get(name) ?? [];
        list.push({ platform: index, value });
        compiled.exact.set(name, list);
      }
    }
    for (const domain of platform.domains) compiled.domains.set(domain.toLowerCase(), index);
  });
  return compiled;
}

let defaultRules: CompiledRules | null = null;

export function loadMailHeaderRules(): CompiledRules {
  defaultRules ??= compileHeaderRules(JSON.parse(readFileSync(projectPath('rules', 'mail-headers.json'), 'utf8')) as HeaderRuleFile);
  return defaultRules;
}

function domainOwner(host: string, domains: Map<string, number>): number | undefined {
  let candidate = host;
  for (;;) {
    const owner = domains.get(candidate);
    if (owner !== undefined) return owner;
    const dot = candidate.indexOf('.');
    if (dot === -1 || candidate.indexOf('.', dot + 1) === -1) return undefined;
    candidate = candidate.slice(dot + 1);
  }
}

/** Headers that carry mail addresses: only their domains name a host (a VERP local part holds the recipient's). */
const ADDRESS_HEADERS = new Set(['return-path', 'sender', 'errors-to']);

/**
 * The part of a domain header that names the sending infrastructure: a DKIM signature's d=, a
 * Received header's from-clause, the domains of addresses and of a Message-ID, the hosts of
 * unsubscribe links, a List-Id's id. Not the rest (local parts, display names, query strings): a
 * VERP bounce address ("bounces+7731-ab12-abuse=brevo.com@bounce.sender.example") and an
 * unsubscribe link ("?email=abuse@sendgrid.com") spell out the recipient's address, and an ESP's
 * abuse desk, or anyone who works there, would have every message put down to their own company.
 */
function hostText(key: string, value: string): string {
  if (key === 'dkim-signature') return parseDkimTags(value).d ?? '';
  if (key === 'received') return receivedFromText(value);
  if (ADDRESS_HEADERS.has(key)) return addressDomains(value).join(' ');
  if (key === 'list-unsubscribe') return parseListUnsubscribe(value).map(uriHost).join(' ');
  if (key === 'message-id') return messageIdDomain(value) ?? '';
  // A list's id in angle brackets, not its description, which is free text.
  if (key === 'list-id') return /<([^<>]*)>/.exec(value)?.[1] ?? value;
  return value;
}

/**
 * The domain of each address in a header ("Bounces <b-x=rcpt.example@mta.example>" gives
 * "mta.example"); of an address in angle brackets, not of its display name, which is free text.
 */
function addressDomains(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
  return [...(bracketed.length ? bracketed.join(' ') : value).matchAll(/@([a-z0-9.-]+)/gi)].map((m) => m[1]);
}

/** The host a mailto: or web URI goes to: a mailto's address domain (a bare address's too), a URL's host name. */
function uriHost(uri: string): string {
  const address = /^mailto:/i.test(uri) ? uri.slice('mailto:'.length) : /^[^:/?#]+@/.test(uri) ? uri : null;
  if (address !== null) return addressDomains(address.split('?')[0]).join(' ');
  return hostOf(uri) ?? '';
}

function evidenceLine(header: MailHeaderLike): string {
  const line = `${header.originalKey ?? header.key}: ${header.value.replace(/\s+/g, ' ').trim()}`;
  return line.length > EVIDENCE_LENGTH ? `${line.slice(0, EVIDENCE_LENGTH - 1)}…` : line;
}

export function detectPlatforms(headers: MailHeaderLike[], rules: CompiledRules = loadMailHeaderRules()): EspFingerprint[] {
  const evidence = new Map<number, Set<string>>();
  const note = (platform: number, header: MailHeaderLike) => {
    let set = evidence.get(platform);
    if (!set) evidence.set(platform, (set = new Set()));
    set.add(evidenceLine(header));
  };
  for (const header of headers) {
    const key = header.key.toLowerCase();
    for (const rule of rules.exact.get(key) ?? []) {
      if (!rule.value || rule.value.test(header.value)) note(rule.platform, header);
    }
    if (rules.prefixStarts.has(key.slice(0, 2))) {
      for (const rule of rules.prefixes) {
        if (key.startsWith(rule.prefix) && (!rule.value || rule.value.test(header.value))) note(rule.platform, header);
      }
    }
    if (DOMAIN_HEADERS.has(key)) {
      for (const token of hostText(key, header.value).toLowerCase().split(NOT_HOST_CHARS)) {
        if (token.indexOf('.') === -1) continue;
        const owner = domainOwner(token.replace(/^[.-]+|[.-]+$/g, ''), rules.domains);
        if (owner !== undefined) note(owner, header);
      }
    }
  }
  return [...evidence]
    .map(([index, lines]) => ({ ...rules.platforms[index], evidence: [...lines] }))
    .sort((a, b) => b.evidence.length - a.evidence.length);
}
