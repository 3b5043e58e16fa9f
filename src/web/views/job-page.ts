// A job while it runs: state and progress events, updated live by /static/app.js from the
// job's event stream (the page works without it: reload to see more).
import { appPath, html, type SafeHtml } from '../html.js';
import type { Job } from '../../service/trace-service.js';
import { caseLink, time } from './widgets.js';

export function jobBody(job: Job): SafeHtml {
  const finished = job.state === 'done' || job.state === 'failed';
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
      <dt>Submitted</dt>
      <dd>${time(job.submittedAt)}</dd>
      <dt>State</dt>
      <dd><span id="job-state" class="state state-${job.state}" data-state="${job.state}">${job.state}</span></dd>
    </dl>
    <p id="job-error" class="notice error${job.error ? '' : ' hidden'}">${job.error ?? ''}</p>
    <p id="job-result">
      ${job.caseId ? html`Case: ${caseLink(job.caseId, undefined, 'job-case-link')}${job.alreadyTraced ? ' (traced before; not requested again)' : ''}` : ''}
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
      ${job.events.map((e) => html`<li data-seq="${e.seq}"><span class="event-kind">${e.kind}</span> <span class="event-detail">${e.detail}</span></li>`)}
    </ol>
    ${finished ? '' : html`<noscript><p>Reload this page to see more progress.</p></noscript>`}`;
}
