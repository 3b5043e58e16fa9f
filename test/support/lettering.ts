// A logo's lettering drawn in a 5 × 7 block font, dark blue on white: a wide picture whose tones
// look like a QR code's (dark on light, little in between) and which holds none.
import type { Pixels } from '../../src/mail/qr-reader.js';

const GLYPHS: Record<string, string[]> = {
  A: ['.111.', '1...1', '1...1', '11111', '1...1', '1...1', '1...1'],
  B: ['1111.', '1...1', '1...1', '1111.', '1...1', '1...1', '1111.'],
  E: ['11111', '1....', '1....', '1111.', '1....', '1....', '11111'],
  G: ['.111.', '1...1', '1....', '1.111', '1...1', '1...1', '.111.'],
  K: ['1...1', '1..1.', '1.1..', '11...', '1.1..', '1..1.', '1...1'],
  M: ['1...1', '11.11', '1.1.1', '1.1.1', '1...1', '1...1', '1...1'],
  N: ['1...1', '11..1', '1.1.1', '1..11', '1...1', '1...1', '1...1'],
  O: ['.111.', '1...1', '1...1', '1...1', '1...1', '1...1', '.111.'],
  R: ['1111.', '1...1', '1...1', '1111.', '1.1..', '1..1.', '1...1'],
  S: ['.1111', '1....', '1....', '.111.', '....1', '....1', '1111.'],
};

/** `word` (letters of GLYPHS) in glyph pixels of `scale` × `scale`, centred in a picture `height` high. */
export function lettering(word: string, scale: number, height: number): Pixels {
  const width = 20 + word.length * 6 * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  const top = Math.floor((height - 7 * scale) / 2);
  [...word].forEach((letter, i) =>
    GLYPHS[letter].forEach((row, gy) =>
      [...row].forEach((cell, gx) => {
        if (cell !== '1') return;
        for (let y = 0; y < scale; y++) {
          for (let x = 0; x < scale; x++) data.set([20, 30, 90, 255], ((top + gy * scale + y) * width + 10 + (i * 6 + gx) * scale + x) * 4);
        }
      }),
    ),
  );
  return { data, width, height };
}
