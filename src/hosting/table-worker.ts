// A worker thread that compiles the AS table (network-data.ts) off the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { compileAsnTableHere, type CompileJob } from './network-data.js';

try {
  const table = await compileAsnTableHere(workerData as CompileJob);
  // Handed over, not copied: the table is ~11 MB.
  const bytes = new Uint8Array(table.buffer, table.byteOffset, table.byteLength);
  parentPort?.postMessage({ table: bytes }, [table.buffer as ArrayBuffer]);
} catch (err) {
  parentPort?.postMessage({ error: (err as Error).message });
}
