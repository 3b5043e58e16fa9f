import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CLICK_LENGTH, MAX_CLICKS, oneMessage, validClicks, withOptions } from './submission-input.js';
import { SubmissionError } from './submission-error.js';

const LIMIT = 1024 * 1024;

function refusal(code: string) {
  return (err: unknown) => err instanceof SubmissionError && err.code === code;
}

test('submission input: click texts, one a line, blank ones left out', () => {
  assert.deepEqual(validClicks(undefined), []);
  assert.deepEqual(validClicks(''), []);
  assert.deepEqual(validClicks(' Sign in \r\n\nContinue '), ['Sign in', 'Continue']);
  assert.deepEqual(validClicks(['Open', ' View document ']), ['Open', 'View document']);
  assert.throws(() => validClicks([1]), refusal('bad-clicks'));
  assert.throws(() => validClicks(Array.from({ length: MAX_CLICKS + 1 }, (_, i) => `c${i}`)), refusal('bad-clicks'));
  assert.throws(() => validClicks('x'.repeat(MAX_CLICK_LENGTH + 1)), refusal('bad-clicks'));
});

test('submission input: options only when there are any', () => {
  assert.deepEqual(withOptions(undefined), {});
  assert.deepEqual(withOptions({}), {});
  assert.deepEqual(withOptions({ device: 'mobile' }), { options: { device: 'mobile' } });
});

test('submission input: an upload is its message; an mbox of one is that message, of several is refused', async () => {
  const message = 'From: a@example.test\r\nSubject: hi\r\n\r\nbody\r\n';
  assert.equal((await oneMessage(Buffer.from(message), LIMIT)).toString(), message);
  const mbox = (body: string) =>
    `From a@example.test Sat Jan  1 00:00:00 2026\nFrom: a@example.test\nSubject: ${body}\n\n>From the start\n\n`;
  const one = (await oneMessage(Buffer.from(mbox('one')), LIMIT)).toString();
  assert.ok(one.startsWith('From: a@example.test\nSubject: one\n'));
  assert.ok(one.includes('\nFrom the start\n'));
  await assert.rejects(
    oneMessage(Buffer.from(mbox('one') + mbox('two')), LIMIT),
    (err: unknown) => refusal('bad-message')(err) && /a mailbox of 2 messages/.test((err as Error).message),
  );
});
