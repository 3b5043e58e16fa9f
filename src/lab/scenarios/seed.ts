// The seed: a Selligent-style tracker (`/optiext/optiextension.dll?ID=<opaque>`) on a client
// host under emsecure.test serves a T-Mobile for Business mail landing page; its "Find out
// more" link is another tracker token that 302s to the advertiser's contact page.
import type { LabExchange } from '../exchange.js';
import { HOSTS, WILDCARD_ZONES } from '../hosts.js';
import { escapeHtml, page } from '../pages.js';
import { defineScenario, type ScenarioDefinition } from './common.js';

const TRACKER_PATH = '/optiext/optiextension.dll';

/** IDs as they appear in URLs (percent-encoded base64). */
export const SEED_IDS = {
  landing: 'Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6kL8mN0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI',
  findOutMore: 'Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6kL8mN0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI3kM5oQ7sU9wY1aC3eG5iK7mO9',
  unsubscribe: 'Ue0V8Z%2BbT4oKj2yWm9LrQx%2FaP7cD3eF5gH1iJ6kL8mN0pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI9zX7vT5rP3nL1jH9fD7bZ5',
} as const;

export const SEED_URL = `http://${HOSTS.seedTracker}${TRACKER_PATH}?ID=${SEED_IDS.landing}`;
export const SEED_CONTACT_URL = `https://${HOSTS.tmobileBusiness}/contact-a-rep.html?cmpid=DMA_EM_Q3_2026_SMB_FindOutMore`;
export const SEED_LANDING_TITLE = 'T-Mobile for Business – Offers';
export const SEED_CONTACT_TITLE = 'Contact a Business Expert | T-Mobile for Business';
const UNSUBSCRIBE_URL = `https://${HOSTS.tmobileBusiness}/email-preferences/unsubscribe?cmpid=DMA_EM_Q3_2026_SMB_Unsub`;

function trackerLink(x: LabExchange, id: string): string {
  return `${x.url.protocol}//${x.url.host}${TRACKER_PATH}?ID=${id}`;
}

function seedLanding(x: LabExchange): string {
  return page({
    title: SEED_LANDING_TITLE,
    head: '<style>header{background:#e20074;color:#fff;padding:1rem}</style>\n',
    body:
      `<header><strong>T-Mobile for Business</strong></header>\n<main>\n` +
      `<h1>Your business deserves 5G that keeps up</h1>\n` +
      `<p>Switch your team to T-Mobile for Business and get up to 4 lines on us, with a dedicated Account Expert ` +
      `and Business Unlimited plans built for the way you work.</p>\n` +
      `<p><a class="button" href="${escapeHtml(trackerLink(x, SEED_IDS.findOutMore))}">Find out more</a></p>\n` +
      `<p><small>Offer valid for new business lines activated by 30 September 2026. Terms apply.</small></p>\n` +
      `<p><small><a href="${escapeHtml(trackerLink(x, SEED_IDS.unsubscribe))}">Unsubscribe</a> · ` +
      `T-Mobile USA, Inc., 12920 SE 38th St, Bellevue, WA 98006</small></p>\n</main>`,
  });
}

function contactPage(): string {
  return page({
    title: SEED_CONTACT_TITLE,
    body:
      `<header><strong>T-Mobile for Business</strong></header>\n<main>\n<h1>Contact a Business Expert</h1>\n` +
      `<p>Tell us about your business and an expert will call you within one business day.</p>\n` +
      `<form method="post" action="/contact-a-rep/submit">\n<label>Business name <input name="company"></label>\n` +
      `<label>Phone <input name="phone" type="tel"></label>\n<button type="submit">Request a call</button>\n</form>\n</main>`,
  });
}

function decodedId(x: LabExchange): string | null {
  return x.url.searchParams.get('ID');
}

export function seedScenario(): ScenarioDefinition {
  const findOutMore = decodeURIComponent(SEED_IDS.findOutMore);
  const unsubscribe = decodeURIComponent(SEED_IDS.unsubscribe);
  return defineScenario(
    {
      name: 'seed',
      url: SEED_URL,
      description:
        'Selligent-style tracker (news.t-mobile.emsecure.test/optiext/optiextension.dll) serving a T-Mobile for Business ' +
        'landing page; its "Find out more" link is another tracker token that 302s to the advertiser contact page.',
      expectedVias: ['start'],
      clicks: ['Find out more'],
      clickedVias: ['start', 'click', 'http-302'],
      finalUrl: SEED_CONTACT_URL,
      finalTitle: SEED_CONTACT_TITLE,
    },
    [
      {
        host: `*.${WILDCARD_ZONES[0]}`, // every Selligent client host under emsecure.test
        path: TRACKER_PATH,
        handle: (x) => {
          const id = decodedId(x);
          if (!id) return x.html(404, page({ title: 'Error', body: '<main><p>Invalid link.</p></main>' }));
          if (id === findOutMore) return x.redirect(302, SEED_CONTACT_URL);
          if (id === unsubscribe) return x.redirect(302, UNSUBSCRIBE_URL);
          x.html(200, seedLanding(x));
        },
      },
      { host: HOSTS.tmobileBusiness, path: '/contact-a-rep.html', handle: (x) => x.html(200, contactPage()) },
      {
        host: HOSTS.tmobileBusiness,
        path: '/email-preferences/unsubscribe',
        handle: (x) =>
          x.html(
            200,
            page({ title: 'Email preferences | T-Mobile for Business', body: '<main><h1>You have been unsubscribed</h1></main>' }),
          ),
      },
    ],
  );
}
