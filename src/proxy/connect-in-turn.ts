// A name's addresses tried one after another, as a browser does (localhost's 127.0.0.1 then ::1,
// a host's A and AAAA records): the next one when no connection was made to the one before
// (refused, unreachable), or when it is still not made after a while (an address that drops the
// connection attempt hangs until the upstream timeout otherwise). Attempts then race: the first
// connection made is the one, the others are closed before anything is written on them, so a
// request is still sent once, on one connection, whatever becomes of it.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** Errors of a connection attempt that never reached a server: the next address may be tried. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENETDOWN', 'EHOSTDOWN']);

/**
 * How long an attempt may go unanswered before the next address is tried beside it (ms). RFC 8305
 * recommends 250 ms and allows up to 2 s; this is longer than a loaded machine's own delays, so a
 * slow but live first address is not raced for nothing, and short beside the upstream timeout.
 */
export const NEXT_ATTEMPT_DELAY_MS = 1000;

export function neverConnected(err: NodeJS.ErrnoException): boolean {
  return NOT_CONNECTED.has(err.code ?? '');
}

/** The error of the last attempt when none connected, with every address tried, in order. */
export type ConnectError = NodeJS.ErrnoException & { tried?: string[] };

/**
 * Connects to `addresses` in turn and calls `done` once, with the first connected socket or the
 * last attempt's error (its `tried` lists the addresses). `options` are net.connect's, without
 * host. An attempt refused or unreachable starts the next address at once; one unanswered after
 * `nextAfterMs` starts it beside itself. Nothing connected within `timeoutMs` ends them all
 * (ETIMEDOUT), and so does `wanted()` turning false (the request was given up meanwhile: no
 * further address is tried).
 */
export function connectInTurn(
  addresses: readonly string[],
  options: Omit<net.TcpNetConnectOpts, 'host' | 'timeout'>,
  timeoutMs: number,
  done: (err: ConnectError | null, socket?: net.Socket) => void,
  wanted: () => boolean = () => true,
  nextAfterMs = NEXT_ATTEMPT_DELAY_MS,
): void {
  const tried: string[] = [];
  const pending = new Set<net.Socket>();
  let finished = false;
  const timers = new Set<NodeJS.Timeout>();
  const finish = (err: ConnectError | null, socket?: net.Socket) => {
    finished = true;
    for (const timer of timers) clearTimeout(timer);
    // Closed before anything is written on them: the request goes on the one connection made.
    for (const other of pending) {
      other.removeAllListeners('connect');
      other.removeAllListeners('error');
      other.on('error', () => undefined);
      other.destroy();
    }
    pending.clear();
    if (err) done(Object.assign(err, { tried }));
    else done(null, socket);
  };
  const attempt = (index: number): void => {
    const host = addresses[index];
    tried.push(host);
    const socket = net.connect({ ...options, host });
    pending.add(socket);
    let next: NodeJS.Timeout | null = null;
    const stopWaiting = () => {
      if (next) clearTimeout(next);
      next = null;
    };
    const startNext = () => {
      stopWaiting();
      if (!finished && index + 1 < addresses.length && tried.length === index + 1 && wanted()) attempt(index + 1);
    };
    if (index + 1 < addresses.length) timers.add((next = setTimeout(startNext, nextAfterMs)));
    const failed = (err: ConnectError) => {
      socket.off('connect', connected);
      pending.delete(socket);
      socket.on('error', () => undefined);
      socket.destroy();
      if (finished) return;
      if (neverConnected(err)) startNext();
      else stopWaiting();
      if (pending.size === 0 && (tried.length === addresses.length || !neverConnected(err) || !wanted())) finish(err);
    };
    const connected = () => {
      socket.off('error', failed);
      pending.delete(socket);
      finish(null, socket);
    };
    socket.once('error', failed);
    socket.once('connect', connected);
  };
  timers.add(
    setTimeout(() => {
      const host = tried.at(-1) ?? addresses[0];
      finish(Object.assign(new Error(`connect ETIMEDOUT ${host}:${options.port}`), { code: 'ETIMEDOUT' }));
    }, timeoutMs),
  );
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
