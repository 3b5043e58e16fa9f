// A submitted list as one batch: its progress, each line's outcome with its case and job, and,
// once it ended, who is responsible across its cases (the feed report's tables). While it runs
// the page reloads itself (layout refreshSeconds): no script needed. A long list is shown a page
// of lines at a time, and by state (?show=problems: what failed, ended in an error or was not traced).
import { appPath, appUrl, html, type SafeHtml } from '../html.js';
import type { BatchView } from '../../service/trace-service.js';
import type { BatchCounts, BatchItem, BatchSubmission } from '../../service/batch-submission.js';
import { caseLink, nudgeSetting, time } from './widgets.js';
import { feedSections, feedTotals } from './feed-report.js';
import { choiceArguments } from '../../service/submission-options.js';

/** Which lines the page lists: all of them, or those of one kind. */
export const BATCH_SHOWS = {
  all: { label: 'all', test: (_i: BatchItem) => true },
  problems: {
    label: 'problems',
    test: (i: BatchItem) => i.state === 'failed' || i.state === 'invalid' || (i.state === 'done' && !!i.chainError),
  },
  waiting: { label: 'waiting or running', test: (i: BatchItem) => i.state === 'queued' || i.state === 'running' },
  traced: { label: 'traced', test: (i: BatchItem) => i.state === 'done' },
  duplicates: { label: 'repeats', test: (i: BatchItem) => i.state === 'duplicate' },
} as const;
export type BatchShow = keyof typeof BATCH_SHOWS;
/** Lines per page of the batch page. */
export const BATCH_PAGE_LINES = 100;

export interface BatchPageQuery {
  show: BatchShow;
  /** 1-based. */
  page: number;
}

/** ?show= and ?page= as the page reads them (anything unknown: all lines, first page). */
export function batchPageQuery(params: URLSearchParams): BatchPageQuery {
  const show = params.get('show') ?? 'all';
  const page = Number(params.get('page') ?? '1');
  return {
    show: Object.hasOwn(BATCH_SHOWS, show) ? (show as BatchShow) : 'all',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

function batchUrl(id: string, show: BatchShow, page = 1): string {
  return appUrl(appPath('batches', id), { show: show === 'all' ? null : show, page: page > 1 ? page : null });
}

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
    c.cancelled ? `${c.cancelled} cancelled` : '',
  ].filter(Boolean);
  return html`<p class="batch-counts" id="batch-counts">
    <progress id="batch-progress" max="${c.inputs}" value="${c.finished}">${c.finished} / ${c.inputs}</progress>
    ${parts.join(', ')}
  </p>`;
}

/** The views of the list, each with its number of lines: the one shown is not a link. */
function showTabs(batch: BatchView, shown: BatchShow): SafeHtml {
  return html`<p class="batch-shows" id="batch-shows">
    Lines:
    ${(Object.keys(BATCH_SHOWS) as BatchShow[]).map((key) => {
      const n = batch.items.filter(BATCH_SHOWS[key].test).length;
      const label = `${BATCH_SHOWS[key].label} (${n})`;
      return key === shown
        ? html`<strong class="batch-show" data-show="${key}" data-count="${n}">${label}</strong> `
        : html`<a class="batch-show" data-show="${key}" data-count="${n}" href="${batchUrl(batch.id, key)}">${label}</a> `;
    })}
  </p>`;
}

function linePager(batch: BatchView, query: BatchPageQuery, total: number, pages: number): SafeHtml {
  if (pages <= 1) return html``;
  const from = (query.page - 1) * BATCH_PAGE_LINES;
  return html`<p class="pager batch-pager">
    ${query.page > 1 ? html`<a rel="prev" href="${batchUrl(batch.id, query.show, query.page - 1)}">← previous</a>` : ''}
    <span>lines ${from + 1}–${Math.min(total, from + BATCH_PAGE_LINES)} of ${total} (page ${query.page} of ${pages})</span>
    ${query.page < pages ? html`<a rel="next" href="${batchUrl(batch.id, query.show, query.page + 1)}">next →</a>` : ''}
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
      ${item.messageCaseId ? html`${caseLink(item.messageCaseId)} <q class="subject">${item.subject ?? ''}</q><br />` : ''}<code class="url"
        >${item.url ?? item.text ?? (item.messageCaseId ? 'no link to trace' : '')}</code
      >${item.given !== undefined && item.given !== item.url ? html`<br /><span class="muted">written <code>${item.given}</code></span>` : ''}
    </td>
    <td><span class="state state-${item.state}">${item.state}</span></td>
    <td>${item.caseId ? caseLink(item.caseId) : ''}</td>
    <td>${item.jobId ? html`<a href="${appPath('jobs', item.jobId)}">${item.jobId}</a>` : ''}</td>
    <td>${note(item)}</td>
  </tr>`;
}

/** `serverNudges`: the server's own nudge setting, for a batch that did not choose. */
export function batchBody(batch: BatchView, query: BatchPageQuery = { show: 'all', page: 1 }, serverNudges = true): SafeHtml {
  const listed = batch.items.filter(BATCH_SHOWS[query.show].test);
  const pages = Math.max(1, Math.ceil(listed.length / BATCH_PAGE_LINES));
  const page = Math.min(query.page, pages);
  const rows = listed.slice((page - 1) * BATCH_PAGE_LINES, page * BATCH_PAGE_LINES);
  const pager = linePager(batch, { ...query, page }, listed.length, pages);
  return html`<h1>Batch <code>${batch.id}</code></h1>
    <dl class="facts">
      <dt>${batch.mailbox ? 'Mailbox' : 'List'}</dt>
      <dd>${batch.filename ?? 'pasted lines'}${batch.open ? html` <span class="muted">(its messages are still being sent)</span>` : ''}</dd>
      ${mailboxSender(batch)}
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
      ${
        batch.clicks?.length
          ? html`<dt>Then click</dt>
              <dd id="batch-clicks">${batch.clicks.map((c) => html`<q>${c}</q> `)}</dd>`
          : ''
      }
      ${
        batch.options && choiceArguments(batch.options).length
          ? html`<dt>Options</dt>
              <dd id="batch-options"><code>${choiceArguments(batch.options).join(' ')}</code></dd>`
          : ''
      }
      <dt>Nudge</dt>
      <dd id="batch-nudge">${nudgeSetting(batch.options?.nudge, serverNudges)}</dd>
    </dl>
    ${countsLine(batch.counts)} ${closeMailboxControl(batch)} ${cancelBatchControl(batch)}
    <p>
      <a href="${appPath('api', 'batches', batch.id)}">JSON</a>
      ${batch.aggregate ? html` · <a href="#batch-report">Who is responsible across this batch ↓</a>` : ''}
    </p>
    ${showTabs(batch, query.show)} ${pager}
    ${
      rows.length
        ? html`<table class="batch-items">
            <thead>
              <tr>
                <th class="num">${batch.mailbox ? 'Message' : 'Line'}</th>
                <th>${batch.mailbox ? 'Message case, subject, link' : 'Link'}</th>
                <th>State</th>
                <th>Case</th>
                <th>Job</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(itemRow)}
            </tbody>
          </table>`
        : html`<p class="empty">No lines of this kind.</p>`
    }
    ${pager}
    ${
      batch.aggregate
        ? html`<section class="batch-report" id="batch-report">
            <h2>Who is responsible across this batch</h2>
            ${feedTotals(batch.aggregate)} ${feedSections(batch.aggregate, { linkCases: true })}
          </section>`
        : html`<p class="muted">This page reloads itself while the batch runs; who is responsible across it is shown when it ends.</p>`
    }`;
}

/** A mailbox's sender: heard from until when, or why the mailbox takes no more messages. */
function mailboxSender(batch: BatchView): SafeHtml {
  if (!batch.mailbox) return html``;
  const { abandoned, lease } = batch;
  const said = abandoned
    ? html`<span id="mailbox-abandoned"
        >closed at ${time(abandoned.at)}: nothing heard from it since ${time(abandoned.lastHeardAt)}, for longer than its lease
        (${lease?.seconds ?? '?'} s; killed, or lost). It sent ${abandoned.sent}
        message(s)${abandoned.lastMessage !== null ? html`, the last number ${abandoned.lastMessage}` : ''}; the messages of the mailbox it
        did not send were never traced: run the command again to send them (what it sent is not traced twice).</span
      >`
    : batch.closedByAnalyst
      ? html`closed by the analyst at ${time(batch.closedByAnalyst)}: the messages not sent by then are not taken`
      : batch.open && lease
        ? html`<span id="mailbox-lease"
            >last heard from ${time(lease.renewedAt)}; the mailbox is closed at ${time(lease.expiresAt)} if nothing is heard from it by
            then</span
          >`
        : batch.cancelledAt
          ? html`the mailbox was cancelled: the messages not sent by then are not taken`
          : html`sent the whole mailbox`;
  return html`<dt>Sender</dt>
    <dd>${said}</dd>`;
}

/** A mailbox still being sent: "Close" takes no more of its messages and lets the ones sent be traced (its sender is gone, say). */
function closeMailboxControl(batch: BatchView): SafeHtml {
  if (!batch.open) return html``;
  return html`<form id="batch-close" class="cancel" method="post" action="${appPath('batches', batch.id, 'close')}">
    <button type="submit">Close the mailbox</button>
    <span class="cancel-note">its messages sent so far are traced; the ones not sent yet are not taken</span>
  </form>`;
}

/** A batch with jobs not ended: a Cancel button (a form posting to /batches/:id/cancel, no script) for all of them. */
function cancelBatchControl(batch: BatchView): SafeHtml {
  const open = batch.counts.queued + batch.counts.running;
  if (batch.state === 'done' || (open === 0 && !batch.open)) return html``;
  return html`<form id="batch-cancel" class="cancel" method="post" action="${appPath('batches', batch.id, 'cancel')}">
    <button type="submit" class="cancel-button">Cancel the batch</button>
    <span class="cancel-note"
      >${open} job(s) not ended: the waiting ones are not traced; the running ones are stopped, their cases keep what they
      recorded${batch.open ? '; the messages of the mailbox not sent yet are not taken' : ''}</span
    >
  </form>`;
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
