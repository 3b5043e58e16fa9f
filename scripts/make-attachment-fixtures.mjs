// Writes the QR-code and PDF fixtures of test/fixtures/mail (main-link/qr-*.eml, main-link/pdf-invoice.eml,
// attachments/hostile-attachments.eml, attachments/qr.{png,jpg,gif}, attachments/qr-inverted.png, attachments/qr-banner.png). Run once by hand; the .eml files are committed, so tests need none
// of this: `npm install --no-save --prefix /tmp/qr qrcode@1.5.4 jpeg-js@0.4.4 omggif@1.0.10`, then
// `npm run build && QR_MODULES=/tmp/qr/node_modules node scripts/make-attachment-fixtures.mjs`. test/fixtures/mail/attachments/invoice.pdf
// was printed by Chromium from invoice.html (`chromium-headless-shell --no-pdf-header-footer
// --print-to-pdf=invoice.pdf invoice.html`): a real PDF whose "View invoice" button is a /URI link annotation.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// A PNG whose header declares 30,000 × 30,000 pixels over a few bytes of zeros: a decompression bomb.
import { declaredPng, pngFile } from '../dist/test/support/png-file.js';

const require = createRequire(join(process.env.QR_MODULES ?? 'node_modules', 'x'));
const QRCode = require('qrcode');
const jpeg = require('jpeg-js');
const { GifWriter } = require('omggif');
const here = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'mail', 'attachments');
const mainLink = join(here, '..', 'main-link');

/** A QR code as RGBA pixels: black modules on white, `scale` pixels a module, a 4-module quiet zone. */
function qrPixels(text, scale) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 8) * scale;
  const data = Buffer.alloc(side * side * 4, 255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const [mx, my] = [Math.floor(x / scale) - 4, Math.floor(y / scale) - 4];
      if (mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx))
        data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    }
  }
  return { data, width: side, height: side };
}
const png = (text) => QRCode.toBuffer(text, { type: 'png', scale: 5, margin: 4, errorCorrectionLevel: 'M' });
const jpg = (text) => jpeg.encode(qrPixels(text, 4), 75).data;
function gif(text) {
  const image = qrPixels(text, 4);
  const out = Buffer.alloc(image.width * image.height + 4096);
  const writer = new GifWriter(out, image.width, image.height, { palette: [0x000000, 0xffffff] });
  const indices = new Uint8Array(image.width * image.height).map((_, i) => (image.data[i * 4] ? 1 : 0));
  writer.addFrame(0, 0, image.width, image.height, indices);
  return out.subarray(0, writer.end());
}
/** RGBA pixels as a PNG (RGB, no filter), through the project's one PNG writer. */
function pngOf({ data, width, height }) {
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.copy(rows, y * (1 + width * 3) + 1 + x * 3, (y * width + x) * 4, (y * width + x) * 4 + 3);
  }
  return pngFile(width, height, 2, rows);
}
/** Light modules on a dark navy ground, the quiet zone dark too: a code phone cameras read as well. */
function invertedQr(text) {
  const image = qrPixels(text, 5);
  for (let i = 0; i < image.data.length; i += 4) image.data.set(image.data[i] ? [16, 24, 48] : [250, 250, 250], i);
  return pngOf(image);
}
/** A 728 × 90 leaderboard banner: blue, white "text" on its left, the code in a white square at its right end. */
function bannerQr(text) {
  const [width, height] = [728, 90];
  const data = Buffer.alloc(width * height * 4, 255);
  for (let i = 0; i < data.length; i += 4) data.set([30, 90, 200], i);
  for (let y = 20; y < 70; y += 12) {
    for (let x = 20; x < 560; x++) {
      if ((x >> 3) % 5 === 0) continue;
      for (const row of [y, y + 1]) data.fill(255, (row * width + x) * 4, (row * width + x) * 4 + 3);
    }
  }
  const code = qrPixels(text, 2);
  const left = width - code.width - (height - code.height) / 2;
  for (let y = 0; y < code.height; y++)
    code.data.copy(data, ((y + (height - code.height) / 2) * width + left) * 4, y * code.width * 4, (y + 1) * code.width * 4);
  return pngOf({ data, width, height });
}
const b64 = (bytes) => Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\n');

/** A JPEG whose frame header declares 60,000 × 60,000 pixels (nothing after it). */
function jpegBomb() {
  return Buffer.from([
    0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff,
    0xd9,
  ]);
}

const headers = (from, subject, id, type) =>
  `From: ${from}\nTo: trap31@spamtrap.example\nSubject: ${subject}\nDate: Tue, 12 Mar 2024 09:15:00 +0000\nMessage-ID: <${id}>\nMIME-Version: 1.0\nContent-Type: ${type}\n\n`;

const inline = await png('http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan');
const attachedJpeg = jpg('http://click.mailer-esp.test/c/http-303?mid=qr2&lid=jpeg');
const dataGif = gif('http://click.mailer-esp.test/c/http-308?mid=qr3&lid=gif');
// The same images alone, for the decoder's unit tests.
writeFileSync(join(here, 'qr.png'), inline);
writeFileSync(join(here, 'qr.jpg'), attachedJpeg);
writeFileSync(join(here, 'qr.gif'), dataGif);
// Evasions of a reader that only looks for dark-on-light squares: a light-on-dark code, a code at the end of a banner.
writeFileSync(join(here, 'qr-inverted.png'), invertedQr('http://click.mailer-esp.test/c/http-302?mid=qr5&lid=inverted'));
writeFileSync(join(here, 'qr-banner.png'), bannerQr('http://click.mailer-esp.test/c/http-302?mid=qr6&lid=banner'));
writeFileSync(
  join(mainLink, 'qr-inline-mfa.eml'),
  headers(
    '"Microsoft 365" <no-reply@m365-security.example>',
    'Action required: your MFA expires today',
    'qr1@m365-security.example',
    'multipart/related; boundary="rel"',
  ) +
    `--rel\nContent-Type: text/html; charset=utf-8\n\n<html><body style="font-family:Segoe UI,sans-serif">\n<p><img src="https://m365-security.example/logo.png" width="120" height="30" alt="Microsoft"></p>\n<h2>Your multi-factor authentication expires today</h2>\n<p>To keep access to your mailbox, scan the QR code below with your phone's camera and sign in again.</p>\n<p><img src="cid:mfa-qr@m365-security.example" width="205" height="205" alt=""></p>\n<p>Having trouble? Visit the <a href="https://portal.office.example/">Microsoft 365 portal</a>.</p>\n<p style="font-size:11px;color:#888"><a href="https://privacy.microsoft.example/privacystatement">Privacy statement</a></p>\n</body></html>\n` +
    `--rel\nContent-Type: image/png; name="qr.png"\nContent-Transfer-Encoding: base64\nContent-ID: <mfa-qr@m365-security.example>\nContent-Disposition: inline; filename="qr.png"\n\n${b64(inline)}\n--rel--\n`,
);

writeFileSync(
  join(mainLink, 'qr-attached-jpeg.eml'),
  headers(
    '"Scanner" <scanner@copier-docs.example>',
    'Scanned document from RICOH MP C3004',
    'qr2@copier-docs.example',
    'multipart/mixed; boundary="mix"',
  ) +
    `--mix\nContent-Type: text/plain; charset=utf-8\n\nA document was scanned and sent to you.\nPages: 2\nOpen the attached image to retrieve it.\n\n` +
    `--mix\nContent-Type: image/jpeg; name="Document_Scan_0312.jpg"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="Document_Scan_0312.jpg"\n\n${b64(attachedJpeg)}\n--mix--\n`,
);

writeFileSync(
  join(mainLink, 'qr-data-uri-gif.eml'),
  headers(
    '"Parcel Service" <notice@parcel-notices.example>',
    'Delivery on hold',
    'qr3@parcel-notices.example',
    'text/html; charset=utf-8',
  ) +
    `<html><body>\n<p>Your parcel 4471-2290 is on hold: the delivery fee of 1.99 EUR was not paid.</p>\n<p><img src="data:image/gif;base64,${Buffer.from(dataGif).toString('base64')}" width="180" alt="code"></p>\n<p style="font-size:10px"><a href="https://parcel-notices.example/unsubscribe?u=31">Unsubscribe</a></p>\n</body></html>\n`,
);

writeFileSync(
  join(mainLink, 'qr-app-newsletter.eml'),
  headers('"Garden Shop" <news@garden-shop.example>', 'Spring sale: 30% off bulbs', 'qr4@garden-shop.example', 'text/html; charset=utf-8') +
    `<html><body>\n<h1>Spring sale</h1>\n<table><tr><td style="background:#2a7d2a;padding:14px 28px;border-radius:6px"><a href="https://click.mailer-esp.test/c/http-302?mid=qr4&lid=shop" style="color:#fff;font-size:18px;font-weight:bold;text-decoration:none">Shop now</a></td></tr></table>\n<p>Get our app: scan the QR code with your phone.</p>\n<p><img src="data:image/png;base64,${(await png('https://apps.garden-shop.example/download')).toString('base64')}" width="120" alt="App QR code"></p>\n<p><a href="https://click.mailer-esp.test/c/unsubscribe?mid=qr4">Unsubscribe</a></p>\n</body></html>\n`,
);

writeFileSync(
  join(mainLink, 'pdf-invoice.eml'),
  headers(
    '"Accounts" <billing@invoices-portal.example>',
    'Invoice INV-4411 overdue',
    'pdf1@invoices-portal.example',
    'multipart/mixed; boundary="mix"',
  ) +
    `--mix\nContent-Type: text/plain; charset=utf-8\n\nDear customer,\n\nplease find attached invoice INV-4411, now overdue.\n\nAccounts department\n\n` +
    `--mix\nContent-Type: application/pdf; name="INV-4411.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="INV-4411.pdf"\n\n${b64(readFileSync(join(here, 'invoice.pdf')))}\n--mix--\n`,
);

const noise = Buffer.alloc(3000).map((_, i) => (i * 2654435761) >>> 24);
writeFileSync(
  join(here, 'hostile-attachments.eml'),
  headers(
    '"Hostile" <x@hostile-attachments.example>',
    'Hostile images and PDFs',
    'hostile1@hostile-attachments.example',
    'multipart/mixed; boundary="mix"',
  ) +
    `--mix\nContent-Type: text/plain\n\nScan the attached code.\n\n` +
    `--mix\nContent-Type: image/png; name="bomb.png"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="bomb.png"\n\n${b64(declaredPng(30000, 30000))}\n` +
    `--mix\nContent-Type: image/jpeg; name="bomb.jpg"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="bomb.jpg"\n\n${b64(jpegBomb())}\n` +
    `--mix\nContent-Type: image/png; name="truncated.png"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="truncated.png"\n\n${b64(inline.subarray(0, 300))}\n` +
    `--mix\nContent-Type: image/png; name="noise.png"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="noise.png"\n\n${b64(noise)}\n` +
    `--mix\nContent-Type: application/pdf; name="broken.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="broken.pdf"\n\n${b64(Buffer.from('%PDF-1.7\n1 0 obj << /A << /S /URI /URI (https://unterminated.example/\\'))}\n` +
    `--mix\nContent-Type: application/pdf; name="objstm-bomb.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="objstm-bomb.pdf"\n\n${b64(
      Buffer.concat([
        Buffer.from('%PDF-1.5\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n'),
        deflateSync(Buffer.alloc(40 * 1024 * 1024, 0x20)),
        Buffer.from('\nendstream\nendobj\n%%EOF\n'),
      ]),
    )}\n--mix--\n`,
);
