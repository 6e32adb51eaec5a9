/**
 * The wait before the next attempt after `failures` consecutive failures: exponential
 * (initial × 2^(failures-1), at most `max`) with "equal jitter" — half of it fixed, the
 * other half random — so endpoints recovering at once are not hit by every server in
 * the same instant, and a wait is never below half the exponential step.
 */

/** The exponential step before jitter, ms. */
export function backoffStep(failures: number, initialMs: number, maxMs: number): number {
  if (failures < 1) return 0;
  const exponent = Math.min(failures - 1, 40); // 2^40 × 10 ms is beyond any max
  return Math.min(maxMs, initialMs * 2 ** exponent);
}

/** The jittered wait, ms; `random` returns [0, 1) (Math.random by default). */
export function retryDelay(
  failures: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = backoffStep(failures, initialMs, maxMs);
  return Math.round(step / 2 + random() * (step / 2));
}
