// The HTML pages: start page with the submit form, case list with filters and pivots, case
// page, case files, job pages, and the two static files.
import { isCaseId, normalizeFilters, QueryError, type SearchFilters, type SearchResult } from '../store/index.js';
import { appPath, html } from './html.js';
import { route, type RequestContext, type Route } from './router.js';
import { redirect, sendCaseFile, sendHtml, sendStatic, sendSvg } from './responses.js';
import { queryObject, submit } from './api-routes.js';
import { jobEnded, SubmissionError } from '../service/trace-service.js';
import { BodyError } from './request-body.js';
import { loadCaseDetails, loadCaseView, loadRecordedView } from './case-data.js';
import { treeDrawing, waterfallDrawing } from './views/chain-svg.js';
import { downloadName, resolveCaseFile } from './case-files.js';
import { APP_CSS, APP_JS } from './static-assets.js';
import { APP_CSP, securityHeaders } from './security.js';
import { layout } from './views/layout.js';
import { homeBody, jobList, keptFields, submitForm, type SubmitFormState } from './views/home-page.js';
import { caseListBody } from './views/case-list.js';
import { caseBody } from './views/case-page.js';
import { JOB_REFRESH_SECONDS, jobBody } from './views/job-page.js';
import { batchBody, batchList, batchPageQuery } from './views/batch-page.js';
import { queuePanel, inProcessQueue } from './views/queue-panel.js';
import { errorBody } from './views/error-page.js';
import { recipientsBody, RECIPIENT_MAP_EXAMPLE, type RecipientsPageState } from './views/recipients-page.js';
import { formFromUrlencoded, mediaType, readBody, formFromParts, parseMultipart, type FormData } from './request-body.js';
import { casesRecipientMap, RECIPIENT_MAP_FILE, RecipientMapError, saveRecipientMap } from '../mail/recipient-map.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function notFound(ctx: RequestContext, message = 'There is nothing here.'): void {
  sendHtml(ctx.res, 404, layout('Not found', errorBody(404, message)));
}

function home(ctx: RequestContext, status: number, state: SubmitFormState): void {
  const { service } = ctx;
  const form = submitForm(state, {
    allowPrivate: service.allowPrivate,
    maxMessageBytes: service.maxMessageBytes,
    maxListBytes: service.maxListBytes,
    maxListUrls: service.maxListUrls,
    nudges: service.nudges,
  });
  sendHtml(
    ctx.res,
    status,
    layout(
      'Submit',
      homeBody(form, service.listJobs(), service.syncedStore().search({ limit: 20 }), batchList(service.listBatches().slice(0, 5))),
    ),
  );
}

async function submitFromForm(ctx: RequestContext): Promise<void> {
  let form: FormData | null = null;
  try {
    const submitted = await submit(ctx, (read) => (form = read));
    redirect(ctx.res, 'batch' in submitted ? appPath('batches', submitted.batch.id) : appPath('jobs', submitted.job.id));
  } catch (err) {
    if (err instanceof SubmissionError || err instanceof BodyError) {
      // What was sent comes back in the form (a body too large to read is not there to keep).
      home(ctx, err.status, { error: err.message, ...(form ? keptFields(form) : {}) });
      return;
    }
    throw err;
  }
}

function caseList(ctx: RequestContext): void {
  let filters: SearchFilters = {};
  let error: string | null = null;
  let result: SearchResult;
  try {
    filters = normalizeFilters(queryObject(ctx.url.searchParams));
    result = ctx.service.syncedStore().search(filters);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    error = err.message;
    result = { total: 0, limit: 50, offset: 0, cases: [] };
  }
  const { limit: _limit, offset: _offset, ...shown } = filters;
  sendHtml(ctx.res, error ? 400 : 200, layout('Cases', caseListBody(shown, result, error)));
}

async function casePage(ctx: RequestContext, id: string): Promise<void> {
  const details = loadCaseDetails(ctx.service.store, id);
  if (!details) return notFound(ctx, `No case ${id}.`);
  const view = await loadCaseView(ctx.service.store, details);
  const drawings = view.recorded ? { tree: treeDrawing(view.recorded.tree), waterfall: waterfallDrawing(view.recorded.waterfall) } : null;
  sendHtml(ctx.res, 200, layout(`Case ${id}`, caseBody(details, view, drawings), { bodyClass: 'case-page' }));
}

async function caseDrawing(ctx: RequestContext, id: string, which: 'tree' | 'waterfall'): Promise<void> {
  const details = loadCaseDetails(ctx.service.store, id);
  const { recorded } = details ? await loadRecordedView(ctx.service.store, id, details.report) : { recorded: null };
  if (!recorded) return notFound(ctx, `No recorded chain for case ${id}.`);
  sendSvg(ctx.res, which === 'tree' ? treeDrawing(recorded.tree).svg : waterfallDrawing(recorded.waterfall).svg);
}

function caseFile(ctx: RequestContext, id: string, rest: string): void {
  // Each segment was percent-encoded separately; the path is checked against the case layout.
  let relPath: string;
  try {
    relPath = rest.split('/').map(decodeURIComponent).join('/');
  } catch {
    return notFound(ctx);
  }
  const file = isCaseId(id) ? resolveCaseFile(ctx.service.casesDir, id, relPath) : null;
  if (!file) return notFound(ctx, 'No such file in this case.');
  sendCaseFile(ctx.res, file.path, file.kind.contentType, file.kind.attachment ? downloadName(id, relPath) : null);
}

const MAX_RECIPIENT_MAP_BYTES = 1024 * 1024;

function recipientsPage(ctx: RequestContext, status: number, state: Partial<RecipientsPageState> = {}): void {
  let map = null;
  let text = RECIPIENT_MAP_EXAMPLE;
  const errors = [...(state.errors ?? [])];
  try {
    map = casesRecipientMap(ctx.service.casesDir);
    if (map) text = readFileSync(join(ctx.service.casesDir, RECIPIENT_MAP_FILE), 'utf8');
  } catch (err) {
    if (!(err instanceof RecipientMapError)) throw err;
    errors.push(`the saved ${RECIPIENT_MAP_FILE} is broken: ${err.message}`);
  }
  const body = recipientsBody({ map, text: state.text ?? text, errors, saved: state.saved ?? false });
  sendHtml(ctx.res, status, layout('Recipients', body));
}

async function saveRecipients(ctx: RequestContext): Promise<void> {
  const type = mediaType(ctx.req);
  let text: string | undefined;
  try {
    const body = await readBody(ctx.req, MAX_RECIPIENT_MAP_BYTES);
    const form =
      type === 'multipart/form-data' ? formFromParts(parseMultipart(body, ctx.req.headers['content-type']!)) : formFromUrlencoded(body);
    text = form.fields.get('map')?.[0];
    if (text === undefined) throw new RecipientMapError('the form has no "map" field');
    saveRecipientMap(ctx.service.casesDir, text);
  } catch (err) {
    if (err instanceof BodyError) return recipientsPage(ctx, err.status, { errors: [err.message] });
    if (err instanceof RecipientMapError)
      return recipientsPage(ctx, 400, { errors: err.message.split('\n'), ...(text !== undefined ? { text } : {}) });
    throw err;
  }
  recipientsPage(ctx, 200, { saved: true });
}

/**
 * A form's POST on a job or batch (retry, cancel): on to the page `act` names, or a page with the
 * one-line reason it could not be done.
 */
function formAction(pattern: RegExp, notDone: string, act: (ctx: RequestContext, id: string) => Promise<string>): Route {
  return route('POST', pattern, async (ctx, id) => {
    try {
      redirect(ctx.res, await act(ctx, id));
    } catch (err) {
      if (!(err instanceof SubmissionError)) throw err;
      sendHtml(ctx.res, err.status, layout(notDone, errorBody(err.status, err.message)));
    }
  });
}

export const pageRoutes: Route[] = [
  route('GET', /^\/$/, (ctx) => home(ctx, 200, {})),
  route('POST', /^\/submit$/, submitFromForm),
  route('GET', /^\/cases$/, caseList),
  route('GET', /^\/cases\/([^/]+)$/, (ctx, id) => casePage(ctx, id)),
  route('GET', /^\/cases\/([^/]+)\/(tree|waterfall)\.svg$/, (ctx, id, which) => caseDrawing(ctx, id, which as 'tree' | 'waterfall')),
  route('GET', /^\/cases\/([^/]+)\/files\/(.+)$/, (ctx, id) => caseFile(ctx, id, ctx.url.pathname.split('/').slice(4).join('/'))),
  route('GET', /^\/recipients$/, (ctx) => recipientsPage(ctx, 200)),
  route('POST', /^\/recipients$/, saveRecipients),
  route('GET', /^\/jobs$/, async (ctx) => {
    const { service } = ctx;
    const jobs = service.listJobs();
    const status = service.fleet ? await service.fleet.status() : inProcessQueue(service.concurrency, jobs);
    const failedOnly = ctx.url.searchParams.get('state') === 'failed';
    const failed = jobs.filter((j) => j.state === 'failed');
    const filter = html`<p class="job-filter" id="job-filter">
      Show: ${failedOnly ? html`<a href="/jobs">all jobs (${jobs.length})</a>` : html`<strong>all jobs (${jobs.length})</strong>`} ·
      ${failedOnly ? html`<strong>failed (${failed.length})</strong>` : html`<a href="/jobs?state=failed">failed (${failed.length})</a>`}
    </p>`;
    const shown = failedOnly ? failed : jobs;
    sendHtml(
      ctx.res,
      200,
      layout(
        failedOnly ? 'Failed jobs' : 'Jobs',
        html`<h1>${failedOnly ? 'Failed jobs' : 'Jobs'}</h1>
          ${queuePanel(status)} ${failedOnly ? '' : batchList(service.listBatches())} ${filter}
          ${jobList(shown, (job) => service.retryVerdict(job), failedOnly ? 'No failed jobs.' : 'No jobs yet.')}`,
      ),
    );
  }),
  formAction(/^\/jobs\/([^/]+)\/retry$/, 'Not retried', async (ctx, id) => appPath('jobs', (await ctx.service.retry(id)).id)),
  formAction(/^\/jobs\/([^/]+)\/cancel$/, 'Not cancelled', async (ctx, id) => appPath('jobs', (await ctx.service.cancel(id)).id)),
  formAction(/^\/batches\/([^/]+)\/cancel$/, 'Not cancelled', async (ctx, id) =>
    appPath('batches', (await ctx.service.cancelBatch(id)).id),
  ),
  formAction(/^\/batches\/([^/]+)\/close$/, 'Not closed', (ctx, id) =>
    Promise.resolve(appPath('batches', ctx.service.closeMailbox(id, { byAnalyst: true }).id)),
  ),
  route('GET', /^\/batches\/([^/]+)$/, (ctx, id) => {
    const batch = ctx.service.batchView(id);
    if (!batch) return notFound(ctx, `No batch ${id}.`);
    const body = batchBody(batch, batchPageQuery(ctx.url.searchParams), ctx.service.nudges);
    sendHtml(ctx.res, 200, layout(`Batch ${batch.id}`, body, batch.state === 'done' ? {} : { refreshSeconds: 3 }));
  }),
  route('GET', /^\/jobs\/([^/]+)$/, (ctx, id) => {
    const job = ctx.service.job(id);
    if (!job) return notFound(ctx, `No job ${id}.`);
    const finished = jobEnded(job.state);
    const refresh = finished ? {} : { refreshSeconds: JOB_REFRESH_SECONDS, withoutScript: true };
    const retry = job.state === 'failed' ? ctx.service.retryVerdict(job) : null;
    sendHtml(ctx.res, 200, layout(`Job ${job.id}`, jobBody(job, ctx.service.listJobs(), retry, ctx.service.nudges), refresh));
  }),
  route('GET', /^\/static\/app\.js$/, (ctx) => sendStatic(ctx.res, 'text/javascript; charset=utf-8', APP_JS)),
  route('GET', /^\/favicon\.ico$/, (ctx) => {
    ctx.res.writeHead(204, { ...securityHeaders(APP_CSP), 'Cache-Control': 'max-age=86400' });
    ctx.res.end();
  }),
  route('GET', /^\/static\/app\.css$/, (ctx) => sendStatic(ctx.res, 'text/css; charset=utf-8', APP_CSS)),
];
