// The states of a server's jobs (TraceService), without the service: the CLI's client of a server reads them too.

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Jobs by state; cancelled only when there are any (the key is newer than the others). */
export interface JobCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled?: number;
}

export function jobCounts(jobs: Iterable<{ state: JobState }>): JobCounts {
  const counts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  for (const job of jobs) counts[job.state]++;
  const { cancelled, ...rest } = counts;
  return cancelled ? counts : rest;
}

/** The states a job ends in. */
export function jobEnded(state: JobState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}
