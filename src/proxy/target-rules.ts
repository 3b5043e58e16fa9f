// curl-style connection overrides: `--resolve HOST:PORT:ADDR` and `--connect-to HOST1:PORT1:HOST2:PORT2`.
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export interface ResolveRule {
  host: string; // lowercased, '*' = any
  port: number | '*';
  addresses: string[];
}

export interface ConnectToRule {
  host: string; // '' = any
  port: number | null; // null = any
  toHost: string; // '' = keep
  toPort: number | null; // null = keep
}

function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`${what}: bad port "${text}"`);
  return port;
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

/** Parses `HOST:PORT:ADDR[,ADDR...]` (ADDR may be a bracketed IPv6 address). */
export function parseResolveRule(spec: string): ResolveRule {
  const first = spec.indexOf(':');
  const second = first < 0 ? -1 : spec.indexOf(':', first + 1);
  if (first <= 0 || second < 0) throw new UsageError(`--resolve "${spec}": expected HOST:PORT:ADDR`);
  const host = spec.slice(0, first).toLowerCase();
  const portText = spec.slice(first + 1, second);
  const port = portText === '*' ? '*' : parsePort(portText, `--resolve "${spec}"`);
  const addresses = spec
    .slice(second + 1)
    .split(',')
    .map((a) => stripBrackets(a.trim()))
    .filter(Boolean);
  if (addresses.length === 0) throw new UsageError(`--resolve "${spec}": no address`);
  for (const address of addresses) {
    if (!isIP(address)) throw new UsageError(`--resolve "${spec}": "${address}" is not an IP address`);
  }
  return { host, port, addresses };
}

/** Parses `HOST1:PORT1:HOST2:PORT2`; any part may be empty ("any" on the left, "unchanged" on the right). */
export function parseConnectToRule(spec: string): ConnectToRule {
  const parts: string[] = [];
  let rest = spec;
  for (let i = 0; i < 3; i++) {
    let end: number;
    if (rest.startsWith('[')) {
      end = rest.indexOf(']') + 1;
      if (end === 0 || rest[end] !== ':') throw new UsageError(`--connect-to "${spec}": expected HOST1:PORT1:HOST2:PORT2`);
    } else {
      end = rest.indexOf(':');
      if (end < 0) throw new UsageError(`--connect-to "${spec}": expected HOST1:PORT1:HOST2:PORT2`);
    }
    parts.push(rest.slice(0, end));
    rest = rest.slice(end + 1);
  }
  parts.push(rest);
  const [host, port, toHost, toPort] = parts as [string, string, string, string];
  return {
    host: stripBrackets(host).toLowerCase(),
    port: port === '' ? null : parsePort(port, `--connect-to "${spec}"`),
    toHost: stripBrackets(toHost).toLowerCase(),
    toPort: toPort === '' ? null : parsePort(toPort, `--connect-to "${spec}"`),
  };
}

export function applyConnectTo(rules: ConnectToRule[], host: string, port: number): { host: string; port: number } {
  const h = host.toLowerCase();
  for (const rule of rules) {
    if ((rule.host === '' || rule.host === h) && (rule.port === null || rule.port === port)) {
      return { host: rule.toHost || host, port: rule.toPort ?? port };
    }
  }
  return { host, port };
}

export function findResolveRule(rules: ResolveRule[], host: string, port: number): ResolveRule | undefined {
  const h = host.toLowerCase();
  return (
    rules.find((r) => r.host === h && (r.port === '*' || r.port === port)) ??
    rules.find((r) => r.host === '*' && (r.port === '*' || r.port === port))
  );
}
