// Scenarios that fight back or break: a server that never answers, a page that never finishes
// loading, a connection reset, cloaking, bad certificates, a dialog, and markup and control
// characters aimed at whoever displays the capture.
import { HOSTS } from '../hosts.js';
import { escapeHtml, jsString, metaRefreshPage, page, scriptRedirectPage } from '../pages.js';
import type { LabExchange } from '../exchange.js';
import { ADVERTISER_TITLE, defineScenario, hopTo, landingUrl, type ScenarioDefinition } from './common.js';

const ESP = `http://${HOSTS.espClick}`;
const PROMO = `http://${HOSTS.brokerPromo}`;
const EVERY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];

export const HANG_URL = `http://${HOSTS.hang}/wait`;

function hang(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'hang',
      url: `${ESP}/c/hang`,
      description: `A 302 to ${HANG_URL}, a server that accepts the connection and never answers.`,
      outcome: 'hang',
    },
    [
      { host: HOSTS.espClick, path: '/c/hang', handle: hopTo('http-302', HANG_URL) },
      { host: HOSTS.hang, path: '/*', methods: EVERY_METHOD, handle: (x) => x.hang() },
    ],
  );
}

export const NEVER_LOADS_TITLE = 'Your offer is loading';

function neverLoads(): ScenarioDefinition {
  const url = `${PROMO}/p/never-loads`;
  return defineScenario(
    {
      name: 'never-loads',
      url,
      description: 'A page that renders (with a title) but whose banner image never arrives, so its load event never fires.',
      expectedVias: ['start'],
      finalUrl: url,
      finalTitle: NEVER_LOADS_TITLE,
      outcome: 'never-loads',
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/p/never-loads',
        handle: (x) =>
          x.html(
            200,
            page({
              title: NEVER_LOADS_TITLE,
              body:
                `<main><h1>Your exclusive offer</h1><p>Please wait while we prepare your personalised offer.</p>\n` +
                `<img src="http://${HOSTS.hang}/never-loads/banner.gif" width="468" height="60" alt="banner"></main>`,
            }),
          ),
      },
    ],
  );
}

export const RESET_URL = `http://${HOSTS.reset}/offer`;

function reset(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'reset',
      url: `${ESP}/c/reset`,
      description: `A 302 to ${RESET_URL}, whose server resets the connection on every request.`,
      outcome: 'reset',
    },
    [
      { host: HOSTS.espClick, path: '/c/reset', handle: hopTo('http-302', RESET_URL) },
      { host: HOSTS.reset, path: '/*', methods: EVERY_METHOD, handle: (x) => x.reset() },
    ],
  );
}

export const CLOAKING_URL = `http://${HOSTS.cloak}/lp/7731?sub=em`;
export const CLOAKED_DESTINATION = `https://${HOSTS.phish}/account/verify`;
export const CLOAKED_TITLE = 'Account verification';
export const DECOY_TITLE = 'Garden tips blog';

/** What the cloaking server treats as a bot, from the request alone. */
export function looksAutomated(userAgent: string | undefined, acceptLanguage: string | undefined, clientHints?: string): boolean {
  return !userAgent || /HeadlessChrome/i.test(userAgent) || !acceptLanguage || /HeadlessChrome/i.test(clientHints ?? '');
}

function decoyPage(withCloakScript: boolean): string {
  const script = withCloakScript
    ? // The checks phishing kits copy from "detect headless Chrome" snippets.
      `\n<script>\n(async function () {\n` +
      `  var bot = navigator.webdriver || !navigator.languages || navigator.languages.length === 0 || !window.chrome ||\n` +
      `    navigator.plugins.length === 0 || navigator.mimeTypes.length === 0 || navigator.pdfViewerEnabled === false ||\n` +
      `    /HeadlessChrome/.test(navigator.userAgent) ||` +
      ` (navigator.userAgentData && navigator.userAgentData.brands.some(function (b) { return /Headless/.test(b.brand); }));\n` +
      `  if (!bot) {\n` +
      `    var gl = document.createElement('canvas').getContext('webgl'), info = gl && gl.getExtension('WEBGL_debug_renderer_info');\n` +
      `    bot = !gl || (info && /SwiftShader|llvmpipe/i.test(gl.getParameter(info.UNMASKED_RENDERER_WEBGL))) ||\n` +
      `      !/\\[native code\\]/.test(Function.prototype.toString.call(WebGLRenderingContext.prototype.getParameter));\n` +
      `  }\n` +
      `  if (!bot && window.Notification && navigator.permissions) {\n` +
      `    var state = (await navigator.permissions.query({ name: 'notifications' })).state;\n` +
      `    bot = Notification.permission === 'denied' && state === 'prompt';\n` +
      `  }\n` +
      `  if (bot) return;\n  location.href = ${jsString(CLOAKED_DESTINATION)};\n})();\n</script>`
    : '';
  return page({
    title: DECOY_TITLE,
    body:
      `<main><h1>Garden tips</h1>\n<article><h2>When to plant tulip bulbs</h2><p>Plant tulips in autumn, six to eight weeks ` +
      `before the ground freezes, about 15 cm deep with the pointy end up.</p></article>\n` +
      `<article><h2>Five herbs for a shady balcony</h2><p>Mint, parsley, chives, lemon balm and chervil all cope with ` +
      `a few hours of sun.</p></article></main>${script}`,
  });
}

function cloaking(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'cloaking',
      url: CLOAKING_URL,
      description:
        'Cloaking page: shows a harmless "Garden tips blog" to anything that looks automated (HeadlessChrome in the UA or ' +
        'client hints, no Accept-Language, navigator.webdriver, no languages, no window.chrome, no PDF plugins, the headless ' +
        'notification-permission mismatch, no WebGL or a software WebGL renderer); otherwise JavaScript sends it to a phishing page.',
      expectedVias: ['start', 'javascript'],
      finalUrl: CLOAKED_DESTINATION,
      finalTitle: CLOAKED_TITLE,
    },
    [
      {
        host: HOSTS.cloak,
        path: '/lp/*',
        handle: (x) =>
          x.html(200, decoyPage(!looksAutomated(x.header('user-agent'), x.header('accept-language'), x.header('sec-ch-ua'))), {
            Vary: 'User-Agent, Accept-Language, Sec-CH-UA',
          }),
      },
      {
        host: HOSTS.phish,
        path: '/account/verify',
        methods: ['GET', 'HEAD', 'POST'],
        handle: (x) =>
          x.html(
            200,
            page({
              title: CLOAKED_TITLE,
              body:
                `<main><h1>Verify your account</h1><p>Unusual sign-in activity was detected. Confirm your details to keep your account.</p>\n` +
                `<form method="post" action="/account/verify"><label>Email <input name="email" type="email"></label>\n` +
                `<label>Password <input name="password" type="password"></label>\n<button type="submit">Verify</button></form></main>`,
            }),
          ),
      },
    ],
  );
}

function badTls(kind: 'expired' | 'self-signed' | 'wrong-host'): ScenarioDefinition {
  const host = { expired: HOSTS.badExpired, 'self-signed': HOSTS.badSelfSigned, 'wrong-host': HOSTS.badWrongHost }[kind];
  const name = `bad-tls-${kind}`;
  const certText = {
    expired: 'an expired certificate from the lab CA',
    'self-signed': 'a self-signed certificate',
    'wrong-host': 'a lab-CA certificate issued for www.unrelated-site.example',
  }[kind];
  return defineScenario(
    {
      name,
      url: `https://${host}/offer`,
      description: `HTTPS host presenting ${certText}; its page meta-refreshes to the landing page.`,
      expectedVias: ['start', 'meta-refresh'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host, path: '/offer', handle: (x) => x.html(200, metaRefreshPage(landingUrl(name), 0, 'Special offer')) }],
  );
}

export const DIALOG_MESSAGE = 'You won!';

function dialog(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'dialog',
      url: `${PROMO}/p/dialog`,
      description: `A page that calls alert(${jsString(DIALOG_MESSAGE)}) and then redirects with JavaScript.`,
      expectedVias: ['start', 'javascript'],
      finalUrl: landingUrl('dialog'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/p/dialog',
        handle: (x) =>
          x.html(
            200,
            scriptRedirectPage(landingUrl('dialog'), { before: `alert(${jsString(DIALOG_MESSAGE)});\n`, title: 'Congratulations' }),
          ),
      },
    ],
  );
}

// Hostile strings. ESC sequences: colour, clear screen, and an OSC that sets a terminal's title.
const ESC = '\x1b';
export const XSS_TITLE_RAW = `${ESC}[31m${ESC}]0;pwned\x07You won! <script>alert("title")</script><img src=x onerror=alert("title")>${ESC}[0m`;
export const XSS_HEADERS: [string, string][] = [
  ['X-Campaign', '<script>alert("header")</script><img src=x onerror=alert("header")>'],
  ['X-Offer-Note', `${ESC}[2J${ESC}[31mYOU WON${ESC}[0m ${ESC}]0;pwned\x07`],
  ['Set-Cookie', 'promo="<img src=x onerror=alert(3)>"; Path=/'],
];
const XSS_QUERY = {
  q: '<img src=x onerror=alert(1)>',
  t: `${ESC}[31mred${ESC}[0m`,
  r: '"><script>alert(2)</script>',
};
/** The hostile page, reached by a 302 whose Location carries markup and ESC, percent-encoded. */
export const XSS_URL =
  `http://${HOSTS.xss}/win?` +
  Object.entries(XSS_QUERY)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

function xssBody(): string {
  return (
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${XSS_TITLE_RAW}</title></head>\n<body>\n` +
    `<h1>You won! <script>alert('inline')</script></h1>\n` +
    `<p>Claim your reward: <a href="javascript:alert('link')">claim <b onmouseover="alert('hover')">now</b></a></p>\n` +
    `<img src="/missing.png" onerror="alert('img')" alt="">\n<svg onload="alert('svg')"></svg>\n` +
    `<p>${escapeHtml('Escaped text: <script>alert(0)</script>')} ${ESC}[31mred${ESC}[0m</p>\n</body></html>\n`
  );
}

/** The hostile page; with `controlCharHeader` one header value carries ESC and BEL (strict parsers reject it). */
function xssPage(controlCharHeader: boolean) {
  return (x: LabExchange): void => {
    const body = Buffer.from(xssBody(), 'utf8');
    const headers = XSS_HEADERS.filter(([, v]) => controlCharHeader || !/[\x00-\x08\x0a-\x1f\x7f]/.test(v));
    const head =
      `HTTP/1.1 200 OK\r\nServer: openresty\r\nDate: ${new Date().toUTCString()}\r\n` +
      `Content-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
      headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      `Connection: close\r\n\r\n`;
    x.raw(Buffer.concat([Buffer.from(head, 'latin1'), x.method === 'HEAD' ? Buffer.alloc(0) : body]));
  };
}

/** Same page without the control characters in a header, for consumers with a strict HTTP parser. */
export const XSS_STRICT_URL = XSS_URL.replace('/win?', '/win-strict?');

function xss(): ScenarioDefinition[] {
  const common =
    'page with <script> and event handlers in its title, headers and body, terminal escape sequences in the title and body, ' +
    'reached by a 302 whose Location carries markup and ESC (percent-encoded). The page runs alert() when rendered.';
  return [
    defineScenario(
      {
        name: 'xss',
        url: `${ESP}/c/xss?q=${encodeURIComponent('<script>alert(1)</script>')}`,
        description: `Hostile ${common} One response header carries ESC/BEL sequences (Node's strict HTTP parser refuses it: use insecureHTTPParser).`,
        expectedVias: ['start', 'http-302'],
        finalUrl: XSS_URL,
        finalTitle: null,
      },
      [
        { host: HOSTS.espClick, path: '/c/xss', handle: hopTo('http-302', XSS_URL) },
        { host: HOSTS.xss, path: '/win', handle: xssPage(true) },
      ],
    ),
    defineScenario(
      {
        name: 'xss-strict-headers',
        url: `${ESP}/c/xss-strict?q=${encodeURIComponent('<script>alert(1)</script>')}`,
        description: `Hostile ${common} Header values stay within what strict HTTP parsers accept.`,
        expectedVias: ['start', 'http-302'],
        finalUrl: XSS_STRICT_URL,
        finalTitle: null,
      },
      [
        { host: HOSTS.espClick, path: '/c/xss-strict', handle: hopTo('http-302', XSS_STRICT_URL) },
        { host: HOSTS.xss, path: '/win-strict', handle: xssPage(false) },
      ],
    ),
  ];
}

/** A relative Location that carries raw ESC and BEL: a clear-screen and an OSC that retitles a terminal. */
export const CONTROL_LOCATION = `/page?q=${ESC}[2J${ESC}]0;pwned\x07`;
export const CONTROL_LOCATION_URL = `http://${HOSTS.xss}/c/control-location`;
export const CONTROL_LOCATION_TITLE = 'Terms and conditions';

function controlLocation(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'control-location',
      url: CONTROL_LOCATION_URL,
      description: 'A 302 whose Location header carries raw ESC and BEL (terminal escape sequences), not percent-encoded.',
      expectedVias: ['start', 'http-302'],
      // As a WHATWG URL parser resolves it (ESC and BEL percent-encoded).
      finalUrl: new URL(CONTROL_LOCATION, CONTROL_LOCATION_URL).href,
      finalTitle: CONTROL_LOCATION_TITLE,
    },
    [
      {
        host: HOSTS.xss,
        path: '/c/control-location',
        handle: (x) =>
          x.raw(
            Buffer.from(
              `HTTP/1.1 302 Found\r\nServer: openresty\r\nLocation: ${CONTROL_LOCATION}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
              'latin1',
            ),
          ),
      },
      {
        host: HOSTS.xss,
        path: '/page',
        handle: (x) => x.html(200, page({ title: CONTROL_LOCATION_TITLE, body: '<main><h1>Terms and conditions</h1></main>' })),
      },
    ],
  );
}

// Strings no layout expects: one run of 2,000 characters with nowhere to break it (a right-to-left
// override in its middle) in the title and a header, and a URL of 3,000.
const LONG_RUN = `${'W'.repeat(990)}\u202e${'M'.repeat(1009)}`;
export const LONG_TITLE = `Offer-${LONG_RUN}`;
export const LONG_STRINGS_URL = `http://${HOSTS.xss}/c/long-strings`;
export const LONG_PAGE_URL = `http://${HOSTS.xss}/long/${'p'.repeat(1500)}?${'q'.repeat(1500)}`;

function longStrings(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'long-strings',
      url: LONG_STRINGS_URL,
      description:
        'A 302 to a 3,000-character URL whose page has a 2,000-character unbroken title (with a right-to-left override) and header.',
      expectedVias: ['start', 'http-302'],
      finalUrl: LONG_PAGE_URL,
      finalTitle: LONG_TITLE,
    },
    [
      { host: HOSTS.xss, path: '/c/long-strings', handle: hopTo('http-302', LONG_PAGE_URL) },
      {
        host: HOSTS.xss,
        path: '/long/*',
        handle: (x) =>
          x.html(200, page({ title: LONG_TITLE, body: `<main><h1>${escapeHtml(LONG_TITLE)}</h1></main>` }), {
            'X-Offer': LONG_RUN.replace(/[^\x20-\x7e]/g, ''),
          }),
      },
    ],
  );
}

export function hostileScenarios(): ScenarioDefinition[] {
  return [
    hang(),
    neverLoads(),
    reset(),
    cloaking(),
    badTls('expired'),
    badTls('self-signed'),
    badTls('wrong-host'),
    dialog(),
    ...xss(),
    controlLocation(),
    longStrings(),
  ];
}
