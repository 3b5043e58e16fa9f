import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`--cacert: cannot read ${file}`);
    }
    checkCaPem(file, text);
    return text;
  });
  return { resolver, extraCaPems };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

// CA files found good, by content: a process tracing one link after another with the same
// --cacert parses it once, not per trace (~0.5 ms each). Bounded.
const goodCaPems = new Set<string>();
const MAX_GOOD_CA_PEMS = 64;

/**
 * A CA file the TLS layer cannot use is dropped by it without a word, and every upstream
 * certificate would then be reported as untrusted: a file with no certificate, or a broken one,
 * is bad input instead (as curl refuses it).
 */
function checkCaPem(file: string, text: string): void {
  if (goodCaPems.has(text)) return;
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new UsageError(`--cacert: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError(`--cacert: ${file}: certificate ${i + 1} of ${blocks.length} is not a valid PEM certificate`);
    }
  });
  if (goodCaPems.size >= MAX_GOOD_CA_PEMS) goodCaPems.clear();
  goodCaPems.add(text);
}

/** The overrides in force, for the case's record of how names were resolved. */
export function describeOverrides(options: UpstreamOptions): string[] {
  return [...(options.resolve ?? []).map((r) => `--resolve ${r}`), ...(options.connectTo ?? []).map((r) => `--connect-to ${r}`)];
}
