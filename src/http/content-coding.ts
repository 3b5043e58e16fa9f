// Content-Encoding (RFC 9110 §8.4) undone for every reader of a recorded body: the proxy's check
// as a body passes, analysis, the HAR, the replay and the web UI. Bodies are recorded as received,
// and a hostile server can send a compression bomb, so nothing decodes past MAX_DECODED_BYTES and
// every failure is said the same way: "content-encoding gzip: corrupt data (…)".
import * as zlib from 'node:zlib';

/** The most any reader decodes one body to (the proxy records at most 64 MiB of it encoded). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

const SUPPORTED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);
const STREAM_CHUNK_BYTES = 1024 * 1024;

/** Codings in the order the server applied them, lower case; `identity` and blanks dropped. */
export function contentCodings(contentEncoding: string | null | undefined): string[] {
  return (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
}

export type DecodedContent = { ok: true; bytes: Buffer } | { ok: false; reason: string; overLimit: boolean };

export interface DecodeOptions {
  /** The body was cut (recording cap, connection lost): decode as far as it goes instead of failing at its end. */
  truncated?: boolean;
  /** Default MAX_DECODED_BYTES. */
  limit?: number;
}

/** Undoes Content-Encoding (several codings are undone in reverse order), in one go. */
export function decodeContent(body: Buffer, contentEncoding: string | null | undefined, opts: DecodeOptions = {}): DecodedContent {
  const limit = opts.limit ?? MAX_DECODED_BYTES;
  let bytes = body;
  for (const coding of contentCodings(contentEncoding).reverse()) {
    if (!SUPPORTED.has(coding)) return { ok: false, reason: unsupported(coding), overLimit: false };
    if (bytes.length === 0) break;
    try {
      bytes = decodeSync(coding, bytes, limit, opts.truncated ?? false);
    } catch (err) {
      const overLimit = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      return { ok: false, reason: overLimit ? tooLarge(coding, limit) : corrupt(coding, err), overLimit };
    }
  }
  if (bytes.length > limit) return { ok: false, reason: tooLarge('identity', limit), overLimit: true };
  return { ok: true, bytes };
}

function decodeSync(coding: string, bytes: Buffer, limit: number, truncated: boolean): Buffer {
  if (coding === 'br') {
    return zlib.brotliDecompressSync(bytes, {
      maxOutputLength: limit,
      ...(truncated ? { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : {}),
    });
  }
  const options: zlib.ZlibOptions = { maxOutputLength: limit, ...(truncated ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) };
  if (coding === 'deflate') return isZlibWrapped(bytes) ? zlib.inflateSync(bytes, options) : zlib.inflateRawSync(bytes, options);
  return zlib.gunzipSync(bytes, options);
}

/** "deflate" is zlib-wrapped by the standard (RFC 1950 header), raw in some servers; browsers take both. */
function isZlibWrapped(first: Buffer): boolean {
  return first.length >= 2 && (first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0;
}

function unsupported(coding: string): string {
  return `content-encoding ${coding}: not supported`;
}

function tooLarge(coding: string, limit: number): string {
  return `content-encoding ${coding}: decodes to more than ${limit.toLocaleString('en-US')} bytes`;
}

function corrupt(coding: string, err: unknown): string {
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `content-encoding ${coding}: corrupt data (${detail})`;
}

/** What streaming a body through its decoders found. */
export interface ContentMeasure {
  /** Decoded bytes seen; when `overLimit`, decoding stopped there and the body is larger. */
  size: number;
  overLimit: boolean;
  /** The first `keep` decoded bytes (all of them when `size <= keep`). */
  head: Buffer;
  /** Why the body does not decode, in the words of decodeContent; null when it does. */
  error: string | null;
}

export interface ContentDecoderOptions {
  /** Decoded bytes to keep from the start (default 0: count only). */
  keep?: number;
  /** Default MAX_DECODED_BYTES. */
  limit?: number;
  /** The body is known to be cut: no error for its missing end. */
  truncated?: boolean;
}

/**
 * Decodes a body fed chunk by chunk, holding only the first `keep` decoded bytes: for the proxy,
 * which checks a body as it passes, and for the HAR, which states the decoded size of a body too
 * large to inline. Decoding runs on libuv's thread pool.
 */
export class ContentDecoder {
  private readonly keep: number;
  private readonly limit: number;
  private readonly stages: { coding: string; stream: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | null }[];
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private size = 0;
  private overLimit = false;
  private error: string | null = null;
  private settled = false;
  private started = false;
  private readonly truncated: boolean;
  private readonly result: Promise<ContentMeasure>;
  private settle!: () => void;

  constructor(contentEncoding: string | null | undefined, opts: ContentDecoderOptions = {}) {
    this.keep = opts.keep ?? 0;
    this.limit = opts.limit ?? MAX_DECODED_BYTES;
    this.truncated = opts.truncated ?? false;
    this.result = new Promise<void>((resolve) => (this.settle = resolve)).then(() => this.measure());
    const codings = contentCodings(contentEncoding).reverse();
    const unknown = codings.find((c) => !SUPPORTED.has(c));
    this.stages = codings.map((coding) => ({ coding, stream: null }));
    if (unknown) this.fail(unsupported(unknown));
  }

  /** Feeds the next chunk of the body as received. */
  write(chunk: Buffer): void {
    if (this.settled || chunk.length === 0) return;
    if (this.stages.length === 0) {
      this.output(chunk);
      return;
    }
    if (!this.started) this.start(chunk);
    this.stages[0].stream!.write(chunk);
  }

  /** The body is complete (or, with `truncated`, cut): resolves once everything written is decoded. */
  end(): Promise<ContentMeasure> {
    if (!this.settled) {
      if (this.stages.length === 0 || !this.started) this.finish();
      else this.stages[0].stream!.end();
    }
    return this.result;
  }

  /** Stops decoding and frees the decoders (a body that was cut, or is no longer wanted). */
  destroy(): void {
    this.finish();
  }

  private start(first: Buffer): void {
    this.started = true;
    const flush = this.truncated;
    // Large output chunks: each one is a round trip to the thread pool (16 KB by default makes a
    // 64 MiB body cost 4,096 of them).
    const chunkSize = STREAM_CHUNK_BYTES;
    for (const [i, stage] of this.stages.entries()) {
      const zlibOptions: zlib.ZlibOptions = { chunkSize, ...(flush ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) };
      // Which deflate framing is only known from the first bytes of that stage's input; for a
      // stage behind another, the zlib framing is assumed (a raw one then fails as corrupt).
      stage.stream =
        stage.coding === 'br'
          ? zlib.createBrotliDecompress({ chunkSize, ...(flush ? { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : {}) })
          : stage.coding === 'deflate'
            ? i === 0 && !isZlibWrapped(first)
              ? zlib.createInflateRaw(zlibOptions)
              : zlib.createInflate(zlibOptions)
            : zlib.createGunzip(zlibOptions);
      stage.stream.on('error', (err) => this.fail(corrupt(stage.coding, err)));
      if (i > 0) this.stages[i - 1].stream!.pipe(stage.stream);
    }
    const last = this.stages[this.stages.length - 1].stream!;
    last.on('data', (chunk: Buffer) => this.output(chunk));
    last.on('end', () => this.finish());
  }

  private output(chunk: Buffer): void {
    if (this.settled) return;
    const room = this.limit - this.size;
    if (chunk.length > room) {
      this.size = this.limit;
      this.hold(chunk.subarray(0, room));
      this.overLimit = true;
      this.finish();
      return;
    }
    this.size += chunk.length;
    this.hold(chunk);
  }

  private hold(chunk: Buffer): void {
    if (this.keptBytes >= this.keep) return;
    const part = chunk.subarray(0, this.keep - this.keptBytes);
    this.kept.push(Buffer.from(part));
    this.keptBytes += part.length;
  }

  private fail(reason: string): void {
    if (this.settled) return;
    this.error = reason;
    this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    for (const stage of this.stages) stage.stream?.destroy();
    this.settle();
  }

  private measure(): ContentMeasure {
    return { size: this.size, overLimit: this.overLimit, head: Buffer.concat(this.kept), error: this.error };
  }
}
