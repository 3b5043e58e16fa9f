// One scenario per way a browser can be sent on: HTTP 301/302/303/307/308, Refresh header,
// meta refresh (immediate and delayed), JavaScript (external script, timer), auto-submitted
// forms, a frame navigating the top page, a popup and a plain link to click.
import { HOSTS } from '../hosts.js';
import {
  autoSubmitFormPage,
  clickPage,
  externalScriptPage,
  framePage,
  frameTopNavigationDocument,
  metaRefreshPage,
  page,
  popupPage,
  redirectScript,
  scriptRedirectPage,
  REDIRECT_SCRIPT_LINE,
} from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, hopTo, landingUrl, type ScenarioDefinition } from './common.js';
import type { LabExchange, Route } from '../exchange.js';

const ESP = `http://${HOSTS.espClick}`;
const TRACK = `http://${HOSTS.brokerTrack}`;
const PROMO = `http://${HOSTS.brokerPromo}`;

/** Where the `javascript` scenario's external redirect script lives, and its navigating line. */
export const REDIRECT_SCRIPT_URL = `${TRACK}/static/redirect.js`;
export { REDIRECT_SCRIPT_LINE };
export const PRIZE_URL = `https://${HOSTS.prize}/claim?ref=bn-4471`;
export const PRIZE_TITLE = 'Claim your prize | Advertiser Example';
export const FORM_GET_FIELDS = { cid: 'SPRING26', src: 'em' };

function httpRedirectScenario(status: 301 | 302 | 307 | 308): ScenarioDefinition {
  const name = `http-${status}` as const;
  return defineScenario(
    {
      name,
      url: `${ESP}/c/${name}?mid=88213&lid=4`,
      description: `ESP click tracker answering ${status} to the advertiser landing page.`,
      expectedVias: ['start', name],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.espClick, path: `/c/${name}`, handle: hopTo(name, landingUrl(name)) }],
  );
}

function http303(): ScenarioDefinition {
  const submit = `${ESP}/c/http-303/submit`;
  return defineScenario(
    {
      name: 'http-303',
      url: `${ESP}/c/http-303`,
      description: 'Auto-submitting POST form whose answer is a 303 See Other to the landing page.',
      expectedVias: ['start', 'form-post', 'http-303'],
      finalUrl: landingUrl('http-303'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.espClick, path: '/c/http-303', handle: (x) => x.html(200, autoSubmitFormPage('post', submit, { t: 'a81f' })) },
      { host: HOSTS.espClick, path: '/c/http-303/submit', methods: ['POST'], handle: (x) => x.redirect(303, landingUrl('http-303')) },
    ],
  );
}

function refreshHeader(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'refresh-header',
      url: `${TRACK}/t/refresh-header`,
      description: 'Broker page answering 200 with a `Refresh: 0; url=...` header.',
      expectedVias: ['start', 'refresh-header'],
      finalUrl: landingUrl('refresh-header'),
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brokerTrack, path: '/t/refresh-header', handle: hopTo('refresh-header', landingUrl('refresh-header')) }],
  );
}

function metaRefresh(name: 'meta-refresh' | 'meta-refresh-delayed', delaySeconds: number): ScenarioDefinition {
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: `Broker page with <meta http-equiv="refresh" content="${delaySeconds}; url=...">.`,
      expectedVias: ['start', 'meta-refresh'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brokerTrack, path: `/t/${name}`, handle: (x) => x.html(200, metaRefreshPage(landingUrl(name), delaySeconds)) }],
  );
}

function javascriptExternal(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'javascript',
      url: `${TRACK}/t/javascript`,
      description: `Broker page whose external script ${REDIRECT_SCRIPT_URL} sets location.href on line ${REDIRECT_SCRIPT_LINE}.`,
      expectedVias: ['start', 'javascript'],
      finalUrl: landingUrl('javascript'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.brokerTrack, path: '/t/javascript', handle: (x) => x.html(200, externalScriptPage('/static/redirect.js')) },
      {
        host: HOSTS.brokerTrack,
        path: '/static/redirect.js',
        handle: (x) =>
          x.send(200, redirectScript(landingUrl('javascript')), {
            'Content-Type': 'application/javascript; charset=utf-8',
            'Cache-Control': 'no-store',
          }),
      },
    ],
  );
}

function javascriptTimer(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'javascript-timer',
      url: `${TRACK}/t/javascript-timer`,
      description: 'Broker page that redirects with setTimeout(..., 1500).',
      expectedVias: ['start', 'javascript'],
      finalUrl: landingUrl('javascript-timer'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/t/javascript-timer',
        handle: (x) => x.html(200, scriptRedirectPage(landingUrl('javascript-timer'), { delayMs: 1500 })),
      },
    ],
  );
}

/** When the late script redirect fires: after the default --settle (6 s), so a trace does not wait for it. */
export const LATE_TIMER_MS = 9000;

function javascriptTimerLate(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'javascript-timer-late',
      url: `${TRACK}/t/javascript-timer-late`,
      description: `Broker page that redirects with setTimeout(..., ${LATE_TIMER_MS}): later than --settle, a trace ends on it, saying a timer was pending.`,
      expectedVias: ['start', 'javascript'],
      finalUrl: landingUrl('javascript-timer-late'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/t/javascript-timer-late',
        handle: (x) => x.html(200, scriptRedirectPage(landingUrl('javascript-timer-late'), { delayMs: LATE_TIMER_MS })),
      },
    ],
  );
}

/** Seconds the countdown page shows before it sends the visitor on. */
export const COUNTDOWN_SECONDS = 3;

function javascriptCountdown(): ScenarioDefinition {
  const target = landingUrl('javascript-countdown');
  const script =
    `var left = ${COUNTDOWN_SECONDS};\n` +
    `var timer = setInterval(function () {\n` +
    `  left--;\n` +
    `  document.getElementById('left').textContent = left;\n` +
    `  if (left === 0) { clearInterval(timer); location.href = ${JSON.stringify(target)}; }\n` +
    `}, 1000);`;
  return defineScenario(
    {
      name: 'javascript-countdown',
      url: `${TRACK}/t/javascript-countdown`,
      description: `Broker page "redirecting in ${COUNTDOWN_SECONDS} seconds": a setInterval countdown that navigates at its last tick, not its first.`,
      expectedVias: ['start', 'javascript'],
      finalUrl: target,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/t/javascript-countdown',
        handle: (x) =>
          x.html(
            200,
            page({
              title: 'Redirecting…',
              body:
                `<main><p>You will be redirected to your offer in <span id="left">${COUNTDOWN_SECONDS}</span> seconds.</p></main>\n` +
                `<script>\n${script}\n</script>`,
            }),
          ),
      },
    ],
  );
}

/** How long the lab's routing API takes to answer (a server-side decision, as cloakers make). */
export const ROUTE_API_DELAY_MS = 400;

/**
 * A page that asks an API where to send the visitor, then goes there: with fetch() and a JSON
 * answer, or with XMLHttpRequest. Nothing is pending but the request, and after it a promise chain.
 */
function javascriptApi(name: 'javascript-fetch' | 'javascript-xhr'): ScenarioDefinition {
  const target = landingUrl(name);
  const api = `/api/route-${name}`;
  const script =
    name === 'javascript-fetch'
      ? `fetch(${JSON.stringify(api)}).then(function (r) { return r.json(); }).then(function (d) { location.href = d.url; });`
      : `var x = new XMLHttpRequest();\nx.open('GET', ${JSON.stringify(api)});\n` +
        `x.onload = function () { location.href = JSON.parse(x.responseText).url; };\nx.send();`;
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description:
        `Broker page that asks ${api} (answered after ${ROUTE_API_DELAY_MS} ms) where to go, ` +
        `with ${name === 'javascript-fetch' ? 'fetch()' : 'XMLHttpRequest'}, then sets location.href.`,
      expectedVias: ['start', 'javascript'],
      finalUrl: target,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) =>
          x.html(200, page({ title: 'Loading…', body: `<main><p>Loading your offer…</p></main>\n<script>\n${script}\n</script>` })),
      },
      {
        host: HOSTS.brokerTrack,
        path: api,
        handle: (x) =>
          setTimeout(
            () => x.send(200, JSON.stringify({ url: target }), { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }),
            ROUTE_API_DELAY_MS,
          ),
      },
    ],
  );
}

/** How long the lab's proof-of-work worker hashes before it answers (ms). */
export const WORKER_WORK_MS = 1500;

/**
 * A proof-of-work challenge, as anti-bot gates run them: "Checking your browser…" while a worker
 * hashes (the page itself idle: no timer, no request), then the page goes on with the worker's answer.
 */
function javascriptWorker(): ScenarioDefinition {
  const name = 'javascript-worker';
  const verify = `${TRACK}/t/${name}/verify`;
  const worker = [
    'var started = Date.now(), nonce = 0, h = 0;',
    `while (Date.now() - started < ${WORKER_WORK_MS}) { nonce++; h = (h * 31 + nonce) | 0; }`,
    'postMessage({ nonce: nonce, hash: h });',
  ].join('\n');
  const script =
    `var w = new Worker('/t/${name}/pow.js');\n` +
    `w.onmessage = function (e) { w.terminate(); location.href = ${JSON.stringify(verify)} + '?nonce=' + e.data.nonce + '&h=' + e.data.hash; };`;
  return challengeScenario(
    name,
    `Broker page with a proof-of-work challenge: a worker hashes for ${WORKER_WORK_MS} ms while the page waits idle, ` +
      'then the page sends the answer on.',
    script,
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}/pow.js`,
        handle: (x) => x.send(200, worker, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-store' }),
      },
    ],
  );
}

/** A "Checking your browser…" page running `script`, which sends the visitor to /verify, which redirects to the landing page. */
function challengeScenario(name: string, description: string, script: string, extraRoutes: Route[] = []): ScenarioDefinition {
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description,
      expectedVias: ['start', 'javascript', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) =>
          x.html(
            200,
            page({ title: 'Checking your browser…', body: `<main><p>Checking your browser…</p></main>\n<script>\n${script}\n</script>` }),
          ),
      },
      ...extraRoutes,
      { host: HOSTS.brokerTrack, path: `/t/${name}/verify`, handle: (x) => x.redirect(302, landingUrl(name)) },
    ],
  );
}

/** How long the pages that redirect through a scheduling API the settle logic must know of wait (ms). */
export const API_DELAY_MS = 600;

type ScheduledName =
  | 'javascript-post-task'
  | 'javascript-yield'
  | 'javascript-abort-timeout'
  | 'javascript-idle-callback'
  | 'javascript-css-animation'
  | 'javascript-css-transition'
  | 'javascript-web-animation'
  | 'javascript-message-channel';

/**
 * Pages that send the visitor on after ~API_DELAY_MS through a browser API other than
 * setTimeout/setInterval (spam kits delay the redirect to shake off crawlers that stop at the first
 * quiet moment): the only thing pending is that API's work.
 */
function javascriptScheduled(name: ScheduledName): ScenarioDefinition {
  const target = landingUrl(name);
  const go = `location.href = ${JSON.stringify(target)};`;
  const ms = API_DELAY_MS;
  let head = '';
  let markup = '<p>Loading your offer…</p>';
  const { how, script } = ((): { how: string; script: string } => {
    switch (name) {
      case 'javascript-post-task':
        return {
          how: `scheduler.postTask(..., { delay: ${ms}, priority: 'background' }) (a decoy task aborted through a TaskController)`,
          script:
            `var decoy = new TaskController();\n` +
            `scheduler.postTask(function () { document.title = 'decoy'; }, { delay: 200, signal: decoy.signal }).catch(function () {});\n` +
            `decoy.abort();\n` +
            `scheduler.postTask(function () { ${go} }, { delay: ${ms}, priority: 'background' });`,
        };
      case 'javascript-yield':
        return {
          how: `a loop of scheduler.yield() continuations for ${ms} ms`,
          script:
            `(async function () {\n  var started = Date.now();\n` +
            `  while (Date.now() - started < ${ms}) { await scheduler.yield(); }\n  ${go}\n})();`,
        };
      case 'javascript-abort-timeout':
        return {
          how: `AbortSignal.timeout(${ms}) and its abort listener`,
          script: `AbortSignal.timeout(${ms}).addEventListener('abort', function () { ${go} });`,
        };
      case 'javascript-idle-callback':
        return {
          how: `idle callbacks rescheduled until ${ms} ms have passed`,
          script:
            `var started = Date.now();\n` +
            `function wait() { if (Date.now() - started < ${ms}) requestIdleCallback(wait, { timeout: 1000 }); else { ${go} } }\n` +
            `requestIdleCallback(wait, { timeout: 1000 });`,
        };
      case 'javascript-css-animation':
        head =
          `<style>@keyframes fade { from { opacity: 0 } to { opacity: 1 } } @keyframes spin { to { transform: rotate(360deg) } }\n` +
          `#offer { animation: fade ${ms}ms linear 1 } #spinner { display: inline-block; animation: spin 1s linear infinite }</style>\n`;
        markup = '<p><span id="spinner">*</span> <span id="offer">Loading your offer…</span></p>';
        return {
          how: `the animationend of a ${ms} ms CSS animation (an infinite spinner beside it)`,
          script: `document.getElementById('offer').addEventListener('animationend', function () { ${go} });`,
        };
      case 'javascript-css-transition':
        head = `<style>#offer { opacity: 0; transition: opacity ${ms}ms linear } #offer.shown { opacity: 1 }</style>\n`;
        markup = '<p id="offer">Loading your offer…</p>';
        return {
          how: `the transitionend of a ${ms} ms CSS transition started after the first frame`,
          script:
            `var offer = document.getElementById('offer');\n` +
            `offer.addEventListener('transitionend', function () { ${go} });\n` +
            `requestAnimationFrame(function () { requestAnimationFrame(function () { offer.className = 'shown'; }); });`,
        };
      case 'javascript-web-animation':
        markup = '<p id="offer">Loading your offer…</p>';
        return {
          how: `el.animate(..., ${ms}).finished`,
          script:
            `document.getElementById('offer').animate([{ opacity: 0 }, { opacity: 1 }], { duration: ${ms} })` +
            `.finished.then(function () { ${go} });`,
        };
      case 'javascript-message-channel':
        return {
          how: `MessageChannel ping-pong for ${ms} ms`,
          script:
            `var channel = new MessageChannel(), started = Date.now();\n` +
            `channel.port1.onmessage = function () { if (Date.now() - started < ${ms}) channel.port2.postMessage(0); else { ${go} } };\n` +
            `channel.port2.postMessage(0);`,
        };
    }
  })();
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: `Broker page that sends the visitor on after ${how}, with nothing else pending.`,
      expectedVias: ['start', 'javascript'],
      finalUrl: target,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) => x.html(200, page({ title: 'Loading…', head, body: `<main>${markup}</main>\n<script>\n${script}\n</script>` })),
      },
    ],
  );
}

/** A worker made from its code in the page (a Blob URL): no request, so nothing in flight on the page's network while it works. */
function inlineWorker(kind: 'Worker' | 'SharedWorker', code: string): string {
  return `new ${kind}(URL.createObjectURL(new Blob([${JSON.stringify(code)}], { type: 'text/javascript' })))`;
}

/**
 * A challenge answered by a shared worker after API_DELAY_MS (the page idle meanwhile), then the
 * page sends the answer on.
 */
function javascriptSharedWorker(): ScenarioDefinition {
  const name = 'javascript-shared-worker';
  const verify = `${TRACK}/t/${name}/verify`;
  const worker =
    `onconnect = function (e) { var port = e.ports[0]; port.onmessage = function (m) { ` +
    `setTimeout(function () { port.postMessage({ answer: m.data.challenge * 7 }); }, ${API_DELAY_MS}); }; };`;
  const script =
    `var w = ${inlineWorker('SharedWorker', worker)};\n` +
    `w.port.onmessage = function (e) { location.href = ${JSON.stringify(verify)} + '?a=' + e.data.answer; };\n` +
    `w.port.postMessage({ challenge: 6 });`;
  return challengeScenario(
    name,
    `Broker page whose shared worker answers a challenge after ${API_DELAY_MS} ms, then the page sends the answer on.`,
    script,
  );
}

/**
 * A same-origin iframe that moves the top page after API_DELAY_MS: with a timer of its own
 * (`frame-timer`), or when a dedicated worker it started answers (`frame-worker`).
 */
function frameScheduled(name: 'frame-timer' | 'frame-worker'): ScenarioDefinition {
  const verify = `${TRACK}/t/${name}/verify`;
  const inner =
    name === 'frame-timer'
      ? `setTimeout(function () { top.location = ${JSON.stringify(verify)}; }, ${API_DELAY_MS});`
      : `var w = ${inlineWorker('Worker', `setTimeout(function () { postMessage('done'); }, ${API_DELAY_MS});`)};\n` +
        `w.onmessage = function () { top.location = ${JSON.stringify(verify)}; };`;
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description:
        `Broker page with a same-origin iframe that sets top.location after ${API_DELAY_MS} ms, ` +
        (name === 'frame-timer' ? 'with a timer of its own.' : 'when a dedicated worker it started answers.'),
      expectedVias: ['start', 'frame-top', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.brokerTrack, path: `/t/${name}`, handle: (x) => x.html(200, framePage(`/t/${name}/inner`)) },
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}/inner`,
        handle: (x) => x.html(200, page({ title: 'offer frame', body: `<p>…</p>\n<script>\n${inner}\n</script>` })),
      },
      { host: HOSTS.brokerTrack, path: `/t/${name}/verify`, handle: (x) => x.redirect(302, landingUrl(name)) },
    ],
  );
}

/**
 * How long after its load a cross-origin frame moves the page: longer than anything else on the
 * page holds settling (a page not loaded is waited for up to 1.5 s after it committed).
 */
export const CROSS_ORIGIN_DELAY_MS = 1500;

/** How many cross-origin ad frames sit beside the one that moves the page in `frame-cross-origin-many`. */
export const CROSS_ORIGIN_AD_FRAMES = 24;

type CrossOriginName = 'frame-cross-origin-timer' | 'frame-cross-origin-message' | 'frame-cross-origin-nested' | 'frame-cross-origin-many';

/**
 * A page whose chain goes on from a frame of another origin CROSS_ORIGIN_DELAY_MS after the frame
 * loaded, the top document itself idle meanwhile (a cloaking page hides its next hop in such a frame):
 * - `timer`: the frame's timer sets top.location;
 * - `message`: the frame's timer posts a message to the page, whose handler redirects;
 * - `nested`: the page's frame of another origin holds a frame of the page's own origin, whose
 *   timer sets top.location (its parent is not of its origin: nothing it has pending adds into the page's);
 * - `many`: the frame whose timer posts the message is the last of CROSS_ORIGIN_AD_FRAMES + 1 frames of other origins.
 */
function frameCrossOrigin(name: CrossOriginName): ScenarioDefinition {
  const verify = `${TRACK}/t/${name}/verify`;
  const other = `http://${HOSTS.relayHub}`;
  const later = (what: string) =>
    `addEventListener('load', function () { setTimeout(function () { ${what} }, ${CROSS_ORIGIN_DELAY_MS}); });`;
  const posts = name === 'frame-cross-origin-message' || name === 'frame-cross-origin-many';
  const inner = posts
    ? later(`parent.postMessage({ next: ${JSON.stringify(verify)} }, '*');`)
    : later(`top.location = ${JSON.stringify(verify)};`);
  const listener = posts
    ? `<script>\naddEventListener('message', function (e) { if (e.data && e.data.next) location.href = e.data.next; });\n</script>`
    : '';
  const frame = (src: string, title = 'offer') => `<iframe src="${src}" width="300" height="100" title="${title}"></iframe>`;
  const ads =
    name === 'frame-cross-origin-many'
      ? Array.from({ length: CROSS_ORIGIN_AD_FRAMES }, (_, i) => frame(`${other}/ads/slot?n=${i}`, 'ad')).join('\n')
      : '';
  const innerPath = `/t/${name}/inner`;
  const how = {
    'frame-cross-origin-timer': 'whose timer sets top.location',
    'frame-cross-origin-message': 'whose timer posts a message to the page, whose handler redirects',
    'frame-cross-origin-nested': `holding a frame of the page's own origin whose timer sets top.location`,
    'frame-cross-origin-many':
      `(the last of ${CROSS_ORIGIN_AD_FRAMES + 1} frames of other origins) ` +
      'whose timer posts a message to the page, whose handler redirects',
  }[name];
  const innerPage = (script: string) => page({ title: 'offer frame', body: `<p>…</p>\n<script>\n${script}\n</script>` });
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: `Broker page with an iframe of another origin ${how} ${CROSS_ORIGIN_DELAY_MS} ms after it loaded.`,
      expectedVias: ['start', posts ? 'javascript' : 'frame-top', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) =>
          x.html(
            200,
            page({
              title: 'Your offer',
              body: `<main><p>Your offer is loading below.</p>\n${ads}\n${frame(other + innerPath)}</main>\n${listener}`,
            }),
          ),
      },
      {
        host: HOSTS.relayHub,
        path: innerPath,
        handle: (x) =>
          x.html(
            200,
            name === 'frame-cross-origin-nested'
              ? page({ title: 'offer frame', body: frame(`${TRACK}/t/${name}/deep`) })
              : innerPage(inner),
          ),
      },
      ...(name === 'frame-cross-origin-nested'
        ? [{ host: HOSTS.brokerTrack, path: `/t/${name}/deep`, handle: (x: LabExchange) => x.html(200, innerPage(inner)) }]
        : []),
      ...(name === 'frame-cross-origin-many'
        ? [{ host: HOSTS.relayHub, path: '/ads/slot', handle: (x: LabExchange) => x.html(200, page({ title: 'ad', body: '<p>Ad</p>' })) }]
        : []),
      { host: HOSTS.brokerTrack, path: `/t/${name}/verify`, handle: (x) => x.redirect(302, landingUrl(name)) },
    ],
  );
}

/**
 * A page whose chain goes on from a frame of its own URL's origin sandboxed without
 * allow-same-origin (an opaque origin: neither document can reach the other), CROSS_ORIGIN_DELAY_MS
 * after the frame loaded: the frame's timer sets top.location (allow-top-navigation).
 */
function frameSandboxed(): ScenarioDefinition {
  const name = 'frame-sandboxed-timer';
  const verify = `${TRACK}/t/${name}/verify`;
  const inner =
    `addEventListener('load', function () { setTimeout(function () { top.location = ${JSON.stringify(verify)}; }, ` +
    `${CROSS_ORIGIN_DELAY_MS}); });`;
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description:
        'Broker page with an iframe of its own origin sandboxed without allow-same-origin (allow-scripts allow-top-navigation) ' +
        `whose timer sets top.location ${CROSS_ORIGIN_DELAY_MS} ms after it loaded.`,
      expectedVias: ['start', 'frame-top', 'http-302'],
      finalUrl: landingUrl(name),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) =>
          x.html(
            200,
            page({
              title: 'Your offer',
              body:
                `<main><p>Your offer is loading below.</p>
` + `<iframe src="/t/${name}/inner" sandbox="allow-scripts allow-top-navigation" width="300" height="100" title="offer"></iframe></main>`,
            }),
          ),
      },
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}/inner`,
        handle: (x) => x.html(200, page({ title: 'offer frame', body: `<p>…</p>\n<script>\n${inner}\n</script>` })),
      },
      { host: HOSTS.brokerTrack, path: `/t/${name}/verify`, handle: (x) => x.redirect(302, landingUrl(name)) },
    ],
  );
}

/**
 * A page that starts a worker from a script on its server (not a Blob URL), which answers at once:
 * nothing is left pending once it has. (Chromium tells the page's session of the worker script's
 * request but the worker's of its end: it used to look in flight until it counted as hung.)
 */
function javascriptWorkerScript(): ScenarioDefinition {
  const name = 'javascript-worker-script';
  return defineScenario(
    {
      name,
      url: `${TRACK}/t/${name}`,
      description: 'Broker page whose worker, loaded from the broker, answers at once; the page shows the answer and stays.',
      expectedVias: ['start'],
      finalUrl: `${TRACK}/t/${name}`,
      finalTitle: 'Checking your browser…',
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}`,
        handle: (x) =>
          x.html(
            200,
            page({
              title: 'Checking your browser…',
              body:
                `<main><p id="status">Checking your browser…</p></main>\n<script>\n` +
                `var w = new Worker('/t/${name}/check.js');\n` +
                `w.onmessage = function (e) { document.getElementById('status').textContent = e.data; };\n</script>`,
            }),
          ),
      },
      {
        host: HOSTS.brokerTrack,
        path: `/t/${name}/check.js`,
        handle: (x) =>
          x.send(200, "postMessage('Offer ready');", {
            'Content-Type': 'application/javascript; charset=utf-8',
            'Cache-Control': 'no-store',
          }),
      },
    ],
  );
}

function javascriptAfterPaint(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'javascript-after-paint',
      url: `${TRACK}/t/javascript-after-paint`,
      description: 'Broker page that redirects two animation frames after its load event (no timer, no pending request).',
      expectedVias: ['start', 'javascript'],
      finalUrl: landingUrl('javascript-after-paint'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/t/javascript-after-paint',
        handle: (x) => x.html(200, scriptRedirectPage(landingUrl('javascript-after-paint'), { afterPaint: true })),
      },
    ],
  );
}

function formGet(): ScenarioDefinition {
  const final = new URL(landingUrl('form-get'));
  for (const [k, v] of Object.entries(FORM_GET_FIELDS)) final.searchParams.append(k, v);
  return defineScenario(
    {
      name: 'form-get',
      url: `${TRACK}/t/form-get`,
      description: 'Broker page with an auto-submitting GET form to the landing page.',
      expectedVias: ['start', 'form-get'],
      finalUrl: final.href,
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/t/form-get',
        handle: (x) => x.html(200, autoSubmitFormPage('get', landingUrl('form-get'), FORM_GET_FIELDS)),
      },
    ],
  );
}

function formPost(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'form-post',
      url: `${TRACK}/t/form-post`,
      description: 'Broker page with an auto-submitting POST form; the landing page answers the POST with 200.',
      expectedVias: ['start', 'form-post'],
      finalUrl: landingUrl('form-post'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      {
        host: HOSTS.brokerTrack,
        path: '/t/form-post',
        handle: (x) => x.html(200, autoSubmitFormPage('post', landingUrl('form-post'), { sid: '5521', offer: 'spring' })),
      },
    ],
  );
}

function frameTop(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'frame-top',
      url: `${TRACK}/t/frame-top`,
      description: 'Broker page with a same-origin iframe whose document sets top.location.',
      expectedVias: ['start', 'frame-top'],
      finalUrl: landingUrl('frame-top'),
      finalTitle: ADVERTISER_TITLE,
    },
    [
      { host: HOSTS.brokerTrack, path: '/t/frame-top', handle: (x) => x.html(200, framePage('/t/frame-top/inner')) },
      {
        host: HOSTS.brokerTrack,
        path: '/t/frame-top/inner',
        handle: (x) => x.html(200, frameTopNavigationDocument(landingUrl('frame-top'))),
      },
    ],
  );
}

function popup(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'popup',
      url: `${PROMO}/p/popup`,
      description: 'Prize page whose "Claim your prize" button opens the advertiser in a new window (window.open).',
      expectedVias: ['start'],
      clicks: ['Claim your prize'],
      clickedVias: ['start', 'popup'],
      finalUrl: PRIZE_URL,
      finalTitle: PRIZE_TITLE,
    },
    [
      { host: HOSTS.brokerPromo, path: '/p/popup', handle: (x) => x.html(200, popupPage(PRIZE_URL)) },
      {
        host: HOSTS.prize,
        path: '/claim',
        handle: (x) =>
          x.html(
            200,
            page({
              title: PRIZE_TITLE,
              body: '<main><h1>Claim your prize</h1><p>Enter your details to receive your gift card.</p></main>',
            }),
          ),
      },
    ],
  );
}

function click(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'click',
      url: `${PROMO}/p/click`,
      description: 'Landing page with a "Continue" link to the advertiser (needs --click Continue).',
      expectedVias: ['start'],
      clicks: ['Continue'],
      clickedVias: ['start', 'click'],
      finalUrl: landingUrl('click'),
      finalTitle: ADVERTISER_TITLE,
    },
    [{ host: HOSTS.brokerPromo, path: '/p/click', handle: (x) => x.html(200, clickPage(landingUrl('click'), 'Continue')) }],
  );
}

export function mechanismScenarios(): ScenarioDefinition[] {
  return [
    httpRedirectScenario(301),
    httpRedirectScenario(302),
    http303(),
    httpRedirectScenario(307),
    httpRedirectScenario(308),
    refreshHeader(),
    metaRefresh('meta-refresh', 0),
    metaRefresh('meta-refresh-delayed', 2),
    javascriptExternal(),
    javascriptTimer(),
    javascriptTimerLate(),
    javascriptCountdown(),
    javascriptApi('javascript-fetch'),
    javascriptApi('javascript-xhr'),
    javascriptWorker(),
    javascriptScheduled('javascript-post-task'),
    javascriptScheduled('javascript-yield'),
    javascriptScheduled('javascript-abort-timeout'),
    javascriptScheduled('javascript-idle-callback'),
    javascriptScheduled('javascript-css-animation'),
    javascriptScheduled('javascript-css-transition'),
    javascriptScheduled('javascript-web-animation'),
    javascriptScheduled('javascript-message-channel'),
    javascriptSharedWorker(),
    javascriptAfterPaint(),
    formGet(),
    formPost(),
    frameTop(),
    frameScheduled('frame-timer'),
    frameScheduled('frame-worker'),
    frameCrossOrigin('frame-cross-origin-timer'),
    frameSandboxed(),
    frameCrossOrigin('frame-cross-origin-message'),
    frameCrossOrigin('frame-cross-origin-nested'),
    frameCrossOrigin('frame-cross-origin-many'),
    javascriptWorkerScript(),
    popup(),
    click(),
  ];
}
