// Every `via` label, traced for real: Chromium behind the recording proxy against the fixture.lab.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAndBrowser, labOptions, scenarioTraces } from './helpers.js';
import {
  ADVERTISER_TITLE,
  REDIRECT_SCRIPT_URL,
  PRIZE_URL,
  SEED_CONTACT_URL,
  SEED_CONTACT_TITLE,
  HOSTS,
  landingUrl,
} from '../src/lab/index.js';
import { IDN_HOST } from '../src/lab/scenarios/variants.js';
import { DECOY_DECODED_TARGET, redirectVariantScenarios } from '../src/lab/scenarios/redirect-variants.js';
import { trace } from '../src/capture/trace.js';
import type { Report } from '../src/report.js';
import { readCapture } from '../src/evidence/warc/read-warc.js';
import { analyzeCapture } from '../src/analyze/analyze.js';
import { formatChain } from '../src/cli/format.js';
import { disguisedHostFlag } from '../src/verdict/flags.js';

const fixture = labAndBrowser();

const REDIRECT_VARIANTS = redirectVariantScenarios().map((d) => d.scenario.name);

const MECHANISMS = [
  'http-301',
  'http-302',
  'http-303',
  'http-307',
  'http-308',
  'refresh-header',
  'meta-refresh',
  'meta-refresh-delayed',
  'javascript',
  'javascript-timer',
  'javascript-countdown',
  'javascript-fetch',
  'javascript-xhr',
  'javascript-worker',
  'javascript-post-task',
  'javascript-yield',
  'javascript-abort-timeout',
  'javascript-idle-callback',
  'javascript-css-animation',
  'javascript-css-transition',
  'javascript-web-animation',
  'javascript-message-channel',
  'javascript-shared-worker',
  'javascript-after-paint',
  'form-get',
  'form-post',
  'frame-top',
  'frame-timer',
  'frame-worker',
  'frame-cross-origin-timer',
  'frame-cross-origin-message',
  'frame-cross-origin-nested',
  'frame-sandboxed-timer',
  'javascript-worker-script',
  // Variants spam kits and trackers write (src/lab/scenarios/variants.ts).
  'js-obfuscated',
  'js-pushstate-reload',
  'js-double-assign',
  'frame-srcdoc-top',
  'form-post-307',
  'refresh-header-quoted',
  'meta-refresh-relative',
  'meta-refresh-noscript',
  'meta-refresh-data',
  'refresh-cookie-reload',
  'http-301-relative',
  'location-unescaped',
  'location-idn',
  // More variants (src/lab/scenarios/chain-variants.ts).
  'meta-refresh-entities',
  'meta-refresh-base',
  'js-top-location-load',
  'js-document-location-timer',
  'js-window-location-atob',
  'js-anchor-click-same-tab',
  'form-get-action-query',
  'chain-comes-back',
  'esp-sendgrid-ses',
  'js-open-self',
  'js-navigation-navigate',
  'js-appended-meta',
  'form-body-onload',
  'location-backslash',
  'location-userinfo',
  'iframe-only-landing',
  'iframe-beside-content',
  'js-open-blank-assign',
  'form-target-blank',
  'js-hash-then-assign',
  'meta-refresh-in-body',
  'js-timeout-string',
  'js-scheme-relative',
  // Redirect variants (src/lab/scenarios/redirect-variants.ts; those that end on no landing page have tests of their own).
  ...REDIRECT_VARIANTS.filter((name) => !['http-300-location', 'js-about-blank', 'js-history-back'].includes(name)),
  // Last but one: loading its 25 frames keeps the renderer it shares with the trace beside it busy.
  'frame-cross-origin-many',
  'five-hop',
];

/** Each scenario is traced once; its tests read the same report. */
const tracedCase = scenarioTraces(fixture);
function traced(name: string): Promise<Report> {
  return tracedCase(name).then((t) => t.report);
}

// Two traces at a time on the one browser (as the pool runs them): delayed refreshes and timers overlap.
describe('each redirect mechanism gets its via label and reaches the advertiser', { concurrency: 2 }, () => {
  for (const name of MECHANISMS) {
    test(name, async () => {
      const scenario = fixture.lab.scenarios[name];
      const report = await traced(name);
      assert.equal(report.error, null, `${name}: ${report.error}`);
      assert.deepEqual(
        // A superseded navigation's redirect Chromium followed all the same (a loaded machine) is a hop, marked so.
        report.hops.filter((h) => !(/^http-3/.test(h.via) && /^superseded: /.test(h.error ?? ''))).map((h) => h.via),
        scenario.expectedVias,
      );
      assert.equal(report.final?.url, scenario.finalUrl);
      assert.equal(report.final?.status, 200);
      for (const hop of report.hops) {
        // A superseded navigation's request the browser dropped before it reached upstream has no exchange (nothing was sent).
        if (/^superseded: /.test(hop.error ?? '') && !hop.exchange) continue;
        assert.equal(hop.ip, '127.0.0.1', `hop ${hop.index} has the upstream IP`);
        assert.ok(hop.contentType, `hop ${hop.index} has a content type`);
        assert.ok(hop.exchange, `hop ${hop.index} is tied to its recorded exchange`);
        if (hop.url.startsWith('https:')) {
          assert.equal(hop.tls?.authorized, true);
          assert.match(hop.tls?.protocol ?? '', /^TLSv1\.[23]$/);
          assert.ok(hop.tls?.cert?.sans.includes(new URL(hop.url).hostname));
          assert.match(hop.tls?.cert?.sha256 ?? '', /^[0-9a-f]{64}$/);
        }
      }
    });
  }
});

test('evidence behind the labels: Location, Refresh, meta tag with delay, script URL and line', async () => {
  const http = await traced('http-301');
  assert.equal(http.hops[1].evidence.location, fixture.lab.scenarios['http-301'].finalUrl);

  const refresh = await traced('refresh-header');
  assert.match(refresh.hops[1].evidence.refresh ?? '', /url=/i);

  const delayed = await traced('meta-refresh-delayed');
  assert.equal(delayed.hops[1].evidence.delay, 2);
  assert.match(delayed.hops[1].evidence.refresh ?? '', /<meta[^>]+refresh/i);
  const waited = Date.parse(delayed.hops[1].timing.startedAt) - Date.parse(delayed.hops[0].timing.startedAt);
  assert.ok(waited >= 1900, `the 2 s meta refresh was waited for (${waited} ms)`);

  const js = await traced('javascript');
  assert.equal(js.hops[1].evidence.scriptUrl, REDIRECT_SCRIPT_URL);
  assert.ok((js.hops[1].evidence.scriptLine ?? 0) > 0);
});

test('variants: reload, superseded navigation, the meta tag followed, UTF-8 Location, a refresh to data:', async () => {
  const scenarios = fixture.lab.scenarios;
  const reload = await traced('js-pushstate-reload');
  assert.equal(reload.hops[1].evidence.reason, 'reload');
  assert.match(reload.hops[1].evidence.detail, /^script reloaded the page at /);

  // The decoy was requested (once) and what it answered never shown: the hop says why it is not
  // the way on. Its 302 is not followed, or, on a loaded machine, followed while the page's script
  // still ran (Chromium's own race): then the 302's target is the superseded hop. Either way "who"
  // leaves the detour out.
  const twice = await traced('js-double-assign');
  assert.equal(twice.hops[1].status, 302);
  const detour = twice.hops.filter((h) => /^superseded: /.test(h.error ?? ''));
  assert.deepEqual(
    detour.map((h) => h.index),
    [twice.hops.length === 3 ? 2 : 3],
    twice.hops.map((h) => `${h.via} ${h.url} ${h.error}`).join('\n'),
  );
  assert.equal(twice.hops.at(-1)!.error, null);
  assert.equal(fixture.lab.hits(twice.hops[1].url), 1);
  assert.ok(fixture.lab.hits(`https://${HOSTS.benign}/`) <= 1);
  assert.doesNotMatch(twice.summary?.text ?? '', new RegExp(HOSTS.benign.replace(/\./g, '\\.')));
  // The same with the page's script busy between its two navigations: the decoy's 302 is followed,
  // its page answers and is never shown; the trace does not wait to --settle for the document it
  // left while it was parsed (it tells no end).
  const busy = await traced('js-double-assign-busy');
  const busyDetour = busy.hops.filter((h) => /^superseded: /.test(h.error ?? ''));
  assert.deepEqual(
    busyDetour.map((h) => new URL(h.url).hostname),
    [busy.hops.length === 4 ? HOSTS.benign : HOSTS.brokerTrack],
    busy.hops.map((h) => `${h.via} ${h.url} ${h.error}`).join('\n'),
  );
  assert.equal(busy.final?.url, scenarios['js-double-assign-busy'].finalUrl);
  assert.doesNotMatch(busy.summary?.text ?? '', new RegExp(HOSTS.benign.replace(/\./g, '\\.')));
  assert.ok(
    busy.elapsedMs !== null && busy.elapsedMs < 6000,
    `waited ${busy.elapsedMs} ms: the left document held settling to --settle (6 s)`,
  );

  const noscript = await traced('meta-refresh-noscript');
  assert.ok(noscript.hops[1].evidence.refresh?.includes(scenarios['meta-refresh-noscript'].finalUrl!), noscript.hops[1].evidence.refresh);

  const unescaped = await traced('location-unescaped');
  assert.equal(unescaped.hops[1].evidence.location, `${landingUrl('location-unescaped')} café?q=spring sale`);
  const idn = await traced('location-idn');
  assert.equal(idn.hops[1].evidence.location, `http://${IDN_HOST}/go?c=idn`);
  assert.equal(new URL(idn.hops[1].url).hostname, HOSTS.idnRelay);

  // The cookie check reloads its URL once (the server asked for it), with the cookie.
  const reloaded = await traced('refresh-cookie-reload');
  assert.equal(fixture.lab.hits(scenarios['refresh-cookie-reload'].url), 2);

  const data = await traced('meta-refresh-data');
  const note = formatChain(data, null)
    .split('\n')
    .filter((l) => l.startsWith('Note: not followed'));
  assert.equal(note.length, 1);
  assert.match(
    note[0],
    /to data:text\/html;base64,.*not an http\(s\) address: a browser blocks a page's move of the whole tab to a data: address\)$/,
  );
  assert.equal(fixture.lab.hits(landingUrl('meta-refresh-data')), 0);
  assert.equal(reloaded.error, null);
});

test('more variants: window.open _self is a script navigation, user info before a host is flagged, decoded ESP targets', async () => {
  const self = await traced('js-open-self');
  assert.match(self.hops[1].evidence.detail, /^script navigation at http:\/\/track\.broker-net\.test\/h\/js-open-self:\d+$/);

  const userinfo = await traced('location-userinfo');
  assert.equal(disguisedHostFlag(userinfo)?.hop, 2);

  const esp = await traced('esp-sendgrid-ses');
  assert.deepEqual(
    esp.hops.map((h) => h.party?.name),
    ['Twilio SendGrid', 'Amazon SES', 'advertiser.example'],
  );
  assert.match(
    esp.summary?.text ?? '',
    /^Sent via Twilio SendGrid .* -> via ESP tracker Amazon SES .* -> advertiser www\.advertiser\.example$/,
  );
});

test('redirect variants: each link requested once, no hop twice, the evidence names what moved the page, the WARC says the same', async () => {
  const scenarios = fixture.lab.scenarios;
  for (const name of REDIRECT_VARIANTS) {
    const { report, caseDir } = await tracedCase(name);
    assert.equal(fixture.lab.hits(scenarios[name].url), 1, `${name}: the link was requested once`);
    // The prefetch of link-prefetch-next is the page's own request of its next hop, made before it went there.
    for (const hop of report.hops.slice(1))
      assert.equal(fixture.lab.hits(hop.url), name === 'link-prefetch-next' ? 2 : 1, `${name}: ${hop.url}`);
    const again = analyzeCapture(await readCapture(caseDir), caseDir);
    assert.deepEqual(
      again.hops.map((h) => [h.via, h.url, h.exchange, h.evidence]),
      report.hops.map((h) => [h.via, h.url, h.exchange, h.evidence]),
      name,
    );
    assert.deepEqual(again.summary, report.summary, name);
  }
  const hop = async (name: string, index: number) => (await traced(name)).hops[index - 1];

  assert.equal((await hop('refresh-on-3xx', 2)).evidence.refresh, `0;url=${landingUrl('refresh-on-3xx')}`);
  assert.equal((await hop('refresh-header-countdown', 2)).evidence.refresh, `3; URL=${landingUrl('refresh-header-countdown')}`);
  assert.equal(
    (await hop('meta-refresh-inserted-late', 2)).evidence.detail,
    `<meta http-equiv="refresh"> to ${landingUrl('meta-refresh-inserted-late')} (delay 0 s; not in the page as served: its script added it)`,
  );
  // Both refreshes have delay 0: Chromium follows the later one, and the hop quotes that one.
  assert.match((await hop('meta-refresh-head-and-body', 2)).evidence.refresh ?? '', /\/v\/meta-refresh-head-and-body\/real"/);
  assert.equal(fixture.lab.hits(`http://${HOSTS.espClick}/v/meta-refresh-head-and-body/decoy`), 0);
  assert.equal((await hop('js-async-script', 2)).evidence.scriptUrl, `http://${HOSTS.brokerTrack}/v/js-async-script/go.js`);
  assert.equal((await hop('location-tab', 2)).evidence.location, `https://www.adver\ttiser.example/landing/location-tab`);
  assert.equal((await hop('location-query-only', 2)).evidence.location, '?step=2');
  // A fragment is never sent, but the browser goes on with it: the link's, a Location's, kept by a redirect without one.
  assert.deepEqual(
    (await traced('link-fragment-kept')).hops.map((h) => h.url),
    [scenarios['link-fragment-kept'].url, `${landingUrl('link-fragment-kept')}#offer`],
  );
  assert.deepEqual(
    (await traced('location-fragment-inherited')).hops.map((h) => h.url),
    [
      scenarios['location-fragment-inherited'].url,
      `https://${HOSTS.brokerJump}/v/location-fragment-inherited/hop#ref=mail`,
      `${landingUrl('location-fragment-inherited')}#ref=mail`,
    ],
  );

  // The prefetch of the next hop was made first; the hop is the navigation's own request.
  const { report: prefetched, caseDir: prefetchCase } = await tracedCase('link-prefetch-next');
  const exchanges = (await readCapture(prefetchCase)).exchanges;
  const navigation = exchanges.find((x) => x.id === prefetched.hops[1].exchange);
  assert.equal(navigation?.request.headers.find(([n]) => n.toLowerCase() === 'sec-fetch-dest')?.[1], 'document');
  assert.ok(exchanges.some((x) => x.request.headers.some(([n, v]) => n.toLowerCase() === 'sec-purpose' && v === 'prefetch')));

  // Frame forwarding to a tracker page whose meta refresh moved the frame on: the landing page in the frame is the end.
  const framed = await traced('iframe-only-meta-refresh');
  assert.deepEqual(framed.final, {
    url: landingUrl('iframe-only-meta-refresh'),
    status: 200,
    title: ADVERTISER_TITLE,
    frame: scenarios['iframe-only-meta-refresh'].url,
  });
  assert.match(framed.summary?.text ?? '', /-> advertiser www\.advertiser\.example \(shown inside a frame of track\.broker-net\.test\)$/);

  // The ad frames of the landing page moved (their relay was requested) but are no hops of the chain.
  const ads = await traced('landing-moving-ad-frames');
  assert.equal(ads.hops.length, 2);
  assert.equal(fixture.lab.hits(`https://${HOSTS.relayAlphaGo}/v/landing-moving-ad-frames/rotate`), 1);
  assert.equal(fixture.lab.hits(`https://${HOSTS.relayHub}/v/landing-moving-ad-frames/slot2b`), 1);
});

test('a 300 with a Location is not followed: the chain ends on its page, and the summary says why', async () => {
  const scenario = fixture.lab.scenarios['http-300-location'];
  const report = await traced('http-300-location');
  assert.deepEqual(
    report.hops.map((h) => [h.via, h.status]),
    [['start', 300]],
  );
  assert.deepEqual(report.final, { url: scenario.finalUrl, status: 300, title: scenario.finalTitle });
  assert.equal(fixture.lab.hits(landingUrl('http-300-location')), 0);
  assert.match(
    report.summary?.text ?? '',
    /^error at click\.mailer-esp\.test \(HTTP 300 Multiple Choices: a browser does not follow it, it showed its body\): no landing page$/,
  );
});

test("a page that sends the tab to about:blank ends the chain there at once, no advertiser; history.back() on the link's page goes nowhere", async () => {
  const { report, caseDir } = await tracedCase('js-about-blank');
  // It was held until --timeout, waiting for a document request that about:blank never makes.
  assert.equal(report.error, null);
  assert.deepEqual(report.final, { url: 'about:blank', status: null, title: '' });
  assert.deepEqual(
    report.hops.map((h) => h.via),
    ['start'],
  );
  assert.equal(
    report.summary?.text,
    'error at track.broker-net.test (its page sent the tab to about:blank, an empty page): no landing page',
  );
  assert.doesNotMatch(formatChain(report, caseDir), /^Note: not followed/m);

  // history.back() from a page that replaced the link's entry: the link's page is the tab's first
  // entry (history.length 1, as in a tab a mail client opened), so there is nothing to go back to
  // and the tab stays on the page, which is where the chain ends.
  const back = await traced('js-history-back');
  assert.equal(back.error, null);
  assert.deepEqual(back.final, { url: fixture.lab.scenarios['js-history-back'].finalUrl, status: 200, title: 'Loading…' });
  assert.deepEqual(
    back.hops.map((h) => h.via),
    ['start', 'javascript'],
  );
});

test('a tracker link that decodes to the advertiser but sent the visitor elsewhere: the summary and a note say so', async () => {
  const { report, caseDir } = await tracedCase('tracker-decoded-elsewhere');
  const phish = fixture.lab.scenarios['tracker-decoded-elsewhere'].finalUrl!;
  assert.match(
    report.summary?.text ?? '',
    /^Sent via Amazon SES \(tracker l\.tds-router\.test, its link decodes to www\.advertiser\.example, but it sent the visitor to secure-login\.phish\.example\) -> /,
  );
  assert.equal(report.summary?.claims.find((c) => c.text.includes(`decodes to ${DECOY_DECODED_TARGET}`))?.hop, 2);
  const notes = formatChain(report, caseDir)
    .split('\n')
    .filter((l) => l.startsWith('Note: '));
  assert.deepEqual(notes, [
    `Note: hop 1 is an Amazon SES link whose URL decodes to ${DECOY_DECODED_TARGET}, but it sent the visitor to ${phish} (hop 2)`,
  ]);
  assert.equal(fixture.lab.hits(DECOY_DECODED_TARGET), 0);
  // A tracker that went where its link says (esp-sendgrid-ses) says nothing of the kind.
  assert.doesNotMatch(formatChain(await traced('esp-sendgrid-ses'), null), /decodes to/);
});

test("frame forwarding: the chain ends at the page the broker's whole window frames, read from the evidence alone", async () => {
  const { report, caseDir } = await tracedCase('iframe-only-landing');
  const broker = fixture.lab.scenarios['iframe-only-landing'].url;
  const landing = landingUrl('iframe-only-landing');
  assert.deepEqual(report.final, { url: landing, status: 200, title: ADVERTISER_TITLE, frame: broker });
  const framed = report.hops[1];
  assert.equal(framed.frame, broker);
  assert.match(
    framed.evidence.detail,
    /^the page is only a frame of it: <iframe src="https:\/\/www\.advertiser\.example\/landing\/iframe-only-landing">/,
  );
  assert.equal(framed.party?.role, 'advertiser');
  assert.match(report.summary?.text ?? '', /-> advertiser www\.advertiser\.example \(shown inside a frame of track\.broker-net\.test\)$/);
  assert.equal(report.summary?.claims.find((c) => c.text.includes('only a frame of it'))?.hop, 2);
  assert.equal(fixture.lab.hits(landing), 1);
  assert.deepEqual(analyzeCapture(await readCapture(caseDir), caseDir).summary, report.summary);
  assert.match(
    formatChain(report, caseDir),
    /\(shown inside a frame of http:\/\/track\.broker-net\.test\/h\/iframe-only-landing: the page is only this frame\)/,
  );

  // An ad iframe among a page's own content is not the page: the chain ends on the page itself.
  const content = await traced('iframe-beside-content');
  assert.equal(content.hops.length, 1);
  assert.equal(content.final?.frame, undefined);
  assert.doesNotMatch(content.summary?.text ?? '', /advertiser www\.advertiser\.example|shown inside a frame/);
});

test('seed scenario with --click "Find out more" ends at the advertiser, single request per link', async () => {
  const seed = fixture.lab.scenarios['seed'];
  const { report, capture } = await trace(labOptions(fixture.lab, seed.url, { clicks: ['Find out more'] }), fixture.browser);
  assert.equal(report.error, null);
  assert.deepEqual(
    report.hops.map((h) => [h.via, h.status]),
    [
      ['start', 200],
      ['click', 302],
      ['http-302', 200],
    ],
  );
  assert.equal(report.hops[1].evidence.clickText, 'Find out more');
  assert.equal(report.final?.url, SEED_CONTACT_URL);
  assert.equal(report.final?.title, SEED_CONTACT_TITLE);
  assert.equal(fixture.lab.hits(seed.url), 1);
  assert.equal(report.pages.length, 2, 'two resting pages: the landing before the click, the contact page');
  assert.ok(capture.pages.every((p) => p.screenshot && p.screenshot.png.subarray(1, 4).toString() === 'PNG'));
});

test('popup opened by a click becomes the chain', async () => {
  const { report } = await trace(
    labOptions(fixture.lab, fixture.lab.scenarios['popup'].url, { clicks: ['Claim your prize'] }),
    fixture.browser,
  );
  assert.equal(report.error, null);
  assert.deepEqual(
    report.hops.map((h) => h.via),
    ['start', 'popup'],
  );
  assert.equal(report.hops[1].url, PRIZE_URL);
  assert.equal(report.hops[1].evidence.clickText, 'Claim your prize');
  assert.equal(report.final?.url, PRIZE_URL);
});

test("a tab-under: the popup is the chain; the first tab's own way to an ad is shown as another tab's, not as the chain's end", async () => {
  const scenario = fixture.lab.scenarios['click-tab-under'];
  const { report, caseDir } = await trace(labOptions(fixture.lab, scenario.url, { clicks: ['Continue'] }), fixture.browser);
  const landing = landingUrl('click-tab-under');
  assert.equal(report.final?.url, landing);
  const chain = report.hops.filter((h) => !h.otherTab);
  assert.deepEqual(
    chain.map((h) => [h.via, h.url]),
    [
      ['start', scenario.url],
      ['popup', landing],
    ],
  );
  // The first tab went on by itself: requested once each, shown, marked, and not the advertiser named.
  const other = report.hops.filter((h) => h.otherTab);
  assert.deepEqual(
    other.map((h) => h.via),
    ['javascript', 'http-302'],
  );
  for (const hop of other) assert.equal(fixture.lab.hits(hop.url), 1, hop.url);
  assert.match(report.summary?.text ?? '', /advertiser www\.advertiser\.example$/);
  const text = formatChain(report, caseDir);
  assert.equal(text.match(/\(another tab: not the chain's way on\)/g)?.length, 2, text);
  assert.doesNotMatch(text, /^Note: not followed/m, 'the first tab followed its own redirect');
  // Read back from the evidence alone, the same.
  assert.deepEqual(analyzeCapture(await readCapture(caseDir), caseDir).summary, report.summary);
});

test('a tab-under whose first tab is answered slowly: its hops are waited for after the popup settled, not cut off', async () => {
  const scenario = fixture.lab.scenarios['click-tab-under-slow'];
  const { report } = await trace(labOptions(fixture.lab, scenario.url, { clicks: ['Continue'] }), fixture.browser);
  assert.equal(report.error, null);
  assert.equal(report.final?.url, landingUrl('click-tab-under-slow'));
  assert.deepEqual(
    report.hops.filter((h) => h.otherTab).map((h) => [h.via, h.status, new URL(h.url).pathname]),
    [
      ['javascript', 302, '/t/click-tab-under-slow/ad'],
      ['http-302', 200, '/claim'],
    ],
  );
  assert.equal(report.partial, false);
});

test('click on a plain link is labelled click', async () => {
  const scenario = fixture.lab.scenarios['click'];
  const { report } = await trace(labOptions(fixture.lab, scenario.url, { clicks: ['Continue'] }), fixture.browser);
  assert.equal(report.error, null);
  assert.equal(report.hops.at(-1)!.url, scenario.finalUrl);
  assert.ok(report.hops.some((h) => h.via === 'click'));
});

test('a --click text that is not on the page ends with a clear error', async () => {
  const { report } = await trace(
    labOptions(fixture.lab, fixture.lab.scenarios['http-302'].url, { clicks: ['No such button'] }),
    fixture.browser,
  );
  assert.match(report.error ?? '', /click: no link or button matching "No such button"/);
  assert.equal(report.final?.status, 200);
});

test('a script redirect due after --settle is not waited for, and the case says a timer was still pending (not where it leads)', async () => {
  const scenario = fixture.lab.scenarios['javascript-timer-late'];
  // --settle 3000, not less: on a loaded machine the page's timers must be read at least once before it passes.
  const { report, caseDir } = await trace(labOptions(fixture.lab, scenario.url, { settleMs: 3000 }), fixture.browser);
  // Not waited for: the timer's redirect was never requested (no wall-clock bound: the machine may be loaded).
  assert.equal(report.final?.url, scenario.url);
  assert.equal(fixture.lab.hits(scenario.finalUrl!), 0);
  // Evidence in the case: the settled page's event says when its timer was due.
  const capture = await readCapture(caseDir);
  const settled = capture.events.filter((e) => e.type === 'settled').at(-1);
  const due = settled?.type === 'settled' ? settled.timerDueInMs : undefined;
  assert.ok(typeof due === 'number' && due > 0 && due <= 9000, `timer due in ${due} ms`);
  const settle = settled?.type === 'settled' ? settled.timerSettleMs : undefined;
  // The page's 9 s timer counted from its commit: more when its script ran late on a loaded machine.
  assert.ok(typeof settle === 'number' && settle > 8000 && settle < 30_000, `--settle ${settle} would wait for it`);
  const text = formatChain(analyzeCapture(capture, caseDir), caseDir);
  const note = text.split('\n').filter((l) => l.startsWith('Note: '));
  assert.equal(note.length, 1, text);
  assert.match(
    note[0],
    new RegExp(
      '^Note: not waited for: a timer was still pending on the final page, due in \\d+(\\.\\d)? s when the trace ended; ' +
        `it may move the page, or not \\(--settle ${Math.ceil(settle / 100) * 100} or more would wait for it\\)$`,
    ),
  );
  assert.doesNotMatch(note[0], /landing/, 'where it would lead is not known');
  assert.deepEqual(formatChain(report, caseDir), text);
  // A page with nothing pending says nothing of the kind.
  const quiet = await trace(labOptions(fixture.lab, fixture.lab.scenarios['http-302'].url, { settleMs: 1000 }), fixture.browser);
  assert.doesNotMatch(formatChain(quiet.report, null), /timer/);
});
