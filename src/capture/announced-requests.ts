// Requests the browser has announced over CDP (Network.requestWillBeSent) and not sent through
// the trace's proxy yet. Chromium announces a request before it sends it, on the one ordered pipe
// that also carries every earlier hop: once a request's own announcement has been handled, the
// trace has counted every hop before it, which is what the proxy's CDP round trip (catchUp in
// recording-proxy.ts) waits for. A request the proxy receives already announced goes on without
// that round trip (4-5 ms a request, ~21 ms a five-hop trace, with each core half taken); one not
// announced yet (the pipe behind, a worker's fetch, a URL written otherwise) still waits for it.
import { requestedAs } from '../http/url-key.js';

export class AnnouncedRequests {
  /** Not sent yet, by method and URL: request ids, oldest first. */
  private readonly waiting = new Map<string, string[]>();
  /** The key of each request id still waiting. */
  private readonly keys = new Map<string, string>();
  /** How many are waiting, by origin. */
  private readonly origins = new Map<string, number>();

  /** The browser announced a request (again, for the next hop of a redirect: the earlier one is no longer expected). */
  announce(requestId: string, method: string, url: string): void {
    this.forget(requestId);
    if (!/^https?:/i.test(url)) return;
    const key = announcementKey(method, url);
    this.keys.set(requestId, key);
    const ids = this.waiting.get(key);
    if (ids) ids.push(requestId);
    else this.waiting.set(key, [requestId]);
    this.count(key, 1);
  }

  /**
   * The request ended (finished, failed, or redirected without reaching the proxy: a cached
   * redirect, an HSTS upgrade): a request the proxy receives later is not this one.
   */
  forget(requestId: string): void {
    const key = this.keys.get(requestId);
    if (key === undefined) return;
    this.keys.delete(requestId);
    const ids = this.waiting.get(key)!;
    ids.splice(ids.indexOf(requestId), 1);
    if (ids.length === 0) this.waiting.delete(key);
    this.count(key, -1);
  }

  /** Whether a request the proxy received (its method and URL as sent) was announced; it counts as sent. */
  take(method: string, url: string): boolean {
    const key = announcementKey(method, url);
    const ids = this.waiting.get(key);
    if (!ids) return false;
    this.keys.delete(ids.shift()!);
    if (ids.length === 0) this.waiting.delete(key);
    this.count(key, -1);
    return true;
  }

  /** Whether a request to `origin` (https://host[:port], as URL.origin writes it) was announced and has not come yet. */
  awaitsOrigin(origin: string): boolean {
    return (this.origins.get(origin) ?? 0) > 0;
  }

  private count(key: string, by: 1 | -1): void {
    const origin = originOf(key.slice(key.indexOf(' ') + 1));
    if (origin === null) return;
    const n = (this.origins.get(origin) ?? 0) + by;
    if (n > 0) this.origins.set(origin, n);
    else this.origins.delete(origin);
  }
}

function announcementKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${requestedAs(url)}`;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
