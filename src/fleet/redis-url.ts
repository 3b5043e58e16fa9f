// `--queue redis://[USER:PASSWORD@]HOST:PORT[/DB]`: where the fleet's BullMQ queue lives.
import type { RedisOptions } from 'bullmq';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** A --queue value that is not a usable Redis URL; the message is one line. */
export class QueueUrlError extends Error {}

export const DEFAULT_REDIS_PORT = 6379;

export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueUrlError(`--queue: expected redis://HOST:PORT[/DB], got "${text}"`);
  }
  if (url.protocol === 'rediss:')
    throw new QueueUrlError('--queue: rediss:// (TLS) is not supported; reach Redis over a private network or a tunnel');
  if (url.protocol !== 'redis:') throw new QueueUrlError(`--queue: expected a redis:// URL, got "${url.protocol}//"`);
  if (!url.hostname) throw new QueueUrlError('--queue: the URL names no host');
  const port = url.port ? Number(url.port) : DEFAULT_REDIS_PORT;
  const path = url.pathname.replace(/^\//, '');
  if (!/^\d{0,2}$/.test(path)) throw new QueueUrlError(`--queue: the database is a number from 0 to 99, got "/${path}"`);
  if (url.search || url.hash) throw new QueueUrlError('--queue: the URL takes no query or fragment');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    db: path ? Number(path) : 0,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** The URL for logs and pages: never the password. */
export function describeRedis(target: RedisTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `redis://${target.username ? `${target.username}@` : ''}${host}:${target.port}/${target.db}`;
}

/**
 * ioredis options for BullMQ: commands wait through a reconnect instead of failing (what BullMQ
 * requires). Once `stopped()` says so, a lost connection is not tried again: BullMQ's close and
 * disconnect wait for a connection that is never made, and ioredis' retries would keep the
 * process from ever exiting (a server started on an unreachable --queue hung after its error).
 */
export function connectionOptions(target: RedisTarget, stopped: () => boolean = () => false): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    maxRetriesPerRequest: null,
    // Reconnect quickly after a Redis restart (ioredis' default grows to 2 s between attempts).
    retryStrategy: (times: number) => (stopped() ? null : Math.min(100 + times * 100, 1000)),
  };
}
