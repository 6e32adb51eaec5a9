/**
 * ReconnectBackoff: how long to wait before the next attempt to reopen the event
 * stream: doubling from `initialMs` up to `maxMs`, each delay spread by ±`jitter` so
 * that many dashboards do not reconnect in step after a server restart; back to the
 * start once a connection has delivered data.
 */

/** Settings of ReconnectBackoff. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction of each delay spread at random either way (0 = none). */
  jitter?: number;
  /** Returns a number in [0, 1); Math.random by default. */
  random?: () => number;
}

/** Exponential backoff with jitter. */
export class ReconnectBackoff {
  private initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt (and counts the attempt). */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    const spread = base * this.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.round(Math.min(this.maxMs, base + spread)));
  }

  /** Attempts so far since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** A connection worked: the next failure waits `initialMs` again. */
  reset(): void {
    this.attempt = 0;
  }

  /** The server's `retry:` field: the first delay from now on (capped by `maxMs`). */
  setInitial(ms: number): void {
    this.initialMs = Math.min(Math.max(0, ms), this.maxMs);
  }
}
