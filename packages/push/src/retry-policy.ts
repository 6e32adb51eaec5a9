/** Exponential backoff with jitter for reconnecting a push after its destination failed. */

/** How a push waits between connection attempts. */
export interface RetryPolicy {
  /** Delay before the first retry. Default 500 ms. */
  initialDelayMs: number;
  /** Longest delay. Default 5000 ms. */
  maxDelayMs: number;
  /** Factor between consecutive delays. Default 2. */
  multiplier: number;
  /** Relative jitter: each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  jitter: number;
  /** A session that pushed at least this long resets the backoff to initialDelayMs. Default 10000 ms. */
  resetAfterMs: number;
  /**
   * While backing off from a destination that was unreachable, probe it this often
   * (when its sink factory has `probe`) and reconnect as soon as it answers. 0 disables.
   * Default 250 ms.
   */
  probeIntervalMs: number;
}

/** The contract's defaults: 500 ms doubling to 5 s, ±20 % jitter, reset after 10 s of pushing. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: 0.2,
  resetAfterMs: 10_000,
  probeIntervalMs: 250,
});

/** Fills in defaults and validates a partial policy; throws RangeError naming the bad field. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...partial };
  const check = (name: keyof RetryPolicy, ok: boolean): void => {
    if (!ok) throw new RangeError(`retry.${name} is out of range: ${policy[name]}`);
  };
  check('initialDelayMs', Number.isFinite(policy.initialDelayMs) && policy.initialDelayMs >= 0);
  check('maxDelayMs', Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= policy.initialDelayMs);
  check('multiplier', Number.isFinite(policy.multiplier) && policy.multiplier >= 1);
  check('jitter', Number.isFinite(policy.jitter) && policy.jitter >= 0 && policy.jitter < 1);
  check('resetAfterMs', Number.isFinite(policy.resetAfterMs) && policy.resetAfterMs >= 0);
  check('probeIntervalMs', Number.isFinite(policy.probeIntervalMs) && policy.probeIntervalMs >= 0);
  return policy;
}

/**
 * The delay before retry number `attempt` (0 = first retry after a failure):
 * min(initial * multiplier^attempt, max), scaled by 1 + jitter * (2 * random() - 1),
 * rounded to whole milliseconds. `random` returns a number in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.initialDelayMs * Math.pow(policy.multiplier, Math.min(attempt, 64)), policy.maxDelayMs);
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * factor));
}
