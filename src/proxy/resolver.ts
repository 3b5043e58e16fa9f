// The proxy's own resolver: applies --connect-to and --resolve, asks DNS itself (recording the
// CNAME chain and whether the registrable domain resolves), and refuses private addresses that
// a hostile page could use to reach the analyst's network, unless they were given explicitly.
import { promises as dns, lookup as systemLookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { promisify } from 'node:util';
import { getDomain } from 'tldts';
import type { DnsRecord } from '../model.js';
import { UsageError, UserError } from '../errors.js';
import { applyConnectTo, findResolveRule, type ConnectToRule, type ResolveRule } from './target-rules.js';

const lookupAll = promisify(systemLookup);

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments: DS-Lite's and NAT64 discovery's local addresses
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible block (::127.0.0.1)
  ['64:ff9b::', 96], // NAT64: reaches IPv4 addresses, private ones included
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: reaches the IPv4 address it carries
  ['2002::', 16], // 6to4
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return privateRanges.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class ResolveError extends UserError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface ResolverOptions {
  resolve?: ResolveRule[];
  connectTo?: ConnectToRule[];
  /** "HOST:PORT" of a DNS server to ask instead of the system's resolver. */
  dnsServer?: string | null;
  allowPrivate?: boolean;
  timeoutMs?: number;
}

export interface ConnectTarget {
  address: string;
  port: number;
  /** The name's other addresses, in order: tried in turn when no connection to those before was made. */
  alternatives?: string[];
}

/** localhost and its subdomains are the loopback interface (RFC 6761 §6.3), as Chromium resolves them: never asked of DNS. */
export const LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];

export function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A name's addresses (all a connection needs) and, possibly later, its full record. */
interface Lookup {
  addresses: Promise<{ addresses: string[]; error: string | null }>;
  record: Promise<DnsRecord>;
}

export class Resolver {
  private readonly rules: ResolveRule[];
  private readonly connectTo: ConnectToRule[];
  private readonly dns: dns.Resolver;
  private readonly cache = new Map<string, Lookup>();
  readonly records: DnsRecord[] = [];
  onRecord: ((record: DnsRecord) => void) | null = null;

  constructor(readonly options: ResolverOptions = {}) {
    this.rules = options.resolve ?? [];
    this.connectTo = options.connectTo ?? [];
    this.dns = new dns.Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 });
    if (options.dnsServer) {
      try {
        this.dns.setServers([options.dnsServer]);
      } catch {
        throw new UsageError(`--dns-server: expected IP[:PORT], got "${options.dnsServer}"`);
      }
    }
  }

  /** Where to connect for host:port, with the DNS record that says why. Throws ResolveError. */
  async target(host: string, port: number): Promise<ConnectTarget> {
    const mapped = applyConnectTo(this.connectTo, host, port);
    const mappedAddress = mapped.host.replace(/^\[|\]$/g, '');
    const rule = findResolveRule(this.rules, mapped.host, mapped.port);
    let lookup: Lookup;
    let explicit: boolean;
    if (rule) {
      explicit = true;
      const why = `--resolve ${rule.host}:${rule.port}`;
      lookup = this.remember(`resolve|${rule.host}|${rule.port}|${host}`, () => this.override(host, rule.addresses, why));
    } else if (isIP(mappedAddress)) {
      explicit = mapped.host !== host.toLowerCase();
      const why = explicit ? '--connect-to' : null;
      lookup = this.remember(`ip|${why}|${host}|${mappedAddress}`, () => this.override(host, [mappedAddress], why));
    } else if (isLocalhostName(mapped.host)) {
      explicit = false;
      lookup = this.remember(`localhost|${mapped.host}|${host}`, () => this.override(host, LOOPBACK_ADDRESSES, null, 'localhost'));
    } else {
      explicit = false;
      lookup = this.remember(`dns|${mapped.host}`, () => this.lookup(mapped.host));
    }
    const found = await lookup.addresses;
    if (found.error || found.addresses.length === 0) {
      throw new ResolveError(`DNS: ${host} does not resolve (${found.error ?? 'no address'})`, 'ENOTFOUND');
    }
    const allowed = (a: string) => explicit || this.options.allowPrivate || !isPrivateAddress(a);
    const [address, ...others] = [...new Set(found.addresses)];
    if (!allowed(address)) {
      throw new ResolveError(
        `blocked: ${host} resolves to private address ${address} (use --resolve or --allow-private to allow it)`,
        'EPRIVATE',
      );
    }
    const alternatives = others.filter(allowed);
    return alternatives.length ? { address, port: mapped.port, alternatives } : { address, port: mapped.port };
  }

  /** Waits for the DNS records still being completed (CNAME chains, base domains), so none is lost. */
  async settled(): Promise<void> {
    await Promise.all([...this.cache.values()].map((l) => l.record.catch(() => undefined)));
  }

  private remember(key: string, make: () => Lookup): Lookup {
    const k = key.toLowerCase();
    let lookup = this.cache.get(k);
    if (!lookup) {
      const made = make();
      lookup = {
        addresses: made.addresses,
        record: made.record.then((record) => {
          this.records.push(record);
          this.onRecord?.(record);
          return record;
        }),
      };
      this.cache.set(k, lookup);
    }
    return lookup;
  }

  private override(host: string, addresses: string[], why: string | null, source?: DnsRecord['source']): Lookup {
    const record = this.overrideRecord(host, addresses, why, source);
    return { addresses: Promise.resolve({ addresses, error: null }), record: Promise.resolve(record) };
  }

  private overrideRecord(host: string, addresses: string[], why: string | null, source?: DnsRecord['source']): DnsRecord {
    return {
      host,
      at: new Date().toISOString(),
      source: source ?? (why ? 'override' : 'literal'),
      server: why,
      addresses,
      cnames: [],
      error: null,
      baseDomain: getDomain(host, { allowPrivateDomains: true }) ?? null,
      baseDomainResolves: null,
    };
  }

  /**
   * Asks for the addresses, the CNAME chain and whether the base domain resolves at once; the
   * connection waits only for the addresses, the record for all three.
   */
  private lookup(host: string): Lookup {
    const at = new Date().toISOString();
    const addresses = this.addresses(host);
    return { addresses, record: this.completeRecord(host, at, addresses) };
  }

  private async completeRecord(host: string, at: string, addresses: Lookup['addresses']): Promise<DnsRecord> {
    const baseDomain = getDomain(host, { allowPrivateDomains: true }) ?? null;
    const server = this.options.dnsServer ?? null;
    const [main, cnames, baseResolves] = await Promise.all([
      addresses,
      this.cnameChain(host),
      baseDomain && baseDomain !== host.toLowerCase() ? this.resolves(baseDomain) : Promise.resolve(null),
    ]);
    return {
      host,
      at,
      source: 'dns',
      server: server ?? 'system',
      addresses: main.addresses,
      cnames,
      error: main.error,
      baseDomain,
      baseDomainResolves: baseDomain === host.toLowerCase() ? main.addresses.length > 0 : baseResolves,
    };
  }

  private async addresses(host: string): Promise<{ addresses: string[]; error: string | null }> {
    if (!this.options.dnsServer) {
      try {
        const found = await lookupAll(host, { all: true, verbatim: true });
        return { addresses: found.map((a) => a.address), error: null };
      } catch (err) {
        return { addresses: [], error: (err as NodeJS.ErrnoException).code ?? String(err) };
      }
    }
    const [v4, v6] = await Promise.allSettled([this.dns.resolve4(host), this.dns.resolve6(host)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    const failure = v4.status === 'rejected' ? ((v4.reason as NodeJS.ErrnoException).code ?? 'error') : null;
    return { addresses, error: addresses.length ? null : (failure ?? 'no address') };
  }

  private async cnameChain(host: string): Promise<string[]> {
    const chain: string[] = [];
    let name = host;
    for (let i = 0; i < 8; i++) {
      try {
        const [next] = await this.dns.resolveCname(name);
        if (!next || chain.includes(next)) break;
        chain.push(next);
        name = next;
      } catch {
        break;
      }
    }
    return chain;
  }

  private async resolves(name: string): Promise<boolean | null> {
    const [v4, v6] = await Promise.allSettled([this.dns.resolve4(name), this.dns.resolve6(name)]);
    if ((v4.status === 'fulfilled' && v4.value.length) || (v6.status === 'fulfilled' && v6.value.length)) return true;
    const code = v4.status === 'rejected' ? (v4.reason as NodeJS.ErrnoException).code : null;
    // Only a definite answer counts; a timeout or refused server says nothing about the domain.
    return code === 'ENOTFOUND' || code === 'ENODATA' || v4.status === 'fulfilled' ? false : null;
  }
}
