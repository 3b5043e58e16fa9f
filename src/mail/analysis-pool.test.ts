import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisPool } from './analysis-pool.js';
import { analyzeMessage } from './parse.js';
import { emlFiles, FIXTURE_CORPUS } from '../../test/support/corpus.js';

const sample = emlFiles(FIXTURE_CORPUS)
  .slice(0, 24)
  .map((name) => ({ name, raw: readFileSync(join(FIXTURE_CORPUS, name)) }));

test('the pool gives each message the analysis the main thread gives it', async () => {
  const pool = new AnalysisPool(2);
  try {
    const replies = await Promise.all(sample.map(({ name, raw }) => pool.analyze(raw, name)));
    for (const [i, { name, raw }] of sample.entries()) {
      const reply = replies[i];
      assert.ok('analysis' in reply, `${name}: ${'error' in reply ? reply.error : ''}`);
      assert.deepEqual(reply.analysis, await analyzeMessage(raw, name), name);
    }
  } finally {
    await pool.close();
  }
});

test('a worker that dies fails its message only; a new worker takes over', async () => {
  const pool = new AnalysisPool(1);
  try {
    await pool.ready();
    // Big enough that its analysis is still running when the worker is stopped.
    const html = '<p>' + '<a href="https://x.example/p?id=1">offer</a> text '.repeat(60_000) + '</p>';
    const big = Buffer.from(`From: a@x.example\r\nSubject: big\r\nContent-Type: text/html\r\n\r\n${html}\r\n`);
    const doomed = pool.analyze(big, 'doomed');
    // The worker is stopped while it holds the message (as an out-of-memory abort would).
    await (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0].worker.terminate();
    const reply = await doomed;
    assert.ok('error' in reply && /worker exited/.test(reply.error), JSON.stringify(reply).slice(0, 200));
    const next = await pool.analyze(sample[1].raw, sample[1].name);
    assert.ok('analysis' in next);
    assert.equal(next.analysis.source, sample[1].name);
  } finally {
    await pool.close();
  }
});
