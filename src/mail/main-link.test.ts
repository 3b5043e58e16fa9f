// The main link of messages written like those a spamtrap receives (test/fixtures/mail/main-link,
// one per shape: ESP newsletter, plain text, image map, VML button, gateway-wrapped, calendar
// invitation, German/French/Japanese, buttons drawn by CSS backgrounds or <input type=image>...): the call-to-action a recipient would click.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeMessage } from './parse.js';
import { messageRecord, traceableMainLink, type AnalyzedLink } from './message-case.js';
import { projectPath } from '../project-root.js';

/** File → the main link's URL (as written: a gateway-wrapped link is traced wrapped). */
export const MAIN_LINKS: Record<string, string> = {
  'esp-newsletter.eml': 'https://click.mailer-esp.test/c/http-302?mid=77120&lid=3',
  'plain-text-urls.eml': 'http://track.broker-net.test/t/meta-refresh?aff=2291&sub=trap2',
  'alternative-disagree.eml': 'https://click.mailer-esp.test/c/http-302?mid=99&lid=claim',
  'phish-brand-links.eml': 'https://business.t-rnobile.example/signin',
  'image-map.eml': 'https://click.mailer-esp.test/c/http-303?mid=8812',
  'vml-button.eml': 'https://click.mailer-esp.test/c/http-308?mid=5531&lid=cta',
  'vml-only.eml': 'https://click.mailer-esp.test/c/http-308?mid=5532&lid=vml',
  'safelinks-cta.eml':
    'https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fclick.mailer-esp.test%2Fc%2Fhttp-302%3Fmid%3D4410%26lid%3Dreview&data=05%7C02%7Ctrap7%40spamtrap.example%7C3f1c%7C0&sdata=Zm9vYmFy&reserved=0',
  'qp-soft-break-url.eml': 'https://click.mailer-esp.test/c/http-302?mid=6620&lid=book&utm_source=email&utm_campaign=lisbon-lastminute',
  'base64-html-part.eml': 'http://click.mailer-esp.test/c/http-302?mid=3390&lid=qualify',
  'base-href.eml': 'http://click.mailer-esp.test/c/http-302?mid=2250&lid=case',
  'forwarded-offer.eml': 'http://track.broker-net.test/t/javascript?ref=vip',
  'pixel-link.eml': 'http://click.mailer-esp.test/c/http-301?mid=7001&lid=apply',
  'affiliate-same-tracker.eml': 'http://track.broker-net.test/t/refresh-header?oid=118&aff=2291&cid=4',
  'german-newsletter.eml': 'https://click.mailer-esp.test/c/http-302?mid=de1&lid=cta',
  'french-promo.eml': 'https://click.mailer-esp.test/c/http-302?mid=fr1&lid=cta',
  'japanese-text.eml': 'https://click.mailer-esp.test/c/http-302?mid=jp1&lid=cta',
  'tel-only.eml': 'tel:+18005550199',
  'calendar-invite.eml': 'http://track.broker-net.test/t/meta-refresh?seat=cal1',
  // Buttons drawn without <img> or text (a CSS background, an <input type=image>), a near-invisible URL as decoy.
  'css-background-button.eml': 'http://click.mailer-esp.test/c/http-302?mid=bg1&lid=cta',
  'input-image-links.eml': 'http://click.mailer-esp.test/c/http-303?mid=ii1&lid=top',
  // Quishing: the call-to-action is a QR code (an inline cid: PNG the text tells to scan, beside a
  // link to the real portal; an attached JPEG; a data: GIF beside only an unsubscribe link).
  'qr-inline-mfa.eml': 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan',
  'qr-attached-jpeg.eml': 'http://click.mailer-esp.test/c/http-303?mid=qr2&lid=jpeg',
  'qr-data-uri-gif.eml': 'http://click.mailer-esp.test/c/http-308?mid=qr3&lid=gif',
  // A newsletter's "get our app" QR code does not outrank its "Shop now" button.
  'qr-app-newsletter.eml': 'https://click.mailer-esp.test/c/http-302?mid=qr4&lid=shop',
  // A PDF-only lure: the "View invoice" link annotation of the attached PDF.
  'pdf-invoice.eml': 'http://track.broker-net.test/t/meta-refresh?inv=pdf1',
};

async function recordOf(name: string) {
  const raw = readFileSync(projectPath('test', 'fixtures', 'mail', 'main-link', name));
  return messageRecord(await analyzeMessage(raw, name));
}

for (const [name, expected] of Object.entries(MAIN_LINKS)) {
  test(`main link of ${name}`, async () => {
    const record = await recordOf(name);
    const main = record.links.filter((l) => l.main);
    assert.deepEqual(
      main.map((l) => l.url),
      [expected],
    );
  });
}

test('a tel: button as the call-to-action: nothing to trace, not the footer link to the home page', async () => {
  const record = await recordOf('tel-only.eml');
  assert.equal(traceableMainLink(record), null);
});

test('the VML button and the same link in HTML are one link seen twice', async () => {
  const record = await recordOf('vml-button.eml');
  const cta = record.links.filter((l) => l.url === MAIN_LINKS['vml-button.eml']);
  assert.deepEqual(
    cta.map((l) => [l.text, l.occurrences]),
    [['Start free trial', 2]],
  );
});

test('a calendar invitation: the URL folded in DESCRIPTION is whole, labelled with its attachment', async () => {
  const record = await recordOf('calendar-invite.eml');
  const main = traceableMainLink(record)!;
  assert.equal(main.url, MAIN_LINKS['calendar-invite.eml']);
  assert.match(main.attachment ?? '', /calendar/);
});

test('links read from QR codes and PDFs say where they come from', async () => {
  const fields = (l: AnalyzedLink) => [l.url, l.kind, l.part, l.origin, l.attachment, l.main];
  const inline = await recordOf('qr-inline-mfa.eml');
  assert.deepEqual(inline.links.map(fields).at(-1), [
    MAIN_LINKS['qr-inline-mfa.eml'],
    'qr-code',
    'image',
    'inline image cid:mfa-qr@m365-security.example (qr.png)',
    null,
    true,
  ]);
  const attached = await recordOf('qr-attached-jpeg.eml');
  assert.deepEqual(attached.links.map(fields), [
    [MAIN_LINKS['qr-attached-jpeg.eml'], 'qr-code', 'image', 'Document_Scan_0312.jpg', 'Document_Scan_0312.jpg', true],
  ]);
  const data = await recordOf('qr-data-uri-gif.eml');
  assert.deepEqual(data.links.map(fields).at(-1), [
    MAIN_LINKS['qr-data-uri-gif.eml'],
    'qr-code',
    'image',
    'data: image 1 of the HTML',
    null,
    true,
  ]);
  const app = await recordOf('qr-app-newsletter.eml');
  assert.deepEqual(app.links.map(fields).at(-1), [
    'https://apps.garden-shop.example/download',
    'qr-code',
    'image',
    'data: image 1 of the HTML',
    null,
    false,
  ]);
  const pdf = await recordOf('pdf-invoice.eml');
  assert.deepEqual(pdf.links.map(fields), [
    [MAIN_LINKS['pdf-invoice.eml'], 'pdf', 'pdf', 'INV-4411.pdf', 'INV-4411.pdf', true],
    ['mailto:billing@invoices-portal.example', 'pdf', 'pdf', 'INV-4411.pdf', 'INV-4411.pdf', false],
  ]);
  for (const record of [inline, attached, data, app, pdf]) assert.deepEqual(record.analysis.warnings, []);
});

test('a QR code no words point at is the main link only when nothing else is', async () => {
  const record = await recordOf('qr-inline-mfa.eml');
  const raw = readFileSync(projectPath('test', 'fixtures', 'mail', 'main-link', 'qr-inline-mfa.eml'), 'latin1');
  const unprompted = raw.replace("scan the QR code below with your phone's camera and sign in again", 'sign in again');
  assert.notEqual(unprompted, raw);
  const quiet = messageRecord(await analyzeMessage(Buffer.from(unprompted, 'latin1'), 'unprompted'));
  assert.equal(traceableMainLink(record)!.kind, 'qr-code');
  assert.equal(traceableMainLink(quiet)!.url, 'https://portal.office.example/');
  assert.equal(quiet.links.find((l) => l.kind === 'qr-code')!.url, MAIN_LINKS['qr-inline-mfa.eml']);
});

test('only words a reader sees tell to scan: not a style sheet, not an attribute; hostile markup is read in one pass', async () => {
  const raw = readFileSync(projectPath('test', 'fixtures', 'mail', 'main-link', 'qr-inline-mfa.eml'), 'latin1');
  const hidden = raw
    .replace("scan the QR code below with your phone's camera and sign in again", 'sign in again')
    .replace('<html>', '<html><style>.scan-qr { width: 1px }</style><script>var QR = 1;</script><p title="scan the QR code">')
    .replace('</body>', `${'<b'.repeat(200_000)}</body>`);
  const record = messageRecord(await analyzeMessage(Buffer.from(hidden, 'latin1'), 'hidden'));
  assert.equal(traceableMainLink(record)!.url, 'https://portal.office.example/');
  assert.equal(record.links.find((l) => l.kind === 'qr-code')!.prominence, 2);
});
