import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCaseIds, batchCounts, planBatch, readSubmittedList, resolvedItems } from './batch-submission.js';
import { SubmissionError } from './submission-error.js';

const limits = { maxBytes: 1024, maxUrls: 3 };

test('a submitted list is read as a list file: junk kept with its line, a repeat (fragment aside) pointed at its first line', async () => {
  const raw = Buffer.from('# desk\nhttps://a.test/1\nnot a link\n\nhxxps://b[.]test/2\nhttps://a.test/1#again\n');
  const items = planBatch(await readSubmittedList(raw, limits));
  assert.deepEqual(items, [
    { line: 2, url: 'https://a.test/1', state: 'queued' },
    { line: 3, text: 'not a link', state: 'invalid', error: items[1].error },
    { line: 5, url: 'https://b.test/2', given: 'hxxps://b[.]test/2', refanged: ['hxxps', '[.]'], state: 'queued' },
    { line: 6, url: 'https://a.test/1#again', state: 'duplicate', of: 2 },
  ]);
  assert.match(items[1].error!, /not a URL/);
});

test('a list too large, with too many URLs, empty or unreadable is refused in words', async () => {
  const refused = (raw: string, code: string, message: RegExp) =>
    assert.rejects(
      readSubmittedList(Buffer.from(raw), limits),
      (err) => err instanceof SubmissionError && err.code === code && message.test(err.message),
    );
  await refused('x'.repeat(1025), 'list-too-large', /1025 bytes, more than the limit of 1024/);
  await refused(
    'http://a.test/1\nhttp://a.test/2\nhttp://a.test/3\nhttp://a.test/4\n',
    'list-too-large',
    /4 URLs, more than the 3 a batch may hold/,
  );
  await refused('# only a comment\n\n', 'empty-list', /no URLs in it/);
  await refused('url,link\nhttp://a.test/1,http://a.test/2\n', 'bad-list', /several URL columns/);
});

test("a batch's counts, its duplicates' cases and the cases of its aggregate", () => {
  const items = resolvedItems([
    { line: 1, url: 'https://a.test/1', state: 'done', caseId: 'c1' },
    { line: 2, url: 'https://a.test/2', state: 'done', caseId: 'c2', alreadyTraced: true },
    { line: 3, url: 'https://a.test/1', state: 'duplicate', of: 1 },
    { line: 4, text: 'junk', state: 'invalid', error: 'not a URL' },
    { line: 5, url: 'https://a.test/5', state: 'failed', caseId: 'c5', error: 'no browser' },
    { line: 6, url: 'https://a.test/6', state: 'running' },
    { line: 7, url: 'https://a.test/7', state: 'done', caseId: 'c7', chainError: 'timeout' },
  ]);
  assert.equal(items[2].caseId, 'c1');
  assert.deepEqual(batchCounts(items), {
    inputs: 7,
    queued: 0,
    running: 1,
    traced: 2,
    chainErrors: 1,
    alreadyTraced: 1,
    duplicates: 1,
    invalid: 1,
    failed: 1,
    finished: 6,
  });
  assert.deepEqual(batchCaseIds(items), ['c1', 'c2', 'c7']);
});
