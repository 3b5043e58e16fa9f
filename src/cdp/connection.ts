// A Chrome DevTools Protocol client over Chromium's --remote-debugging-pipe: NUL-delimited JSON
// on fds 3 (to Chromium) and 4 (from Chromium), with flat sessions for targets. It is the whole
// of what clicktrace needs from a browser driver; loading Playwright costs more (~0.5 s of
// import, an extra CDP session per page) than the work it would save here.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

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
export class CdpSession extends EventEmitter {
  detached = false;

  constructor(
    private readonly connection: CdpConnection,
    readonly id: string | undefined,
  ) {
    super();
    this.setMaxListeners(0);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.detached) return Promise.reject(new CdpError(`${method}: target closed`));
    return this.connection.send<T>(method, params, this.id);
  }
}

export class CdpConnection extends EventEmitter {
  readonly browser: CdpSession;
  private readonly sessions = new Map<string, CdpSession>();
  private readonly pending = new Map<number, PendingCommand>();
  private nextId = 1;
  private buffer = '';
  closed = false;

  constructor(
    private readonly output: Writable,
    input: Readable,
  ) {
    super();
    this.browser = new CdpSession(this, undefined);
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    input.on('close', () => this.shutDown());
    input.on('error', () => this.shutDown());
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

  send<T>(method: string, params: Record<string, unknown>, sessionId?: string): Promise<T> {
    if (this.closed) return Promise.reject(new CdpError(`${method}: browser closed`));
    const id = this.nextId++;
    const message: Message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method, sessionId });
      this.output.write(`${JSON.stringify(message)}\0`);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        continue;
      }
      this.dispatch(message);
    }
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
    session.emit(message.method, message.params ?? {});
    if (message.method === 'Target.detachedFromTarget') {
      const detachedId = (message.params as { sessionId?: string }).sessionId;
      if (detachedId) this.forget(detachedId);
    }
  }

  private forget(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.detached = true;
    this.sessions.delete(sessionId);
    for (const [id, command] of this.pending) {
      if (command.sessionId !== sessionId) continue;
      this.pending.delete(id);
      command.reject(new CdpError(`${command.method}: target closed`));
    }
    session.emit('detached');
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
