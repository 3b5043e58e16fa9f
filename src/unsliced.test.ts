import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsliced } from './unsliced.js';

test('unsliced: the same text, lone surrogates and all', () => {
  for (const text of ['', 'a', 'http://x.example/', 'https://t.example/c?u=\ud800x&v="q"\\\n', 'bücher.example/ü'])
    assert.equal(unsliced(text), text);
});

test('unsliced: a cache keyed by it does not keep the text the key was cut from alive', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // A flat string of 1.2 MB, as a message body decoded from its bytes is.
  const body = (i: number) =>
    Buffer.from(`<p>${'lorem ipsum '.repeat(100_000)}</p><a href="https://t.example/offer/${i}">x</a>`).toString();
  const link = (html: string) => html.slice(html.indexOf('https://'), html.lastIndexOf('"'));
  const heapAfter = (key: (s: string) => string) => {
    const cache = new Map<string, number>();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20; i++) cache.set(key(link(body(i))), i);
    gc();
    return { grown: process.memoryUsage().heapUsed - before, cache };
  };
  const sliced = heapAfter((s) => s);
  const own = heapAfter(unsliced);
  // 20 bodies of 1.2 MB each held by the sliced keys; next to nothing by the own copies.
  assert.ok(sliced.grown > 10_000_000, `sliced keys hold their bodies (${sliced.grown} bytes)`);
  assert.ok(own.grown < 2_000_000, `unsliced keys hold none (${own.grown} bytes)`);
  assert.equal(own.cache.size, 20);
});
