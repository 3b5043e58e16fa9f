// Real-world messages for the tests. A small set ships with the project (test/fixtures/
// phishing-pot, 31 messages, CC BY-NC 4.0, see its README) so that the tests that need real
// mail run from any clone. The whole sample (316 messages) lives in ../shared/corpus/phishing-pot,
// beside the clone on CI: tests over it run when it is there and are skipped, not failed, when
// it is not. Their links are live phishing links: read them, never visit them.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectPath, projectRoot } from '../../src/project-root.js';

/** The shipped subset. */
export const FIXTURE_CORPUS = projectPath('test', 'fixtures', 'phishing-pot');

/**
 * The whole sample, or null when this clone has none: where CLICKTRACE_CORPUS says, else in a
 * `shared/corpus` folder beside the clone or above it (a git worktree sits a level deeper).
 */
export function phishingPotDir(): string | null {
  const fromEnv = process.env.CLICKTRACE_CORPUS;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (let dir = dirname(projectRoot()); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'corpus', 'phishing-pot');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** The whole sample beside the clone, or null when this clone has none. */
export const SHARED_CORPUS: string | null = phishingPotDir();

/** The `skip` option for a test over the whole sample: false when it is there, else the reason. */
export const NEEDS_SHARED_CORPUS: string | false = SHARED_CORPUS
  ? false
  : 'no shared/corpus/phishing-pot beside this clone (or CLICKTRACE_CORPUS)';

/** The .eml files of a folder, in sample-number order. */
export function emlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
