// Buttons whose click navigates later, not in the click's own handler: after an awaited beacon
// (a tracker answering in 400 ms), after a chain of zero-delay timers and message-channel turns
// (how a framework's scheduler defers work), after slices of script work. A trace with --click
// must follow each: what the click set off shows up after its mouse events were acknowledged.
import { HOSTS } from '../hosts.js';
import { jsString, page } from '../pages.js';
import { ADVERTISER_TITLE, defineScenario, landingUrl, type ScenarioDefinition } from './common.js';

const PROMO = `http://${HOSTS.brokerPromo}`;
/** How long the beacon of `click-after-beacon` takes to answer. */
export const CLICK_BEACON_MS = 400;

/** A page with one button, "Get your voucher", whose click runs `handler` (page script, `go()` navigates on). */
function deferredClickPage(target: string, handler: string): string {
  return page({
    title: 'Your voucher is waiting',
    body:
      `<main><h1>Your voucher is waiting</h1><p>One more step.</p>\n` +
      `<button id="go" type="button">Get your voucher</button></main>\n` +
      `<script>\nfunction go() { location.assign(${jsString(target)}); }\n` +
      `document.getElementById('go').addEventListener('click', ${handler});\n</script>`,
  });
}

const VARIANTS: { name: string; description: string; handler: string }[] = [
  {
    name: 'click-after-beacon',
    description:
      `Button whose click handler awaits a tracking beacon (answered in ${CLICK_BEACON_MS} ms) ` +
      'and reads its answer before it navigates.',
    handler:
      `async function () {\n  const answer = await fetch('/p/click-after-beacon/beacon', { method: 'POST', body: 'v=1' });\n` +
      `  await answer.text();\n  go();\n}`,
  },
  {
    name: 'click-after-turns',
    description: 'Button whose click handler defers the navigation through zero-delay timers and message-channel turns.',
    handler:
      `function () {\n  const channel = new MessageChannel();\n  let turns = 0;\n` +
      `  channel.port1.onmessage = () => { if (++turns < 2) channel.port2.postMessage(0); else setTimeout(() => setTimeout(go, 0), 0); };\n` +
      `  setTimeout(() => channel.port2.postMessage(0), 0);\n}`,
  },
  {
    name: 'click-after-work',
    description: 'Button whose click handler hands the navigation to message-channel tasks that first work, 250 ms each, in two slices.',
    handler:
      `function () {\n  const channel = new MessageChannel();\n  let slices = 0;\n` +
      `  channel.port1.onmessage = () => {\n    if (slices++ === 2) return go();\n` +
      `    const end = performance.now() + 250;\n    while (performance.now() < end);\n    channel.port2.postMessage(0);\n  };\n` +
      `  channel.port2.postMessage(0);\n}`,
  },
];

export function deferredClickScenarios(): ScenarioDefinition[] {
  return VARIANTS.map(({ name, description, handler }) =>
    defineScenario(
      {
        name,
        url: `${PROMO}/p/${name}`,
        description,
        expectedVias: ['start'],
        clicks: ['Get your voucher'],
        clickedVias: ['start', 'click'],
        finalUrl: landingUrl(name),
        finalTitle: ADVERTISER_TITLE,
      },
      [
        { host: HOSTS.brokerPromo, path: `/p/${name}`, handle: (x) => x.html(200, deferredClickPage(landingUrl(name), handler)) },
        {
          host: HOSTS.brokerPromo,
          path: `/p/${name}/beacon`,
          methods: ['POST'],
          handle: (x) => void setTimeout(() => x.send(204, ''), CLICK_BEACON_MS),
        },
      ],
    ),
  );
}
