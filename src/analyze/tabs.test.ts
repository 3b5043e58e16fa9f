import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainHops, lastChainHop, otherTabHops, wayOnHops } from './tabs.js';
import type { Hop } from '../report.js';

const docs = (...pages: string[]) => pages.map((pageId) => ({ pageId }));

test('one tab: every hop is the chain', () => {
  assert.deepEqual(otherTabHops(docs('p1', 'p1', 'p1'), new Map([['p1', null]]), 'p1'), [false, false, false]);
  assert.deepEqual(otherTabHops(docs('p1', 'p1'), new Map([['p1', null]]), null), [false, false]);
  assert.deepEqual(otherTabHops([], new Map(), null), []);
});

test("a tab-under: the popup is followed, the first tab's documents after it opened are another tab's", () => {
  // start (p1), the popup's landing (p2), then p1 sent on to an ad and its redirect.
  const openers = new Map([
    ['p1', null],
    ['p2', 'p1'],
  ]);
  assert.deepEqual(otherTabHops(docs('p1', 'p2', 'p1', 'p1'), openers, 'p2'), [false, false, true, true]);
  // The opener's documents before the popup opened are the chain's way to it.
  assert.deepEqual(otherTabHops(docs('p1', 'p1', 'p2', 'p2'), openers, 'p2'), [false, false, false, false]);
});

test('a popup the chain did not follow is another tab; a popup of a popup keeps its whole lineage', () => {
  const openers = new Map([
    ['p1', null],
    ['p2', 'p1'],
    ['p3', 'p2'],
  ]);
  assert.deepEqual(otherTabHops(docs('p1', 'p2', 'p1'), openers, 'p1'), [false, true, false]);
  assert.deepEqual(otherTabHops(docs('p1', 'p2', 'p2', 'p3', 'p2', 'p3'), openers, 'p3'), [false, false, false, false, true, false]);
});

test("the chain's hops and its last one leave another tab's out", () => {
  const hops = [{ index: 1 }, { index: 2 }, { index: 3, otherTab: true as const }];
  assert.deepEqual(
    chainHops(hops).map((h) => h.index),
    [1, 2],
  );
  assert.equal(lastChainHop(hops)?.index, 2);
  assert.equal(lastChainHop([{ index: 1, otherTab: true as const }]), undefined);
});

test("a popup whose script sent its opener on is the chain's way to the opener's next document", () => {
  const openers = new Map([
    ['p1', null],
    ['p2', 'p1'],
  ]);
  const steps = [
    { pageId: 'p1', url: 'http://t.example/a' },
    { pageId: 'p2', url: 'http://t.example/pop' },
    { pageId: 'p1', url: 'https://shop.example/', initiator: { url: 'http://t.example/pop' } },
  ];
  assert.deepEqual(otherTabHops(steps, openers, 'p1'), [false, false, false]);
  // A popup that only opened and closed stays another tab.
  assert.deepEqual(otherTabHops([steps[0], steps[1], { ...steps[2], initiator: { url: 'http://t.example/a' } }], openers, 'p1'), [
    false,
    true,
    false,
  ]);
});

test("the way on: a superseded navigation's hops (and the redirects that led to them) and another tab's are left out, never the link as given", () => {
  const hop = (via: Hop['via'], error: string | null = null, otherTab = false) => ({
    via,
    error,
    ...(otherTab ? { otherTab: true as const } : {}),
  });
  const superseded = 'superseded: the page navigated elsewhere before this answer (HTTP 200) was shown (net::ERR_ABORTED)';
  const hops = [hop('start'), hop('javascript'), hop('http-302', superseded), hop('javascript'), hop('http-301'), hop('click', null, true)];
  assert.deepEqual(wayOnHops(hops), [hops[0], hops[3], hops[4]]);
  // Superseded where the script's own request was: that hop alone.
  const direct = [hop('start'), hop('javascript', superseded), hop('javascript')];
  assert.deepEqual(wayOnHops(direct), [direct[0], direct[2]]);
  // The link's own redirect superseded: the link stays.
  const first = [hop('start'), hop('http-302', superseded), hop('javascript')];
  assert.deepEqual(wayOnHops(first), [first[0], first[2]]);
});
