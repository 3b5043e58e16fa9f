// Header forensics: Received chain with TLS use per hop, DKIM signatures, Authentication-Results,
// Message-ID domain, List-Unsubscribe. Pure string functions over unfolded header values.

export interface ReceivedHop {
  /** 1 for the oldest hop (the bottom Received header), counting toward the recipient. */
  hop: number;
  from: string | null;
  /** IP address of the connecting host, from the from-clause comment ("[192.0.2.1]"). */
  fromIp: string | null;
  by: string | null;
  with: string | null;
  id: string | null;
  for: string | null;
  tls: boolean;
  /** "TLS1.2", "TLS1.3", "SSL3"...; null when TLS use is only implied (ESMTPS) or absent. */
  tlsVersion: string | null;
  /** ISO 8601, null when absent or unparseable. */
  date: string | null;
  raw: string;
}

export interface DkimSignature {
  d: string | null;
  s: string | null;
}

export interface AuthResult {
  authservId: string;
  method: string;
  result: string;
  /** e.g. { "smtp.mailfrom": "x.example", "header.d": "x.example" } */
  props: Record<string, string>;
}

const RECEIVED_KEYWORDS = new Set(['from', 'by', 'via', 'with', 'id', 'for']);
const TLS_PROTOCOL = /^(?:UTF8)?(?:E?SMTP|LMTP)SA?$|^HTTPS$/i;
const TLS_EVIDENCE = /version=TLS|using TLS|\bTLS\s*v?1(?:[._]?[0-3])?\b|\bSSLv3\b|cipher=|\btls TLS_/i;

/** Splits a header value into top-level words and parenthesised comments (nesting honoured). */
function splitWordsAndComments(value: string): { text: string; comment: boolean }[] {
  const parts: { text: string; comment: boolean }[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      let depth = 0;
      const start = i;
      for (; i < value.length; i++) {
        if (value[i] === '\\') i++;
        else if (value[i] === '(') depth++;
        else if (value[i] === ')' && --depth === 0) break;
      }
      parts.push({ text: value.slice(start + 1, i), comment: true });
      i++;
    } else {
      const start = i;
      for (; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code === 40 /* ( */ || code === 32 || code === 9 || code === 10 || code === 13) break;
      }
      parts.push({ text: value.slice(start, i), comment: false });
    }
  }
  return parts;
}

const IP_IN_BRACKETS = /\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/;
const BARE_IPV4 = /\b((?:\d{1,3}\.){3}\d{1,3})\b/;
const BARE_IPV6 = /(?:^|[\s(])((?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4})(?=$|[\s)])/;

function findIp(text: string): string | null {
  return IP_IN_BRACKETS.exec(text)?.[1] ?? BARE_IPV4.exec(text)?.[1] ?? BARE_IPV6.exec(text)?.[1] ?? null;
}

export function tlsVersionOf(text: string): string | null {
  const tls = /\bTLS\s*v?\s*1(?:[._]([0-3]))?(?![\d.])/i.exec(text);
  if (tls) return `TLS1.${tls[1] ?? '0'}`;
  return /\bSSLv3\b/i.test(text) ? 'SSL3' : null;
}

/** ISO time of an RFC 5322 date, or null. Comments such as "(UTC)" are ignored. */
export function parseMailDate(text: string): string | null {
  const cleaned = text
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) return null;
  const ms = Date.parse(cleaned);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A Received header's clauses (from, by, via, with, id, for): each one's words and comments. */
function receivedClauses(raw: string): { words: Record<string, string[]>; comments: Record<string, string[]> } {
  const semicolon = raw.lastIndexOf(';');
  const clauses = semicolon === -1 ? raw : raw.slice(0, semicolon);
  const words: Record<string, string[]> = {};
  const comments: Record<string, string[]> = {};
  let current: string | null = null;
  for (const part of splitWordsAndComments(clauses)) {
    const keyword = part.text.toLowerCase();
    if (!part.comment && RECEIVED_KEYWORDS.has(keyword) && !(current && words[current]?.length === 0)) {
      current = keyword;
      words[current] ??= [];
      comments[current] ??= [];
    } else if (current) {
      (part.comment ? comments[current] : words[current]).push(part.text);
    }
  }
  return { words, comments };
}

/**
 * The from-clause of a Received header, with its comments ("o1.sendgrid.net (o1.sendgrid.net
 * [167.89.1.1])"): the host the message came from. The by- and for-clauses name the server that
 * received it and the recipient (an inbound-parse or forwarding service on the recipient's side).
 */
export function receivedFromText(value: string): string {
  const { words, comments } = receivedClauses(value.replace(/\s+/g, ' ').trim());
  return [...(words.from ?? []), ...(comments.from ?? [])].join(' ');
}

export function parseReceived(value: string): Omit<ReceivedHop, 'hop'> {
  const raw = value.replace(/\s+/g, ' ').trim();
  const semicolon = raw.lastIndexOf(';');
  const date = semicolon === -1 ? null : parseMailDate(raw.slice(semicolon + 1));
  const { words, comments } = receivedClauses(raw);
  const clause = (name: string) => (words[name]?.length ? words[name].join(' ') : null);

  const from = clause('from');
  const withProtocol = clause('with');
  const fromIp = findIp([from ?? '', ...(comments.from ?? [])].join(' '));
  const tlsVersion = tlsVersionOf(raw);
  const tls = (withProtocol !== null && TLS_PROTOCOL.test(withProtocol.split(' ')[0])) || TLS_EVIDENCE.test(raw);
  const recipient = clause('for');
  return {
    from,
    fromIp,
    by: clause('by'),
    with: withProtocol,
    id: clause('id'),
    for: recipient ? recipient.replace(/^<|>$/g, '') : null,
    tls,
    tlsVersion,
    date,
    raw,
  };
}

/** Received headers in header order (newest first), numbered so that hop 1 is the oldest. */
export function receivedChain(values: string[]): ReceivedHop[] {
  return values.map((value, index) => ({ hop: values.length - index, ...parseReceived(value) }));
}

/** Tag=value list of a DKIM-Signature; folding whitespace inside values is removed. */
export function parseDkimTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of value.split(';')) {
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    const name = item.slice(0, eq).trim().toLowerCase();
    if (name && !(name in tags)) tags[name] = item.slice(eq + 1).replace(/\s+/g, '');
  }
  return tags;
}

export function parseDkimSignature(value: string): DkimSignature {
  const tags = parseDkimTags(value);
  return { d: tags.d ? tags.d.toLowerCase() : null, s: tags.s || null };
}

function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && depth) i++;
    else if (c === '(') depth++;
    else if (c === ')' && depth) depth--;
    else if (!depth) out += c;
  }
  return out;
}

export function parseAuthenticationResults(value: string): AuthResult[] {
  const [authserv = '', ...statements] = stripComments(value).split(';');
  const authservId = authserv.trim().split(/\s+/)[0] ?? '';
  const results: AuthResult[] = [];
  for (const statement of statements) {
    const tokens = statement.trim().split(/\s+/).filter(Boolean);
    const first = tokens.shift();
    if (!first || !first.includes('=')) continue;
    const [method, result] = first.split('=', 2);
    const props: Record<string, string> = {};
    for (const token of tokens) {
      const eq = token.indexOf('=');
      if (eq > 0) props[token.slice(0, eq).toLowerCase()] = token.slice(eq + 1).replace(/^"|"$/g, '');
    }
    results.push({ authservId, method: method.toLowerCase().split('/')[0], result: result.toLowerCase(), props });
  }
  return results;
}

/** Domain part of a Message-ID ("<abc@mta.example>" gives "mta.example"). */
export function messageIdDomain(messageId: string | null | undefined): string | null {
  if (!messageId) return null;
  const match = /@([^<>@\s]+)>?\s*$/.exec(messageId.trim());
  return match
    ? match[1]
        .replace(/[>\]]+$/, '')
        .replace(/^\[/, '')
        .toLowerCase() || null
    : null;
}

/** URIs of a List-Unsubscribe header, in order ("<mailto:...>, <https://...>"). */
export function parseListUnsubscribe(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^>]*)>/g)].map((m) => m[1].replace(/\s+/g, '')).filter(Boolean);
  if (bracketed.length) return bracketed;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => /^[a-z][a-z0-9+.-]*:/i.test(item));
}
