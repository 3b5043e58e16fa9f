// A response body as it passes through the proxy: recorded as received up to the recording cap,
// checked against its Content-Encoding on the way (the body itself is passed on untouched, as
// Chromium decides what to do with it), and, when it does not end as announced, described
// precisely: "connection reset after 12,345 bytes".
import type { HeaderLine, ResponseFault } from '../model.js';
import { headerValue } from '../http/wire.js';
import { ContentDecoder } from '../http/content-coding.js';

/** How a body ended before it was complete: a clean close (FIN), a reset (RST), or another socket error. */
export type BodyCut = { how: 'closed' } | { how: 'reset' } | { how: 'failed'; code: string };

export class ResponseBody {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private received = 0;
  /** Content-Length, when the response had a valid one. */
  readonly expected: number | null;
  private readonly chunked: boolean;
  private readonly check: ContentDecoder | null;

  constructor(
    headers: HeaderLine[],
    /** The most that is recorded; the client still gets everything. */
    private readonly limit: number,
  ) {
    const length = headerValue(headers, 'content-length')?.trim() ?? '';
    this.expected = /^\d+$/.test(length) ? Number(length) : null;
    this.chunked = /\bchunked\b/i.test(headerValue(headers, 'transfer-encoding') ?? '');
    const encoding = headerValue(headers, 'content-encoding');
    this.check = encoding === null ? null : new ContentDecoder(encoding);
  }

  add(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.kept < this.limit) {
      const part = this.kept + chunk.length > this.limit ? chunk.subarray(0, this.limit - this.kept) : chunk;
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.check?.write(chunk);
  }

  /** Bytes received, recorded or not. */
  get length(): number {
    return this.received;
  }

  /** The recorded bytes (up to the cap). */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** More was received than recorded. */
  get capped(): boolean {
    return this.received > this.kept;
  }

  /** The body ended as announced: a fault when it does not decode as its Content-Encoding says. */
  async contentFault(): Promise<ResponseFault | null> {
    if (!this.check) return null;
    const { error } = await this.check.end();
    return error === null ? null : this.fault('content-encoding', error);
  }

  /** The body stopped short: the fault, whose message is also the exchange's error. */
  cut(cut: BodyCut): ResponseFault {
    this.check?.destroy();
    const n = count(this.received);
    if (cut.how === 'reset') return this.fault('reset', `connection reset after ${n} bytes`);
    if (cut.how === 'failed') return this.fault('reset', `connection failed after ${n} bytes (${cut.code})`);
    const message =
      this.expected !== null
        ? `connection closed after ${n} of ${count(this.expected)} bytes (Content-Length)`
        : this.chunked
          ? `connection closed after ${n} bytes, before the last chunk`
          : `connection closed after ${n} bytes`;
    return this.fault('short-body', message);
  }

  /** Stops the content check (the exchange ended otherwise). */
  discard(): void {
    this.check?.destroy();
  }

  private fault(kind: ResponseFault['kind'], message: string): ResponseFault {
    return { kind, message, receivedBytes: this.received, expectedBytes: this.expected };
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
