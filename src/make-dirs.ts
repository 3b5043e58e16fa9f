// mkdirSync(path, { recursive: true }) of node 20 never returns for a path under /proc (it loops
// between ENOENT and EEXIST, and the blocked event loop ignores SIGTERM): folders a user names are
// made one level at a time instead, so such a path fails at once with ENOENT.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      if (statSync(dir).isDirectory()) break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.unshift(dir);
      if (dirname(dir) === dir) break;
      continue;
    }
    // A file in the way: mkdirSync says so (EEXIST / ENOTDIR) below.
    missing.unshift(dir);
    break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, mode === undefined ? undefined : { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw err;
    }
  }
}
