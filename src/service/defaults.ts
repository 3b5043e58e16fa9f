// How many traces run at once by default, from the machine's cores and memory. Measured with
// `node dist/bench/batch.js 1 2 3 4 6 --traces 40` (the 5-hop lab chain, full evidence, one
// Chromium) on a 2-core AMD EPYC shared with other work: throughput grew from 1 to 2 traces at
// once (0.45 -> 0.78 traces/s there) and stayed flat from 2 to 4 (0.79, 0.70; a second run 0.54 at
// 2, 0.67 at 4), while the peak RSS of node + Chromium grew by ~110 MB per trace. Each trace
// spends most of its time waiting (on the network, on timers, on Chromium's frames) and ~0.1 s
// of CPU in node plus a fresh renderer's worth in Chromium, so two per core keep both busy
// without queueing much in Chromium; memory bounds it on small machines.
import { availableParallelism, freemem } from 'node:os';

/** Traces per core at which batch throughput stopped growing. */
export const TRACES_PER_CORE = 2;
/** Peak memory of one more concurrent trace (measured ~110 MB of RSS), with headroom. */
export const BYTES_PER_TRACE = 200 * 1024 * 1024;
const MAX_DEFAULT = 16;

export function defaultConcurrency(cores = availableParallelism(), freeBytes = freemem()): number {
  const byCores = Math.max(1, cores) * TRACES_PER_CORE;
  const byMemory = Math.max(1, Math.floor(freeBytes / BYTES_PER_TRACE));
  return Math.max(1, Math.min(byCores, byMemory, MAX_DEFAULT));
}
