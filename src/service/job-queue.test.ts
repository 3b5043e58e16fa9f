import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobQueue } from './job-queue.js';

test('job queue: never more than the limit at once, every task runs, in order', async () => {
  const queue = new JobQueue(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  for (let i = 0; i < 10; i++) {
    queue.push(async () => {
      started.push(i);
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 3) throw new Error('a failing task does not stop the queue');
    });
  }
  await queue.idle();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(peak, 2);
  assert.equal(queue.peak, 2);
  assert.throws(() => new JobQueue(0), RangeError);
});
