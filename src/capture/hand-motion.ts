// How a person's hand moves, as points and times (pure: the nudge sends them, nudge.ts): a mouse
// path of a few curved strokes that speed up and slow down, a wheel turned a notch at a time in
// short bursts, a finger's swipe that flicks the page on. Each a little different every time.
export type Point = [x: number, y: number];
/** A number in [0, 1), as Math.random gives. */
export type Random = () => number;

/** A report of the mouse: where (CSS pixels, fractional as a real mouse's are), and when (ms from the first). */
export interface MouseSample {
  x: number;
  y: number;
  t: number;
}

/**
 * Time between two reports of the mouse: a USB mouse polled at 250 Hz (mice report at 125 to 1000
 * Hz), faster than frames: Chromium gives the page one pointermove per frame holding the reports
 * since the last (`getCoalescedEvents()`), as it does a real mouse's.
 */
export const MOUSE_POLL_MS = 4;
/** How long the mouse moves in all, at least and at most (the rests between strokes not counted). */
export const MOUSE_MOVING_MS: readonly [number, number] = [300, 700];
/** How long the hand rests between two strokes, at most (a rest is a stretch with no report). */
const STROKE_REST_MS = 90;

/** A number in [low, high), drawn with `random`. */
export const between = (random: Random, low: number, high: number) => low + random() * (high - low);
/** A coordinate to a hundredth of a pixel, as a real pointer reports it. */
export const hundredths = (v: number) => Math.round(v * 100) / 100;

/**
 * Where a stroke of the hand is at `tau` (0 to 1 of its time), as a fraction of its way: the
 * minimum-jerk profile of a reaching movement (Flash & Hogan 1985), slow at both ends, fastest in
 * the middle.
 */
export function minimumJerk(tau: number): number {
  return tau * tau * tau * (10 - 15 * tau + 6 * tau * tau);
}

/**
 * Waypoints of a hand's path in a viewport of `width` x `height`: from one of the places a pointer
 * comes in (the lower half, the sides) a few strokes of 60 to 240 px, mostly up and inwards (towards
 * what is read), never within 4% of an edge.
 */
export function waypoints(width: number, height: number, random: Random): Point[] {
  const entries: Point[] = [
    [0.62, 0.86],
    [0.9, 0.55],
    [0.12, 0.8],
    [0.5, 0.95],
  ];
  const [fx, fy] = entries[Math.floor(random() * entries.length)];
  const clamp = (v: number, size: number) => Math.min(size * 0.96, Math.max(size * 0.04, v));
  const points: Point[] = [[clamp(width * (fx + between(random, -0.04, 0.04)), width), clamp(height * fy, height)]];
  const strokes = 3 + Math.floor(random() * 2);
  for (let i = 0; i < strokes; i++) {
    const [x, y] = points[points.length - 1];
    const inwards = x > width / 2 ? Math.PI : 0;
    // Up and inwards, give or take 50 degrees; now and then a stroke back down a little.
    const angle = -Math.PI / 2 + (inwards === 0 ? 0.5 : -0.5) + between(random, -0.9, 0.9) + (random() < 0.2 ? Math.PI : 0);
    const length = between(random, 60, 240);
    points.push([clamp(x + Math.cos(angle) * length, width), clamp(y + Math.sin(angle) * length, height)]);
  }
  return points;
}

/**
 * The reports of a mouse moved by hand through `points`: a stroke between each two, bent a little
 * aside (a quadratic curve), travelled with the minimum-jerk profile and a hand's tremor (a
 * fraction of a pixel); the strokes take `movingMs` in all, shared by their lengths as a hand's
 * (a longer stroke is quicker per pixel), with a short rest between some. A report every 4 ms give or
 * take a USB frame's jitter while the mouse moves, none while it rests, none where it did not move.
 */
export function mousePath(points: readonly Point[], movingMs: number, random: Random): MouseSample[] {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p[0] - points[i][0], p[1] - points[i][1]));
  const weights = lengths.map((l) => Math.sqrt(Math.max(1, l)));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const samples: MouseSample[] = [{ x: hundredths(points[0][0]) + 0.37, y: hundredths(points[0][1]) + 0.21, t: 0 }];
  let t = 0;
  for (const [i, length] of lengths.entries()) {
    const [from, to] = [points[i], points[i + 1]];
    const ms = (movingMs * weights[i]) / weightSum;
    // Bent aside by up to a fifth of the stroke's length, either way.
    const side = between(random, -0.2, 0.2) * length;
    const [mx, my] = [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2];
    const [nx, ny] = length > 0 ? [-(to[1] - from[1]) / length, (to[0] - from[0]) / length] : [0, 0];
    const bend: Point = [mx + nx * side, my + ny * side];
    const start = t;
    const reports = Math.max(2, Math.round(ms / MOUSE_POLL_MS));
    for (let k = 1; k <= reports; k++) {
      const s = minimumJerk(k / reports);
      const u = 1 - s;
      const x = u * u * from[0] + 2 * u * s * bend[0] + s * s * to[0] + between(random, -0.3, 0.3);
      const y = u * u * from[1] + 2 * u * s * bend[1] + s * s * to[1] + between(random, -0.3, 0.3);
      const sample = { x: hundredths(x) + 0.37, y: hundredths(y) + 0.21, t: start + k * MOUSE_POLL_MS + between(random, -0.25, 0.25) };
      const last = samples[samples.length - 1];
      if (Math.abs(sample.x - last.x) < 0.05 && Math.abs(sample.y - last.y) < 0.05) continue;
      samples.push(sample);
    }
    t = start + reports * MOUSE_POLL_MS;
    if (i < lengths.length - 1 && random() < 0.6) t += between(random, 20, STROKE_REST_MS);
  }
  return samples;
}

/** How far a notch of a mouse wheel turns the page, as Chrome on Linux reports it (`deltaY`, pixels). */
export const WHEEL_NOTCH_PX = 120;
/** How many notches, at least and at most, the nudge turns the wheel (down). */
export const WHEEL_NOTCHES: readonly [number, number] = [3, 8];

/**
 * When each notch of a wheel turned by a finger comes (ms after the first), and whether a pause to
 * read follows it: in bursts of 3 or 4 notches 35 to 100 ms apart, 180 to 380 ms between bursts.
 */
export function wheelTimes(notches: number, random: Random): { t: number; burstEnds: boolean }[] {
  const times: { t: number; burstEnds: boolean }[] = [];
  let t = 0;
  let left = 0;
  for (let i = 0; i < notches; i++) {
    if (left === 0) left = 3 + Math.floor(random() * 2);
    left--;
    times.push({ t, burstEnds: left === 0 || i === notches - 1 });
    t += left === 0 ? between(random, 180, 380) : between(random, 35, 100);
  }
  return times;
}

/** A finger's positions (CSS pixels) and times (ms after it landed) on a touch screen: one a frame of a 60 Hz panel. */
export interface TouchSample {
  x: number;
  y: number;
  t: number;
}

/**
 * A flick up from `from` by about `distance` px: the finger rests a moment where it landed (40 to
 * 80 ms), then slides up faster and faster (with a little sideways drift) for 160 to 260 ms and lifts
 * while still moving, so the page flings on after it as a phone's does.
 */
export function swipe(from: Point, distance: number, random: Random): TouchSample[] {
  const rest = between(random, 40, 80);
  const ms = between(random, 160, 260);
  const drift = between(random, -0.12, 0.12) * distance;
  const frames = Math.max(4, Math.round(ms / (1000 / 60)));
  const samples: TouchSample[] = [];
  for (let k = 1; k <= frames; k++) {
    const tau = k / frames;
    // Accelerating: a flick leaves the screen at its fastest.
    const s = tau ** 1.7;
    samples.push({ x: hundredths(from[0] + drift * tau * tau), y: hundredths(from[1] - distance * s), t: rest + tau * ms });
  }
  return samples;
}

/**
 * Whether a page scrolled to `scrollY` of its `scrollHeight` in a viewport `innerHeight` high is
 * past `share` of the way it can scroll (a page that cannot scroll is as far as it goes).
 */
export function scrolledPast(share: number, scrollY: number, scrollHeight: number, innerHeight: number): boolean {
  const range = scrollHeight - innerHeight;
  return range <= 1 || scrollY >= share * range;
}
