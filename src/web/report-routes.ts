// The feed report in the web UI: GET /report (the page, with links to the cases) and
// GET /api/report?since=DATE (the same aggregate as JSON; `clicktrace report --json` prints it too).
import { dateBound, QueryError } from '../store/index.js';
import { aggregateCases } from '../feed/index.js';
import { route, type RequestContext, type Route } from './router.js';
import { sendHtml, sendJson, sendJsonError } from './responses.js';
import { layout } from './views/layout.js';
import { errorBody } from './views/error-page.js';
import { feedReportBody } from './views/feed-report.js';

function since(ctx: RequestContext): { value: string | null; raw: string | null } {
  const raw = ctx.url.searchParams.get('since')?.trim() || null;
  return { value: raw ? dateBound(raw, 'since') : null, raw };
}

function reportPage(ctx: RequestContext): void {
  let bound;
  try {
    bound = since(ctx);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    return sendHtml(ctx.res, 400, layout('Report', errorBody(400, err.message)));
  }
  const aggregate = aggregateCases(ctx.service.syncedStore(), { since: bound.value });
  sendHtml(ctx.res, 200, layout('Report', feedReportBody(aggregate, { linkCases: true, since: bound.raw })));
}

function reportApi(ctx: RequestContext): void {
  let bound;
  try {
    bound = since(ctx);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    return sendJsonError(ctx.res, 400, 'bad-filter', err.message);
  }
  sendJson(ctx.res, 200, aggregateCases(ctx.service.syncedStore(), { since: bound.value }));
}

export const reportRoutes: Route[] = [route('GET', /^\/report$/, reportPage), route('GET', /^\/api\/report$/, reportApi)];
