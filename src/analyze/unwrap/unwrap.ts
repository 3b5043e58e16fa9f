// unwrap(): peel link wrappers and trackers off a URL, offline, as far as their URLs allow.
import type { PartyRef } from '../../report.js';
import { attributeUrl } from '../parties.js';
import { candidateWrappers, wrapperApplies } from './rules.js';
import type { DecodeOutcome, UnwrapLayer, UnwrapResult } from './types.js';
import { hasScheme, normalizeInputUrl, refang, splitRawUrl } from './url-text.js';
import { hostOf } from '../../http/host.js';

export const MAX_UNWRAP_DEPTH = 10;

export interface DecodeStep {
  /** The URL that was decoded (normalised). */
  url: string;
  ruleId: string;
  party: string;
  outcome: DecodeOutcome;
}

/**
 * Decodes the outermost layer only: which wrapper rule applies and what its decoder reads.
 * Returns null when no wrapper rule applies (the URL may still be an opaque tracker).
 * Decoded targets are refanged but otherwise raw (no scheme added), as the public vectors expect.
 */
export function decodeOnce(url: string): DecodeStep | null {
  const normalized = normalizeInputUrl(url);
  const raw = splitRawUrl(normalized);
  const host = hostOf(normalized);
  if (!raw || !host) return null;
  let party: PartyRef | undefined;
  const partyOfHost = () => (party ??= attributeUrl(normalized));
  for (const w of candidateWrappers(host)) {
    if (!wrapperApplies(w, host, raw.path, raw.query, partyOfHost)) continue;
    const outcome = w.decoder({ url: normalized, raw, host, rule: w.rule });
    if (outcome === null) continue;
    return {
      url: normalized,
      ruleId: w.rule.id,
      party: w.partyName ?? partyOfHost().name ?? host,
      outcome: outcome.kind === 'decoded' ? { ...outcome, target: refang(outcome.target.trim()) } : outcome,
    };
  }
  return null;
}

/** Turns a decoded target into an absolute URL, adding a scheme to "host/path" forms. */
function absoluteTarget(target: string, scheme: 'http' | 'https' = 'https'): string | null {
  if (target === '') return null;
  const candidate = hasScheme(target) ? target : normalizeInputUrl(target, scheme);
  if (!hasScheme(candidate)) return null;
  try {
    new URL(candidate);
    return candidate;
  } catch {
    return null;
  }
}

function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Never throws: bad input becomes a layer with a note and a null destination. */
export function unwrap(url: string): UnwrapResult {
  const input = url;
  const layers: UnwrapLayer[] = [];
  const stop = (layer: UnwrapLayer): UnwrapResult => {
    layers.push(layer);
    return { input, destination: null, layers };
  };

  let current = normalizeInputUrl(String(url ?? ''));
  const seen = new Set<string>();
  for (;;) {
    if (!hasScheme(current) || absoluteTarget(current) === null) {
      return stop({ url: current, party: 'unknown', rule: 'not-a-url', note: 'not an absolute URL' });
    }
    if (!isHttp(current)) return { input, destination: current, layers };
    if (layers.length >= MAX_UNWRAP_DEPTH) {
      return stop({ url: current, party: 'unknown', rule: 'depth-limit', note: `stopped after ${MAX_UNWRAP_DEPTH} layers` });
    }
    if (seen.has(current)) return stop({ url: current, party: 'unknown', rule: 'loop', note: 'wrapper leads back to itself' });
    seen.add(current);

    const step = decodeOnce(current);
    if (step) {
      const layer: UnwrapLayer = { url: current, party: step.party, rule: step.ruleId };
      const { outcome } = step;
      switch (outcome.kind) {
        case 'decoded': {
          const next = absoluteTarget(outcome.target, outcome.scheme);
          if (next === null) return stop({ ...layer, note: `decoded value is not a URL: ${JSON.stringify(clip(outcome.target))}` });
          layers.push(layer);
          current = next;
          continue;
        }
        case 'hint':
          return stop({ ...layer, note: `destination hint only: ${outcome.target} (${outcome.reason})` });
        case 'opaque':
          return stop({ ...layer, note: `${outcome.reason}: destination known only by visiting` });
        case 'failed':
          return stop({ ...layer, note: `cannot decode: ${outcome.reason}` });
      }
    }

    const party = attributeUrl(current);
    if (party.role !== 'unknown') {
      return stop({
        url: current,
        party: party.name ?? 'unknown',
        rule: party.rule ?? party.role,
        note: `${party.role}: destination known only by visiting`,
      });
    }
    return { input, destination: current, layers };
  }
}
