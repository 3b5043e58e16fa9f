import { readFileSync } from 'node:fs';
import { Resolver } from './resolver.js';
import { UsageError } from '../errors.js';
import { parseConnectToRule, parseResolveRule } from './target-rules.js';

/** How the proxy reaches upstream, as given on the command line (curl-like). */
export interface UpstreamOptions {
  resolve?: string[];
  connectTo?: string[];
  cacert?: string[];
  dnsServer?: string | null;
  allowPrivate?: boolean;
}

/** Parses and checks upstream options before anything starts: bad input is a UsageError. */
export function buildUpstream(options: UpstreamOptions): { resolver: Resolver; extraCaPems: string[] } {
  const resolver = new Resolver({
    resolve: (options.resolve ?? []).map(parseResolveRule),
    connectTo: (options.connectTo ?? []).map(parseConnectToRule),
    dnsServer: options.dnsServer ?? null,
    allowPrivate: options.allowPrivate ?? false,
  });
  const extraCaPems = (options.cacert ?? []).map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`--cacert: cannot read ${file}`);
    }
  });
  return { resolver, extraCaPems };
}

/** The overrides in force, for the case's record of how names were resolved. */
export function describeOverrides(options: UpstreamOptions): string[] {
  return [...(options.resolve ?? []).map((r) => `--resolve ${r}`), ...(options.connectTo ?? []).map((r) => `--connect-to ${r}`)];
}
