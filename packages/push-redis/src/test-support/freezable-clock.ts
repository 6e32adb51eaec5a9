/**
 * A monotonic clock whose timers can be frozen: time goes on (performance.now()) but
 * no timer callback runs until thawed — what a process stopped by SIGSTOP sees when it
 * resumes, without stopping the test process itself.
 */
import { performance } from 'node:perf_hooks';
import type { MonotonicClock, TimerHandle } from '../monotonic-clock.js';

export class FreezableClock implements MonotonicClock {
  private frozen = false;
  private held: Array<() => void> = [];

  now(): number {
    return performance.now();
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = { timer: undefined as ReturnType<typeof setTimeout> | undefined, cancelled: false };
    handle.timer = setTimeout(() => {
      if (handle.cancelled) return;
      if (this.frozen) this.held.push(() => !handle.cancelled && callback());
      else callback();
    }, ms);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    const h = handle as { timer: ReturnType<typeof setTimeout> | undefined; cancelled: boolean };
    h.cancelled = true;
    clearTimeout(h.timer);
  }

  /** From now on timers that fire are held. */
  freeze(): void {
    this.frozen = true;
  }

  /** Runs every held callback (in the order they fired) and lets timers run again. */
  thaw(): void {
    this.frozen = false;
    const held = this.held;
    this.held = [];
    for (const run of held) run();
  }
}
