// QR codes read from real images (PNG, JPEG, GIF made with the qrcode package, see
// scripts/make-attachment-fixtures.mjs), and hostile images refused by their header before any
// decoding: a decompression bomb costs nothing, a corrupt image is a warning, never a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { PNG } from 'pngjs';
import { dataUriImages, isImageFile, MAX_QR_IMAGES, qrLinks, qrPayloadUrls, type MailImage, type QrLink } from './qr-codes.js';
import { imageSize, MAX_IMAGE_PIXELS, mayHoldQrCode, refusal } from './image-size.js';
import { darkOnLight, decodePixels, lightOnDark, readQrCode, shrink, toneShares, type Pixels } from './qr-reader.js';
import { projectPath } from '../project-root.js';
import { declaredPng } from '../../test/support/png-file.js';
import { lettering } from '../../test/support/lettering.js';
import { cli } from '../../test/support/cli.js';

const image = (name: string) => readFileSync(projectPath('test', 'fixtures', 'mail', 'attachments', name));
const PNG_QR = image('qr.png');

test('a QR code is read from a PNG, a JPEG and a GIF', async () => {
  assert.equal(await readQrCode(PNG_QR), 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan');
  assert.equal(await readQrCode(image('qr.jpg')), 'http://click.mailer-esp.test/c/http-303?mid=qr2&lid=jpeg');
  assert.equal(await readQrCode(image('qr.gif')), 'http://click.mailer-esp.test/c/http-308?mid=qr3&lid=gif');
  assert.deepEqual(imageSize(image('qr.jpg')), { format: 'jpeg', width: 164, height: 164 });
});

test('a QR code drawn on a transparent background, and one in a large picture, are read', async () => {
  const source = PNG.sync.read(PNG_QR);
  // Black modules, the rest transparent black: read as a mail client shows it, on white.
  const transparent = new PNG({ width: source.width, height: source.height });
  for (let i = 0; i < source.data.length; i += 4) transparent.data[i + 3] = source.data[i] < 128 ? 255 : 0;
  assert.equal(await readQrCode(PNG.sync.write(transparent)), 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan');
  // Placed in a 1,800-pixel-wide picture, scaled up 4 times: shrunk before reading, still read.
  const big = new PNG({ width: 1800, height: 1000 });
  big.data.fill(255);
  for (let y = 0; y < source.height * 4; y++) {
    for (let x = 0; x < source.width * 4; x++) {
      const from = (Math.floor(y / 4) * source.width + Math.floor(x / 4)) * 4;
      const to = ((y + 50) * 1800 + x + 900) * 4;
      big.data[to] = big.data[to + 1] = big.data[to + 2] = source.data[from];
    }
  }
  assert.equal(await readQrCode(PNG.sync.write(big)), 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan');
  const small = shrink({ data: new Uint8ClampedArray(1800 * 1000 * 4), width: 1800, height: 1000 }, 800);
  assert.deepEqual([small.width, small.height], [600, 333]);
});

test('hostile images: bombs refused by their header, corrupt ones and non-images said so, never thrown', async () => {
  const bomb = declaredPng(30000, 30000);
  assert.match(refusal(bomb.length, imageSize(bomb)!)!, /declares 30000 × 30000 pixels, more than 4000000/);
  const jpegBomb = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 0x01, 0x22, 0x00, 0xff, 0xd9]);
  assert.deepEqual(imageSize(jpegBomb), { format: 'jpeg', width: 60000, height: 60000 });
  assert.ok(60000 * 60000 > MAX_IMAGE_PIXELS);
  const images: MailImage[] = [
    { bytes: bomb, origin: 'bomb.png', attachment: 'bomb.png' },
    { bytes: jpegBomb, origin: 'bomb.jpg', attachment: 'bomb.jpg' },
    { bytes: PNG_QR.subarray(0, 300), origin: 'cut.png', attachment: 'cut.png' },
    { bytes: Buffer.from('GIF89a\x40\x00\x40\x00garbage', 'latin1'), origin: 'bad.gif', attachment: 'bad.gif' },
    { bytes: Buffer.from('<svg/>'), origin: 'fake.png', attachment: 'fake.png' },
    { bytes: declaredPng(1, 1), origin: 'pixel.png', attachment: null },
  ];
  const warnings: string[] = [];
  assert.deepEqual(await qrLinks(images, warnings), []);
  assert.equal(warnings.length, 5, warnings.join('\n'));
  assert.match(warnings[0], /^bomb\.png: not read for a QR code: declares 30000 × 30000 pixels/);
  assert.match(warnings[1], /^bomb\.jpg: not read for a QR code: declares 60000 × 60000 pixels/);
  assert.match(warnings[2], /^cut\.png: not read for a QR code: /);
  assert.match(warnings[3], /^bad\.gif: not read for a QR code: /);
  assert.equal(warnings[4], 'fake.png: not read for a QR code: not a PNG, JPEG or GIF image');
  // Every truncation of a real image: an error or nothing, never a throw out of qrLinks.
  for (const format of ['qr.png', 'qr.jpg', 'qr.gif']) {
    const bytes = image(format);
    for (let cut = 0; cut < bytes.length; cut += 41) {
      await qrLinks([{ bytes: bytes.subarray(0, cut), origin: format, attachment: null }], []);
    }
  }
});

test('spacers and thin logo strips are not decoded; banners at least 50 pixels high are', () => {
  const sized = (width: number, height: number) => mayHoldQrCode({ format: 'png', width, height });
  assert.deepEqual(
    [sized(20, 20), sized(21, 21), sized(196, 96), sized(171, 46), sized(254, 44), sized(600, 200), sized(697, 908)],
    [false, true, true, false, false, true, true],
  );
  assert.deepEqual([sized(601, 200), sized(728, 90), sized(90, 728), sized(320, 50), sized(696, 49)], [true, true, true, true, false]);
});

test('a PNG or GIF as large as a photograph for its pixels is not decoded; a JPEG says too little by its size', () => {
  const photo = { width: 697, height: 908 };
  assert.equal(mayHoldQrCode({ format: 'png', ...photo }, 537_875), false);
  assert.equal(mayHoldQrCode({ format: 'gif', ...photo }, 537_875), false);
  assert.equal(mayHoldQrCode({ format: 'png', ...photo }, 60_000), true, 'a scanned letter with a code in it');
  assert.equal(mayHoldQrCode({ format: 'jpeg', ...photo }, 537_875), true);
  assert.equal(mayHoldQrCode(imageSize(PNG_QR)!, PNG_QR.byteLength), true);
});

test('at most MAX_QR_IMAGES images are decoded per message; the rest are counted in a warning', async () => {
  const images = Array.from({ length: MAX_QR_IMAGES + 3 }, (_, i) => ({ bytes: PNG_QR, origin: `copy ${i + 1}`, attachment: null }));
  const warnings: string[] = [];
  const links = await qrLinks(images, warnings);
  assert.equal(links.length, MAX_QR_IMAGES);
  assert.deepEqual(links[0], { url: 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan', origin: 'copy 1', attachment: null });
  assert.deepEqual(warnings, [
    `3 image(s) not read for QR codes: at most ${MAX_QR_IMAGES} images scanned and 12000000 pixels decoded per message`,
  ]);
});

test('logos decoded and found to hold no code do not count toward MAX_QR_IMAGES: a QR image after many is read', async () => {
  const logos = ['MORGANBANK', 'GAMESBANK', 'BANKSEGORE'].flatMap((word) =>
    [4, 5, 6, 7].map((scale) => pngOf(lettering(word, scale, 60 + scale * 4))),
  );
  assert.ok(logos.length > MAX_QR_IMAGES);
  for (const logo of logos) assert.ok(mayHoldQrCode(imageSize(logo)!, logo.byteLength), 'each logo is decoded');
  const images: MailImage[] = [...logos, PNG_QR].map((bytes, i) => ({ bytes, origin: `image ${i + 1}`, attachment: null }));
  const warnings: string[] = [];
  assert.deepEqual(await qrLinks(images, warnings), [
    { url: 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan', origin: `image ${logos.length + 1}`, attachment: null },
  ]);
  assert.deepEqual(warnings, []);
});

test('QR payloads: a bare URL, a URL in text; a payload with no web address gives none', () => {
  assert.deepEqual(qrPayloadUrls('https://a.example/x?y=1'), ['https://a.example/x?y=1']);
  assert.deepEqual(qrPayloadUrls('URLTO:https://b.example/login'), ['https://b.example/login']);
  assert.deepEqual(qrPayloadUrls('BEGIN:VCARD\nURL:https://c.example/card\nEND:VCARD'), ['https://c.example/card']);
  assert.deepEqual(qrPayloadUrls('WIFI:S:guest;T:WPA;P:secret;;'), []);
  assert.deepEqual(qrPayloadUrls('Scan: https://d.example/verify?u=1 to keep access'), ['https://d.example/verify?u=1']);
  // A defanged address is no link a phone opens: no URL (its warning quotes the payload).
  assert.deepEqual(qrPayloadUrls('Scan: hxxps://e.example/login'), []);
});

test('QR bookmarks and bare hosts are read as phone readers open them', () => {
  assert.deepEqual(qrPayloadUrls('MEBKM:TITLE:Bank;URL:https\\://bank-verify.example/a?b=1;;'), ['https://bank-verify.example/a?b=1']);
  assert.deepEqual(qrPayloadUrls('MEBKM:URL:bank-verify.example/login;TITLE:Bank;;'), ['http://bank-verify.example/login']);
  assert.deepEqual(qrPayloadUrls('URLTO:Bank:bank-verify.example/login'), ['http://bank-verify.example/login']);
  assert.deepEqual(qrPayloadUrls('URLTO::https://bank-verify.example/x'), ['https://bank-verify.example/x']);
  assert.deepEqual(qrPayloadUrls('evil-login.example/m365?u=trap31'), ['http://evil-login.example/m365?u=trap31']);
  assert.deepEqual(qrPayloadUrls('Call us: 555 0100'), []);
});

test('data: images of an HTML document are found in img src and CSS, whatever the case and spacing', () => {
  const base64 = PNG_QR.toString('base64');
  const html =
    `<img src="data:image/png;base64,${base64}"><div style="background:url('DATA:IMAGE/GIF; BASE64, R0lGODlh')"></div>` +
    '<img src="data:image/svg+xml;base64,PHN2Zy8+">';
  const images = dataUriImages(html);
  assert.equal(images.length, 2);
  assert.ok(Buffer.from(images[0]).equals(PNG_QR));
  assert.equal(Buffer.from(images[1]).toString('latin1'), 'GIF89a');
  assert.ok(isImageFile('image/png', null, Buffer.from('not one')));
  assert.ok(isImageFile('application/octet-stream', 'scan.bin', PNG_QR));
  assert.ok(!isImageFile('image/svg+xml', 'logo.svg', Buffer.from('<svg/>')));
});

test('a picture mostly dark and light is read for a code; a mid-toned one (a photograph) is not', async () => {
  const code = await decodePixels(PNG_QR, imageSize(PNG_QR)!);
  assert.deepEqual([darkOnLight(toneShares(code)), lightOnDark(toneShares(code))], [true, false]);
  const width = 100;
  const height = 100;
  const gray = new Uint8ClampedArray(width * height * 4).fill(128);
  assert.equal(darkOnLight(toneShares({ data: gray, width, height })), false);
  assert.equal(lightOnDark(toneShares({ data: gray, width, height })), false);
});

/** Pixels as a PNG file. */
function pngOf(pixels: Pixels): Buffer {
  const png = new PNG({ width: pixels.width, height: pixels.height });
  png.data.set(pixels.data);
  return PNG.sync.write(png);
}

test('a light-on-dark QR code is read inverted; a dark picture with a dark-on-light code in a white box still is', async () => {
  const inverted = image('qr-inverted.png');
  const shares = toneShares(await decodePixels(inverted, imageSize(inverted)!));
  assert.ok(shares.dark > shares.light && lightOnDark(shares), JSON.stringify(shares));
  assert.equal(await readQrCode(inverted), 'http://click.mailer-esp.test/c/http-302?mid=qr5&lid=inverted');
  // The ordinary code, its white quiet zone a box in a dark card larger than it: mostly dark, but read as it is.
  const code = await decodePixels(PNG_QR, imageSize(PNG_QR)!);
  const side = Math.round(code.width * 1.3);
  const card = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < card.length; i += 4) card.set([20, 20, 30, 255], i);
  const offset = Math.round((side - code.width) / 2);
  for (let y = 0; y < code.height; y++)
    card.set(code.data.subarray(y * code.width * 4, (y + 1) * code.width * 4), ((y + offset) * side + offset) * 4);
  const cardShares = toneShares({ data: card, width: side, height: side });
  assert.ok(cardShares.dark > cardShares.light && darkOnLight(cardShares), JSON.stringify(cardShares));
  assert.equal(
    await readQrCode(pngOf({ data: card, width: side, height: side })),
    'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan',
  );
});

test('a QR code at the end of a wide banner is read, so is one in a tall banner and in a 600 × 150 one', async () => {
  const banner = image('qr-banner.png');
  assert.deepEqual(imageSize(banner), { format: 'png', width: 728, height: 90 });
  const url = 'http://click.mailer-esp.test/c/http-302?mid=qr6&lid=banner';
  assert.deepEqual(await qrLinks([{ bytes: banner, origin: 'banner.png', attachment: null }], []), [
    { url, origin: 'banner.png', attachment: null },
  ]);
  const pixels = await decodePixels(banner, imageSize(banner)!);
  // Turned a quarter: a 90 × 728 skyscraper whose code is at its bottom.
  const tall = new Uint8ClampedArray(pixels.data.length);
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++)
      tall.set(pixels.data.subarray((y * pixels.width + x) * 4, (y * pixels.width + x) * 4 + 4), (x * pixels.height + y) * 4);
  }
  assert.equal(await readQrCode(pngOf({ data: tall, width: pixels.height, height: pixels.width })), url);
  // The code scaled up into the middle of a 600 × 150 banner of mid-toned colour, past the window edges.
  const wide = new Uint8ClampedArray(600 * 150 * 4);
  for (let i = 0; i < wide.length; i += 4) wide.set([200, 120, 40, 255], i);
  const code = await decodePixels(PNG_QR, imageSize(PNG_QR)!);
  for (let y = 0; y < 140; y++) {
    for (let x = 0; x < 140; x++) {
      const from = (Math.floor((y * code.height) / 140) * code.width + Math.floor((x * code.width) / 140)) * 4;
      wide.set(code.data.subarray(from, from + 4), ((y + 5) * 600 + x + 251) * 4);
    }
  }
  assert.equal(
    await readQrCode(pngOf({ data: wide, width: 600, height: 150 })),
    'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan',
  );
});

/** What qrLinks makes of `images` in a fresh process, and which of the decoders and jsQR it loaded (CommonJS: listed in require.cache). */
function inFreshProcess(images: Buffer[]): { links: QrLink[]; warnings: string[]; loaded: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    import { readFileSync } from 'node:fs';
    const { qrLinks } = await import(${JSON.stringify(new URL('./qr-codes.js', import.meta.url).href)});
    const images = JSON.parse(readFileSync(0, 'utf8')).map((b64, i) => ({ bytes: Buffer.from(b64, 'base64'), origin: 'image ' + (i + 1), attachment: null }));
    const warnings = [];
    const links = await qrLinks(images, warnings);
    const paths = Object.keys(createRequire(import.meta.url).cache);
    const loaded = ['jpeg-js', 'jsqr', 'omggif', 'pngjs'].filter((name) => paths.some((path) => path.includes('/node_modules/' + name + '/')));
    console.log(JSON.stringify({ links, warnings, loaded }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(images.map((bytes) => bytes.toString('base64'))),
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { links: QrLink[]; warnings: string[]; loaded: string[] };
}

test('a wide logo whose lettering is dark on light as a code, and an empty image part, do not load the QR reader', () => {
  const logo = pngOf(lettering('MORGANBANK', 6, 99));
  assert.deepEqual(imageSize(logo), { format: 'png', width: 380, height: 99 });
  assert.ok(mayHoldQrCode(imageSize(logo)!, logo.byteLength), 'decoded as a possible banner');
  assert.deepEqual(inFreshProcess([Buffer.alloc(0), logo]), {
    links: [],
    warnings: ['image 1: not read for a QR code: not a PNG, JPEG or GIF image'],
    loaded: ['pngjs'],
  });
  const banner = inFreshProcess([logo, image('qr-banner.png')]);
  assert.deepEqual(banner.links, [
    { url: 'http://click.mailer-esp.test/c/http-302?mid=qr6&lid=banner', origin: 'image 2', attachment: null },
  ]);
  assert.deepEqual(banner.loaded, ['jsqr', 'pngjs']);
  // A JPEG loads its own decoder only.
  assert.deepEqual(inFreshProcess([image('qr.jpg')]).loaded, ['jpeg-js', 'jsqr']);
});

test('the built command line reads QR codes in PNG, JPEG and GIF images: its decoders are bundled chunks loaded on demand', async () => {
  const messages: [string, string][] = [
    ['qr-inline-mfa.eml', 'http://click.mailer-esp.test/c/http-302?mid=qr1&lid=scan'],
    ['qr-attached-jpeg.eml', 'http://click.mailer-esp.test/c/http-303?mid=qr2&lid=jpeg'],
    ['qr-data-uri-gif.eml', 'http://click.mailer-esp.test/c/http-308?mid=qr3&lid=gif'],
  ];
  for (const [name, url] of messages) {
    const run = await cli(['mail', projectPath('test', 'fixtures', 'mail', 'main-link', name), '--no-visit', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /not read for a QR code/, name);
    assert.match(run.stdout, new RegExp(`"url": "${url.replace(/[?.]/g, '\\$&')}",\\s*"text": null,\\s*"kind": "qr-code"`), name);
  }
});
