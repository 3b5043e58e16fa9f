// More chain variants as spam kits and click trackers write them, beside variants.ts: meta refreshes
// in odd markup (entities, <base>), script redirects through top/document/atob and a scripted
// same-tab link click, a GET form whose action's query the browser drops, a 302 chain that comes
// back once to an earlier host, and ESP tracker URL shapes (SendGrid, Amazon SES) on lab hosts.
import { HOSTS } from '../hosts.js';
import type { Route } from '../exchange.js';
import { page } from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';

const TRACK = `http://${HOSTS.brokerTrack}`;
const JUMP = `https://${HOSTS.brokerJump}`;
const ESP = `http://${HOSTS.espClick}`;

function loadingPage(markup: string, head = ''): string {
  return page({ title: 'Loading…', head, body: `<main><p>Loading your offer…</p>${markup}</main>` });
}

/** A one-page broker variant at /h/<name> on the tracker host. */
function onePage(
  name: string,
  description: string,
  html: string,
  expectedVias: string[],
  opts: { finalUrl?: string; extra?: Route[]; walkable?: boolean } = {},
): ScenarioDefinition {
  return defineScenario(
    {
      name,
      url: `${TRACK}/h/${name}`,
      description,
      expectedVias,
      finalUrl: opts.finalUrl ?? landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
      walkable: opts.walkable ?? false,
    },
    [{ host: HOSTS.brokerTrack, path: `/h/${name}`, handle: (x) => x.html(200, html) }, ...(opts.extra ?? [])],
  );
}

function script(code: string): string {
  return `<script>\n${code}\n</script>`;
}

function markupVariants(): ScenarioDefinition[] {
  const entity = 'meta-refresh-entities';
  const entityTarget = `${landingUrl(entity)}?cid=77&sub=mail`;
  const base = 'meta-refresh-base';
  return [
    onePage(
      entity,
      'Broker page with an upper-case META refresh, single-quoted CONTENT, a double-quoted URL and &amp; in its query.',
      loadingPage('', `<META HTTP-EQUIV=Refresh CONTENT='0; URL="${entityTarget.replace('&', '&amp;')}"'>\n`),
      ['start', 'meta-refresh'],
      { finalUrl: entityTarget },
    ),
    onePage(
      base,
      'Broker page whose <base href> points at another host, and a relative meta refresh resolved against it (which 302s).',
      loadingPage('', `<base href="${JUMP}/h/${base}/">\n<meta http-equiv="refresh" content="0;url=next?c=9">\n`),
      ['start', 'meta-refresh', 'http-302'],
      { extra: [{ host: HOSTS.brokerJump, path: `/h/${base}/next`, handle: (x) => x.redirect(302, landingUrl(base)) }] },
    ),
  ];
}

function scriptVariants(): ScenarioDefinition[] {
  const top = 'js-top-location-load';
  const docTimer = 'js-document-location-timer';
  const atobName = 'js-window-location-atob';
  const anchor = 'js-anchor-click-same-tab';
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    onePage(
      top,
      "Broker page that sets top.location.href in a window 'load' listener (not framed: top is itself).",
      loadingPage(script(`window.addEventListener('load', function () { top.location.href = ${JSON.stringify(landingUrl(top))}; });`)),
      ['start', 'javascript'],
    ),
    onePage(
      docTimer,
      'Broker page that sets document.location.href inside setTimeout(…, 1200).',
      loadingPage(script(`setTimeout(function () { document.location.href = ${JSON.stringify(landingUrl(docTimer))}; }, 1200);`)),
      ['start', 'javascript'],
    ),
    onePage(
      atobName,
      'Broker page that assigns window.location = atob(…) of its target.',
      loadingPage(script(`window.location = atob('${b64(landingUrl(atobName))}');`)),
      ['start', 'javascript'],
    ),
    onePage(
      anchor,
      'Broker page whose script builds a link (same tab) and calls .click() on it; the link 302s on.',
      loadingPage(
        script(
          `var a = document.createElement('a'); a.href = '/h/${anchor}/go?s=1'; a.rel = 'noreferrer';\n` +
            `document.body.appendChild(a); a.click();`,
        ),
      ),
      ['start', 'javascript', 'http-302'],
      { extra: [{ host: HOSTS.brokerTrack, path: `/h/${anchor}/go`, handle: (x) => x.redirect(302, landingUrl(anchor)) }] },
    ),
  ];
}

/** A GET form whose action has a query: the browser replaces it with the form's fields. */
function formGetActionQuery(): ScenarioDefinition {
  const name = 'form-get-action-query';
  return onePage(
    name,
    "Broker page auto-submitting a GET form whose action carries ?dropped=1 (replaced by the form's fields); the tracker 302s.",
    loadingPage(
      `<form id="f" method="get" action="${ESP}/h/${name}/submit?dropped=1"><input type="hidden" name="t" value="c93e"></form>` +
        script(`document.getElementById('f').submit();`),
    ),
    ['start', 'form-get', 'http-302'],
    {
      extra: [
        {
          host: HOSTS.espClick,
          path: `/h/${name}/submit`,
          handle: (x) => (x.url.search === '?t=c93e' ? x.redirect(302, landingUrl(name)) : x.redirect(302, `https://${HOSTS.benign}/`)),
        },
      ],
    },
  );
}

/** A -> B -> A again (other query) -> landing: the same host and path twice is not a loop. */
function comesBackOnce(): ScenarioDefinition {
  const name = 'chain-comes-back';
  const first = `${ESP}/h/${name}?u=1`;
  return defineScenario(
    {
      name,
      url: first,
      description:
        'Tracker 302s to a broker, which 302s back to the same tracker URL with one more parameter, which 302s to the landing page.',
      expectedVias: ['start', 'http-302', 'http-302', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.espClick,
        path: `/h/${name}`,
        handle: (x) =>
          x.url.searchParams.get('seen') === '1'
            ? x.redirect(302, landingUrl(name))
            : x.redirect(302, `${JUMP}/h/${name}/check?back=${encodeURIComponent(first)}`),
      },
      {
        host: HOSTS.brokerJump,
        path: `/h/${name}/check`,
        handle: (x) => x.redirect(302, `${x.url.searchParams.get('back')}&seen=1`),
      },
    ],
  );
}

/**
 * ESP tracker shapes on lab hosts: a SendGrid-style /ls/click?upn= link 302s to an Amazon SES-style
 * /L0/<percent-encoded target>/… link of a custom redirect domain, which 302s to the landing page.
 */
function espShapes(): ScenarioDefinition {
  const name = 'esp-sendgrid-ses';
  const target = `${landingUrl(name)}?utm_source=newsletter&utm_medium=email`;
  const ses = `${JUMP}/L0/${encodeURIComponent(target)}/1/0100018f-2c1d-4e0a-9b7e-5a6c1d2e3f40-000000/Xw3hQ0c1=392`;
  return defineScenario(
    {
      name,
      url: `http://${HOSTS.relayAlpha}/ls/click?upn=u001.${name}-2BKx7-3D`,
      description:
        'SendGrid-shaped click link (/ls/click?upn=) 302ing to an Amazon SES-shaped one (/L0/<target>/…) that 302s to the landing page.',
      expectedVias: ['start', 'http-302', 'http-302'],
      finalUrl: target,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.relayAlpha,
        path: '/ls/click',
        handle: (x) => x.redirect(302, ses),
      },
      { host: HOSTS.brokerJump, path: '/L0/*', handle: (x) => x.redirect(302, target) },
    ],
  );
}

/** Script and markup idioms beyond location: open(_self), the Navigation API, a meta built by script, body onload. */
function moreScriptIdioms(): ScenarioDefinition[] {
  const self = 'js-open-self';
  const nav = 'js-navigation-navigate';
  const meta = 'js-appended-meta';
  const onload = 'form-body-onload';
  return [
    onePage(
      self,
      "Broker page that calls window.open(target, '_self'): the same tab goes on, no popup.",
      loadingPage(script(`window.open(${JSON.stringify(landingUrl(self))}, '_self');`)),
      ['start', 'javascript'],
    ),
    onePage(
      nav,
      'Broker page that goes on with the Navigation API: navigation.navigate(target).',
      loadingPage(script(`navigation.navigate(${JSON.stringify(landingUrl(nav))});`)),
      ['start', 'javascript'],
    ),
    onePage(
      meta,
      'Broker page whose script builds a meta refresh element and appends it to the head.',
      loadingPage(
        script(
          `var m = document.createElement('meta'); m.httpEquiv = 'refresh';\n` +
            `m.content = '0;url=' + ${JSON.stringify(landingUrl(meta))}; document.head.appendChild(m);`,
        ),
      ),
      ['start', 'meta-refresh'],
    ),
    defineScenario(
      {
        name: onload,
        url: `${TRACK}/h/${onload}`,
        description: 'Broker page whose <body onload> submits a hidden POST form to a tracker that 302s to the landing page.',
        expectedVias: ['start', 'form-post', 'http-302'],
        finalUrl: landingUrl(onload),
        finalTitle: ADVERTISER_TITLE,
        walkable: false,
      },
      [
        {
          host: HOSTS.brokerTrack,
          path: `/h/${onload}`,
          handle: (x) =>
            x.html(
              200,
              '<!doctype html><html><head><title>Loading…</title></head>' +
                `<body onload="document.forms[0].submit()"><form method="post" action="${ESP}/h/${onload}/post">` +
                '<input type="hidden" name="sid" value="77ab"></form></body></html>',
            ),
        },
        { host: HOSTS.espClick, path: `/h/${onload}/post`, methods: ['POST'], handle: (x) => x.redirect(302, landingUrl(onload)) },
      ],
    ),
  ];
}

/** Location values that trick a naive reader: a backslash (read as a slash) and user info before the real host. */
function locationTricks(): ScenarioDefinition[] {
  const backslash = 'location-backslash';
  const userinfo = 'location-userinfo';
  const phishUrl = `https://business.t-mobile.example@${HOSTS.phish}/h/${userinfo}`;
  return [
    defineScenario(
      {
        name: backslash,
        url: `${ESP}/h/${backslash}`,
        description: 'A 302 whose Location is /\\host/path: a browser reads the backslash as a slash, so it is scheme-relative.',
        expectedVias: ['start', 'http-302'],
        finalUrl: `http://${HOSTS.advertiser}/landing/${backslash}`,
        finalTitle: ADVERTISER_TITLE,
        walkable: false,
      },
      [{ host: HOSTS.espClick, path: `/h/${backslash}`, handle: (x) => x.redirect(302, `/\\${HOSTS.advertiser}/landing/${backslash}`) }],
    ),
    defineScenario(
      {
        name: userinfo,
        url: `${ESP}/h/${userinfo}`,
        description: `A 302 to ${phishUrl}: the brand's host as user info before the real host.`,
        expectedVias: ['start', 'http-302'],
        finalUrl: phishUrl,
        finalTitle: 'T-Mobile for Business | Sign in',
        walkable: false,
      },
      [
        { host: HOSTS.espClick, path: `/h/${userinfo}`, handle: (x) => x.redirect(302, phishUrl) },
        {
          host: HOSTS.phish,
          path: `/h/${userinfo}`,
          handle: (x) =>
            x.html(200, page({ title: 'T-Mobile for Business | Sign in', body: '<main><h1>T-Mobile for Business</h1></main>' })),
        },
      ],
    ),
  ];
}

/**
 * The landing page shown only inside a full-window iframe of a broker page (frame forwarding): the
 * chain ends at the framed page (analyze/framed-landing.ts), shown inside a frame of the broker's.
 */
function iframeOnlyLanding(): ScenarioDefinition {
  const name = 'iframe-only-landing';
  return brokerFramePage(
    name,
    {
      description: 'Broker page whose whole window is an iframe of the landing page: the address bar never leaves the broker.',
      expectedVias: ['start', 'frame-src'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    'Best Deals Today',
    '<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%}</style>\n',
    `<iframe src="${landingUrl(name)}"></iframe>`,
  );
}

/** A landing page of its own with an ad iframe among its content: not a framed landing, the chain ends on it. */
function iframeBesideContent(): ScenarioDefinition {
  const name = 'iframe-beside-content';
  return brokerFramePage(
    name,
    {
      description: 'A page with text of its own and one iframe (an ad): the chain ends on the page itself, not in its frame.',
      expectedVias: ['start'],
      finalUrl: `${TRACK}/h/${name}`,
      finalTitle: 'Deals of the Week',
    },
    'Deals of the Week',
    '<style>iframe{border:0;width:100%;height:100%}</style>\n',
    `<main><h1>Deals of the Week</h1><p>Our picks for you.</p><iframe src="${landingUrl(name)}" title="Advertisement"></iframe></main>`,
  );
}

/** A broker page at /h/NAME with a frame of the landing page in it (how it is shown: `head`, `body`). */
function brokerFramePage(
  name: string,
  expected: Pick<Parameters<typeof defineScenario>[0], 'description' | 'expectedVias' | 'finalUrl' | 'finalTitle'>,
  title: string,
  head: string,
  body: string,
): ScenarioDefinition {
  return defineScenario({ name, url: `${TRACK}/h/${name}`, ...expected, walkable: false }, [
    { host: HOSTS.brokerTrack, path: `/h/${name}`, handle: (x) => x.html(200, page({ title, head, body })) },
  ]);
}

/** Script idioms that open a window without a click, move a fragment first, or pass code as a string. */
function windowAndStringIdioms(): ScenarioDefinition[] {
  const blankAssign = 'js-open-blank-assign';
  const formBlank = 'form-target-blank';
  const hash = 'js-hash-then-assign';
  const bodyMeta = 'meta-refresh-in-body';
  const stringTimer = 'js-timeout-string';
  const schemeRelative = 'js-scheme-relative';
  return [
    onePage(
      blankAssign,
      "Broker page that opens an empty window (window.open('', '_blank')), cuts its opener and sets its location to the landing page.",
      loadingPage(
        script(`var w = window.open('', '_blank'); w.opener = null; w.location.href = ${JSON.stringify(landingUrl(blankAssign))};`),
      ),
      ['start', 'popup'],
    ),
    onePage(
      formBlank,
      'Broker page auto-submitting a POST form with target=_blank to a tracker that 302s to the landing page.',
      loadingPage(
        `<form id="f" method="post" target="_blank" action="${ESP}/h/${formBlank}/post"><input type="hidden" name="sid" value="9"></form>` +
          script(`document.getElementById('f').submit();`),
      ),
      ['start', 'popup', 'http-302'],
      {
        extra: [
          { host: HOSTS.espClick, path: `/h/${formBlank}/post`, methods: ['POST'], handle: (x) => x.redirect(302, landingUrl(formBlank)) },
        ],
      },
    ),
    onePage(
      hash,
      'Broker page that first sets location.hash (no request) and 300 ms later location.href.',
      loadingPage(
        script(`location.hash = 'step-2';\nsetTimeout(function () { location.href = ${JSON.stringify(landingUrl(hash))}; }, 300);`),
      ),
      ['start', 'javascript'],
    ),
    onePage(
      bodyMeta,
      'Broker page with its meta refresh at the end of the body, after the content.',
      page({
        title: 'Loading…',
        body: `<main><p>Loading your offer…</p></main>\n<meta http-equiv="refresh" content="0;url=${landingUrl(bodyMeta)}">`,
      }),
      ['start', 'meta-refresh'],
    ),
    onePage(
      stringTimer,
      'Broker page that passes its redirect to setTimeout as a string of code.',
      loadingPage(script(`setTimeout("location.href='${landingUrl(stringTimer)}'", 200);`)),
      ['start', 'javascript'],
    ),
    onePage(
      schemeRelative,
      "Broker page (http) whose script goes to a scheme-relative address ('//host/path'): the landing page over http.",
      loadingPage(script(`location.href = '//${HOSTS.advertiser}/landing/${schemeRelative}';`)),
      ['start', 'javascript'],
      { finalUrl: `http://${HOSTS.advertiser}/landing/${schemeRelative}` },
    ),
  ];
}

export function chainVariantScenarios(): ScenarioDefinition[] {
  return [
    ...markupVariants(),
    ...scriptVariants(),
    formGetActionQuery(),
    comesBackOnce(),
    espShapes(),
    ...moreScriptIdioms(),
    ...locationTricks(),
    iframeOnlyLanding(),
    iframeBesideContent(),
    ...windowAndStringIdioms(),
  ];
}
