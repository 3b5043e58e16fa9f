// For commands that write a case folder (trace, mail, import, proxy): index it into the store of
// its cases folder right away. Never fails the command: the index can always be rebuilt.
import { dirname, resolve } from 'node:path';
import { CaseStore, type IndexOutcome } from './case-store.js';

export function indexCaseFolder(caseDir: string): IndexOutcome {
  const dir = resolve(caseDir);
  let store: CaseStore | null = null;
  try {
    store = CaseStore.open(dirname(dir));
    return store.indexCase(dir);
  } catch (err) {
    return { id: dir, indexed: false, reason: `index not updated: ${(err as Error).message}` };
  } finally {
    store?.close();
  }
}
