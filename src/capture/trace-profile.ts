// CLICKTRACE_PROFILE=1 prints where a trace spends its time (stderr): named marks, in ms since the
// trace began, with when Chromium started and what writing the evidence cost.
/** A phase's name, its end in ms since the trace began, and this process's CPU ms since then (all threads; other work in it included). */
export type TraceMark = [name: string, ms: number, cpuMs: number];

export class TraceProfile {
  readonly marks: TraceMark[] = [];
  private readonly cpuAtStart = process.cpuUsage();

  constructor(readonly startedAt: number = Date.now()) {}

  mark(name: string): void {
    const cpu = process.cpuUsage(this.cpuAtStart);
    this.marks.push([name, Date.now() - this.startedAt, Math.round((cpu.user + cpu.system) / 100) / 10]);
  }

  /** Prints the profile, if asked for. `chromium`: performance.now() at spawn and at its first CDP answer. */
  print(chromium: { spawnedAt: number; answeredAt: number }, evidence: unknown): void {
    if (!process.env.CLICKTRACE_PROFILE) return;
    const began = Math.round(performance.now() - (Date.now() - this.startedAt));
    const rounded = JSON.stringify(evidence, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v));
    process.stderr.write(
      `profile: trace() began ${began} ms after process start, at ${new Date(this.startedAt).toISOString()}; ` +
        `Chromium spawned at ${Math.round(chromium.spawnedAt)} ms, answered at ${Math.round(chromium.answeredAt)} ms; ` +
        `${this.marks.map(([name, ms]) => `${name} ${ms}`).join(', ')}; evidence ${rounded}\n`,
    );
  }
}
