// The progress line of a batch on stderr: done/total, failures, rate, time left, the URLs in
// flight. Only on a terminal (nothing when stderr is a file or a pipe); every URL goes through
// clean(). Redrawn at most every REDRAW_MS, cleared before results are printed to stdout.
import { clean, truncate } from '../terminal-text.js';

export interface ProgressState {
  done: number;
  /** Known total, or null (a mailbox being read). */
  total: number | null;
  failures: number;
  /** Epoch ms when the batch started. */
  startedAt: number;
  /** URLs being traced now. */
  inFlight: string[];
  /** Extra counts shown after done/total, e.g. "12 messages". */
  note?: string;
}

export function progressLine(state: ProgressState, now: number, width: number): string {
  const seconds = Math.max(0.001, (now - state.startedAt) / 1000);
  const rate = state.done / seconds;
  const parts = [state.total === null ? `${state.done} done` : `${state.done}/${state.total}`];
  if (state.note) parts.push(state.note);
  parts.push(`${state.failures} failed`);
  parts.push(`${rate.toFixed(1)}/s`);
  if (state.total !== null && state.done > 0 && state.done < state.total) parts.push(`ETA ${duration((state.total - state.done) / rate)}`);
  if (state.inFlight.length) parts.push(`now: ${state.inFlight.map((u) => shortUrl(u)).join(', ')}`);
  return truncate(clean(parts.join('  ')), Math.max(20, width - 1));
}

function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return truncate(u.host + u.pathname, 48);
  } catch {
    return truncate(url, 48);
  }
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const REDRAW_MS = 100;

/** Draws the line on a TTY stream; does nothing at all on anything else. */
export class ProgressDisplay {
  private timer: NodeJS.Timeout | null = null;
  private shown = false;
  readonly enabled: boolean;

  constructor(
    private readonly state: () => ProgressState,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true;
  }

  /** Something changed: redraw soon. */
  update(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, REDRAW_MS);
    this.timer.unref();
  }

  /** Removes the line (before other output), to be drawn again on the next update. */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.clear();
  }

  private draw(): void {
    this.stream.write(`\r\x1b[K${progressLine(this.state(), Date.now(), this.stream.columns || 100)}`);
    this.shown = true;
  }
}
