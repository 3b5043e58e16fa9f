// Sites that share one host name, told apart by their path: a storage bucket or a Google Sites
// site, form or document is its customer's page, not the hosting company's. (Sites told apart by
// their host name, x.pages.dev or x.web.app, are the Public Suffix List's private suffixes: see
// registrableDomainOf in parties-match.ts.)
import { hostOf } from '../http/host.js';

interface PathOwnedHost {
  host: RegExp;
  /** The path's leading segments that name the customer's site (the first captured group is required). */
  path: RegExp;
}

const PATH_OWNED_HOSTS: PathOwnedHost[] = [
  // Google Cloud Storage: storage.googleapis.com/<bucket>/<object>
  { host: /^storage\.(?:googleapis|cloud\.google)\.com$/, path: /^\/([a-z0-9][a-z0-9._-]*)(?:\/|$)/ },
  // Firebase Storage: firebasestorage.googleapis.com/v0/b/<bucket>/o/<object>
  { host: /^firebasestorage\.googleapis\.com$/, path: /^\/(v0\/b\/[a-z0-9][a-z0-9._-]*)(?:\/|$)/ },
  // Amazon S3, path-style: s3.amazonaws.com/<bucket>/, s3.<region>.amazonaws.com/<bucket>/, s3-<region>...
  { host: /^s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/, path: /^\/([a-z0-9][a-z0-9.-]*)(?:\/|$)/ },
  // Google Sites: sites.google.com/view/<site>/, sites.google.com/site/<site>/
  { host: /^sites\.google\.com$/, path: /^\/((?:view|site)\/[^/?#]+)/ },
  // Google Forms, Docs, Slides, Sheets and Drive files: one document each.
  { host: /^docs\.google\.com$/, path: /^\/((?:forms\/d\/e|forms\/d|document\/d|presentation\/d|spreadsheets\/d)\/[^/?#]+)/ },
  { host: /^drive\.google\.com$/, path: /^\/(file\/d\/[^/?#]+)/ },
];

/**
 * The site a URL's page belongs to when its host is shared by many customers told apart by the
 * path ("storage.googleapis.com/promo-bucket", "docs.google.com/forms/d/e/1FAIpQL…"); null for
 * any other URL (its site is its host's registrable domain).
 */
export function hostedSiteOf(url: string): string | null {
  const host = hostOf(url);
  if (!host) return null;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  for (const owned of PATH_OWNED_HOSTS) {
    if (!owned.host.test(host)) continue;
    const site = owned.path.exec(path)?.[1];
    return site ? `${host}/${site}` : null;
  }
  return null;
}
