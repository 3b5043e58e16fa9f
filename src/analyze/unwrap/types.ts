import type { PartyRole } from '../parties-rules.js';
import type { RawUrl } from './url-text.js';

export interface UnwrapLayer {
  /** The URL of this layer (the wrapper or tracker link itself). */
  url: string;
  /** Who runs it (party name from rules/parties.json). */
  party: string;
  /** Wrapper rule id (rules/wrappers.json) or party rule id (rules/parties.json). */
  rule: string;
  /** Why unwrapping stopped here, or what little could be recovered. */
  note?: string;
}

export interface UnwrapResult {
  input: string;
  /** The innermost URL when every layer decodes; null when a layer needs a visit or is broken. */
  destination: string | null;
  layers: UnwrapLayer[];
}

/** What one decoder makes of one wrapper URL. */
export type DecodeOutcome =
  /** The destination is embedded. `scheme` is used when the target is written without one. */
  | { kind: 'decoded'; target: string; scheme?: 'http' | 'https' }
  /** Only part of the destination is recoverable (Mimecast's domain= hint). */
  | { kind: 'hint'; target: string; reason: string }
  /** The destination is a server-side secret: only visiting reveals it. */
  | { kind: 'opaque'; reason: string }
  /** The wrapper is recognised but its token is malformed or truncated. */
  | { kind: 'failed'; reason: string };

export interface WrapperRule {
  id: string;
  /** Party id in rules/parties.json; null means "whoever parties.json says runs the host". */
  party: string | null;
  hosts?: string[];
  hostsOfRoles?: PartyRole[];
  /** Case-insensitive regular expression on the raw path. */
  path?: string;
  /** Case-insensitive regular expression on the raw query (without "?"). */
  query?: string;
  decoder: string;
  /** Query parameters carrying the destination, in order of preference. */
  params?: string[];
  /** Regular expression with one capture group (path decoders). */
  pattern?: string;
  /** What `pattern` is matched against: the raw path (default) or path + query + fragment. */
  scope?: 'path' | 'rest';
  /** Dotted field path into a JSON payload; a string met on the way is parsed as JSON again. */
  field?: string;
  /** Characters to drop before base64-decoding (Bing's "a1" version prefix). */
  prefixLength?: number;
  /** Percent-decode after base64-decoding (Bing Ads). */
  percentDecodeAfter?: boolean;
  /** Take the captured text as is, without percent-decoding. */
  verbatim?: boolean;
  /** Accept only http(s) targets (Adjust may redirect to app stores or deep links). */
  httpOnly?: boolean;
  sources: string[];
  sample?: { url: string; target: string };
}

export interface DecodeInput {
  /** The whole URL, normalised (scheme present, "&amp;" undone) but otherwise raw. */
  url: string;
  raw: RawUrl;
  host: string;
  rule: WrapperRule;
}

/** A pure decoder. Returns null when the URL is not this wrapper after all (try the next rule). */
export type Decoder = (input: DecodeInput) => DecodeOutcome | null;
