// One 20 ms media clock per process drives every call's RTP sender. Timers drift and fire late on a busy event
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

export class MediaClock {
  private readonly listeners = new Set<ClockListener>();
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private slot = 0;
  readonly lateness = new LatenessStats();

  /** the current slot number (frames since the clock started) */
  get currentSlot(): number {
    return this.slot;
  }

  add(l: ClockListener): void {
    this.listeners.add(l);
    if (!this.timer) {
      this.t0 = performance.now();
      this.slot = 0;
      this.schedule();
    }
  }

  remove(l: ClockListener): void {
    this.listeners.delete(l);
    if (this.listeners.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private schedule(): void {
    const next = this.t0 + (this.slot + 1) * FRAME_MS;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    // catch up every slot whose time has come (more than one after a stall)
    while (this.t0 + (this.slot + 1) * FRAME_MS <= now + 0.5) {
      this.slot++;
      const slotTime = this.t0 + this.slot * FRAME_MS;
      for (const l of this.listeners) {
        try {
          l.tick(this.slot, slotTime);
        } catch {
          this.listeners.delete(l); // a broken stream never stops the others
        }
      }
    }
    if (this.listeners.size > 0) this.schedule();
    else this.timer = null;
  }
}

/** The process's media clock. */
export const mediaClock = new MediaClock();
