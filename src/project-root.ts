import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/**
 * The directory holding package.json. Modules run both from src/ (tsx) and from dist/src/
 * (compiled), so data files such as rules/ are found by walking up rather than by a fixed
 * relative path.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    // dist/ has no package.json of its own, so the first hit is the real root.
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('clicktrace: project root (package.json + rules/) not found');
    dir = parent;
  }
}

export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}
