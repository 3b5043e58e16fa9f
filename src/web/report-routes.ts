// The feed report in the web UI: GET /report (the page, with links to the cases) and
// GET /api/report?since=DATE (the same aggregate as JSON; `clicktrace report --json` prints it too).
import { dateBound, QueryError } from '../store/index.js';
import { feedReport, type FeedAggregate } from '../feed/index.js';
import { route, type RequestContext, type Route } from './router.js';
import { sendHtml, sendJson, sendJsonError } from './responses.js';
import { layout } from './views/layout.js';
import { errorBody } from './views/error-page.js';
import { feedReportBody } from './views/feed-report.js';
import { timeFromCaseId } from '../store/case-rows.js';

/**
 * A time's zone whose "+" a query string typed by hand read as a space (`?since=2026-11-26T09:00+01:00`
 * arrives as "...T09:00 01:00"), given its "+" back; anything else as it is.
 */
export function zonePlus(value: string | null): string | null {
  return value?.replace(/(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2') ?? null;
}

/** The report (aggregate and cloaking) for `?since=DATE`, or the reason the date is refused. */
function aggregateFor(ctx: RequestContext): { aggregate: FeedAggregate; since: string | null } | { error: string } {
  const raw = zonePlus(ctx.url.searchParams.get('since')?.trim() || null);
  let since: string | null;
  try {
    since = raw ? dateBound(raw, 'since') : null;
  } catch (err) {
    if (err instanceof QueryError) return { error: err.message };
    throw err;
  }
  return { aggregate: feedReport(ctx.service.syncedStore(), { since }), since: raw };
}

function reportPage(ctx: RequestContext): void {
  const result = aggregateFor(ctx);
  if ('error' in result) return sendHtml(ctx.res, 400, layout('Report', errorBody(400, result.error)));
  // As `clicktrace report` says on stderr: the folders left out, those of the window (by their name's time).
  const since = result.aggregate.since;
  const notCounted = ctx.service.notIndexed().filter((s) => since === null || (timeFromCaseId(s.id) ?? since) >= since);
  sendHtml(ctx.res, 200, layout('Report', feedReportBody(result.aggregate, { linkCases: true, since: result.since, notCounted })));
}

function reportApi(ctx: RequestContext): void {
  const result = aggregateFor(ctx);
  if ('error' in result) return sendJsonError(ctx.res, 400, 'bad-filter', result.error);
  sendJson(ctx.res, 200, result.aggregate);
}

export const reportRoutes: Route[] = [route('GET', /^\/report$/, reportPage), route('GET', /^\/api\/report$/, reportApi)];
