import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysedInOrder, handleEach, STALL_MS } from './message-flow.js';
import type { MailSourceItem } from '../mail/mailbox.js';

const item = (n: number): MailSourceItem => ({ source: `m${n}`, raw: Buffer.from(`message ${n}`) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function* listed(items: MailSourceItem[]): AsyncGenerator<MailSourceItem> {
  for (const i of items) {
    await Promise.resolve();
    yield i;
  }
}

test('items come in the source order, analysed ahead, whatever order their analyses end in', async () => {
  const started: string[] = [];
  const analyze = async (i: { source: string }) => {
    started.push(i.source);
    await sleep(i.source === 'm0' ? 30 : 1);
    return i.source.toUpperCase();
  };
  const seen: string[] = [];
  for await (const { item: i, analysis } of analysedInOrder(listed([0, 1, 2, 3, 4].map(item)), analyze, 3, () => false)) {
    // When the first is handed out, the next two are already being analysed.
    if (i.source === 'm0') assert.deepEqual(started, ['m0', 'm1', 'm2']);
    seen.push(`${i.source}=${await analysis}`);
  }
  assert.deepEqual(seen, ['m0=M0', 'm1=M1', 'm2=M2', 'm3=M3', 'm4=M4']);
});

test('an unreadable item and the items read once stopped are not analysed', async () => {
  let stopped = false;
  const items: MailSourceItem[] = [item(0), { source: 'm1', error: 'unreadable' }, item(2), item(3)];
  const analysed: string[] = [];
  const out: [string, boolean][] = [];
  for await (const { item: i, analysis } of analysedInOrder(
    listed(items),
    (x) => {
      analysed.push(x.source);
      if (x.source === 'm2') stopped = true;
      return Promise.resolve(x.source);
    },
    1,
    () => stopped,
  ))
    out.push([i.source, analysis !== null]);
  assert.deepEqual(analysed, ['m0', 'm2']);
  assert.deepEqual(out, [
    ['m0', true],
    ['m1', false],
    ['m2', true],
    ['m3', false],
  ]);
});

test('a source that keeps its next item (a pipe still written) has the analysed first given after STALL_MS', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  async function* pipe(): AsyncGenerator<MailSourceItem> {
    yield item(0);
    await held;
    yield item(1);
  }
  const at = Date.now();
  const flow = analysedInOrder(
    pipe(),
    (x) => Promise.resolve(x.source),
    16,
    () => false,
  );
  const first = await flow.next();
  const waited = Date.now() - at;
  assert.equal(first.done, false);
  assert.equal(first.value.item.source, 'm0');
  assert.ok(waited >= STALL_MS - 5 && waited < STALL_MS + 2000, `given after ${waited} ms`);
  release();
  assert.equal((await flow.next()).value!.item.source, 'm1');
  assert.equal((await flow.next()).done, true);
});

test('handleEach handles at most atOnce at a time, and stops reading once told to', async () => {
  let running = 0;
  let most = 0;
  const handled: string[] = [];
  const flow = analysedInOrder(
    listed([0, 1, 2, 3, 4, 5].map(item)),
    (x) => Promise.resolve(x.source),
    2,
    () => false,
  );
  await handleEach(
    flow,
    2,
    () => handled.length >= 4,
    async (i) => {
      running++;
      most = Math.max(most, running);
      await sleep(5);
      handled.push(i.source);
      running--;
    },
  );
  assert.equal(most, 2);
  assert.ok(handled.length >= 4 && handled.length < 6, `handled ${handled.join(',')}`);
  assert.deepEqual(handled, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'].slice(0, handled.length));
});
