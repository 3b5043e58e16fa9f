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

test('job queue: run() waits for a free slot and gives back what the task returned or threw', async () => {
  const queue = new JobQueue(1);
  const order: string[] = [];
  let release!: () => void;
  const first = queue.run(async () => {
    order.push('first');
    await new Promise<void>((r) => (release = r));
    return 1;
  });
  const second = queue.run(() => {
    order.push('second');
    return Promise.resolve('two');
  });
  const third = queue.run(() => Promise.reject(new Error('three')));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, ['first'], 'the second waits while the only slot is taken');
  release();
  assert.equal(await first, 1);
  assert.equal(await second, 'two');
  await assert.rejects(third, /three/);
  await assert.rejects(
    queue.run(() => {
      throw new Error('thrown before a promise');
    }),
    /thrown before a promise/,
  );
  await queue.idle();
  assert.equal(queue.peak, 1);
});

test('job queue: remove() drops a task that has not started (a cancelled job), never one that has', async () => {
  const queue = new JobQueue(1);
  const ran: string[] = [];
  let release!: () => void;
  const first = async () => {
    ran.push('first');
    await new Promise<void>((resolve) => (release = resolve));
  };
  const second = () => {
    ran.push('second');
    return Promise.resolve();
  };
  const third = () => {
    ran.push('third');
    return Promise.resolve();
  };
  queue.push(first);
  queue.push(second);
  queue.push(third);
  assert.equal(queue.remove(first), false, 'running: not removed');
  assert.equal(queue.remove(second), true);
  assert.equal(queue.remove(second), false, 'removed once');
  assert.equal(queue.queued, 1);
  release();
  await queue.idle();
  assert.deepEqual(ran, ['first', 'third']);
});
