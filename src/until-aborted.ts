// Reading a stream that may never end (stdin from a pipe still open, `tail -f | clicktrace ...`)
// only until the run is stopped (Ctrl-C): the stream then ends for its reader, which keeps what
// came before, and is let go, so that it holds neither the reader nor the process.
import { createReadStream, fstatSync, open } from 'node:fs';
import { Socket } from 'node:net';

/** The chunks of `stream` until `signal` aborts, then its end; the stream is destroyed when it can be. */
export async function* untilAborted<T>(stream: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  if (signal.aborted) return;
  const iterator = stream[Symbol.asyncIterator]();
  const aborted = new Promise<IteratorResult<T>>((resolve) =>
    signal.addEventListener(
      'abort',
      () => {
        resolve({ done: true, value: undefined });
        // A read still pending fails (the stream closed early): the race below has heard the abort first.
        (stream as { destroy?: () => void }).destroy?.();
      },
      { once: true },
    ),
  );
  for (;;) {
    const next = await Promise.race([iterator.next(), aborted]);
    if (next.done) return;
    yield next.value;
  }
}

/**
 * The bytes of the file at `path`, read to its end; a named pipe (a FIFO, `--input <(tail -f feed)`)
 * or a socket, which may never end, as stdin from a pipe, is read until `signal` aborts, as a
 * socket: a file stream's read still waiting on it would hold the process until its writer writes
 * again. Rejects as opening the file does (ENOENT...).
 */
export async function readableFile(path: string, signal?: AbortSignal, highWaterMark?: number): Promise<AsyncIterable<Buffer>> {
  const fd = await new Promise<number>((resolve, reject) => open(path, 'r', (err, opened) => (err ? reject(err) : resolve(opened))));
  const kind = fstatSync(fd);
  if (signal && (kind.isFIFO() || kind.isSocket()))
    return untilAborted(new Socket({ fd, readable: true, writable: false }) as AsyncIterable<Buffer>, signal);
  return createReadStream(path, { fd, ...(highWaterMark ? { highWaterMark } : {}) });
}
