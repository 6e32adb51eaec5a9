/** A timer for a wall-clock time that may be weeks away (setTimeout holds at most ~24.8 days). */

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fire` at `at` (ms since the epoch; at once when past); returns the cancel function. */
export function atTime(at: number, fire: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const delay = at - now();
    if (delay > MAX_TIMER_MS) {
      timer = setTimeout(arm, MAX_TIMER_MS);
    } else {
      timer = setTimeout(fire, Math.max(0, delay));
    }
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
