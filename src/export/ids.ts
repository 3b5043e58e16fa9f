// Deterministic identifiers, so exporting the same case twice gives the same ids (and objects
// shared between cases, like a tracker's domain, merge downstream).
//
// UUIDv5 (RFC 9562 section 5.5) is written here rather than taken from the `uuid` package: it is
// SHA-1 over namespace + name with six bits set, and STIX's own vectors pin it down in the tests.
import { createHash } from 'node:crypto';

/** STIX 2.1 section 2.9: the namespace of deterministic SCO identifiers. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** clicktrace's own namespace for the ids of what it derives (STIX SDOs/SROs, MISP objects). */
export const CLICKTRACE_NAMESPACE = 'a5f0c7d2-3b64-5e1f-9c8a-2d4b6e8f0a13';

export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * JSON with object keys sorted and no whitespace: RFC 8785 (JCS) for the values the ids are made
 * from (strings, booleans, nested objects; no floating-point numbers, where JCS would differ).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A STIX cyber-observable's id from its ID-contributing properties (STIX 2.1 section 2.9). */
export function stixScoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(contributing), STIX_SCO_NAMESPACE)}`;
}

/** An id in clicktrace's namespace from the parts that make the object unique. */
export function derivedUuid(...parts: string[]): string {
  return uuidv5(parts.join('\u001f'), CLICKTRACE_NAMESPACE);
}
