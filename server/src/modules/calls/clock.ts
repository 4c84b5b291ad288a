// The dialer's clock: what time it is and how to wait. The real one is the wall clock; the accelerated one runs
// `factor` times faster from a pinned start (the demo, tests and the benchmark run a day of calls in seconds).
export interface CallClock {
  now(): Date;
  /** wait `ms` of this clock's time */
  sleep(ms: number): Promise<void>;
  /** how much faster than real time it runs (1 when absent) */
  factor?: number;
}

export const realClock = (now: () => Date = () => new Date()): CallClock => ({
  now,
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
});

export function acceleratedClock(start: Date, factor: number): CallClock & { factor: number } {
  const t0 = performance.now();
  return {
    factor,
    now: () => new Date(start.getTime() + (performance.now() - t0) * factor),
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms / factor))),
  };
}
