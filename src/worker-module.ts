// Where a worker thread's module is. A module runs from two builds: compiled by tsc (dist/src/...,
// the worker's module beside it) and bundled (dist/chunks/..., the worker an entry of its own in
// dist/, see scripts/bundle.mjs). `from` is the caller's import.meta.url.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The worker's module file: `compiled` beside the caller, else `bundled` in dist/; null when neither exists. */
export function workerModule(from: string, compiled: string, bundled: string): string | null {
  const candidates = [new URL(`./${compiled}`, from), new URL(`../${bundled}`, from)];
  const found = candidates.find((url) => url.protocol === 'file:' && existsSync(fileURLToPath(url)));
  return found ? fileURLToPath(found) : null;
}
