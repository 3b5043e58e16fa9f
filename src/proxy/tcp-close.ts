// Telling a server's clean close (FIN) from a reset (RST) when a body stops short. libuv reports
// end-of-stream, not ECONNRESET, when the reset arrives while the last bytes are still unread
// (a partial read with POLLHUP is taken as EOF): on a loaded machine a reset mid-body then reads
// as a close. The kernel knows better: after a FIN our end of the connection waits in CLOSE_WAIT
// until we close it; after a reset it is gone from the connection table. Node offers no
// SO_ERROR or TCP_INFO, so the table is read from /proc (Linux); elsewhere the end counts as a close.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

/** CLOSE_WAIT: the peer's FIN came; LAST_ACK: ours went after it. */
const AFTER_PEER_FIN = new Set(['08', '09']);

/**
 * Whether the connection between the two ports is in CLOSE_WAIT or LAST_ACK (the peer sent FIN) in a
 * /proc/net/tcp or tcp6 table; false when it is not listed (reset), or listed in another state.
 */
export function inCloseWait(table: string, localPort: number, remotePort: number): boolean {
  const local = `:${hexPort(localPort)}`;
  const remote = `:${hexPort(remotePort)}`;
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !fields[1].endsWith(local) || !fields[2].endsWith(remote)) continue;
    if (AFTER_PEER_FIN.has(fields[3])) return true;
  }
  return false;
}

/** The two ports of a connection, read while it is up (a reset connection has no peer to name). */
export interface TcpPorts {
  local: number;
  remote: number;
}

export function tcpPorts(socket: Socket): TcpPorts | null {
  const local = socket.localPort;
  const remote = socket.remotePort;
  return local && remote ? { local, remote } : null;
}

/**
 * Called when the connection reports end-of-stream: true when the peer closed cleanly, false when
 * the connection was reset, null when this system cannot tell (no /proc).
 */
export function endedByFin(ports: TcpPorts | null): boolean | null {
  if (!ports) return null;
  let tables: string;
  try {
    tables = readFileSync('/proc/net/tcp', 'latin1');
  } catch {
    return null;
  }
  try {
    tables += readFileSync('/proc/net/tcp6', 'latin1');
  } catch {
    // IPv6 off: the IPv4 table is the whole table.
  }
  return inCloseWait(tables, ports.local, ports.remote);
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}
