/** A manual clock for tests: time moves only when advance() is called. */
import type { Clock, TimerHandle } from '@sluice/media';

interface FakeTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** Clock whose timers fire in due order during advance(). */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(public time = 1_612_370_560_160) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.length;
  }

  /** Due times of pending timers, relative to now. */
  dueIn(): number[] {
    return this.timers.map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing due timers in order (each sees its own due time). */
  advance(ms: number): void {
    const end = this.time + ms;
    while (true) {
      let next: FakeTimer | undefined;
      for (const t of this.timers)
        if (t.at <= end && (next === undefined || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (next === undefined) break;
      const fired = next;
      this.timers = this.timers.filter((t) => t !== fired);
      this.time = Math.max(this.time, fired.at);
      fired.callback();
    }
    this.time = end;
  }
}

/** Lets pending promise callbacks run (microtasks only; no timer or I/O turn). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
