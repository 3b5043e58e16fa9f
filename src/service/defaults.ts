// How many traces run at once by default, from the machine's cores and memory. Measured with
// `npm run bench` (the 5-hop lab chain, distinct URLs, full evidence, one Chromium) on a 2-core
// AMD EPYC: 2.47 traces/s at 1 at once, 2.92 at 2, 3.13 at 4 (3.35 once the pool is warm), with
// the peak RSS of node + Chromium growing by ~108 MB per trace. A trace costs ~590 ms of CPU in
// all (node ~76 ms, Chromium ~510 ms: a fresh renderer, three documents, a screenshot) and spends
// the rest of its time waiting (on the network, timers, Chromium's frames), so two per core keep
// both cores busy; more only queue in Chromium. Memory bounds it on small machines.
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
