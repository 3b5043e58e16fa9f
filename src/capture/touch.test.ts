import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingertip, touchCorrection } from './touch.js';

test('a touch that landed where intended, or was not seen in the top document, stands', () => {
  assert.equal(touchCorrection({ x: 77.4375, y: 161.03125 }, [77.4375, 161.03125]), 'here');
  assert.equal(touchCorrection({ x: 77.4375, y: 161.03125 }, [77, 161]), 'here');
  assert.equal(touchCorrection({ x: 77.4375, y: 161.03125 }, null), 'here');
});

test('a touch misplaced by a scale (full Chromium, device scale factor 2.625) is sent again scaled up', () => {
  // Measured: a touch sent at (77.4375, 161.03125) reached the page at (29.5, 61.345…).
  const again = touchCorrection({ x: 77.4375, y: 161.03125 }, [29.5, 61.345237731933594]);
  assert.ok(again !== null && again !== 'here');
  assert.ok(Math.abs(again.x - 77.4375 * 2.625) < 0.01 && Math.abs(again.y - 161.03125 * 2.625) < 0.01, JSON.stringify(again));
});

test('a touch that landed elsewhere for no known reason is not sent again', () => {
  // Off by an offset, not a scale.
  assert.equal(touchCorrection({ x: 100, y: 200 }, [80, 180]), null);
  // Scaled the other way, or at the origin.
  assert.equal(touchCorrection({ x: 100, y: 200 }, [200, 400]), null);
  assert.equal(touchCorrection({ x: 100, y: 200 }, [0, 0]), null);
  // Scaled on one axis only.
  assert.equal(touchCorrection({ x: 100, y: 200 }, [50, 200]), null);
});

test('a fingertip has a finger’s contact, a little different each time', () => {
  const low = fingertip({ x: 10, y: 20 }, () => 0);
  const high = fingertip({ x: 10, y: 20 }, () => 0.999);
  for (const point of [low, high]) {
    assert.deepEqual([point.x, point.y, point.id], [10, 20, 0]);
    for (const radius of [point.radiusX!, point.radiusY!]) assert.ok(radius >= 10 && radius <= 13, String(radius));
    assert.ok(point.force! >= 0.4 && point.force! <= 0.65, String(point.force));
  }
  assert.notDeepEqual(low, high);
});
