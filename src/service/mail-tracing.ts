// Where the traces of a `mail --trace` run go: the pool of browser contexts here, with its cases
// folder and ledger, or a server the messages are sent to whole. Either way a Batch counts them.
import type { TraceOptions } from '../capture/trace.js';
import type { ServerTracer } from '../fleet/server-tracer.js';
import type { MessageRecord } from '../mail/message-case.js';
import type { CaseStore } from '../store/index.js';
import type { Batch } from './batch.js';
import type { SweepResult } from './cut-off-sweep.js';

export interface MailTracing {
  /** The cases folder traced into here; null on a server. */
  store: CaseStore | null;
  /** The server the messages are sent to; null when traced here. */
  server: MessageServer | null;
  batch: Batch;
  /** The sealing of the cases an earlier run left open, here. */
  sweep: Promise<SweepResult> | null;
  close(): Promise<void>;
}

export interface MessageServer {
  traceMessage: ServerTracer['traceMessage'];
  messageRecord(caseId: string): Promise<MessageRecord>;
}

/** The pool, the ledger and the batch of a `mail --trace` run traced here. */
export async function startLocalTracing(options: TraceOptions, concurrency: number, again: boolean): Promise<MailTracing> {
  const [{ CaseStore }, { Tracer }, { BrowserPool }, { Batch }] = await Promise.all([
    import('../store/index.js'),
    import('./tracer.js'),
    import('./browser-pool.js'),
    import('./batch.js'),
  ]);
  // No browser to trace with is bad set-up, said once before anything is made, as for one URL.
  (await import('../capture/browser.js')).installedBrowserPath(options.browser);
  const store = CaseStore.open(options.outDir ?? 'cases');
  const browsers = new BrowserPool(options.browser ? { kind: options.browser } : {});
  const { url: _url, outDir: _outDir, ...defaults } = options;
  const tracer = new Tracer({ store, concurrency, browsers, trace: defaults, outDir: options.outDir ?? 'cases' });
  // Cases an earlier run left open when it died are sealed meanwhile.
  const sweep = tracer.sweepCutOff();
  const batch = new Batch(tracer, { again, commandLine: (url) => [...(options.commandLine ?? []), `(link ${url})`] });
  return {
    store,
    server: null,
    batch,
    sweep,
    async close() {
      await browsers.close();
      await sweep;
      store.close();
    },
  };
}

/**
 * A `mail --trace --server` run: each message submitted to the server, the batch for the counts and
 * the progress line. A mailbox (null for a single message) is one batch of the server, which the
 * analyst may cancel whole; `opened` hears its id.
 */
export async function startServerTracing(
  tracer: ServerTracer,
  mailbox: { name: string; again: boolean } | null,
  opened: (batchId: string) => void,
): Promise<MailTracing> {
  const { Batch } = await import('./batch.js');
  const batch = new Batch(tracer);
  // Opened as its first message is ready to go, not before: its lease runs from the opening, and
  // the first message's analysis (this process warming up, seconds on a loaded machine) holds the
  // timers that renew it.
  let opening: Promise<void> | null = null;
  const open = () =>
    (opening ??= mailbox
      ? tracer.openMailbox(mailbox.name, { again: mailbox.again }).then((batchView) => {
          if (batchView) opened(batchView.id);
        })
      : Promise.resolve());
  return {
    store: null,
    sweep: null,
    server: {
      traceMessage: async (raw, options) => {
        await open();
        return tracer.traceMessage(raw, options);
      },
      messageRecord: (caseId) => tracer.messageRecord(caseId),
    },
    batch,
    async close() {
      // A mailbox of which nothing was sent is a batch of the server all the same, closed at once.
      await open().catch(() => undefined);
      await tracer.closeMailbox();
    },
  };
}
