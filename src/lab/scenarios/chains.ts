// Multi-hop chains: the five-hop benchmark chain, a 25-hop chain a browser can follow, 25
// consecutive 302s (more than a browser allows) and three loops that never end.
import { HOSTS } from '../hosts.js';
import { metaRefreshPage } from '../pages.js';
import type { Route } from '../exchange.js';
import { ADVERTISER_TITLE, defineScenario, hopTo, landingUrl, type HopMechanism, type ScenarioDefinition } from './common.js';

/** The benchmark chain: 302 -> meta refresh (0) -> JS -> 301 -> landing, across hosts, http and https. */
export const FIVE_HOP_URLS = [
  `http://${HOSTS.espClick}/five/c?u=5h-2026`,
  `https://${HOSTS.brokerTrack}/five/t`,
  `http://${HOSTS.brokerJump}/five/j`,
  `https://${HOSTS.advertiserOld}/five/promo`,
  landingUrl('five-hop'),
] as const;

function fiveHop(): ScenarioDefinition {
  const [a, b, c, d, e] = FIVE_HOP_URLS;
  return defineScenario(
    {
      name: 'five-hop',
      url: a,
      description: 'Benchmark chain: 302 -> meta refresh (0) -> JavaScript -> 301 -> landing, across four hosts, http and https.',
      expectedVias: ['start', 'http-302', 'meta-refresh', 'javascript', 'http-301'],
      finalUrl: e,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.espClick, path: '/five/c', handle: hopTo('http-302', b) },
      { host: HOSTS.brokerTrack, path: '/five/t', handle: hopTo('meta-refresh', c) },
      { host: HOSTS.brokerJump, path: '/five/j', handle: hopTo('javascript', d) },
      { host: HOSTS.advertiserOld, path: '/five/promo', handle: hopTo('http-301', e) },
    ],
  );
}

const CHAIN_RELAYS = [
  HOSTS.espClick,
  HOSTS.relayAlpha,
  HOSTS.relayHub,
  HOSTS.relayTds,
  HOSTS.relayShort,
  HOSTS.relayAlphaGo,
  HOSTS.relayHubOut,
  HOSTS.relayTdsCdn,
  HOSTS.brokerJump,
];

/** Repeats along the chain; no run of HTTP redirects is longer than 3. */
const CHAIN_MECHANISMS: HopMechanism[] = [
  'http-302',
  'http-301',
  'meta-refresh',
  'http-307',
  'javascript',
  'http-302',
  'refresh-header',
  'http-308',
];

export const CHAIN_25_HOPS = 25;

/** URLs of the 25 hops of chain-25: 24 relays and the landing page. */
export function chain25Urls(): string[] {
  const urls: string[] = [];
  for (let i = 1; i < CHAIN_25_HOPS; i++) {
    const host = CHAIN_RELAYS[(i - 1) % CHAIN_RELAYS.length];
    const scheme = i % 3 === 0 ? 'https' : 'http';
    urls.push(`${scheme}://${host}/chain-25/hop-${String(i).padStart(2, '0')}`);
  }
  urls.push(landingUrl('chain-25'));
  return urls;
}

function chain25(): ScenarioDefinition {
  const urls = chain25Urls();
  const mechanisms = urls.slice(1).map((_, i) => CHAIN_MECHANISMS[i % CHAIN_MECHANISMS.length]);
  const routes: Route[] = urls.slice(0, -1).map((url, i) => {
    const u = new URL(url);
    return { host: u.hostname, path: u.pathname, handle: hopTo(mechanisms[i], urls[i + 1]) };
  });
  return defineScenario(
    {
      name: 'chain-25',
      url: urls[0],
      description:
        'A 25-hop chain (24 relays on 9 hosts, then the landing page) mixing 301/302/307/308, Refresh header, meta refresh ' +
        'and JavaScript, never more than 3 HTTP redirects in a row.',
      expectedVias: ['start', ...mechanisms],
      finalUrl: urls[urls.length - 1],
      finalTitle: ADVERTISER_TITLE,
    },
    routes,
  );
}

export const TOO_MANY_REDIRECTS = 25;

function tooManyRedirects(): ScenarioDefinition {
  const step = (n: number) => `http://${HOSTS.espClick}/tmr/${n}`;
  return defineScenario(
    {
      name: 'too-many-redirects',
      url: step(1),
      description: `${TOO_MANY_REDIRECTS} consecutive 302s (browsers give up after 20) before a landing page.`,
      outcome: 'too-many-redirects',
    },
    [
      {
        host: HOSTS.espClick,
        path: '/tmr/*',
        handle: (x) => {
          const n = Number(x.url.pathname.slice('/tmr/'.length));
          if (!Number.isInteger(n) || n < 1 || n > TOO_MANY_REDIRECTS) return x.html(404, '<!DOCTYPE html><title>404</title>');
          x.redirect(302, n === TOO_MANY_REDIRECTS ? landingUrl('too-many-redirects') : step(n + 1));
        },
      },
    ],
  );
}

function loopHttp(): ScenarioDefinition {
  const a = `http://${HOSTS.loopA}/loop`;
  const b = `http://${HOSTS.loopB}/loop`;
  return defineScenario(
    {
      name: 'loop-http',
      url: a,
      description: 'Two brokers sending each other 302s forever (A -> B -> A ...).',
      outcome: 'loop',
    },
    [
      { host: HOSTS.loopA, path: '/loop', handle: hopTo('http-302', b) },
      { host: HOSTS.loopB, path: '/loop', handle: hopTo('http-302', a) },
    ],
  );
}

function loopSelf(): ScenarioDefinition {
  const a = `http://${HOSTS.loopA}/self-loop`;
  return defineScenario(
    {
      name: 'loop-self',
      url: a,
      description: 'A broker whose 302 sends the browser back to the same URL forever.',
      outcome: 'loop',
    },
    [{ host: HOSTS.loopA, path: '/self-loop', handle: hopTo('http-302', a) }],
  );
}

function loopMeta(): ScenarioDefinition {
  const a = `http://${HOSTS.loopA}/meta-loop`;
  const b = `http://${HOSTS.loopB}/meta-loop`;
  return defineScenario(
    {
      name: 'loop-meta',
      url: a,
      description: 'Two pages meta-refreshing to each other forever (never settles by itself).',
      outcome: 'loop',
    },
    [
      { host: HOSTS.loopA, path: '/meta-loop', handle: (x) => x.html(200, metaRefreshPage(b, 0)) },
      { host: HOSTS.loopB, path: '/meta-loop', handle: (x) => x.html(200, metaRefreshPage(a, 0)) },
    ],
  );
}

export function chainScenarios(): ScenarioDefinition[] {
  return [fiveHop(), chain25(), tooManyRedirects(), loopHttp(), loopSelf(), loopMeta()];
}
