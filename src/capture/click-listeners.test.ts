import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PageControl } from '../model.js';
import { testControl } from '../analyze/test-control.js';
import {
  dependsOnListeners,
  judgeListeners,
  listenerAskingOrder,
  listenerTarget,
  mayBeSentElsewhere,
  receivesClicks,
  stopsDefault,
} from './click-listeners.js';

const control = (fields: Partial<PageControl>): PageControl =>
  testControl({
    text: 'Acquista ora',
    href: 'https://promo.example/page#',
    rawHref: '#',
    box: { x: 0, y: 0, width: 100, height: 40 },
    ...fields,
  });

test('a listener that calls preventDefault() stops the default action; one that only navigates does not', () => {
  assert.ok(stopsDefault('function (e) { e.preventDefault(); location.href = "https://x.example/"; }'));
  assert.ok(stopsDefault('(evt) => { evt.preventDefault ( ) ; go(); }'));
  assert.ok(!stopsDefault('function () { location.href = "https://x.example/"; return false; }'));
});

test('only controls whose judgement a listener changes are asked about', () => {
  assert.ok(dependsOnListeners(control({})));
  assert.ok(dependsOnListeners(control({ rawHref: 'javascript:void(0)' })));
  assert.ok(!dependsOnListeners(control({ onclick: true })), 'its onclick attribute already says');
  assert.ok(!dependsOnListeners(control({ hidden: 'display:none' })));
  assert.ok(!dependsOnListeners(control({ rawHref: '/offer', href: 'https://promo.example/offer' })));
  assert.ok(dependsOnListeners(control({ rawHref: '#order' })), 'a named anchor: its listener may navigate elsewhere');
  const plainButton = { tag: 'button', type: 'button', rawHref: null, href: null, form: null };
  assert.ok(dependsOnListeners(control(plainButton)), 'a button with no link: its listener may say where it leads');
  assert.ok(!dependsOnListeners(control({ ...plainButton, onclickHref: 'https://promo.example/offer' })), 'its onclick already says');
  const submit = { tag: 'button', type: 'submit', rawHref: null, href: 'https://promo.example/page' };
  assert.ok(dependsOnListeners(control({ ...submit, form: { typing: 0, method: 'get' } })));
  assert.ok(!dependsOnListeners(control({ ...submit, form: { typing: 1, method: 'post' } })), 'refused for its typing anyway');
  assert.ok(!dependsOnListeners(control({ ...submit, form: { typing: 0, method: 'get', onsubmit: true } })));
});

test('a link to another page, with no onclick, is asked about once chosen: its listener may send the click elsewhere', () => {
  const link = { rawHref: '/offer', href: 'https://promo.example/offer' };
  assert.ok(mayBeSentElsewhere(control(link)));
  assert.ok(!dependsOnListeners(control(link)), 'not with the document: asking every link costs too much');
  assert.ok(!mayBeSentElsewhere(control({ ...link, onclick: true })), 'its onclick attribute already says');
  assert.ok(!mayBeSentElsewhere(control({ rawHref: 'mailto:a@b.example', href: 'mailto:a@b.example' })));
  assert.ok(!mayBeSentElsewhere(control({ rawHref: '#order', href: 'https://promo.example/landing#order' })));
  assert.ok(!mayBeSentElsewhere(control({ tag: 'button', type: 'submit', ...link, form: { typing: 0, method: 'get' } })));
});

test('a box of a delegated listener, leading nowhere by itself, is asked about once chosen: a listener around it may say where', () => {
  const box = { tag: 'div', rawHref: null, href: null, form: null, lookalike: true, delegatedListener: 'the document' };
  assert.ok(mayBeSentElsewhere(control(box)));
  assert.ok(mayBeSentElsewhere(control({ delegatedListener: '<div id=root>' })), 'a "#" link inside a listening root');
  assert.ok(!mayBeSentElsewhere(control({ ...box, onclickHref: 'https://promo.example/offer' })), 'where it leads is known');
  assert.ok(!mayBeSentElsewhere(control({ ...box, delegatedListener: undefined })), 'no listener around it');
});

test('a link naming another address in a data attribute is asked about: a delegated listener may send its click there', () => {
  const link = { tag: 'a', rawHref: '/offer', href: 'https://promo.example/offer', form: null };
  assert.ok(dependsOnListeners(control({ ...link, dataHref: 'https://promo.example/files/setup.exe' })));
  assert.ok(!dependsOnListeners(control({ ...link, dataHref: 'https://promo.example/offer' })), 'the same address as its href');
  assert.ok(!dependsOnListeners(control(link)), 'no data attribute');
});

test('a box that only looks like a button is a control when a listener on it or around it receives its click', () => {
  const lookalike = { tag: 'span', rawHref: null, href: null, form: null, lookalike: true };
  assert.ok(dependsOnListeners(control(lookalike)), 'its listeners are asked about');
  assert.ok(!receivesClicks(control(lookalike)), 'no listener: words drawn on a colour, nothing to click');
  assert.ok(receivesClicks(control({ ...lookalike, clickListener: true })));
  assert.ok(receivesClicks(control({ ...lookalike, delegatedListener: 'the window' })));
  assert.ok(receivesClicks(control({ tag: 'span', rawHref: null, href: null, form: null })), 'a control by its markup or cursor');
});

const BASE = 'https://promo.example/landing';

test("a click listener on the control, or a submit listener on its form, that prevents the default stops the form's submission", () => {
  const go = { type: 'click', source: 'function (e) { e.preventDefault(); location.href = "/q"; }' };
  assert.deepEqual(judgeListeners([go], [], BASE), { clickListener: true, stops: true, target: 'https://promo.example/q' });
  assert.deepEqual(judgeListeners([], [{ type: 'submit', source: '(e) => { e.preventDefault(); }' }], BASE), {
    clickListener: false,
    stops: true,
    target: null,
  });
  assert.deepEqual(judgeListeners([{ type: 'mousedown', source: 'function (e) { e.preventDefault(); }' }], [], BASE), {
    clickListener: true,
    stops: false,
    target: null,
  });
  assert.deepEqual(judgeListeners([{ type: 'mouseover', source: 'function () {}' }], [], BASE), {
    clickListener: false,
    stops: false,
    target: null,
  });
  // Two listeners acting on the click: neither alone says where the click leads.
  const other = { type: 'click', source: 'function () { track("cta"); }' };
  assert.equal(judgeListeners([go, other], [], BASE).target, null);
});

test('a listener that is a plain navigation says where it leads; one that does more does not', () => {
  const cases: [string, string | null][] = [
    ['function (e) { e.preventDefault(); location.href = "https://shop.example/offer"; }', 'https://shop.example/offer'],
    ["(e) => { e.preventDefault(); location.assign('/unsubscribe?id=3'); }", 'https://promo.example/unsubscribe?id=3'],
    ["() => window.open('https://shop.example/p', 'offer', 'width=600')", 'https://shop.example/p'],
    ['async function go(evt) {\n  evt.preventDefault();\n  window.location = "/next";\n}', 'https://promo.example/next'],
    ['function (e) { fetch("/log"); location.href = "/next"; }', null],
    ['function () { dispatch(open()); }', null],
  ];
  for (const [source, target] of cases) assert.equal(listenerTarget(source, BASE), target, source);
});

test("a listener that rewrites its link's href sends the click there: on the press before the click too", () => {
  const cases: [string, string | null][] = [
    ["function onmousedown(event) {\nthis.href='https://dl.example/FlashUpdate.exe'\n}", 'https://dl.example/FlashUpdate.exe'],
    ['function () { this.href = "/r?u=1"; return true; }', 'https://promo.example/r?u=1'],
    ["(e) => e.currentTarget.setAttribute('href', '/dl/a.exe')", 'https://promo.example/dl/a.exe'],
    ['function () { this.href = this.href + "?src=mail"; }', null],
    ['function () { this.href = "/a"; track(); }', null],
  ];
  for (const [source, target] of cases) assert.equal(listenerTarget(source, BASE), target, source);
  const press = { type: 'mousedown', source: "function () { this.href = '/dl/Setup.exe'; }" };
  assert.equal(judgeListeners([press], [], BASE).target, 'https://promo.example/dl/Setup.exe');
  const go = { type: 'click', source: "function (e) { e.preventDefault(); location.href = '/offer'; }" };
  assert.equal(judgeListeners([press, go], [], BASE).target, 'https://promo.example/offer', "the click's own navigation first");
});

test('the controls a person sees first are asked about first: in view, drawn as a button, bigger; then document order', () => {
  const view = { top: 0, bottom: 720 };
  const menu = (i: number) => control({ text: `Category ${i}`, box: { x: 10 * i, y: 800, width: 80, height: 20 } });
  const offer = control({
    text: 'Get the deal',
    box: { x: 40, y: 200, width: 200, height: 50 },
    look: { background: 'rgb(228, 0, 43)', padding: [14, 32], radius: 6, fontSize: 18 },
  });
  const plainInView = control({ text: 'Details', box: { x: 40, y: 300, width: 60, height: 20 } });
  const bigPlainInView = control({ text: 'All deals', box: { x: 40, y: 400, width: 200, height: 30 } });
  const link = control({ rawHref: '/offer', href: 'https://promo.example/offer' });
  const controls = [...Array.from({ length: 30 }, (_, i) => menu(i)), link, plainInView, bigPlainInView, offer];
  assert.deepEqual(listenerAskingOrder(controls, view).slice(0, 5), [33, 32, 31, 0, 1]);
  assert.equal(listenerAskingOrder(controls, view).length, 33, 'a link that leads somewhere is not asked about');
  // Scrolled down to the menu: it is in view, the offer above is not.
  assert.deepEqual(listenerAskingOrder(controls, { top: 700, bottom: 1420 }).slice(0, 2), [0, 1]);
});
