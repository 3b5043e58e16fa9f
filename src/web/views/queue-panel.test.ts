import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessQueue, queuePanel } from './queue-panel.js';
import type { QueueStatus } from '../../fleet/dispatcher.js';

test('in process: the jobs by state and the concurrency', () => {
  const status = inProcessQueue(3, [{ state: 'queued' }, { state: 'done' }, { state: 'done' }, { state: 'failed' }]);
  assert.deepEqual(status.jobs, { queued: 1, running: 0, done: 2, failed: 1 });
  const text = queuePanel(status).toString();
  assert.match(text, /3 trace\(s\) at once/);
  assert.match(text, /data-count="done">2</);
  assert.doesNotMatch(text, /Workers/);
});

test('on a queue: Redis counts, each worker with its versions and heartbeat; what a worker says about itself is escaped', () => {
  const now = Date.now();
  const status: QueueStatus = {
    queue: 'redis://127.0.0.1:6379/0',
    jobs: { queued: 4, running: 2, done: 10, failed: 1 },
    redis: { waiting: 4, active: 2, completed: 10, failed: 1, delayed: 0 },
    workerTimeoutMs: 30_000,
    workers: [
      {
        id: 'h:1:a',
        name: '<script>alert(1)</script>',
        host: 'host\u001b[31m',
        version: '0.1.0',
        chromium: 'Chromium headless shell 156',
        concurrency: 2,
        firstSeen: new Date(now - 60_000).toISOString(),
        lastSeen: new Date(now - 2000).toISOString(),
        running: ['j000000000001'],
        stopping: false,
        ageMs: 2000,
        alive: true,
        state: 'alive',
        held: [{ id: 'j000000000001', url: 'http://x.test/<b>\u001b[2J', state: 'running' }],
      },
      {
        id: 'h:2:b',
        name: 'w2',
        host: 'h',
        version: '0.1.0',
        chromium: 'Chromium 156',
        concurrency: 4,
        firstSeen: new Date(now - 600_000).toISOString(),
        lastSeen: new Date(now - 90_000).toISOString(),
        running: [],
        stopping: false,
        ageMs: 90_000,
        alive: false,
        state: 'silent',
        held: [],
      },
    ],
  };
  const text = queuePanel(status).toString();
  assert.match(text, /4 waiting, 2 active,\s+10 completed, 1 failed/);
  assert.equal((text.match(/class="worker-row"/g) ?? []).length, 2);
  assert.ok(!text.includes('<script>alert'), 'a worker name is text, not markup');
  assert.ok(!text.includes('\u001b'), 'no control character reaches the page');
  assert.match(text, /silent/);
  // What each worker is doing: the job it holds, linked, with its link (escaped) and state.
  assert.match(text, /<a href="\/jobs\/j000000000001">j000000000001<\/a>\s+running <code>http:\/\/x\.test\/&lt;b&gt;/);
  assert.match(text, /Chromium headless shell 156/);
  const down = queuePanel({ ...status, redis: { error: 'redis://127.0.0.1:6379/0: connect ECONNREFUSED' } }).toString();
  assert.match(down, /Redis: redis:\/\/127\.0\.0\.1:6379\/0: connect ECONNREFUSED/);
});

test('a worker stopped with SIGTERM reads "stopped", not "silent"; a silent one shows what it held when last heard', () => {
  const now = Date.now();
  const worker = {
    id: 'h:3:c',
    name: 'w3',
    host: 'h',
    version: '0.1.0',
    chromium: 'Chromium 156',
    concurrency: 2,
    firstSeen: new Date(now - 600_000).toISOString(),
    lastSeen: new Date(now - 90_000).toISOString(),
    stopping: false,
    ageMs: 90_000,
    alive: false,
  };
  const status: QueueStatus = {
    queue: 'redis://127.0.0.1:6379/0',
    jobs: { queued: 0, running: 0, done: 3, failed: 1 },
    redis: { waiting: 0, active: 0, completed: 3, failed: 1, delayed: 0 },
    workerTimeoutMs: 30_000,
    workers: [
      { ...worker, stopping: true, running: [], state: 'stopped', held: [] },
      {
        ...worker,
        id: 'h:4:d',
        name: 'w4',
        running: ['j0000000000a1', 'j0000000000a2'],
        state: 'silent',
        held: [
          { id: 'j0000000000a1', url: 'http://a.test/1', state: 'failed' },
          { id: 'j0000000000a2', url: 'http://a.test/2', state: 'done' },
        ],
      },
    ],
  };
  const text = queuePanel(status).toString();
  assert.match(text, /<td>stopped<\/td>/);
  assert.match(text, /2 when last heard/);
  assert.match(text, /j0000000000a1<\/a>\s+failed <code>http:\/\/a\.test\/1<\/code>/);
});
