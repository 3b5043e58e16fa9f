// More redirect variants beside redirect-variants.ts: frame forwarding to a tracker whose script
// moves the frame on (location, a POST form, a meta refresh it adds), a frame first about:blank
// then sent to its page's origin, a popup's fragment, a history.back() that makes the browser ask for a page
// again, refresh syntax at its edges, script redirects at odd moments, forms sent by their
// submitter, a frame's link to _top clicked by script, a popup that moves its opener, a <base> a
// script's relative redirect follows, unusual characters in a Location, a race between a meta
// refresh and a timer, and a top navigation to data: that Chromium blocks.
import { HOSTS } from '../hosts.js';
import { page } from '../pages.js';
import { landingUrl, type ScenarioDefinition } from './common.js';
import { loadingPage, script, variant } from './redirect-variants.js';

const JUMP = `https://${HOSTS.brokerJump}`;
const TRACK = `http://${HOSTS.brokerTrack}`;
const ESP = `http://${HOSTS.espClick}`;
const FRAME_ONLY_HEAD = '<style>html,body{margin:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%}</style>\n';

/** A broker page whose whole window is one frame of `src` (frame forwarding). */
function frameOnlyPage(src: string): string {
  return page({ title: 'Best Deals Today', head: FRAME_ONLY_HEAD, body: `<iframe src="${src}"></iframe>` });
}

/** Frame forwarding to a tracker page whose own script moves the frame on. */
function framedScriptRedirects(): ScenarioDefinition[] {
  const replace = 'iframe-only-js-replace';
  const timer = 'iframe-only-js-timer';
  const insertedMeta = 'iframe-only-meta-inserted';
  const framedForm = 'iframe-only-form-post';
  const blankFrame = 'frame-blank-then-same-origin-timer';
  return [
    variant(
      replace,
      "Broker page whose whole window is an iframe of a tracker's page, whose script moves the frame on with location.replace().",
      ['start', 'frame-src', 'javascript'],
      (x) => x.html(200, frameOnlyPage(`${JUMP}/v/${replace}/framed`)),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${replace}/framed`,
          handle: (x) => x.html(200, loadingPage(script(`location.replace(${JSON.stringify(landingUrl(replace))});`))),
        },
      ],
    ),
    variant(
      timer,
      "Broker page whose whole window is an iframe of a tracker's page, whose script sets location.href to a relative address " +
        '400 ms after it loaded; that address 302s to the landing page (shown in the frame).',
      ['start', 'frame-src', 'javascript', 'http-302'],
      (x) => x.html(200, frameOnlyPage(`${JUMP}/v/${timer}/framed`)),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${timer}/framed`,
          handle: (x) =>
            x.html(
              200,
              loadingPage(
                script(`addEventListener('load', function () {\n  setTimeout(function () { location.href = 'go?f=1'; }, 400);\n});`),
              ),
            ),
        },
        { host: HOSTS.brokerJump, path: `/v/${timer}/go`, handle: (x) => x.redirect(302, landingUrl(timer)) },
      ],
    ),
    variant(
      insertedMeta,
      "Broker page whose whole window is an iframe of a tracker's page, whose script adds a meta refresh to its head " +
        '(not in the page as served) that moves the frame on to the landing page.',
      ['start', 'frame-src', 'meta-refresh'],
      (x) => x.html(200, frameOnlyPage(`${JUMP}/v/${insertedMeta}/framed`)),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${insertedMeta}/framed`,
          handle: (x) =>
            x.html(
              200,
              loadingPage(
                script(
                  `var m = document.createElement('meta');\nm.httpEquiv = 'refresh';\n` +
                    `m.content = '0; url=${landingUrl(insertedMeta)}';\ndocument.head.appendChild(m);`,
                ),
              ),
            ),
        },
      ],
    ),
    variant(
      framedForm,
      "Broker page whose whole window is an iframe of a tracker's page, which auto-submits a hidden POST form in the frame; " +
        'the tracker answers 302 to the landing page (shown in the frame).',
      ['start', 'frame-src', 'form-post', 'http-302'],
      (x) => x.html(200, frameOnlyPage(`${JUMP}/v/${framedForm}/framed`)),
      [
        {
          host: HOSTS.brokerJump,
          path: `/v/${framedForm}/framed`,
          handle: (x) =>
            x.html(
              200,
              loadingPage(
                `<form id="f" method="post" action="/v/${framedForm}/post"><input type="hidden" name="t" value="f3"></form>` +
                  script(`document.getElementById('f').submit();`),
              ),
            ),
        },
        {
          host: HOSTS.brokerJump,
          path: `/v/${framedForm}/post`,
          methods: ['POST'],
          handle: (x) => x.redirect(302, landingUrl(framedForm)),
        },
      ],
    ),
    variant(
      blankFrame,
      'Broker page that adds an iframe without a src and then sends it to a page of its own origin (the frame keeps its first ' +
        'window), whose timer sets top.location 600 ms after it loaded.',
      ['start', 'frame-top'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(
              `var f = document.createElement('iframe');\nf.style.display = 'none';\ndocument.body.appendChild(f);\n` +
                `f.contentWindow.location.href = '/v/${blankFrame}/frame';`,
            ),
          ),
        ),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${blankFrame}/frame`,
          handle: (x) =>
            x.html(
              200,
              page({
                title: 'frame',
                body: script(
                  `addEventListener('load', function () {\n  setTimeout(function () {\n` +
                    `    top.location.href = ${JSON.stringify(landingUrl(blankFrame))};\n  }, 600);\n});`,
                ),
              }),
            ),
        },
      ],
    ),
  ];
}

/** Popups and history. */
function windowVariants(): ScenarioDefinition[] {
  const fragment = 'popup-fragment';
  const anchorFragment = 'popup-anchor-fragment';
  const back = 'js-history-back-reload';
  const opener = 'popup-sets-opener';
  const openerLater = 'popup-sets-opener-then-closes';
  return [
    variant(
      fragment,
      'Broker page that window.open()s a tracker URL with a fragment (#ref=mail) without a click; its 302 has none, ' +
        'so the fragment stays on the landing page.',
      ['start', 'popup', 'http-302'],
      (x) => x.html(200, loadingPage(script(`window.open('${JUMP}/v/${fragment}/go#ref=mail');`))),
      [{ host: HOSTS.brokerJump, path: `/v/${fragment}/go`, handle: (x) => x.redirect(302, landingUrl(fragment)) }],
      { finalUrl: `${landingUrl(fragment)}#ref=mail` },
    ),
    variant(
      anchorFragment,
      'Broker page whose script clicks a link with target=_blank to a tracker URL with a fragment (#ref=mail); its 302 has none, ' +
        'so the fragment stays on the landing page in the new window.',
      ['start', 'popup', 'http-302'],
      (x) =>
        x.html(
          200,
          loadingPage(
            `<a id="go" href="${JUMP}/v/${anchorFragment}/go#ref=mail" target="_blank">Continue</a>` +
              script(`document.getElementById('go').click();`),
          ),
        ),
      [{ host: HOSTS.brokerJump, path: `/v/${anchorFragment}/go`, handle: (x) => x.redirect(302, landingUrl(anchorFragment)) }],
      { finalUrl: `${landingUrl(anchorFragment)}#ref=mail` },
    ),
    variant(
      back,
      'Broker page (not cached: no-store) that goes on to a second page 100 ms after its load event (a new history entry), ' +
        'which calls history.back() 300 ms later: the browser asks for the first page again, whose script, seeing it was ' +
        'there before (sessionStorage), sends the visitor to the landing page.',
      ['start', 'javascript', 'history', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(
              `if (sessionStorage.getItem('seen')) location.replace(${JSON.stringify(landingUrl(back))});\n` +
                `else addEventListener('load', function () {\n  setTimeout(function () {\n` +
                `    sessionStorage.setItem('seen', '1');\n    location.href = '/v/${back}/step';\n  }, 100);\n});`,
            ),
          ),
        ),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${back}/step`,
          handle: (x) => x.html(200, loadingPage(script(`setTimeout(function () { history.back(); }, 300);`))),
        },
      ],
    ),
    variant(
      opener,
      'Broker page that window.open()s a page of its host without a click; that popup sends its opener (the first tab) ' +
        'to the landing page (opener.location) and closes itself at once.',
      ['start', 'popup', 'javascript'],
      (x) => x.html(200, loadingPage(script(`window.open('/v/${opener}/pop');`))),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${opener}/pop`,
          handle: (x) => x.html(200, loadingPage(script(`opener.location.href = ${JSON.stringify(landingUrl(opener))};\nwindow.close();`))),
        },
      ],
    ),
    variant(
      openerLater,
      'Broker page that window.open()s a page of its host without a click; that popup sends its opener (the first tab) ' +
        'to the landing page (opener.location) and closes itself 300 ms later.',
      ['start', 'popup', 'javascript'],
      (x) => x.html(200, loadingPage(script(`window.open('/v/${openerLater}/pop');`))),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${openerLater}/pop`,
          handle: (x) =>
            x.html(
              200,
              loadingPage(
                script(
                  `opener.location.href = ${JSON.stringify(landingUrl(openerLater))};\nsetTimeout(function () { window.close(); }, 300);`,
                ),
              ),
            ),
        },
      ],
    ),
  ];
}

/** Refresh syntax at its edges, in a meta tag and in a header. */
function refreshSyntaxVariants(): ScenarioDefinition[] {
  const zero = 'meta-refresh-zero-point-zero';
  const schemeRelative = 'meta-refresh-scheme-relative';
  const headerSchemeRelative = 'refresh-header-scheme-relative';
  const doubleQuoted = 'refresh-header-double-quoted';
  const newlines = 'meta-refresh-newlines';
  const race = 'meta-refresh-1s-js-500ms';
  const noSlashes = `//${HOSTS.advertiser}/landing/`;
  return [
    variant(
      zero,
      'Broker page with a meta refresh written `0.0; URL=…` (a fraction of zero, upper-case URL).',
      ['start', 'meta-refresh'],
      (x) => x.html(200, loadingPage('', `<meta http-equiv="Refresh" content="0.0; URL=${landingUrl(zero)}">\n`)),
    ),
    variant(
      schemeRelative,
      'Broker page (https) with a meta refresh to a scheme-relative address (`0;url=//host/path`): the landing page over https.',
      ['start', 'meta-refresh'],
      (x) => x.html(200, loadingPage('', `<meta http-equiv="refresh" content="0;url=${noSlashes}${schemeRelative}">\n`)),
      [],
      { host: HOSTS.brokerJump, scheme: 'https' },
    ),
    variant(
      headerSchemeRelative,
      'Broker page (https) answering `Refresh: 0; url=//host/path` (scheme-relative): the landing page over https.',
      ['start', 'refresh-header'],
      (x) => x.html(200, loadingPage(''), { Refresh: `0; url=${noSlashes}${headerSchemeRelative}` }),
      [],
      { host: HOSTS.brokerJump, scheme: 'https' },
    ),
    variant(
      doubleQuoted,
      'Broker page answering `Refresh: 0; url="…"` (the URL in double quotes, which are not part of it).',
      ['start', 'refresh-header'],
      (x) => x.html(200, loadingPage(''), { Refresh: `0; url="${landingUrl(doubleQuoted)}"` }),
    ),
    variant(
      newlines,
      'Broker page whose meta refresh content runs over lines: a newline before the delay, after the semicolon and inside the URL ' +
        '(a browser drops tabs and newlines from a URL).',
      ['start', 'meta-refresh'],
      (x) => {
        const [head, tail] = [landingUrl(newlines).slice(0, 30), landingUrl(newlines).slice(30)];
        x.html(200, loadingPage('', `<meta http-equiv="refresh" content="\n  0;\n  url=${head}\n${tail}\n">\n`));
      },
    ),
    variant(
      race,
      'Broker page with a 1-second meta refresh to a decoy tracker and a script that sends the visitor to the landing page after ' +
        '500 ms: the script wins, the refresh is never followed (the decoy is never requested).',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(`setTimeout(function () { location.href = ${JSON.stringify(landingUrl(race))}; }, 500);`),
            `<meta http-equiv="refresh" content="1; url=${ESP}/v/${race}/decoy">\n`,
          ),
        ),
      [{ host: HOSTS.espClick, path: `/v/${race}/decoy`, handle: (x) => x.redirect(302, `https://${HOSTS.benign}/`) }],
    ),
  ];
}

/** Script redirects at moments and in forms a naive reader does not expect. */
function scriptMomentVariants(): ScenarioDefinition[] {
  const visible = 'js-visibility-visible';
  const raf = 'js-request-animation-frame';
  const whitespace = 'js-location-whitespace';
  const base = 'js-relative-base-href';
  const dataUrl = 'js-data-url-top';
  const ownToString = 'js-timer-own-to-string';
  return [
    variant(
      ownToString,
      'Broker page that first replaces Function.prototype.toString by its own wrapper (as anti-tamper and fingerprint kits do), ' +
        'one that calls the one it found without its arguments, then sends the visitor on from a timer 700 ms after its load event.',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(
              `(function () {\n  var found = Function.prototype.toString;\n` +
                `  Function.prototype.toString = function toString() { return found.call(this); };\n})();\n` +
                `addEventListener('load', function () {\n  setTimeout(function () { location.href = ${JSON.stringify(landingUrl(ownToString))}; }, 700);\n});`,
            ),
          ),
        ),
    ),
    variant(
      visible,
      'Broker page that redirects only when document.visibilityState is "visible" (a prerendered or background tab waits for visibilitychange).',
      ['start', 'javascript'],
      (x) =>
        x.html(
          200,
          loadingPage(
            script(
              `function go() { if (document.visibilityState === 'visible') location.href = ${JSON.stringify(landingUrl(visible))}; }\n` +
                `if (document.visibilityState === 'visible') go(); else document.addEventListener('visibilitychange', go);`,
            ),
          ),
        ),
    ),
    variant(
      raf,
      'Broker page that redirects in its first requestAnimationFrame callback (before the load event).',
      ['start', 'javascript'],
      (x) =>
        x.html(200, loadingPage(script(`requestAnimationFrame(function () { location.replace(${JSON.stringify(landingUrl(raf))}); });`))),
    ),
    variant(
      whitespace,
      'Broker page whose script sets location.href to the target with spaces before it and a newline inside it ' +
        '(a browser strips the one and drops the other).',
      ['start', 'javascript'],
      (x) => {
        const target = landingUrl(whitespace);
        x.html(200, loadingPage(script(`location.href = ${JSON.stringify(`   ${target.slice(0, 20)}\n${target.slice(20)}  `)};`)));
      },
    ),
    variant(
      base,
      'Broker page whose <base href> points at another host; its script goes to a relative address, resolved against the base; it 302s.',
      ['start', 'javascript', 'http-302'],
      (x) => x.html(200, loadingPage(script(`location.href = 'go?c=base';`), `<base href="${JUMP}/v/${base}/sub/">\n`)),
      [{ host: HOSTS.brokerJump, path: `/v/${base}/sub/go`, handle: (x) => x.redirect(302, landingUrl(base)) }],
    ),
    variant(
      dataUrl,
      'Broker page whose script sends the tab to a data: URL (a page of its own making): Chromium blocks a page from navigating ' +
        'the top window to data:, so the tab stays on the broker page.',
      ['start'],
      (x) => {
        const made = `<title>Offer</title><script>location.href=${JSON.stringify(landingUrl(dataUrl))}</script>`;
        x.html(200, loadingPage(script(`location.href = 'data:text/html;base64,${Buffer.from(made).toString('base64')}';`)));
      },
      [],
      { finalUrl: `${TRACK}/v/${dataUrl}`, finalTitle: 'Loading…' },
    ),
  ];
}

/** Forms and links a script sends. */
function formAndLinkVariants(): ScenarioDefinition[] {
  const submitter = 'form-request-submit-submitter';
  const anchorTop = 'frame-anchor-target-top';
  return [
    variant(
      submitter,
      'Broker page whose GET form to a decoy is sent with form.requestSubmit(button): the button\'s formaction and formmethod="post" ' +
        "send it by POST to a tracker (with the button's name and value), which answers 303 See Other to the landing page.",
      ['start', 'form-post', 'http-303'],
      (x) =>
        x.html(
          200,
          loadingPage(
            `<form id="f" method="get" action="${ESP}/v/${submitter}/decoy"><input type="hidden" name="t" value="q7">` +
              `<button id="b" name="go" value="1" formaction="${ESP}/v/${submitter}/post" formmethod="post">Continue</button></form>` +
              script(`document.getElementById('f').requestSubmit(document.getElementById('b'));`),
          ),
        ),
      [
        {
          host: HOSTS.espClick,
          path: `/v/${submitter}/post`,
          methods: ['POST'],
          handle: (x) => x.redirect(303, landingUrl(submitter)),
        },
        { host: HOSTS.espClick, path: `/v/${submitter}/decoy`, handle: (x) => x.redirect(302, `https://${HOSTS.benign}/`) },
      ],
    ),
    variant(
      anchorTop,
      'Broker page with a same-origin iframe whose script clicks a link of its own with target=_top: the top page goes on.',
      ['start', 'frame-top'],
      (x) =>
        x.html(
          200,
          page({
            title: 'Loading…',
            body: `<main><p>Loading your offer…</p></main><iframe src="/v/${anchorTop}/frame" width="300" height="100" title="go"></iframe>`,
          }),
        ),
      [
        {
          host: HOSTS.brokerTrack,
          path: `/v/${anchorTop}/frame`,
          handle: (x) =>
            x.html(
              200,
              page({
                title: 'frame',
                body: `<a id="go" href="${landingUrl(anchorTop)}" target="_top">Go</a>${script(`document.getElementById('go').click();`)}`,
              }),
            ),
        },
      ],
    ),
  ];
}

/** Location values with characters a naive reader normalises. */
function locationCharacterVariants(): ScenarioDefinition[] {
  const encoded = 'location-percent-plus';
  const upper = 'location-upper-case';
  const encodedTarget = `${landingUrl(encoded)}/caf%C3%A9%2Fmenu?q=spring+sale%20now&eur=%E2%82%AC&empty=`;
  return [
    variant(
      encoded,
      'A 302 to a landing URL with a percent-encoded path (%C3%A9, an encoded slash %2F) and `+` and `%20` in its query: kept as sent.',
      ['start', 'http-302'],
      (x) => x.redirect(302, encodedTarget),
      [],
      { host: HOSTS.espClick, finalUrl: encodedTarget },
    ),
    variant(
      upper,
      'A 302 whose Location is written in capitals (HTTPS://WWW.ADVERTISER.EXAMPLE/landing/…): scheme and host are case-insensitive, the path is not.',
      ['start', 'http-302'],
      (x) => x.redirect(302, `HTTPS://${HOSTS.advertiser.toUpperCase()}/landing/${upper}`),
      [],
      { host: HOSTS.espClick },
    ),
  ];
}

export function moreRedirectVariantScenarios(): ScenarioDefinition[] {
  return [
    ...framedScriptRedirects(),
    ...windowVariants(),
    ...refreshSyntaxVariants(),
    ...scriptMomentVariants(),
    ...formAndLinkVariants(),
    ...locationCharacterVariants(),
  ];
}
