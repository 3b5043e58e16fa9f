// `clicktrace replay`: serves a capture's recorded exchanges on 127.0.0.1 so the chain's pages can
// be viewed again offline. It never opens a connection of its own. A browser either uses it as
// an HTTP proxy (absolute URLs of any host resolve to their recording; CONNECT is answered with
// certificates from a given CA, or refused without one) or asks for "/<recorded url>" paths,
// whose Location headers and HTML URLs are rewritten to stay here.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';
import type { Capture } from '../model.js';
import { CertificateIssuer, type CaMaterial } from '../tls/certs.js';
import { INDEX_PAGE_CSP, indexPage } from './replay-page.js';
import { ReplayIndex } from './recorded-index.js';
import { redirectResponse, replayResponse, textResponse, type ReplayContext, type ReplayedResponse } from './recorded-response.js';
import { prefixedPath, urlFromPrefixedPath } from './rewrite.js';

export interface ReplayOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Let recorded scripts run (still sandboxed in an opaque origin). Default false. */
  allowScripts?: boolean;
  /**
   * CA to answer CONNECT with (e.g. the one the user trusts for `clicktrace proxy`), so https://
   * URLs replay through the proxy too. Without it CONNECT gets a 403.
   */
  httpsCa?: CaMaterial;
}

export interface ReplayServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Target =
  | { kind: 'index' }
  | { kind: 'recorded'; mode: ReplayContext['mode']; url: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'unknown'; what: string };

const CONNECT_REFUSAL =
  'HTTPS is not replayed through this proxy (no CA given): open the URL as /https://... on the replay server instead.\n';

export async function startReplay(capture: Capture, opts: ReplayOptions = {}): Promise<ReplayServer> {
  const host = opts.host ?? '127.0.0.1';
  const index = new ReplayIndex(capture.exchanges);
  const server = http.createServer();
  const issuer = opts.httpsCa ? new CertificateIssuer(opts.httpsCa) : null;
  // Decrypted CONNECT tunnels, by their TLS socket: the authority the browser asked to reach.
  const tunnels = new WeakMap<Socket, string>();
  let port = 0;

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    const origin = `http://${req.headers.host ?? hostPort(host, port)}`;
    const ctx = (mode: ReplayContext['mode']): ReplayContext => ({ mode, replayOrigin: origin, allowScripts: opts.allowScripts ?? false });
    const tunnel = tunnels.get(req.socket);
    const target: Target = tunnel
      ? { kind: 'recorded', mode: 'proxy', url: httpsUrl(tunnel, req.url ?? '/') }
      : resolveTarget(req, origin, ownHosts(host, port));
    switch (target.kind) {
      case 'index': {
        index.rewind();
        const page = indexPage(capture, { origin, httpsThroughProxy: issuer !== null, allowScripts: opts.allowScripts ?? false });
        const body = Buffer.from(page, 'utf8');
        send(res, {
          status: 200,
          statusText: 'OK',
          headers: [
            ['Content-Type', 'text/html; charset=utf-8'],
            ['Content-Length', String(body.length)],
            ['Content-Security-Policy', INDEX_PAGE_CSP],
            ['Cache-Control', 'no-store'],
          ],
          body,
        });
        return;
      }
      case 'redirect':
        send(res, redirectResponse(target.location, ctx('prefix')));
        return;
      case 'unknown':
        send(res, textResponse(404, 'Not Found', `not in this capture: ${target.what}\n`, ctx('prefix')));
        return;
      case 'recorded': {
        const exchange = index.next(req.method ?? 'GET', target.url);
        if (!exchange) {
          send(res, textResponse(404, 'Not Found', `not in this capture: ${req.method} ${target.url}\n`, ctx(target.mode)));
          return;
        }
        send(res, replayResponse(exchange, ctx(target.mode)));
      }
    }
  });
  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const authority = req.url ?? '';
    const hostname = authority.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!issuer || !hostname) {
      const body = CONNECT_REFUSAL;
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    const leaf = issuer.issue([hostname]);
    const tlsSocket = new TLSSocket(socket, {
      isServer: true,
      secureContext: createSecureContext({ cert: leaf.certPem + issuer.ca.certPem, key: leaf.keyPem }),
      ALPNProtocols: ['http/1.1'],
    });
    tlsSocket.on('error', () => tlsSocket.destroy());
    tunnels.set(tlsSocket, authority);
    server.emit('connection', tlsSocket);
  });
  server.on('upgrade', (_req: http.IncomingMessage, socket: Socket) => socket.destroy());
  server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${hostPort(host, port)}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function resolveTarget(req: http.IncomingMessage, origin: string, ownHosts: Set<string>): Target {
  let path = req.url ?? '/';
  if (/^https?:\/\//i.test(path)) {
    let absolute: URL;
    try {
      absolute = new URL(path);
    } catch {
      return { kind: 'unknown', what: path };
    }
    if (!ownHosts.has(absolute.host.toLowerCase())) return { kind: 'recorded', mode: 'proxy', url: absolute.href };
    path = absolute.pathname + absolute.search; // the proxy asked for the replay server itself
  }
  if (path === '/' || path.startsWith('/?')) return { kind: 'index' };
  const recorded = urlFromPrefixedPath(path);
  if (recorded) return { kind: 'recorded', mode: 'prefix', url: recorded };
  // A root-relative URL the rewrite did not catch (CSS, scripts): place it by the page that asked.
  const page = refererPage(req.headers.referer, origin);
  if (page) {
    try {
      return { kind: 'redirect', location: prefixedPath(new URL(path, page).href) };
    } catch {
      // fall through
    }
  }
  return { kind: 'unknown', what: path };
}

function refererPage(referer: string | undefined, origin: string): string | null {
  if (!referer) return null;
  try {
    const r = new URL(referer);
    if (r.origin !== new URL(origin).origin) return null;
    return urlFromPrefixedPath(r.pathname + r.search);
  } catch {
    return null;
  }
}

function send(res: http.ServerResponse, response: ReplayedResponse): void {
  res.sendDate = false; // no Date the recording did not have
  const flat = response.headers.flat();
  try {
    res.writeHead(response.status, response.statusText, flat);
  } catch {
    // A recorded reason phrase Node refuses to send: keep the status, use the standard phrase.
    res.writeHead(response.status, flat);
  }
  res.end(response.body);
}

function httpsUrl(authority: string, path: string): string {
  try {
    return new URL(path, `https://${authority}`).href;
  } catch {
    return `https://${authority}${path}`;
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function ownHosts(host: string, port: number): Set<string> {
  return new Set([hostPort(host, port), `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].map((h) => h.toLowerCase()));
}
