import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PageControl } from '../model.js';
import { inFrame } from './explore-frames.js';

const control = (box: PageControl['box'], hidden: string | null = null): PageControl => ({
  tag: 'a',
  role: null,
  type: null,
  text: 'Claim your reward',
  href: 'https://advertiser.example/',
  rawHref: 'https://advertiser.example/',
  download: false,
  box,
  hidden,
  look: { background: null, padding: [0, 0], radius: 0, fontSize: 16 },
  landmark: null,
  form: null,
  cookieBanner: false,
});

// An iframe whose content box starts at (100, 200) of the top viewport, 300×150 of it in view; the top page scrolled by 50.
const FRAME = {
  url: 'https://ads.example/creative',
  origin: { x: 100, y: 200 },
  size: { width: 300, height: 150 },
  scrolling: true,
  clip: { left: 100, top: 200, right: 400, bottom: 350 },
  landmark: null,
  ad: null,
};
const TOP_SCROLL = { x: 0, y: 50 };

test("a frame's control is placed in the top document, its frame named", () => {
  const placed = inFrame(control({ x: 20, y: 30, width: 120, height: 40 }), { scroll: { x: 0, y: 0 } }, FRAME, TOP_SCROLL);
  assert.deepEqual(placed.box, { x: 120, y: 280, width: 120, height: 40 });
  assert.equal(placed.hidden, null);
  assert.equal(placed.frame, FRAME.url);
});

test("the frame's own scroll is taken off", () => {
  const placed = inFrame(control({ x: 20, y: 130, width: 120, height: 40 }), { scroll: { x: 0, y: 100 } }, FRAME, TOP_SCROLL);
  assert.deepEqual(placed.box, { x: 120, y: 280, width: 120, height: 40 });
});

test('cut to the part of the frame a person sees', () => {
  const placed = inFrame(control({ x: 250, y: 120, width: 100, height: 60 }), { scroll: { x: 0, y: 0 } }, FRAME, TOP_SCROLL);
  assert.deepEqual(placed.box, { x: 350, y: 370, width: 50, height: 30 });
  assert.equal(placed.hidden, null);
});

test('outside the visible part of its frame: hidden, its box left whole', () => {
  const below = inFrame(control({ x: 20, y: 400, width: 200, height: 80 }), { scroll: { x: 0, y: 0 } }, FRAME, TOP_SCROLL);
  assert.equal(below.hidden, 'outside the visible part of its frame');
  assert.deepEqual(below.box, { x: 120, y: 650, width: 200, height: 80 });
  // A control hidden for its own reason keeps that reason.
  assert.equal(
    inFrame(control({ x: 20, y: 400, width: 200, height: 80 }, 'display:none'), { scroll: { x: 0, y: 0 } }, FRAME, TOP_SCROLL).hidden,
    'display:none',
  );
});

test('a sliver of less than 4 pixels in view is not seen', () => {
  const sliver = inFrame(control({ x: 20, y: 148, width: 200, height: 40 }), { scroll: { x: 0, y: 0 } }, FRAME, TOP_SCROLL);
  assert.equal(sliver.hidden, 'outside the visible part of its frame');
});

test("a frame in the page's sidebar puts its controls there too", () => {
  const placed = inFrame(
    control({ x: 20, y: 30, width: 120, height: 40 }),
    { scroll: { x: 0, y: 0 } },
    { ...FRAME, landmark: 'aside' },
    TOP_SCROLL,
  );
  assert.equal(placed.landmark, 'aside');
});

test('a frame that is a display-ad slot says so on its controls', () => {
  const placed = inFrame(
    control({ x: 20, y: 30, width: 120, height: 40 }),
    { scroll: { x: 0, y: 0 } },
    { ...FRAME, ad: '300×250 slot' },
    TOP_SCROLL,
  );
  assert.equal(placed.frameAd, '300×250 slot');
  assert.equal(
    inFrame(control({ x: 20, y: 30, width: 120, height: 40 }), { scroll: { x: 0, y: 0 } }, FRAME, TOP_SCROLL).frameAd,
    undefined,
  );
});

test('below the view of a frame a person can scroll: out of view, not hidden, placed at the edge it comes in by', () => {
  const read = { scroll: { x: 0, y: 0 }, scrolls: { x: false, y: true } };
  const below = inFrame(control({ x: 20, y: 400, width: 200, height: 80 }), read, FRAME, TOP_SCROLL);
  assert.equal(below.hidden, null);
  assert.equal(below.outOfView, 'scrolled out of view in its frame');
  assert.deepEqual(below.box, { x: 120, y: 320, width: 200, height: 80 });
  // Its owner says scrolling="no", or the frame's document does not scroll that way: hidden.
  assert.equal(
    inFrame(control({ x: 20, y: 400, width: 200, height: 80 }), read, { ...FRAME, scrolling: false }, TOP_SCROLL).hidden,
    'outside the visible part of its frame',
  );
  assert.equal(
    inFrame(control({ x: 20, y: 400, width: 200, height: 80 }), { ...read, scrolls: { x: true, y: false } }, FRAME, TOP_SCROLL).hidden,
    'outside the visible part of its frame',
  );
});
