// The visitor profiles of `clicktrace compare --as`: parsing their names (`desktop`, `mobile`,
// `headless`, `scanner`, `webmail`, `lang=de-DE`, combinations with `+`, `all`) into the visitors a
// trace presents (src/capture/visitor.ts), and the signals each one shows a cloaker.
import { DESKTOP_VISITOR, type Visitor } from '../capture/visitor.js';
import { UserError } from '../errors.js';

export const BASE_PROFILES = ['desktop', 'mobile', 'headless', 'scanner', 'webmail'] as const;

/** `--as all`: one visitor per signal, each differing from `desktop` in one thing. */
export const ALL_PROFILES = ['desktop', 'mobile', 'headless', 'scanner', 'webmail', 'lang=de-DE'] as const;

/** The Referer a visitor arriving from webmail sends (the origin Gmail's pages send). */
export const WEBMAIL_REFERRER = 'https://mail.google.com/';

/** What a cloaker can tell visitors apart by. */
export const SIGNALS = ['user-agent', 'webdriver', 'javascript', 'device', 'language', 'referrer'] as const;
export type Signal = (typeof SIGNALS)[number];

/**
 * Countries with several time zones, where the first of CLDR's list (alphabetical) is not where
 * most people live. For the others, Intl.Locale's list gives the zone (a European one first).
 */
const MAIN_TIME_ZONE: Readonly<Record<string, string>> = {
  US: 'America/New_York',
  CA: 'America/Toronto',
  BR: 'America/Sao_Paulo',
  MX: 'America/Mexico_City',
  AR: 'America/Argentina/Buenos_Aires',
  CL: 'America/Santiago',
  AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
  RU: 'Europe/Moscow',
  CN: 'Asia/Shanghai',
  ID: 'Asia/Jakarta',
  KZ: 'Asia/Almaty',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  UA: 'Europe/Kyiv',
  CD: 'Africa/Kinshasa',
};

export class ProfileError extends UserError {}

/** `--as` value: a comma-separated list of profiles (or `all`), each a `+` combination. */
export function parseProfiles(spec: string): Visitor[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new ProfileError('--as: no profile given (e.g. --as desktop,mobile or --as all)');
  const visitors = names.flatMap((name) => (name === 'all' ? ALL_PROFILES.map(parseProfile) : [parseProfile(name)]));
  // A profile given again is a control, named `desktop#2`: the same visitor once more. Identical
  // visitors that part show a link answering at random or per visit, which no signal explains.
  const seen = new Map<string, number>();
  for (const v of visitors) {
    const n = (seen.get(v.name) ?? 0) + 1;
    seen.set(v.name, n);
    if (n > 1) v.name = `${v.name}#${n}`;
  }
  return visitors;
}

/** One profile: `mobile`, `lang=fr-FR`, `mobile+lang=fr-FR`... */
export function parseProfile(name: string): Visitor {
  const parts = name
    .split('+')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new ProfileError(`--as: empty profile in "${name}"`);
  const visitor: Visitor = { ...DESKTOP_VISITOR, languages: [...DESKTOP_VISITOR.languages] };
  const canonical: string[] = [];
  let lang: string | null = null;
  for (const part of parts) {
    const langMatch = /^lang=(.+)$/i.exec(part);
    if (langMatch) {
      if (lang) throw new ProfileError(`--as: two languages in "${name}"`);
      const locale = parseLanguage(langMatch[1]);
      lang = locale.tag;
      visitor.languages = locale.languages;
      visitor.locale = locale.tag;
      visitor.timezone = locale.timezone;
      continue;
    }
    const base = part.toLowerCase();
    if (!(BASE_PROFILES as readonly string[]).includes(base))
      throw new ProfileError(`--as: unknown profile "${part}" (known: ${BASE_PROFILES.join(', ')}, lang=xx-YY, all)`);
    if (canonical.includes(base)) throw new ProfileError(`--as: "${base}" twice in "${name}"`);
    if (base === 'mobile') visitor.device = 'mobile';
    if (base === 'headless') visitor.headless = true;
    if (base === 'scanner') visitor.javascript = false;
    if (base === 'webmail') visitor.referrer = WEBMAIL_REFERRER;
    canonical.push(base);
  }
  if (visitor.headless && !visitor.javascript) throw new ProfileError(`--as: "${name}": the scanner runs no browser, headless or not`);
  // `desktop` is the base of every profile: named alone, or dropped from a combination.
  const named = canonical.filter((b) => b !== 'desktop' || (canonical.length === 1 && !lang));
  visitor.name = [...BASE_PROFILES.filter((b) => named.includes(b)), ...(lang ? [`lang=${lang}`] : [])].join('+') || 'desktop';
  return visitor;
}

/** A BCP 47 language tag: its canonical form, navigator.languages for it, and the time zone of its region. */
export function parseLanguage(text: string): { tag: string; languages: string[]; timezone: string } {
  let tag: string;
  let locale: Intl.Locale;
  try {
    tag = Intl.getCanonicalLocales(text)[0]!;
    locale = new Intl.Locale(tag);
  } catch {
    throw new ProfileError(`--as: "${text}" is not a language tag (e.g. lang=de-DE)`);
  }
  const region = locale.region ?? locale.maximize().region ?? null;
  if (!region) throw new ProfileError(`--as: lang=${text}: no country to take a time zone from (e.g. lang=de-DE)`);
  const languages = [tag];
  if (locale.language !== tag) languages.push(locale.language);
  if (locale.language !== 'en') languages.push('en-US', 'en');
  return { tag, languages, timezone: timeZoneOf(region) };
}

function timeZoneOf(region: string): string {
  if (MAIN_TIME_ZONE[region]) return MAIN_TIME_ZONE[region];
  const zones = (new Intl.Locale(`und-${region}`) as Intl.Locale & { timeZones?: string[] }).timeZones ?? [];
  return zones.find((z) => z.startsWith('Europe/')) ?? zones[0] ?? 'UTC';
}

/**
 * What each signal shows of a visitor. `user-agent` is the browser the User-Agent names (Chrome,
 * HeadlessChrome), its platform part being `device`; the scanner sends the desktop Chrome UA and
 * headers, so that it differs from `desktop` in JavaScript only.
 */
export function signalsOf(visitor: Visitor): Record<Signal, string> {
  return {
    'user-agent': visitor.headless ? 'HeadlessChrome' : 'Chrome',
    webdriver: visitor.headless ? 'true' : 'false',
    javascript: visitor.javascript ? 'runs' : 'none',
    device: visitor.device,
    language: visitor.languages[0] ?? '',
    referrer: visitor.referrer ?? '',
  };
}
