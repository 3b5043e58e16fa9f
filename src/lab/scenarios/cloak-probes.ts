// More cloakers for `clicktrace compare`, keyed the ways kits key that the one-signal cloakers of
// cloakers.ts do not: the same URL answering with another page or status (no redirect to tell them
// apart), a cookie the first hop sets and the next requires, a JavaScript challenge that sets a
// cookie and reloads, client-side checks of touch, time zone, document.referrer and plugins, a
// one-time link whose later visits get an "expired" page at the same URL, a cloaker that answers by
// turns whoever asks (as one answering at random does), and one that waits longer than a trace settles. Any path under a probe's prefix plays it.
import { HOSTS } from '../hosts.js';
import { jsString, page } from '../pages.js';
import type { LabExchange } from '../exchange.js';
import { defineScenario, type ScenarioDefinition } from './common.js';
import { CLOAKED_DESTINATION, CLOAKED_TITLE, DECOY_TITLE } from './hostile.js';
import { SPLIT_DECOY_URL } from './cloakers.js';

const PROBE = `http://${HOSTS.cloak}/probe`;

export type ProbeName =
  'content' | 'status' | 'expired' | 'cookie-hop' | 'js-cookie' | 'touch' | 'timezone' | 'doc-referrer' | 'plugins' | 'rotating' | 'late';

/** The URL of probe `name`, with a path of the caller's own (each test its own link). */
export function probeUrl(name: ProbeName, path = 'em'): string {
  return `${PROBE}/${name}/${path}`;
}

const headless = (x: LabExchange) => /HeadlessChrome/i.test(`${x.header('user-agent') ?? ''} ${x.header('sec-ch-ua') ?? ''}`);

function phishPage(): string {
  return page({
    title: CLOAKED_TITLE,
    body:
      `<main><h1>Verify your account</h1><form method="post" action="/account/verify">` +
      `<label>Password <input name="password" type="password"></label><button>Verify</button></form></main>`,
  });
}

function decoyPage(): string {
  return page({ title: DECOY_TITLE, body: `<main><h1>Garden tips</h1><p>Water tulips sparingly once they have flowered.</p></main>` });
}

/** A waiting page whose script sends a visitor it wants to the phishing page and the others to the decoy. */
function clientSplit(wanted: string): (x: LabExchange) => void {
  return (x) =>
    x.html(
      200,
      page({
        title: 'Loading',
        body:
          `<p>Loading…</p>\n<script>\nif (${wanted}) location.href = ${jsString(CLOAKED_DESTINATION)};\n` +
          `else location.replace(${jsString(SPLIT_DECOY_URL)});\n</script>`,
      }),
    );
}

/** Paths (a probe's links) that were served once. */
const served = new Set<string>();
/** Visits so far of each `rotating` link. */
const visits = new Map<string, number>();
/** What the `rotating` cloaker answers at each visit of a round: the phishing page (true) or the blog. */
const ROTATION = [true, false, false, true, true, false];

interface Probe {
  name: ProbeName;
  description: string;
  expectedVias: string[] | null;
  finalUrl: string | null;
  finalTitle: string | null;
  walkable?: boolean;
  handle: (x: LabExchange) => void;
}

const PROBES: Probe[] = [
  {
    name: 'content',
    description:
      'Cloaker by user agent in place (server side): the same URL answers 200 with the phishing page, or with the garden blog ' +
      'to HeadlessChrome in the UA or client hints; no redirect tells them apart.',
    expectedVias: ['start'],
    finalUrl: probeUrl('content'),
    finalTitle: CLOAKED_TITLE,
    handle: (x) => x.html(200, headless(x) ? decoyPage() : phishPage(), { Vary: 'User-Agent, Sec-CH-UA' }),
  },
  {
    name: 'status',
    description: 'Cloaker by user agent in place (server side): HeadlessChrome gets a 404 page at the same URL, others the phishing page.',
    expectedVias: ['start'],
    finalUrl: probeUrl('status'),
    finalTitle: CLOAKED_TITLE,
    handle: (x) =>
      headless(x)
        ? x.html(404, page({ title: 'Not Found', body: '<h1>Not Found</h1>' }))
        : x.html(200, phishPage(), { Vary: 'User-Agent' }),
  },
  {
    name: 'expired',
    description:
      'A one-time link: its first visit is sent to the phishing page, every later one gets a 200 "This link has expired" page ' +
      'at the same URL.',
    expectedVias: ['start', 'http-302'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    walkable: false,
    handle: (x) => {
      const first = !served.has(x.url.pathname);
      served.add(x.url.pathname);
      if (first) x.redirect(302, CLOAKED_DESTINATION);
      else x.html(200, page({ title: 'This link has expired', body: '<p>This link has expired.</p>' }));
    },
  },
  {
    name: 'cookie-hop',
    description:
      'A cloaker that sets a cookie on its first hop and requires it on the next: a client that keeps no cookies gets the garden blog.',
    expectedVias: ['start', 'http-302', 'http-302'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    // The lab's walker keeps no cookies.
    walkable: false,
    handle: (x) => {
      if (!x.url.pathname.endsWith('/next'))
        return x.redirect(302, `${x.url.pathname.replace(/\/$/, '')}/next`, { 'Set-Cookie': 'ck=1; Path=/probe' });
      x.redirect(302, /(^|;\s*)ck=1/.test(x.header('cookie') ?? '') ? CLOAKED_DESTINATION : SPLIT_DECOY_URL);
    },
  },
  {
    name: 'js-cookie',
    description:
      'A JavaScript challenge: the page sets a cookie by script and reloads; with the cookie the server sends the visitor on to ' +
      'the phishing page. A client without JavaScript stays on the challenge.',
    expectedVias: null,
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    walkable: false,
    handle: (x) =>
      /(^|;\s*)js=ok/.test(x.header('cookie') ?? '')
        ? x.redirect(302, CLOAKED_DESTINATION)
        : x.html(
            200,
            page({
              title: 'Checking your browser',
              body: `<p>Checking your browser…</p>\n<script>\ndocument.cookie = 'js=ok; path=/probe';\nlocation.reload();\n</script>`,
            }),
          ),
  },
  {
    name: 'touch',
    description: 'Cloaker by device (in the page): a touch screen (maxTouchPoints, ontouchstart) gets the phishing page, others the blog.',
    expectedVias: ['start', 'javascript'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    walkable: false,
    handle: clientSplit(`navigator.maxTouchPoints > 0 && 'ontouchstart' in window && screen.width < 800`),
  },
  {
    name: 'timezone',
    description: 'Cloaker by time zone (in the page): a visitor whose clock is in Europe gets the phishing page, others the blog.',
    expectedVias: ['start', 'javascript'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    walkable: false,
    handle: clientSplit(`/^Europe\\//.test(Intl.DateTimeFormat().resolvedOptions().timeZone)`),
  },
  {
    name: 'doc-referrer',
    description: 'Cloaker by referrer (in the page): document.referrer of a webmail gets the phishing page, others the blog.',
    expectedVias: ['start', 'javascript'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    walkable: false,
    handle: clientSplit(`/^https:\\/\\/(mail\\.google\\.com|outlook\\.live\\.com)\\//.test(document.referrer)`),
  },
  {
    name: 'plugins',
    description: 'Cloaker by browser tells (in the page): no plugins or no window.chrome gets the blog, others the phishing page.',
    expectedVias: ['start', 'javascript'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    walkable: false,
    handle: clientSplit(`navigator.plugins.length > 0 && !!window.chrome`),
  },
  {
    name: 'rotating',
    description:
      'A cloaker that answers by turns, whoever asks (as one answering at random does): of each six visits of a link, the first, ' +
      'fourth and fifth are sent to the phishing page, the others to the blog.',
    expectedVias: ['start', 'http-302'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    walkable: false,
    handle: (x) => {
      const n = visits.get(x.url.pathname) ?? 0;
      visits.set(x.url.pathname, n + 1);
      x.redirect(302, ROTATION[n % ROTATION.length] ? CLOAKED_DESTINATION : SPLIT_DECOY_URL);
    },
  },
  {
    name: 'late',
    description:
      'A cloaker that sends automation (navigator.webdriver) to the blog at once and people to the phishing page only after 8 s, ' +
      'longer than a trace settles by default.',
    expectedVias: ['start'],
    finalUrl: probeUrl('late'),
    finalTitle: 'Loading',
    walkable: false,
    handle: (x) =>
      x.html(
        200,
        page({
          title: 'Loading',
          body:
            `<p>Loading…</p>\n<script>\nif (navigator.webdriver) location.replace(${jsString(SPLIT_DECOY_URL)});\n` +
            `else setTimeout(() => { location.href = ${jsString(CLOAKED_DESTINATION)}; }, 8000);\n</script>`,
        }),
      ),
  },
];

export function cloakProbeScenarios(): ScenarioDefinition[] {
  return PROBES.map((p) =>
    defineScenario(
      {
        name: `probe-${p.name}`,
        url: probeUrl(p.name),
        description: p.description,
        expectedVias: p.expectedVias,
        finalUrl: p.finalUrl,
        finalTitle: p.finalTitle,
        walkable: p.walkable ?? true,
      },
      [{ host: HOSTS.cloak, path: `/probe/${p.name}/*`, handle: p.handle }],
    ),
  );
}
