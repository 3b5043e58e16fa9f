// A loopback port for a recording proxy that does not exist yet: a cold trace launches Chromium
// first thing, already pointed at this port, and its recording proxy takes the port over once
// loaded (connections that arrive before are held, not refused).
import { createServer, type Server, type Socket } from 'node:net';
import type { AdoptableListener } from '../proxy/recording-proxy.js';

export class ReservedProxyPort implements AdoptableListener {
  private held: Socket[] = [];
  private accept: ((socket: Socket) => void) | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (socket) => {
      if (this.accept) this.accept(socket);
      else this.held.push(socket);
    });
  }

  static async open(): Promise<ReservedProxyPort> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new ReservedProxyPort(server, (server.address() as { port: number }).port);
  }

  handOver(accept: (socket: Socket) => void): void {
    this.accept = accept;
    for (const socket of this.held.splice(0)) accept(socket);
  }

  close(): Promise<void> {
    for (const socket of this.held.splice(0)) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
