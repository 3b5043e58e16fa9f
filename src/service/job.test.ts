import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendEvent, jobSummary, jobView, MAX_EVENTS_PER_JOB, newJob } from './job.js';

test('job: a new job is queued, with a fresh id and the fields it was given', () => {
  const a = newJob({ kind: 'url', url: 'https://example.test/', clicks: ['Sign in'], batch: 'b1' });
  const b = newJob({ kind: 'url', url: 'https://example.test/', clicks: [] });
  assert.match(a.id, /^j[0-9a-f]{12}$/);
  assert.notEqual(a.id, b.id);
  assert.equal(a.state, 'queued');
  assert.equal(a.batch, 'b1');
  assert.deepEqual(a.clicks, ['Sign in']);
  assert.deepEqual([a.caseId, a.error, a.events.length, a.droppedEvents], [null, null, 0, 0]);
});

test('job: past its cap, the log keeps its first event and drops the oldest after it; seq keeps counting', () => {
  const job = newJob({ kind: 'url', url: 'https://example.test/', clicks: [] });
  for (let i = 1; i <= MAX_EVENTS_PER_JOB + 2; i++) appendEvent(job, 'progress', `event ${i}`);
  assert.equal(job.events.length, MAX_EVENTS_PER_JOB);
  assert.equal(job.droppedEvents, 2);
  assert.equal(job.events[0].detail, 'event 1');
  assert.equal(job.events[1].detail, 'event 4');
  assert.equal(job.events.at(-1)!.seq, MAX_EVENTS_PER_JOB + 2);
  assert.equal(appendEvent(job, 'long', 'x'.repeat(5000)).detail.length, 2000);
});

test('job: shown and listed as copies, without the worker claim nonce', () => {
  const job = newJob({ kind: 'url', url: 'https://example.test/', clicks: ['a'] });
  job.fleet = { dispatches: 1, dispatch: 'd1', caseId: 'c1', worker: null, nonce: 'secret', claimedAt: null };
  appendEvent(job, 'queued', '');
  const view = jobView(job);
  const summary = jobSummary(job);
  assert.equal(view.fleet?.nonce, null);
  assert.equal(summary.fleet?.nonce, null);
  assert.equal(view.fleet?.caseId, 'c1');
  assert.equal(job.fleet.nonce, 'secret');
  assert.ok(!('events' in summary));
  view.clicks.push('b');
  view.events.push(view.events[0]);
  assert.deepEqual(job.clicks, ['a']);
  assert.equal(job.events.length, 1);
  assert.ok(!('fleet' in jobView(newJob({ kind: 'url', url: null, clicks: [] }))));
});
