import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCapture } from './analyze.js';
import { pendingTimer, pendingTimerNote } from './final-page-pending.js';
import { formatChain } from '../cli/format.js';
import { resultHead } from '../web/views/result-head.js';
import { html } from '../web/html.js';
import { jsonText } from '../visible.js';
import { sampleCapture } from '../../test/support/test-capture.js';
import type { Report } from '../report.js';

/** The sample capture with a timer left pending on its final page's settled event, analysed as `analyze` does. */
function reportWithTimer(due: number | undefined, settle: number | undefined): Report {
  const capture = sampleCapture();
  const settled = capture.events.filter((e) => e.type === 'settled').at(-1);
  assert.ok(settled?.type === 'settled');
  if (due !== undefined) settled.timerDueInMs = due;
  if (settle !== undefined) settled.timerSettleMs = settle;
  return analyzeCapture(capture, null);
}

const NOTE =
  'not waited for: a timer was still pending on the final page, due in 8.8 s when the trace ended; ' +
  'it may move the page, or not (--settle 9100 or more would wait for it)';

test("the settled event's timer figures reach the report event as fields, and the terminal, JSON and case page read them", () => {
  const report = reportWithTimer(8765, 9012);
  const timer = report.events.find((e) => e.kind === 'timer');
  assert.deepEqual(timer && { ...timer, at: undefined }, {
    at: undefined,
    kind: 'timer',
    detail: `timer pending on ${report.final!.url}, due in 8.8 s (--settle 9100)`,
    url: report.final!.url,
    timerDueInMs: 8765,
    timerSettleMs: 9012,
  });
  const json = JSON.parse(jsonText(report)) as Report;
  assert.deepEqual(
    json.events.find((e) => e.kind === 'timer'),
    timer,
  );
  assert.deepEqual(pendingTimer(report), { seconds: '8.8', settle: 9100 });
  // Read from the fields, not from the words: another wording of the detail says the same.
  timer!.detail = 'reworded';
  assert.equal(pendingTimerNote(report), NOTE);
  assert.ok(formatChain(report, null).split('\n').includes(`Note: ${NOTE}`));
  const page = resultHead('case-1', report, { summary: html``, flags: [], integrity: null, options: html`` }).toString();
  assert.ok(page.includes(`<p class="muted" id="timer-note">Note: ${NOTE}</p>`), page);
  // Without the settle figure the note still speaks; without a due time there is no timer event.
  assert.match(
    pendingTimerNote(reportWithTimer(8765, undefined)) ?? '',
    /due in 8\.8 s when the trace ended; .*\(a larger --settle would wait for it\)$/,
  );
  const none = reportWithTimer(undefined, undefined);
  assert.equal(
    none.events.some((e) => e.kind === 'timer'),
    false,
  );
  assert.equal(pendingTimerNote(none), null);
  assert.doesNotMatch(
    resultHead('case-1', none, { summary: html``, flags: [], integrity: null, options: html`` }).toString(),
    /timer-note/,
  );
});
