// Measures what writing the evidence costs a trace: the sample 5-hop chain (plus side requests)
// with realistic screenshots, written as a capture writes it. For the project bench to call;
// the first run of a process is reported apart because a CLI trace is always a first run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseWriter } from '../src/case/case-writer.js';
import { sampleCapture, sampleReport } from '../test/support/test-capture.js';

export interface EvidenceBenchRun {
  /** Time spent in create() and the add* calls, i.e. during the trace. */
  writeMs: number;
  closeMs: number;
  waczMs: number;
  harMs: number;
  totalMs: number;
  warcBytes: number;
}

export interface EvidenceBenchResult {
  first: EvidenceBenchRun;
  median: EvidenceBenchRun;
  runs: number;
  screenshots: number;
}

export async function benchEvidence(opts: { runs?: number; screenshots?: 1 | 2 } = {}): Promise<EvidenceBenchResult> {
  const runs = Math.max(1, opts.runs ?? 9);
  const screenshots = opts.screenshots ?? 2;
  const capture = sampleCapture({ screenshots });
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-evidence-bench-'));
  const results: EvidenceBenchRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const writer = await CaseWriter.create(dir, { ...capture.info, partial: true, endedAt: null }, { keyDir: null });
      for (const rec of capture.dns) writer.addDns(rec);
      for (const ex of capture.exchanges) writer.addExchange(ex);
      writer.addEvents(capture.events);
      for (const page of capture.pages) writer.addPage(page);
      const written = performance.now();
      await writer.close(capture, sampleReport(capture, writer.name));
      const end = performance.now();
      const close = writer.stats().close!;
      results.push({
        writeMs: written - start,
        closeMs: end - written,
        waczMs: close.waczMs,
        harMs: close.harMs,
        totalMs: end - start,
        warcBytes: writer.stats().warcBytes,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { first: results[0], median: medianRun(results), runs, screenshots };
}

function medianRun(runs: EvidenceBenchRun[]): EvidenceBenchRun {
  const median = (pick: (r: EvidenceBenchRun) => number) => {
    const values = runs.map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  return {
    writeMs: median((r) => r.writeMs),
    closeMs: median((r) => r.closeMs),
    waczMs: median((r) => r.waczMs),
    harMs: median((r) => r.harMs),
    totalMs: median((r) => r.totalMs),
    warcBytes: median((r) => r.warcBytes),
  };
}
