// `clicktrace mail box.mbox --trace main` over a lab mailbox, end to end (process start to exit):
// each message's call-to-action is a distinct start URL of the 5-hop lab chain, traced on the pool.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fiveHopUrls, runWatched, tail } from './batch.js';
import type { LabProcess } from './lab-process.js';
import { labMailbox } from '../src/lab/mailbox.js';

export interface MailTraceBenchResult {
  messages: number;
  traced: number;
  seconds: number;
  messagesPerSecond: number;
  peakRssBytes: number;
}

export async function benchMailTrace(
  lab: Pick<LabProcess, 'traceArgs' | 'urls'>,
  messages: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<MailTraceBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-mail-'));
  const box = join(dir, 'lab.mbox');
  writeFileSync(box, labMailbox(fiveHopUrls(lab, messages)));
  try {
    const { code, stdout, stderr, usage, wallSeconds } = await runWatched(
      ['mail', box, '--trace', 'main', '--json', '--out', join(dir, 'cases'), ...lab.traceArgs],
      '',
      env,
    );
    const last = stdout.trimEnd().split('\n').at(-1)!;
    const summary = (last.startsWith('{') ? JSON.parse(last) : null) as {
      kind: string;
      counts: { traced: number; messages: number };
    } | null;
    if ((code !== 0 && code !== 1) || summary?.kind !== 'summary')
      throw new Error(`clicktrace mail --trace main exited ${code}: ${tail(stderr)}`);
    return {
      messages: summary.counts.messages,
      traced: summary.counts.traced,
      seconds: wallSeconds,
      messagesPerSecond: summary.counts.messages / wallSeconds,
      peakRssBytes: usage.peakRssBytes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
