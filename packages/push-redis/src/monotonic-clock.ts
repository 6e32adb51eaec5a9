/** The time source of leases and publishers: a monotonic clock plus timers, injectable for tests. */
import { performance } from 'node:perf_hooks';

/** An opaque timer handle returned by MonotonicClock.setTimeout. */
export type TimerHandle = object | number;

/**
 * Milliseconds on a clock that never goes back and keeps counting while the process
 * is paused (SIGSTOP), plus one-shot timers.
 */
export interface MonotonicClock {
  /** Milliseconds since an arbitrary origin (performance.now(): CLOCK_MONOTONIC). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle already fired or cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: performance.now() and the global timers (unref'd: they never keep a process alive). */
export const monotonicClock: MonotonicClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
