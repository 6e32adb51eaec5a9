/**
 * The time source of everything with a timeout (push sessions, send watchdogs, connect
 * timeouts of the RTMP publisher and the TCP TS sender): wall clock plus timers,
 * injectable so tests run on a fake clock.
 */

/** An opaque timer handle returned by Clock.setTimeout. */
export type TimerHandle = object | number;

/** Wall-clock milliseconds and one-shot timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle already fired or cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: Date.now() and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
