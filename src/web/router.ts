// A minimal router: method, a path pattern whose groups are the percent-decoded parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceService } from '../service/trace-service.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  service: TraceService;
}

export type Handler = (ctx: RequestContext, ...params: string[]) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

export function route(method: Route['method'], pattern: RegExp, handler: Handler): Route {
  return { method, pattern, handler };
}

export type Match = { route: Route; params: string[] } | { methodNotAllowed: true } | null;

/** The route for a request; null when no path matches. Throws URIError on bad percent-encoding. */
export function matchRoute(routes: Route[], method: string, pathname: string): Match {
  let pathMatched = false;
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (r.method === wanted) return { route: r, params: m.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p))) };
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}
