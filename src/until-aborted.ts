// Reading a stream that may never end (stdin from a pipe still open, `tail -f | clicktrace ...`)
// only until the run is stopped (Ctrl-C): the stream then ends for its reader, which keeps what
// came before, and is let go, so that it holds neither the reader nor the process.

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
