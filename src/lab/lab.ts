// The lab: one HTTP and one HTTPS server on free 127.0.0.1 ports serving every scenario by
// virtual host (Host header / SNI), an optional DNS server, and a log of every request seen.
// A tracer reaches it curl-style with `--connect-to :80:127.0.0.1:H --connect-to :443:...`
// and trusts its CA with `--cacert`.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { normalizeHost } from '../http/host.js';
import { LabExchange, acceptsMethod, findRoute, type LabState, type Route } from './exchange.js';
import { notFoundPage, page } from './pages.js';
import { LabTls } from './tls.js';
import { startDnsServer, type LabDnsServer } from './dns-server.js';
import { buildScenarios, type LabScenario } from './scenarios/index.js';

export type { LabScenario, ScenarioOutcome } from './scenarios/index.js';

export interface LabRequestRecord {
  /** Epoch milliseconds when the request head arrived. */
  at: number;
  method: string;
  /** Lower-case host name, without port. */
  host: string;
  /** Absolute, port-less URL: scheme of the server that got it, Host header, path and query. */
  url: string;
  headers: Record<string, string | string[]>;
  /** The header lines as received: name, value, name, value… in order, names as sent. */
  rawHeaders: string[];
}

export interface Lab {
  httpPort: number;
  httpsPort: number;
  /** Port of the lab DNS server (UDP and TCP), when started with `dns: true`. */
  dnsPort: number | null;
  /** The lab CA certificate (PEM) to trust. */
  caCertPath: string;
  /** ['--connect-to', ':80:127.0.0.1:H', '--connect-to', ':443:127.0.0.1:S', '--cacert', caCertPath] */
  traceArgs: string[];
  scenarios: Record<string, LabScenario>;
  /**
   * How many requests the lab saw for a path ("/once/abc"), a path with query ("/t/offer?exp=1"),
   * or an absolute URL (scheme and host must match too). The query counts only when given.
   */
  hits(pathOrUrl: string): number;
  /** Every request, in arrival order. */
  requests: LabRequestRecord[];
  close(): Promise<void>;
}

export interface LabOptions {
  /** Also start the DNS server. */
  dns?: boolean;
  /** Keep the lab CA here (created on first use, reused later) instead of a fresh one in a temp dir. */
  dir?: string;
}

const MAX_BODY = 1024 * 1024;

function requestHost(req: IncomingMessage): string {
  const raw = req.headers.host ?? (req.socket as { servername?: string }).servername ?? '';
  return normalizeHost(raw.replace(/:\d+$/, ''));
}

function flatHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = v;
  return out;
}

/** Whether a logged request matches a `hits` query (path, path?query or absolute URL). */
export function requestMatches(recordUrl: string, pathOrUrl: string): boolean {
  let wanted: URL;
  let got: URL;
  try {
    got = new URL(recordUrl);
    wanted = /^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(pathOrUrl, got.origin);
  } catch {
    return false;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl) && (wanted.protocol !== got.protocol || wanted.hostname !== got.hostname)) return false;
  if (wanted.pathname !== got.pathname) return false;
  return !pathOrUrl.includes('?') || wanted.search === got.search;
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const tempDir = opts.dir ? null : mkdtempSync(join(tmpdir(), 'clicktrace-lab-'));
  const tls = new LabTls(tempDir ?? opts.dir!, opts.dir);
  const state: LabState = { startedAt: Date.now(), spentTokens: new Set(), secret: randomBytes(16).toString('hex') };
  const play = buildScenarios({ state });
  const requests: LabRequestRecord[] = [];
  const sockets = new Set<Socket>();

  const handler = (scheme: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const host = requestHost(req);
    let url: URL;
    try {
      const u = new URL(req.url ?? '/', `${scheme}://${host || 'unknown.invalid'}`);
      url = new URL(`${scheme}://${host || 'unknown.invalid'}${u.pathname}${u.search}`);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Bad Request\n');
      return;
    }
    const method = req.method ?? 'GET';
    requests.push({ at: Date.now(), method, host, url: url.href, headers: flatHeaders(req), rawHeaders: req.rawHeaders });
    serve(play.routes, state, req, res, url, method);
  };

  const track = (server: HttpServer) => {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('clientError', (_err, socket) => socket.destroy());
  };

  const httpServer = createHttpServer(handler('http'));
  const httpsServer = createHttpsServer(tls.serverOptions(), handler('https'));
  httpsServer.on('tlsClientError', () => {}); // clients refusing our bad certificates
  track(httpServer);
  track(httpsServer);

  let dns: LabDnsServer | null = null;
  try {
    await Promise.all([listen(httpServer), listen(httpsServer)]);
    if (opts.dns) dns = await startDnsServer();
  } catch (err) {
    httpServer.close();
    httpsServer.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw err;
  }
  const httpPort = port(httpServer);
  const httpsPort = port(httpsServer);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      const closed = Promise.all([closeServer(httpServer), closeServer(httpsServer)]);
      httpServer.closeAllConnections();
      httpsServer.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      await dns?.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    })());

  return {
    httpPort,
    httpsPort,
    dnsPort: dns?.port ?? null,
    caCertPath: tls.caCertPath,
    traceArgs: ['--connect-to', `:80:127.0.0.1:${httpPort}`, '--connect-to', `:443:127.0.0.1:${httpsPort}`, '--cacert', tls.caCertPath],
    scenarios: Object.fromEntries(play.scenarios.map((s) => [s.name, s])),
    hits: (pathOrUrl) => requests.filter((r) => requestMatches(r.url, pathOrUrl)).length,
    requests,
    close,
  };
}

function serve(routes: readonly Route[], state: LabState, req: IncomingMessage, res: ServerResponse, url: URL, method: string): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('error', () => {});
  req.on('end', () => {
    const x = new LabExchange(req, res, url, Buffer.concat(chunks), state);
    try {
      if (tooLarge) return x.html(413, page({ title: '413 Payload Too Large', body: '<p>Payload Too Large</p>' }));
      const route = findRoute(routes, x.host, url.pathname);
      if (!route) return x.html(404, notFoundPage());
      if (!acceptsMethod(route, method)) {
        return x.html(405, page({ title: '405 Method Not Allowed', body: '<p>Method Not Allowed</p>' }), {
          Allow: (route.methods ?? ['GET', 'HEAD']).join(', '),
        });
      }
      route.handle(x);
    } catch (err) {
      if (!res.headersSent) x.html(500, page({ title: '500 Internal Server Error', body: '<p>Internal Server Error</p>' }));
      else res.destroy(err as Error);
    }
  });
}

function listen(server: HttpServer): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function port(server: HttpServer): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('lab server has no port');
  return address.port;
}

function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
