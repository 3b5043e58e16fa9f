// Variants of the redirect mechanisms as spam kits and click trackers write them: obfuscated or
// deferred script redirects, Refresh/meta values in odd syntax, POST kept through 307/308, cookie
// checks between hops and HTTP oddities (relative, fragment, IDN, missing or doubled Location).
import { HOSTS } from '../hosts.js';
import { REDIRECT_STATUS_TEXT, redirectBody, type Route } from '../exchange.js';
import { autoSubmitFormPage, metaRefreshPage, page } from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';

const TRACK = `http://${HOSTS.brokerTrack}`;
const ESP = `http://${HOSTS.espClick}`;
/** How long the slow tab-under's ad server takes to answer its first tab. */
const SLOW_AD_MS = 1500;

/** The IDN host a variant redirects to (Unicode as written in Location) and its A-label (as requested). */
export const IDN_HOST = 'bücher.broker-net.test';
export const IDN_HOST_ASCII = HOSTS.idnRelay;

/** A broker page whose inline script is `script` (title "Loading…"). */
function scriptPage(script: string, head = ''): string {
  return page({ title: 'Loading…', head, body: `<main><p>Loading your offer…</p></main>\n<script>\n${script}\n</script>` });
}

/** A one-page script variant to its landing page (vias [start, javascript] unless said otherwise). */
function scriptVariant(
  name: string,
  how: string,
  script: (target: string) => string,
  extra: Route[] = [],
  expectedVias = ['start', 'javascript'],
): ScenarioDefinition {
  const target = landingUrl(name);
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: `Broker page that redirects with ${how}.`,
      expectedVias,
      finalUrl: target,
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brokerTrack, path: `/t/${name}`, handle: (x) => x.html(200, scriptPage(script(target))) }, ...extra],
  );
}

/** `target` as String.fromCharCode(...) of its base64, decoded by atob at run time. */
function obfuscated(target: string): string {
  const codes = [...Buffer.from(target).toString('base64')].map((c) => c.charCodeAt(0)).join(',');
  return `window['loc' + 'ation']['rep' + 'lace'](atob(String.fromCharCode(${codes})));`;
}

function scriptVariants(): ScenarioDefinition[] {
  return [
    scriptVariant(
      'js-replace-zero-timer',
      'location.replace inside setTimeout(..., 0)',
      (t) => `setTimeout(function () { location.replace(${JSON.stringify(t)}); }, 0);`,
    ),
    scriptVariant('js-obfuscated', 'a target built from String.fromCharCode and atob, and location.replace by computed names', obfuscated),
    scriptVariant(
      'js-dom-content-loaded',
      'window.location.assign in a DOMContentLoaded listener',
      (t) => `document.addEventListener('DOMContentLoaded', function () { window.location.assign(${JSON.stringify(t)}); });`,
    ),
    scriptVariant(
      'js-pageshow',
      'location.href set in a pageshow listener',
      (t) => `addEventListener('pageshow', function () { location.href = ${JSON.stringify(t)}; });`,
    ),
    scriptVariant(
      'js-await-fetch',
      'window.location.assign after an awaited fetch() of a JSON holding the target',
      () =>
        `(async function () {\n  var r = await fetch('/api/js-await-fetch');\n  var d = await r.json();\n  window.location.assign(d.target);\n})();`,
      [
        {
          host: HOSTS.brokerTrack,
          path: '/api/js-await-fetch',
          handle: (x) =>
            x.send(200, JSON.stringify({ target: landingUrl('js-await-fetch') }), {
              'Content-Type': 'application/json',
              'Cache-Control': 'no-store',
            }),
        },
      ],
    ),
    scriptVariant(
      'js-beacon',
      'navigator.sendBeacon to a stats URL just before location.href',
      (t) => `navigator.sendBeacon('/stats/beacon', JSON.stringify({ e: 'redirect' }));\nlocation.href = ${JSON.stringify(t)};`,
      [{ host: HOSTS.brokerTrack, path: '/stats/beacon', methods: ['POST'], handle: (x) => x.send(204, '') }],
    ),
  ];
}

/** More ways pages combine or hide a navigation. */
function moreVariants(): ScenarioDefinition[] {
  const page2 = (name: string, markup: string, head = '') =>
    page({ title: 'Loading…', head, body: `<main><p>Loading your offer…</p>${markup}</main>` });
  const onerror = 'js-img-onerror';
  const both = 'js-before-meta';
  const twice = 'js-double-assign';
  const twiceBusy = 'js-double-assign-busy';
  const relative = 'js-relative';
  const reload = 'refresh-cookie-reload';
  const ping = 'click-ping';
  const tabUnder = 'click-tab-under';
  const tabUnderGone = 'click-tab-under-gone';
  const tabUnderSlow = 'click-tab-under-slow';
  const tabUnderPage = (name: string, sendTo: string) =>
    page({
      title: 'Almost there',
      body:
        `<main><button id="go" type="button">Continue</button></main>\n<script>\n` +
        `document.getElementById('go').addEventListener('click', function () {\n` +
        `  window.open(${JSON.stringify(landingUrl(name))}, '_blank');\n  location.href = ${JSON.stringify(sendTo)};\n});\n</script>`,
    });
  return [
    defineScenario(
      {
        name: onerror,
        url: `${TRACK}/t/${onerror}`,
        description: 'Broker page whose redirect sits in the onerror handler of an image that does not exist.',
        expectedVias: ['start', 'javascript'],
        finalUrl: landingUrl(onerror),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${onerror}`,
          handle: (x) =>
            x.html(200, page2(onerror, `<img src="/t/${onerror}/pixel.gif" alt="" onerror="location.href='${landingUrl(onerror)}'">`)),
        },
      ],
    ),
    defineScenario(
      {
        name: both,
        url: `${TRACK}/t/${both}`,
        description:
          'Broker page with a 1 s meta refresh to the harmless site for browsers without JavaScript and a script that redirects at once.',
        expectedVias: ['start', 'javascript'],
        finalUrl: landingUrl(both),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${both}`,
          handle: (x) =>
            x.html(
              200,
              page2(
                both,
                `<script>location.replace(${JSON.stringify(landingUrl(both))});</script>`,
                `<meta http-equiv="refresh" content="1;url=https://${HOSTS.benign}/">\n`,
              ),
            ),
        },
      ],
    ),
    defineScenario(
      {
        name: twice,
        url: `${TRACK}/t/${twice}`,
        description:
          'Broker page that sets location.href twice in a row: to a decoy tracker, then to the landing page ' +
          '(the last one wins; the decoy is requested all the same, its answer unused).',
        expectedVias: ['start', 'javascript', 'javascript'],
        finalUrl: landingUrl(twice),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${twice}`,
          handle: (x) =>
            x.html(
              200,
              page2(twice, `<script>location.href = '/t/${twice}/decoy'; location.href = ${JSON.stringify(landingUrl(twice))};</script>`),
            ),
        },
        { host: HOSTS.brokerTrack, path: `/t/${twice}/decoy`, handle: (x) => x.redirect(302, `https://${HOSTS.benign}/`) },
      ],
    ),
    defineScenario(
      {
        name: twiceBusy,
        url: `${TRACK}/t/${twiceBusy}`,
        description:
          'Broker page that sets location.href to a decoy tracker, keeps its script busy for 400 ms (the decoy answers ' +
          'and its 302 is followed meanwhile), then sets it to the landing page: the decoy and the page it sent on to ' +
          'were requested, never shown, and the document left while it was parsed never tells its end.',
        expectedVias: ['start', 'javascript', 'http-302', 'javascript'],
        finalUrl: landingUrl(twiceBusy),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${twiceBusy}`,
          handle: (x) =>
            x.html(
              200,
              page2(
                twiceBusy,
                `<script>location.href = '/t/${twiceBusy}/decoy'; const until = Date.now() + 400; while (Date.now() < until);\n` +
                  `location.href = ${JSON.stringify(landingUrl(twiceBusy))};</script>`,
              ),
            ),
        },
        { host: HOSTS.brokerTrack, path: `/t/${twiceBusy}/decoy`, handle: (x) => x.redirect(302, `https://${HOSTS.benign}/`) },
      ],
    ),
    defineScenario(
      {
        name: relative,
        url: `${TRACK}/t/${relative}?u=51`,
        description: "Broker page whose script goes on to a relative address (location = '?step=2&u=51'), which 302s.",
        expectedVias: ['start', 'javascript', 'http-302'],
        finalUrl: landingUrl(relative),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${relative}`,
          handle: (x) =>
            x.url.searchParams.get('step') === '2'
              ? x.redirect(302, landingUrl(relative))
              : x.html(200, page2(relative, `<script>location = '?step=2&' + location.search.slice(1);</script>`)),
        },
      ],
    ),
    defineScenario(
      {
        name: reload,
        url: `${TRACK}/t/${reload}`,
        description:
          'Anti-bot cookie check: the first answer sets a cookie and `Refresh: 0` (reload); the reload, with the cookie, 302s on.',
        expectedVias: ['start', 'refresh-header', 'http-302'],
        finalUrl: landingUrl(reload),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${reload}`,
          handle: (x) =>
            /(?:^|;\s*)human=1(?:;|$)/.test(x.header('cookie') ?? '')
              ? x.redirect(302, landingUrl(reload))
              : x.html(200, page({ title: 'Please wait…', body: '<p>Please wait…</p>' }), {
                  Refresh: '0',
                  'Set-Cookie': 'human=1; Path=/',
                }),
        },
      ],
    ),
    defineScenario(
      {
        name: ping,
        url: `${TRACK}/t/${ping}`,
        description:
          'Landing page whose "Continue" link has a ping attribute (the click is reported to a tracker as the browser follows the link).',
        expectedVias: ['start'],
        clicks: ['Continue'],
        clickedVias: ['start', 'click'],
        finalUrl: landingUrl(ping),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${ping}`,
          handle: (x) =>
            x.html(
              200,
              page({
                title: 'Almost there',
                body: `<main><p><a href="${landingUrl(ping)}" ping="/t/${ping}/ping?c=1">Continue</a></p></main>`,
              }),
            ),
        },
        { host: HOSTS.brokerTrack, path: `/t/${ping}/ping`, methods: ['POST'], handle: (x) => x.send(204, '') },
      ],
    ),
    defineScenario(
      {
        name: tabUnder,
        url: `${TRACK}/t/${tabUnder}`,
        description:
          'Tab-under: the "Continue" button opens the advertiser in a new window and sends the page itself on to an ad tracker (hops of another tab).',
        expectedVias: ['start', 'popup'],
        clicks: ['Continue'],
        finalUrl: landingUrl(tabUnder),
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${tabUnder}`,
          handle: (x) => x.html(200, tabUnderPage(tabUnder, `/t/${tabUnder}/ad`)),
        },
        { host: HOSTS.brokerTrack, path: `/t/${tabUnder}/ad`, handle: (x) => x.redirect(302, `https://${HOSTS.prize}/claim?ref=tab`) },
      ],
    ),
    defineScenario(
      {
        name: tabUnderSlow,
        url: `${TRACK}/t/${tabUnderSlow}`,
        description:
          'Tab-under whose first tab is sent to an ad server that answers slowly (its 302 after 1.5 s): ' +
          'the advertiser in the new window has long settled when the first tab reaches its ad.',
        expectedVias: ['start', 'popup'],
        clicks: ['Continue'],
        finalUrl: landingUrl(tabUnderSlow),
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${tabUnderSlow}`,
          handle: (x) => x.html(200, tabUnderPage(tabUnderSlow, `/t/${tabUnderSlow}/ad`)),
        },
        {
          host: HOSTS.brokerTrack,
          path: `/t/${tabUnderSlow}/ad`,
          handle: (x) => void setTimeout(() => x.redirect(302, `https://${HOSTS.prize}/claim?ref=slow-tab`), SLOW_AD_MS),
        },
      ],
    ),
    defineScenario(
      {
        name: tabUnderGone,
        url: `${TRACK}/t/${tabUnderGone}`,
        description:
          'Tab-under whose first tab goes through an ad relay of another network to a page that is gone (404): ' +
          'the chain still rests on the advertiser in the new window.',
        expectedVias: ['start', 'popup'],
        clicks: ['Continue'],
        finalUrl: landingUrl(tabUnderGone),
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/t/${tabUnderGone}`,
          handle: (x) => x.html(200, tabUnderPage(tabUnderGone, `https://${HOSTS.relayAlpha}/pop?z=${tabUnderGone}`)),
        },
        {
          host: HOSTS.relayAlpha,
          path: '/pop',
          handle: (x) => x.redirect(302, `https://${HOSTS.relayTdsCdn}/gone?z=${tabUnderGone}`),
        },
        {
          host: HOSTS.relayTdsCdn,
          path: '/gone',
          handle: (x) => x.html(404, page({ title: 'Not found', body: '<main><p>This offer has expired.</p></main>' })),
        },
      ],
    ),
  ];
}

/** A broker page that writes a meta refresh into itself with document.write. */
function documentWriteMeta(): ScenarioDefinition {
  const name = 'js-document-write-meta';
  const target = landingUrl(name);
  const tag = `<meta http-equiv="refresh" content="0;url=${target}">`;
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: 'Broker page whose script writes a meta refresh into the document (document.write).',
      expectedVias: ['start', 'meta-refresh'],
      finalUrl: target,
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brokerTrack, path: `/t/${name}`, handle: (x) => x.html(200, scriptPage(`document.write(${JSON.stringify(tag)});`)) }],
  );
}

/** history.pushState to a new path, then location.reload(): the reload requests the pushed URL, which 302s. */
function pushStateReload(): ScenarioDefinition {
  const name = 'js-pushstate-reload';
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: 'Broker page that pushes a new URL with history.pushState and reloads it; the pushed URL 302s on.',
      expectedVias: ['start', 'javascript', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) => x.html(200, scriptPage(`history.pushState({}, '', '/t/${name}/go?k=7'); location.reload();`)),
      },
      { host: HOSTS.brokerTrack, path: `/t/${name}/go`, handle: (x) => x.redirect(302, landingUrl(name)) },
    ],
  );
}

/** An auto-submitted POST form to a tracker that answers 307 or 308: the POST goes on to the landing page. */
function formPostKept(status: 307 | 308): ScenarioDefinition {
  const name = `form-post-${status}`;
  return defineScenario(
    {
      name,
      url: `${ESP}/c/${name}`,
      description: `Auto-submitting POST form to a tracker answering ${status}, which keeps the POST to the landing page.`,
      expectedVias: ['start', 'form-post', `http-${status}`],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: `/c/${name}`,
        handle: (x) => x.html(200, autoSubmitFormPage('post', `${ESP}/c/${name}/submit`, { t: 'c93e' })),
      },
      { host: HOSTS.espClick, path: `/c/${name}/submit`, methods: ['POST'], handle: (x) => x.redirect(status, landingUrl(name)) },
    ],
  );
}

/** Refresh values as trackers write them; `{}` stands for the target. */
const REFRESH_VALUES = {
  quoted: "0;URL='{}'",
  fraction: '0.5; url={}',
  comma: '0,url={}',
  spaced: '0 ; URL = {}',
  bare: '0; {}',
} as const;

/** A Refresh header or a meta refresh in an odd syntax; `relative` points at a path of the page's host that 302s on. */
function refreshVariant(kind: 'header' | 'meta', style: keyof typeof REFRESH_VALUES | 'relative'): ScenarioDefinition {
  const name = `${kind === 'header' ? 'refresh-header' : 'meta-refresh'}-${style}`;
  const relative = style === 'relative';
  const target = relative ? `/t/${name}/next` : landingUrl(name);
  const value = relative ? `0; url=${target}` : REFRESH_VALUES[style].replace('{}', target);
  const routes: Route[] = [
    {
      host: HOSTS.brokerTrack,
      path: `/t/${name}`,
      handle: (x) =>
        kind === 'header'
          ? x.html(200, page({ title: 'Redirecting…', body: '<main><p>Redirecting…</p></main>' }), { Refresh: value })
          : x.html(
              200,
              page({
                title: 'Redirecting…',
                head: `<meta http-equiv="Refresh" content="${value.replace(/"/g, '&quot;')}">\n`,
                body: '<main><p>Redirecting…</p></main>',
              }),
            ),
    },
  ];
  if (relative) routes.push({ host: HOSTS.brokerTrack, path: `/t/${name}/next`, handle: (x) => x.redirect(302, landingUrl(name)) });
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: `Broker page with ${kind === 'header' ? 'a Refresh header' : 'a meta refresh'} written \`${value}\`.`,
      expectedVias: ['start', kind === 'header' ? 'refresh-header' : 'meta-refresh', ...(relative ? ['http-302'] : [])],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    routes,
  );
}

/**
 * A page whose head has a meta refresh for browsers without JavaScript (inside <noscript>, to the
 * harmless site) before the one a browser with JavaScript follows.
 */
function metaRefreshNoscript(): ScenarioDefinition {
  const name = 'meta-refresh-noscript';
  const head =
    `<noscript><meta http-equiv="refresh" content="0;url=https://${HOSTS.benign}/"></noscript>\n` +
    `<meta http-equiv="refresh" content="0;url=${landingUrl(name)}">\n`;
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: 'Broker page with a meta refresh to a harmless site inside <noscript>, then the one a browser with JavaScript follows.',
      expectedVias: ['start', 'meta-refresh'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) => x.html(200, page({ title: 'Redirecting…', head, body: '<p>Redirecting…</p>' })),
      },
    ],
  );
}

/** A meta refresh to a URL the browser must not open as a page from a web page: data: or javascript:. */
function refreshToScheme(scheme: 'data' | 'javascript'): ScenarioDefinition {
  const name = `meta-refresh-${scheme}`;
  const url = `${TRACK}/t/${name}`;
  const target =
    scheme === 'data'
      ? `data:text/html;base64,${Buffer.from(`<script>location.href=${JSON.stringify(landingUrl(name))}</script>`).toString('base64')}`
      : `javascript:location.href=${JSON.stringify(landingUrl(name))}`;
  return defineScenario(
    {
      name,
      url,
      description: `Broker page whose meta refresh points at a ${scheme}: URL (a browser does not follow it from a web page).`,
      expectedVias: ['start'],
      finalUrl: url,
      finalTitle: 'Redirecting…',
    },
    [{ host: HOSTS.brokerTrack, path: `/t/${name}`, handle: (x) => x.html(200, metaRefreshPage(target, 0)) }],
  );
}

/** A page that opens the next hop in a new window with no click, then closes itself. */
function popupThenClose(): ScenarioDefinition {
  const name = 'popup-then-close';
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: 'Broker page that window.open()s the next hop without a click and then calls window.close() on itself.',
      expectedVias: ['start', 'popup', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) => x.html(200, scriptPage(`window.open('/t/${name}/next'); window.close();`)),
      },
      { host: HOSTS.brokerTrack, path: `/t/${name}/next`, handle: (x) => x.redirect(302, landingUrl(name)) },
    ],
  );
}

/** A page whose Refresh header has no URL: it reloads itself for ever. */
function refreshSelf(): ScenarioDefinition {
  const name = 'refresh-header-self';
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: 'Broker page answering `Refresh: 0` with no URL: it reloads itself for ever.',
      outcome: 'loop',
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) => x.html(200, page({ title: 'Please wait…', body: '<p>Please wait…</p>' }), { Refresh: '0' }),
      },
    ],
  );
}

/** The first hop sets a cookie; the second sends a visitor without it to the harmless site. */
function cookieCheck(): ScenarioDefinition {
  const name = 'cookie-check';
  return defineScenario(
    {
      name,
      url: `${ESP}/c/${name}`,
      description: 'A 302 that sets a cookie for the next hop of its site, which sends visitors without it elsewhere.',
      expectedVias: ['start', 'http-302', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: `/c/${name}`,
        handle: (x) => x.redirect(302, `${ESP}/c/${name}/check`, { 'Set-Cookie': 'visit=v81; Path=/; SameSite=Lax' }),
      },
      {
        host: HOSTS.espClick,
        path: `/c/${name}/check`,
        handle: (x) =>
          x.redirect(302, /(?:^|;\s*)visit=v81(?:;|$)/.test(x.header('cookie') ?? '') ? landingUrl(name) : `https://${HOSTS.benign}/`),
      },
    ],
  );
}

/** A raw 3xx response with the given extra header lines (for what node's writeHead would refuse or merge). */
function rawRedirect(status: number, lines: string[], body = redirectBody('')): Buffer {
  const head = [
    `HTTP/1.1 ${status} ${REDIRECT_STATUS_TEXT[status] ?? 'Found'}`,
    'Content-Type: text/html; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Connection: close',
    ...lines,
  ];
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'utf8'), body]);
}

function httpOddities(): ScenarioDefinition[] {
  const relative = defineScenario(
    {
      name: 'http-301-relative',
      url: `${ESP}/c/http-301-relative`,
      description: 'A 301 whose Location is a relative path of the same host, which 302s to the landing page.',
      expectedVias: ['start', 'http-301', 'http-302'],
      finalUrl: landingUrl('http-301-relative'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.espClick, path: '/c/http-301-relative', handle: (x) => x.redirect(301, 'next?m=2') },
      { host: HOSTS.espClick, path: '/c/next', handle: (x) => x.redirect(302, landingUrl('http-301-relative')) },
    ],
  );
  const fragmentTarget = `${landingUrl('location-fragment')}#offer=spring`;
  const fragment = defineScenario(
    {
      name: 'location-fragment',
      url: `${ESP}/c/location-fragment`,
      description: 'A 302 whose Location carries a fragment.',
      expectedVias: ['start', 'http-302'],
      finalUrl: fragmentTarget,
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.espClick, path: '/c/location-fragment', handle: (x) => x.redirect(302, fragmentTarget) }],
  );
  const spaced = defineScenario(
    {
      name: 'location-unescaped',
      url: `${ESP}/c/location-unescaped`,
      description: 'A 302 whose Location has raw spaces and UTF-8 in its path and query.',
      expectedVias: ['start', 'http-302'],
      finalUrl: `${landingUrl('location-unescaped')}%20caf%C3%A9?q=spring%20sale`,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: '/c/location-unescaped',
        handle: (x) => x.raw(rawRedirect(302, [`Location: ${landingUrl('location-unescaped')} café?q=spring sale`])),
      },
    ],
  );
  const idn = defineScenario(
    {
      name: 'location-idn',
      url: `${ESP}/c/location-idn`,
      description: `A 302 to an internationalized host name written in Unicode (${IDN_HOST}), which 302s to the landing page.`,
      expectedVias: ['start', 'http-302', 'http-302'],
      finalUrl: landingUrl('location-idn'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.espClick, path: '/c/location-idn', handle: (x) => x.raw(rawRedirect(302, [`Location: http://${IDN_HOST}/go?c=idn`])) },
      { host: IDN_HOST_ASCII, path: '/go', handle: (x) => x.redirect(302, landingUrl('location-idn')) },
    ],
  );
  const two = defineScenario(
    {
      name: 'location-twice',
      url: `${ESP}/c/location-twice`,
      description: 'A 302 with two different Location headers (a browser refuses the response).',
      expectedVias: ['start'],
      outcome: 'error',
    },
    [
      {
        host: HOSTS.espClick,
        path: '/c/location-twice',
        handle: (x) => x.raw(rawRedirect(302, [`Location: ${landingUrl('location-twice')}`, `Location: https://${HOSTS.phish}/`])),
      },
    ],
  );
  const missing = defineScenario(
    {
      name: 'redirect-without-location',
      url: `${ESP}/c/redirect-without-location`,
      description: 'A 302 without a Location header: the browser shows its body, a page with a link.',
      expectedVias: ['start'],
      finalUrl: `${ESP}/c/redirect-without-location`,
      finalTitle: 'Object moved',
      finalStatus: 302,
    },
    [
      {
        host: HOSTS.espClick,
        path: '/c/redirect-without-location',
        handle: (x) => x.raw(rawRedirect(302, [], redirectBody(landingUrl('redirect-without-location')))),
      },
    ],
  );
  const schemeRelative = defineScenario(
    {
      name: 'location-scheme-relative',
      url: `${ESP}/c/location-scheme-relative`,
      description: 'A 302 whose Location is scheme-relative (//host/path): the next hop keeps http.',
      expectedVias: ['start', 'http-302', 'http-302'],
      finalUrl: landingUrl('location-scheme-relative'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: '/c/location-scheme-relative',
        handle: (x) => x.redirect(302, `//${HOSTS.relayHub}/o/scheme-relative`),
      },
      { host: HOSTS.relayHub, path: '/o/scheme-relative', handle: (x) => x.redirect(302, landingUrl('location-scheme-relative')) },
    ],
  );
  const empty = defineScenario(
    {
      name: 'location-empty',
      url: `${ESP}/c/location-empty`,
      description: 'A 302 whose Location header is empty: the browser shows its body.',
      expectedVias: ['start'],
      finalUrl: `${ESP}/c/location-empty`,
      finalTitle: 'Object moved',
      finalStatus: 302,
    },
    [{ host: HOSTS.espClick, path: '/c/location-empty', handle: (x) => x.raw(rawRedirect(302, ['Location: '], redirectBody(''))) }],
  );
  return [relative, fragment, spaced, idn, two, missing, schemeRelative, empty];
}

/** The variants; only a browser follows them (the lab's walker knows the plain mechanisms' pages). */
export function variantScenarios(): ScenarioDefinition[] {
  const variants = [
    ...scriptVariants(),
    ...moreVariants(),
    scriptVariant(
      'js-blob-page',
      'a Blob URL document of its own making (no request) that meta-refreshes on',
      (t) =>
        `var html = '<meta http-equiv="refresh" content="0;url=' + ${JSON.stringify(t)} + '">';\n` +
        `location.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));`,
      [],
      ['start', 'javascript', 'meta-refresh'],
    ),
    scriptVariant(
      'js-anchor-blank',
      "a script click on a target=_blank link (a new window without the visitor's click)",
      (t) =>
        `var a = document.createElement('a'); a.href = ${JSON.stringify(t)}; a.target = '_blank';\n` +
        `document.body.appendChild(a); a.click();`,
      [],
      ['start', 'popup'],
    ),
    scriptVariant(
      'frame-srcdoc-top',
      'an iframe srcdoc whose script sets top.location',
      (t) =>
        `var f = document.createElement('iframe');\n` +
        `f.srcdoc = '<script>top.location = ' + JSON.stringify(${JSON.stringify(t)}) + ';<' + '/script>';\n` +
        `document.body.appendChild(f);`,
      [],
      ['start', 'frame-top'],
    ),
    documentWriteMeta(),
    pushStateReload(),
    formPostKept(307),
    formPostKept(308),
    ...(['quoted', 'fraction', 'comma', 'spaced', 'bare', 'relative'] as const).flatMap((s) => [
      refreshVariant('header', s),
      refreshVariant('meta', s),
    ]),
    metaRefreshNoscript(),
    refreshToScheme('data'),
    refreshToScheme('javascript'),
    cookieCheck(),
    popupThenClose(),
    refreshSelf(),
    ...httpOddities(),
  ];
  for (const v of variants) v.scenario.walkable = false;
  return variants;
}
