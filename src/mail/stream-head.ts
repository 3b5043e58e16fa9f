// The first bytes of a stream, to tell what it is (an mbox or a message, compressed or not), and
// then the whole stream again, those bytes first: read once, never seeked.

export interface StreamHead {
  /** The bytes read to tell. */
  head: Buffer;
  /** Whether that was the whole stream. */
  done: boolean;
  /** The whole stream: `head`, then the rest. */
  chunks: AsyncIterable<Buffer | string>;
}

/** Reads chunks until `enough(chunk, all, size)` says so after one (or the stream ends). */
export async function readHead(
  chunks: AsyncIterable<Buffer | string>,
  enough: (chunk: Buffer, all: Buffer[], size: number) => boolean,
): Promise<StreamHead> {
  const iterator = chunks[Symbol.asyncIterator]();
  const all: Buffer[] = [];
  let size = 0;
  let done = false;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    all.push(chunk);
    size += chunk.length;
    if (enough(chunk, all, size)) break;
  }
  const head = Buffer.concat(all);
  async function* whole(): AsyncGenerator<Buffer | string> {
    yield head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, done, chunks: whole() };
}
