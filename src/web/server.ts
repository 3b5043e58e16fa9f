// `clicktrace serve`: the web UI and JSON API over the case store and the trace service.
//
// Why server-rendered HTML on node:http, without a framework or a single-page app: the pages
// show attacker-controlled content (titles, URLs, headers, bodies of spam pages), so the one
// property that matters most is that none of it can become markup or script. Rendering on the
// server through one tagged template (`html` in ./html.ts) that escapes every interpolated value
// unless it is itself template output makes that true by construction, and checks that no value
// lands in an unquoted attribute, an event handler, a script or a non-app URL. A client-side app
// would move that guarantee into a framework's rendering rules and bring a build step and a
// dependency tree; node:http keeps the attack surface to code in this folder. The only script is
// one static file (live job progress), so the CSP forbids inline script entirely. The JSON API
// serves the same data for tools.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TraceService } from '../service/trace-service.js';
import { matchRoute, type RequestContext, type Route } from './router.js';
import { apiRoutes } from './api-routes.js';
import { notFound, pageRoutes } from './page-routes.js';
import { shareRoutes } from './share-routes.js';
import { reportRoutes } from './report-routes.js';
import { fleetRoutes } from './fleet-routes.js';
import { compareRoutes } from './compare-routes.js';
import { redirect, sendHtml, sendJsonError } from './responses.js';
import { hostAllowed, isLoopbackHost, presentedToken, sameOriginOrToken, tokenCookie, tokensEqual, assertSafeBind } from './security.js';
import { layout } from './views/layout.js';
import { errorBody } from './views/error-page.js';

export const DEFAULT_PORT = 8200;
export const DEFAULT_HOST = '127.0.0.1';

export interface WebServerOptions {
  service: TraceService;
  host?: string;
  port?: number;
  /** Required when `host` is not loopback; then every request must present it. */
  token?: string;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...apiRoutes, ...fleetRoutes, ...shareRoutes, ...reportRoutes, ...compareRoutes, ...pageRoutes];

export function createRequestHandler(options: { service: TraceService; token?: string; loopback: boolean }) {
  const { service, token, loopback } = options;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const isApi = (req.url ?? '').startsWith('/api/');
    const fail = (status: number, code: string, message: string) =>
      isApi ? sendJsonError(res, status, code, message) : sendHtml(res, status, layout('Error', errorBody(status, message)));
    try {
      if (!hostAllowed(req.headers.host, loopback))
        return fail(421, 'bad-host', 'unexpected Host header: this server only answers to its loopback address');
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://clicktrace.invalid');
      } catch {
        return fail(400, 'bad-request', 'malformed request target');
      }
      let tokenInHeader = false;
      if (token) {
        const login = url.searchParams.get('token');
        if (login !== null && (req.method === 'GET' || req.method === 'HEAD')) {
          if (!tokensEqual(login, token)) return fail(401, 'unauthorized', 'wrong token');
          url.searchParams.delete('token');
          return redirect(res, `${url.pathname}${url.search}`, { 'Set-Cookie': tokenCookie(token) });
        }
        const presented = presentedToken(req);
        if (!presented || !tokensEqual(presented.value, token)) {
          return fail(
            401,
            'unauthorized',
            // A worker or batch with another --token sent one: said so, not that it sent none.
            `${presented ? 'wrong token: ' : ''}this server requires a token: open it once with ?token=<token>, or send the X-Clicktrace-Token header`,
          );
        }
        tokenInHeader = presented.via === 'header';
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOriginOrToken(req, tokenInHeader)) {
        return fail(403, 'cross-origin', 'cross-origin request refused');
      }
      let match;
      try {
        match = matchRoute(ROUTES, req.method ?? 'GET', url.pathname);
      } catch {
        return fail(400, 'bad-request', 'malformed percent-encoding in the path');
      }
      const ctx: RequestContext = { req, res, url, service };
      if (!match) return isApi ? sendJsonError(res, 404, 'not-found', 'no such endpoint') : notFound(ctx);
      if ('methodNotAllowed' in match) return fail(405, 'method-not-allowed', `${req.method} is not allowed here`);
      await match.route.handler(ctx, ...match.params);
    } catch (err) {
      process.stderr.write(`clicktrace serve: ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}\n`);
      if (!res.headersSent) fail(500, 'internal', 'internal error (see the server log)');
      else res.destroy();
    }
  };
}

export async function startWebServer(options: WebServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  assertSafeBind(host, options.token);
  const handler = createRequestHandler({ service: options.service, token: options.token, loopback: isLoopbackHost(host) });
  const server = createServer((req, res) => void handler(req, res));
  server.requestTimeout = 120_000;
  // Clients (fetch, the fleet's workers) close an idle kept-alive socket 1 s before the server
  // says it will: with node's 5 s default, a client whose timers ran late on a loaded machine sent
  // a request on a socket the server had just closed ("fetch failed"). Idle gaps of a minute are rare.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    host,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
