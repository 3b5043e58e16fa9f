// The jobs of `clicktrace serve`: held in memory (the newest MAX_JOBS_KEPT), saved in the case
// index (table `jobs`) at every change of state, read back at the next start, and the live events
// of each for its subscribers.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseStore } from '../store/index.js';
import type { MessageRecord } from '../mail/message-case.js';
import { MESSAGE_RECORD_FILE } from '../case/case-layout.js';
import { isOpenCase } from '../case/seal-cut-off.js';
import { jobEnded, type JobState } from './job-state.js';
import { appendEvent, jobSummary, newJob, type Job, type JobEvent, type JobSummary, type NewJobFields } from './job.js';
import type { BatchSubmission } from './batch-submission.js';

export const MAX_JOBS_KEPT = 2000;

/** A message case as a job traces it: its folder and its record. */
export interface SavedMessage {
  dir: string;
  record: MessageRecord;
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly emitter = new EventEmitter();

  constructor(private readonly store: CaseStore) {
    this.emitter.setMaxListeners(0);
  }

  /** A new job, kept and saved, its first event `queued`. */
  create(fields: NewJobFields): Job {
    const job = newJob(fields);
    this.jobs.set(job.id, job);
    this.forgetOld();
    this.record(job, 'queued', job.url ?? job.filename ?? '');
    this.save(job);
    return job;
  }

  /** A job read back from the index (see loadSaved). */
  adopt(job: Job): void {
    this.jobs.set(job.id, job);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  values(): IterableIterator<Job> {
    return this.jobs.values();
  }

  /** The job a fleet worker claimed with this case. */
  byFleetCase(caseId: string): Job | null {
    for (const job of this.jobs.values()) if (job.fleet?.caseId === caseId) return job;
    return null;
  }

  /** Newest first, without events; only the jobs of `ids` when given, only those in `state` when given. */
  list(ids?: string[], state?: JobState): JobSummary[] {
    const all = ids ? ids.map((id) => this.jobs.get(id)).filter((j): j is Job => j !== undefined) : [...this.jobs.values()].reverse();
    const jobs = state ? all.filter((j) => j.state === state) : all;
    return jobs.map(jobSummary);
  }

  /** Adds an event to the job and tells its subscribers. */
  record(job: Job, kind: string, detail: string): void {
    const event = appendEvent(job, kind, detail);
    this.emitter.emit(job.id, job, event);
  }

  /** Calls back with every new event of the job of that id; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: Job, event: JobEvent | null) => void): () => void {
    this.emitter.on(id, listener);
    return () => this.emitter.off(id, listener);
  }

  /** Saving is best effort: a job runs even when the index cannot be written. */
  save(job: Job): void {
    try {
      this.store.saveJob(job, JSON.stringify(job));
    } catch {
      // The index is closed or read-only; the job lives on in memory.
    }
  }

  /** Jobs and batches saved by an earlier run of the server on this cases folder (none when the index cannot be read). */
  loadSaved(): { jobs: Job[]; batches: BatchSubmission[] } {
    let saved: string[];
    try {
      saved = this.store.loadJobs(MAX_JOBS_KEPT);
    } catch {
      return { jobs: [], batches: [] };
    }
    const jobs: Job[] = [];
    const batches: BatchSubmission[] = [];
    for (const json of saved) {
      let parsed: Job | BatchSubmission;
      try {
        parsed = JSON.parse(json) as Job | BatchSubmission;
      } catch {
        continue;
      }
      if (parsed.kind === 'batch') batches.push(parsed);
      else jobs.push(parsed);
    }
    return { jobs, batches };
  }

  /** The message case a job traces a link of, read back from its folder; null when it cannot be read. */
  savedMessage(job: Pick<Job, 'messageCaseId'>): SavedMessage | null {
    const dir = job.messageCaseId ? this.store.caseDir(job.messageCaseId) : null;
    if (!dir) return null;
    try {
      return { dir, record: JSON.parse(readFileSync(join(dir, MESSAGE_RECORD_FILE), 'utf8')) as MessageRecord };
    } catch {
      return null;
    }
  }

  /**
   * A job this server was tracing when it stopped keeps the case its trace named in the ledger (the
   * link's request claimed after the job was submitted): the sweep seals it as partial when it was
   * left open, and it is the evidence of that request. None when the trace never named one.
   */
  caseOfInterrupted(job: Job): void {
    if (!job.url || job.caseId) return;
    let entry;
    try {
      entry = this.store.ledger.lookup(job.url);
    } catch {
      return;
    }
    if (!entry || entry.claimedAt < job.submittedAt) return;
    const dir = this.store.caseDir(entry.caseId);
    if (!dir || !existsSync(dir)) return;
    job.caseId = entry.caseId;
    if (isOpenCase(dir) || this.store.caseSummary(entry.caseId)?.partial) job.partial = true;
  }

  /** Ended jobs beyond the newest MAX_JOBS_KEPT are forgotten here (they stay in the index). */
  private forgetOld(): void {
    if (this.jobs.size <= MAX_JOBS_KEPT) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS_KEPT) break;
      if (jobEnded(job.state)) this.jobs.delete(id);
    }
  }
}
