// A job while it runs: state and progress events, updated live by /static/app.js from the
// job's event stream; without script the page reloads itself until the job ends.
import { appPath, html, type SafeHtml } from '../html.js';
import { jobEnded, type Job, type JobEvent, type JobSummary, type RetryVerdict } from '../../service/trace-service.js';
import { caseLink, nudgeSetting, time } from './widgets.js';

/** Where a queued job stands: its place among the queued jobs (oldest first) and how many run now. */
export function queuePlace(job: Pick<Job, 'id' | 'state'>, jobs: JobSummary[]): { place: number; ahead: number; running: number } | null {
  if (job.state !== 'queued') return null;
  const queued = jobs.filter((j) => j.state === 'queued').sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  const at = queued.findIndex((j) => j.id === job.id);
  if (at < 0) return null;
  return { place: at + 1, ahead: at, running: jobs.filter((j) => j.state === 'running').length };
}

/** How often a job page reloads itself while its job is queued or runs, where script does not run. */
export const JOB_REFRESH_SECONDS = 3;

export interface LogLine {
  event: JobEvent;
  /** For a hop: its URL (without fragment), to which its exchange's line is folded. */
  hopUrl: string | null;
  /** The exchange that completed a hop's line ("302 GET https://..."). */
  status: string | null;
  /** The seq of the exchange event folded into this line. */
  merged: number | null;
  detail: string;
}

/**
 * The progress log as lines: a hop and the exchange that carried it are one line (the trace
 * reports both as they happen, in either order: the proxy may finish a quick redirect before the
 * browser's report of the request comes), every other event a line of its own. app.js does the
 * same live.
 */
export function logLines(events: JobEvent[]): LogLine[] {
  const lines: LogLine[] = [];
  /** Hop lines still waiting for their exchange, and exchange lines that came before their hop; by URL. */
  const openHops = new Map<string, LogLine>();
  const earlyExchanges = new Map<string, LogLine>();
  for (const event of events) {
    if (event.kind === 'exchange') {
      const m = /^(\S+) (\S+) (.*)$/.exec(event.detail);
      const url = m ? m[3].split('#')[0] : null;
      const line = url !== null ? openHops.get(url) : undefined;
      if (m && line && line.status === null) {
        line.status = m[1];
        line.merged = event.seq;
        line.detail = event.detail;
        continue;
      }
      const own: LogLine = { event, hopUrl: null, status: null, merged: null, detail: event.detail };
      if (url !== null) earlyExchanges.set(url, own);
      lines.push(own);
      continue;
    }
    const hopUrl = event.kind === 'hop' ? event.detail.split('#')[0] : null;
    const early = hopUrl !== null ? earlyExchanges.get(hopUrl) : undefined;
    if (hopUrl !== null && early) {
      earlyExchanges.delete(hopUrl);
      Object.assign(early, { event, hopUrl, status: early.detail.split(' ')[0], merged: early.event.seq });
      continue;
    }
    const line: LogLine = { event, hopUrl, status: null, merged: null, detail: event.detail };
    if (hopUrl) openHops.set(hopUrl, line);
    lines.push(line);
  }
  return lines;
}

/**
 * What can be done about a failed job: a Retry button (a form posting to /jobs/:id/retry, no
 * script) when its link was never requested; else why not, with the case that holds its request.
 */
export function retryControl(job: Pick<JobSummary, 'id' | 'retriedAs'>, verdict: RetryVerdict): SafeHtml {
  if (verdict.ok)
    return html`<form class="retry" method="post" action="${appPath('jobs', job.id, 'retry')}">
      <button type="submit" class="retry-button">Retry</button>
      <span class="retry-note">its link was never requested</span>
    </form>`;
  if (job.retriedAs) return html`<span class="no-retry">retried as <a href="${appPath('jobs', job.retriedAs)}">${job.retriedAs}</a></span>`;
  return html`<span class="no-retry">no retry: ${verdict.reason}${verdict.caseId ? html` — ${caseLink(verdict.caseId)}` : ''}</span>`;
}

/**
 * A job not ended yet: a Cancel button (a form posting to /jobs/:id/cancel, no script); once
 * cancelled, while its trace is being stopped, that it is.
 */
export function cancelControl(job: Pick<JobSummary, 'id' | 'state' | 'cancelledAt'>): SafeHtml {
  if (jobEnded(job.state)) return html``;
  if (job.cancelledAt)
    return html`<p id="job-cancel" class="cancelling">
      Cancelled at ${time(job.cancelledAt)}: its trace is being stopped, and its case sealed with what it recorded.
    </p>`;
  return html`<form id="job-cancel" class="cancel" method="post" action="${appPath('jobs', job.id, 'cancel')}">
    <button type="submit" class="cancel-button">Cancel</button>
    <span class="cancel-note"
      >${
        job.state === 'queued'
          ? 'it is not traced: its link is not requested'
          : 'its trace is stopped; its case keeps what it recorded, and its link counts as requested'
      }</span
    >
  </form>`;
}

/** `serverNudges`: the server's own nudge setting, for a job that did not choose. */
export function jobBody(job: Job, jobs: JobSummary[] = [], retry: RetryVerdict | null = null, serverNudges = true): SafeHtml {
  const finished = jobEnded(job.state);
  const queue = queuePlace(job, jobs);
  return html`<h1>Job <code>${job.id}</code></h1>
    <dl class="facts">
      <dt>Target</dt>
      <dd><code class="url">${job.url ?? '(no link to trace)'}</code></dd>
      ${
        job.filename
          ? html`<dt>Message</dt>
              <dd>${job.filename}${job.subject ? html` — <strong>${job.subject}</strong>` : ''}</dd>`
          : ''
      }
      ${
        job.clicks.length
          ? html`<dt>Then click</dt>
              <dd>${job.clicks.map((c) => html`<q>${c}</q> `)}</dd>`
          : ''
      }
      <dt>Nudge</dt>
      <dd id="job-nudge">
        ${nudgeSetting(job.options?.nudge, serverNudges)}${
          job.alreadyTraced
            ? html` <span class="muted">(this job traced nothing: its case is the earlier trace of this link, with its own setting)</span>`
            : ''
        }
      </dd>
      ${
        job.batch
          ? html`<dt>Batch</dt>
              <dd><a id="job-batch-link" href="${appPath('batches', job.batch)}">${job.batch}</a></dd>`
          : ''
      }
      <dt>Submitted</dt>
      <dd>${time(job.submittedAt)}</dd>
      <dt>State</dt>
      <dd>
        <span id="job-state" class="state state-${job.state}" data-state="${job.state}">${job.state}</span>
        ${
          queue
            ? html`<span id="queue-place" class="queue-place" data-place="${queue.place}"
                >place ${queue.place} in the queue (${queue.ahead} waiting before it, ${queue.running} running)</span
              >`
            : ''
        }
      </dd>
    </dl>
    ${cancelControl(job)}
    <p id="job-error" class="notice error${job.error ? '' : ' hidden'}">${job.error ?? ''}</p>
    ${retry ? html`<p id="job-retry">${retryControl(job, retry)}</p>` : ''}
    ${job.retryOf ? html`<p id="job-retry-of">A retry of <a href="${appPath('jobs', job.retryOf)}">${job.retryOf}</a>.</p>` : ''}
    <p id="job-result">
      ${
        job.caseId
          ? html`Case:
            ${caseLink(job.caseId, undefined, 'job-case-link')}${job.partial ? ' (partial: its trace was cut off)' : ''}${
              job.alreadyTraced ? ' (traced before; not requested again)' : ''
            }`
          : ''
      }
      ${job.messageCaseId ? html`Message: ${caseLink(job.messageCaseId, undefined, 'job-message-link')}` : ''}
    </p>
    <h2>Progress</h2>
    <ol
      id="job-events"
      class="events"
      data-job="${job.id}"
      data-finished="${finished ? 'yes' : 'no'}"
      data-stream="${appPath('api', 'jobs', job.id, 'events')}"
    >
      ${logLines(job.events).map(
        (l) =>
          html`<li
            data-seq="${l.event.seq}"
            data-hop-url="${l.hopUrl ?? ''}"
            data-status="${l.status ?? ''}"
            data-merged="${l.merged ?? ''}"
          >
            <span class="event-kind">${l.event.kind}</span> <span class="event-detail">${l.detail}</span>
          </li>`,
      )}
    </ol>
    ${finished ? '' : html`<noscript><p>This page reloads itself every ${JOB_REFRESH_SECONDS} seconds until the job ends.</p></noscript>`}`;
}
