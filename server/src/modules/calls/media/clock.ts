// One 20 ms media clock per process drives every call's RTP sender (no timer per call). Timers drift and fire late on a busy event
// loop, so each tick is scheduled against the ideal grid (start + n * 20 ms), not "20 ms after the last one": a late
// tick catches up by sending every frame whose slot has passed, and the next one is aimed back at the grid.
import { performance } from 'node:perf_hooks';

export const FRAME_MS = 20;

export interface ClockListener {
  /** send the frame of slot `slot` (scheduled at `slotTime`, performance.now() ms) */
  tick(slot: number, slotTime: number): void;
}

/** Lateness of sent frames (actual send time - its slot time), in a 0.1 ms histogram up to 2 s. */
export class LatenessStats {
  private readonly buckets = new Uint32Array(20_001);
  count = 0;
  max = 0;
  add(ms: number): void {
    const v = Math.max(0, ms);
    this.buckets[Math.min(this.buckets.length - 1, Math.round(v * 10))]!++;
    this.count++;
    if (v > this.max) this.max = v;
  }
  percentile(p: number): number {
    if (!this.count) return 0;
    const want = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= want) return i / 10;
    }
    return this.max;
  }
  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.max = 0;
  }
}

/**
 * The clock's ticks are spread over `phases` phases of the 20 ms frame (4: every 5 ms): each call is given the
 * least busy phase when it starts and keeps it, so a tick sends a quarter of the calls' frames and the last frame of
 * a tick leaves a quarter as late as with one tick for all. Each call still sends exactly every 20 ms on its grid.
 */
export class MediaClock {
  private groups: Set<ClockListener>[];
  private readonly phaseOf = new Map<ClockListener, number>();
  private readonly worstOf = new Map<ClockListener, number>();
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  /** sub-ticks since the clock started (phases of them make one 20 ms frame) */
  private k = 0;
  private count = 0;
  /** every frame's lateness (sent - its slot time) */
  readonly lateness = new LatenessStats();
  /** how late the timer woke for a tick: the event loop's and the machine's share of the lateness */
  readonly wake = new LatenessStats();
  /** how long a tick took to send its frames: our share (the last frame of a tick waits for all the others) */
  readonly work = new LatenessStats();
  /** per call: its worst frame's lateness (recorded when the call's stream leaves the clock) */
  readonly worst = new LatenessStats();

  constructor(phases = 4) {
    this.groups = Array.from({ length: Math.max(1, Math.floor(phases)) }, () => new Set<ClockListener>());
  }

  get phases(): number {
    return this.groups.length;
  }

  /** Sets the phases per frame (only while no call is on the clock). */
  setPhases(n: number): void {
    if (this.count > 0) throw new Error('media clock: phases change only while idle');
    this.groups = Array.from({ length: Math.max(1, Math.floor(n)) }, () => new Set<ClockListener>());
  }

  private get step(): number {
    return FRAME_MS / this.groups.length;
  }

  /** the current slot number (frames since the clock started) */
  get currentSlot(): number {
    return Math.ceil(this.k / this.groups.length);
  }

  add(l: ClockListener): void {
    if (this.phaseOf.has(l)) return;
    let phase = 0;
    for (let p = 1; p < this.groups.length; p++) if (this.groups[p]!.size < this.groups[phase]!.size) phase = p;
    this.groups[phase]!.add(l);
    this.phaseOf.set(l, phase);
    this.count++;
    if (!this.timer) {
      this.t0 = performance.now();
      this.k = 0;
      this.schedule();
    }
  }

  remove(l: ClockListener): void {
    const phase = this.phaseOf.get(l);
    if (phase === undefined) return;
    this.groups[phase]!.delete(l);
    this.phaseOf.delete(l);
    this.count--;
    const w = this.worstOf.get(l);
    if (w !== undefined) {
      this.worst.add(w);
      this.worstOf.delete(l);
    }
    if (this.count === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** a listener sent its frame `lateMs` after the slot's time */
  sent(l: ClockListener, lateMs: number): void {
    this.lateness.add(lateMs);
    if (lateMs > (this.worstOf.get(l) ?? -1)) this.worstOf.set(l, lateMs);
  }

  /** resets the figures (a benchmark's run) */
  resetStats(): void {
    for (const s of [this.lateness, this.wake, this.work, this.worst]) s.reset();
    this.worstOf.clear();
  }

  private schedule(): void {
    const next = this.t0 + (this.k + 1) * this.step;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    let first = true;
    // catch up every sub-tick whose time has come (more than one after a stall), in order
    while (this.t0 + (this.k + 1) * this.step <= now + 0.5) {
      this.k++;
      const group = this.groups[this.k % this.groups.length]!;
      if (!group.size) continue;
      const slotTime = this.t0 + this.k * this.step;
      const slot = Math.ceil(this.k / this.groups.length);
      const started = performance.now();
      if (first) this.wake.add(started - slotTime);
      first = false;
      for (const l of group) {
        try {
          l.tick(slot, slotTime);
        } catch {
          this.remove(l); // a broken stream never stops the others
        }
      }
      this.work.add(performance.now() - started);
    }
    if (this.count > 0) this.schedule();
    else this.timer = null;
  }
}

/** The process's media clock: 4 ticks per 20 ms frame (the benchmark compares one tick for all, setPhases(1)). */
export const mediaClock = new MediaClock(4);
