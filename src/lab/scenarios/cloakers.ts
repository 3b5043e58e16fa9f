// Cloakers for `clicktrace compare`: each shows the phishing page to the visitors it wants and a
// harmless garden blog to the others, by one signal (user agent, webdriver, JavaScript, device,
// language, referrer) or by several at once; plus an honest link that treats everyone alike.
// Any path under a cloaker's prefix plays it, so every test can use a link of its own.
import { HOSTS } from '../hosts.js';
import { jsString, page } from '../pages.js';
import type { LabExchange } from '../exchange.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';
import { CLOAKED_DESTINATION, CLOAKED_TITLE, DECOY_TITLE } from './hostile.js';

const CLOAK = `http://${HOSTS.cloak}`;
/** Where a cloaker sends the visitors it does not want. */
export const SPLIT_DECOY_URL = `${CLOAK}/garden/tulips`;

/** The URL of cloaker `signal` (a name of CLOAKERS), with a path of the caller's own. */
export function cloakerUrl(name: CloakerName, path = 'em'): string {
  return `${CLOAK}/split/${name}/${path}`;
}

export type CloakerName = 'user-agent' | 'webdriver' | 'javascript' | 'device' | 'language' | 'referrer' | 'several' | 'honest';

const decoy = () =>
  page({
    title: DECOY_TITLE,
    body: `<main><h1>Garden tips</h1><p>Plant tulips in autumn, six to eight weeks before the ground freezes.</p></main>`,
  });

/** A 302 to the real destination for a wanted visitor, to the decoy for the others (decided from the request alone). */
const serverSplit = (wanted: (x: LabExchange) => boolean) => (x: LabExchange) =>
  x.redirect(302, wanted(x) ? CLOAKED_DESTINATION : SPLIT_DECOY_URL, { Vary: 'User-Agent, Accept-Language, Referer, Sec-CH-UA' });

const headless = (x: LabExchange) => /HeadlessChrome/i.test(`${x.header('user-agent') ?? ''} ${x.header('sec-ch-ua') ?? ''}`);
const mobile = (x: LabExchange) => /Android|Mobile/i.test(x.header('user-agent') ?? '') || x.header('sec-ch-ua-mobile') === '?1';
const german = (x: LabExchange) => /^de\b/i.test(x.header('accept-language') ?? '');
const fromWebmail = (x: LabExchange) =>
  /^https:\/\/(mail\.google\.com|outlook\.live\.com|mail\.yahoo\.com)\//.test(x.header('referer') ?? '');

interface Cloaker {
  name: CloakerName;
  description: string;
  /** What the default (desktop) trace sees. */
  expectedVias: string[];
  finalUrl: string;
  finalTitle: string;
  handle: (x: LabExchange) => void;
}

const CLOAKERS: Cloaker[] = [
  {
    name: 'user-agent',
    description:
      'Cloaker by user agent (server side): HeadlessChrome in the UA or client hints gets the garden blog, everyone else a 302 to the phishing page.',
    expectedVias: ['start', 'http-302'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    handle: serverSplit((x) => !headless(x)),
  },
  {
    name: 'webdriver',
    description: 'Cloaker by navigator.webdriver (in the page): a script sends automation to the garden blog, people to the phishing page.',
    expectedVias: ['start', 'javascript'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    handle: (x) =>
      x.html(
        200,
        page({
          title: 'Loading',
          body:
            `<p>Loading…</p>\n<script>\nif (!navigator.webdriver) location.href = ${jsString(CLOAKED_DESTINATION)};\n` +
            `else location.replace(${jsString(SPLIT_DECOY_URL)});\n</script>`,
        }),
      ),
  },
  {
    name: 'javascript',
    description:
      'Cloaker by JavaScript: the page is the garden blog, and its script takes a browser on to the phishing page; ' +
      'a link checker without JavaScript sees only the blog.',
    expectedVias: ['start', 'javascript'],
    finalUrl: CLOAKED_DESTINATION,
    finalTitle: CLOAKED_TITLE,
    handle: (x) =>
      x.html(200, decoy().replace('</body>', `<script>\nlocation.href = ${jsString(CLOAKED_DESTINATION)};\n</script>\n</body>`)),
  },
  {
    name: 'device',
    description:
      'Cloaker by device (server side): an Android/mobile User-Agent or Sec-CH-UA-Mobile: ?1 gets the phishing page, desktops the garden blog.',
    expectedVias: ['start', 'http-302'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    handle: serverSplit(mobile),
  },
  {
    name: 'language',
    description:
      'Cloaker by language (server side): an Accept-Language starting with German gets the phishing page, others the garden blog.',
    expectedVias: ['start', 'http-302'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    handle: serverSplit(german),
  },
  {
    name: 'referrer',
    description:
      'Cloaker by referrer (server side): a visitor arriving from a webmail (Referer mail.google.com, outlook.live.com, ' +
      'mail.yahoo.com) gets the phishing page, others the garden blog.',
    expectedVias: ['start', 'http-302'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    handle: serverSplit(fromWebmail),
  },
  {
    name: 'several',
    description: 'Cloaker by several signals at once (server side): only a mobile visitor whose language is German gets the phishing page.',
    expectedVias: ['start', 'http-302'],
    finalUrl: SPLIT_DECOY_URL,
    finalTitle: DECOY_TITLE,
    handle: serverSplit((x) => mobile(x) && german(x)),
  },
  {
    name: 'honest',
    description: 'An honest link for compare: a 302 to the advertiser for every visitor alike.',
    expectedVias: ['start', 'http-302'],
    finalUrl: landingUrl('split-honest'),
    finalTitle: ADVERTISER_TITLE,
    handle: (x) => x.redirect(302, landingUrl('split-honest')),
  },
];

export function cloakerScenarios(): ScenarioDefinition[] {
  const definitions = CLOAKERS.map((c) =>
    defineScenario(
      {
        name: `split-${c.name}`,
        url: cloakerUrl(c.name),
        description: c.description,
        expectedVias: c.expectedVias,
        finalUrl: c.finalUrl,
        finalTitle: c.finalTitle,
      },
      [{ host: HOSTS.cloak, path: `/split/${c.name}/*`, handle: c.handle }],
    ),
  );
  definitions[0].routes.push({ host: HOSTS.cloak, path: '/garden/*', handle: (x) => x.html(200, decoy()) });
  return definitions;
}
