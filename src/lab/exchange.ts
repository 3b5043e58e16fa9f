// One request to the lab and the ways a scenario can answer it: a page, a redirect with the
// lab's fixed redirect body, raw bytes that node's header checks would refuse, silence (hang)
// or a TCP reset. Every normal answer carries the host's Server header and tracker cookie.
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { escapeHtml } from './pages.js';
import { personalityOf } from './hosts.js';

/** The body of every 3xx response the lab sends, byte for byte. */
export function redirectBody(location: string): Buffer {
  return Buffer.from(
    `<html>\r\n<head><title>Object moved</title></head>\r\n<body>\r\n<h1>Object Moved</h1>\r\n` +
      `This document may be found <a href="${escapeHtml(location)}">here</a>\r\n</body>\r\n</html>\r\n`,
    'utf8',
  );
}

export const REDIRECT_STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

/** State shared by every request of one lab instance. */
export interface LabState {
  startedAt: number;
  /** Tokens of single-use links already spent. */
  spentTokens: Set<string>;
  /** Key for the signatures of time-limited links. */
  secret: string;
}

export class LabExchange {
  /** Lower-case host name without port. */
  readonly host: string;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Absolute URL as requested (scheme from the server that received it). */
    readonly url: URL,
    readonly body: Buffer,
    readonly state: LabState,
  ) {
    this.host = url.hostname.toLowerCase();
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  /** Headers every ordinary response from this host carries. */
  private baseHeaders(): OutgoingHttpHeaders {
    const p = personalityOf(this.host);
    const headers: OutgoingHttpHeaders = { Server: p.server, ...p.headers };
    if (p.cookie) headers['Set-Cookie'] = `${p.cookie.name}=${randomBytes(12).toString('hex')}; ${p.cookie.attributes}`;
    return headers;
  }

  send(status: number, body: Buffer | string, headers: OutgoingHttpHeaders = {}): void {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.res.writeHead(status, { ...this.baseHeaders(), 'Content-Length': buf.length, ...headers });
    this.res.end(this.method === 'HEAD' ? undefined : buf);
  }

  html(status: number, html: string, headers: OutgoingHttpHeaders = {}): void {
    this.send(status, html, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  }

  redirect(status: 301 | 302 | 303 | 307 | 308, location: string, headers: OutgoingHttpHeaders = {}): void {
    this.res.statusMessage = REDIRECT_STATUS_TEXT[status]!;
    this.send(status, redirectBody(location), {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache, no-store',
      Location: location,
      ...headers,
    });
  }

  /** Writes a complete HTTP response as given (no validation) and closes the connection. */
  raw(response: Buffer): void {
    const socket = this.req.socket;
    this.res.detachSocket(socket);
    socket.end(response);
  }

  /** Never answers; the lab destroys the socket when it closes. */
  hang(): void {
    // Nothing to do: the connection stays open until the client gives up or the lab closes.
  }

  /** Resets the TCP connection (RST) without answering. */
  reset(): void {
    const socket = this.req.socket as Socket & { resetAndDestroy?: () => void };
    // A TLS socket wraps the TCP one; reset the TCP socket underneath when there is one.
    const tcp = ((socket as unknown as { _parent?: Socket })._parent ?? socket) as Socket & { resetAndDestroy?: () => void };
    if (typeof tcp.resetAndDestroy === 'function') tcp.resetAndDestroy();
    else tcp.destroy();
    if (tcp !== socket) socket.destroy();
  }
}

export type Handler = (x: LabExchange) => void;

export interface Route {
  /** Exact host, or `*.zone` for every subdomain of a zone. */
  host: string;
  /** Exact path, or a prefix ending in `*`. */
  path: string;
  /** Accepted methods; default GET and HEAD. */
  methods?: string[];
  handle: Handler;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

export function findRoute(routes: readonly Route[], host: string, path: string): Route | undefined {
  return routes.find((r) => hostMatches(r.host, host) && pathMatches(r.path, path));
}

export function acceptsMethod(route: Route, method: string): boolean {
  return (route.methods ?? ['GET', 'HEAD']).includes(method);
}
