import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadPartyRules, readRulesJson } from '../parties-rules.js';
import { loadWrapperRules, validateWrapperRules } from './rules.js';
import type { WrapperRule } from './types.js';
import { decodeOnce } from './unwrap.js';

const doc = readRulesJson('wrappers.json') as { wrappers: WrapperRule[] };

test('rules/wrappers.json validates against the decoder registry and parties.json', () => {
  const partyIds = new Set(loadPartyRules().map((p) => p.id));
  assert.deepEqual(validateWrapperRules(doc, partyIds), []);
  assert.equal(loadWrapperRules().length, doc.wrappers.length);
});

test('validation catches broken rules', () => {
  const problems = validateWrapperRules(
    {
      wrappers: [
        { id: 'x', party: 'nobody', decoder: 'nope', sources: [] },
        { id: 'x', party: null, decoder: 'param', path: '(', sources: ['B1'] },
      ],
    },
    new Set(),
  );
  assert.ok(problems.some((p) => p.includes('unknown party nobody')));
  assert.ok(problems.some((p) => p.includes('unknown decoder nope')));
  assert.ok(problems.some((p) => p.includes('needs hosts')));
  assert.ok(problems.some((p) => p.includes('duplicate id')));
  assert.ok(problems.some((p) => p.includes('bad path')));
});

describe('every wrapper rule sample decodes with its own rule', () => {
  for (const rule of doc.wrappers.filter((w) => w.sample)) {
    test(rule.id, () => {
      const step = decodeOnce(rule.sample!.url);
      assert.equal(step?.ruleId, rule.id);
      assert.deepEqual(step?.outcome.kind === 'decoded' ? step.outcome.target : step?.outcome, rule.sample!.target);
    });
  }
});
