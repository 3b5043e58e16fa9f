// The start page: submit a link (with optional texts to click), upload an .eml, or give a list of
// links (pasted, or a .txt/.csv export) traced as one batch; recent batches, jobs and the newest cases below.
import { appPath, html, type SafeHtml } from '../html.js';
import type { JobSummary, RetryVerdict } from '../../service/trace-service.js';
import { retryControl } from './job-page.js';
import type { SearchResult } from '../../store/index.js';
import { caseTable } from './case-list.js';
import { caseLink, time } from './widgets.js';
import { MAX_EXPLORE_DEPTH, MAX_TIMEOUT_SECONDS } from '../../service/submission-options.js';
import type { FormData } from '../request-body.js';

export interface SubmitFormState {
  url?: string;
  /** Pasted lines of a list. */
  list?: string;
  click?: string;
  device?: string;
  userAgent?: string;
  explore?: string;
  exploreDepth?: string;
  timeout?: string;
  /** The nudge checkbox as sent: on or off (its hidden field's "off" comes first). */
  nudge?: string;
  again?: boolean;
  /** Files that were sent with a refused submission: a browser cannot fill a file field, the analyst chooses them again. */
  files?: string[];
  error?: string | null;
}

/** A refused form's fields as the form shows them again (pasted line breaks as the browser sent them, CRLF, back to LF). */
export function keptFields(form: FormData): SubmitFormState {
  const field = (name: string) => form.fields.get(name)?.[0];
  const lines = (text: string | undefined) => text?.replace(/\r\n?/g, '\n');
  const kept: SubmitFormState = {
    url: field('url'),
    list: lines(field('list')),
    click: lines((form.fields.get('click') ?? form.fields.get('clicks'))?.join('\n')),
    device: field('device'),
    userAgent: field('user_agent'),
    explore: field('explore'),
    exploreDepth: field('explore_depth'),
    timeout: field('timeout'),
    nudge: form.fields.get('nudge')?.at(-1),
    again: field('again') !== undefined,
    files: form.files.filter((f) => f.data.length > 0).map((f) => f.filename ?? f.name),
  };
  return Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * The list and click fields with the text sent: a line break is put right after the start tag,
 * where the HTML parser drops one, so text that starts with a blank line comes back whole.
 * Kept from prettier, which would add its own line break there.
 */
function textArea(name: 'list' | 'click', text: string | undefined): SafeHtml {
  const content = text ? `\n${text}` : '';
  // prettier-ignore
  return name === 'list'
    ? html`<textarea name="list" rows="3" spellcheck="false" placeholder="https://…&#10;hxxps://evil[.]example/…">${content}</textarea>`
    : html`<textarea name="click" rows="2" placeholder="Find out more">${content}</textarea>`;
}

function choice(name: string, chosen: string | undefined, options: [string, string][]): SafeHtml {
  return html`<select name="${name}">
    ${options.map(([value, label]) =>
      value === (chosen ?? '')
        ? html`<option value="${value}" selected>${label}</option>`
        : html`<option value="${value}">${label}</option>`,
    )}
  </select>`;
}

const PRIVATE_ALLOWED = 'This server may trace private and loopback addresses (--allow-private).';
const PRIVATE_REFUSED = 'Targets on private, loopback or link-local addresses are refused.';

// The link field is type=text: a browser's type=url check would refuse a defanged link (hxxps://evil[.]example/),
// which the server refangs (src/web/submission-input.ts).
export function submitForm(
  state: SubmitFormState,
  options: { allowPrivate: boolean; maxMessageBytes: number; maxListBytes: number; maxListUrls: number; nudges: boolean },
): SafeHtml {
  return html`<form class="submit" method="post" action="/submit" enctype="multipart/form-data">
    <h2>Trace a link</h2>
    ${state.error ? html`<p class="notice error" role="alert" id="submit-error">${state.error}</p>` : ''}
    ${
      state.error && state.files?.length
        ? html`<p class="notice" id="submit-files">Choose the file again: ${state.files.join(', ')} (a browser does not keep it).</p>`
        : ''
    }
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
      >or an e-mail (.eml, or gzipped .eml.gz; up to ${Math.floor(options.maxMessageBytes / 1024 / 1024)} MiB): its main link is traced
      <input type="file" name="message" accept=".eml,.mbox,.gz,message/rfc822,application/gzip"
    /></label>
    <label
      >or a list of links, one a line (# comments and blank lines skipped; defanged links refanged), traced as one batch
      ${textArea('list', state.list)}
    </label>
    <label
      >or a list file (.txt, or a .csv/.tsv export with a url column, as PhishTank's or URLhaus's; up to
      ${Math.floor(options.maxListBytes / 1024 / 1024)} MiB, ${options.maxListUrls} URLs)
      <input type="file" name="list" accept=".txt,.csv,.tsv,text/plain,text/csv,text/tab-separated-values"
    /></label>
    <label>Then click (text of a link or button on the landing page; one per line, optional) ${textArea('click', state.click)} </label>
    ${optionsBlock(state, options.nudges)}
    <label class="again"
      >${state.again ? html`<input type="checkbox" name="again" value="1" checked />` : html`<input type="checkbox" name="again" value="1" />`}
      Trace again even if this link was traced before (a link is otherwise requested only once: single-use links)</label
    >
    <p class="muted">${options.allowPrivate ? PRIVATE_ALLOWED : PRIVATE_REFUSED}</p>
    <button type="submit">Trace</button>
  </form>`;
}

/** The per-trace options, open when a refused submission gave some; `nudges`: the server's own nudge setting. */
function optionsBlock(state: SubmitFormState, nudges: boolean): SafeHtml {
  const fields = html`<summary>Options for this trace (the server's settings otherwise)</summary>
    <label
      >Device
      ${choice('device', state.device, [
        ['', 'server default'],
        ['desktop', 'desktop'],
        ['mobile', 'mobile'],
      ])}</label
    >
    <label
      >User agent
      <input
        type="text"
        name="user_agent"
        maxlength="512"
        value="${state.userAgent ?? ''}"
        placeholder="a normal desktop Chrome UA"
        spellcheck="false"
    /></label>
    <label
      >Explore (click the landing page's call-to-action)
      ${choice('explore', state.explore, [
        ['', 'server default'],
        ['on', 'on'],
        ['off', 'off'],
      ])}</label
    >
    <label
      >Explore depth
      <input type="number" name="explore_depth" min="1" max="${MAX_EXPLORE_DEPTH}" step="1" value="${state.exploreDepth ?? ''}"
    /></label>
    <label
      >Timeout (seconds) <input type="number" name="timeout" min="1" max="${MAX_TIMEOUT_SECONDS}" step="1" value="${state.timeout ?? ''}"
    /></label>
    ${nudgeBox(nudgeChecked(state, nudges), nudges)}`;
  return optionsGiven(state, nudges)
    ? html`<details class="trace-options-form" id="trace-options-form" open>${fields}</details>`
    : html`<details class="trace-options-form" id="trace-options-form">${fields}</details>`;
}

/**
 * The nudge checkbox, ticked as the server nudges unless a refused form said otherwise. Its hidden
 * "off" comes first and the box's "on" after it (the server reads the last): unticked says off.
 */
function nudgeBox(checked: boolean, nudges: boolean): SafeHtml {
  const box = checked
    ? html`<input type="checkbox" name="nudge" value="on" checked />`
    : html`<input type="checkbox" name="nudge" value="on" />`;
  return html`<input type="hidden" name="nudge" value="off" />
    <label class="nudge"
      >${box} Nudge: a resting page that listens for a person gets what one starting to read it gives it: focus, a mouse path of a few
      curved strokes and a few wheel notches down (a phone: a flick or a few); never a click or a key. Unticked, the page is only waited on:
      a human check keeps its decoy (this server's default: ${nudges ? 'ticked' : 'unticked, --no-nudge'})</label
    >`;
}

function nudgeChecked(state: SubmitFormState, nudges: boolean): boolean {
  return state.nudge === undefined ? nudges : state.nudge === 'on';
}

function optionsGiven(state: SubmitFormState, nudges: boolean): boolean {
  return (
    [state.device, state.userAgent, state.explore, state.exploreDepth, state.timeout].some((v) => v !== undefined && v !== '') ||
    nudgeChecked(state, nudges) !== nudges
  );
}

/** The jobs as a table; with `retry`, a last column says what can be done about each failed job (see retryControl). */
export function jobList(jobs: JobSummary[], retry?: (job: JobSummary) => RetryVerdict, empty = 'No jobs yet.'): SafeHtml {
  if (jobs.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table class="jobs">
    <thead>
      <tr>
        <th>Job</th>
        <th>Submitted</th>
        <th>State</th>
        <th>Target</th>
        <th>Case</th>
        ${retry ? html`<th>Retry</th>` : ''}
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
            ${retry ? html`<td>${j.state === 'failed' ? retryControl(j, retry(j)) : ''}</td>` : ''}
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
