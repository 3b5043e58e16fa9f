// What a job of `clicktrace serve` is (TraceService): its fields, its event log, and how it is shown.
import { randomBytes } from 'node:crypto';
import type { JobState } from './job-state.js';
import type { TraceChoices } from './submission-options.js';
// Types only: BullMQ is loaded by the caller (serve --queue), never by the embedded default.
import type { FleetJobState } from '../fleet/dispatcher.js';

export interface JobEvent {
  seq: number;
  at: string;
  kind: string;
  detail: string;
}

export interface Job {
  id: string;
  kind: 'url' | 'message';
  url: string | null;
  /** The link as the user wrote it, when `url` was taken out of it (e.g. refanged). */
  given?: string;
  clicks: string[];
  /** Trace options of this submission, over the server's (device, user agent, explore, timeout, nudge). */
  options?: TraceChoices;
  /** For a message: the uploaded file's name, its subject and the traced link's number. */
  filename: string | null;
  subject: string | null;
  link: number | null;
  state: JobState;
  submittedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** The capture case, once the trace has written it (or the earlier case of a link traced before). */
  caseId: string | null;
  /** The link was traced before in this cases folder: not requested again, caseId is that trace. */
  alreadyTraced?: boolean;
  /** Of a job alreadyTraced: that case is not in the cases folder (deleted, or never delivered by a fleet worker). */
  caseMissing?: boolean;
  /** Its case is partial: the trace was cut off (a fleet worker died mid-trace, the server stopped mid-trace) and sealed from what it recorded. */
  partial?: boolean;
  /** Submitted with `again`: traced even if it was traced before. */
  again?: boolean;
  messageCaseId: string | null;
  /** Why the job could not run (the trace's own errors are in the case: chainError). */
  error: string | null;
  chainError: string | null;
  events: JobEvent[];
  /** Events left out of `events` once it reached its cap. */
  droppedEvents: number;
  /** With `serve --queue`: its dispatches, and the claim of the worker tracing it. */
  fleet?: FleetJobState;
  /** The batch (a submitted list) this job traces a line of. */
  batch?: string;
  /** A failed job run again (see TraceService.retry): the job it retries, and the job that retried it. */
  retryOf?: string;
  retriedAs?: string;
  /**
   * When the analyst cancelled it (see TraceService.cancel). A job with this set ends as
   * `cancelled`; until then (a running trace being stopped, its case sealed) it is still running.
   */
  cancelledAt?: string;
}

/** A job without its event list, for listings. */
export type JobSummary = Omit<Job, 'events'>;

/** The fields a new job is given; the rest start empty. */
export type NewJobFields = Partial<Job> & Pick<Job, 'kind' | 'url' | 'clicks'>;

export const MAX_EVENTS_PER_JOB = 400;
const MAX_EVENT_DETAIL = 2000;

/** A new job, queued now, with a fresh id. */
export function newJob(fields: NewJobFields): Job {
  return {
    id: `j${randomBytes(6).toString('hex')}`,
    filename: null,
    subject: null,
    link: null,
    state: 'queued',
    submittedAt: new Date().toISOString(),
    startedAt: null,
    endedAt: null,
    caseId: null,
    messageCaseId: null,
    error: null,
    chainError: null,
    events: [],
    droppedEvents: 0,
    ...fields,
  };
}

/** Adds an event to the job's log (past its cap, the oldest after the first makes room) and returns it. */
export function appendEvent(job: Job, kind: string, detail: string): JobEvent {
  const event: JobEvent = {
    seq: job.events.length + job.droppedEvents + 1,
    at: new Date().toISOString(),
    kind,
    detail: detail.slice(0, MAX_EVENT_DETAIL),
  };
  if (job.events.length >= MAX_EVENTS_PER_JOB) {
    job.events.splice(1, 1); // keep the first event, drop the oldest after it
    job.droppedEvents++;
  }
  job.events.push(event);
  return event;
}

/** A job as shown: a copy, without the worker's claim nonce. */
export function jobView(job: Job): Job {
  return { ...job, clicks: [...job.clicks], events: [...job.events], ...hiddenClaim(job) };
}

/** A job as listed: without its events, nor the worker's claim nonce. */
export function jobSummary({ events: _events, ...summary }: Job): JobSummary {
  return { ...summary, clicks: [...summary.clicks], ...hiddenClaim(summary) };
}

/** A worker's claim nonce stays between it and the server. */
function hiddenClaim(job: Pick<Job, 'fleet'>): Pick<Job, 'fleet'> | object {
  return job.fleet ? { fleet: { ...job.fleet, nonce: null } } : {};
}
