// Which recorded exchange answers a replayed request. The same URL requested again gets the next
// recording of it, in recorded order (a single-use link: first the 302, then the 410); once they
// are used up the last one repeats.
import type { Exchange } from '../model.js';
import { normalizeUrl } from '../import/chain.js';

export class ReplayIndex {
  private readonly byRequest = new Map<string, Exchange[]>();
  private readonly served = new Map<string, number>();

  constructor(exchanges: Exchange[]) {
    for (const x of exchanges) {
      const key = requestKey(x.request.method, x.request.url);
      if (key === null) continue;
      const list = this.byRequest.get(key) ?? [];
      list.push(x);
      this.byRequest.set(key, list);
    }
  }

  /** The next recorded exchange for this request, or null when the capture has none. */
  next(method: string, url: string): Exchange | null {
    const upper = method.toUpperCase();
    // HEAD is answered from a recorded GET when there is no recorded HEAD.
    const key = [requestKey(upper, url), upper === 'HEAD' ? requestKey('GET', url) : null].find((k) => k && this.byRequest.has(k));
    if (!key) return null;
    const list = this.byRequest.get(key)!;
    const count = this.served.get(key) ?? 0;
    this.served.set(key, count + 1);
    return list[Math.min(count, list.length - 1)];
  }

  /** Starts every URL's sequence from its first recording again. */
  rewind(): void {
    this.served.clear();
  }
}

function requestKey(method: string, url: string): string | null {
  if (method.toUpperCase() === 'CONNECT') return null;
  const normalized = normalizeUrl(url);
  return normalized === null ? null : `${method.toUpperCase()} ${normalized}`;
}
