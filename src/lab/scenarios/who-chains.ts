// Chains for "who is responsible": an ESP tracker, a host no catalogue knows, an affiliate
// network that hands the click to a second network (a sub-affiliate) with sub-ids and click ids
// kept along the way; a link that ends on a shortener's "link not found"; and an ESP tracker
// whose landing page redirects to itself on its own host until the browser gives up.
import { HOSTS } from '../hosts.js';
import { page } from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';

const ESP = `http://${HOSTS.espClick}`;
const SHORT = `http://${HOSTS.relayShort}`;
const HUB = `https://${HOSTS.relayHub}`;
const ALPHA = `https://${HOSTS.relayAlpha}`;

/** A SendGrid-shaped click path (/ss/c/<token>/<3ch>/<token>). */
const SENDGRID_PATH = '/ss/c/who-sub-affiliate/Ab3/k9ZxQ';

/** URLs of the sub-affiliate chain, in order (the landing page last). */
export function subAffiliateUrls(): string[] {
  const name = 'who-sub-affiliate';
  const landing = `${landingUrl(name)}?irclickid=IR-77x&clickid=HO-5521&utm_source=affiliate`;
  return [
    `${ESP}${SENDGRID_PATH}`,
    `${SHORT}/w7Kq`,
    `${HUB}/aff_c?offer_id=7&aff_id=42&aff_sub=spring-mail`,
    `${ALPHA}/c/1234/5678/9012?subId1=spring-mail&clickid=HO-5521&u=${encodeURIComponent(landing)}`,
    landing,
  ];
}

function subAffiliate(): ScenarioDefinition {
  const urls = subAffiliateUrls();
  const [esp, short, hub, alpha, landing] = urls;
  return defineScenario(
    {
      name: 'who-sub-affiliate',
      url: esp,
      description:
        'SendGrid-shaped click link (/ss/c/<token>/<3ch>/<token>) -> a short link of no known shortener -> a HasOffers-shaped affiliate click ' +
        '(/aff_c?offer_id=&aff_id=&aff_sub=) -> an Impact-shaped one (/c/<pub>/<ad>/<campaign>?u=) that keeps the sub-id and click id -> landing.',
      expectedVias: ['start', 'http-302', 'http-301', 'http-302', 'http-302'],
      finalUrl: landing,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.espClick, path: SENDGRID_PATH, handle: (x) => x.redirect(302, short) },
      { host: HOSTS.relayShort, path: '/w7Kq', handle: (x) => x.redirect(301, hub) },
      { host: HOSTS.relayHub, path: '/aff_c', handle: (x) => x.redirect(302, alpha) },
      { host: HOSTS.relayAlpha, path: '/c/1234/5678/9012', handle: (x) => x.redirect(302, landing) },
    ],
  );
}

function shortLinkGone(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'who-short-link-gone',
      url: `${ESP}/c/who-short-link-gone`,
      description: 'ESP click link to a short link that is gone: the shortener\'s 404 page ("Link not found"), no landing page.',
      expectedVias: ['start', 'http-302'],
      finalUrl: `${SHORT}/gone-Zx9`,
      finalTitle: 'Link not found',
      finalStatus: 404,
    },
    [
      { host: HOSTS.espClick, path: '/c/who-short-link-gone', handle: (x) => x.redirect(302, `${SHORT}/gone-Zx9`) },
      {
        host: HOSTS.relayShort,
        path: '/gone-Zx9',
        handle: (x) =>
          x.html(404, page({ title: 'Link not found', body: '<main><h1>This link does not exist or was disabled.</h1></main>' })),
      },
    ],
  );
}

function landingSelfLoop(): ScenarioDefinition {
  const loop = `https://${HOSTS.advertiser}/who-loop/offer`;
  return defineScenario(
    {
      name: 'who-landing-self-loop',
      url: `${ESP}/c/who-landing-self-loop`,
      description:
        'ESP click tracker whose 302 leads to an advertiser page that 302s to ?step=2, which 302s back to itself: a same-host loop.',
      outcome: 'loop',
    },
    [
      { host: HOSTS.espClick, path: '/c/who-landing-self-loop', handle: (x) => x.redirect(302, loop) },
      {
        host: HOSTS.advertiser,
        path: '/who-loop/offer',
        handle: (x) => x.redirect(302, x.url.searchParams.get('step') === '2' ? loop : `${loop}?step=2`),
      },
    ],
  );
}

function blobLanding(): ScenarioDefinition {
  const name = 'who-blob-landing';
  const made = page({ title: 'Claim your prize', body: '<main><h1>Claim your prize</h1><form><input name="card"></form></main>' });
  return defineScenario(
    {
      name,
      url: `${ESP}/c/${name}`,
      description:
        'ESP click tracker whose 302 leads to a broker page that shows a page of its own making in the whole tab, from a Blob URL (no request).',
      walkable: false,
    },
    [
      { host: HOSTS.espClick, path: `/c/${name}`, handle: (x) => x.redirect(302, `http://${HOSTS.brokerPromo}/who/${name}`) },
      {
        host: HOSTS.brokerPromo,
        path: `/who/${name}`,
        handle: (x) =>
          x.html(
            200,
            page({
              title: 'Loading…',
              body:
                '<main><p>Loading…</p></main><script>\n' +
                `location.href = URL.createObjectURL(new Blob([${JSON.stringify(made)}], { type: 'text/html' }));\n</script>`,
            }),
          ),
      },
    ],
  );
}

/** The branded Marketo tracking link: its host says nothing of Marketo, its CNAME chain does. */
export const CNAME_MARKETO_URL = `https://${HOSTS.brandedMarketo}/dc/MTk1LVpBQi0xMjMAAAGQ/who-cname-marketo`;

function cnameMarketo(): ScenarioDefinition {
  const name = 'who-cname-marketo';
  const landing = `${landingUrl(name)}?mkt_tok=MTk1LVpBQi0xMjMAAAGQ`;
  return defineScenario(
    {
      name,
      url: CNAME_MARKETO_URL,
      description:
        `Branded tracking host ${HOSTS.brandedMarketo} whose DNS CNAME chain goes to a Marketo instance host ` +
        '(advertiser.mkto-ab1234.com) and on to a CDN; 302 to the landing page with mkt_tok.',
      expectedVias: ['start', 'http-302'],
      finalUrl: landing,
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brandedMarketo, path: new URL(CNAME_MARKETO_URL).pathname, handle: (x) => x.redirect(302, landing) }],
  );
}

export function whoChainScenarios(): ScenarioDefinition[] {
  return [subAffiliate(), shortLinkGone(), landingSelfLoop(), blobLanding(), cnameMarketo()];
}
