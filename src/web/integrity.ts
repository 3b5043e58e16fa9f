// The case page's integrity line: `clicktrace verify` run when the page is opened (every digest,
// the signature, the RFC 3161 timestamp), kept until a file of the case folder changes (its size
// or modification time), so a tampered case shows as tampered the next time it is opened.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCase, type VerifyResult } from '../verify/verify.js';
import { readHomeConfig } from '../home-config.js';

export interface Integrity {
  result: VerifyResult | null;
  /** When the check ran. */
  checkedAt: string;
  /** Why it could not run at all. */
  error: string | null;
}

/** Every file under the case folder with its size and modification time: the cache key. */
function folderStamp(dir: string): string {
  const parts: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else {
        const s = statSync(join(dir, rel), { throwIfNoEntry: false });
        parts.push(`${rel}:${s?.size ?? '-'}:${s?.mtimeMs ?? '-'}`);
      }
    }
  };
  walk('');
  return parts.sort().join('|');
}

const cache = new Map<string, { stamp: string; integrity: Promise<Integrity> }>();
const CACHE_SIZE = 64;

/** The TSA CA an operator set in the home config (verify's default), else the system store. */
function tsaCaFile(): string | null {
  try {
    return readHomeConfig().tsa?.ca ?? null;
  } catch {
    return null;
  }
}

export function caseIntegrity(dir: string): Promise<Integrity> {
  let stamp: string;
  try {
    stamp = folderStamp(dir);
  } catch (err) {
    return Promise.resolve({ result: null, checkedAt: new Date().toISOString(), error: (err as Error).message });
  }
  const known = cache.get(dir);
  if (known && known.stamp === stamp) return known.integrity;
  const integrity = verifyCase(dir, { tsaCaFile: tsaCaFile() }).then(
    (result) => ({ result, checkedAt: new Date().toISOString(), error: null }),
    (err: unknown) => ({ result: null, checkedAt: new Date().toISOString(), error: (err as Error).message }),
  );
  cache.delete(dir);
  cache.set(dir, { stamp, integrity });
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return integrity;
}
