// A batch submitted to a test server, read from GET /api/batches/:id until it ended.
import type { BatchView } from '../../src/service/trace-service.js';

export async function batchDone(serverUrl: string, id: string, timeoutMs = 90_000): Promise<BatchView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { batch } = (await (await fetch(`${serverUrl}/api/batches/${id}`)).json()) as { batch: BatchView };
    if (batch.state === 'done') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} not done: ${JSON.stringify(batch.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
