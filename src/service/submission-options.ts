// Per-submission trace options (the form's "Options" and the API's JSON fields): device, user
// agent, explore on/off and its depth, timeout, nudge on/off. One validation for both shapes; what
// passes goes over the server's own trace settings for that job alone, and is recorded in the case
// (the capture's identity, explore depth, nudge and command line).
import { SubmissionError } from './submission-error.js';

export interface TraceChoices {
  device?: 'desktop' | 'mobile';
  userAgent?: string;
  /** 0: no explore even if the server explores by default. */
  exploreDepth?: number;
  timeoutMs?: number;
  /**
   * false: a resting page that listens for a person is not nudged (capture/nudge.ts), even if the
   * server nudges; true: it is, even if the server runs with --no-nudge. Absent: the server's setting.
   */
  nudge?: boolean;
}

export const MAX_TIMEOUT_SECONDS = 600;
export const MAX_EXPLORE_DEPTH = 10;
const MAX_USER_AGENT = 512;

function bad(message: string): SubmissionError {
  return new SubmissionError(message, 400, 'bad-options');
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw bad(`${name}: expected a single value`);
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

function whole(value: unknown, name: string, min: number, max: number): number | undefined {
  const s = text(value, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max) throw bad(`${name}: expected a number from ${min} to ${max}, got "${s.slice(0, 40)}"`);
  return n;
}

function yesNo(value: unknown, name: string): boolean | undefined {
  const s = text(value, name);
  if (s === undefined) return undefined;
  if (/^(1|true|on|yes)$/i.test(s)) return true;
  if (/^(0|false|off|no)$/i.test(s)) return false;
  throw bad(`${name}: expected true or false, got "${s.slice(0, 40)}"`);
}

/**
 * The options of a submission from its raw fields (JSON: device, userAgent, explore, exploreDepth,
 * timeout in seconds, nudge; the form's user_agent and explore_depth are the same); SubmissionError
 * 400 if one is not acceptable.
 */
export function traceChoices(raw: {
  device?: unknown;
  userAgent?: unknown;
  explore?: unknown;
  exploreDepth?: unknown;
  timeout?: unknown;
  nudge?: unknown;
}): TraceChoices {
  const choices: TraceChoices = {};
  const device = text(raw.device, 'device');
  if (device !== undefined) {
    if (device !== 'desktop' && device !== 'mobile') throw bad(`device: expected desktop or mobile, got "${device.slice(0, 40)}"`);
    choices.device = device;
  }
  const userAgent = text(raw.userAgent, 'userAgent');
  if (userAgent !== undefined) {
    // It becomes a request header: printable ASCII only, nothing that could end or fold the line.
    if (!/^[\x20-\x7e]+$/.test(userAgent)) throw bad('userAgent: only printable ASCII characters');
    if (userAgent.length > MAX_USER_AGENT) throw bad(`userAgent: longer than ${MAX_USER_AGENT} characters`);
    choices.userAgent = userAgent;
  }
  const explore = yesNo(raw.explore, 'explore');
  const depth = whole(raw.exploreDepth, 'exploreDepth', 1, MAX_EXPLORE_DEPTH);
  if (depth !== undefined && !Number.isInteger(depth)) throw bad('exploreDepth: expected a whole number');
  if (explore === false) choices.exploreDepth = 0;
  else if (depth !== undefined) choices.exploreDepth = depth;
  else if (explore === true) choices.exploreDepth = 1;
  const timeout = whole(raw.timeout, 'timeout', 1, MAX_TIMEOUT_SECONDS);
  if (timeout !== undefined) choices.timeoutMs = Math.round(timeout * 1000);
  const nudge = yesNo(raw.nudge, 'nudge');
  if (nudge !== undefined) choices.nudge = nudge;
  return choices;
}

/**
 * The choices as the trace command's options, for the case's recorded command line. The trace
 * command nudges unless told not to: nudge on is no option of its own (the case's capture info
 * records whether it nudged, whatever the server's setting).
 */
export function choiceArguments(choices: TraceChoices): string[] {
  return [
    ...(choices.device ? ['--device', choices.device] : []),
    ...(choices.userAgent ? ['--user-agent', choices.userAgent] : []),
    ...(choices.exploreDepth !== undefined
      ? choices.exploreDepth > 0
        ? ['--explore-depth', String(choices.exploreDepth)]
        : ['--no-explore']
      : []),
    ...(choices.timeoutMs !== undefined ? ['--timeout', String(choices.timeoutMs / 1000)] : []),
    ...(choices.nudge === false ? ['--no-nudge'] : []),
  ];
}

/**
 * The choices as a submission's fields (JSON names, which the query and the form also read):
 * what a client (`trace --server`, `mail --server`) sends so that traceChoices on the server
 * gives back the same choices.
 */
export function choiceFields(choices: TraceChoices): Record<string, string> {
  const fields: Record<string, string> = {};
  if (choices.device) fields.device = choices.device;
  if (choices.userAgent) fields.userAgent = choices.userAgent;
  if (choices.exploreDepth !== undefined) {
    if (choices.exploreDepth > 0) fields.exploreDepth = String(choices.exploreDepth);
    else fields.explore = 'off';
  }
  if (choices.timeoutMs !== undefined) fields.timeout = String(choices.timeoutMs / 1000);
  if (choices.nudge !== undefined) fields.nudge = choices.nudge ? 'on' : 'off';
  return fields;
}
