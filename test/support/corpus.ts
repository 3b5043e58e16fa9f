// The shared phishing-pot corpus (316 real phishing e-mails): never visited, only read. Tests and
// benches over it skip when it is absent. It sits in a `shared/corpus` folder beside the project
// or above it (a git worktree lives one level deeper than the main checkout), or where
// CLICKTRACE_CORPUS says.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/project-root.js';

export function phishingPotDir(): string | null {
  const fromEnv = process.env.CLICKTRACE_CORPUS;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (let dir = dirname(projectRoot()); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'corpus', 'phishing-pot');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
