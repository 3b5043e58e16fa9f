// The queue panel of the jobs page: the server's jobs by state and, with `serve --queue`, the
// queue's own counts and the workers seen with their last heartbeat.
import { appPath, html, type SafeHtml } from '../html.js';
import type { QueueStatus } from '../../fleet/dispatcher.js';
import { jobCounts } from '../../service/job-state.js';
import { time } from './widgets.js';
import { truncate } from '../../terminal-text.js';

export interface InProcessQueue {
  queue: 'in-process';
  jobs: QueueStatus['jobs'];
  concurrency: number;
}

/** The counts of a server tracing in its own process. */
export function inProcessQueue(concurrency: number, jobs: { state: keyof QueueStatus['jobs'] }[]): InProcessQueue {
  return { queue: 'in-process', jobs: jobCounts(jobs), concurrency };
}

export function queuePanel(status: QueueStatus | InProcessQueue): SafeHtml {
  const { jobs } = status;
  const counts = html`<dl class="facts queue-counts">
    <dt>Waiting</dt>
    <dd data-count="queued">${jobs.queued}</dd>
    <dt>Running</dt>
    <dd data-count="running">${jobs.running}</dd>
    <dt>Completed</dt>
    <dd data-count="done">${jobs.done}</dd>
    <dt>Failed</dt>
    <dd data-count="failed">${jobs.failed}</dd>
    ${
      jobs.cancelled
        ? html`<dt>Cancelled</dt>
            <dd data-count="cancelled">${jobs.cancelled}</dd>`
        : ''
    }
  </dl>`;
  if (!('redis' in status))
    return html`<section class="queue-panel">
      <h2>Queue</h2>
      <p>In this process, ${status.concurrency} trace(s) at once.</p>
      ${counts}
    </section>`;
  const redis =
    'error' in status.redis
      ? html`<p class="notice error">Redis: ${status.redis.error}</p>`
      : html`<p>
          Redis queue <code>${status.queue}</code>: ${status.redis.waiting} waiting, ${status.redis.active} active,
          ${status.redis.completed} completed, ${status.redis.failed} failed.
        </p>`;
  return html`<section class="queue-panel">
    <h2>Queue</h2>
    ${redis} ${counts}
    <h3>Workers</h3>
    ${
      status.workers.length === 0
        ? html`<p class="empty">No worker has been seen yet (start one with <code>clicktrace worker</code>).</p>`
        : html`<table class="workers">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Host</th>
                <th>clicktrace</th>
                <th>Chromium</th>
                <th>At once</th>
                <th>Holding</th>
                <th>Last heartbeat</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              ${status.workers.map(
                (w) =>
                  html`<tr class="worker-row">
                    <td>${w.name}</td>
                    <td>${w.host}</td>
                    <td>${w.version}</td>
                    <td>${w.chromium}</td>
                    <td>${w.concurrency}</td>
                    <td>${heldJobs(w)}</td>
                    <td>${time(w.lastSeen)} (${Math.round(w.ageMs / 1000)} s ago)</td>
                    <td>${w.state}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <p class="note">
      A worker silent for ${Math.round(status.workerTimeoutMs / 1000)} s has its claimed jobs failed as lost (whether their links were
      requested is not known), never run again; a worker started again on its spool delivers what it recorded, sealed as partial.
    </p>
  </section>`;
}

/** What a worker is doing: each job it holds, linked, with its link and state (a silent worker's: as it last said). */
function heldJobs(w: QueueStatus['workers'][number]): SafeHtml {
  if (w.running.length === 0) return html`0`;
  const more = w.running.length - w.held.length;
  return html`${w.running.length}${w.alive ? '' : ' when last heard'}
    <ul class="held-jobs">
      ${w.held.map(
        (j) =>
          html`<li>
            <a href="${appPath('jobs', j.id)}">${j.id}</a>
            ${j.state ?? 'unknown'}${j.url ? html` <code>${truncate(j.url, 100)}</code>` : ''}
          </li>`,
      )}
      ${more > 0 ? html`<li>… and ${more} more</li>` : ''}
    </ul>`;
}
