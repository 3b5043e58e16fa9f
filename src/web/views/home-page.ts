// The start page: submit a link (with optional texts to click), upload an .eml, or give a list of
// links (pasted, or a .txt/.csv export) traced as one batch; recent batches, jobs and the newest cases below.
import { appPath, html, type SafeHtml } from '../html.js';
import type { JobSummary } from '../../service/trace-service.js';
import type { SearchResult } from '../../store/index.js';
import { caseTable } from './case-list.js';
import { caseLink, time } from './widgets.js';
import { MAX_EXPLORE_DEPTH, MAX_TIMEOUT_SECONDS } from '../../service/submission-options.js';

export interface SubmitFormState {
  url?: string;
  click?: string;
  error?: string | null;
}

const PRIVATE_ALLOWED = 'This server may trace private and loopback addresses (--allow-private).';
const PRIVATE_REFUSED = 'Targets on private, loopback or link-local addresses are refused.';

// The link field is type=text: a browser's type=url check would refuse a defanged link (hxxps://evil[.]example/),
// which the server refangs (src/web/submission-input.ts).
export function submitForm(
  state: SubmitFormState,
  options: { allowPrivate: boolean; maxMessageBytes: number; maxListBytes: number; maxListUrls: number },
): SafeHtml {
  return html`<form class="submit" method="post" action="/submit" enctype="multipart/form-data">
    <h2>Trace a link</h2>
    ${state.error ? html`<p class="notice error" role="alert" id="submit-error">${state.error}</p>` : ''}
    <label
      >Link to follow
      <input
        type="text"
        inputmode="url"
        name="url"
        value="${state.url ?? ''}"
        placeholder="https://…"
        autocomplete="off"
        spellcheck="false"
    /></label>
    <label
      >or an e-mail (.eml, up to ${Math.floor(options.maxMessageBytes / 1024 / 1024)} MiB): its main link is traced
      <input type="file" name="message" accept=".eml,message/rfc822"
    /></label>
    <label
      >or a list of links, one a line (# comments and blank lines skipped; defanged links refanged), traced as one batch
      <textarea name="list" rows="3" spellcheck="false" placeholder="https://…&#10;hxxps://evil[.]example/…"></textarea>
    </label>
    <label
      >or a list file (.txt, or a .csv/.tsv export with a url column, as PhishTank's or URLhaus's; up to
      ${Math.floor(options.maxListBytes / 1024 / 1024)} MiB, ${options.maxListUrls} URLs)
      <input type="file" name="list" accept=".txt,.csv,.tsv,text/plain,text/csv,text/tab-separated-values"
    /></label>
    <label
      >Then click (text of a link or button on the landing page; one per line, optional)
      <textarea name="click" rows="2" placeholder="Find out more">${state.click ?? ''}</textarea>
    </label>
    <details class="trace-options-form" id="trace-options-form">
      <summary>Options for this trace (the server's settings otherwise)</summary>
      <label
        >Device
        <select name="device">
          <option value="">server default</option>
          <option value="desktop">desktop</option>
          <option value="mobile">mobile</option>
        </select></label
      >
      <label
        >User agent <input type="text" name="user_agent" maxlength="512" placeholder="a normal desktop Chrome UA" spellcheck="false"
      /></label>
      <label
        >Explore (click the landing page's call-to-action)
        <select name="explore">
          <option value="">server default</option>
          <option value="on">on</option>
          <option value="off">off</option>
        </select></label
      >
      <label>Explore depth <input type="number" name="explore_depth" min="1" max="${MAX_EXPLORE_DEPTH}" step="1" /></label>
      <label>Timeout (seconds) <input type="number" name="timeout" min="1" max="${MAX_TIMEOUT_SECONDS}" step="1" /></label>
    </details>
    <label class="again"
      ><input type="checkbox" name="again" value="1" /> Trace again even if this link was traced before (a link is otherwise requested only
      once: single-use links)</label
    >
    <p class="muted">${options.allowPrivate ? PRIVATE_ALLOWED : PRIVATE_REFUSED}</p>
    <button type="submit">Trace</button>
  </form>`;
}

export function jobList(jobs: JobSummary[]): SafeHtml {
  if (jobs.length === 0) return html`<p class="empty">No jobs yet.</p>`;
  return html`<table class="jobs">
    <thead>
      <tr>
        <th>Job</th>
        <th>Submitted</th>
        <th>State</th>
        <th>Target</th>
        <th>Case</th>
      </tr>
    </thead>
    <tbody>
      ${jobs.map(
        (j) =>
          html`<tr class="job-row" data-job="${j.id}">
            <td><a href="${appPath('jobs', j.id)}">${j.id}</a></td>
            <td>${time(j.submittedAt)}</td>
            <td><span class="state state-${j.state}">${j.state}</span></td>
            <td><code class="url">${j.url ?? j.filename ?? ''}</code></td>
            <td>${j.caseId ? caseLink(j.caseId) : ''} ${j.messageCaseId ? caseLink(j.messageCaseId) : ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function homeBody(form: SafeHtml, jobs: JobSummary[], recent: SearchResult, batches: SafeHtml): SafeHtml {
  return html`${form} ${batches}
    <section>
      <h2>Recent jobs</h2>
      ${jobList(jobs.filter((j) => !j.batch).slice(0, 10))}
    </section>
    <section>
      <h2>Newest cases</h2>
      ${caseTable(recent)}
      <p><a href="/cases">All cases and search →</a></p>
    </section>`;
}
