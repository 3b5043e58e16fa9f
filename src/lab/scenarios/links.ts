// Links with a life of their own: single-use, time-limited (signed expiry), a download, one
// that leads to a 204 No Content (the click is swallowed: no page), 304 Not Modified answers with
// no copy to show (Chromium drops them: no page either), a branded ESP click host
// whose CNAME chain reveals SendGrid, and a per-recipient link carrying the recipient's address
// as a SHA-256 digest.
import { createHash, createHmac } from 'node:crypto';
import { HOSTS } from '../hosts.js';
import { forbiddenPage, gonePage } from '../pages.js';
import { DOWNLOAD_BODY, DOWNLOAD_FILENAME } from '../download.js';
import type { LabExchange, LabState, Route } from '../exchange.js';
import { HANG_URL } from './hostile.js';
import { ADVERTISER_TITLE, defineScenario, hopTo, landingUrl, type ScenarioContext, type ScenarioDefinition } from './common.js';

const ESP = `http://${HOSTS.espClick}`;

export const SINGLE_USE_URL = `${ESP}/once/7f3a9c2e5b1d4a60`;
/** Any path under this prefix is a single-use link keyed by its last segment. */
export const SINGLE_USE_PREFIX = `${ESP}/once/`;
/**
 * The same, held slow: the first request 302s to a server that never answers (so a trace is
 * still running when a test kills it), every later one gets 410 Gone.
 */
export const SINGLE_USE_SLOW_PREFIX = `${ESP}/once-slow/`;

function singleUse(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'single-use',
      url: SINGLE_USE_URL,
      description: 'Single-use link: the first request 302s to the landing page, every later one gets 410 Gone.',
      expectedVias: ['start', 'http-302'],
      finalUrl: landingUrl('single-use'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: '/once/*',
        methods: ['GET', 'HEAD', 'POST'],
        handle: (x) => {
          const token = x.url.pathname.slice('/once/'.length);
          if (x.state.spentTokens.has(token)) {
            return x.html(410, gonePage('This link has already been used.'));
          }
          x.state.spentTokens.add(token);
          x.redirect(302, landingUrl('single-use'));
        },
      },
      {
        host: HOSTS.espClick,
        path: '/once-slow/*',
        methods: ['GET', 'HEAD', 'POST'],
        handle: (x) => {
          const token = `slow/${x.url.pathname.slice('/once-slow/'.length)}`;
          if (x.state.spentTokens.has(token)) return x.html(410, gonePage('This link has already been used.'));
          x.state.spentTokens.add(token);
          x.redirect(302, HANG_URL);
        },
      },
    ],
  );
}

export const TIME_LIMIT_SECONDS = 60;

function signature(state: LabState, exp: string): string {
  return createHmac('sha256', state.secret).update(`/t/offer|${exp}`).digest('hex').slice(0, 16);
}

function timeLimitedUrl(state: LabState, exp: number): string {
  return `${ESP}/t/offer?exp=${exp}&sig=${signature(state, String(exp))}`;
}

function timeLimited(ctx: ScenarioContext): ScenarioDefinition[] {
  const startSeconds = Math.floor(ctx.state.startedAt / 1000);
  const route: Route = {
    host: HOSTS.espClick,
    path: '/t/offer',
    handle: (x) => {
      const exp = x.url.searchParams.get('exp') ?? '';
      const sig = x.url.searchParams.get('sig') ?? '';
      if (!/^\d{1,12}$/.test(exp) || sig !== signature(x.state, exp)) {
        return x.html(403, forbiddenPage('This link is not valid.'));
      }
      if (Date.now() / 1000 > Number(exp)) return x.html(410, gonePage('This link has expired.'));
      x.redirect(302, landingUrl('time-limited'));
    },
  };
  const expiredUrl = timeLimitedUrl(ctx.state, startSeconds - 3600);
  return [
    defineScenario(
      {
        name: 'time-limited',
        url: timeLimitedUrl(ctx.state, startSeconds + TIME_LIMIT_SECONDS),
        description: `Signed link carrying its own expiry (?exp=...&sig=...), valid for ${TIME_LIMIT_SECONDS} s after the lab starts.`,
        expectedVias: ['start', 'http-302'],
        finalUrl: landingUrl('time-limited'),
        finalTitle: ADVERTISER_TITLE,
      },
      [route],
    ),
    defineScenario(
      {
        name: 'time-limited-expired',
        url: expiredUrl,
        description: 'The same signed link, expired an hour before the lab started: 410 "link expired" page.',
        expectedVias: ['start'],
        finalUrl: expiredUrl,
        finalTitle: '410 Gone',
        finalStatus: 410,
      },
      [],
    ),
  ];
}

export const DOWNLOAD_URL = `https://${HOSTS.brokerFiles}/files/${DOWNLOAD_FILENAME}`;

function download(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'download',
      url: `${ESP}/dl/invoice?doc=2026-0917`,
      description: `A 302 to ${DOWNLOAD_URL}, served as an attachment (a small harmless ZIP of known SHA-256).`,
      expectedVias: ['start', 'http-302'],
      finalUrl: DOWNLOAD_URL,
      finalTitle: null,
      outcome: 'download',
    },
    [
      { host: HOSTS.espClick, path: '/dl/invoice', handle: hopTo('http-302', DOWNLOAD_URL) },
      {
        host: HOSTS.brokerFiles,
        path: `/files/${DOWNLOAD_FILENAME}`,
        handle: (x) =>
          x.send(200, DOWNLOAD_BODY, {
            'Content-Type': 'application/zip',
            'Content-Disposition': `attachment; filename="${DOWNLOAD_FILENAME}"`,
            'Cache-Control': 'private, no-store',
            'X-Content-Type-Options': 'nosniff',
          }),
      },
    ],
  );
}

export const CNAME_ESP_URL = `http://${HOSTS.brandedClick}/ls/click?upn=u001.Lq7yJ3pN1vXh2QmRk9s0Tg-2FjV8cWbZ4a-2BdE6fH1iK3lM5nO7pQ9rS-3D-3Dx1Yz_3kLm`;

function cnameEsp(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'cname-esp',
      url: CNAME_ESP_URL,
      description:
        'Branded click host click.brand.example (SendGrid path /ls/click?upn=) whose DNS CNAME chain leads to sendgrid.test; 302 to the advertiser.',
      expectedVias: ['start', 'http-302'],
      finalUrl: landingUrl('cname-esp'),
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brandedClick, path: '/ls/click', handle: hopTo('http-302', landingUrl('cname-esp')) }],
  );
}

/** The address whose digest the recipient-token scenario's sample link carries. */
export const RECIPIENT_TOKEN_ADDRESS = 'old-registrant+domain@mydomain.example';
/** Any /r/<digest> link of the ESP host 302s to the landing page with ?h=<digest>. */
export const RECIPIENT_TOKEN_PREFIX = `${ESP}/r/`;

function recipientToken(): ScenarioDefinition {
  const digest = createHash('sha256').update(RECIPIENT_TOKEN_ADDRESS).digest('hex');
  return defineScenario(
    {
      name: 'recipient-token',
      url: `${RECIPIENT_TOKEN_PREFIX}${digest}?c=spring26`,
      description: 'Per-recipient click link /r/<SHA-256 of the address>?c=<campaign>: 302 to the landing page with the digest as ?h=.',
      expectedVias: ['start', 'http-302'],
      finalUrl: `${landingUrl('recipient-token')}?h=${digest}`,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: '/r/*',
        handle: (x) => x.redirect(302, `${landingUrl('recipient-token')}?h=${encodeURIComponent(x.url.pathname.slice('/r/'.length))}`),
      },
    ],
  );
}

export const NO_CONTENT_URL = `http://${HOSTS.brokerTrack}/t/no-content?cid=4471`;

function noContent(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'no-content',
      url: `${ESP}/c/no-content?mid=88213&lid=9`,
      description: 'ESP click tracker whose 302 leads to a broker answering 204 No Content: the browser stays where it was, no page.',
      expectedVias: ['start', 'http-302'],
      finalUrl: NO_CONTENT_URL,
      finalTitle: null,
      finalStatus: 204,
    },
    [
      { host: HOSTS.espClick, path: '/c/no-content', handle: hopTo('http-302', NO_CONTENT_URL) },
      { host: HOSTS.brokerTrack, path: '/t/no-content', handle: (x) => x.send(204, Buffer.alloc(0), {}) },
    ],
  );
}

export const NOT_MODIFIED_URL = `http://${HOSTS.brokerTrack}/t/not-modified?cid=5520`;

/**
 * 304 Not Modified to navigations that asked for nothing conditional: after a redirect (the
 * tracker's 302 leads to it), as the link's own answer, and after a page that rendered (its
 * script moves on to it).
 */
function notModified(): ScenarioDefinition[] {
  const notModifiedAnswer = (x: LabExchange) => x.send(304, Buffer.alloc(0), { ETag: '"5520"' });
  return [
    defineScenario(
      {
        name: 'not-modified',
        url: `${ESP}/c/not-modified?mid=88214&lid=3`,
        description:
          'ESP click tracker whose 302 leads to a broker answering 304 Not Modified to a request that asked for nothing conditional.',
        expectedVias: ['start', 'http-302'],
        finalUrl: NOT_MODIFIED_URL,
        finalTitle: null,
        finalStatus: 304,
      },
      [
        { host: HOSTS.espClick, path: '/c/not-modified', handle: hopTo('http-302', NOT_MODIFIED_URL) },
        { host: HOSTS.brokerTrack, path: '/t/not-modified', handle: notModifiedAnswer },
      ],
    ),
    defineScenario(
      {
        name: 'not-modified-direct',
        url: `${ESP}/c/not-modified-direct?mid=88214&lid=4`,
        description: 'A click link answering 304 Not Modified itself, to the first request of a fresh browser.',
        expectedVias: ['start'],
        finalUrl: `${ESP}/c/not-modified-direct?mid=88214&lid=4`,
        finalTitle: null,
        finalStatus: 304,
      },
      [{ host: HOSTS.espClick, path: '/c/not-modified-direct', handle: notModifiedAnswer }],
    ),
    defineScenario(
      {
        name: 'not-modified-after-page',
        url: `${ESP}/c/not-modified-after-page?mid=88214&lid=5`,
        description: 'A tracker page that rendered, whose script sends the browser on to a broker answering 304 Not Modified.',
        expectedVias: ['start', 'javascript'],
        finalUrl: `http://${HOSTS.brokerTrack}/t/not-modified-after-page`,
        finalTitle: null,
        finalStatus: 304,
      },
      [
        {
          host: HOSTS.espClick,
          path: '/c/not-modified-after-page',
          handle: hopTo('javascript', `http://${HOSTS.brokerTrack}/t/not-modified-after-page`),
        },
        { host: HOSTS.brokerTrack, path: '/t/not-modified-after-page', handle: notModifiedAnswer },
      ],
    ),
  ];
}

export function linkScenarios(ctx: ScenarioContext): ScenarioDefinition[] {
  return [singleUse(), ...timeLimited(ctx), download(), noContent(), ...notModified(), cnameEsp(), recipientToken()];
}
