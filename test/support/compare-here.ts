// `clicktrace compare` run in the test's own process, on a browser pool the test file shares: for
// comparisons whose command line is not the point (the CLI's own is tested elsewhere in the file),
// without a process and two Chromium launches (the base and the lang=de-DE one) per comparison.
import { labOptions } from '../helpers.js';
import type { Lab } from '../../src/lab/index.js';
import type { ComparisonRecord } from '../../src/compare/comparison-case.js';
import { concurrencyOption } from '../../src/cli/batch-options.js';
import { parseProfiles } from '../../src/compare/profiles.js';
import type { BrowserPool } from '../../src/service/browser-pool.js';
import { compareLink } from '../../src/service/compare.js';
import { Tracer } from '../../src/service/tracer.js';
import { CaseStore } from '../../src/store/index.js';

export interface ComparedHere {
  record: ComparisonRecord;
  comparison: ComparisonRecord['comparison'];
  /** Whether every profile was traced (what exit status 0 of `clicktrace compare` says). */
  allTraced: boolean;
  /** Where a profile's chain ended. */
  finalOf: (profile: string) => string;
}

/** compareLink() as `clicktrace compare URL --as PROFILES --yes --out outDir --settle SETTLE` runs it. */
export async function compareHere(
  lab: Lab,
  browsers: BrowserPool,
  link: string,
  profiles: string,
  outDir: string,
  settle = '1500',
): Promise<ComparedHere> {
  const { url, outDir: _outDir, ...defaults } = labOptions(lab, link, { settleMs: Number(settle) });
  const store = CaseStore.open(outDir);
  const tracer = new Tracer({ store, concurrency: concurrencyOption(undefined), browsers, trace: defaults, outDir });
  try {
    const result = await compareLink(tracer, { url, visitors: parseProfiles(profiles) }, outDir);
    if (result.kind !== 'compared') throw new Error(`${link}: not compared: ${JSON.stringify(result)}`);
    const { record, outcomes } = result;
    const finalOf = (profile: string) => record.comparison.profiles.find((p) => p.profile === profile)!.final?.url ?? '';
    return { record, comparison: record.comparison, allTraced: outcomes.every((o) => o.outcome.kind === 'traced'), finalOf };
  } finally {
    store.close();
  }
}
