// Look-alike domains: is the page a reader lands on named like a brand the reader was shown
// (the anchor text of the e-mail link, the page's title) without being that brand's domain?
// The Public Suffix List (tldts) gives the registrable domain and its label; Unicode's confusables
// (unhomoglyph, the TR39 table: "rn" and "m", "1" and "l", Cyrillic "а" and Latin "a") give a
// skeleton two names share when they look alike; an edit distance (fastest-levenshtein) catches
// typos. Brands are only what the reader saw: URLs and domains in the text, and capitalised words
// that are not everyday title words. The domain a text shows is read as the mail links read it
// (mail/links.ts shownDomain).
import { domainToUnicode } from 'node:url';
import { parse as parseDomain } from 'tldts';
import unhomoglyph from 'unhomoglyph';
import { distance } from 'fastest-levenshtein';
import { shownDomain } from '../mail/links.js';

export interface BrandShown {
  /** The brand as a lowercase name: "t-mobile", "paypal". */
  brand: string;
  /** Where the reader saw it ("the page title", "the link text"). */
  source: string;
  /** The brand's own registrable domain, when the text named a domain ("paypal.com"). */
  ownDomain: string | null;
}

export interface Lookalike {
  host: string;
  domain: string;
  brand: string;
  source: string;
  /** Why the domain looks like the brand. */
  how: string;
}

/** Registrable domain and its label for a host, with IDN labels in Unicode; null for IPs and bare words. */
export function domainParts(host: string): { domain: string; label: string } | null {
  const parsed = parseDomain(host.toLowerCase(), { allowPrivateDomains: true });
  if (parsed.isIp || !parsed.domain || !parsed.domainWithoutSuffix) return null;
  return { domain: parsed.domain, label: domainToUnicode(parsed.domainWithoutSuffix) || parsed.domainWithoutSuffix };
}

// Words of titles and link texts that name no brand (capitalised in titles all the same).
const EVERYDAY_WORDS = new Set(
  (
    'about account accounts action activity alert app apply auth bank banking best billing blog business buy card cart center ' +
    'centre check claim click client close code confirm confirmation contact continue customer dashboard deal deals delivery ' +
    'details document download email error example expert express find form free gift gone help home hosting important info ' +
    'information invoice join letter limited loading login logon mail member message mobile money more news newsletter notice ' +
    'offer offers official online open order package page parcel password pay payment payments please portal prize profile ' +
    'promo promos promotion promotions daily weekly monthly discount discounts coupon coupons ' +
    'redirecting refund register reset reward review safe sale secure security service services shipping shop sign signin ' +
    'site spring store summer support team today track tracking update upgrade user verification verify wallet webmail ' +
    'welcome winter winner your'
  ).split(' '),
);

/** Brands a text shows: the labels of the domains it names, and its capitalised, uncommon words. */
export function brandsInText(text: string, source: string): BrandShown[] {
  const brands: BrandShown[] = [];
  const add = (brand: string, ownDomain: string | null) => {
    if (brand.replace(/[^\p{L}\p{N}]/gu, '').length < 4 || EVERYDAY_WORDS.has(brand)) return;
    if (!brands.some((b) => b.brand === brand)) brands.push({ brand, source, ownDomain });
  };
  const shown = shownDomain(text);
  const parts = shown ? domainParts(shown) : null;
  if (parts) add(parts.label, parts.domain);
  const withoutUrls = text.replace(/(?:[a-z][a-z0-9+.-]*:\/\/)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+[^\s<>"']*/giu, ' ');
  for (const word of withoutUrls.match(/[\p{L}\p{N}](?:[\p{L}\p{N}&'-]*[\p{L}\p{N}])?/gu) ?? []) {
    if (/\p{Lu}/u.test(word)) add(word.toLowerCase(), null);
  }
  return brands;
}

/** What a name looks like once confusable characters are folded (TR39 skeleton, case folded). */
export function skeleton(name: string): string {
  return unhomoglyph(name.toLowerCase()).toLowerCase();
}

const flat = (s: string) => s.replace(/-/g, '');

/** Why `label` (a registrable domain's label) imitates `brand`, or null when it does not. */
export function imitation(label: string, brand: string): string | null {
  if (label === brand) return null;
  if (skeleton(label) === skeleton(brand)) return `"${label}" is spelt with characters that look like "${brand}"`;
  const a = flat(label);
  const b = flat(brand);
  if (a === b) return `"${label}" is "${brand}" with its hyphens moved`;
  const allowed = b.length >= 9 ? 2 : b.length >= 5 ? 1 : 0;
  const d = distance(skeleton(a), skeleton(b));
  if (d > 0 && d <= allowed) return `"${label}" is ${d === 1 ? 'one letter' : `${d} letters`} away from "${brand}"`;
  if (b.length >= 4 && label.split('-').includes(brand)) return `"${label}" puts "${brand}" beside other words`;
  return null;
}

/**
 * The look-alike, if the host is named like one of the brands without being its domain: the
 * registrable domain imitates the brand, or a subdomain label is the brand itself on someone
 * else's domain ("paypal.com.account-check.example").
 */
export function lookalikeDomain(host: string, brands: BrandShown[]): Lookalike | null {
  const parts = domainParts(host);
  if (!parts) return null;
  // A domain named after a brand it shows, or the domain the text named, is that brand's own.
  if (brands.some((b) => b.brand === parts.label || b.ownDomain === parts.domain)) return null;
  const subdomainLabels = host
    .toLowerCase()
    .slice(0, Math.max(0, host.length - parts.domain.length - 1))
    .split('.')
    .filter(Boolean)
    .map((l) => domainToUnicode(l) || l);
  for (const b of brands) {
    const how = imitation(parts.label, b.brand);
    if (how) return { host, domain: parts.domain, brand: b.brand, source: b.source, how };
  }
  for (const b of brands) {
    const ownLabel = b.ownDomain ? domainParts(b.ownDomain)?.label : null;
    if (subdomainLabels.includes(b.brand) || (ownLabel && subdomainLabels.includes(ownLabel)))
      return { host, domain: parts.domain, brand: b.brand, source: b.source, how: `"${b.brand}" is a subdomain of ${parts.domain}` };
  }
  return null;
}
