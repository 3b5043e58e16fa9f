// A submitted list as one batch: its progress, each line's outcome with its case and job, and,
// once it ended, who is responsible across its cases (the feed report's tables). While it runs
// the page reloads itself (layout refreshSeconds): no script needed.
import { appPath, html, type SafeHtml } from '../html.js';
import type { BatchView } from '../../service/trace-service.js';
import type { BatchCounts, BatchItem, BatchSubmission } from '../../service/batch-submission.js';
import { caseLink, time } from './widgets.js';
import { feedSections, feedTotals } from './feed-report.js';

function countsLine(c: BatchCounts): SafeHtml {
  const parts = [
    `${c.finished} of ${c.inputs} done`,
    c.running ? `${c.running} running` : '',
    c.queued ? `${c.queued} waiting` : '',
    `${c.traced} traced`,
    c.chainErrors ? `${c.chainErrors} ended in an error` : '',
    c.alreadyTraced ? `${c.alreadyTraced} traced before (not requested again)` : '',
    c.duplicates ? `${c.duplicates} repeated in the list (traced once)` : '',
    c.invalid ? `${c.invalid} not traced (not a URL, or refused)` : '',
    c.failed ? `${c.failed} failed` : '',
  ].filter(Boolean);
  return html`<p class="batch-counts" id="batch-counts">
    <progress id="batch-progress" max="${c.inputs}" value="${c.finished}">${c.finished} / ${c.inputs}</progress>
    ${parts.join(', ')}
  </p>`;
}

function note(item: BatchItem): SafeHtml {
  if (item.state === 'invalid') return html`<span class="error">${item.error ?? ''}</span>`;
  if (item.state === 'duplicate') return html`the same link as line ${item.of ?? '?'}: traced once`;
  if (item.alreadyTraced) return html`traced before; not requested again`;
  if (item.error) return html`<span class="error">${item.error}</span>`;
  if (item.chainError) return html`<span class="error">${item.chainError}</span>`;
  return html``;
}

function itemRow(item: BatchItem): SafeHtml {
  return html`<tr class="batch-item" data-line="${item.line}" data-state="${item.state}">
    <td class="num">${item.line}</td>
    <td>
      <code class="url">${item.url ?? item.text ?? ''}</code>${
        item.given !== undefined && item.given !== item.url ? html`<br /><span class="muted">written <code>${item.given}</code></span>` : ''
      }
    </td>
    <td><span class="state state-${item.state}">${item.state}</span></td>
    <td>${item.caseId ? caseLink(item.caseId) : ''}</td>
    <td>${item.jobId ? html`<a href="${appPath('jobs', item.jobId)}">${item.jobId}</a>` : ''}</td>
    <td>${note(item)}</td>
  </tr>`;
}

export function batchBody(batch: BatchView): SafeHtml {
  return html`<h1>Batch <code>${batch.id}</code></h1>
    <dl class="facts">
      <dt>List</dt>
      <dd>${batch.filename ?? 'pasted lines'}</dd>
      <dt>Submitted</dt>
      <dd>${time(batch.submittedAt)}</dd>
      <dt>State</dt>
      <dd><span id="batch-state" class="state state-${batch.state}" data-state="${batch.state}">${batch.state}</span></dd>
      ${
        batch.again
          ? html`<dt>Again</dt>
              <dd>traced even if traced before</dd>`
          : ''
      }
    </dl>
    ${countsLine(batch.counts)}
    <p><a href="${appPath('api', 'batches', batch.id)}">JSON</a></p>
    <table class="batch-items">
      <thead>
        <tr>
          <th class="num">Line</th>
          <th>Link</th>
          <th>State</th>
          <th>Case</th>
          <th>Job</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        ${batch.items.map(itemRow)}
      </tbody>
    </table>
    ${
      batch.aggregate
        ? html`<section class="batch-report" id="batch-report">
            <h2>Who is responsible across this batch</h2>
            ${feedTotals(batch.aggregate)} ${feedSections(batch.aggregate, { linkCases: true })}
          </section>`
        : html`<p class="muted">This page reloads itself while the batch runs; who is responsible across it is shown when it ends.</p>`
    }`;
}

export function batchList(batches: (Omit<BatchSubmission, 'items'> & { counts: BatchCounts })[]): SafeHtml {
  if (batches.length === 0) return html``;
  return html`<section>
    <h2>Batches</h2>
    <table class="batches">
      <thead>
        <tr>
          <th>Batch</th>
          <th>Submitted</th>
          <th>State</th>
          <th>List</th>
          <th>Progress</th>
        </tr>
      </thead>
      <tbody>
        ${batches.map(
          (b) =>
            html`<tr class="batch-row" data-batch="${b.id}">
              <td><a href="${appPath('batches', b.id)}">${b.id}</a></td>
              <td>${time(b.submittedAt)}</td>
              <td><span class="state state-${b.state}">${b.state}</span></td>
              <td>${b.filename ?? 'pasted lines'}</td>
              <td>${b.counts.finished} of ${b.counts.inputs} done</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
