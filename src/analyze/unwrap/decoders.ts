// The registry of pure decoders named by rules/wrappers.json. Each reads one wrapper URL and says
// where it leads, or why that cannot be known without a visit.
import { inflateSync } from 'node:zlib';
import { decodeProofpointV1, decodeProofpointV2, decodeProofpointV3 } from './proofpoint.js';
import type { DecodeInput, DecodeOutcome, Decoder, WrapperRule } from './types.js';
import { base64ToText, decodeBase64, decodeEmbeddedUrl, firstParam, percentDecode, rawQueryParams, utf8OrNull } from './url-text.js';

const decoded = (target: string, scheme?: 'http' | 'https'): DecodeOutcome =>
  scheme ? { kind: 'decoded', target, scheme } : { kind: 'decoded', target };
const failed = (reason: string): DecodeOutcome => ({ kind: 'failed', reason });
const opaque = (reason: string): DecodeOutcome => ({ kind: 'opaque', reason });

function paramsOf(rule: WrapperRule): string[] {
  return rule.params ?? [];
}

// A wrapper link without its destination parameter is left to the later rules (a generic
// redirect parameter) and, failing those, to party attribution, which marks it as needing a visit.
const missingParam = (): null => null;

const patternCache = new Map<string, RegExp>();

function captured(input: DecodeInput): string | null {
  const { rule, raw } = input;
  if (!rule.pattern) return null;
  let re = patternCache.get(rule.pattern);
  if (!re) patternCache.set(rule.pattern, (re = new RegExp(rule.pattern, 'i')));
  const m = re.exec(rule.scope === 'rest' ? raw.rest : raw.path);
  return m?.[1] ?? null;
}

/** Follows a dotted field path; a JSON string met on the way is parsed again (Mandrill's p.url). */
export function jsonField(json: string, path: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  for (const key of path.split('.')) {
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        return null;
      }
    }
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : null;
}

const param: Decoder = ({ raw, rule }) => {
  const hit = firstParam(raw.query, paramsOf(rule));
  if (!hit) return missingParam();
  if (hit.raw === '') return failed(`empty ${hit.name} parameter`);
  const target = decodeEmbeddedUrl(hit.raw);
  if (rule.httpOnly && !/^https?:/i.test(target)) return opaque(`${hit.name} is not a web address`);
  return decoded(target);
};

const paramBase64: Decoder = ({ raw, rule }) => {
  const hit = firstParam(raw.query, paramsOf(rule));
  if (!hit) return missingParam();
  const text = base64ToText(percentDecode(hit.raw).slice(rule.prefixLength ?? 0));
  if (text === null) return failed(`${hit.name} is not base64 text`);
  return decoded(rule.percentDecodeAfter ? decodeEmbeddedUrl(text) : text);
};

const paramBase64Json: Decoder = ({ raw, rule }) => {
  const hit = firstParam(raw.query, paramsOf(rule));
  if (!hit) return missingParam();
  const json = base64ToText(percentDecode(hit.raw));
  if (json === null) return failed(`${hit.name} is not base64 text`);
  const target = jsonField(json, rule.field ?? 'url');
  return target === null ? failed(`${hit.name} has no "${rule.field}" field`) : decoded(target);
};

const pathRegex: Decoder = (input) => {
  const value = captured(input);
  if (value === null || value === '') return failed('no destination in the path');
  return decoded(input.rule.verbatim ? value : decodeEmbeddedUrl(value));
};

const pathBase64: Decoder = (input) => {
  const value = captured(input);
  if (value === null) return failed('no token in the path');
  const text = base64ToText(percentDecode(value));
  return text === null ? failed('path token is not base64 text') : decoded(text);
};

const pathBase64Json: Decoder = (input) => {
  const value = captured(input);
  if (value === null) return failed('no token in the path');
  const json = base64ToText(percentDecode(value));
  if (json === null) return failed('path token is not base64 text');
  const target = jsonField(json, input.rule.field ?? 'url');
  return target === null ? failed(`token has no "${input.rule.field}" field`) : decoded(target);
};

/** href.li, anonym.to, DeviantArt: the destination is the whole query string, unencoded. */
const queryVerbatim: Decoder = ({ raw, rule }) => {
  const hit = firstParam(raw.query, paramsOf(rule));
  if (hit && hit.raw !== '') return decoded(decodeEmbeddedUrl(hit.raw));
  if (!raw.query) return opaque('no destination in the query');
  const target = raw.query + (raw.fragment !== null ? `#${raw.fragment}` : '');
  return decoded(/^https?%3a/i.test(target) ? decodeEmbeddedUrl(target) : target);
};

/** Mailgun legacy tokens: /c/eJ… = base64url(zlib(querystring)) with l=<destination>. */
const mailgunZlib: Decoder = ({ raw }) => {
  const token = /^\/c\/(eJ[^/?#]*)/.exec(raw.path)?.[1];
  const bytes = token ? decodeBase64(token) : null;
  if (!bytes) return failed('token is not base64url');
  let text: string | null;
  try {
    text = utf8OrNull(inflateSync(bytes));
  } catch {
    return failed('token does not inflate (truncated?)');
  }
  if (text === null) return failed('inflated token is not text');
  const link = rawQueryParams(text).find(([name]) => name === 'l');
  return link && link[1] !== '' ? decoded(decodeEmbeddedUrl(link[1])) : failed('token has no l= field');
};

// Brave: 2s, 2sm, 2ts, 3s, 3ts lead to https; 2, 2m, 3 to http. urlpurify adds 2t and 3t.
const POSTMARK_KINDS = new Set(['2s', '2sm', '2ts', '3s', '3ts', '2', '2m', '3', '2t', '3t']);

const postmark: Decoder = ({ raw }) => {
  const m = /^\/([0-9a-z]+)\/([^/?#]+)/i.exec(raw.path);
  if (!m) return opaque('no destination segment');
  const kind = m[1].toLowerCase();
  if (!POSTMARK_KINDS.has(kind)) return failed(`unknown Postmark link kind "${kind}"`);
  return decoded(percentDecode(m[2]), kind.includes('s') ? 'https' : 'http');
};

/** Mimecast keeps the destination server-side; the domain= parameter is only a hint. */
const mimecast: Decoder = ({ raw }) => {
  const url = firstParam(raw.query, ['url']);
  if (url && url.raw !== '') return decoded(decodeEmbeddedUrl(url.raw));
  const domain = firstParam(raw.query, ['domain']);
  if (domain && domain.raw !== '') {
    return {
      kind: 'hint',
      target: `https://${percentDecode(domain.raw)}`,
      reason: 'Mimecast reveals only the domain; the full URL is held server-side',
    };
  }
  return opaque('Mimecast token is resolved server-side');
};

/** Defender for Cloud Apps: originalUrl, with the proxy's ".mcas.ms" host suffix removed. */
const mcas: Decoder = (input) => {
  const outcome = param(input);
  if (outcome?.kind !== 'decoded') return outcome;
  return decoded(outcome.target.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#]*?)\.mcas\.ms(?=[:/?#]|$)/i, '$1'));
};

/** Google AMP viewer (/amp/s/host/path) and AMP cache (/c/s/host/path); "s/" means https. */
const amp: Decoder = ({ raw }) => {
  const m = /^\/(?:amp|c)\/(s\/)?(.+)$/s.exec(raw.rest);
  if (!m) return failed('no AMP target');
  return decoded(`${m[1] ? 'https' : 'http'}://${m[2]}`);
};

/** Disqus appends ":<hash>" to the destination. */
const disqus: Decoder = (input) => {
  const outcome = param(input);
  if (outcome?.kind !== 'decoded') return outcome;
  return decoded(outcome.target.replace(/:(?=[A-Za-z0-9_-]*[A-Za-z_-])[A-Za-z0-9_-]{10,}$/, ''));
};

/** Unisender: url= is either a URL or base64url with "~" for padding. */
const unisender: Decoder = (input) => {
  const outcome = param(input);
  if (outcome?.kind !== 'decoded' || /^https?:/i.test(outcome.target)) return outcome;
  const text = base64ToText(outcome.target.replace(/~/g, '='));
  return text === null ? failed('url is neither a URL nor base64') : decoded(text);
};

/** Sophos Email Appliance: http://<host>/?<base64("ver=…&&url=<pct>")> on any host. */
const sophosAppliance: Decoder = ({ raw }) => {
  const text = raw.query ? base64ToText(percentDecode(raw.query)) : null;
  if (text === null || !text.startsWith('ver=')) return null;
  const at = text.indexOf('&&url=');
  if (at < 0) return failed('appliance token has no url');
  return decoded(decodeEmbeddedUrl(text.slice(at + '&&url='.length)));
};

/** Known affiliate/redirector/ad hosts: the first parameter that holds a web address. */
const embeddedUrlParam: Decoder = ({ raw, rule }) => {
  const params = rawQueryParams(raw.query);
  for (const name of paramsOf(rule)) {
    const hit = params.find(([n]) => n === name);
    if (!hit) continue;
    const value = decodeEmbeddedUrl(hit[1]);
    if (/^https?:\/\//i.test(value)) return decoded(value);
  }
  return null;
};

export const DECODERS: Readonly<Record<string, Decoder>> = {
  param,
  'param-base64': paramBase64,
  'param-base64-json': paramBase64Json,
  'path-regex': pathRegex,
  'path-base64': pathBase64,
  'path-base64-json': pathBase64Json,
  'query-verbatim': queryVerbatim,
  'proofpoint-v1': ({ raw }) => decodeProofpointV1(raw.query),
  'proofpoint-v2': ({ raw }) => decodeProofpointV2(raw.query),
  'proofpoint-v3': ({ url }) => decodeProofpointV3(url),
  'mailgun-zlib': mailgunZlib,
  postmark,
  mimecast,
  mcas,
  amp,
  disqus,
  unisender,
  'sophos-appliance': sophosAppliance,
  'embedded-url-param': embeddedUrlParam,
};
