import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOUSE_POLL_MS, minimumJerk, mousePath, scrolledPast, swipe, waypoints, wheelTimes, type Random } from './hand-motion.js';

/** A repeatable stand-in for Math.random (a linear congruential generator). */
function seeded(seed: number): Random {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test('a stroke of the hand starts and ends slowly, fastest in the middle', () => {
  assert.equal(minimumJerk(0), 0);
  assert.equal(minimumJerk(1), 1);
  assert.equal(minimumJerk(0.5), 0.5);
  const speed = (tau: number) => minimumJerk(tau + 0.01) - minimumJerk(tau);
  assert.ok(speed(0.45) > 5 * speed(0.02) && speed(0.45) > 5 * speed(0.97));
});

test('a mouse path: several strokes, 300 to 700 ms of movement, a report every 4 ms or so, its speed never constant', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const random = seeded(seed);
    const points = waypoints(1366, 768, random);
    assert.ok(points.length >= 4 && points.length <= 5, String(points.length));
    for (const [x, y] of points)
      assert.ok(x >= 0.04 * 1366 - 1e-9 && x <= 0.96 * 1366 + 1e-9 && y >= 0.04 * 768 - 1e-9 && y <= 0.96 * 768 + 1e-9);
    const movingMs = 300 + random() * 400;
    const path = mousePath(points, movingMs, random);
    const span = path[path.length - 1].t - path[0].t;
    assert.ok(span >= 300 - MOUSE_POLL_MS, `seed ${seed}: ${span} ms`);
    assert.ok(span <= 700 + 3 * 90 + MOUSE_POLL_MS, `seed ${seed}: ${span} ms`);
    // Times only go forward, about a poll apart while moving; no two reports at one place.
    for (let i = 1; i < path.length; i++) {
      const dt = path[i].t - path[i - 1].t;
      assert.ok(dt > 3, `seed ${seed}: ${dt}`);
      assert.ok(path[i].x !== path[i - 1].x || path[i].y !== path[i - 1].y);
    }
    // Speed per report: a hand's changes a lot along the way (a script's is the same throughout).
    const speeds = path.slice(1).map((p, i) => Math.hypot(p.x - path[i].x, p.y - path[i].y) / (p.t - path[i].t));
    const mean = speeds.reduce((a, b) => a + b, 0) / speeds.length;
    const sd = Math.sqrt(speeds.reduce((a, b) => a + (b - mean) ** 2, 0) / speeds.length);
    assert.ok(sd / mean > 0.3, `seed ${seed}: ${sd / mean}`);
    // Fractional coordinates, as a real mouse's at a fractional scale.
    assert.ok(path.some((p) => !Number.isInteger(p.x)));
  }
});

test('the wheel turns in bursts of notches, unevenly, with pauses between', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const times = wheelTimes(8, seeded(seed));
    assert.equal(times.length, 8);
    assert.equal(times[0].t, 0);
    assert.ok(times[7].burstEnds);
    const gaps = times.slice(1).map((n, i) => n.t - times[i].t);
    assert.ok(
      gaps.every((g) => g >= 35 && g <= 380),
      gaps.join(),
    );
    assert.ok(new Set(gaps.map((g) => Math.round(g))).size > 3, gaps.join());
    assert.ok(times[7].t <= 2 * 380 + 5 * 100, String(times[7].t));
    assert.ok(
      gaps.some((g) => g >= 180),
      gaps.join(),
    );
  }
});

test("a finger's flick rests a moment, then slides up faster and faster the whole way", () => {
  const samples = swipe([200, 600], 300, seeded(7));
  assert.ok(samples[0].t >= 40 && samples[0].t <= 80 + 40, String(samples[0].t));
  const last = samples[samples.length - 1];
  assert.ok(Math.abs(last.y - 300) < 0.01, String(last.y));
  const steps = samples.slice(1).map((s, i) => samples[i].y - s.y);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], steps.join());
  // Past the touch slop (15 px) in its first few frames: a slide, never a tap.
  assert.ok(600 - samples[2].y > 15);
});

test('scrolled past a share of the way a page can scroll; a page that cannot is as far as it goes', () => {
  assert.equal(scrolledPast(0.5, 641, 2050, 768), true);
  assert.equal(scrolledPast(0.5, 640, 2050, 768), false);
  assert.equal(scrolledPast(0.6, 0, 700, 768), true);
});
