// Tracking tokens: named query parameters followed across the hops of a chain (rules/tokens.json),
// and the recipient's own address hidden in any URL of it.
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import type { TokenFinding } from '../report.js';
import { readRulesJson } from './parties-rules.js';
import { unwrap } from './unwrap/unwrap.js';
import { percentDecode, rawQueryParams, splitRawUrl } from './unwrap/url-text.js';
import { hostOf } from '../http/host.js';
import { unsliced } from '../unsliced.js';

interface TokenRule {
  kind: string;
  names?: string[];
  pattern?: string;
  label: string;
  sources: string[];
}

interface CompiledTokenRules {
  byName: Map<string, TokenRule>;
  patterns: { rule: TokenRule; re: RegExp }[];
}

let compiled: CompiledTokenRules | null = null;

function tokenRules(): CompiledTokenRules {
  if (compiled) return compiled;
  const doc = readRulesJson('tokens.json') as { tokens: TokenRule[] };
  const byName = new Map<string, TokenRule>();
  const patterns: { rule: TokenRule; re: RegExp }[] = [];
  for (const rule of doc.tokens) {
    for (const name of rule.names ?? []) byName.set(name.toLowerCase(), rule);
    if (rule.pattern) patterns.push({ rule, re: new RegExp(rule.pattern, 'i') });
  }
  compiled = { byName, patterns };
  return compiled;
}

/** The token rule naming a query parameter, if any. */
export function tokenRuleFor(name: string): { kind: string; label: string } | null {
  const rules = tokenRules();
  const rule = rules.byName.get(name.toLowerCase()) ?? rules.patterns.find((p) => p.re.test(name))?.rule;
  return rule ? { kind: rule.kind, label: rule.label } : null;
}

/** The URL and every URL unwrapping finds inside it (a wrapped link carries its destination's tokens). */
function urlViews(url: string): string[] {
  const result = unwrap(url);
  const views = [url, ...result.layers.map((l) => l.url)];
  if (result.destination !== null) views.push(result.destination);
  return [...new Set(views)];
}

interface Field {
  /** Where the text was found: a parameter name, "path" or "fragment". */
  name: string;
  raw: string;
}

function fieldsOf(url: string): Field[] {
  const raw = splitRawUrl(url);
  if (!raw) return [{ name: 'url', raw: url }];
  const fields: Field[] = rawQueryParams(raw.query).map(([name, value]) => ({ name, raw: value }));
  if (raw.path && raw.path !== '/') fields.push({ name: 'path', raw: raw.path });
  if (raw.fragment) fields.push({ name: 'fragment', raw: raw.fragment });
  return fields;
}

class FindingSet {
  private readonly byKey = new Map<string, { finding: TokenFinding; hops: Set<number> }>();

  add(name: string, value: string, kind: string, hop: number, address?: string): void {
    const key = `${kind}\u0000${name}\u0000${value}\u0000${address ?? ''}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      const finding: TokenFinding = { name, value, kind, hops: [] };
      if (address !== undefined) finding.address = address;
      this.byKey.set(key, (entry = { finding, hops: new Set() }));
    }
    entry.hops.add(hop);
  }

  list(): TokenFinding[] {
    return [...this.byKey.values()]
      .map(({ finding, hops }) => ({ ...finding, hops: [...hops].sort((a, b) => a - b) }))
      .sort((a, b) => a.hops[0] - b.hops[0]);
  }
}

interface RecipientForms {
  address: string;
  /** Lowercased local part: every plain or percent-encoded spelling contains it. */
  localPart: string;
  hashes: [encoding: string, hex: string][];
  /** The address's bytes in hex (some trackers write "rodrigo@…" as "726f647269676f40…"). */
  hexText: string;
  /** Base64 text that any base64 encoding containing the address must contain (see base64Cores). */
  base64Cores: string[];
}

/**
 * The part of base64(…address…) that does not depend on the surrounding bytes, for each of the
 * three alignments the address can have inside a longer token, in both alphabets. A token holds
 * the address if and only if it holds one of these.
 */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const cores: string[] = [];
  for (const lead of [0, 1, 2]) {
    const total = lead + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const start = [0, 2, 3][lead];
    const end = 4 * Math.floor(total / 3) + [0, 1, 2][total % 3];
    const core = encoded.slice(start, end);
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(cores)];
}

const formsCache = new Map<string, RecipientForms>();

/** The forms of an address, computed once per address (a mailbox repeats the same few recipients). */
function recipientForms(address: string): RecipientForms {
  let forms = formsCache.get(address);
  if (!forms) {
    if (formsCache.size >= 5000) formsCache.clear();
    formsCache.set(unsliced(address), (forms = computeForms(address)));
  }
  return forms;
}

function computeForms(address: string): RecipientForms {
  const given = address.trim();
  const lower = given.toLowerCase();
  const hash = (algorithm: string) => createHash(algorithm).update(lower).digest('hex');
  const spellings = new Set([lower, given, lower.replace('@', '%40'), given.replace('@', '%40')]);
  return {
    address: lower,
    localPart: lower.slice(0, lower.lastIndexOf('@')),
    hashes: [
      ['sha256', hash('sha256')],
      ['sha1', hash('sha1')],
      ['md5', hash('md5')],
    ],
    hexText: Buffer.from(lower, 'utf8').toString('hex'),
    base64Cores: [...spellings].flatMap(base64Cores),
  };
}

const BASE64_RUN = /[A-Za-z0-9+/_-]+={0,2}/g;

/** The base64 run of `text` that contains position `at`. */
function runAround(text: string, at: number): string {
  for (const m of text.matchAll(BASE64_RUN)) if (m.index <= at && at < m.index + m[0].length) return m[0];
  return text;
}

/** zlib streams in base64url (Mailgun's "eJ…" tokens), inflated. */
function* inflatedTokens(text: string): Generator<{ token: string; text: string }> {
  for (const [token] of text.matchAll(/eJ[A-Za-z0-9_-]{6,}/g)) {
    try {
      yield { token, text: inflateSync(Buffer.from(token, 'base64')).toString('latin1') };
    } catch {
      // not a zlib stream after all
    }
  }
}

/** How a recipient address appears in one field, if it does. */
function findRecipient(field: Field, r: RecipientForms): { encoding: string; value: string } | null {
  const once = percentDecode(field.raw);
  const twice = percentDecode(once);
  if (field.raw.toLowerCase().includes(r.address)) return { encoding: 'plain', value: once };
  if (twice.toLowerCase().includes(r.address)) return { encoding: 'url-encoded', value: field.raw };
  const lowerOnce = once.toLowerCase();
  for (const [encoding, hex] of r.hashes) if (lowerOnce.includes(hex)) return { encoding, value: hex };
  const hexAt = lowerOnce.indexOf(r.hexText);
  if (hexAt >= 0) return { encoding: 'hex', value: once.slice(hexAt, hexAt + r.hexText.length) };
  for (const core of r.base64Cores) {
    const at = once.indexOf(core);
    if (at >= 0) return { encoding: 'base64', value: runAround(once, at) };
  }
  for (const payload of inflatedTokens(once)) {
    if (percentDecode(payload.text).toLowerCase().includes(r.address)) return { encoding: 'base64', value: payload.token };
  }
  return null;
}

export interface FindTokensOptions {
  /** Addresses to look for (kind "recipient" findings). */
  recipients?: string[];
  /**
   * Only recipient findings, and URLs that cannot hold one of the addresses in any form are
   * skipped before unwrapping: the static pass over a mailbox looks at every link and image.
   */
  recipientsOnly?: boolean;
}

/**
 * Whether any form findRecipient looks for could be in the URL: the local part (plain or
 * percent-decoded once or twice), a digest, the hex text, a base64 core, a zlib token. Every
 * view of the URL (the URLs wrapped in it) holds its forms as these same substrings.
 */
function mayHold(url: string, r: RecipientForms): boolean {
  // A base64-encoded URL inside ("aHR0c" is "http" at one of the three alignments), or a zlib
  // token ("eJ…" starting a path segment or a value), is decoded first.
  if (/aHR0|h0dH|odHR|[/=]eJ[A-Za-z0-9_-]{6}/.test(url)) return true;
  const texts = url.includes('%') ? [url, percentDecode(percentDecode(url))] : [url];
  return texts.some((text) => {
    const lower = text.toLowerCase();
    return (
      lower.includes(r.localPart) ||
      lower.includes(r.hexText) ||
      r.hashes.some(([, hex]) => lower.includes(hex)) ||
      r.base64Cores.some((core) => text.includes(core))
    );
  });
}

/**
 * Names known tracking parameters in a chain and on which hops (1-based indexes into `urls`)
 * each appears, including inside wrapped URLs; and flags any recipient address found in the
 * URLs, plain, URL-encoded, base64 (also inside longer tokens), hex-encoded, or as an
 * MD5/SHA-1/SHA-256 hex digest of the lowercased address.
 */
export function findTokens(urls: string[], opts?: FindTokensOptions): TokenFinding[] {
  const findings = new FindingSet();
  const recipients = (opts?.recipients ?? []).filter((r) => r.includes('@')).map(recipientForms);
  const recipientsOnly = opts?.recipientsOnly ?? false;
  urls.forEach((url, i) => {
    const hop = i + 1;
    if (recipientsOnly && !recipients.some((r) => mayHold(url, r))) return;
    const views = urlViews(url);
    views.forEach((view, k) => {
      const innerHost = k + 1 < views.length ? hostOf(views[k + 1]) : null;
      for (const field of fieldsOf(view)) {
        if (!recipientsOnly && field.name !== 'path' && field.name !== 'fragment') {
          const rule = tokenRuleFor(field.name);
          if (rule && field.raw !== '') findings.add(field.name, percentDecode(field.raw), rule.kind, hop);
        }
        // The field that carries the wrapped URL repeats whatever the inner URL holds.
        if (innerHost && percentDecode(percentDecode(field.raw)).toLowerCase().includes(innerHost)) continue;
        for (const r of recipients) {
          const hit = findRecipient(field, r);
          if (hit) findings.add(`${field.name} (${hit.encoding})`, hit.value, 'recipient', hop, r.address);
        }
      }
    });
  });
  return findings.list();
}

/** A token that names a marketing campaign (cmpid=, utm_campaign=...): evidence that a click was bought. */
export function isCampaignToken(t: Pick<TokenFinding, 'kind' | 'name'>): boolean {
  return t.kind === 'campaign' || (t.kind === 'utm' && /^utm_campaign$/i.test(t.name));
}
