// The fleet's HTTP side (`serve --queue`, see src/fleet/protocol.ts): what workers say to the
// server, and the queue's state for people.
//   GET  /api/queue                 → { queue, jobs, redis, workers, workerTimeoutMs } (also without a queue: the in-process counts)
//   POST /api/fleet/heartbeat       HeartbeatRequest → HeartbeatResponse
//   POST /api/fleet/jobs/:id/claim  ClaimRequest → 200 { ok, caseId, url } | 409 { ok: false, code, reason }
//   POST /api/fleet/jobs/:id/fail   FailRequest → 200 | 409
//   POST /api/fleet/cases/:case     the case bundle (application/vnd.clicktrace.case-bundle+zip), the claim's nonce in
//                                   X-Clicktrace-Claim → 200 { case, outcome } | 422 refused (damaged) or case-refused (final) | 409 not the claimant's
// Worker endpoints answer only with the server's token in a header (never the browser cookie).
import type { RequestContext, Route } from './router.js';
import { route } from './router.js';
import { sendJson, sendJsonError } from './responses.js';
import { BodyError, readBody } from './request-body.js';
import { presentedToken } from './security.js';
import { isCaseId } from '../store/index.js';
import { MAX_BUNDLE_BYTES } from '../case/case-bundle.js';
import { CLAIM_HEADER, isClaimRequest, isFailRequest, isHeartbeatRequest } from '../fleet/protocol.js';
import type { FleetDispatcher, FleetReply } from '../fleet/dispatcher.js';
import { inProcessQueue } from './views/queue-panel.js';

const MAX_JSON_BYTES = 256 * 1024;

/** The dispatcher, if this request may speak for a worker; otherwise the refusal is sent and null returned. */
function fleetOf(ctx: RequestContext): FleetDispatcher | null {
  const fleet = ctx.service.fleet;
  if (!fleet) {
    sendJsonError(ctx.res, 404, 'no-queue', 'this server has no queue (start it with serve --queue redis://HOST:PORT)');
    return null;
  }
  if (presentedToken(ctx.req)?.via !== 'header') {
    sendJsonError(ctx.res, 401, 'unauthorized', 'workers present the server token in the X-Clicktrace-Token header');
    return null;
  }
  return fleet;
}

async function jsonBody(ctx: RequestContext): Promise<unknown> {
  try {
    return JSON.parse((await readBody(ctx.req, MAX_JSON_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyError) throw err;
    throw new BodyError('expected a JSON body', 400);
  }
}

function reply<T>(ctx: RequestContext, answer: FleetReply<T>): void {
  sendJson(ctx.res, answer.status, answer.body);
}

/** Parses the body with `check`, or answers 400. */
async function withBody<T>(ctx: RequestContext, check: (v: unknown) => v is T, use: (body: T) => void): Promise<void> {
  let body: unknown;
  try {
    body = await jsonBody(ctx);
  } catch (err) {
    const e = err as BodyError;
    return sendJsonError(ctx.res, e.status ?? 400, 'bad-request', e.message);
  }
  if (!check(body)) return sendJsonError(ctx.res, 400, 'bad-request', 'the request body does not have the expected fields');
  use(body);
}

export const fleetRoutes: Route[] = [
  route('GET', /^\/api\/queue$/, async (ctx) => {
    const { service } = ctx;
    if (service.fleet) return sendJson(ctx.res, 200, await service.fleet.status());
    sendJson(ctx.res, 200, { ...inProcessQueue(service.concurrency, service.listJobs()), workers: [] });
  }),
  route('POST', /^\/api\/fleet\/heartbeat$/, async (ctx) => {
    const fleet = fleetOf(ctx);
    if (fleet) await withBody(ctx, isHeartbeatRequest, (body) => reply(ctx, fleet.heartbeat(body)));
  }),
  route('POST', /^\/api\/fleet\/jobs\/([^/]+)\/claim$/, async (ctx, id) => {
    const fleet = fleetOf(ctx);
    if (fleet) await withBody(ctx, isClaimRequest, (body) => reply(ctx, fleet.claim(id, body)));
  }),
  route('POST', /^\/api\/fleet\/jobs\/([^/]+)\/fail$/, async (ctx, id) => {
    const fleet = fleetOf(ctx);
    if (fleet) await withBody(ctx, isFailRequest, (body) => reply(ctx, fleet.fail(id, body)));
  }),
  route('POST', /^\/api\/fleet\/cases\/([^/]+)$/, async (ctx, caseId) => {
    const fleet = fleetOf(ctx);
    if (!fleet) return;
    if (!isCaseId(caseId)) return sendJsonError(ctx.res, 400, 'bad-request', `not a case id: ${caseId.slice(0, 100)}`);
    let bundle: Buffer;
    try {
      bundle = await readBody(ctx.req, MAX_BUNDLE_BYTES);
    } catch (err) {
      if (err instanceof BodyError) return sendJsonError(ctx.res, err.status, 'bad-request', err.message);
      throw err;
    }
    const nonce = ctx.req.headers[CLAIM_HEADER.toLowerCase()];
    reply(ctx, await fleet.ingest(caseId, bundle, typeof nonce === 'string' ? nonce : null));
  }),
];
