// The recipient map: which of the analyst's addresses was given out where and when, or retired,
// or never given out at all (a spamtrap). Mail that reaches an address given to one party only
// proves where the list came from; mail to an address retired years ago proves the list is old.
//
// The file is JSON (`clicktrace mail --recipients FILE`; the web UI edits <cases>/recipients.json):
//
//   { "recipients": [
//       { "address": "old-registrant+domain@mydomain.example", "given": "only for a domain registration",
//         "givenOn": "2012", "retiredOn": "2016" },
//       { "address": "jane+*@mydomain.example", "given": "plus tags name the site that got the address" },
//       { "address": "*@catchall.example", "given": "catch-all: the local part names the site" },
//       { "address": "trap-7@traps.example", "spamtrap": true, "given": "published only in a hidden link",
//         "givenOn": "2019-03" } ] }
//
// "address" is an address or a pattern with "*" (any characters in the local part or domain):
// an exact address wins over a pattern, a pattern with more literal characters over a wider one.
// "given", "givenOn", "retiredOn" and "note" are free text; dates written YYYY, YYYY-MM or
// YYYY-MM-DD are compared with the message's date.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecipientEntry {
  /** An address, or a pattern with "*" wildcards. */
  address: string;
  /** Where, and to whom, it was given out (free text). */
  given?: string;
  givenOn?: string;
  retiredOn?: string;
  /** Never given out: any mail to it comes from a harvested or bought list. */
  spamtrap?: boolean;
  note?: string;
}

export interface RecipientMap {
  entries: RecipientEntry[];
}

/** The file the web UI edits, in the cases folder; `clicktrace mail` reads it when no --recipients is given. */
export const RECIPIENT_MAP_FILE = 'recipients.json';

export class RecipientMapError extends Error {}

const FIELDS = new Set(['address', 'given', 'givenOn', 'retiredOn', 'spamtrap', 'note']);
const DATE = /^\d{4}(?:-\d{2}(?:-\d{2})?)?$/;

/** Parses and checks a recipient map; throws RecipientMapError with every problem, one per line. */
export function parseRecipientMap(text: string): RecipientMap {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RecipientMapError(`not valid JSON: ${(err as Error).message}`);
  }
  const list = (doc as { recipients?: unknown } | null)?.recipients;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(list)) throw new RecipientMapError('expected { "recipients": [ ... ] }');
  const problems: string[] = [];
  const entries: RecipientEntry[] = [];
  for (const [i, raw] of list.entries()) {
    const where = `recipients[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${where}: expected an object`);
      continue;
    }
    const item = raw as Record<string, unknown>;
    for (const key of Object.keys(item)) if (!FIELDS.has(key)) problems.push(`${where}: unknown field "${key}"`);
    const address = typeof item.address === 'string' ? item.address.trim().toLowerCase() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) problems.push(`${where}: "address" must be an address or a pattern like *@domain`);
    const entry: RecipientEntry = { address };
    for (const key of ['given', 'givenOn', 'retiredOn', 'note'] as const) {
      if (item[key] === undefined) continue;
      if (typeof item[key] !== 'string') problems.push(`${where}: "${key}" must be text`);
      else if (item[key].trim()) entry[key] = item[key].trim();
    }
    if (item.spamtrap !== undefined) {
      if (typeof item.spamtrap !== 'boolean') problems.push(`${where}: "spamtrap" must be true or false`);
      else if (item.spamtrap) entry.spamtrap = true;
    }
    entries.push(entry);
  }
  if (problems.length) throw new RecipientMapError(problems.join('\n'));
  return { entries };
}

export function loadRecipientMap(path: string): RecipientMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RecipientMapError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseRecipientMap(text);
  } catch (err) {
    throw new RecipientMapError(`${path}: ${(err as Error).message}`);
  }
}

/** The cases folder's map, or null when there is none. Throws RecipientMapError when it is broken. */
export function casesRecipientMap(casesDir: string): RecipientMap | null {
  try {
    return loadRecipientMap(join(casesDir, RECIPIENT_MAP_FILE));
  } catch (err) {
    if (/cannot read .*: ENOENT$/.test((err as Error).message)) return null;
    throw err;
  }
}

/** Checks `text` and writes it as the cases folder's map (atomically); returns the parsed map. */
export function saveRecipientMap(casesDir: string, text: string): RecipientMap {
  const map = parseRecipientMap(text);
  const path = join(casesDir, RECIPIENT_MAP_FILE);
  writeFileSync(`${path}.tmp`, text.endsWith('\n') ? text : `${text}\n`);
  renameSync(`${path}.tmp`, path);
  return map;
}

export function serializeRecipientMap(map: RecipientMap): string {
  return JSON.stringify({ recipients: map.entries }, null, 2) + '\n';
}

/** Exact addresses of the map (patterns cannot be searched for in hashed tokens). */
export function exactAddresses(map: RecipientMap | null): string[] {
  return (map?.entries ?? []).filter((e) => !e.address.includes('*')).map((e) => e.address);
}

export interface EntryMatch {
  entry: RecipientEntry;
  /** What the first "*" of a pattern matched (the tag of a catch-all or plus pattern); null for an exact entry. */
  wildcard: string | null;
}

const patternCache = new Map<string, RegExp>();

function patternOf(address: string): RegExp {
  let re = patternCache.get(address);
  if (!re) {
    const body = address
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join(')(.*?)(');
    re = new RegExp(`^(${body})$`, 'i');
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(address, re);
  }
  return re;
}

/** The map entry an address falls under: exact first, then the most literal pattern. */
export function matchEntry(map: RecipientMap | null, address: string): EntryMatch | null {
  if (!map) return null;
  const lower = address.toLowerCase();
  let best: { match: EntryMatch; literal: number } | null = null;
  for (const entry of map.entries) {
    if (!entry.address.includes('*')) {
      if (entry.address === lower) return { entry, wildcard: null };
      continue;
    }
    const m = patternOf(entry.address).exec(lower);
    if (!m) continue;
    const literal = entry.address.replace(/\*/g, '').length;
    if (!best || literal > best.literal) best = { match: { entry, wildcard: m[2] || null }, literal };
  }
  return best?.match ?? null;
}

/** Compares an ISO date-time with a free-text date of the map ("2016", "2016-05", "2016-05-31"); null when not comparable. */
export function compareWithMapDate(isoDate: string | null, mapDate: string | undefined): -1 | 0 | 1 | null {
  if (!isoDate || !mapDate || !DATE.test(mapDate) || !/^\d{4}-\d{2}-\d{2}/.test(isoDate)) return null;
  const prefix = isoDate.slice(0, mapDate.length);
  return prefix < mapDate ? -1 : prefix > mapDate ? 1 : 0;
}
