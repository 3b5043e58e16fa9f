// Redirect-chain variants beside variants.ts and chain-variants.ts, as spam, phishing and affiliate
// chains write them: a Refresh header on a 3xx without Location or after a countdown, refreshes
// inserted late or twice, script redirects from async scripts, javascript: URLs, about:blank, history.back(), location.search,
// window.name and requestSubmit(), a prefetch of the next hop, Location values with tabs, a bare
// query or an inherited fragment, a 300 with a Location (not followed), ad frames that navigate
// themselves on the landing page (no hops of the chain), frame forwarding to a tracker page that
// meta-refreshes the frame on, and a tracker link whose decodable destination is not where it
// really sends the visitor.
import { HOSTS } from '../hosts.js';
import type { Route } from '../exchange.js';
import { page } from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';

const JUMP = `https://${HOSTS.brokerJump}`;
const ESP = `http://${HOSTS.espClick}`;

const LOADING = '<main><p>Loading your offer…</p></main>';

/** A tracker's "Loading…" page with `markup` after its text (and `head` in its head). */
export function loadingPage(markup: string, head = ''): string {
  return page({ title: 'Loading…', head, body: `${LOADING}\n${markup}` });
}

export function script(code: string): string {
  return `<script>\n${code}\n</script>`;
}

type Expected = Partial<Pick<Parameters<typeof defineScenario>[0], 'finalUrl' | 'finalTitle' | 'finalStatus' | 'walkable'>>;

/** A variant whose first page is /v/<name> on `host`, answered by `first`, with more routes in `extra`. */
export function variant(
  name: string,
  description: string,
  expectedVias: string[],
  first: Route['handle'],
  extra: Route[] = [],
  opts: Expected & { host?: string; scheme?: 'http' | 'https'; suffix?: string } = {},
): ScenarioDefinition {
  const host = opts.host ?? HOSTS.brokerTrack;
  return defineScenario(
    {
      name,
      url: `${opts.scheme ?? 'http'}://${host}/v/${name}${opts.suffix ?? ''}`,
      description,
      expectedVias,
      finalUrl: opts.finalUrl ?? landingUrl(name),
      finalTitle: opts.finalTitle ?? ADVERTISER_TITLE,
      ...(opts.finalStatus !== undefined ? { finalStatus: opts.finalStatus } : {}),
      walkable: opts.walkable ?? false,
    },
    [{ host, path: `/v/${name}`, handle: first }, ...extra],
  );
}

/** Refresh headers and meta refreshes written where a naive reader does not look. */
function refreshVariants(): ScenarioDefinition[] {
  const on3xx = 'refresh-on-3xx';
  const late = 'meta-refresh-inserted-late';
  const twice = 'meta-refresh-head-and-body';
  const semicolon = 'meta-refresh-url-semicolon';
  const semicolonTarget = `${landingUrl(semicolon)}?a=1;b=2,c=3`;
  const countdown = 'refresh-header-countdown';
  return [
    variant(
      countdown,
      'Broker page answering 200 with `Refresh: 3; URL=…` (a "you will be redirected in 3 seconds" page): within --settle, followed.',
      ['start', 'refresh-header'],
      (x) => x.html(200, loadingPage('<p>You will be redirected in 3 seconds.</p>'), { Refresh: `3; URL=${landingUrl(countdown)}` }),
    ),
    variant(
      on3xx,
      'A 302 without Location whose Refresh header (`0;url=…`) sends the browser on from the body it shows.',
      ['start', 'refresh-header'],
      (x) =>
        x.send(302, '<html><head><title>Moved</title></head><body>Moved.</body></html>', {
          'Content-Type': 'text/html; charset=utf-8',
          Refresh: `0;url=${landingUrl(on3xx)}`,
        }),
      [],
      { host: HOSTS.espClick },
    ),
    variant(late, 'Broker page whose script inserts a meta refresh into the head 700 ms after it loaded.', ['start', 'meta-refresh'], (x) =>
      x.html(
        200,
        loadingPage(
          script(
            `setTimeout(function () {\n  var m = document.createElement('meta');\n  m.setAttribute('http-equiv', 'refresh');\n` +
              `  m.setAttribute('content', '0; url=${landingUrl(late)}');\n  document.head.appendChild(m);\n}, 700);`,
          ),
        ),
      ),
    ),
    variant(
      twice,
      'Broker page with a 0-second meta refresh in its head to a decoy tracker and another in its body to the real next hop.',
      ['start', 'meta-refresh', 'http-302'],
      (x) =>
        x.html(
          200,
          page({
            title: 'Loading…',
            head: `<meta http-equiv="refresh" content="0; url=${ESP}/v/${twice}/decoy">\n`,
            body: `${LOADING}\n<meta http-equiv="refresh" content="0; url=${JUMP}/v/${twice}/real">`,
          }),
        ),
      [
        { host: HOSTS.espClick, path: `/v/${twice}/decoy`, handle: (x) => x.redirect(302, `https://${HOSTS.benign}/`) },
        { host: HOSTS.brokerJump, path: `/v/${twice}/real`, handle: (x) => x.redirect(302, landingUrl(twice)) },
      ],
    ),
    variant(
      semicolon,
      'Broker page whose meta refresh URL has a semicolon and a comma in its query (the URL runs to the end of the content).',
      ['start', 'meta-refresh'],
      (x) => x.html(200, loadingPage('', `<meta http-equiv="refresh" content="0; url=${semicolonTarget}">\n`)),
      [],
      { finalUrl: semicolonTarget },
    ),
  ];
}

/** Script redirects as kits hide them. */
function scriptVariants(): ScenarioDefinition[] {
  const asyncScript = 'js-async-script';
  const jsUrl = 'js-javascript-url';
  const name = 'js-window-name';
  const pushed = 'js-pushstate-relative';
  const stop = 'js-window-stop';
  const blank = 'js-about-blank';
  const back = 'js-history-back';
  const search = 'js-location-search';
  const prefetch = 'link-prefetch-next';
  return [
    variant(
      blank,
      "Broker page whose script sends the tab to about:blank 200 ms after it loaded (a kit's empty page for bots): no request, an empty page.",
      ['start'],
      (x) => x.html(200, loadingPage(script(`setTimeout(function () { location.replace('about:blank'); }, 200);`))),
      [],
      { finalUrl: 'about:blank', finalTitle: '', finalStatus: null },
    ),
    variant(
      back,
      'Broker page whose script goes on at once to a second page (a client redirect: it replaces the history entry), ' +
        "which calls history.back() 300 ms later (a cloaker sending a bot back): the link's page is the tab's first entry, " +
        'as in a tab a mail client opened, so there is nothing to go back to and the tab stays there.',
      ['start', 'javascript'],
      (x) => x.html(200, loadingPage(script(`location.href = '/v/${back}/step';`))),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${back}/step`,
          handle: (x) => x.html(200, loadingPage(script(`setTimeout(function () { history.back(); }, 300);`))),
        },
      ],
      { finalUrl: `http://${HOSTS.brokerTrack}/v/${back}/step`, finalTitle: 'Loading…' },
    ),
    variant(
      search,
      "Broker page (?src=mail) that sets only location.search ('?go=1'); the same path with that query 302s on.",
      ['start', 'javascript', 'http-302'],
      (x) =>
        x.url.search === '?go=1' ? x.redirect(302, landingUrl(search)) : x.html(200, loadingPage(script(`location.search = '?go=1';`))),
      [],
      { suffix: '?src=mail' },
    ),
    variant(
      prefetch,
      'Broker page with a <link rel=prefetch> of its next hop, where its script goes 400 ms later: ' +
        'the next hop is requested twice, the prefetch is not the hop.',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(`setTimeout(function () { location.href = ${JSON.stringify(landingUrl(prefetch))}; }, 400);`),
            `<link rel="prefetch" href="${landingUrl(prefetch)}">\n`,
          ),
        ),
    ),
    variant(
      asyncScript,
      'Broker page whose redirect is in an external script loaded with async (and a deferred one that does nothing).',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(`<script defer src="/v/${asyncScript}/stats.js"></script>\n<script async src="/v/${asyncScript}/go.js"></script>`),
        ),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${asyncScript}/stats.js`,
          handle: (x) => x.send(200, 'window.__stats = 1;\n', { 'Content-Type': 'text/javascript' }),
        },
        {
          host: HOSTS.brokerTrack,
          path: `/v/${asyncScript}/go.js`,
          handle: (x) =>
            x.send(200, `// router\nvar t = ${JSON.stringify(landingUrl(asyncScript))};\nwindow.location.replace(t);\n`, {
              'Content-Type': 'text/javascript',
            }),
        },
      ],
    ),
    variant(
      jsUrl,
      'Broker page that sets location to a javascript: URL whose code calls location.replace() (the javascript: URL itself loads nothing).',
      ['start', 'javascript'],
      (x) => x.html(200, loadingPage(script(`location.href = "javascript:location.replace('${landingUrl(jsUrl)}')";`))),
    ),
    variant(
      name,
      'Broker page that puts the target in window.name and moves to a second page of its host, which reads window.name and goes there.',
      ['start', 'javascript', 'javascript'],
      (x) => x.html(200, loadingPage(script(`window.name = ${JSON.stringify(landingUrl(name))};\nlocation.href = '/v/${name}/next';`))),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${name}/next`,
          handle: (x) => x.html(200, loadingPage(script(`if (/^https:/.test(window.name)) location.replace(window.name);`))),
        },
      ],
    ),
    variant(
      pushed,
      'Broker page that pushes a deeper path with history.pushState (no request), then goes to a relative address, ' +
        'resolved against the pushed one; it 302s.',
      ['start', 'javascript', 'http-302'],
      (x) => x.html(200, loadingPage(script(`history.pushState(null, '', '/v/${pushed}/deep/');\nlocation.href = 'next?x=1';`))),
      [{ host: HOSTS.brokerTrack, path: `/v/${pushed}/deep/next`, handle: (x) => x.redirect(302, landingUrl(pushed)) }],
    ),
    variant(
      stop,
      'Broker page whose image never arrives: its script calls window.stop() (the load event fires) and 300 ms later sends the visitor on.',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            `<img src="http://${HOSTS.hang}/v/${stop}.png" alt="">\n` +
              script(`window.stop();\nsetTimeout(function () { location.href = ${JSON.stringify(landingUrl(stop))}; }, 300);`),
          ),
        ),
    ),
  ];
}

/** A GET form submitted with requestSubmit(), its hidden fields making the tracker's query. */
function requestSubmitForm(): ScenarioDefinition {
  const name = 'form-request-submit';
  return variant(
    name,
    'Broker page that submits a GET form with form.requestSubmit(); its hidden inputs build the tracker URL, which 302s.',
    ['start', 'form-get', 'http-302'],
    (x) =>
      x.html(
        200,
        loadingPage(
          `<form id="f" method="get" action="${ESP}/v/${name}/r">` +
            '<input type="hidden" name="c" value="spring"><input type="hidden" name="s" value="m-44"></form>' +
            script(`document.getElementById('f').requestSubmit();`),
        ),
      ),
    [
      {
        host: HOSTS.espClick,
        path: `/v/${name}/r`,
        handle: (x) =>
          x.url.search === '?c=spring&s=m-44' ? x.redirect(302, landingUrl(name)) : x.redirect(302, `https://${HOSTS.benign}/`),
      },
    ],
  );
}

/** Location values a naive reader gets wrong. */
function locationVariants(): ScenarioDefinition[] {
  const tab = 'location-tab';
  const query = 'location-query-only';
  const inherited = 'location-fragment-inherited';
  const linkFragment = 'link-fragment-kept';
  const multiple = 'http-300-location';
  const tabbed = `https://www.adver\ttiser.example/landing/${tab}`;
  return [
    variant(
      tab,
      'A 302 whose Location has a tab inside its host name (a browser drops tabs and newlines from a URL).',
      ['start', 'http-302'],
      (x) => x.send(302, 'Moved', { 'Content-Type': 'text/plain', Location: tabbed }),
      [],
      { host: HOSTS.espClick },
    ),
    variant(
      query,
      'A 302 whose Location is only a query (?step=2): the same path with that query, which 302s to the landing page.',
      ['start', 'http-302', 'http-302'],
      (x) => (x.url.search === '?step=2' ? x.redirect(302, landingUrl(query)) : x.redirect(302, '?step=2')),
      [],
      { host: HOSTS.espClick, suffix: '?u=9' },
    ),
    variant(
      inherited,
      'A 302 to a URL with a fragment (#ref=mail) whose 302 has none: the browser keeps the fragment (RFC 7231 7.1.2) on the landing page.',
      ['start', 'http-302', 'http-302'],
      (x) => x.redirect(302, `${JUMP}/v/${inherited}/hop#ref=mail`),
      [{ host: HOSTS.brokerJump, path: `/v/${inherited}/hop`, handle: (x) => x.redirect(302, landingUrl(inherited)) }],
      { host: HOSTS.espClick, finalUrl: `${landingUrl(inherited)}#ref=mail` },
    ),
    variant(
      linkFragment,
      'A link with a fragment (#offer) whose 302 has none: the fragment stays on the landing page (it is never sent to a server).',
      ['start', 'http-302'],
      (x) => x.redirect(302, landingUrl(linkFragment)),
      [],
      { host: HOSTS.espClick, suffix: '#offer', finalUrl: `${landingUrl(linkFragment)}#offer` },
    ),
    variant(
      multiple,
      'A 300 Multiple Choices with a Location header: a browser does not follow a 300, it shows its body (a page with links).',
      ['start'],
      (x) =>
        x.send(
          300,
          page({
            title: 'Choose your offer',
            body: `<main><h1>Choose your offer</h1><p><a href="${landingUrl(multiple)}">Spring offer</a></p></main>`,
          }),
          { 'Content-Type': 'text/html; charset=utf-8', Location: landingUrl(multiple) },
        ),
      [],
      { host: HOSTS.espClick, finalUrl: `${ESP}/v/${multiple}`, finalTitle: 'Choose your offer', finalStatus: 300 },
    ),
  ];
}

/**
 * A landing page (reached by a 302) with ad frames that move themselves: one meta-refreshes to an ad
 * relay that 302s, one sets its own location by script. The frames' navigations are not the chain's.
 */
function landingWithMovingAds(): ScenarioDefinition {
  const name = 'landing-moving-ad-frames';
  const landing = `https://${HOSTS.advertiserOld}/v/${name}`;
  const adPage = (title: string, markup: string, head = '') => page({ title, head, body: `<p>Ad</p>${markup}` });
  return variant(
    name,
    'A 302 to a landing page of its own with two ad iframes that move themselves ' +
      "(a meta refresh to an ad relay that 302s, a script's location.href): not hops of the chain.",
    ['start', 'http-302'],
    (x) => x.redirect(302, landing),
    [
      {
        host: HOSTS.advertiserOld,
        path: `/v/${name}`,
        handle: (x) =>
          x.html(
            200,
            page({
              title: ADVERTISER_TITLE,
              body:
                '<main><h1>Spring Offer</h1><p>Save 30% on every plan this month.</p>' +
                `<iframe src="https://${HOSTS.relayAlpha}/v/${name}/slot1" width="300" height="250" title="ad"></iframe>` +
                `<iframe src="https://${HOSTS.relayHub}/v/${name}/slot2" width="300" height="250" title="ad"></iframe></main>`,
            }),
          ),
      },
      {
        host: HOSTS.relayAlpha,
        path: `/v/${name}/slot1`,
        handle: (x) =>
          x.html(200, adPage('ad', '', `<meta http-equiv="refresh" content="0; url=https://${HOSTS.relayAlphaGo}/v/${name}/rotate">`)),
      },
      {
        host: HOSTS.relayAlphaGo,
        path: `/v/${name}/rotate`,
        handle: (x) => x.redirect(302, `https://${HOSTS.relayAlpha}/v/${name}/creative`),
      },
      { host: HOSTS.relayAlpha, path: `/v/${name}/creative`, handle: (x) => x.html(200, adPage('ad', '<p>Creative</p>')) },
      {
        host: HOSTS.relayHub,
        path: `/v/${name}/slot2`,
        handle: (x) => x.html(200, adPage('ad', script(`location.href = '/v/${name}/slot2b';`))),
      },
      { host: HOSTS.relayHub, path: `/v/${name}/slot2b`, handle: (x) => x.html(200, adPage('ad', '<p>Creative 2</p>')) },
    ],
    { host: HOSTS.espClick, finalUrl: landing },
  );
}

/**
 * Amazon SES-shaped tracker link (/L0/<percent-encoded target>/…) that decodes offline to the
 * advertiser, but whose server sends the visitor to a phishing page instead (an abused or hijacked
 * tracker): where the link says it leads and where it went differ.
 */
export const DECOY_DECODED_TARGET = landingUrl('tracker-decoded-elsewhere');
function trackerDecodedElsewhere(): ScenarioDefinition {
  const name = 'tracker-decoded-elsewhere';
  const phish = `https://${HOSTS.phish}/v/${name}`;
  const link = `http://${HOSTS.relayTds}/L0/${encodeURIComponent(DECOY_DECODED_TARGET)}/1/0100018f-7a1b-4c2d-8e3f-90a1b2c3d4e5-000000/Qk9YZ2=401`;
  return defineScenario(
    {
      name,
      url: link,
      description: 'Amazon SES-shaped click link whose path decodes to the advertiser, but whose server 302s to a look-alike sign-in page.',
      expectedVias: ['start', 'http-302'],
      finalUrl: phish,
      finalTitle: 'T-Mobile for Business | Sign in',
      walkable: false,
    },
    [
      { host: HOSTS.relayTds, path: `/L0/${encodeURIComponent(DECOY_DECODED_TARGET)}/*`, handle: (x) => x.redirect(302, phish) },
      {
        host: HOSTS.phish,
        path: `/v/${name}`,
        handle: (x) => x.html(200, page({ title: 'T-Mobile for Business | Sign in', body: '<main><h1>T-Mobile for Business</h1></main>' })),
      },
    ],
  );
}

/**
 * Frame forwarding to a tracker: the broker's whole window is one frame of a tracker's "Loading…"
 * page, whose meta refresh moves the frame on to the landing page (shown inside the broker's frame).
 */
function framedTrackerRefresh(): ScenarioDefinition {
  const name = 'iframe-only-meta-refresh';
  return variant(
    name,
    "Broker page whose whole window is an iframe of a tracker's page, whose meta refresh moves the frame on to the landing page.",
    ['start', 'frame-src', 'meta-refresh'],
    (x) =>
      x.html(
        200,
        page({
          title: 'Best Deals Today',
          head: '<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%}</style>\n',
          body: `<iframe src="${JUMP}/v/${name}/framed"></iframe>`,
        }),
      ),
    [
      {
        host: HOSTS.brokerJump,
        path: `/v/${name}/framed`,
        handle: (x) => x.html(200, loadingPage('', `<meta http-equiv="refresh" content="0; url=${landingUrl(name)}">\n`)),
      },
    ],
  );
}

export function redirectVariantScenarios(): ScenarioDefinition[] {
  return [
    ...refreshVariants(),
    ...scriptVariants(),
    requestSubmitForm(),
    ...locationVariants(),
    landingWithMovingAds(),
    trackerDecodedElsewhere(),
    framedTrackerRefresh(),
  ];
}
