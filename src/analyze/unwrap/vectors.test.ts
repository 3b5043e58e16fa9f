// Every public vector of catalogue section B.3 (test/fixtures/unwrap/vectors.json), one test each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { findProjectFile } from '../parties-rules.js';
import { decodeProofpointV3 } from './proofpoint.js';
import { decodeOnce, unwrap } from './unwrap.js';

interface Vector {
  n: number;
  wrapper: string;
  input: string;
  expected: string;
  source: string;
  options?: { unquote?: boolean };
  outcome?: 'not-decoded';
  disagreement?: { note: string; official: string };
}

const fixture = JSON.parse(readFileSync(findProjectFile('test/fixtures/unwrap/vectors.json'), 'utf8')) as { vectors: Vector[] };

test('the fixture holds all 191 B.3 vectors, numbered 1..191', () => {
  assert.deepEqual(
    fixture.vectors.map((v) => v.n),
    Array.from({ length: 191 }, (_, i) => i + 1),
  );
});

function firstLayerTarget(input: string): string | null {
  const step = decodeOnce(input);
  if (!step) return null;
  return step.outcome.kind === 'decoded' || step.outcome.kind === 'hint' ? step.outcome.target : null;
}

for (const v of fixture.vectors) {
  test(`B.3 #${v.n} ${v.wrapper} (${v.source})`, () => {
    if (v.options?.unquote) {
      assert.deepEqual(decodeProofpointV3(v.input, { unquote: true }), { kind: 'decoded', target: v.expected });
      return;
    }
    if (v.outcome === 'not-decoded') {
      assert.equal(firstLayerTarget(v.input), null);
      assert.equal(unwrap(v.input).destination, null);
      return;
    }
    if (v.disagreement) {
      const got = firstLayerTarget(v.input);
      assert.equal(got, v.disagreement.official, v.disagreement.note);
      assert.notEqual(got, v.expected);
      return;
    }
    assert.equal(firstLayerTarget(v.input), v.expected);
  });
}

test('unwrap() never throws on any vector and starts with the decoding rule', () => {
  for (const v of fixture.vectors) {
    const result = unwrap(v.input);
    const step = decodeOnce(v.input);
    if (step) assert.equal(result.layers[0]?.rule, step.ruleId, `#${v.n}`);
  }
});
