import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobEvent, JobSummary } from '../../service/trace-service.js';
import { cancelControl, jobBody, logLines, queuePlace } from './job-page.js';
import { newJob } from '../../service/job.js';

test('logLines: a hop and the exchange that carried it are one line; other exchanges stay', () => {
  const events: JobEvent[] = [
    ['started', 'http://a.example/c'],
    ['hop', 'http://a.example/c'],
    ['exchange', '302 GET http://a.example/c'],
    ['hop', 'https://b.example/land#top'],
    ['exchange', '200 GET https://b.example/land'],
    ['exchange', '200 GET https://cdn.example/x.js'],
    ['exchange', '302 GET http://a.example/c'],
  ].map(([kind, detail], seq) => ({ seq, at: '2026-12-01T10:00:00Z', kind, detail }));
  const lines = logLines(events);
  assert.deepEqual(
    lines.map((l) => [l.event.kind, l.detail, l.merged]),
    [
      ['started', 'http://a.example/c', null],
      ['hop', '302 GET http://a.example/c', 2],
      ['hop', '200 GET https://b.example/land', 4],
      ['exchange', '200 GET https://cdn.example/x.js', null],
      ['exchange', '302 GET http://a.example/c', null],
    ],
  );
});

test("logLines: an exchange the proxy finished before the browser reported its request is its hop's line all the same", () => {
  const events: JobEvent[] = [
    ['hop', 'http://a.example/c'],
    ['exchange', '200 GET http://a.example/c'],
    ['exchange', '302 GET https://t.example/click'],
    ['exchange', '200 GET https://cdn.example/x.js'],
    ['hop', 'https://t.example/click'],
    ['hop', 'https://b.example/land'],
    ['exchange', '200 GET https://b.example/land'],
  ].map(([kind, detail], seq) => ({ seq, at: '2026-12-01T10:00:00Z', kind, detail }));
  assert.deepEqual(
    logLines(events).map((l) => [l.event.kind, l.event.seq, l.detail, l.status, l.merged, l.hopUrl]),
    [
      ['hop', 0, '200 GET http://a.example/c', '200', 1, 'http://a.example/c'],
      ['hop', 4, '302 GET https://t.example/click', '302', 2, 'https://t.example/click'],
      ['exchange', 3, '200 GET https://cdn.example/x.js', null, null, null],
      ['hop', 5, '200 GET https://b.example/land', '200', 6, 'https://b.example/land'],
    ],
  );
});

test('queuePlace: place among the queued jobs, oldest first, and how many run', () => {
  const job = (id: string, state: JobSummary['state'], submittedAt: string) => ({ id, state, submittedAt }) as JobSummary;
  const jobs = [job('a', 'running', '1'), job('b', 'queued', '3'), job('c', 'queued', '2'), job('d', 'done', '0')];
  assert.deepEqual(queuePlace(jobs[1], jobs), { place: 2, ahead: 1, running: 1 });
  assert.deepEqual(queuePlace(jobs[2], jobs), { place: 1, ahead: 0, running: 1 });
  assert.equal(queuePlace(jobs[0], jobs), null);
});

test('cancelControl: a form posting to the job (no script) until a cancel is asked for; then what is going on; nothing once it ended', () => {
  const waiting = String(cancelControl({ id: 'j0123456789ab', state: 'queued' }));
  assert.match(waiting, /<form id="job-cancel" class="cancel" method="post" action="\/jobs\/j0123456789ab\/cancel">/);
  assert.match(waiting, /its link is not requested/);
  assert.match(String(cancelControl({ id: 'j0123456789ab', state: 'running' })), /its link counts as requested/);
  const stopping = String(cancelControl({ id: 'j0123456789ab', state: 'running', cancelledAt: '2026-12-06T07:00:00.000Z' }));
  assert.doesNotMatch(stopping, /<form/);
  assert.match(stopping, /its trace is being stopped/);
  for (const state of ['done', 'failed', 'cancelled'] as const)
    assert.equal(String(cancelControl({ id: 'j0123456789ab', state, cancelledAt: '2026-12-06T07:00:00.000Z' })), '');
});

test("jobBody: whether the job's traces nudge, its own choice or else the server's", () => {
  const nudge = (options: { nudge?: boolean } | undefined, serverNudges: boolean) => {
    const job = newJob({ kind: 'url', url: 'http://a.example/', clicks: [], ...(options ? { options } : {}) });
    return /<dd id="job-nudge">\s*([^<]*?)\s*<\/dd>/.exec(String(jobBody(job, [], null, serverNudges)))?.[1];
  };
  assert.match(nudge({ nudge: false }, true)!, /^off \(this submission\)/);
  assert.equal(nudge({ nudge: true }, false), 'on (this submission)');
  assert.equal(nudge(undefined, true), 'on (the server&#39;s setting)');
  assert.equal(nudge({}, false), 'off (the server&#39;s setting, --no-nudge)');
  // A link traced before: the job's setting is not its case's.
  const earlier = newJob({ kind: 'url', url: 'http://a.example/', clicks: [], options: { nudge: false }, alreadyTraced: true });
  assert.match(String(jobBody(earlier)), /this job traced nothing: its case is the earlier trace of this link/);
});
