// A one-shot timer the final page still had pending when the trace stopped waiting on it (a
// script redirect later than --settle leaves no other trace): read from the report event's
// structured fields, which carry the case's `settled` capture event's figures as recorded. Said by
// the terminal and the case page.
import type { Report, ReportEvent } from '../report.js';
import { lastChainHop } from './tabs.js';

/** Milliseconds as seconds, to a tenth ("8.7"). */
export function tenthsOfSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** The --settle that waits for a timer, in the option's steps of 100 ms; null when not known or nothing to say. */
export function settleToWaitFor(timerSettleMs: number | undefined): number | null {
  if (typeof timerSettleMs !== 'number' || !Number.isFinite(timerSettleMs)) return null;
  const settle = Math.ceil(timerSettleMs / 100) * 100;
  return settle > 0 ? settle : null;
}

/** The report event of a `settled` capture event whose page had a timer pending, or null. */
export function timerEvent(at: string, url: string, timerDueInMs: unknown, timerSettleMs: unknown): ReportEvent | null {
  if (typeof timerDueInMs !== 'number' || !Number.isFinite(timerDueInMs) || timerDueInMs <= 0) return null;
  const settleMs = typeof timerSettleMs === 'number' && Number.isFinite(timerSettleMs) ? timerSettleMs : undefined;
  const settle = settleToWaitFor(settleMs);
  return {
    at,
    kind: 'timer',
    detail: `timer pending on ${url}, due in ${tenthsOfSeconds(timerDueInMs)} s` + (settle !== null ? ` (--settle ${settle})` : ''),
    url,
    timerDueInMs,
    ...(settleMs !== undefined ? { timerSettleMs: settleMs } : {}),
  };
}

/**
 * The timer the final page (the last one settled, not a page the chain left) still had pending
 * when the trace stopped waiting on it: due in `dueInMs` after that, and the settle figure the
 * capture recorded. Whether it would navigate, and where to, is not known.
 */
export function finalPageTimer(report: Pick<Report, 'hops' | 'final' | 'events'>): { dueInMs: number; settleMs: number | null } | null {
  const last = lastChainHop(report.hops);
  if (!last || !report.final) return null;
  const since = Date.parse(last.timing.startedAt);
  const timer = report.events.filter((e) => e.kind === 'timer' && Date.parse(e.at) >= since).at(-1);
  if (!timer || timer.url !== report.final.url || typeof timer.timerDueInMs !== 'number') return null;
  return { dueInMs: timer.timerDueInMs, settleMs: timer.timerSettleMs ?? null };
}

/** finalPageTimer in s (to a tenth), and the --settle that would have waited for it. */
export function pendingTimer(report: Pick<Report, 'hops' | 'final' | 'events'>): { seconds: string; settle: number | null } | null {
  const timer = finalPageTimer(report);
  if (!timer) return null;
  return { seconds: tenthsOfSeconds(timer.dueInMs), settle: settleToWaitFor(timer.settleMs ?? undefined) };
}

/** The terminal's and the case page's note on a timer left pending on the final page, or null. */
export function pendingTimerNote(report: Report): string | null {
  const timer = pendingTimer(report);
  if (!timer) return null;
  return (
    `not waited for: a timer was still pending on the final page, due in ${timer.seconds} s when the trace ended; ` +
    `it may move the page, or not${timer.settle ? ` (--settle ${timer.settle} or more would wait for it)` : ' (a larger --settle would wait for it)'}`
  );
}
