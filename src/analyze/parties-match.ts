// Host patterns shared by the party rules (rules/parties.json) and the wrapper rules
// (rules/wrappers.json).
//
// A pattern is either
//   - a domain glob: "sendgrid.net", "*-ctp.trendmicro.com", "google.{tld}". It matches the host
//     itself and every subdomain of it. "*" stands for any run of characters inside one label;
//     "{tld}" stands for the host's own public suffix (so "google.{tld}" matches www.google.co.uk
//     but not google.evil.com);
//   - or a regular expression between slashes, tested against the whole host: "/^ablink\\./".
import { parse as parseDomain } from 'tldts';
import { unsliced } from '../unsliced.js';
import { customerSiteOf } from './customer-subdomains.js';

export type HostMatcher = { source: string; specificity: number; test(host: string): boolean };

const hostInfoCache = new Map<string, { publicSuffix: string | null; domain: string | null; isIp: boolean }>();

function hostInfo(host: string) {
  let info = hostInfoCache.get(host);
  if (!info) {
    const parsed = parseDomain(host);
    // The "{tld}" of a pattern is an ICANN suffix (google.{tld} is not google.github.io), but who
    // owns a host is read with the private suffixes too: x.pages.dev is its customer's, not Cloudflare's.
    const owned = parseDomain(host, { allowPrivateDomains: true });
    const isIp = parsed.isIp === true;
    info = { publicSuffix: parsed.publicSuffix, domain: (isIp ? null : customerSiteOf(host)) ?? owned.domain, isIp };
    if (hostInfoCache.size > 50_000) hostInfoCache.clear();
    hostInfoCache.set(unsliced(host), info);
  }
  return info;
}

/**
 * Registrable domain of a host by the whole Public Suffix List, its private section included (a
 * customer's site on a hosting or CDN service, x.pages.dev, x.web.app, x.blob.core.windows.net,
 * is that customer's, not the service's), and the services it lacks (customer-subdomains.ts);
 * null for IPs and bare suffixes.
 */
export function registrableDomainOf(host: string | null): string | null {
  if (!host) return null;
  const info = hostInfo(host.toLowerCase());
  return info.isIp ? null : info.domain;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function compileHostPattern(pattern: string): HostMatcher {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    const re = new RegExp(pattern.slice(1, -1), 'i');
    return { source: pattern, specificity: pattern.length - 2, test: (host) => re.test(host) };
  }
  const glob = pattern.toLowerCase();
  const [head, tail] = glob.endsWith('.{tld}') ? [glob.slice(0, -'.{tld}'.length), true] : [glob, false];
  const body = escapeRegExp(head).replace(/\*/g, '[a-z0-9_-]*');
  const literalLength = glob.replace(/\*|\{tld\}/g, '').length;
  const re = new RegExp(`(?:^|\\.)${body}$`);
  if (!tail) {
    return { source: pattern, specificity: literalLength, test: (host) => re.test(host) };
  }
  return {
    source: pattern,
    specificity: literalLength,
    test(host) {
      const suffix = hostInfo(host).publicSuffix;
      if (!suffix || host === suffix) return false;
      const withoutSuffix = host.slice(0, -(suffix.length + 1));
      return re.test(withoutSuffix);
    },
  };
}

export function compileHostPatterns(patterns: readonly string[] | undefined): HostMatcher[] {
  return (patterns ?? []).map(compileHostPattern);
}

/** The most specific matching pattern, or null. */
export function bestHostMatch(matchers: readonly HostMatcher[], host: string): HostMatcher | null {
  let best: HostMatcher | null = null;
  for (const m of matchers) if (m.test(host) && (!best || m.specificity > best.specificity)) best = m;
  return best;
}

/**
 * Host patterns indexed for fast lookup: plain domains ("sendgrid.net") by suffix, the rest
 * (globs, {tld}, regular expressions) tried one by one.
 */
export class HostIndex<T> {
  private readonly plain = new Map<string, { value: T; matcher: HostMatcher }[]>();
  private readonly others: { value: T; matcher: HostMatcher }[] = [];

  add(pattern: string, value: T): void {
    const entry = { value, matcher: compileHostPattern(pattern) };
    if (/^[a-z0-9.-]+$/i.test(pattern)) {
      const key = pattern.toLowerCase();
      const list = this.plain.get(key);
      if (list) list.push(entry);
      else this.plain.set(key, [entry]);
    } else {
      this.others.push(entry);
    }
  }

  /** Every entry whose pattern matches the host. */
  matches(host: string): { value: T; matcher: HostMatcher }[] {
    const found: { value: T; matcher: HostMatcher }[] = [];
    for (let suffix = host; ;) {
      const list = this.plain.get(suffix);
      if (list) found.push(...list);
      const dot = suffix.indexOf('.');
      if (dot < 0) break;
      suffix = suffix.slice(dot + 1);
    }
    for (const entry of this.others) if (entry.matcher.test(host)) found.push(entry);
    return found;
  }
}
