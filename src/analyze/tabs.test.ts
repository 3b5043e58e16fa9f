import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainHops, lastChainHop, otherTabHops } from './tabs.js';

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
