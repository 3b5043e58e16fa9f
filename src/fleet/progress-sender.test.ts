import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgressSender } from './progress-sender.js';
import { progressEvents, type ProgressData } from './protocol.js';

const event = (n: number) => ({ kind: 'exchange', detail: `200 GET http://hop-${n}.test/` });

test('the first event goes at once, the next ones together after the interval, the rest on flush; none lost, order kept', async () => {
  const sent: ProgressData[] = [];
  const sender = new ProgressSender((data) => Promise.resolve(void sent.push(data)), 40);
  sender.add({ kind: 'start', detail: 'http://hop-0.test/' });
  assert.equal(sent.length, 1, 'the start is shown without delay');
  for (let n = 1; n <= 5; n++) sender.add(event(n));
  assert.equal(sent.length, 1, 'later events wait for the interval');
  await sleep(80);
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1].events, [1, 2, 3, 4, 5].map(event));
  sender.add(event(6));
  sender.add({ kind: 'done', detail: 'case-1' });
  await sender.flush();
  assert.equal(sent.length, 3, 'flush sends what is left before the job ends');
  assert.deepEqual(
    sent.flatMap((d) => d.events.map((e) => e.detail)),
    ['http://hop-0.test/', ...[1, 2, 3, 4, 5, 6].map((n) => `200 GET http://hop-${n}.test/`), 'case-1'],
  );
  await sender.flush();
  assert.equal(sent.length, 3, 'nothing pending: nothing sent');
});

test('a send that fails costs nothing else', async () => {
  const sender = new ProgressSender(() => Promise.reject(new Error('Redis went away')), 10);
  sender.add(event(1));
  sender.add(event(2));
  await sender.flush();
  await sleep(20);
});

test('the server reads the well-formed events of an update and nothing else', () => {
  assert.deepEqual(progressEvents({ events: [event(1), { kind: 3 }, null, { kind: 'x'.repeat(60), detail: 'd' }] }), [
    event(1),
    { kind: 'x'.repeat(40), detail: 'd' },
  ]);
  assert.deepEqual(progressEvents({ kind: 'start', detail: 'a lone event, as earlier workers send' }), [
    { kind: 'start', detail: 'a lone event, as earlier workers send' },
  ]);
  assert.deepEqual(progressEvents(null), []);
  assert.deepEqual(progressEvents('text'), []);
});
