import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingertip, landedWhereIntended } from './touch.js';

test('a touch that landed where intended, or was not seen in the top document, stands', () => {
  assert.equal(landedWhereIntended({ x: 77.4375, y: 161.03125 }, [77.4375, 161.03125]), true);
  assert.equal(landedWhereIntended({ x: 77.4375, y: 161.03125 }, [77, 161]), true);
  assert.equal(landedWhereIntended({ x: 77.4375, y: 161.03125 }, null), true);
});

test('a touch that landed elsewhere does not', () => {
  // The full build's misplaced touch (before its device metrics were given again): the point divided by 2.625.
  assert.equal(landedWhereIntended({ x: 77.4375, y: 161.03125 }, [29.5, 61.345237731933594]), false);
  assert.equal(landedWhereIntended({ x: 100, y: 200 }, [80, 180]), false);
  assert.equal(landedWhereIntended({ x: 100, y: 200 }, [100, 202]), false);
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
