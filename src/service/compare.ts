// `clicktrace compare`: one link traced once per visitor profile on the tracer's pool, each a
// normal sealed case, then a comparison case that references them. This requests the link
// deliberately once per profile: every request is claimed in the ledger of requested URLs like
// any trace (the first as asked, `again` or not; the others with `again`, since the comparison is
// what they are for), so the ledger says honestly that the link was requested N times.
// The first profile goes first: the others start once its first request has been answered, so
// that a single-use link is consumed by the first visitor, which the comparison then recognises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Visitor } from '../capture/visitor.js';
import { HAR_FILE } from '../case/case-layout.js';
import { lastChainHop } from '../analyze/tabs.js';
import { servedTitle as servedTitleOf } from '../analyze/body.js';
import type { Report } from '../report.js';
import { compareTraces, type ProfileTrace } from '../compare/comparison.js';
import { comparisonCaseName, writeComparisonCase, type ComparisonRecord } from '../compare/comparison-case.js';
import { signalsOf } from '../compare/profiles.js';
import type { Tracer, TraceOutcome, TraceRequest } from './tracer.js';

export interface CompareRequest {
  url: string;
  visitors: Visitor[];
  /** Compare a link this cases folder has requested before. */
  again?: boolean;
  commandLine?: string[];
  onProgress?: (profile: string, event: { kind: string; detail: string }) => void;
  /** Each profile's outcome as it finishes. */
  onTraced?: (profile: string, outcome: TraceOutcome) => void;
}

export type CompareResult =
  | { kind: 'compared'; dir: string; record: ComparisonRecord; outcomes: { profile: string; outcome: TraceOutcome }[] }
  /** Not compared: the first request was refused (already traced, or the run was stopped); nothing else was requested. */
  | { kind: 'refused'; outcome: TraceOutcome }
  /** No profile could be traced (bad options, no browser): no comparison case is written. */
  | { kind: 'failed'; error: string; outcomes: { profile: string; outcome: TraceOutcome }[] };

export async function compareLink(tracer: Tracer, request: CompareRequest, casesDir: string): Promise<CompareResult> {
  const [first, ...rest] = request.visitors;
  if (!first) throw new Error('compare: no profile');
  const startedAt = new Date();
  const traceOf = (visitor: Visitor, again: boolean, onExchange?: () => void): Promise<TraceOutcome> => {
    const traceRequest: TraceRequest = {
      url: request.url,
      again,
      visitor,
      ...(request.commandLine ? { commandLine: [...request.commandLine, `(profile ${visitor.name})`] } : {}),
      onProgress: (event) => {
        if (event.kind === 'exchange') onExchange?.();
        request.onProgress?.(visitor.name, event);
      },
    };
    return tracer.trace(traceRequest).then((outcome) => {
      request.onTraced?.(visitor.name, outcome);
      return outcome;
    });
  };
  let answered: () => void = () => undefined;
  const firstAnswered = new Promise<void>((resolve) => (answered = resolve));
  const firstOutcome = traceOf(first, request.again ?? false, answered);
  const early = await Promise.race([firstAnswered.then(() => null), firstOutcome]);
  if (early && (early.kind === 'already-traced' || early.kind === 'skipped')) return { kind: 'refused', outcome: early };
  const outcomes = await Promise.all([firstOutcome, ...rest.map((visitor) => traceOf(visitor, true))]);
  const named = request.visitors.map((v, i) => ({ profile: v.name, outcome: outcomes[i] }));
  if (outcomes.every((o) => o.kind !== 'traced')) {
    const failure = outcomes.find((o) => o.kind === 'failed');
    return { kind: 'failed', error: failure?.kind === 'failed' ? failure.error : 'no profile was traced', outcomes: named };
  }
  const traces: ProfileTrace[] = request.visitors.map((visitor, i) => profileTrace(visitor, outcomes[i]));
  const comparison = compareTraces(traces);
  const record: ComparisonRecord = {
    kind: 'comparison',
    case: comparisonCaseName(startedAt),
    url: outcomes[0].url,
    profiles: request.visitors.map((v) => v.name),
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    commandLine: request.commandLine ?? [],
    comparison,
  };
  const dir = writeComparisonCase(casesDir, record);
  return { kind: 'compared', dir, record, outcomes: named };
}

function profileTrace(visitor: Visitor, outcome: TraceOutcome): ProfileTrace {
  const base = { profile: visitor.name, signals: signalsOf(visitor) };
  switch (outcome.kind) {
    case 'traced':
      return { ...base, case: outcome.caseId, report: outcome.report, servedTitle: servedTitleIn(outcome.caseDir, outcome.report) };
    case 'failed':
      return { ...base, case: outcome.caseId, report: null, failure: outcome.error };
    case 'already-traced':
      return { ...base, case: outcome.caseId, report: null, failure: 'already traced' };
    case 'skipped':
      return { ...base, case: null, report: null, failure: `not requested: ${outcome.reason}` };
  }
}

/**
 * The `<title>` of the final document as the server sent it, from the case's HAR (bodies decoded
 * there): undefined when the HAR or that body is not there, null when it has no title.
 */
function servedTitleIn(caseDir: string, report: Report): string | null | undefined {
  const exchange = lastChainHop(report.hops)?.exchange;
  if (!exchange) return undefined;
  try {
    const har = JSON.parse(readFileSync(join(caseDir, HAR_FILE), 'utf8')) as {
      log: { entries: { _exchangeId?: string; response: { content: { text?: string; encoding?: string } } }[] };
    };
    const content = har.log.entries.find((e) => e._exchangeId === exchange)?.response.content;
    if (!content || content.text === undefined || content.encoding) return undefined;
    return servedTitleOf(content.text);
  } catch {
    return undefined;
  }
}
