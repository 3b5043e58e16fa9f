import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { drawBox } from './marked-screenshot.js';

function solid(width: number, height: number, rgb: [number, number, number]): Buffer {
  const image = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) image.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(image);
}

function pixel(png: Buffer, x: number, y: number): number[] {
  const { width, data } = PNG.sync.read(png);
  return [...data.subarray((y * width + x) * 4, (y * width + x) * 4 + 3)];
}

test('a frame around the box on a copy; the box itself and the rest untouched', () => {
  const original = solid(200, 100, [200, 200, 200]);
  const before = Buffer.from(original);
  const marked = drawBox(original, { x: 50, y: 30, width: 60, height: 20 }, 1);
  assert.deepEqual(original, before, 'the screenshot given is not changed');
  assert.deepEqual(pixel(marked, 80, 40), [200, 200, 200], 'inside the box');
  assert.deepEqual(pixel(marked, 5, 5), [200, 200, 200], 'far outside');
  assert.deepEqual(pixel(marked, 46, 40), [255, 0, 64], 'the frame left of the box');
  assert.deepEqual(pixel(marked, 49, 40), [255, 255, 255], 'the light edge next to it');
  const { width, height } = PNG.sync.read(marked);
  assert.deepEqual([width, height], [200, 100]);
});

test('device pixels: the box is scaled; a frame at the edge is cut, not wrapped', () => {
  const marked = drawBox(solid(100, 60, [0, 0, 0]), { x: 0, y: 0, width: 20, height: 10 }, 2);
  assert.deepEqual(pixel(marked, 20, 10), [0, 0, 0], 'inside the scaled box');
  assert.deepEqual(pixel(marked, 44, 10), [255, 0, 64], 'the frame right of the scaled box');
  assert.deepEqual(pixel(marked, 99, 10), [0, 0, 0], 'nothing wrapped to the far edge');
});
