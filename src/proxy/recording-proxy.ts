// The recording MITM proxy: every exchange the browser makes passes through here and is
// recorded as on the wire (raw header lines, still-encoded bodies, 3xx bodies, upstream IP and
// certificate chain). It never retries and never sends a request the client did not send, so a
// single-use link is spent exactly once.
// Hand-written on node:http/tls rather than mockttp or http-mitm-proxy: the evidence needs, in one
// place, what those do not expose together: the raw header lines as sent, every body still encoded
// (3xx included), the upstream socket's address, TLS version and full certificate chain, our own
// resolver (--resolve, --connect-to, --dns-server, CNAME chains recorded) and no retries.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { rootCertificates } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { CaMaterial } from '../tls/certs.js';
import { CertificateIssuer } from '../tls/certs.js';
import type { Exchange, HeaderLine, ResponseFault, TlsInfo } from '../model.js';
import { type ConnectTarget, type Resolver, ResolveError } from './resolver.js';
import { peerCertificateChain } from './peer-certificates.js';
import {
  flatHeaderList,
  PROXY_ERROR_HEADER,
  requestHeadersForUpstream,
  responseHeadersForClient,
  writableHeaderLines,
} from './forwarded-headers.js';
import { endedByFin, tcpPorts, type TcpPorts } from './tcp-close.js';
import { ResponseBody } from './response-body.js';
import { PreconnectingAgent, type UpstreamTlsOptions } from './preconnect.js';
import { InTurnHttpAgent, type ConnectError, type InTurnRequest } from './connect-in-turn.js';
import { normalizeHost, portOf } from '../http/host.js';
import { requestedAs } from '../http/url-key.js';

/** Where the proxy serves its CA certificate and instructions (like mitm.it). */
export const PROXY_INFO_HOST = 'clicktrace.proxy';

export interface RecordingProxyOptions {
  /** The MITM CA; with `leafKeyPem`, issued certificates reuse that key instead of a new one. */
  ca: CaMaterial & { leafKeyPem?: string };
  resolver: Resolver;
  /** Extra trust anchors for verifying upstream servers (PEM), on top of the system's. */
  extraCaPems?: string[];
  /** Fail exchanges whose upstream certificate does not verify (default: record and continue). */
  strictTls?: boolean;
  /** Bodies longer than this are cut in the record (the client still gets everything). */
  bodyLimit?: number;
  /** Upstream inactivity limit. */
  upstreamTimeoutMs?: number;
  /** How long an idle upstream connection is kept for reuse (ms; default UPSTREAM_IDLE_MS). */
  upstreamIdleMs?: number;
  /**
   * Serve the CA and instructions on http://clicktrace.proxy/ (standalone proxy mode only: in a
   * trace, a hostile page could use it to detect the tool).
   */
  serveInfoHost?: boolean;
  /**
   * Resolves once the one who stops forwarding (stopForwarding) has caught up with the client up to
   * this request; each request not `announced` yet waits for it before it is forwarded or refused.
   * A trace's browser follows a redirect or a page's script without waiting for the trace, which
   * learns of each document request over CDP (another path than this proxy's, and late on a loaded machine): so
   * the request after the one that cut the chain (--max-hops, a loop) went upstream before the cut
   * was known (seen in CI at load 15). The trace's catch-up is a CDP round trip (CdpConnection.sync):
   * Chromium reports a document request before it sends it, so once the round trip is back the
   * trace has counted every hop before this request. Measured on the warm five-hop trace (5
   * requests) at load 8-13 on 2 cores: 1.3-2.5 ms median per request, 5-16 ms p90; the trace's
   * median stayed within the noise of one without it.
   * Holding requests in the browser instead (CDP Fetch at request stage, for documents) was tried
   * and left: the pause lets a navigation the page replaces at once (location set twice) be
   * cancelled before it is sent, where Chromium on its own sends it (the lab's js-double-assign).
   */
  catchUp?: () => Promise<void>;
  /**
   * Whether the one who stops forwarding has already been told of this request (by method and URL
   * as sent): then it has caught up with everything before it, and the request does not wait for
   * catchUp (capture/announced-requests.ts). Counts the request as received.
   */
  announced?: (method: string, url: string) => boolean;
  /** Whether a request to this origin was announced (as `announced`) and has not come yet; counts nothing. */
  announcedOrigin?: (origin: string) => boolean;
  /** Request headers said in the visitor's name where the client sends them (forwarded-headers.ts requestHeadersForUpstream). */
  requestHeaderValues?: Readonly<Record<string, string>>;
  /**
   * Called synchronously as a request is about to be written upstream (its host resolved and
   * allowed, its body whole, its connection open, TLS handshake done), with nothing awaited between
   * it and the write: a trace names its case in the ledger of requested URLs here, so that a process
   * killed before it had requested nothing. When it throws, the request is not sent: the exchange
   * ends with its message.
   */
  beforeSend?: () => void;
  onExchange: (exchange: Exchange) => void;
}

interface TunnelTarget {
  host: string;
  port: number;
}

/** An exchange on its way through the proxy. */
interface Flight {
  exchange: Exchange;
  /** performance.now() at the start, for the timings. */
  t0: number;
  res: http.ServerResponse;
  upstream: http.ClientRequest | null;
  /** Set when the response head has come. */
  body: ResponseBody | null;
  /** Set when the body came whole and is being checked against its Content-Encoding. */
  checking: Promise<void> | null;
  /** The upstream connection's ports, read when it connected (a reset one has no peer left to name). */
  ports: TcpPorts | null;
  done: boolean;
  /** Ends the exchange once: answers or closes the client, records the outcome, hands it over. */
  finish: (error: string | null, fault?: ResponseFault | null) => void;
}

/** A request's body as the client sent it, and whether it sent all of it. */
interface RequestBody {
  complete: boolean;
  bytes: Buffer;
}

function requestBody(req: http.IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    const done = (complete: boolean) => resolve({ complete, bytes: Buffer.concat(chunks) });
    if (req.readableEnded) done(true);
    else
      req
        .on('end', () => done(true))
        .on('error', () => done(false))
        .on('close', () => done(req.complete));
  });
}

/** Chromium's limit for a response head (net/http/http_stream_parser.cc: 256 KB); Node's default is 16 KB. */
const MAX_HEADER_BYTES = 256 * 1024;
/** The longest URL Chromium sends (url::kMaxURLChars, 2 MiB) and 256 KB of header lines besides. */
const MAX_REQUEST_HEAD_BYTES = 2 * 1024 * 1024 + MAX_HEADER_BYTES;

export { PROXY_ERROR_HEADER };

type TaggedSocket = Duplex & { clicktraceTarget?: TunnelTarget };

// Issuing (a leaf key per issuer, a certificate per host) and parsing the system trust store are
// the costly parts of a proxy's start; they are shared by every proxy of the process, so a warm
// trace pays for neither.
const issuers = new Map<string, { issuer: CertificateIssuer; contexts: Map<string, tls.SecureContext> }>();
const trustStores = new Map<string, tls.SecureContext>();

/** Parses the CA and leaf key ahead of the first connection (a cold trace does it while Chromium starts). */
export function prepareIssuer(ca: CaMaterial & { leafKeyPem?: string }): void {
  sharedIssuer(ca);
}

function sharedIssuer(ca: CaMaterial & { leafKeyPem?: string }) {
  let entry = issuers.get(ca.certPem);
  if (!entry) {
    entry = { issuer: new CertificateIssuer(ca, ca.leafKeyPem), contexts: new Map() };
    issuers.set(ca.certPem, entry);
  }
  return entry;
}

/** The system's roots plus extra CAs (as NODE_EXTRA_CA_CERTS does: added to the default store, not re-parsed). */
function sharedTrustStore(extraCaPems: string[]): tls.SecureContext {
  const key = extraCaPems.join('\n');
  let context = trustStores.get(key);
  if (!context) {
    const created = tls.createSecureContext();
    const native = (created as unknown as { context?: { addCACert?: (pem: string) => void } }).context;
    if (native?.addCACert) {
      for (const pem of extraCaPems) native.addCACert(pem);
      context = created;
    } else {
      context = tls.createSecureContext({ ca: [...rootCertificates, ...extraCaPems] });
    }
    trustStores.set(key, context);
  }
  return context;
}

/** A listening socket whose connections can be handed to a proxy created later. */
export interface AdoptableListener {
  readonly port: number;
  handOver(accept: (socket: net.Socket) => void): void;
  close(): Promise<void>;
}

export class RecordingProxy {
  private readonly server: http.Server;
  private readonly tlsTerminator: http.Server;
  private readonly issuer: CertificateIssuer;
  private readonly secureContexts: Map<string, tls.SecureContext>;
  private readonly sockets = new Set<Duplex>();
  private readonly pending = new Set<Flight>();
  private upstreamTrust: tls.SecureContext;
  private readonly httpAgent = idleLimited(new InTurnHttpAgent({ keepAlive: true, maxSockets: 64 }), () => this.idleMs);
  private readonly httpsAgent = idleLimited(
    new PreconnectingAgent({ keepAlive: true, maxSockets: 64 }, () => this.idleMs),
    () => this.idleMs,
  );
  private sequence = 0;
  private adopted: AdoptableListener | null = null;
  /** Whether requests still go upstream (see stopForwarding), and the one request still let through. */
  private forwarding: { stopped: boolean; allowOnce: string | null } = { stopped: false, allowOnce: null };
  /** Tunnels the browser opened that have carried no request yet: each is a request on its way. */
  private readonly unusedTunnels = new Set<Duplex>();
  /** The URL of the last request received (to tell whether a request for a URL has come yet). */
  private lastRequestUrl: string | null = null;
  private closed = false;
  port = 0;

  private get idleMs(): number {
    return this.options.upstreamIdleMs ?? UPSTREAM_IDLE_MS;
  }

  constructor(private options: RecordingProxyOptions) {
    const shared = sharedIssuer(options.ca);
    this.issuer = shared.issuer;
    this.secureContexts = shared.contexts;
    this.upstreamTrust = sharedTrustStore(options.extraCaPems ?? []);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    // Chromium sends request heads with URLs up to 2 MiB and large cookies; Node's servers refuse
    // over 16 KB. A head refused here would never reach the server it is for, and the trace would
    // blame a "connection reset" on it: the server's own answer (a 414, say) is what to record.
    this.server = http.createServer({ keepAliveTimeout: 30_000, maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, handler);
    this.tlsTerminator = http.createServer({ keepAliveTimeout: 30_000, maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, handler);
    this.server.on('connect', (req, socket, head) => this.handleConnect(req, socket, head));
    this.server.on('connection', (socket) => this.track(socket));
    for (const server of [this.server, this.tlsTerminator]) {
      server.on('clientError', (_err, socket) => socket.destroy());
    }
  }

  /**
   * Gives a started proxy its recording settings (a proxy made ahead of time for the next trace
   * gets them when that trace begins). The CA cannot change: clients already trust it.
   */
  reconfigure(options: RecordingProxyOptions): void {
    if (options.ca.certPem !== this.options.ca.certPem) throw new Error('reconfigure: the CA of a running proxy cannot change');
    this.options = options;
    this.upstreamTrust = sharedTrustStore(options.extraCaPems ?? []);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /**
   * Serves the connections of a listener opened earlier (see ../capture/proxy-port.ts), which a
   * browser was launched to use before this proxy existed.
   */
  adopt(listener: AdoptableListener): number {
    this.adopted = listener;
    this.port = listener.port;
    listener.handOver((socket) => this.server.emit('connection', socket));
    return this.port;
  }

  /** Exchanges still waiting for upstream. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * From now on no request goes upstream: each is answered by the proxy (502) and not recorded, as
   * what the browser does after the trace stopped is not part of it. Requests sent already finish,
   * and so may one request for `allowOnce` when it has not come yet (the browser reports a
   * document's request as it sends it: the request that stopped the trace may still be on its way).
   */
  stopForwarding(allowOnce: string | null = null): void {
    const key = allowOnce && /^https?:/i.test(allowOnce) ? requestedAs(allowOnce) : null;
    // Caught up (catchUp), the request that stopped the trace is decided after this, whether it came or not.
    const came =
      key !== null &&
      !this.options.catchUp &&
      (this.lastRequestUrl === key || [...this.pending].some((p) => p.exchange.request.url === key));
    this.forwarding = { stopped: true, allowOnce: came ? null : key };
  }

  /** Whether the one request still let through (stopForwarding) is for `url` and has not come yet. */
  expects(url: string): boolean {
    return this.forwarding.allowOnce !== null && this.forwarding.allowOnce === requestedAs(url);
  }

  /**
   * Whether the browser has a tunnel open to `url`'s host that has carried no request yet: an https
   * request comes after its tunnel's handshake, which a loaded machine may take long over.
   */
  tunnelOpenFor(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const host = normalizeHost(parsed.hostname);
    const port = portOf(parsed);
    for (const socket of this.unusedTunnels) {
      const target = (socket as TaggedSocket).clicktraceTarget;
      if (target && normalizeHost(target.host) === host && target.port === port) return true;
    }
    return false;
  }

  /** Whether an exchange for `url` is still waiting for upstream. */
  awaiting(url: string): boolean {
    const key = requestedAs(url);
    return [...this.pending].some((p) => p.exchange.request.url === key);
  }

  /** Stops accepting, records every unfinished exchange as aborted, and drops all connections. */
  async close(reason = 'aborted: capture ended before the response completed'): Promise<void> {
    this.closed = true;
    // A body that came whole is only being checked against its Content-Encoding: let it finish.
    const checks = [...this.pending].flatMap((p) => (p.checking ? [p.checking] : []));
    if (checks.length > 0) await Promise.race([Promise.all(checks), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    for (const p of [...this.pending]) p.finish(p.checking ? null : reason);
    for (const socket of this.sockets) socket.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    if (this.adopted) await this.adopted.close();
    else await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private handleConnect(req: http.IncomingMessage, client: Duplex, head: Buffer): void {
    const target = parseAuthority(req.url ?? '', 443);
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    this.track(client);
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) client.unshift(head);
    client.once('readable', () => {
      const first = (client as net.Socket).read(1) as Buffer | null;
      if (!first) return;
      client.unshift(first);
      if (first[0] === 0x16) this.terminateTls(client, target);
      else this.hand(client, target);
    });
  }

  private terminateTls(client: Duplex, target: TunnelTarget): void {
    const socket = new tls.TLSSocket(client, {
      isServer: true,
      ALPNProtocols: ['http/1.1'],
      SNICallback: (servername, cb) => cb(null, this.contextFor(servername || target.host)),
      secureContext: this.contextFor(target.host),
    });
    this.hand(socket, target);
    void this.preconnect(target, client);
  }

  /** The upstream connection a tunnel's first request will want, opened while the browser's handshake goes on (preconnect.ts). */
  private async preconnect(tunnel: TunnelTarget, client: Duplex): Promise<void> {
    if (this.forwarding.stopped || (tunnel.host === PROXY_INFO_HOST && this.options.serveInfoHost)) return;
    let url: URL;
    try {
      url = new URL(`https://${hostForUrl(tunnel.host)}:${tunnel.port}/`);
    } catch {
      return;
    }
    // Caught up first, as a request is (catchUp): a tunnel the browser asks for after the chain was
    // cut opens no connection upstream (one CDP round trip, while the browser's handshake goes on;
    // none when a request to this origin was announced and has not come yet: the tunnel is its).
    const caughtUp =
      this.options.announcedOrigin?.(url.origin) ||
      (await this.options.catchUp?.().then(
        () => true,
        () => false,
      ));
    if (caughtUp === false || this.forwarding.stopped) return;
    const port = Number(url.port) || 443;
    // The same resolver as the request's (its answer is kept for it): an address it refuses is
    // refused here too, before anything is opened.
    const target = await this.options.resolver.target(normalizeHost(url.hostname), port).catch(() => null);
    if (!target || client.destroyed || this.forwarding.stopped) return;
    const drop = this.httpsAgent.preconnect(this.upstreamTls(url, target));
    client.once('close', drop);
  }

  /** The TLS side of an upstream connection for `url` (the same for an early connection as for a request's own). */
  private upstreamTls(url: URL, target: { address: string; port: number }): UpstreamTlsOptions {
    return {
      host: target.address,
      port: target.port,
      servername: net.isIP(normalizeHost(url.hostname)) ? undefined : url.hostname,
      // Default: record the certificate and go on (phishing sites use bad certificates). Strict:
      // refuse during the handshake, before anything is sent.
      rejectUnauthorized: this.options.strictTls ?? false,
      secureContext: this.upstreamTrust,
      ALPNProtocols: ['http/1.1'],
    };
  }

  private hand(socket: Duplex, target: TunnelTarget): void {
    const tagged = socket as TaggedSocket;
    tagged.clicktraceTarget = target;
    this.unusedTunnels.add(socket);
    socket.once('close', () => this.unusedTunnels.delete(socket));
    this.track(socket);
    this.tlsTerminator.emit('connection', socket);
  }

  private contextFor(host: string): tls.SecureContext {
    const key = host.toLowerCase();
    let context = this.secureContexts.get(key);
    if (!context) {
      const leaf = this.issuer.issue([key]);
      context = tls.createSecureContext({ cert: leaf.certPem + this.options.ca.certPem, key: leaf.keyPem });
      this.secureContexts.set(key, context);
    }
    return context;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const tunnel = (req.socket as TaggedSocket).clicktraceTarget;
    this.unusedTunnels.delete(req.socket);
    let url: URL;
    // The request target is forwarded as the client sent it, not as re-serialised by URL parsing
    // (which escapes differently from browsers and would break signed tracking links).
    let rawPath: string;
    try {
      if (tunnel) {
        const secure = req.socket instanceof tls.TLSSocket;
        const scheme = secure ? 'https' : 'http';
        const defaultPort = secure ? 443 : 80;
        const authority = hostForUrl(tunnel.host) + (tunnel.port === defaultPort ? '' : `:${tunnel.port}`);
        rawPath = req.url ?? '';
        if (!rawPath.startsWith('/')) throw new Error('origin-form expected in a tunnel');
        url = new URL(`${scheme}://${authority}${rawPath}`);
      } else {
        url = new URL(req.url ?? '');
        if (url.protocol !== 'http:') throw new Error('not http');
        const rest = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^#]*)/i.exec(req.url ?? '')?.[1] ?? '/';
        rawPath = rest.startsWith('/') ? rest : `/${rest}`;
      }
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('clicktrace proxy: absolute http:// URL or CONNECT expected\n');
      return;
    }
    if (url.hostname === PROXY_INFO_HOST && this.options.serveInfoHost) {
      this.serveInfo(url, res);
      return;
    }
    const key = `${url.protocol}//${url.host}${rawPath}`;
    // Read as it comes: a request whose client leaves while it waits (a navigation the page
    // replaced at once) was sent whole all the same, and goes on as it would have without waiting.
    const body = requestBody(req);
    const catchUp = this.options.catchUp;
    if (!catchUp || this.options.announced?.(req.method ?? 'GET', key)) return this.admit(req, res, url, rawPath, key, body);
    const admit = () => this.admit(req, res, url, rawPath, key, body);
    catchUp().then(admit, admit);
  }

  /** Forwards a request, or refuses it once forwarding stopped (see stopForwarding). */
  private admit(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    rawPath: string,
    key: string,
    body: Promise<RequestBody>,
  ): void {
    // Closed while it waited (the capture ended): refused as after a stop, with no allowance.
    if (this.closed || (this.forwarding.stopped && this.forwarding.allowOnce !== key)) {
      const error = 'not requested: the trace had stopped';
      res.writeHead(502, {
        'Content-Type': 'text/plain; charset=utf-8',
        Connection: 'close',
        [PROXY_ERROR_HEADER]: encodeURIComponent(error),
      });
      res.end(`clicktrace proxy: ${error}\n`);
      return;
    }
    if (this.forwarding.stopped) this.forwarding.allowOnce = null;
    this.lastRequestUrl = key;
    void this.forward(req, res, url, rawPath, body);
  }

  private serveInfo(url: URL, res: http.ServerResponse): void {
    if (url.pathname === '/ca.pem' || url.pathname === '/ca.crt') {
      res.writeHead(200, {
        'content-type': url.pathname.endsWith('.crt') ? 'application/x-x509-ca-cert' : 'application/x-pem-file',
        'content-disposition': `attachment; filename="clicktrace-ca${url.pathname.slice(3)}"`,
      });
      res.end(this.options.ca.certPem);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(proxyInfoPage());
  }

  /**
   * One exchange: record the request, resolve the host, send the request upstream as received,
   * record the response while passing it on. Every way it can end goes through the flight's
   * finish(), which answers the client and hands the exchange over exactly once.
   */
  private async forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    rawPath: string,
    body: Promise<RequestBody>,
  ): Promise<void> {
    const flight = this.open(req, res, url, rawPath);
    if (!(await this.receiveRequestBody(body, flight))) return;
    const target = await this.resolve(flight, url);
    if (target) this.send(flight, url, rawPath, target);
  }

  private open(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawPath: string): Flight {
    const startedAt = new Date();
    const t0 = performance.now();
    const exchange: Exchange = {
      id: `x${String(++this.sequence).padStart(4, '0')}`,
      startedAt: startedAt.toISOString(),
      endedAt: null,
      request: {
        method: req.method ?? 'GET',
        url: `${url.protocol}//${url.host}${rawPath}`,
        httpVersion: '1.1',
        headers: requestHeadersForUpstream(req.rawHeaders, this.options.requestHeaderValues),
        body: Buffer.alloc(0),
      },
      response: null,
      remoteAddress: null,
      remotePort: null,
      tls: null,
      error: null,
      timing: { dnsMs: null, connectMs: null, ttfbMs: null, totalMs: null },
    };
    const flight: Flight = {
      exchange,
      t0,
      res,
      upstream: null,
      body: null,
      checking: null,
      ports: null,
      done: false,
      finish: (error, fault) => {
        if (flight.done) return;
        flight.done = true;
        this.pending.delete(flight);
        exchange.error = error;
        exchange.endedAt = new Date().toISOString();
        exchange.timing.totalMs = round(performance.now() - t0);
        if (exchange.response && flight.body) {
          exchange.response.body = flight.body.bytes();
          exchange.response.bodyLength = flight.body.length;
          exchange.response.bodyTruncated = flight.body.capped || error !== null;
          if (fault) exchange.response.faults = [fault];
          if (error !== null) flight.body.discard();
        }
        if (error) {
          flight.upstream?.destroy();
          if (!res.headersSent) {
            // Always answer: Chromium silently resends a request whose reused connection drops,
            // which would spend a single-use link twice. The answer is marked as the proxy's own.
            res.writeHead(502, {
              'Content-Type': 'text/plain; charset=utf-8',
              Connection: 'close',
              [PROXY_ERROR_HEADER]: encodeURIComponent(error),
            });
            res.end(`clicktrace proxy: no answer from upstream: ${error}\n`);
          } else endAfterFlush(res);
        }
        this.options.onExchange(exchange);
      },
    };
    this.pending.add(flight);
    return flight;
  }

  /** Waits for the whole request body; false when the exchange ended meanwhile. */
  private async receiveRequestBody(body: Promise<RequestBody>, flight: Flight): Promise<boolean> {
    const { complete, bytes } = await body;
    flight.exchange.request.body = bytes;
    if (flight.done) return false;
    if (!complete) {
      // Never send upstream a request the client did not finish sending.
      flight.finish('aborted: the browser cancelled the request before sending all of it');
      return false;
    }
    return true;
  }

  /** Our own resolver (overrides, DNS server, private-address policy); null when the exchange ended. */
  private async resolve(flight: Flight, url: URL): Promise<ConnectTarget | null> {
    const port = portOf(url);
    try {
      const target = await this.options.resolver.target(normalizeHost(url.hostname), port);
      flight.exchange.timing.dnsMs = round(performance.now() - flight.t0);
      return flight.done ? null : target;
    } catch (err) {
      flight.exchange.timing.dnsMs = round(performance.now() - flight.t0);
      flight.finish(err instanceof ResolveError ? err.message : `DNS: ${String(err)}`);
      return null;
    }
  }

  /** Sends the request upstream with the client's header lines as they came, once, never retried. */
  private send(flight: Flight, url: URL, rawPath: string, target: ConnectTarget): void {
    const { exchange } = flight;
    const secure = url.protocol === 'https:';
    const tlsOptions = secure ? this.upstreamTls(url, target) : null;
    const servername = tlsOptions?.servername;
    const timeoutMs = this.options.upstreamTimeoutMs ?? 60_000;
    const options: https.RequestOptions & InTurnRequest = {
      host: target.address,
      port: target.port,
      alternatives: target.alternatives,
      connectTimeoutMs: timeoutMs,
      stillWanted: () => !flight.done,
      method: exchange.request.method,
      path: rawPath,
      headers: flatHeaderList(exchange.request.headers),
      agent: secure ? this.httpsAgent : this.httpAgent,
      setHost: false,
      // Hostile servers send malformed headers; a browser tolerates them, so the recorder must,
      // and as much of them: Chromium takes response heads up to 256 KB (Node: 16 KB).
      insecureHTTPParser: true,
      maxHeaderSize: MAX_HEADER_BYTES,
      ...tlsOptions,
    };
    const upstream = (secure ? https : http).request(options);
    flight.upstream = upstream;
    upstream.setTimeout(timeoutMs, () => flight.finish(`timeout: no answer from ${url.host} within ${timeoutMs / 1000} s`));
    // The request goes out once its connection is ready, and only after beforeSend (the trace names
    // its case in the ledger there): with nothing awaited between the two, the request's bytes are
    // written as the ledger is told, not a connection and a handshake later.
    const sendRequest = () => {
      if (flight.done) return;
      try {
        this.options.beforeSend?.();
      } catch (err) {
        flight.finish(`not requested: ${(err as Error).message.split('\n')[0]}`);
        return;
      }
      if (exchange.request.body.length) upstream.end(exchange.request.body);
      else upstream.end();
    };
    upstream.on('socket', (socket) => {
      // The address connected to, as soon as the TCP connection is made: a server that then fails
      // its TLS handshake, resets, hangs or cuts the head off is still a hop with its IP (and
      // hosting network). The response's socket says it again. A socket never connected has none.
      const noteAddress = () => {
        exchange.remoteAddress ??= socket.remoteAddress ?? null;
        exchange.remotePort ??= socket.remotePort ?? null;
      };
      if (socket.remoteAddress) noteAddress();
      else socket.once('connect', noteAddress);
      const connected = () => {
        exchange.timing.connectMs ??= round(performance.now() - flight.t0);
        flight.ports = tcpPorts(socket);
        noteAddress();
        sendRequest();
      };
      if (connectionReady(socket)) connected();
      else socket.once(secure ? 'secureConnect' : 'connect', connected);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // After the head, an error of the request is the connection failing in the middle of the
      // body; after the body came whole, it is none of this exchange's business.
      if (flight.checking) return;
      if (flight.body) {
        const fault = flight.body.cut(err.code === 'ECONNRESET' ? { how: 'reset' } : { how: 'failed', code: err.code ?? err.message });
        flight.finish(fault.message, fault);
      } else {
        // The addresses tried in turn when none took the connection, else the one it was made to.
        const addresses = (err as ConnectError).tried ?? [upstream.socket?.remoteAddress ?? target.address];
        flight.finish(describeNetworkError(err, url, addresses, target.port));
      }
    });
    upstream.on('response', (upstreamRes) => this.record(flight, upstreamRes, url, target, servername));
  }

  /** Records the response head, passes it to the client, then relays the body. */
  private record(
    flight: Flight,
    upstreamRes: http.IncomingMessage,
    url: URL,
    target: { address: string; port: number },
    servername: string | undefined,
  ): void {
    const { exchange } = flight;
    const res = flight.res;
    exchange.timing.ttfbMs = round(performance.now() - flight.t0);
    const socket = upstreamRes.socket;
    exchange.remoteAddress = socket.remoteAddress ?? target.address;
    exchange.remotePort = socket.remotePort ?? target.port;
    if (url.protocol === 'https:') exchange.tls = tlsInfo(socket as tls.TLSSocket, servername ?? url.hostname);
    const status = upstreamRes.statusCode ?? 0;
    if (status < 100 || status > 999) {
      flight.finish(`invalid response: status code ${status} from ${url.host}`);
      return;
    }
    const rawHeaders = upstreamRes.rawHeaders;
    const headers: HeaderLine[] = [];
    for (let i = 0; i < rawHeaders.length; i += 2) headers.push([rawHeaders[i], rawHeaders[i + 1]]);
    exchange.response = {
      status,
      statusText: upstreamRes.statusMessage ?? '',
      httpVersion: upstreamRes.httpVersion,
      headers,
      body: Buffer.alloc(0),
      bodyTruncated: false,
      bodyLength: 0,
    };
    flight.body = new ResponseBody(headers, this.options.bodyLimit ?? 64 * 1024 * 1024);
    try {
      res.writeHead(status, upstreamRes.statusMessage, responseHeadersForClient(rawHeaders));
    } catch {
      // Node refuses to forward some bytes (control characters) that upstream sent; the record
      // keeps them raw, the browser gets them as writableHeaderLines says.
      try {
        res.writeHead(status, writableHeaderLines(responseHeadersForClient(rawHeaders)));
      } catch (err) {
        flight.finish(`invalid response from ${url.host}: ${(err as Error).message}`);
        return;
      }
    }
    this.relayBody(flight, upstreamRes);
  }

  /**
   * Records the body and passes it on as it comes. A body that stops short is passed on as far as
   * it came, and the client's connection closed after it, as the server did: Chromium then shows
   * what it would have shown without the proxy.
   */
  private relayBody(flight: Flight, upstreamRes: http.IncomingMessage): void {
    const res = flight.res;
    const body = flight.body!;
    // A body cut by a clean close (FIN) is short; otherwise the connection was reset. The end of
    // the stream is not enough to tell: see tcp-close.ts.
    let closedByServer = false;
    const socket = upstreamRes.socket;
    // Ahead of the HTTP client's own listener, which closes the socket (and so the kernel's record).
    const onServerEnd = () => (closedByServer = endedByFin(flight.ports) !== false);
    socket.prependOnceListener('end', onServerEnd);
    upstreamRes.once('close', () => socket.removeListener('end', onServerEnd));
    const resume = () => upstreamRes.resume();
    // The client may have gone (a cancelled download); keep reading so the record is whole.
    res.once('close', resume);
    upstreamRes.on('data', (chunk: Buffer) => {
      body.add(chunk);
      if (!res.destroyed && !res.write(chunk)) {
        upstreamRes.pause();
        res.once('drain', resume);
      }
    });
    upstreamRes.on('end', () => {
      if (!res.destroyed) res.end();
      flight.checking = body.contentFault().then((fault) => flight.finish(null, fault));
    });
    const cut = () => {
      const fault = body.cut(closedByServer ? { how: 'closed' } : { how: 'reset' });
      flight.finish(fault.message, fault);
    };
    upstreamRes.on('aborted', cut);
    upstreamRes.on('error', cut);
  }
}

/**
 * Idle upstream connections are closed after this long (ms). A server closes an idle keep-alive
 * connection when it likes (Apache and Node after 5 s, often without saying so in a Keep-Alive
 * header); a request sent on one it has just closed fails with a reset, and the proxy never sends
 * a request twice, so the hop would be lost. Node's agent keeps idle sockets for ever unless told;
 * under load it may not yet have read the server's FIN when it hands the socket out again. Reuse
 * within a chain's quick redirects is kept.
 */
export const UPSTREAM_IDLE_MS = 2000;

/** An agent whose idle sockets close after `idleMs()` (the agent destroys a free socket that times out). */
function idleLimited<A extends http.Agent>(agent: A, idleMs: () => number): A {
  // Node's keepSocketAlive returns whether the socket may be kept (its types say void).
  const keep = agent.keepSocketAlive.bind(agent) as unknown as (socket: net.Socket) => boolean;
  const limited = (socket: net.Socket): boolean => {
    if (!keep(socket)) return false;
    // A request given the socket sets its own timeout (upstreamTimeoutMs) in place of this one.
    socket.setTimeout(idleMs());
    return true;
  };
  agent.keepSocketAlive = limited;
  return agent;
}

/** Closes the client's connection once what was written to it has gone out: a FIN, as the server sent. */
function endAfterFlush(res: http.ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  socket.end();
  // A client that stops reading must not hold the socket for ever.
  setTimeout(() => socket.destroy(), 10_000).unref();
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function hostForUrl(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

export function parseAuthority(authority: string, defaultPort: number): TunnelTarget | null {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(authority);
  if (!m) return null;
  const port = m[3] ? Number(m[3]) : defaultPort;
  if (port < 1 || port > 65535) return null;
  return { host: (m[1] ?? m[2]).toLowerCase(), port };
}

function tlsInfo(socket: tls.TLSSocket, servername: string): TlsInfo {
  const cipher = socket.getCipher?.();
  return {
    protocol: socket.getProtocol?.() ?? null,
    cipher: cipher?.name ?? null,
    servername,
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    chain: peerCertificateChain(socket),
  };
}

/** Why a TLS handshake failed, in OpenSSL's words without its noise ("wrong version number", not the record's source line). */
function tlsFailure(err: NodeJS.ErrnoException): string {
  const reason = /:SSL routines:[^:]*:([^:]+):/.exec(err.message)?.[1] ?? err.message.split('\n')[0];
  // The server answered in something other than TLS: plain HTTP on the TLS port, most often.
  if (reason === 'wrong version number' || reason === 'packet length too long' || reason === 'http request')
    return `${reason}: the server does not speak TLS there (plain HTTP on a TLS port?)`;
  return reason;
}

/** `addresses`: those connected to, or tried in turn (connect-in-turn.ts). */
export function describeNetworkError(err: NodeJS.ErrnoException, url: URL, addresses: readonly string[], port: number): string {
  const where = `${url.host} (${addresses.map((a) => `${hostForUrl(a)}:${port}`).join(', ')})`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}`;
    case 'ECONNRESET':
      return `connection reset by ${where}`;
    case 'ETIMEDOUT':
      return `timeout: connecting to ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `unreachable: ${where}`;
    case 'HPE_HEADER_OVERFLOW':
      return `response head from ${where} is larger than 256 KB, the most Chromium accepts`;
    case 'EPROTO':
      return `TLS handshake with ${where} failed (${tlsFailure(err)})`;
    default:
      if (err.code?.startsWith('ERR_SSL_')) return `TLS handshake with ${where} failed (${tlsFailure(err)})`;
      return `${err.code ?? 'error'}: ${err.message.split('\n')[0]} (${where})`;
  }
}

function proxyInfoPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>clicktrace proxy</title>
<h1>clicktrace recording proxy</h1>
<p>Everything this browser sends through the proxy is recorded into a case.</p>
<p>To record HTTPS, trust the proxy's certificate authority: <a href="/ca.pem">ca.pem</a> (PEM) or <a href="/ca.crt">ca.crt</a>.</p>
<ul>
<li>Chromium/Chrome: Settings → Privacy and security → Security → Manage certificates → Authorities → Import.</li>
<li>Firefox: Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → Import.</li>
<li>curl: <code>curl --cacert ca.pem -x http://HOST:PORT https://…</code></li>
<li>Debian: copy to <code>/usr/local/share/ca-certificates/clicktrace.crt</code> and run <code>update-ca-certificates</code>.</li>
</ul>
<p>Remove the certificate when you are done: whoever holds the proxy's key can read your HTTPS traffic.</p>`;
}

/** Whether an upstream connection can carry a request now: connected, and for TLS its handshake done. */
function connectionReady(socket: Duplex): boolean {
  const connection = socket as net.Socket & Partial<Pick<tls.TLSSocket, 'getProtocol'>>;
  if (connection.connecting) return false;
  if (typeof connection.getProtocol !== 'function') return true;
  // 'unknown' while the handshake goes on, null once disconnected (its error then ends the exchange).
  const protocol = connection.getProtocol();
  return protocol !== null && protocol !== 'unknown';
}
