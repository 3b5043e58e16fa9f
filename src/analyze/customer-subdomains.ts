// Services that give each customer a site of their own as a subdomain (x.000webhostapp.com,
// tenant.sharepoint.com, shop.myclickfunnels.com) but are not in the Public Suffix List's private
// section (checked against tldts' copy): read by the list alone, every customer's phishing page
// would be put down to the service, and a feed would lump them all into one "advertiser".
// Site builders, free web hosts, landing-page and form builders, help desks and app hosts that
// phishing kits and spam landing pages are commonly hosted on.
const CUSTOMER_SUBDOMAIN_SUFFIXES = [
  // free web hosting
  '000webhostapp.com',
  'epizy.com',
  'infinityfreeapp.com',
  'rf.gd',
  'wuaze.com',
  'atwebpages.com',
  'tripod.com',
  'angelfire.com',
  'webs.com',
  // site builders
  'weebly.com',
  'weeblysite.com',
  'squarespace.com',
  'wordpress.com',
  'godaddysites.com',
  'strikingly.com',
  'mystrikingly.com',
  'jimdosite.com',
  'webnode.page',
  'site123.me',
  'ukit.me',
  'zohosites.com',
  'webador.com',
  'tilda.ws',
  'myportfolio.com',
  'ghost.io',
  'odoo.com',
  'mailchimpsites.com',
  'hubspotpagebuilder.com',
  'tiiny.site',
  'start.page',
  // landing-page, funnel and course builders
  'clickfunnels.com',
  'myclickfunnels.com',
  'systeme.io',
  'unbouncepages.com',
  'mykajabi.com',
  // forms and help desks
  'wufoo.com',
  'typeform.com',
  'paperform.co',
  'formstack.com',
  'zendesk.com',
  'freshdesk.com',
  // app and code hosts
  'glitch.me',
  'softr.app',
  'glideapp.io',
  'codesandbox.io',
  'stackblitz.io',
  'deta.dev',
  'koyeb.app',
  'cyclic.app',
  'firebasestorage.app',
  // tenants of business platforms
  'sharepoint.com',
  'force.com',
  'my.salesforce-sites.com',
  'my.site.com',
];

const SUFFIXES = new Set(CUSTOMER_SUBDOMAIN_SUFFIXES);

/**
 * The customer's site a host belongs to when it is a subdomain of such a service
 * ("promo.000webhostapp.com" for "www.promo.000webhostapp.com"); null for any other host, and for
 * the service's own name.
 */
export function customerSiteOf(host: string): string | null {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  // The longest suffix first (my.site.com before site.com would matter if both were listed).
  for (let i = 1; i < labels.length; i++) {
    if (SUFFIXES.has(labels.slice(i).join('.'))) return labels.slice(i - 1).join('.');
  }
  return null;
}
