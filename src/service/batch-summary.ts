// What a batch run (trace of many URLs, mail --trace over a mailbox) ends with: counts, rate,
// failures, duplicates, links already traced, and the aggregate "who is responsible" across the
// batch. Kept as running tallies, so a batch of any size holds only these in memory.
//
// Seam (issue 12, item 5): `aggregate` is filled here from the parties of the batch's own
// reports (per role: name, count, example cases). The shared aggregate over case rows
// (`clicktrace report`) replaces it in batchSummary() alone; `caseIds` are the batch's cases.
import type { BatchEntry } from './batch.js';

export interface AggregateParty {
  name: string;
  /** Cases of this batch in which the party appears. */
  count: number;
  /** A few of those cases. */
  cases: string[];
}

export interface AggregateRole {
  role: string;
  parties: AggregateParty[];
}

export interface BatchSummary {
  kind: 'summary';
  startedAt: string;
  endedAt: string;
  elapsedMs: number;
  concurrency: number;
  /** Why the batch stopped early (Ctrl-C), or null when it ran to the end. */
  interrupted: string | null;
  counts: {
    /** URLs to trace: lines of the input (invalid ones included), or the links chosen in messages. */
    inputs: number;
    /** Traces run in this batch (each one request of its link, one case). */
    traced: number;
    /** Of those, traces whose chain ended with an error (the case says why). */
    chainErrors: number;
    /** Traces that could not run or finish (no browser, the case could not be written). */
    failed: number;
    /** Exact repeats of a URL earlier in the batch: not traced again, pointed at the first one's case. */
    duplicates: number;
    /** URLs this cases folder had requested before: not requested again (see --again). */
    alreadyTraced: number;
    /** Lines that are not http(s) URLs. */
    invalid: number;
    /** Never started because the batch was interrupted. */
    notStarted: number;
    /** For mail: messages read, and those that could not be read or analysed. */
    messages?: number;
    messageErrors?: number;
  };
  /** Traces per second of wall time (traces run / elapsed). */
  tracesPerSecond: number;
  /** The first failures (chain errors, failed traces, invalid lines), up to MAX_LISTED. */
  failures: { line: number | null; url: string; error: string; case: string | null }[];
  /** Who is responsible across the batch: per party role, the parties seen, most frequent first. */
  aggregate: { roles: AggregateRole[] };
}

const MAX_LISTED = 50;
const EXAMPLE_CASES = 3;

/** Running counts of a batch, fed one entry at a time. */
export class BatchTally {
  readonly startedAt = new Date();
  readonly counts: BatchSummary['counts'] = {
    inputs: 0,
    traced: 0,
    chainErrors: 0,
    failed: 0,
    duplicates: 0,
    alreadyTraced: 0,
    invalid: 0,
    notStarted: 0,
  };
  readonly failures: BatchSummary['failures'] = [];
  /** Every case traced in this batch, for an aggregate over the case store. */
  readonly caseIds: string[] = [];
  private readonly parties = new Map<string, Map<string, AggregateParty>>();

  add(entry: BatchEntry): void {
    const c = this.counts;
    c.inputs++;
    switch (entry.kind) {
      case 'trace': {
        c.traced++;
        this.caseIds.push(entry.caseId);
        if (entry.report.error) {
          c.chainErrors++;
          this.fail(entry.line, entry.url, entry.report.error, entry.caseId);
        }
        const seen = new Set<string>();
        for (const party of entry.report.parties ?? []) {
          const name = party.name ?? party.registrableDomain;
          if (!name || party.role === 'unknown') continue;
          const key = `${party.role}\u0000${name}`;
          if (seen.has(key)) continue;
          seen.add(key);
          this.party(party.role, name, entry.caseId);
        }
        break;
      }
      case 'failed':
        c.failed++;
        this.fail(entry.line, entry.url, entry.error, entry.caseId);
        break;
      case 'duplicate':
        c.duplicates++;
        break;
      case 'already-traced':
        c.alreadyTraced++;
        break;
      case 'invalid':
        c.invalid++;
        this.fail(entry.line, entry.text, entry.error, null);
        break;
      case 'skipped':
        c.notStarted++;
        break;
    }
  }

  /** Inputs never given to the pool because the batch was interrupted. */
  notStarted(count: number): void {
    this.counts.inputs += count;
    this.counts.notStarted += count;
  }

  /** A message of a mailbox: read (or not), and its sending platforms. */
  addMessage(message: { caseId: string | null; platforms: string[]; error: string | null }): void {
    this.counts.messages = (this.counts.messages ?? 0) + 1;
    if (message.error) this.counts.messageErrors = (this.counts.messageErrors ?? 0) + 1;
    if (message.caseId) for (const name of new Set(message.platforms)) this.party('sending-platform', name, message.caseId);
  }

  private party(role: string, name: string, caseId: string): void {
    let byName = this.parties.get(role);
    if (!byName) this.parties.set(role, (byName = new Map<string, AggregateParty>()));
    let party = byName.get(name);
    if (!party) byName.set(name, (party = { name, count: 0, cases: [] }));
    party.count++;
    if (party.cases.length < EXAMPLE_CASES) party.cases.push(caseId);
  }

  private fail(line: number | null, url: string, error: string, caseId: string | null): void {
    if (this.failures.length < MAX_LISTED) this.failures.push({ line, url, error, case: caseId });
  }

  /** The aggregate of the parties seen so far, most frequent first. */
  aggregate(): BatchSummary['aggregate'] {
    const roles = [...this.parties].map(([role, byName]) => ({
      role,
      parties: [...byName.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)).map((p) => ({ ...p })),
    }));
    return { roles: roles.sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.role.localeCompare(b.role)) };
  }
}

/** The order a reader follows a link: who sent it, who tracked it, who passed it on, who it is for. */
const ROLE_ORDER = [
  'sending-platform',
  'security-wrapper',
  'esp-tracker',
  'shortener',
  'redirector',
  'affiliate-network',
  'ad-network',
  'advertiser',
];

/** The summary of a batch so far (at its end, or when it was interrupted). */
export function batchSummary(tally: BatchTally, run: { concurrency: number; interrupted: string | null; endedAt?: Date }): BatchSummary {
  const endedAt = run.endedAt ?? new Date();
  const elapsedMs = Math.max(1, endedAt.getTime() - tally.startedAt.getTime());
  return {
    kind: 'summary',
    startedAt: tally.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    elapsedMs,
    concurrency: run.concurrency,
    interrupted: run.interrupted,
    counts: { ...tally.counts },
    tracesPerSecond: Math.round((tally.counts.traced / (elapsedMs / 1000)) * 100) / 100,
    failures: tally.failures.map((f) => ({ ...f })),
    aggregate: tally.aggregate(),
  };
}
