// Who a trace presents itself as (`clicktrace compare --as`): a device, a language, a referrer,
// the tells of a careless headless crawler, or no JavaScript at all (a plain HTTP client). The
// capture turns a visitor into the identity it applies (UA, client hints, viewport, languages,
// timezone) and records it in the case; src/compare/profiles.ts parses the profile names.
import type { CaptureIdentity } from '../model.js';
import { acceptLanguageHeader, defaultIdentity, LANGUAGES, type Device } from './identity.js';

export interface Visitor {
  /** The profile as the user named it, canonical (`mobile+lang=fr-FR`). */
  name: string;
  device: Device;
  /** Shows the tells of automation: HeadlessChrome in the UA and client hints, navigator.webdriver true, no plugins. */
  headless: boolean;
  /** False: a plain HTTP client through the recording proxy that follows HTTP redirects only (a mail gateway's link checker). */
  javascript: boolean;
  /** The Referer of the first request (a webmail's), or null. */
  referrer: string | null;
  /** navigator.languages, most preferred first; Accept-Language is built from them. */
  languages: string[];
  locale: string;
  timezone: string;
}

/** Today's default visitor: what `clicktrace trace` presents. */
export const DESKTOP_VISITOR: Visitor = {
  name: 'desktop',
  device: 'desktop',
  headless: false,
  javascript: true,
  referrer: null,
  languages: [...LANGUAGES],
  locale: 'en-US',
  timezone: 'America/New_York',
};

/** The identity a visitor presents with this Chromium version (recorded in the case, applied by session.ts). */
export function visitorIdentity(visitor: Visitor, chromiumVersion: string): CaptureIdentity {
  const base = defaultIdentity(visitor.device, chromiumVersion);
  return {
    ...base,
    userAgent: visitor.headless ? base.userAgent.replace(/Chrome\//, 'HeadlessChrome/') : base.userAgent,
    locale: visitor.locale,
    timezone: visitor.timezone,
    acceptLanguage: acceptLanguageHeader(visitor.languages),
    profile: visitor.name,
    languages: [...visitor.languages],
    ...(visitor.headless ? { headless: true } : {}),
    ...(visitor.javascript ? {} : { javascript: false }),
    ...(visitor.referrer ? { referrer: visitor.referrer } : {}),
  };
}

/** The same list of languages (the key of a browser launched with them, see acceptLanguageFlag). */
export function languagesKey(languages: readonly string[] = LANGUAGES): string {
  return languages.join(',');
}
