// A client of a recording proxy in its unit tests: curl through it, and the exchange it recorded.
import { execFile } from 'node:child_process';
import type { Server } from 'node:net';
import { promisify } from 'node:util';
import type { Exchange } from '../../src/model.js';

const run = promisify(execFile);

/** curl (silent) through the proxy on `port`, trusting its CA (`caFile`). */
export function curlThrough(port: number, caFile: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['-s', '--cacert', caFile, '-x', `http://127.0.0.1:${port}`, ...args]);
}

/** The exchange of a URL, once recorded (a body's content check may finish after the client has it all). */
export async function recordedExchange(exchanges: readonly Exchange[], url: string): Promise<Exchange> {
  for (let i = 0; i < 200; i++) {
    const x = exchanges.find((e) => e.request.url === url);
    if (x) return x;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} was not recorded`);
}

/** Each upstream server of a proxy test listening on a free loopback port; its port. */
export async function listenOnLoopback(...servers: Server[]): Promise<number[]> {
  await Promise.all(servers.map((server) => new Promise<void>((r) => server.listen(0, '127.0.0.1', r))));
  return servers.map((server) => (server.address() as { port: number }).port);
}
