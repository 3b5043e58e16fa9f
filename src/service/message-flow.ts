// How the messages of a mailbox flow through a run: read ahead and analysed on the pool while the
// earlier ones are handled, then handled in the source's order, a bounded number at a time. The
// front ends (the CLI's `mail`) say what handling a message means.
import { nextTurn } from './event-loop.js';
import type { MailSourceItem } from '../mail/mailbox.js';

type ReadItem = Extract<MailSourceItem, { raw: Buffer }>;

/** An item with its analysis under way (null: not readable, or read after the run stopped). */
export interface AnalysedItem<Analysis> {
  item: MailSourceItem;
  analysis: Promise<Analysis> | null;
}

/** How long the source may keep its next item before an analysed message is given without it (a file never keeps it so long). */
export const STALL_MS = 200;

/**
 * The source's items in order, each with its analysis already under way: up to `ahead` items are
 * read and handed to `analyze` before the first is consumed. The first is also given once it is
 * analysed and the source has kept the next item for STALL_MS: a feed on a pipe (`tail -f |
 * clicktrace mail -`) shows each message then, not once `ahead` more have arrived.
 */
export async function* analysedInOrder<Analysis>(
  items: AsyncIterable<MailSourceItem>,
  analyze: (item: ReadItem) => Promise<Analysis>,
  ahead: number,
  stopped: () => boolean,
): AsyncGenerator<AnalysedItem<Analysis>> {
  type Entry = AnalysedItem<Analysis> & { analysed: Promise<null> };
  const window: Entry[] = [];
  const iterator = items[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<MailSourceItem>> | null = null;
  let ended = false;
  const given = (entry: Entry): AnalysedItem<Analysis> => ({ item: entry.item, analysis: entry.analysis });
  try {
    for (;;) {
      next ??= iterator.next();
      const read = await (window.length ? Promise.race([next, stalled(window[0].analysed)]) : next);
      // The first is analysed and the source has kept the next item for a while: given now.
      if (read === null) {
        yield given(window.shift()!);
        continue;
      }
      next = null;
      if (read.done) break;
      const item = read.value;
      // Once stopped, the rest is only read (to be reported as not started), never analysed.
      const analysis = 'error' in item || stopped() ? null : analyze(item);
      const analysed = analysis ? analysis.then(nothing, nothing) : Promise.resolve(null);
      window.push({ item, analysis, analysed });
      if (window.length >= ahead) yield given(window.shift()!);
    }
    ended = true;
    while (window.length) yield given(window.shift()!);
  } finally {
    // Left early (the output closed): the source is let go, as a for-await would.
    if (!ended) void iterator.return?.(undefined).catch(nothing);
  }
}

/**
 * Hands each item to `handle` in order, up to `atOnce` at a time; resolves once all are handled.
 * `readNoMore` true ends the reading (the output closed: nothing more can be said). An item that
 * could not be handled is `handle`'s to report: its promise never rejects.
 */
export async function handleEach<Analysis>(
  items: AsyncIterable<AnalysedItem<Analysis>>,
  atOnce: number,
  readNoMore: () => boolean,
  handle: (item: MailSourceItem, analysis: Promise<Analysis> | null) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const { item, analysis } of items) {
    // One turn of the event loop per item: analysed here, without a pool or a trace to wait for, a
    // mailbox never yields otherwise, and Ctrl-C or a reader gone would be heard at its end.
    await nextTurn();
    if (readNoMore()) break;
    const work = handle(item, analysis);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
    while (inFlight.size >= atOnce) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

const nothing = (): null => null;

/** Null once `analysed` is and STALL_MS more have passed. */
function stalled(analysed: Promise<null>): Promise<null> {
  return analysed.then(() => new Promise<null>((resolve) => setTimeout(resolve, STALL_MS, null)));
}
