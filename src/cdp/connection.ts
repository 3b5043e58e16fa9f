// A Chrome DevTools Protocol client over Chromium's --remote-debugging-pipe: NUL-delimited JSON
// on fds 3 (to Chromium) and 4 (from Chromium), with flat sessions for targets, typed from the
// `devtools-protocol` package (types only). It is the whole of what clicktrace needs from a
// browser driver. Playwright (a dev dependency here, for the web UI tests and the benchmark's
// baseline) would not save that work: its import alone takes ~200 times as long as this module's
// (8.4 s against 41 ms, measured one after the other on this loaded 2-core machine), and the raw
// events a trace reads (request initiators, requested navigations, crashes) would need a CDP
// session of its own per page besides Playwright's.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';

export type CdpEvents = ProtocolMapping.Events;
export type CdpCommands = ProtocolMapping.Commands;
/** The parameters of a CDP event, e.g. `CdpEvent<'Page.frameNavigated'>`. */
export type CdpEvent<E extends keyof CdpEvents> = CdpEvents[E] extends [infer P] ? P : undefined;
export type CdpParams<M extends keyof CdpCommands> = CdpCommands[M]['paramsType'];
export type CdpResult<M extends keyof CdpCommands> = CdpCommands[M]['returnType'];

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: unknown;
  error?: { message: string; data?: string };
}

interface PendingCommand {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  method: string;
  sessionId: string | undefined;
}

export class CdpError extends Error {}

/** Events and commands of one target (or, with no id, of the browser). */
export class CdpSession {
  detached = false;
  private readonly events = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly connection: CdpConnection,
    readonly id: string | undefined,
  ) {}

  send<M extends keyof CdpCommands>(method: M, ...params: CdpParams<M>): Promise<CdpResult<M>> {
    if (this.detached) return Promise.reject(new CdpError(`${method}: target closed`));
    return this.connection.send(method, params[0] ?? {}, this.id) as Promise<CdpResult<M>>;
  }

  /** A CDP event of this session; 'detached' when the target goes (closed, crashed and closed, browser gone). */
  on<E extends keyof CdpEvents>(event: E, listener: (params: CdpEvent<E>) => void): this;
  on(event: 'detached', listener: () => void): this;
  on(event: string, listener: (params: never) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<E extends keyof CdpEvents>(event: E, listener: (params: CdpEvent<E>) => void): this;
  once(event: 'detached', listener: () => void): this;
  once(event: string, listener: (params: never) => void): this {
    this.events.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof CdpEvents>(event: E, listener: (params: CdpEvent<E>) => void): this;
  off(event: 'detached', listener: () => void): this;
  off(event: string, listener: (params: never) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** For the connection: delivers an event as received (its shape is Chromium's word, not checked). */
  dispatch(event: string, params?: unknown): void {
    this.events.emit(event, params);
  }
}

export class CdpConnection extends EventEmitter {
  readonly browser: CdpSession;
  private readonly sessions = new Map<string, CdpSession>();
  private readonly pending = new Map<number, PendingCommand>();
  private nextId = 1;
  /** The start of a message not yet ended by its \0, in the chunks it came in. */
  private partial: string[] = [];
  closed = false;
  /**
   * Test-only: CLICKTRACE_TEST_CDP_DELAY_MS delays the handling of every message from Chromium (in
   * their order) by that many ms, as node handles them late on a loaded machine while Chromium goes
   * on (test/hop-gate.test.ts). Unset, messages are handled as they come.
   */
  private readonly delayMs = Number(process.env.CLICKTRACE_TEST_CDP_DELAY_MS ?? 0) || 0;
  /**
   * Test-only: CLICKTRACE_TEST_CDP_SEND_DELAY=Method:MS sends each command of that method MS ms
   * late, as a busy browser process gets to it late (test/late-start.test.ts), and the commands
   * sent after it on its session after it: Chromium handles a session's commands in their order.
   * Unset, none is.
   */
  private readonly sendDelay = parseSendDelay(process.env.CLICKTRACE_TEST_CDP_SEND_DELAY);
  /** With sendDelay: by session, the commands waiting behind a delayed one. */
  private readonly delayedSends = new Map<string | undefined, string[]>();

  constructor(
    private readonly output: Writable,
    input: Readable,
  ) {
    super();
    this.browser = new CdpSession(this, undefined);
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    input.on('close', () => this.later(() => this.shutDown()));
    input.on('error', () => this.later(() => this.shutDown()));
    output.on('error', () => this.shutDown());
  }

  /** The session of an attached target (created on first use, so early events are not lost). */
  session(sessionId: string): CdpSession {
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = new CdpSession(this, sessionId);
      this.sessions.set(sessionId, session);
    }
    return session;
  }

  send(method: string, params: object, sessionId?: string): Promise<unknown> {
    if (this.closed) return Promise.reject(new CdpError(`${method}: browser closed`));
    const id = this.nextId++;
    const message: Message = { id, method, params: params as Record<string, unknown> };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method, sessionId });
      const text = `${JSON.stringify(message)}\0`;
      if (this.sendDelay) this.sendDelayed(text, method, sessionId, this.sendDelay);
      else this.output.write(text);
    });
  }

  private sendDelayed(text: string, method: string, sessionId: string | undefined, delay: { method: string; ms: number }): void {
    const waiting = this.delayedSends.get(sessionId);
    if (waiting) return void waiting.push(text);
    if (delay.method !== method) return void this.output.write(text);
    const queue = [text];
    this.delayedSends.set(sessionId, queue);
    setTimeout(() => {
      this.delayedSends.delete(sessionId);
      for (const queued of queue) if (!this.closed) this.output.write(queued);
    }, delay.ms);
  }

  private receive(chunk: string): void {
    // Only the new chunk is searched for the end of a message: searching (and flattening) the whole
    // message so far at every chunk took 50 s to receive one 20 MB message (a big page's DOM).
    let start = 0;
    let end: number;
    while ((end = chunk.indexOf('\0', start)) >= 0) {
      this.partial.push(chunk.slice(start, end));
      const text = this.partial.length === 1 ? this.partial[0] : this.partial.join('');
      this.partial = [];
      start = end + 1;
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        continue;
      }
      this.later(() => this.dispatch(message));
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  /**
   * Resolves once every message Chromium sent before it read this request has been handled here:
   * the browser process answers it in the one order it writes everything to the pipe in.
   */
  sync(): Promise<void> {
    return this.browser.send('Browser.getVersion').then(() => undefined);
  }

  private later(handle: () => void): void {
    if (this.delayMs > 0) setTimeout(handle, this.delayMs);
    else handle();
  }

  private dispatch(message: Message): void {
    if (message.id !== undefined) {
      const command = this.pending.get(message.id);
      if (!command) return;
      this.pending.delete(message.id);
      if (message.error) command.reject(new CdpError(`${command.method}: ${message.error.message}`));
      else command.resolve(message.result ?? {});
      return;
    }
    if (!message.method) return;
    const session = message.sessionId ? this.session(message.sessionId) : this.browser;
    session.dispatch(message.method, message.params ?? {});
    if (message.method === 'Target.detachedFromTarget') {
      const detachedId = (message.params as { sessionId?: string }).sessionId;
      if (detachedId) this.forget(detachedId);
    }
    // A dead renderer answers nothing that was sent to it (a click it was handling when it died).
    if (message.method === 'Inspector.targetCrashed' && message.sessionId) this.failPending(message.sessionId, 'target crashed');
  }

  private forget(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.detached = true;
    this.sessions.delete(sessionId);
    this.failPending(sessionId, 'target closed');
    session.dispatch('detached');
  }

  private failPending(sessionId: string, reason: string): void {
    for (const [id, command] of this.pending) {
      if (command.sessionId !== sessionId) continue;
      this.pending.delete(id);
      command.reject(new CdpError(`${command.method}: ${reason}`));
    }
  }

  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const command of this.pending.values()) command.reject(new CdpError(`${command.method}: browser closed`));
    this.pending.clear();
    for (const id of [...this.sessions.keys()]) this.forget(id);
    this.emit('disconnected');
  }
}

function parseSendDelay(setting: string | undefined): { method: string; ms: number } | null {
  const match = /^([A-Za-z]+\.[A-Za-z]+):(\d+)$/.exec(setting ?? '');
  return match ? { method: match[1], ms: Number(match[2]) } : null;
}
