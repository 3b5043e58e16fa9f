// A worker thread that compiles the AS table (network-data.ts) off the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { compileAsnTableHere, type CompileJob } from './network-data.js';

try {
  await compileAsnTableHere(workerData as CompileJob);
  parentPort?.postMessage({});
} catch (err) {
  parentPort?.postMessage({ error: (err as Error).message });
}
