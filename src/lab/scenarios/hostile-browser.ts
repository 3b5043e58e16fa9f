// Scenarios that attack the browser and the trace's patience rather than the parser: a pushState
// storm, pages that exhaust the renderer's memory or get their renderer killed, redirects to
// schemes a browser hands to other programs, huge and endless bodies, and a heavy but honest page
// of 500 images. Bodies cut by a reset or corrupt under gzip are in hostile-evidence.ts.
import { HOSTS } from '../hosts.js';
import { escapeHtml, page } from '../pages.js';
import type { LabExchange } from '../exchange.js';
import { defineScenario, hopTo, type ScenarioDefinition } from './common.js';

const ESP = `http://${HOSTS.espClick}`;
const PROMO = `http://${HOSTS.brokerPromo}`;

export const PUSHSTATE_STORM_URL = `${PROMO}/hb/pushstate-storm`;
export const PUSHSTATE_STORM_TITLE = 'Checking your browser';

/** A page whose inline script calls history.pushState in an endless synchronous loop. */
function pushStateStorm(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'pushstate-storm',
      url: PUSHSTATE_STORM_URL,
      description:
        'A page whose inline script calls history.pushState in an endless synchronous loop while it is parsed: the renderer ' +
        'never answers again and floods the browser with same-document navigations.',
      expectedVias: ['start'],
      finalUrl: PUSHSTATE_STORM_URL,
      finalTitle: PUSHSTATE_STORM_TITLE,
      outcome: 'never-loads',
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/hb/pushstate-storm',
        handle: (x) =>
          x.html(
            200,
            page({
              title: PUSHSTATE_STORM_TITLE,
              body: `<main><p>Please wait…</p></main>\n<script>\nfor (var i = 0; ; i++) history.pushState({ i: i }, '', '?step=' + i);\n</script>`,
            }),
          ),
      },
    ],
  );
}

export const OOM_TITLE = 'Preparing your reward';
export const OOM_CLICK_TEXT = 'Claim your reward';

/** Script that keeps allocating JavaScript arrays (8 MB of doubles each) until the renderer dies. */
const HOARD_SCRIPT = `var hoard = [];\nfor (;;) hoard.push(new Array(1 << 20).fill(hoard.length + 0.5));`;
/** Script that keeps drawing 4096x4096 canvases (64 MB of pixels each) until the renderer cannot get memory. */
const CANVAS_HOARD_SCRIPT =
  `var canvases = [];\nfor (;;) {\n  var c = document.createElement('canvas');\n  c.width = 4096;\n  c.height = 4096;\n` +
  `  c.getContext('2d').fillRect(0, 0, 4096, 4096);\n  canvases.push(c);\n}`;
/** Script that keeps filling 64 MB ArrayBuffers (memory outside V8's heap) until an allocation fails. */
const BUFFER_HOARD_SCRIPT = `var buffers = [];\nfor (;;) buffers.push(new Uint8Array(64 << 20).fill(buffers.length + 1));`;

function rendererOom(): ScenarioDefinition[] {
  const url = `${PROMO}/hb/oom`;
  const clickUrl = `${PROMO}/hb/oom-click`;
  return [
    defineScenario(
      {
        name: 'renderer-oom',
        url: `${ESP}/c/oom`,
        description: 'A 302 to a page that allocates JavaScript memory while it loads, until its renderer runs out of memory.',
        outcome: 'error',
      },
      [
        { host: HOSTS.espClick, path: '/c/oom', handle: hopTo('http-302', url) },
        {
          host: HOSTS.brokerPromo,
          path: '/hb/oom',
          handle: (x) =>
            x.html(200, page({ title: OOM_TITLE, body: `<main><p>One moment…</p></main>\n<script>\n${HOARD_SCRIPT}\n</script>` })),
        },
      ],
    ),
    defineScenario(
      {
        name: 'renderer-oom-buffers',
        url: `${PROMO}/hb/oom-buffers`,
        description:
          'A page that fills 64 MB ArrayBuffers while it loads, memory outside the JavaScript heap: the allocation fails ' +
          'in the page (a RangeError) and the page then finishes loading.',
        expectedVias: ['start'],
        finalUrl: `${PROMO}/hb/oom-buffers`,
        finalTitle: OOM_TITLE,
      },
      [
        {
          host: HOSTS.brokerPromo,
          path: '/hb/oom-buffers',
          handle: (x) =>
            x.html(200, page({ title: OOM_TITLE, body: `<main><p>One moment…</p></main>\n<script>\n${BUFFER_HOARD_SCRIPT}\n</script>` })),
        },
      ],
    ),
    defineScenario(
      {
        name: 'renderer-oom-canvas',
        url: `${PROMO}/hb/oom-canvas`,
        description: 'A page that draws 4096x4096 canvases while it loads (memory outside the JavaScript heap) until its renderer dies.',
        outcome: 'error',
      },
      [
        {
          host: HOSTS.brokerPromo,
          path: '/hb/oom-canvas',
          handle: (x) =>
            x.html(200, page({ title: OOM_TITLE, body: `<main><p>One moment…</p></main>\n<script>\n${CANVAS_HOARD_SCRIPT}\n</script>` })),
        },
      ],
    ),
    defineScenario(
      {
        name: 'renderer-oom-click',
        url: clickUrl,
        description: `A page that renders a "${OOM_CLICK_TEXT}" button; clicking it allocates until the renderer runs out of memory.`,
        clicks: [OOM_CLICK_TEXT],
        outcome: 'error',
      },
      [
        {
          host: HOSTS.brokerPromo,
          path: '/hb/oom-click',
          handle: (x) =>
            x.html(
              200,
              page({
                title: OOM_TITLE,
                body:
                  `<main><h1>Your reward is ready</h1>\n<button id="claim" type="button">${escapeHtml(OOM_CLICK_TEXT)}</button></main>\n` +
                  `<script>\ndocument.getElementById('claim').addEventListener('click', function () {\n${HOARD_SCRIPT}\n});\n</script>`,
              }),
            ),
        },
      ],
    ),
  ];
}

export const KILL_TARGET_URL = `${PROMO}/hb/kill-target`;
export const KILL_TARGET_TITLE = 'Your parcel is on its way';

/** A page that keeps a timer running, so a trace waits on it for its settle time and a test can kill its renderer meanwhile. */
function rendererKill(): ScenarioDefinition {
  return defineScenario(
    {
      name: 'renderer-kill',
      url: KILL_TARGET_URL,
      description: 'A page that checks for parcel updates every second (a timer a trace waits on), so that a test can kill its renderer.',
      expectedVias: ['start'],
      finalUrl: KILL_TARGET_URL,
      finalTitle: KILL_TARGET_TITLE,
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/hb/kill-target',
        handle: (x) =>
          x.html(
            200,
            page({
              title: KILL_TARGET_TITLE,
              body:
                `<main><h1>Track your parcel</h1><p id="status">Checking…</p></main>\n` +
                [
                  '<script>',
                  'var checks = 0;',
                  'setInterval(function () {',
                  "  document.getElementById('status').textContent = 'Checked ' + ++checks + ' times';",
                  '}, 1000);',
                  '</script>',
                ].join('\n'),
            }),
          ),
      },
    ],
  );
}

/** Where each unsupported-scheme scenario's 302 points, by scheme. */
export const UNSUPPORTED_REDIRECTS: Record<string, string> = {
  javascript: 'javascript:alert(document.domain)',
  ftp: `ftp://${HOSTS.brokerFiles}/offer.zip`,
  mailto: 'mailto:claims@prize.advertiser.example?subject=Claim%20my%20prize',
  intent: 'intent://claim/#Intent;scheme=prizeapp;package=example.prize.app;end',
  market: 'market://details?id=example.prize.app',
  data: 'data:text/html,<title>Claim</title><h1>Claim your prize</h1>',
};

function unsupportedRedirects(): ScenarioDefinition[] {
  return Object.entries(UNSUPPORTED_REDIRECTS).map(([scheme, location]) =>
    defineScenario(
      {
        name: `redirect-${scheme}`,
        url: `${ESP}/c/to-${scheme}`,
        description: `A 302 whose Location is a ${scheme}: URL (${location}), which a browser does not load as a page.`,
        outcome: 'error',
      },
      [{ host: HOSTS.espClick, path: `/c/to-${scheme}`, handle: (x) => x.redirect(302, location) }],
    ),
  );
}

export const HEAVY_PAGE_URL = `${PROMO}/hb/gallery`;
export const HEAVY_PAGE_TITLE = 'Photo gallery';
/** Enough that the images take seconds through the recording proxy: well past a short --settle (test/hostile-browser.test.ts). */
export const HEAVY_PAGE_IMAGES = 500;

/** A 1x1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function heavyPage(): ScenarioDefinition {
  const images = Array.from({ length: HEAVY_PAGE_IMAGES }, (_, i) => `<img src="/hb/photo/${i}.gif" width="16" height="16" alt="">`);
  return defineScenario(
    {
      name: 'heavy-page',
      url: HEAVY_PAGE_URL,
      description: `A legitimate but heavy page: ${HEAVY_PAGE_IMAGES} images, all served, so its load event comes seconds after it commits.`,
      expectedVias: ['start'],
      finalUrl: HEAVY_PAGE_URL,
      finalTitle: HEAVY_PAGE_TITLE,
    },
    [
      {
        host: HOSTS.brokerPromo,
        path: '/hb/gallery',
        handle: (x) => x.html(200, page({ title: HEAVY_PAGE_TITLE, body: `<main><h1>Gallery</h1>\n${images.join('\n')}</main>` })),
      },
      {
        host: HOSTS.brokerPromo,
        path: '/hb/photo/*',
        handle: (x) => x.send(200, PIXEL, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' }),
      },
    ],
  );
}

export const BIG_BODY_BYTES = 50 * 1024 * 1024;

/** Streams `total` bytes (or forever) with backpressure, stopping when the client goes. */
function stream(x: LabExchange, contentType: string, total: number | null): void {
  x.res.writeHead(200, {
    'Content-Type': contentType,
    'Cache-Control': 'no-store',
    ...(total !== null ? { 'Content-Length': total } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 'clicktrace lab filler\n');
  let sent = 0;
  const pump = () => {
    while (!x.res.destroyed) {
      if (total !== null && sent >= total) return void x.res.end();
      const part = total !== null && total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
      sent += part.length;
      if (!x.res.write(part)) return void x.res.once('drain', pump);
    }
  };
  pump();
}

function bigBodies(): ScenarioDefinition[] {
  return [
    defineScenario(
      {
        name: 'big-body',
        url: `${PROMO}/hb/big-body`,
        description: `A page whose stylesheet is ${BIG_BODY_BYTES / 1024 / 1024} MB long.`,
        expectedVias: ['start'],
        finalUrl: `${PROMO}/hb/big-body`,
        finalTitle: 'Large stylesheet',
      },
      [
        {
          host: HOSTS.brokerPromo,
          path: '/hb/big-body',
          handle: (x) =>
            x.html(
              200,
              page({
                title: 'Large stylesheet',
                head: '<link rel="stylesheet" href="/hb/big.css">\n',
                body: '<main><h1>Large stylesheet</h1></main>',
              }),
            ),
        },
        { host: HOSTS.brokerPromo, path: '/hb/big.css', handle: (x) => stream(x, 'text/css', BIG_BODY_BYTES) },
      ],
    ),
    defineScenario(
      {
        name: 'endless-body',
        url: `${PROMO}/hb/endless-body`,
        description: 'A page whose stylesheet never ends: the server streams it for as long as the client reads.',
        expectedVias: ['start'],
        finalUrl: `${PROMO}/hb/endless-body`,
        finalTitle: 'Endless stylesheet',
        outcome: 'never-loads',
      },
      [
        {
          host: HOSTS.brokerPromo,
          path: '/hb/endless-body',
          handle: (x) =>
            x.html(
              200,
              page({
                title: 'Endless stylesheet',
                head: '<link rel="stylesheet" href="/hb/endless.css">\n',
                body: '<main><h1>Endless stylesheet</h1></main>',
              }),
            ),
        },
        { host: HOSTS.brokerPromo, path: '/hb/endless.css', handle: (x) => stream(x, 'text/css', null) },
      ],
    ),
  ];
}

export function hostileBrowserScenarios(): ScenarioDefinition[] {
  return [pushStateStorm(), ...rendererOom(), rendererKill(), ...unsupportedRedirects(), heavyPage(), ...bigBodies()];
}
