// The finder-pattern look that spares the QR reader a logo: every code jsQR reads shows three,
// whatever its size, blur or JPEG loss; lettering dark on light as a code is shows none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import jsqr from 'jsqr';
import { finderPatterns, hasFinderPatterns } from './finder-patterns.js';
import { darkOnLight, decodePixels, toneShares, type Pixels } from './qr-reader.js';
import { imageSize } from './image-size.js';
import { projectPath } from '../project-root.js';
import { lettering } from '../../test/support/lettering.js';

const image = (name: string) => readFileSync(projectPath('test', 'fixtures', 'mail', 'attachments', name));
const decoded = (bytes: Buffer) => decodePixels(bytes, imageSize(bytes)!);
const QR_PIXELS = await decoded(image('qr.png'));

test('the fixtures’ codes show three finder patterns, the banner’s too', async () => {
  for (const name of ['qr.png', 'qr.jpg', 'qr.gif', 'qr-banner.png']) assert.ok(hasFinderPatterns(await decoded(image(name))), name);
  const corners = finderPatterns(QR_PIXELS).slice(0, 2);
  assert.deepEqual(corners, [
    { x: 37, y: 37, module: 5 },
    { x: 167, y: 37, module: 5 },
  ]);
});

/** The code of qr.png drawn `side` pixels wide (each pixel the average it covers) in a white square 6 pixels larger. */
function codeOfSide(side: number): Pixels {
  const code = QR_PIXELS;
  const width = side + 6;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let sum = 0;
      let count = 0;
      for (let sy = Math.floor((y * code.height) / side); sy < Math.ceil(((y + 1) * code.height) / side); sy++) {
        for (let sx = Math.floor((x * code.width) / side); sx < Math.ceil(((x + 1) * code.width) / side); sx++, count++) {
          sum += code.data[(sy * code.width + sx) * 4];
        }
      }
      data.set([sum / count, sum / count, sum / count, 255], ((y + 3) * width + x + 3) * 4);
    }
  }
  return { data, width, height: width };
}

test('every size of a code jsQR reads, sharp or JPEG-blurred, shows three finder patterns', () => {
  let read = 0;
  for (let side = 30; side <= 200; side += 5) {
    const sharp = codeOfSide(side);
    const lossy = jpeg.decode(jpeg.encode(sharp, 60).data, { useTArray: true, formatAsRGBA: true });
    for (const pixels of [sharp, { data: new Uint8ClampedArray(lossy.data), width: lossy.width, height: lossy.height }]) {
      if (jsqr.default(pixels.data, pixels.width, pixels.height, { inversionAttempts: 'dontInvert' }) === null) continue;
      read++;
      assert.ok(hasFinderPatterns(pixels), `${pixels.width} pixels`);
    }
  }
  assert.ok(read >= 50, `${read} read`);
});

test('a logo’s lettering, dark on light as a code is, shows no finder pattern', () => {
  for (const word of ['BANKSEGORE', 'MORGANBANK', 'GAMESBANK']) {
    for (let scale = 4; scale <= 10; scale++) {
      const logo = lettering(word, scale, 99);
      assert.ok(darkOnLight(toneShares(logo)), `${word} at ${scale}: its tones look like a code's`);
      assert.deepEqual(finderPatterns(logo), [], `${word} at ${scale}`);
    }
  }
});
