// Server-side redirect variants and mixed chains beside the client-side ones: a 3xx whose body
// would move the page on by itself, a page with a Refresh header, a meta refresh and a script to
// three places, hops gated on a cookie (set by a 302 for the site, or by script), on the Referer,
// the Accept-Language and the User-Agent, slow heads and stalled bodies, relative and loopback
// Locations, a 307 that keeps a POST, 401/407/451/503/205 answers, compressed and chunked 3xx
// bodies, HSTS, and final pages that are no HTML.
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { HOSTS } from '../hosts.js';
import type { LabExchange } from '../exchange.js';
import { page, metaRefreshPage } from '../pages.js';
import { redirectBody } from '../exchange.js';
import { landingUrl, type ScenarioDefinition } from './common.js';
import { loadingPage, script, variant } from './redirect-variants.js';

const JUMP = `https://${HOSTS.brokerJump}`;
const TRACK = `http://${HOSTS.brokerTrack}`;
const ESP = `http://${HOSTS.espClick}`;
const BENIGN = `https://${HOSTS.benign}/`;

/** A decoy address on the ESP host: a hop that should never be requested (the tests count its hits). */
export function decoyUrl(name: string, which = 'decoy'): string {
  return `${ESP}/v/${name}/${which}`;
}

/** A 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function decoyRoutes(name: string, ...which: string[]) {
  return which.map((w) => ({ host: HOSTS.espClick, path: `/v/${name}/${w}`, handle: hopToBenign }));
}
const hopToBenign = (x: LabExchange) => x.redirect(302, BENIGN);

/** Bodies and headers that compete with the status line. */
function competingMechanisms(): ScenarioDefinition[] {
  const body3xx = 'redirect-body-meta-script';
  const three = 'refresh-meta-script-three';
  const errorMeta = 'http-503-meta-refresh';
  const headerVsMeta = 'refresh-header-vs-meta';
  const locationOn200 = 'location-on-200';
  return [
    variant(
      body3xx,
      'A 302 whose HTML body has a meta refresh and a script to other places: the browser follows Location only.',
      ['start', 'http-302'],
      (x) => {
        x.res.statusMessage = 'Found';
        x.send(
          302,
          loadingPage(
            script(`location.replace(${JSON.stringify(decoyUrl(body3xx, 'decoy-js'))});`),
            `<meta http-equiv="refresh" content="0; url=${decoyUrl(body3xx)}">\n`,
          ),
          { 'Content-Type': 'text/html; charset=utf-8', Location: landingUrl(body3xx) },
        );
      },
      [...decoyRoutes(body3xx, 'decoy', 'decoy-js')],
    ),
    variant(
      three,
      'A 200 with a Refresh header, a 0-second meta refresh and an inline script, each to a different place: the script runs ' +
        'while the page is parsed and wins.',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(`location.href = ${JSON.stringify(landingUrl(three))};`),
            `<meta http-equiv="refresh" content="0; url=${decoyUrl(three, 'meta')}">\n`,
          ),
          { Refresh: `0; url=${decoyUrl(three, 'header')}` },
        ),
      decoyRoutes(three, 'meta', 'header'),
    ),
    variant(
      headerVsMeta,
      'A 200 with a 0-second Refresh header to one place and a 0-second meta refresh to another: the meta refresh, ' +
        'read after the header, replaces the refresh the header scheduled.',
      ['start', 'meta-refresh'],
      (x) => x.html(200, metaRefreshPage(landingUrl(headerVsMeta), 0), { Refresh: `0; url=${decoyUrl(headerVsMeta, 'header')}` }),
      decoyRoutes(headerVsMeta, 'header'),
    ),
    variant(
      locationOn200,
      'A 200 page with a Location header to one place (a browser ignores it on a 200) and a meta refresh to the landing page.',
      ['start', 'meta-refresh'],
      (x) => x.html(200, metaRefreshPage(landingUrl(locationOn200), 0), { Location: decoyUrl(locationOn200) }),
      decoyRoutes(locationOn200, 'decoy'),
    ),
    variant(errorMeta, 'A 503 "maintenance" page whose meta refresh moves on to the landing page.', ['start', 'meta-refresh'], (x) =>
      x.html(503, metaRefreshPage(landingUrl(errorMeta), 0, 'Service Unavailable'), { 'Retry-After': '120' }),
    ),
  ];
}

/** Hops that let the visitor through only on what the previous hop or the browser sent. */
function gatedHops(): ScenarioDefinition[] {
  const siteCookie = 'cookie-302-sibling-host';
  const jsCookie = 'cookie-set-by-script';
  const referer = 'referer-gated';
  const language = 'accept-language-gated';
  const agent = 'user-agent-gated';
  const gate = (name: string, ok: (x: LabExchange) => boolean) => ({
    host: HOSTS.brokerJump,
    path: `/v/${name}/gate`,
    handle: (x: LabExchange) => x.redirect(302, ok(x) ? landingUrl(name) : BENIGN),
  });
  return [
    variant(
      siteCookie,
      'A 302 on track.broker-net.test that sets a cookie for the whole site (Domain=broker-net.test); the next hop, on ' +
        'jump.broker-net.test, sends visitors without it to the harmless site.',
      ['start', 'http-302', 'http-302'],
      (x) => x.redirect(302, `${JUMP}/v/${siteCookie}/gate`, { 'Set-Cookie': 'sid=s9; Domain=broker-net.test; Path=/' }),
      [gate(siteCookie, (x) => /(?:^|;\s*)sid=s9(?:;|$)/.test(x.header('cookie') ?? ''))],
    ),
    variant(
      jsCookie,
      'A page whose script sets a cookie (document.cookie) and then goes on; the next hop lets only visitors with it through.',
      ['start', 'javascript', 'http-302'],
      (x) => x.html(200, loadingPage(script(`document.cookie = 'js=ok; path=/';\nlocation.href = '/v/${jsCookie}/check';`))),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${jsCookie}/check`,
          handle: (x) => x.redirect(302, /(?:^|;\s*)js=ok(?:;|$)/.test(x.header('cookie') ?? '') ? landingUrl(jsCookie) : BENIGN),
        },
      ],
    ),
    variant(
      referer,
      'A page whose script goes on to a gate that lets through only visitors whose Referer is the page before it.',
      ['start', 'javascript', 'http-302'],
      (x) => x.html(200, loadingPage(script(`location.href = '${JUMP}/v/${referer}/gate';`))),
      [gate(referer, (x) => (x.header('referer') ?? '').startsWith(`${TRACK}/`))],
    ),
    variant(
      language,
      'A 302 to a gate that sends visitors without an Accept-Language (a bot) to the harmless site.',
      ['start', 'http-302', 'http-302'],
      (x) => x.redirect(302, `${JUMP}/v/${language}/gate`),
      [gate(language, (x) => /^[a-z]{2}/i.test(x.header('accept-language') ?? ''))],
    ),
    variant(
      agent,
      'A 302 to a gate that sends visitors whose User-Agent is not a desktop Chrome (HeadlessChrome, curl) to the harmless site.',
      ['start', 'http-302', 'http-302'],
      (x) => x.redirect(302, `${JUMP}/v/${agent}/gate`),
      [gate(agent, (x) => / Chrome\/\d/.test(x.header('user-agent') ?? '') && !/Headless/i.test(x.header('user-agent') ?? ''))],
    ),
  ];
}

/** Servers that take their time. */
function slowAnswers(): ScenarioDefinition[] {
  const slowHead = 'slow-head-redirect';
  const stalled = 'stalled-body-meta-end';
  return [
    variant(slowHead, 'A tracker that waits 3 s before it answers 302.', ['start', 'http-302'], (x) => {
      setTimeout(() => x.redirect(302, landingUrl(slowHead)), 3000);
    }),
    variant(
      stalled,
      'A page sent in two parts 1.5 s apart; the meta refresh arrives with the second, at the end of the body.',
      ['start', 'meta-refresh'],
      (x) => {
        x.res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        x.res.write('<!DOCTYPE html>\n<html lang="en"><head><title>Loading…</title></head><body><p>Loading your offer…</p>\n');
        setTimeout(() => x.res.end(`<meta http-equiv="refresh" content="0; url=${landingUrl(stalled)}">\n</body></html>\n`), 1500);
      },
    ),
  ];
}

/** Locations a naive resolver gets wrong, and ones that point at this machine. */
function locations(): ScenarioDefinition[] {
  const dots = 'location-dot-segments';
  const loop = 'redirect-loop-query';
  return [
    variant(
      dots,
      'A 302 from /v/<name> whose Location is `../v/<name>/next?q=1` (dot segments, relative to the path); that hop 302s on.',
      ['start', 'http-302', 'http-302'],
      (x) => x.redirect(302, `../v/${dots}/next?q=1`),
      [{ host: HOSTS.brokerTrack, path: `/v/${dots}/next`, handle: (x) => x.redirect(302, landingUrl(dots)) }],
    ),
    ...(
      [
        ['location-ipv4-loopback', 'http://127.0.0.1/admin'],
        ['location-ipv6-loopback', 'http://[::1]:8080/admin'],
      ] as const
    ).map(([name, target]) =>
      withOutcome(
        variant(
          name,
          `A 302 to ${target}, an IP literal of this machine: not given with --resolve/--connect-to, so the proxy refuses it.`,
          [],
          (x) => x.redirect(302, target),
        ),
        'error',
      ),
    ),
    withOutcome(
      variant(
        loop,
        'A 301 to its own path with a counter in the query that grows each time (never ends: the browser gives up).',
        [],
        (x) => x.redirect(301, `${TRACK}/v/${loop}?n=${Number(x.url.searchParams.get('n') ?? 0) + 1}`),
        [],
        { suffix: '?n=0' },
      ),
      'too-many-redirects',
    ),
  ];
}

/** A chain the browser ends with an error at its final hop (its URL and status as expected). */
function errorEnding(d: ScenarioDefinition): ScenarioDefinition {
  return { ...d, scenario: { ...d.scenario, outcome: 'error' } };
}

/** The title the final page has, where it is none of the advertiser's (null: no page, none). */
function titled(d: ScenarioDefinition, finalTitle: string | null): ScenarioDefinition {
  return { ...d, scenario: { ...d.scenario, finalTitle } };
}

function withOutcome(d: ScenarioDefinition, outcome: ScenarioDefinition['scenario']['outcome']): ScenarioDefinition {
  return { ...d, scenario: { ...d.scenario, outcome, expectedVias: null, finalUrl: null, finalTitle: null, finalStatus: null } };
}

/** A form POST kept by a 307. */
function postKept(): ScenarioDefinition {
  const name = 'redirect-307-post-form';
  return variant(
    name,
    'A page that auto-submits a POST form to a tracker that answers 307: the browser sends the POST on to the landing page.',
    ['start', 'form-post', 'http-307'],
    (x) =>
      x.html(
        200,
        loadingPage(
          `<form id="f" method="post" action="/v/${name}/post"><input type="hidden" name="c" value="7"></form>` +
            script(`document.getElementById('f').submit();`),
        ),
      ),
    [{ host: HOSTS.brokerTrack, path: `/v/${name}/post`, methods: ['POST'], handle: (x) => x.redirect(307, landingUrl(name)) }],
  );
}

/** Status codes a chain can end on. */
function statusAnswers(): ScenarioDefinition[] {
  const basic = 'http-401-basic';
  const proxyAuth = 'http-407-origin';
  const legal = 'http-451-final';
  const reset = 'http-205-after-302';
  const finalUrl = (name: string) => `${JUMP}/v/${name}/end`;
  const after302 = (name: string) => (x: LabExchange) => x.redirect(302, finalUrl(name));
  return [
    variant(
      basic,
      'A 302 to a page that answers 401 with `WWW-Authenticate: Basic`: no prompt, no credentials, the 401 page is the end.',
      ['start', 'http-302'],
      after302(basic),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${basic}/end`,
          handle: (x) =>
            x.html(401, page({ title: 'Partner login', body: '<main><h1>Login required</h1></main>' }), {
              'WWW-Authenticate': 'Basic realm="Partner area"',
            }),
        },
      ],
      { finalUrl: finalUrl(basic), finalTitle: 'Partner login', finalStatus: 401 },
    ),
    titled(
      errorEnding(
        variant(
          proxyAuth,
          'A 302 to a web server (not a proxy) that answers 407 with `Proxy-Authenticate`: a browser treats it as an error.',
          ['start', 'http-302'],
          after302(proxyAuth),
          [
            {
              host: HOSTS.brokerJump,
              path: `/v/${proxyAuth}/end`,
              handle: (x) =>
                x.html(407, page({ title: 'Proxy login', body: '<main><h1>Proxy login</h1></main>' }), {
                  'Proxy-Authenticate': 'Basic realm="proxy"',
                }),
            },
          ],
          { finalUrl: finalUrl(proxyAuth), finalStatus: 407 },
        ),
      ),
      null,
    ),
    titled(
      variant(
        `${proxyAuth}-http`,
        'The same 407 over plain http, where the browser sends its request to the proxy itself. A browser without a proxy ' +
          'fails with ERR_UNEXPECTED_PROXY_AUTH; behind the recording proxy (which drops Proxy-Authenticate) Chromium shows ' +
          "the 407's body instead: a known divergence, recorded here as the trace sees it.",
        ['start', 'http-302'],
        (x) => x.redirect(302, `${ESP}/v/${proxyAuth}-http/end`),
        [
          {
            host: HOSTS.espClick,
            path: `/v/${proxyAuth}-http/end`,
            handle: (x) =>
              x.html(407, page({ title: 'Proxy login', body: '<main><h1>Proxy login</h1></main>' }), {
                'Proxy-Authenticate': 'Basic realm="proxy"',
              }),
          },
        ],
        { finalUrl: `${ESP}/v/${proxyAuth}-http/end`, finalStatus: 407 },
      ),
      'Proxy login',
    ),
    variant(
      legal,
      'A 302 to a page that answers 451 Unavailable For Legal Reasons.',
      ['start', 'http-302'],
      after302(legal),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${legal}/end`,
          handle: (x) => x.html(451, page({ title: 'Not available in your country', body: '<main><h1>451</h1></main>' })),
        },
      ],
      { finalUrl: finalUrl(legal), finalTitle: 'Not available in your country', finalStatus: 451 },
    ),
    titled(
      variant(
        reset,
        'A 302 to a hop that answers 205 Reset Content: like a 204, the browser stays where it was, no page.',
        ['start', 'http-302'],
        after302(reset),
        [{ host: HOSTS.brokerJump, path: `/v/${reset}/end`, handle: (x) => x.send(205, Buffer.alloc(0)) }],
        { finalUrl: finalUrl(reset), finalStatus: 205 },
      ),
      null,
    ),
  ];
}

/** 3xx bodies in the encodings and framings servers use. */
function encodedRedirects(): ScenarioDefinition[] {
  const gz = 'redirect-gzip-body';
  const br = 'redirect-br-body';
  const chunked = 'redirect-chunked-trailer';
  return [
    variant(gz, 'A 302 whose body is gzip-encoded.', ['start', 'http-302'], (x) =>
      x.send(302, gzipSync(redirectBody(landingUrl(gz))), {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Encoding': 'gzip',
        Location: landingUrl(gz),
      }),
    ),
    variant(br, 'A 301 whose body is Brotli-encoded.', ['start', 'http-301'], (x) =>
      x.send(301, brotliCompressSync(redirectBody(landingUrl(br))), {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Encoding': 'br',
        Location: landingUrl(br),
      }),
    ),
    variant(chunked, 'A 302 sent chunked, with a trailer field after its body.', ['start', 'http-302'], (x) => {
      x.res.writeHead(302, { 'Content-Type': 'text/html; charset=utf-8', Location: landingUrl(chunked), Trailer: 'X-Body-Digest' });
      x.res.write(redirectBody(landingUrl(chunked)));
      x.res.addTrailers({ 'X-Body-Digest': 'sha-256=none' });
      x.res.end();
    }),
  ];
}

/** HSTS on an https hop, then a link to the same host over http. */
function hsts(): ScenarioDefinition {
  const name = 'hsts-then-http';
  return variant(
    name,
    'An https page that sends Strict-Transport-Security and then a script to http:// on the same host, which 302s on. ' +
      'The browser upgrades it itself, as one that trusts the certificate does (its own 307, nothing sent to http://), ' +
      'then the https URL 302s on.',
    ['start', 'javascript', 'http-307', 'http-302'],
    (x) =>
      x.html(200, loadingPage(script(`location.href = 'http://${HOSTS.brokerJump}/v/${name}/next';`)), {
        'Strict-Transport-Security': 'max-age=600',
      }),
    [{ host: HOSTS.brokerJump, path: `/v/${name}/next`, handle: (x) => x.redirect(302, landingUrl(name)) }],
    { host: HOSTS.brokerJump, scheme: 'https' },
  );
}

/** Final pages that are not HTML. */
function nonHtmlFinals(): ScenarioDefinition[] {
  // The title is the tab's: none for text, Chromium's own "name (width×height)" for an image.
  const kinds: [string, string, Buffer | string, string][] = [
    ['final-text-plain', 'text/plain; charset=utf-8', 'Your voucher: SPRING-26\n', ''],
    ['final-json', 'application/json', '{"status":"ok","voucher":"SPRING-26"}', ''],
    ['final-image', 'image/png', PNG, 'end (1×1)'],
  ];
  return kinds.map(([name, type, body, title]) =>
    titled(
      variant(
        name,
        `A 302 to a final answer served as ${type.split(';')[0]}.`,
        ['start', 'http-302'],
        (x) => x.redirect(302, `${JUMP}/v/${name}/end`),
        [{ host: HOSTS.brokerJump, path: `/v/${name}/end`, handle: (x) => x.send(200, body, { 'Content-Type': type }) }],
        { finalUrl: `${JUMP}/v/${name}/end` },
      ),
      title,
    ),
  );
}

/** A script sends the visitor to an HTML page served as an attachment: a download, not a page. */
function attachmentAfterScript(): ScenarioDefinition {
  const name = 'attachment-html-after-script';
  const file = `${JUMP}/v/${name}/invoice.html`;
  return withOutcome(
    variant(
      name,
      'A page whose script goes on to an HTML page served with `Content-Disposition: attachment`: the browser saves it, never renders it.',
      [],
      (x) => x.html(200, loadingPage(script(`location.href = ${JSON.stringify(file)};`))),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${name}/invoice.html`,
          handle: (x) =>
            x.html(
              200,
              page({ title: 'Invoice', body: `<main><h1>Invoice</h1></main>${script(`location.href = '${decoyUrl(name)}';`)}` }),
              {
                'Content-Disposition': 'attachment; filename="invoice.html"',
              },
            ),
        },
        ...decoyRoutes(name, 'decoy'),
      ],
    ),
    'download',
  );
}

export function serverVariantScenarios(): ScenarioDefinition[] {
  return [
    ...competingMechanisms(),
    ...gatedHops(),
    ...slowAnswers(),
    ...locations(),
    postKept(),
    ...statusAnswers(),
    ...encodedRedirects(),
    hsts(),
    ...nonHtmlFinals(),
    attachmentAfterScript(),
  ];
}
