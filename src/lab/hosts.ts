// The lab's cast: every host name a scenario uses, the DNS facts the lab DNS server answers
// with, and the "server personality" (Server header, tracker cookie) each party presents.
// Names end in reserved TLDs (.test, .example) so nothing here can ever reach the internet.

export const HOSTS = {
  // ESP trackers
  seedTracker: 'news.t-mobile.emsecure.test', // Selligent-style client host (base domain has no DNS)
  espClick: 'click.mailer-esp.test',
  brandedClick: 'click.brand.example', // branded SendGrid link host, revealed by its CNAME chain
  brandedMarketo: 'go.advertiser.example', // branded Marketo tracking host, known only by its CNAME to the instance's mkto- host
  // brokers, relays, traffic distribution
  brokerTrack: 'track.broker-net.test',
  brokerJump: 'jump.broker-net.test',
  brokerPromo: 'promo.broker-net.test',
  brokerFiles: 'files.broker-net.test',
  loopA: 'loop-a.broker-net.test',
  loopB: 'loop-b.broker-net.test',
  hang: 'hang.broker-net.test',
  reset: 'reset.broker-net.test',
  xss: 'xss.broker-net.test',
  headerEcho: 'echo.headers.test', // shows a request's headers as received, in order
  cloak: 'offer.cloak-cdn.test',
  benign: 'en.encyclopedia.test', // the harmless site cloaking kits send bots to
  relayAlpha: 'r.adnet-alpha.test',
  relayAlphaGo: 'go.adnet-alpha.test',
  relayHub: 'trk.affiliate-hub.test',
  relayHubOut: 'out.affiliate-hub.test',
  relayTds: 'l.tds-router.test',
  relayTdsCdn: 'cdn.tds-router.test',
  relayShort: 'x.shortlink.test',
  idnRelay: 'xn--bcher-kva.broker-net.test', // bücher.broker-net.test, as a browser asks for it
  // advertisers and final destinations
  tmobileBusiness: 'business.t-mobile.example',
  advertiser: 'www.advertiser.example',
  advertiserOld: 'old.advertiser.example',
  prize: 'prize.advertiser.example',
  phish: 'secure-login.phish.example',
  lookalike: 'business.t-rnobile.example', // "rn" for "m": a look-alike of business.t-mobile.example
  // hosts whose HTTPS certificate is wrong on purpose
  badExpired: 'expired.badssl.test',
  badSelfSigned: 'self-signed.badssl.test',
  badWrongHost: 'wrong-host.badssl.test',
} as const;

/** The name the wrong-host certificate is issued for instead of the host it is served on. */
export const WRONG_HOST_CERT_NAME = 'www.unrelated-site.example';

/** Zones whose every subdomain is a lab host, while the zone apex itself does not resolve. */
export const WILDCARD_ZONES = ['emsecure.test'] as const;

/** CNAMEs the lab DNS server answers (a branded link host pointing at its ESP). */
export const CNAMES: Readonly<Record<string, string>> = {
  [HOSTS.brandedClick]: 'u1234567.wl.sendgrid.test',
  'u1234567.wl.sendgrid.test': 'sendgrid.test',
  // A custom tracking domain pointed at its Marketo instance's host (a catalogue CNAME target,
  // mkto-<letters><digits>.com), which points on at a CDN: only the middle name proves Marketo. The
  // names are DNS answers of the lab server alone, never connected to (every name is the lab's address).
  [HOSTS.brandedMarketo]: 'advertiser.mkto-ab1234.com',
  'advertiser.mkto-ab1234.com': 'e1234.a.edge-cdn.test',
};

/** Names that have an A record without being served by a scenario (targets of CNAMEs). */
const DNS_ONLY_HOSTS = ['sendgrid.test', 'e1234.a.edge-cdn.test'];

export const LAB_ADDRESS = '127.0.0.1';

/** Registrable domain of a lab host: its last two labels (every lab TLD is a single label). */
export function baseDomainOf(host: string): string {
  return host.split('.').slice(-2).join('.');
}

export function inWildcardZone(host: string): boolean {
  const h = host.toLowerCase();
  return WILDCARD_ZONES.some((zone) => h.endsWith(`.${zone}`));
}

/** Every name that has an A record in the lab: the hosts, their base domains, CNAME targets. */
export function namesWithAddress(): Set<string> {
  const names = new Set<string>(DNS_ONLY_HOSTS);
  for (const host of Object.values(HOSTS)) {
    if (CNAMES[host]) continue;
    names.add(host);
  }
  for (const host of Object.values(HOSTS)) {
    const base = baseDomainOf(host);
    if (!(WILDCARD_ZONES as readonly string[]).includes(base)) names.add(base);
  }
  return names;
}

/** Whether the lab serves this host name (exact host or a subdomain of a wildcard zone). */
export function isLabHost(host: string): boolean {
  const h = host.toLowerCase();
  return (Object.values(HOSTS) as string[]).includes(h) || inWildcardZone(h);
}

export interface ServerPersonality {
  /** Value of the Server header. */
  server: string;
  /** Extra headers every response from this party carries. */
  headers: Record<string, string>;
  /** Tracking cookie set on responses (trackers and brokers only). */
  cookie: { name: string; attributes: string } | null;
}

const PERSONALITIES: { domain: string; personality: ServerPersonality }[] = [
  {
    domain: 'emsecure.test',
    personality: {
      server: 'Microsoft-IIS/10.0',
      headers: { 'X-Powered-By': 'ASP.NET' },
      cookie: { name: 'ASP.NET_SessionId', attributes: 'path=/; HttpOnly; SameSite=Lax' },
    },
  },
  {
    domain: 'mailer-esp.test',
    personality: { server: 'nginx', headers: {}, cookie: { name: '_mesp_uid', attributes: 'Path=/; Max-Age=31536000; SameSite=Lax' } },
  },
  {
    domain: 'brand.example',
    personality: { server: 'nginx', headers: { 'X-Robots-Tag': 'noindex, nofollow' }, cookie: null },
  },
  {
    domain: 'broker-net.test',
    personality: { server: 'openresty', headers: {}, cookie: { name: 'bn_click', attributes: 'Path=/; Max-Age=2592000; SameSite=Lax' } },
  },
  {
    domain: 'cloak-cdn.test',
    personality: {
      server: 'cloudflare',
      headers: { 'CF-Cache-Status': 'DYNAMIC' },
      cookie: { name: '__cf_bm', attributes: 'path=/; HttpOnly; SameSite=None; Secure' },
    },
  },
  {
    domain: 'adnet-alpha.test',
    personality: { server: 'nginx/1.24.0', headers: {}, cookie: { name: 'ana_uid', attributes: 'Path=/; Max-Age=7776000; SameSite=Lax' } },
  },
  {
    domain: 'affiliate-hub.test',
    personality: {
      server: 'Apache',
      headers: { 'X-Powered-By': 'PHP/8.2.12' },
      cookie: { name: 'aff_sub', attributes: 'path=/; SameSite=Lax' },
    },
  },
  {
    domain: 'tds-router.test',
    personality: { server: 'nginx', headers: {}, cookie: { name: 'tds_v', attributes: 'path=/; SameSite=Lax' } },
  },
  { domain: 'shortlink.test', personality: { server: 'Caddy', headers: {}, cookie: null } },
  { domain: 't-mobile.example', personality: { server: 'AkamaiGHost', headers: { 'X-Frame-Options': 'SAMEORIGIN' }, cookie: null } },
  { domain: 'advertiser.example', personality: { server: 'Apache/2.4.62 (Debian)', headers: {}, cookie: null } },
  { domain: 'phish.example', personality: { server: 'LiteSpeed', headers: {}, cookie: null } },
  { domain: 'badssl.test', personality: { server: 'nginx/1.10.3 (Ubuntu)', headers: {}, cookie: null } },
];

const DEFAULT_PERSONALITY: ServerPersonality = { server: 'nginx', headers: {}, cookie: null };

export function personalityOf(host: string): ServerPersonality {
  return PERSONALITIES.find((p) => baseDomainOf(host.toLowerCase()) === p.domain)?.personality ?? DEFAULT_PERSONALITY;
}
