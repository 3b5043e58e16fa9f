// Upstream TLS connections opened as soon as the browser asks for a tunnel, while it makes its
// own TLS handshake with the proxy: the two handshakes of an https hop overlap instead of
// following each other (mitmproxy's default "eager" connection strategy does the same). Only a
// connection is opened early, never a request: what goes upstream is still what the browser
// sent, once. A connection nobody takes is closed when its tunnel closes, or after `freshMs`.
import https from 'node:https';
import tls from 'node:tls';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { connectAgentInTurn, type InTurnRequest } from './connect-in-turn.js';
import { keepingCheckedChain } from './peer-certificates.js';

/** What a request's connection is opened with: an early one is used only when all of it matches. */
export interface UpstreamTlsOptions {
  host: string;
  port: number;
  servername: string | undefined;
  rejectUnauthorized: boolean;
  secureContext: tls.SecureContext;
  ALPNProtocols: string[];
}

interface Early {
  socket: tls.TLSSocket;
  secureContext: tls.SecureContext;
  /** Closes the connection if no request took it yet. */
  drop: () => void;
}

const UNUSABLE = ['error', 'end', 'close', 'timeout'] as const;

function keyOf(options: UpstreamTlsOptions): string {
  return JSON.stringify([options.host, options.port, options.servername ?? null, options.rejectUnauthorized]);
}

export class PreconnectingAgent extends https.Agent {
  private readonly early = new Map<string, Early[]>();

  constructor(
    options: https.AgentOptions,
    /** An early connection older than this is not used (a server may have closed it meanwhile). */
    private readonly freshMs: () => number,
  ) {
    super(options);
  }

  /** Opens the connection a request with these options will want; returns a function that drops it if still unused. */
  preconnect(options: UpstreamTlsOptions): () => void {
    const key = keyOf(options);
    // An idle pooled connection will serve the request: nothing to open.
    if ((this.freeSockets[this.getName(options)]?.length ?? 0) > 0) return () => undefined;
    const socket: tls.TLSSocket = tls.connect(keepingCheckedChain({ ...options }, () => socket));
    const entry: Early = {
      socket,
      secureContext: options.secureContext,
      drop: () => {
        if (this.remove(key, entry)) socket.destroy();
      },
    };
    const list = this.early.get(key) ?? [];
    list.push(entry);
    this.early.set(key, list);
    // A connection that failed or closed before a request took it is not used: the request opens
    // its own and meets the error itself, recorded as today.
    for (const event of UNUSABLE) socket.on(event, entry.drop);
    socket.setTimeout(this.freshMs());
    return entry.drop;
  }

  override createConnection(...args: Parameters<https.Agent['createConnection']>): ReturnType<https.Agent['createConnection']> {
    const [options] = args as unknown as [UpstreamTlsOptions];
    const key = keyOf(options);
    const list = this.early.get(key);
    // For a host with several addresses, only an early connection made already: one still
    // connecting to the first address may yet be refused, and the request then tries the next.
    const inTurn = Boolean((options as InTurnRequest).alternatives?.length);
    const found = list?.find((e) => e.secureContext === options.secureContext && !e.socket.destroyed && !(inTurn && e.socket.connecting));
    if (found) {
      this.remove(key, found);
      for (const event of UNUSABLE) found.socket.off(event, found.drop);
      found.socket.setTimeout(0);
      return found.socket;
    }
    // https.Agent opens it with tls.connect: a TLS socket (over the TCP connection made in turn, for
    // a host with several addresses).
    let opened: Duplex | null | undefined;
    const checked = keepingCheckedChain(options, () => (opened ?? undefined) as tls.TLSSocket | undefined);
    const over = (socket: net.Socket) => (opened = super.createConnection({ ...checked, socket } as https.RequestOptions)) as Duplex;
    if (connectAgentInTurn(options, args[1], over)) return undefined;
    args[0] = checked;
    return (opened = super.createConnection(...args));
  }

  override destroy(): void {
    for (const list of this.early.values()) for (const entry of list) entry.socket.destroy();
    this.early.clear();
    super.destroy();
  }

  private remove(key: string, entry: Early): boolean {
    const list = this.early.get(key);
    const index = list?.indexOf(entry) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) this.early.delete(key);
    return true;
  }
}
