// A name's addresses tried one after another, as a browser does (localhost's 127.0.0.1 then ::1,
// a host's A and AAAA records): the next one only when no connection was made to the one before
// (refused, unreachable), so nothing of a request was sent anywhere yet. Once a connection is
// made it is the one: a request is never sent twice, whatever becomes of it.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Errors of a connection attempt that never reached a server: the next address may be tried. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENETDOWN', 'EHOSTDOWN']);

export function neverConnected(err: NodeJS.ErrnoException): boolean {
  return NOT_CONNECTED.has(err.code ?? '');
}

/** The error of the last attempt when none connected, with every address tried, in order. */
export type ConnectError = NodeJS.ErrnoException & { tried?: string[] };

/**
 * Connects to `addresses` in turn and calls `done` once, with the first connected socket or the
 * last attempt's error (its `tried` lists the addresses). `options` are net.connect's, without
 * host; an attempt still not connected after `timeoutMs` ends them all (ETIMEDOUT), and so does
 * `wanted()` turning false (the request was given up meanwhile: no further address is tried).
 */
export function connectInTurn(
  addresses: readonly string[],
  options: Omit<net.TcpNetConnectOpts, 'host' | 'timeout'>,
  timeoutMs: number,
  done: (err: ConnectError | null, socket?: net.Socket) => void,
  wanted: () => boolean = () => true,
): void {
  const tried: string[] = [];
  const attempt = (index: number): void => {
    const host = addresses[index];
    tried.push(host);
    const socket = net.connect({ ...options, host });
    const failed = (err: ConnectError) => {
      socket.off('connect', connected);
      socket.off('error', failed);
      socket.off('timeout', timedOut);
      socket.on('error', () => undefined);
      socket.destroy();
      if (index + 1 < addresses.length && neverConnected(err) && wanted()) attempt(index + 1);
      else done(Object.assign(err, { tried }));
    };
    const connected = () => {
      socket.off('error', failed);
      socket.setTimeout(0);
      socket.off('timeout', timedOut);
      done(null, socket);
    };
    const timedOut = () => failed(Object.assign(new Error(`connect ETIMEDOUT ${host}:${options.port}`), { code: 'ETIMEDOUT' }));
    socket.once('error', failed);
    socket.once('connect', connected);
    socket.setTimeout(timeoutMs);
    socket.once('timeout', timedOut);
  };
  attempt(0);
}

/** What a request's options carry for its agent when its host has more than one address. */
export interface InTurnRequest {
  host?: string | null;
  port?: number | string | null;
  /** The addresses after `host`, tried in turn when no connection to the ones before was made. */
  alternatives?: string[];
  connectTimeoutMs?: number;
  /** False once the request was given up: no further address is tried for it. */
  stillWanted?: () => boolean;
}

/**
 * An agent's createConnection for a request with alternatives: connects in turn, then hands the
 * connected socket (through `over`, e.g. TLS on it) to the agent's callback. False when the
 * request has none: the agent connects as usual.
 */
export function connectAgentInTurn(
  options: InTurnRequest,
  callback: ((err: Error | null, stream: Duplex) => void) | undefined,
  over: (socket: net.Socket) => Duplex,
): boolean {
  if (!options.alternatives?.length || !options.host || !callback) return false;
  connectInTurn(
    [options.host, ...options.alternatives],
    { port: Number(options.port) },
    options.connectTimeoutMs ?? 60_000,
    (err, socket) => {
      if (err || !socket) callback(err ?? new Error('not connected'), undefined as unknown as Duplex);
      else callback(null, over(socket));
    },
    options.stillWanted,
  );
  return true;
}

/** http.Agent that connects to a request's addresses in turn (connectAgentInTurn). */
export class InTurnHttpAgent extends http.Agent {
  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    if (connectAgentInTurn(options, callback, (socket) => socket)) return undefined;
    return super.createConnection(options, callback);
  }
}
