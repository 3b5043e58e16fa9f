// Remote content and open-tracking pixels: every kind of remote resource, every pixel rule, the
// tracker rules of rules/pixels.json, and a message whose only web address is its pixel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeMessage, emptyAnalysis } from './parse.js';
import { messageRecord } from './message-case.js';
import { cssUrls, srcsetUrls } from './remote-resources.js';
import { classifyPixel, pixelRules, trackerRuleFor, validatePixelRules } from './pixels.js';
import { extractLinks } from './links.js';
import { ResourceCollector } from './remote-resources.js';
import { projectPath } from '../project-root.js';
import { readRulesJson } from '../analyze/parties-rules.js';

const fixture = (name: string) => readFileSync(projectPath('test', 'fixtures', 'mail', 'resources', name));

test('every kind of remote resource is listed once, resolved against <base>; cid:, data: and dns-prefetch are not', async () => {
  const mail = await analyzeMessage(fixture('remote-content.eml'), 'remote-content.eml');
  assert.deepEqual(mail.errors, []);
  const byUrl = new Map(mail.resources.map((r) => [r.url, r]));
  const expected: [string, string, string][] = [
    ['https://fonts.shop.example/css?family=Inter', 'link', 'link'],
    ['https://css.shop.example/import-a.css', 'css-import', 'style'],
    ['https://css.shop.example/import-b.css', 'css-import', 'style'],
    ['https://img.shop.example/hero-bg.jpg', 'css-url', 'style'],
    ['https://cdn.shop.example/mail/footer-bg.png', 'css-url', 'style'],
    ['https://img.shop.example/body-bg.gif', 'background-attribute', 'body'],
    ['https://img.shop.example/cell-bg.gif', 'background-attribute', 'td'],
    ['https://img.shop.example/inline-bg.jpg', 'style-background', 'td'],
    ['https://cdn.shop.example/mail/logo.png', 'img', 'img'],
    ['https://img.shop.example/banner.jpg', 'img', 'img'],
    ['https://img.shop.example/banner@2x.jpg', 'srcset', 'img'],
    ['https://img.shop.example/banner@3x.jpg', 'srcset', 'img'],
    ['https://img.shop.example/poster.jpg', 'video-poster', 'video'],
    ['https://media.shop.example/clip.mp4', 'media', 'source'],
    ['https://img.shop.example/button.png', 'input-image', 'input'],
    ['https://widgets.shop.example/frame.html', 'iframe', 'iframe'],
  ];
  for (const [url, kind, element] of expected) {
    assert.deepEqual([byUrl.get(url)?.kind, byUrl.get(url)?.element], [kind, element], url);
    assert.equal(byUrl.get(url)?.pixel, null, `${url} is not a pixel`);
  }
  assert.ok(!mail.resources.some((r) => /^(?:cid|data):|prefetch/.test(r.url)));
  assert.equal(mail.resources.length, expected.length + 8);
  assert.equal(mail.links.length, 0, 'remote content is not a link');
});

test('pixel rules: 1x1 by attributes or CSS, zero size, hidden, display:none, hidden around it, tracker path, tracker host', async () => {
  const record = messageRecord(await analyzeMessage(fixture('remote-content.eml'), 'remote-content.eml'));
  const pixel = (url: string) => record.resources.find((r) => r.url === url);
  const cases: [string, string[], string | null, string | null][] = [
    ['https://t.shop.example/o/attr-1x1.gif', ['1x1'], null, null],
    ['https://t.shop.example/o/css-1x1.gif', ['1x1'], null, null],
    ['https://t.shop.example/o/zero.gif', ['zero-size'], null, null],
    ['https://t.shop.example/o/hidden.gif', ['hidden'], null, null],
    ['https://t.shop.example/o/none.gif', ['display-none'], null, null],
    ['https://t.shop.example/o/in-hidden-div.gif', ['hidden'], null, null],
    ['https://url7788.shop.example/wf/open?upn=u001.AbCdEf-2BgHiJk', ['tracker-path'], 'sendgrid-wf-open', 'Twilio SendGrid'],
    ['https://trk.klaviyomail.com/open?e=abc123', ['tracker-host'], 'klaviyo-open-host', 'Klaviyo'],
  ];
  for (const [url, rules, tracker, party] of cases) {
    const r = pixel(url);
    assert.deepEqual(r?.pixel?.rules, rules, url);
    assert.equal(r?.pixel?.tracker?.rule ?? null, tracker, url);
    assert.equal(r?.party.role === 'unknown' ? null : r?.party.name, party, url);
  }
  assert.equal(pixel('https://t.shop.example/o/hidden.gif')?.hidden, true);
});

test('a message whose only web address is its open pixel: the pixel is listed with its party', async () => {
  const record = messageRecord(await analyzeMessage(fixture('pixel-only.eml'), 'pixel-only.eml'));
  assert.equal(record.links.length, 0);
  assert.equal(record.resources.length, 1);
  const [pixel] = record.resources;
  assert.deepEqual(pixel.pixel?.rules, ['1x1', 'tracker-path']);
  assert.deepEqual([pixel.party.role, pixel.party.name], ['esp-tracker', 'Twilio SendGrid']);
});

test('phishing-pot: pixel-only messages, one of a bulk-mail kit (unattributed, its host named), one of SendGrid', async () => {
  const copy = (name: string) => readFileSync(projectPath('test', 'fixtures', 'mail', 'phishing-pot', name));
  const kit = messageRecord(await analyzeMessage(copy('sample-1025.eml'), 'sample-1025.eml'));
  assert.ok(!kit.links.some((l) => /^https?:/.test(l.url)), 'no web link');
  const [kitPixel] = kit.resources.filter((r) => r.pixel);
  assert.match(kitPixel.url, /^http:\/\/thebandalisty\.com\/track\/o40000/);
  assert.deepEqual(kitPixel.pixel?.rules, ['1x1', 'hidden', 'tracker-path']);
  assert.equal(kitPixel.pixel?.tracker?.rule, 'bulk-kit-track-o');
  assert.deepEqual([kitPixel.party.role, kitPixel.party.registrableDomain], ['unknown', 'thebandalisty.com']);
  const sendgrid = messageRecord(await analyzeMessage(copy('sample-4025.eml'), 'sample-4025.eml'));
  assert.deepEqual(
    sendgrid.resources.map((r) => [r.pixel?.tracker?.rule, r.party.name]),
    [['sendgrid-wf-open', 'Twilio SendGrid']],
  );
});

test('a branded host serving a known open path gets the party the pixel rule names', () => {
  const record = messageRecord(emptyWith('<img src="https://go.brand.example/trk?t=1&amp;mid=ABC-123:1:2" width="1" height="1">'));
  assert.deepEqual([record.resources[0].party.name, record.resources[0].party.rule], ['Adobe Marketo Engage', 'pixels:marketo-open']);
});

test('srcset and CSS url()/@import parsing', () => {
  assert.deepEqual(srcsetUrls('a.jpg 1x, b,c.jpg 2x,d.jpg, e.jpg 640w (max-width: 3px, x) , f.jpg'), [
    'a.jpg',
    'b,c.jpg',
    'd.jpg',
    'e.jpg',
    'f.jpg',
  ]);
  assert.deepEqual(cssUrls(`@import url("a.css"); @import 'b.css'; x{background:url( c.png )} y{background:url('d e.png')} z{b:url()}`), [
    { url: 'a.css', kind: 'css-import' },
    { url: 'b.css', kind: 'css-import' },
    { url: 'c.png', kind: 'css-url' },
    { url: 'd e.png', kind: 'css-url' },
  ]);
});

test('classifyPixel: a large visible image is not a pixel; a spacer 600x1 is not a 1x1', () => {
  const look = { image: true, hidden: false, displayNone: false };
  assert.equal(classifyPixel({ url: 'https://img.example/a.jpg', width: 600, height: 300, ...look }), null);
  assert.equal(classifyPixel({ url: 'https://img.example/spacer.gif', width: 600, height: 1, ...look }), null);
  assert.deepEqual(classifyPixel({ url: 'https://img.example/p.gif', width: 1, height: null, ...look })?.rules, ['1x1']);
  assert.equal(
    classifyPixel({ url: 'https://img.example/bg.gif', width: 0, height: 0, image: false, hidden: false, displayNone: false }),
    null,
  );
});

test('rules/pixels.json: valid, every sample matches its own rule, every catalogue party exists', () => {
  assert.deepEqual(validatePixelRules(readRulesJson('pixels.json')), []);
  for (const rule of pixelRules()) {
    assert.equal(trackerRuleFor(rule.sample)?.id, rule.id, `${rule.id}: ${rule.sample}`);
    assert.ok(rule.sources.length > 0);
  }
  assert.deepEqual(
    validatePixelRules({ pixels: [{ id: 'x', label: 'x', sample: 'x', sources: ['A1'], party: 'no-such-party', pattern: '(' }] }).length,
    2,
  );
});

test('a hostile document cannot make the collector blow up: resources are capped', () => {
  const html =
    '<img src="https://t.example/p?i=X" width="1" height="1">'.replace('X', '0') +
    Array.from({ length: 3000 }, (_, i) => `<img src="https://t.example/p?i=${i}">`).join('');
  const resources = new ResourceCollector(html);
  extractLinks({ html, resources });
  assert.equal(resources.list().length, 2000);
});

function emptyWith(html: string): Parameters<typeof messageRecord>[0] {
  const resources = new ResourceCollector(html);
  extractLinks({ html, resources });
  return { ...emptyAnalysis('x', 0, []), resources: resources.list() };
}
