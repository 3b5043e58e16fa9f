import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choiceArguments, choiceFields, traceChoices } from './submission-options.js';
import { SubmissionError } from './submission-error.js';

test('traceChoices: the JSON and form shapes give the same validated options', () => {
  assert.deepEqual(traceChoices({}), {});
  assert.deepEqual(
    traceChoices({ device: '', userAgent: ' ', explore: '', exploreDepth: '', timeout: '' }),
    {},
    'empty form fields are absent',
  );
  assert.deepEqual(traceChoices({ device: 'mobile', userAgent: 'UA/1.0', explore: 'off', timeout: '25' }), {
    device: 'mobile',
    userAgent: 'UA/1.0',
    exploreDepth: 0,
    timeoutMs: 25_000,
  });
  assert.deepEqual(traceChoices({ explore: true }), { exploreDepth: 1 });
  assert.deepEqual(traceChoices({ explore: 'on', exploreDepth: 3 }), { exploreDepth: 3 });
  assert.deepEqual(traceChoices({ explore: false, exploreDepth: 3 }), { exploreDepth: 0 }, 'off wins');
  // nudge: said either way (the JSON's booleans, the form's on/off), absent when not said.
  assert.deepEqual(traceChoices({ nudge: false }), { nudge: false });
  assert.deepEqual(traceChoices({ nudge: 'off' }), { nudge: false });
  assert.deepEqual(traceChoices({ nudge: true }), { nudge: true });
  assert.deepEqual(traceChoices({ nudge: 'on' }), { nudge: true });
  assert.deepEqual(traceChoices({ nudge: '' }), {});
  assert.deepEqual(traceChoices({ nudge: null }), {});
});

test('traceChoices: anything else is a 400 that names the field', () => {
  for (const [raw, message] of [
    [{ device: 'tablet' }, /^device: expected desktop or mobile/],
    [{ userAgent: 'a\nb' }, /^userAgent: only printable ASCII/],
    [{ userAgent: 'é' }, /^userAgent: only printable ASCII/],
    [{ userAgent: 'a'.repeat(513) }, /^userAgent: longer than 512/],
    [{ explore: 'maybe' }, /^explore: expected true or false/],
    [{ exploreDepth: 11 }, /^exploreDepth: expected a number from 1 to 10/],
    [{ exploreDepth: 1.5 }, /^exploreDepth: expected a whole number/],
    [{ timeout: 'soon' }, /^timeout: expected a number from 1 to 600/],
    [{ timeout: 601 }, /^timeout: expected a number/],
    [{ device: ['mobile'] }, /^device: expected a single value/],
    [{ nudge: 'sometimes' }, /^nudge: expected true or false/],
    [{ nudge: [false] }, /^nudge: expected a single value/],
  ] as const) {
    assert.throws(
      () => traceChoices(raw),
      (err) => err instanceof SubmissionError && err.status === 400 && message.test(err.message),
      JSON.stringify(raw),
    );
  }
});

test('choiceArguments: the options as the trace command writes them (the case records them)', () => {
  assert.deepEqual(choiceArguments({ device: 'mobile', userAgent: 'UA', exploreDepth: 0, timeoutMs: 25_000 }), [
    '--device',
    'mobile',
    '--user-agent',
    'UA',
    '--no-explore',
    '--timeout',
    '25',
  ]);
  assert.deepEqual(choiceArguments({ exploreDepth: 2 }), ['--explore-depth', '2']);
  // The trace command nudges unless told not to: only "off" is an option of its own.
  assert.deepEqual(choiceArguments({ device: 'mobile', nudge: false }), ['--device', 'mobile', '--no-nudge']);
  assert.deepEqual(choiceArguments({ nudge: true }), []);
  assert.deepEqual(choiceArguments({}), []);
});

test('choiceFields: what a client sends reads back as the same choices', () => {
  for (const choices of [
    {},
    { device: 'mobile', userAgent: 'UA/1.0 (x)', exploreDepth: 2, timeoutMs: 25_000 },
    { exploreDepth: 0 },
    { timeoutMs: 1500 },
    { nudge: false },
    { device: 'mobile', nudge: true },
  ] as const)
    assert.deepEqual(traceChoices(choiceFields(choices)), choices);
});
