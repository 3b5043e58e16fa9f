// The JSON API: everything the pages show, for scripts and other tools.
//   POST /api/submit              { url, clicks?, again?, device?, userAgent?, explore?, exploreDepth?, timeout?, nudge? } | form (url,
//                                 click, again, link, device, user_agent, explore, explore_depth, timeout, nudge, message file) |
//                                 message/rfc822 body (?again=1&link=N&device=...&nudge=off) → 202 { job } (a message's main link is
//                                 traced, or its link number N; nudge: true/false, on/off; absent: the server's --no-nudge or not)
//                                 (a link traced before is not requested again, whatever the options: the job points at that case,
//                                 unless again)
//                                 | { list: "text of a list" | urls: [...], filename?, clicks?, again?, ... } | form (list: pasted lines
//                                 or a .txt/.csv file) | text/plain or text/csv body (?filename&again=1&click=...)
//                                 → 202 { batch } (read as `trace --input` reads a file; see /api/batches/:id)
//   GET  /api/batches             → { batches } (newest first, counts without items)
//   GET  /api/batches/:id         → { batch: { items (line, url, given, state, jobId, caseId, alreadyTraced, of, error), counts,
//                                 aggregate (who is responsible across its cases, once it ended) } }
//   GET  /api/jobs?ids=a,b&state= → { jobs } (newest first, without events; with ids: those jobs, in that order; state:
//                                 queued, running, done, failed or cancelled only)
//   GET  /api/jobs/:id            → { job, queue, retry } (queue: { place, ahead, running } while it waits; retry, of a failed
//                                 job: { ok } or { ok: false, reason, caseId }: whether its link was never requested)
//   POST /api/jobs/:id/retry      → 202 { job } (a failed job whose link was never requested, run again as a new job)
//                                 | 409 not-retried (its link was requested: the reason names the case)
//   POST /api/jobs/:id/cancel     → 200 { job } (queued: cancelled, never traced; running: cancelledAt set, its trace being stopped,
//                                 state cancelled once its case is sealed) | 409 not-cancelled (it ended: done or failed)
//   POST /api/batches/:id/cancel  → 200 { batch } (every job of it not ended, cancelled as above; a mailbox being sent takes
//                                 no more messages) | 409 not-cancelled (it ended)
//   POST /api/batches             { mailbox: "name", clicks?, again?, device?, ... } → 201 { batch } (a mailbox sent message by
//                                 message, as `mail --trace --server` does: each message/rfc822 submission with ?batch=ID&message=N
//                                 joins it, one cancellable batch; 409 batch-cancelled once it was cancelled)
//   POST /api/batches/:id/close   → 200 { batch } (every message of the mailbox was sent: the batch ends with its last job)
//   POST /api/batches/:id/lease   → 200 { batch: { id, state, open, lease } } (the mailbox's sender is still there: open for
//                                   another lease; a mailbox not renewed (nor sent a message) for a lease is closed, `abandoned`;
//                                   409 batch-expired, batch-closed or batch-cancelled once it takes no more messages)
//   GET  /api/jobs/:id/events     → text/event-stream: "progress" events, "state" changes, "end"
//   GET  /api/cases/:id           → { case, report, message, relations, downloads (evidence files), flags (verdict flags),
//                                 integrity (the manifest, signature and timestamp checked now), files (files the chain downloaded) }
//   GET  /api/cases/:id/exchanges → { exchanges, error }
//   GET  /api/search?q&domain&party&ip&cert&token&asn&file&status&kind&message&from&to&limit&offset → { total, limit, offset, cases }
//   GET  /api/pivot/:kind/:value  → same as search with that one filter
//   POST /api/reindex             → rebuild the index from the case folders
//   POST /api/aggregate           { cases: [id, ...] } → { aggregate } (who is responsible across those cases: the aggregate a
//                                 batch's summary ends with, so that a batch run with --server ends as a local one does)
import type { ServerResponse } from 'node:http';
import { isPivotKind, normalizeFilters, QueryError } from '../store/index.js';
import { route, type RequestContext, type Route } from './router.js';
import { sendJson, sendJsonError } from './responses.js';
import { readSubmission } from './submission-input.js';
import { jobEnded, SubmissionError, type BatchView, type Job, type JobState, type OpenMailboxInput } from '../service/trace-service.js';
import { traceChoices } from '../service/submission-options.js';
import { BodyError, readBody, type FormData } from './request-body.js';
import { aggregateCases } from '../feed/index.js';
import { loadCaseDetails, loadCaseExchanges, loadCaseView } from './case-data.js';
import { securityHeaders, APP_CSP } from './security.js';
import { queuePlace } from './views/job-page.js';
import { jsonText } from '../visible.js';

export async function submit(ctx: RequestContext, formRead?: (form: FormData) => void): Promise<{ job: Job } | { batch: BatchView }> {
  const { service } = ctx;
  const input = await readSubmission(
    ctx.req,
    { maxMessageBytes: service.maxMessageBytes, maxListBytes: service.maxListBytes },
    ctx.url.searchParams,
    formRead,
  );
  const { options } = input;
  if (input.list)
    return {
      batch: await service.submitList({
        raw: input.list.raw,
        filename: input.list.filename,
        clicks: input.clicks,
        again: input.again,
        options,
      }),
    };
  if (input.message)
    return {
      job: await ctx.service.submitMessage({
        raw: input.message.raw,
        filename: input.message.filename,
        clicks: input.clicks,
        again: input.again,
        link: input.link,
        mailbox: input.mailbox,
        options,
      }),
    };
  return { job: await ctx.service.submitUrl({ url: input.url, given: input.given, clicks: input.clicks, again: input.again, options }) };
}

function jobState(job: Job) {
  const { events: _events, ...rest } = job;
  return rest;
}

function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof SubmissionError) return sendJsonError(res, err.status, err.code, err.message);
  if (err instanceof BodyError) return sendJsonError(res, err.status, 'bad-request', err.message);
  if (err instanceof QueryError) return sendJsonError(res, 400, 'bad-filter', err.message);
  throw err;
}

function jobEvents(ctx: RequestContext, id: string): void {
  const { res, service } = ctx;
  const job = service.job(id);
  if (!job) return sendJsonError(res, 404, 'not-found', `no job ${id}`);
  res.writeHead(200, {
    ...securityHeaders(APP_CSP),
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${jsonText(data)}\n\n`);
  const finished = (j: Job) => jobEnded(j.state);
  for (const event of job.events) write('progress', event);
  write('state', jobState(job));
  if (finished(job)) {
    write('end', {});
    res.end();
    return;
  }
  let lastSeq = job.events.at(-1)?.seq ?? 0;
  let lastState = job.state;
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  const unsubscribe = service.subscribe(id, (current, event) => {
    if (event && event.seq > lastSeq) {
      lastSeq = event.seq;
      write('progress', event);
    }
    if (current.state !== lastState) {
      lastState = current.state;
      write('state', jobState(current));
    }
    if (finished(current)) {
      write('end', {});
      stop();
      res.end();
    }
  });
  res.on('close', stop);
}

export const apiRoutes: Route[] = [
  route('POST', /^\/api\/submit$/, async (ctx) => {
    try {
      const submitted = await submit(ctx);
      if ('batch' in submitted) {
        const { batch } = submitted;
        return sendJson(ctx.res, 202, { batch, links: { status: `/api/batches/${batch.id}`, page: `/batches/${batch.id}` } });
      }
      const { job } = submitted;
      sendJson(ctx.res, 202, {
        job: jobState(job),
        links: { status: `/api/jobs/${job.id}`, events: `/api/jobs/${job.id}/events`, page: `/jobs/${job.id}` },
      });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('GET', /^\/api\/jobs$/, (ctx) => {
    const ids = ctx.url.searchParams.get('ids');
    const state = ctx.url.searchParams.get('state');
    if (state !== null && !isJobState(state))
      return sendJsonError(ctx.res, 400, 'bad-filter', 'state: expected queued, running, done, failed or cancelled');
    sendJson(ctx.res, 200, { jobs: ctx.service.listJobs(ids === null ? undefined : ids.split(',').slice(0, 500), state ?? undefined) });
  }),
  route('GET', /^\/api\/jobs\/([^/]+)$/, (ctx, id) => {
    const job = ctx.service.job(id);
    if (!job) return sendJsonError(ctx.res, 404, 'not-found', `no job ${id}`);
    sendJson(ctx.res, 200, {
      job,
      queue: queuePlace(job, ctx.service.listJobs()),
      ...(job.state === 'failed' ? { retry: ctx.service.retryVerdict(job) } : {}),
    });
  }),
  route('POST', /^\/api\/jobs\/([^/]+)\/retry$/, async (ctx, id) => {
    try {
      const job = jobState(await ctx.service.retry(id));
      sendJson(ctx.res, 202, { job, links: { status: `/api/jobs/${job.id}`, page: `/jobs/${job.id}` } });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('POST', /^\/api\/jobs\/([^/]+)\/cancel$/, async (ctx, id) => {
    try {
      const job = jobState(await ctx.service.cancel(id));
      sendJson(ctx.res, 200, { job, links: { status: `/api/jobs/${job.id}`, page: `/jobs/${job.id}` } });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('POST', /^\/api\/batches\/([^/]+)\/cancel$/, async (ctx, id) => {
    try {
      const batch = await ctx.service.cancelBatch(id);
      sendJson(ctx.res, 200, { batch, links: { status: `/api/batches/${batch.id}`, page: `/batches/${batch.id}` } });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('POST', /^\/api\/batches$/, async (ctx) => {
    try {
      const input = await readMailboxInput(ctx);
      const batch = ctx.service.openMailbox(input);
      sendJson(ctx.res, 201, { batch, links: { status: `/api/batches/${batch.id}`, page: `/batches/${batch.id}` } });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('POST', /^\/api\/batches\/([^/]+)\/close$/, (ctx, id) => {
    try {
      sendJson(ctx.res, 200, { batch: ctx.service.closeMailbox(id) });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('POST', /^\/api\/batches\/([^/]+)\/lease$/, (ctx, id) => {
    try {
      const { lease, state } = ctx.service.renewMailbox(id);
      sendJson(ctx.res, 200, { batch: { id, state, open: true, lease } });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('GET', /^\/api\/jobs\/([^/]+)\/events$/, (ctx, id) => jobEvents(ctx, id)),
  route('GET', /^\/api\/batches$/, (ctx) => sendJson(ctx.res, 200, { batches: ctx.service.listBatches() })),
  route('GET', /^\/api\/batches\/([^/]+)$/, (ctx, id) => {
    const batch = ctx.service.batchView(id);
    if (!batch) return sendJsonError(ctx.res, 404, 'not-found', `no batch ${id}`);
    sendJson(ctx.res, 200, { batch });
  }),
  route('GET', /^\/api\/cases\/([^/]+)$/, async (ctx, id) => {
    const details = loadCaseDetails(ctx.service.store, id);
    if (!details) return sendJsonError(ctx.res, 404, 'not-found', `no case ${id}`);
    const view = await loadCaseView(ctx.service.store, details);
    sendJson(ctx.res, 200, {
      case: details.summary,
      report: details.report,
      message: details.message,
      relations: details.relations,
      downloads: details.downloads,
      flags: view.flags,
      integrity: view.integrity,
      files: view.recorded?.downloads ?? [],
    });
  }),
  route('GET', /^\/api\/cases\/([^/]+)\/exchanges$/, async (ctx, id) => {
    if (!loadCaseDetails(ctx.service.store, id)) return sendJsonError(ctx.res, 404, 'not-found', `no case ${id}`);
    sendJson(ctx.res, 200, await loadCaseExchanges(ctx.service.store, id));
  }),
  route('GET', /^\/api\/search$/, (ctx) => {
    try {
      const filters = normalizeFilters(queryObject(ctx.url.searchParams));
      sendJson(ctx.res, 200, { filters, ...ctx.service.syncedStore().search(filters) });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('GET', /^\/api\/pivot\/([^/]+)\/([^/]+)$/, (ctx, kind, value) => {
    if (!isPivotKind(kind)) return sendJsonError(ctx.res, 404, 'not-found', `no pivot "${kind}" (domain, party, ip, cert, token, message)`);
    try {
      const filters = normalizeFilters({ ...queryObject(ctx.url.searchParams), [kind]: value });
      sendJson(ctx.res, 200, { filters, ...ctx.service.syncedStore().search(filters) });
    } catch (err) {
      sendError(ctx.res, err);
    }
  }),
  route('POST', /^\/api\/reindex$/, (ctx) => sendJson(ctx.res, 200, ctx.service.store.reindex())),
  route('POST', /^\/api\/aggregate$/, async (ctx) => {
    let cases: unknown;
    try {
      cases = (JSON.parse((await readBody(ctx.req, MAX_AGGREGATE_BYTES)).toString('utf8')) as { cases?: unknown })?.cases;
    } catch (err) {
      if (err instanceof BodyError) return sendError(ctx.res, err);
      return sendJsonError(ctx.res, 400, 'bad-request', 'expected JSON: {"cases": ["case id", ...]}');
    }
    if (!Array.isArray(cases) || !cases.every((c) => typeof c === 'string'))
      return sendJsonError(ctx.res, 400, 'bad-request', 'expected JSON: {"cases": ["case id", ...]}');
    sendJson(ctx.res, 200, { aggregate: aggregateCases(ctx.service.syncedStore(), { caseIds: [...new Set(cases)] }) });
  }),
];

/** POST /api/batches: `{ "mailbox": "name", "clicks", "again", trace options }`. */
async function readMailboxInput(ctx: RequestContext): Promise<OpenMailboxInput> {
  let value: unknown;
  try {
    value = JSON.parse((await readBody(ctx.req, 64 * 1024)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyError) throw err;
    throw new BodyError('expected JSON: {"mailbox": "name of the mailbox"}', 400);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { mailbox?: unknown }).mailbox !== 'string')
    throw new BodyError('expected JSON: {"mailbox": "name of the mailbox"}', 400);
  const { mailbox, clicks, again, ...rest } = value as { mailbox: string; clicks?: unknown; again?: unknown } & Parameters<
    typeof traceChoices
  >[0];
  if (again !== undefined && typeof again !== 'boolean') throw new BodyError('again: expected true or false', 400);
  return { filename: mailbox, clicks: clicks ?? [], again: again ?? false, options: traceChoices(rest) };
}

/** A batch's case ids (two per message of a mailbox: its trace and its message case), ~40 bytes each. */
const MAX_AGGREGATE_BYTES = 16 * 1024 * 1024;

export function isJobState(value: string): value is JobState {
  return value === 'queued' || value === 'running' || value === 'done' || value === 'failed' || value === 'cancelled';
}

export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}
