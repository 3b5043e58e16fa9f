// Comparisons (`clicktrace compare`) in the web UI: GET /compare (the list), GET /compare/<id>
// (the page: screenshots in a row, the divergence highlighted) and GET /api/compare/<id> (its record).
import { join } from 'node:path';
import { isComparisonCaseId, listComparisons, readComparisonCase } from '../compare/comparison-case.js';
import { route, type RequestContext, type Route } from './router.js';
import { sendHtml, sendJson, sendJsonError } from './responses.js';
import { layout } from './views/layout.js';
import { compareBody, compareListBody } from './views/compare-page.js';
import { notFound } from './page-routes.js';

function record(ctx: RequestContext, id: string) {
  return isComparisonCaseId(id) ? readComparisonCase(join(ctx.service.casesDir, id)) : null;
}

export const compareRoutes: Route[] = [
  route('GET', /^\/compare$/, (ctx) =>
    sendHtml(ctx.res, 200, layout('Comparisons', compareListBody(listComparisons(ctx.service.casesDir)))),
  ),
  route('GET', /^\/compare\/([^/]+)$/, (ctx, id) => {
    const found = record(ctx, id);
    if (!found) return notFound(ctx, `No comparison ${id}.`);
    sendHtml(ctx.res, 200, layout(`Comparison ${id}`, compareBody(found)));
  }),
  route('GET', /^\/api\/compare\/([^/]+)$/, (ctx, id) => {
    const found = record(ctx, id);
    if (!found) return sendJsonError(ctx.res, 404, 'not-found', `no comparison ${id}`);
    sendJson(ctx.res, 200, found);
  }),
];
